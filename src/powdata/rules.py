"""Cross-row and cross-table consistency rules, on intervals.

Every rule has a stable id, is vectorised (packages of a million observations
are checked in seconds), and returns `Problem` records. A rule raises an
**error** only for a certain contradiction; where the answer depends on the
tolerance given to "approximately" it raises a **warning**.

| rule id                  | what it checks |
|--------------------------|----------------|
| foreign-key              | every reference resolves (also checked by Frictionless) |
| unit-range               | percent in [0, 100]; persons, countries and ranks whole numbers; rank ≥ 1 |
| date-order               | period_start ≤ period_end ≤ as_of |
| as-of-after-published    | as_of not after the source's publication (or that of the text it was read in) |
| future-date              | no date after today |
| part-of-cycle            | part_of never points to the row itself or round a loop |
| part-unit-mismatch       | a part is counted in the unit of its whole |
| parts-within-whole       | subtotals of one indicator never add up to more than their whole |
| subset-within-whole      | a subset (another indicator) never exceeds its whole |
| ranks-unique             | one rank per place, per indicator and vintage |
| named-within-stated      | countries named (ranked, mentioned, group members) never outnumber those stated |
| one-value-per-key        | one value per indicator, area, period, as_of and source |
| cumulative-never-shrinks | a cumulative indicator never falls from one vintage to the next |
| excerpt-carries-figure   | the excerpt contains the figure as the text writes it ("16,894", "49%", "first") |
| mention-names-area       | a mention's excerpt names its area |
| no-personal-data         | no column that could identify a person |
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from powdata.intervals import Interval, add_bounds
from powdata.report import ERROR, WARNING, Problem

Frames = dict[str, pd.DataFrame]
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
PERSONAL_COLUMNS = re.compile(
    r"^(first_?name|last_?name|surname|full_?name|person(_name)?|age|birth.*|date_of_birth|dob|photo.*|image.*|"
    r"passport.*|address|phone.*|email|unit_number|rank_military|captured_on|story|biography)$",
    re.IGNORECASE,
)
_KEY = ["indicator_id", "area_id", "period_start", "period_end", "as_of", "source_id"]


def _row(df: pd.DataFrame, mask: Any) -> list[int]:
    """Return the CSV line numbers (header = 1) of the rows selected by ``mask``."""
    return [int(i) + 2 for i in df.index[np.asarray(mask, dtype=bool)]]


def map_ids(values: pd.Series, mapping: dict[Any, Any] | pd.Series, dtype: str | None = None) -> pd.Series:
    """Map a column of ids through ``mapping``, looking up each distinct id once.

    A million rows usually hold a few distinct ids, and converting every
    arrow-backed string to a Python object costs more than the lookup.
    """
    codes, uniques = pd.factorize(values)
    looked = pd.Series(uniques, dtype=object).map(mapping)
    if dtype == "datetime64":  # at second resolution: pandas 2's nanoseconds stop at 2262
        nat = np.datetime64("NaT", "s")
        days = [nat if pd.isna(x) else np.datetime64(pd.Timestamp(x).date(), "s") for x in looked]
        source: Any = pd.array(np.array(days, dtype="datetime64[s]"))
    else:
        source = looked.to_numpy(dtype=object)
    taken = pd.api.extensions.take(source, codes, allow_fill=True)
    return pd.Series(taken, index=values.index)


def _units(frames: Frames) -> pd.Series:
    """The unit of each observation, from its indicator (computed once per run, see `run_cross_rules`)."""
    if "_units" in frames:
        return frames["_units"]["unit"]
    ind = frames["indicators"]
    unit = dict(zip(ind["indicator_id"], ind["unit"].astype(object), strict=True))
    return map_ids(frames["observations"]["indicator_id"], unit)


def _ids(ids: tuple[str, ...] | list[str], limit: int = 10) -> str:
    """List ids for a message, at most ``limit`` of them."""
    shown = ", ".join(map(str, ids[:limit]))
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "∞"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def reduced_date_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return the first and last day of each ISO 8601 reduced-precision date (YYYY, YYYY-MM, YYYY-MM-DD).

    Parsed once per distinct value: a column of a million rows holds few dates.
    """
    codes, uniques = pd.factorize(values)
    start_u, end_u = _date_bounds(pd.Series(uniques, dtype="string"))
    start = pd.api.extensions.take(start_u.array, codes, allow_fill=True)
    end = pd.api.extensions.take(end_u.array, codes, allow_fill=True)
    return pd.Series(start, index=values.index), pd.Series(end, index=values.index)


def _date_bounds(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    n = s.str.len()
    year = s.where(n == 4)
    month = s.where(n == 7)
    day = s.where(n == 10)
    start = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    start = start.fillna(pd.to_datetime(month, format="%Y-%m", errors="coerce"))
    start = start.fillna(pd.to_datetime(year, format="%Y", errors="coerce"))
    end = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    m_start = pd.to_datetime(month, format="%Y-%m", errors="coerce")
    end = end.fillna(m_start + pd.offsets.MonthEnd(0))
    y_start = pd.to_datetime(year, format="%Y", errors="coerce")
    end = end.fillna(y_start + pd.offsets.YearEnd(0))
    return start, end


def _published_by_source(frames: Frames) -> pd.Series:
    """Map source_id to the first known date along its via chain (an upper bound on its publication)."""
    from powdata.loader import publication_dates

    src = frames["sources"]
    return pd.Series(publication_dates(src), dtype="object")


# --- references -------------------------------------------------------------------------------


def rule_foreign_key(frames: Frames, schemas: dict[str, dict[str, Any]]) -> list[Problem]:
    """Every foreign key resolves to a row of the referenced resource."""
    out = []
    for name, schema in schemas.items():
        df = frames.get(name)
        if df is None:
            continue
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            target = frames.get(ref.get("resource") or name)
            if target is None or len(fk["fields"]) != 1:
                continue
            col, ref_col = fk["fields"][0], ref["fields"][0]
            if col not in df.columns or ref_col not in target.columns:
                continue
            values = df[col]
            # look up each distinct reference once, scanning the target for just those values:
            # arrow-backed isin is fast against a small value set and very slow against a large one
            distinct = pd.Series(values.dropna().unique())
            targets = target[ref_col]
            found = set(targets[targets.isin(distinct).to_numpy(dtype=bool)].astype(object))
            missing = distinct[~distinct.astype(object).isin(found).to_numpy(dtype=bool)]
            if missing.empty:
                continue
            bad = values.isin(missing).fillna(False).to_numpy(dtype=bool)
            for i in bad.nonzero()[0]:
                v = values.iloc[i]
                msg = f"{col} = {v!r} is not found in {ref.get('resource') or name}.{ref_col}"
                out.append(Problem("foreign-key", ERROR, msg, name, int(i) + 2, col, (str(v),)))
    return out


# --- values and dates ---------------------------------------------------------------------------


def rule_unit_range(frames: Frames) -> list[Problem]:
    """Percent within [0, 100]; counts and ranks whole numbers; ranks at least 1."""
    obs = frames["observations"]
    unit = _units(frames)
    v = obs["value"].astype("float64")
    out = []
    checks = [
        ((unit == "percent") & (v > 100), "a percent above 100"),
        (unit.isin(["persons", "countries", "rank"]) & (v % 1 != 0), "a count or rank that is not a whole number"),
        ((unit == "rank") & (v < 1), "a rank below 1"),
    ]
    for condition, what in checks:
        mask = condition.fillna(False).to_numpy(dtype=bool)
        for i, row in zip(mask.nonzero()[0], _row(obs, mask), strict=True):
            oid = obs["observation_id"].iloc[i]
            msg = f"observation {oid}: value {v.iloc[i]:g} is {what} (unit {unit.iloc[i]})"
            out.append(Problem("unit-range", ERROR, msg, "observations", row, "value", (str(oid),)))
    return out


def rule_dates(frames: Frames, today: dt.date | None = None) -> list[Problem]:
    """period_start ≤ period_end ≤ as_of; as_of not after publication; no date in the future."""
    today_ts = pd.Timestamp(today or dt.date.today())
    out: list[Problem] = []
    published = _published_by_source(frames)
    for name in ("observations", "mentions"):
        df = frames[name]
        idcol = "observation_id" if name == "observations" else "mention_id"
        start, end = reduced_date_bounds(df["as_of"])
        ids = df[idcol]
        if "period_start" in df.columns:
            ps, pe = df["period_start"], df["period_end"]
            for mask, col, msg in [
                (ps > pe, "period_end", "period_end {pe} is before period_start {ps}"),
                (pe > end, "as_of", "period_end {pe} is after as_of {asof}"),
                (ps > end, "as_of", "period_start {ps} is after as_of {asof}"),
            ]:
                m = mask.fillna(False).to_numpy()
                for i, row in zip(m.nonzero()[0], _row(df, m), strict=True):
                    text = msg.format(pe=_d(pe.iloc[i]), ps=_d(ps.iloc[i]), asof=df["as_of"].iloc[i])
                    out.append(Problem("date-order", ERROR, f"{name[:-1]} {ids.iloc[i]}: {text}", name, row, col))
        pub = map_ids(df["source_id"], published, dtype="datetime64")
        m = (start > pub).fillna(False).to_numpy()
        for i, row in zip(m.nonzero()[0], _row(df, m), strict=True):
            sid = df["source_id"].iloc[i]
            msg = (
                f"{name[:-1]} {ids.iloc[i]}: as_of {df['as_of'].iloc[i]} is after {_d(pub.iloc[i])}, "
                f"when source {sid} (or the publication it was read through) was published"
            )
            out.append(Problem("as-of-after-published", ERROR, msg, name, row, "as_of", (str(ids.iloc[i]), str(sid))))
        cols = [("as_of", start)] + [(c, df[c]) for c in ("period_start", "period_end") if c in df.columns]
        for col, values in cols:
            m = (values > today_ts).fillna(False).to_numpy()
            for i, row in zip(m.nonzero()[0], _row(df, m), strict=True):
                msg = (
                    f"{name[:-1]} {ids.iloc[i]}: {col} {df[col].iloc[i]} is in the future (today is {today_ts.date()})"
                )
                out.append(Problem("future-date", ERROR, msg, name, row, col))
    src = frames["sources"]
    m = (src["published"] > today_ts).fillna(False).to_numpy()
    for i, row in zip(m.nonzero()[0], _row(src, m), strict=True):
        msg = f"source {src['source_id'].iloc[i]}: published {_d(src['published'].iloc[i])} is in the future"
        out.append(Problem("future-date", ERROR, msg, "sources", row, "published"))
    return out


def _d(x: Any) -> str:
    return "?" if pd.isna(x) else str(pd.Timestamp(x).date())


# --- parts and wholes ---------------------------------------------------------------------------


def rule_part_of_cycle(frames: Frames) -> list[Problem]:
    """part_of never points at the row itself, nor round a loop of parts."""
    obs = frames["observations"]
    obs = obs.loc[obs["part_of"].notna()]  # only a part can be on a loop
    ids = obs["observation_id"].astype(object)
    parent = dict(zip(ids, obs["part_of"].astype(object), strict=True))
    cur = obs["part_of"].astype(object)
    in_cycle = np.zeros(len(obs), dtype=bool)
    for _ in range(64):  # nesting deeper than 64 levels is itself reported as a loop
        cur = cur.map(lambda p: parent.get(p) if isinstance(p, str) else None) if _ else cur
        hit = (cur == ids).fillna(False).to_numpy()
        in_cycle |= hit
        if cur.isna().all():
            break
    else:
        in_cycle |= cur.notna().to_numpy()
    out = []
    for i, row in zip(in_cycle.nonzero()[0], _row(obs, in_cycle), strict=True):
        oid = ids.iloc[i]
        msg = f"observation {oid}: part_of {obs['part_of'].iloc[i]} leads back to itself"
        out.append(Problem("part-of-cycle", ERROR, msg, "observations", row, "part_of", (str(oid),)))
    return out


def _with_wholes(frames: Frames) -> pd.DataFrame:
    obs = frames["observations"]
    parts_of = pd.Series(obs["part_of"].dropna().unique())
    keep = obs["part_of"].notna().to_numpy(dtype=bool, copy=True)
    keep |= pd.Index(parts_of).get_indexer(obs["observation_id"]) >= 0  # the wholes
    obs = add_bounds(obs.loc[keep].assign(unit=_units(frames).loc[keep]))
    obs["_row"] = obs.index + 2
    obs["_approx"] = obs["qualifier"].astype(object) == "approximately"
    parts = obs.loc[obs["part_of"].notna()]
    wholes = obs.set_index("observation_id")
    cols = ["indicator_id", "unit", "lower", "upper", "lower_open", "upper_open", "value", "_approx"]
    joined = parts.merge(wholes[cols].add_suffix("_whole"), left_on="part_of", right_index=True, how="left").set_index(
        parts.index
    )
    return joined.loc[joined["indicator_id_whole"].notna()]


def rule_parts_within_whole(frames: Frames) -> list[Problem]:
    """Subtotals never exceed their whole; subsets never exceed it; parts share the whole's unit."""
    j = _with_wholes(frames)
    out: list[Problem] = []
    bad_unit = (j["unit"] != j["unit_whole"]).to_numpy()
    for _, r in j.loc[bad_unit].iterrows():
        msg = f"observation {r.observation_id} is counted in {r.unit} but its whole {r.part_of} is in {r.unit_whole}"
        out.append(
            Problem(
                "part-unit-mismatch", ERROR, msg, "observations", int(r._row), "part_of", (r.observation_id, r.part_of)
            )
        )
    j = j.loc[~bad_unit]
    same = j["indicator_id"] == j["indicator_id_whole"]
    # subtotals: the sum of the parts against the whole
    sub = j.loc[same]
    if len(sub):
        g = sub.groupby("part_of", sort=False)
        agg = pd.DataFrame(
            {
                "lower": g["lower"].sum(),
                "lower_open": g["lower_open"].any(),
                "nominal": g["value"].sum(),
                "approx": g["_approx"].any(),
                "n": g.size(),
                "ids": g["observation_id"].agg(list),
                "row": g["_row"].min(),
            }
        )
        whole = sub.drop_duplicates("part_of").set_index("part_of")
        agg = agg.join(whole[["upper_whole", "upper_open_whole", "value_whole", "_approx_whole"]])
        over = (agg["lower"] > agg["upper_whole"]) | (
            (agg["lower"] == agg["upper_whole"]) & (agg["lower_open"] | agg["upper_open_whole"])
        )
        approx = agg["approx"] | agg["_approx_whole"]
        nominal_over = agg["nominal"] > agg["value_whole"]
        for pid, r in agg.loc[(over & ~approx) | (approx & nominal_over)].iterrows():
            sev = WARNING if r.approx or r._approx_whole else ERROR
            qual = "certainly " if sev == ERROR else "may, depending on how approximate the figures are, "
            msg = (
                f"parts {_fmt(r.nominal)} {qual}exceed whole {_fmt(r.value_whole)} (observation {pid}): "
                f"its {r.n} parts {_ids(r.ids)} add up to at least {_fmt(r.lower)}, the whole is at most "
                f"{_fmt(r.upper_whole)}"
            )
            out.append(Problem("parts-within-whole", sev, msg, "observations", int(r.row), "value", (str(pid), *r.ids)))
    # subsets: each against the whole
    subs = j.loc[~same]
    if len(subs):
        over = (subs["lower"] > subs["upper_whole"]) | (
            (subs["lower"] == subs["upper_whole"]) & (subs["lower_open"] | subs["upper_open_whole"])
        )
        approx = subs["_approx"] | subs["_approx_whole"]
        nominal_over = subs["value"] > subs["value_whole"]
        for _, r in subs.loc[(over & ~approx) | (approx & nominal_over)].iterrows():
            sev = WARNING if (r._approx or r._approx_whole) else ERROR
            msg = (
                f"observation {r.observation_id} ({_fmt(r.value)}, {r.qualifier}) is a subset of {r.part_of} "
                f"but exceeds it ({_fmt(r.value_whole)})"
            )
            out.append(
                Problem(
                    "subset-within-whole", sev, msg, "observations", int(r._row), "value", (r.observation_id, r.part_of)
                )
            )
    return out


# --- ranks, named countries and duplicates ------------------------------------------------------


def rule_ranks_unique(frames: Frames) -> list[Problem]:
    """Within one rank indicator and vintage, no two areas share a rank."""
    obs, ind = frames["observations"], frames["indicators"]
    ranks = set(ind.loc[ind["unit"].astype(object) == "rank", "indicator_id"])
    r = obs.loc[obs["indicator_id"].isin(ranks)]
    key = ["indicator_id", "period_start", "period_end", "as_of", "source_id", "value"]
    dup = r.duplicated(key, keep=False)
    out = []
    for _, grp in r.loc[dup].groupby(key, dropna=False, sort=False):
        ids = tuple(grp["observation_id"])
        rank, indicator = _fmt(grp["value"].iloc[0]), grp["indicator_id"].iloc[0]
        msg = f"rank {rank} of {indicator} is given to {len(ids)} areas: {_ids(ids)}"
        for i in grp.index:
            out.append(Problem("ranks-unique", ERROR, msg, "observations", int(i) + 2, "value", ids))
    return out


def rule_named_within_stated(frames: Frames) -> list[Problem]:
    """The countries named for an indicator never outnumber the countries it states."""
    obs, ind, areas, men = frames["observations"], frames["indicators"], frames["areas"], frames["mentions"]
    members = frames["area_members"]
    about = dict(zip(ind["indicator_id"], ind["about_indicator_id"].astype(object), strict=True))
    about = {k: v for k, v in about.items() if isinstance(v, str)}
    unit = _units(frames)
    stated = obs.loc[(unit == "countries").to_numpy() & obs["indicator_id"].isin(list(about)).to_numpy()]
    if not len(stated):
        return []
    stated = add_bounds(stated)
    # areas that name countries: the countries themselves and the groups whose members are named
    countries = set(areas.loc[areas["kind"].astype(object) == "country", "area_id"])
    naming = countries | set(members["area_id"])
    # everything that names a country: observations of X, of rank indicators about X, mentions of X
    o = obs.loc[obs["area_id"].isin(list(naming)).to_numpy() & (unit != "countries").to_numpy()]
    o_unit = unit.loc[o.index]
    topic = o["indicator_id"].astype(object).where(o_unit != "rank", map_ids(o["indicator_id"], about))
    named = pd.concat(
        [
            pd.DataFrame({"topic": topic, "area_id": o["area_id"], "as_of": o["as_of"], "source_id": o["source_id"]}),
            men.rename(columns={"indicator_id": "topic"})[["topic", "area_id", "as_of", "source_id"]],
        ],
        ignore_index=True,
    ).astype(object)
    expanded = named.drop_duplicates().merge(members.astype(object), on="area_id", how="left")
    expanded["country"] = expanded["member_id"].fillna(expanded["area_id"])
    expanded = expanded.loc[expanded["country"].isin(countries)]
    expanded["as_of"] = expanded["as_of"].where(expanded["as_of"].notna(), "")  # undated statements group together
    counts = expanded.groupby(["topic", "as_of", "source_id"])["country"].nunique()
    out = []
    for idx, r in stated.iterrows():
        key = (about[r.indicator_id], "" if pd.isna(r.as_of) else r.as_of, r.source_id)
        n = int(counts.get(key, 0))
        if Interval(n, n).certainly_above(Interval(r.lower, r.upper, r.lower_open, r.upper_open)):
            sev = WARNING if r.qualifier == "approximately" else ERROR
            msg = (
                f"{n} countries are named for {key[0]} (as_of {r.as_of}, source {r.source_id}) but observation "
                f"{r.observation_id} states {_fmt(r.value)} ({r.qualifier})"
            )
            row = int(str(idx)) + 2
            out.append(Problem("named-within-stated", sev, msg, "observations", row, "value", (r.observation_id,)))
    return out


def rule_one_value_per_key(frames: Frames) -> list[Problem]:
    """One value per indicator, area, period, as_of and source."""
    obs = frames["observations"]
    dup = obs.duplicated(_KEY, keep=False).to_numpy()
    out = []
    for _, grp in obs.loc[dup].groupby(_KEY, dropna=False, sort=False):
        ids = tuple(grp["observation_id"].astype(object))
        msg = f"{len(ids)} values for one indicator, area, period, as_of and source: {_ids(ids)}"
        for i in grp.index[1:]:
            out.append(Problem("one-value-per-key", ERROR, msg, "observations", int(i) + 2, "observation_id", ids))
    return out


def rule_cumulative(frames: Frames) -> list[Problem]:
    """A cumulative indicator never shrinks from one vintage to the next (on intervals)."""
    obs, ind = frames["observations"], frames["indicators"]
    cum = set(ind.loc[ind["cumulative"].fillna(False).astype(bool), "indicator_id"])
    c = add_bounds(obs.loc[obs["indicator_id"].isin(cum)])
    if not len(c):
        return []
    c["_start"], c["_end"] = reduced_date_bounds(c["as_of"])
    c["_row"] = c.index + 2
    key = ["indicator_id", "area_id", "period_start", "period_end"]
    out: list[Problem] = []
    sizes = c.groupby(key, dropna=False)["observation_id"].transform("size")
    multi = c.loc[sizes > 1]
    undated = multi.loc[multi["_start"].isna()]
    for _, r in undated.iterrows():
        msg = (
            f"observation {r.observation_id} of cumulative {r.indicator_id} has no as_of, so it cannot be ordered "
            f"against the other vintages of {r.area_id}"
        )
        out.append(
            Problem("cumulative-never-shrinks", WARNING, msg, "observations", int(r._row), "as_of", (r.observation_id,))
        )
    dated = multi.loc[multi["_start"].notna()].sort_values([*key, "_end", "_start"], kind="stable")
    prev = dated.groupby(key, dropna=False).shift(1)
    ok_order = prev["_end"] < dated["_start"]  # strictly later vintage
    shrink = (dated["upper"] < prev["lower"]) | (
        (dated["upper"] == prev["lower"])
        & (dated["upper_open"] | prev["lower_open"].astype("boolean").fillna(False).astype(bool))
    )
    approx = (dated["qualifier"].astype(object) == "approximately") | (
        prev["qualifier"].astype(object) == "approximately"
    )
    hits = (ok_order & shrink).fillna(False)
    for idx in dated.index[hits.to_numpy()]:
        r, p = dated.loc[idx], prev.loc[idx]
        sev = WARNING if approx.loc[idx] else ERROR
        msg = (
            f"cumulative {r.indicator_id} for {r.area_id} falls from {_fmt(p.value)} ({p.qualifier}, "
            f"{p.observation_id}, as_of {p.as_of}) to {_fmt(r.value)} ({r.qualifier}, {r.observation_id}, "
            f"as_of {r.as_of})"
        )
        out.append(
            Problem(
                "cumulative-never-shrinks",
                sev,
                msg,
                "observations",
                int(r._row),
                "value",
                (str(p.observation_id), str(r.observation_id)),
            )
        )
    return out


# --- excerpts and ethics ------------------------------------------------------------------------


def figure_forms(value: float, unit: str) -> list[str]:
    """Return the ways a text may write ``value`` in ``unit`` ("16,894", "49%", "first")."""
    if value is None or pd.isna(value):
        return []
    num = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    plain = num.replace(",", "")
    if unit == "percent":
        return [f"{n}{sep}%" for n in {num, plain} for sep in ("", " ", "\xa0")] + [
            f"{plain} per cent",
            f"{plain} percent",
        ]
    if unit == "rank":
        v = int(value)
        forms = [f"{v}{'th' if 10 <= v % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(v % 10, 'th')}"]
        if 1 <= v <= len(ORDINALS):
            forms.append(ORDINALS[v - 1])
        return forms
    return list(dict.fromkeys([num, plain, num.replace(",", "\xa0"), num.replace(",", " ")]))


@lru_cache(maxsize=4096)
def _figure_pattern(value: float, unit: str) -> re.Pattern[str]:
    """One compiled pattern matching any way of writing ``value`` in ``unit``, not inside a longer number."""
    alternatives = []
    for form in figure_forms(value, unit):
        alternatives.append(re.escape(form) + (r"(?!\d)" if form[-1].isdigit() else ""))
    return re.compile(r"(?<![\d.,])(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def rule_excerpts(frames: Frames) -> list[Problem]:
    """Each excerpt carries its figure as the text writes it; each mention's excerpt names its area.

    Each distinct (excerpt, value, unit) is checked once, with one compiled
    pattern per (value, unit).
    """
    obs = frames["observations"]
    trip = pd.DataFrame(
        {"excerpt": obs["excerpt"], "value": obs["value"].astype("float64"), "unit": _units(frames)}
    ).dropna()
    distinct = trip.drop_duplicates()
    failing = [
        not _figure_pattern(float(v), str(u)).search(str(e))
        for e, v, u in zip(distinct["excerpt"], distinct["value"], distinct["unit"], strict=True)
    ]
    bad = distinct.loc[np.asarray(failing, dtype=bool)]
    out = []
    if len(bad):
        hits = trip.reset_index().merge(bad, on=["excerpt", "value", "unit"]).set_index("index").sort_index()
        for i, r in hits.iterrows():
            oid = str(obs.at[i, "observation_id"])
            shown = " or ".join(repr(f) for f in figure_forms(r.value, r.unit)[:3])
            msg = f"observation {oid}: the excerpt does not contain the figure as text would write it ({shown})"
            out.append(
                Problem("excerpt-carries-figure", ERROR, msg, "observations", int(str(i)) + 2, "excerpt", (str(oid),))
            )
    men, areas = frames["mentions"], frames["areas"]
    names = dict(zip(areas["area_id"], areas["name"].astype(object), strict=True))
    rows = zip(men["mention_id"], men["area_id"], men["excerpt"].astype(object), strict=True)
    for i, (mid, aid, excerpt) in enumerate(rows):
        name = names.get(aid)
        if (
            isinstance(name, str)
            and isinstance(excerpt, str)
            and name.lower() not in excerpt.replace("\xa0", " ").lower()
        ):
            msg = f"mention {mid}: the excerpt does not name {name!r} (area {aid})"
            out.append(
                Problem("mention-names-area", ERROR, msg, "mentions", int(men.index[i]) + 2, "excerpt", (str(mid),))
            )
    return out


def rule_no_personal_data(frames: Frames) -> list[Problem]:
    """No resource has a column that could identify or describe an individual."""
    out = []
    for name, df in frames.items():
        if name.startswith("_"):  # derived tables of this run, not resources
            continue
        for col in df.columns:
            if PERSONAL_COLUMNS.match(str(col)):
                msg = f"column {col!r} could identify or describe a person; powdata publishes aggregates only"
                out.append(Problem("no-personal-data", ERROR, msg, name, None, str(col)))
    return out


CROSS_RULES: list[tuple[str, Callable[[Frames], list[Problem]]]] = [
    ("unit-range", rule_unit_range),
    ("dates", rule_dates),
    ("part-of-cycle", rule_part_of_cycle),
    ("parts-within-whole", rule_parts_within_whole),
    ("ranks-unique", rule_ranks_unique),
    ("named-within-stated", rule_named_within_stated),
    ("one-value-per-key", rule_one_value_per_key),
    ("cumulative-never-shrinks", rule_cumulative),
    ("excerpts", rule_excerpts),
    ("no-personal-data", rule_no_personal_data),
]
REQUIRED_RESOURCES = ("observations", "indicators", "areas", "area_members", "mentions", "sources")


def run_cross_rules(
    frames: Frames, schemas: dict[str, dict[str, Any]], *, today: dt.date | None = None
) -> list[Problem]:
    """Run the foreign-key check and every cross rule over typed frames (``today`` for the date rules)."""
    problems = rule_foreign_key(frames, schemas)
    missing = [r for r in REQUIRED_RESOURCES if r not in frames]
    if missing:
        msg = f"the cross-table rules need the resources {', '.join(missing)}, which are missing or unreadable"
        return [*problems, Problem("missing-resource", ERROR, msg)]
    frames = {**frames, "_units": pd.DataFrame({"unit": _units(frames)})}  # shared by four rules
    for name, rule in CROSS_RULES:
        problems += rule_dates(frames, today) if name == "dates" else rule(frames)
    return problems
