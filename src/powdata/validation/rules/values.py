"""Value and date rules: units' ranges, date order, publication and future dates."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from powdata._io.escape import shown
from powdata._vintages import REDUCED_DATE
from powdata.intervals import BOUNDS
from powdata.validation.report import ERROR, Problem
from powdata.validation.rules._common import Context, csv_rows, fmt_date, map_ids, rule

_DATED = (("observations", "observation_id"), ("mentions", "mention_id"))


@rule("unit-range", needs=("observations", "indicators"))
def rule_unit_range(ctx: Context) -> Iterator[Problem]:
    """Percent within [0, 100]; counts whole and not negative; ranks whole and at least 1.

    Held by the rule whatever the Table Schema's constraints say, so a schema
    that drops its minimum does not let a percent of -5 through.
    """
    obs = ctx["observations"]
    unit = ctx.units
    v = obs["value"].astype("float64")
    top = obs["value_max"].astype("float64").fillna(v) if "value_max" in obs.columns else v
    checks = [
        ((unit == "percent") & ((v > 100) | (top > 100) | (v < 0)), "a percent outside [0, 100]"),
        (unit.isin(["persons", "persons_per_week", "countries"]) & (v < 0), "a negative count"),
        (unit.isin(["persons", "countries", "rank"]) & (v % 1 != 0), "a count or rank that is not a whole number"),
        ((unit == "rank") & (v < 1), "a rank below 1"),
    ]
    present = v.notna()  # a value the typer could not read is reported there, once
    for condition, what in checks:
        mask = (condition & present).fillna(False).to_numpy(dtype=bool)
        for i, row in zip(mask.nonzero()[0], csv_rows(obs, mask), strict=True):
            oid = obs["observation_id"].iloc[i]
            msg = f"observation {oid}: value {v.iloc[i]:g} is {what} (unit {unit.iloc[i]})"
            yield Problem("unit-range", ERROR, msg, "observations", row, "value", (str(oid),))


@rule("as-of-calendar-date", needs=("observations", "mentions"))
def rule_as_of_calendar_date(ctx: Context) -> Iterator[Problem]:
    """An as_of that matches its pattern is a calendar date (2025-06-31 matches but is none)."""
    for name, idcol in _DATED:
        df = ctx[name]
        start, _ = ctx.as_of_bounds(name)
        shaped = df["as_of"].astype("string").str.fullmatch(REDUCED_DATE)  # any other value is the pattern's
        m = (shaped & start.isna()).fillna(False).to_numpy(dtype=bool)
        for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
            msg = f"{name[:-1]} {df[idcol].iloc[i]}: as_of {shown(df['as_of'].iloc[i])} is not a calendar date"
            yield Problem("as-of-calendar-date", ERROR, msg, name, row, "as_of")


@rule("date-order", needs=("observations",))
def rule_date_order(ctx: Context) -> Iterator[Problem]:
    """period_start ≤ period_end ≤ as_of (the last day a reduced-precision as_of allows)."""
    df = ctx["observations"]
    _, end = ctx.as_of_bounds("observations")
    ids, ps, pe = df["observation_id"], df["period_start"], df["period_end"]
    for mask, col, msg in [
        (ps > pe, "period_end", "period_end {pe} is before period_start {ps}"),
        (pe > end, "as_of", "period_end {pe} is after as_of {asof}"),
        (ps > end, "as_of", "period_start {ps} is after as_of {asof}"),
    ]:
        m = mask.fillna(False).to_numpy()
        for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
            text = msg.format(pe=fmt_date(pe.iloc[i]), ps=fmt_date(ps.iloc[i]), asof=df["as_of"].iloc[i])
            yield Problem("date-order", ERROR, f"observation {ids.iloc[i]}: {text}", "observations", row, col)


@rule("as-of-after-published", needs=("observations", "quotes", "mentions", "sources"))
def rule_as_of_after_published(ctx: Context) -> Iterator[Problem]:
    """as_of not after the stater's statement, nor after any publication that carries the figure."""
    obs = ctx["observations"]
    start, _ = ctx.as_of_bounds("observations")
    by_id = pd.Series(start.to_numpy(), index=obs["observation_id"].astype(object))
    by_id = by_id.loc[~by_id.index.duplicated()]
    checks = [("observations", obs, "observation_id", "stated_by", start, "stated by")]
    quotes = ctx["quotes"]
    q_start = map_ids(quotes["observation_id"], by_id, dtype="datetime64")
    checks.append(("quotes", quotes, "quote_id", "source_id", q_start, "quoted from"))
    men = ctx["mentions"]
    m_start, _ = ctx.as_of_bounds("mentions")
    checks += [
        ("mentions", men, "mention_id", "stated_by", m_start, "stated by"),
        ("mentions", men, "mention_id", "quoted_in", m_start, "quoted in"),
    ]
    for name, df, idcol, srccol, as_of_start, how in checks:
        pub = map_ids(df[srccol], ctx.published, dtype="datetime64")
        m = (as_of_start > pub).fillna(False).to_numpy()
        for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
            sid, rid = df[srccol].iloc[i], df[idcol].iloc[i]
            when = fmt_date(as_of_start.iloc[i])
            msg = (
                f"{name[:-1]} {rid}: the figure holds as of {when}, after {fmt_date(pub.iloc[i])}, when {sid} "
                f"({how}; or the source it was read through) was published"
            )
            col = "source_id" if name == "quotes" else "as_of"
            yield Problem("as-of-after-published", ERROR, msg, name, row, col, (str(rid), str(sid)))


@rule("as-of-basis", needs=("observations", "quotes", "sources"))
def rule_as_of_basis(ctx: Context) -> Iterator[Problem]:
    """A basis is given exactly when an as_of is; one dated only by publication is the earliest publication date.

    A basis describes where a date comes from, so a basis without an as_of (or an
    as_of without its basis) is refused. For ``publication`` the dates pooled are
    the stater's own and those of every publication quoting the statement or its
    variants; the as_of must be that date at day precision.
    """
    obs, quotes = ctx["observations"], ctx["quotes"]
    dated, based = obs["as_of"].notna().to_numpy(dtype=bool), obs["as_of_basis"].notna().to_numpy(dtype=bool)
    for mask, msg in (
        (based & ~dated, "as_of_basis is {basis}, but as_of is empty: a basis needs a date (leave both empty)"),
        (dated & ~based, "as_of is {as_of}, but as_of_basis is empty: say where the date comes from"),
    ):
        for i, row in zip(mask.nonzero()[0], csv_rows(obs, mask), strict=True):
            oid = obs["observation_id"].iloc[i]
            what = msg.format(basis=obs["as_of_basis"].iloc[i], as_of=obs["as_of"].iloc[i])
            col = "as_of_basis"
            yield Problem("as-of-basis", ERROR, f"observation {oid}: {what}", "observations", row, col, (str(oid),))
    statement = obs["variant_of"].astype(object).where(obs["variant_of"].notna(), obs["observation_id"].astype(object))
    of_obs = dict(zip(obs["observation_id"].astype(object), statement, strict=True))
    pool = pd.concat(
        [
            pd.DataFrame({"s": statement, "d": map_ids(obs["stated_by"], ctx.published, dtype="datetime64")}),
            pd.DataFrame(
                {
                    "s": quotes["observation_id"].astype(object).map(of_obs),
                    "d": map_ids(quotes["source_id"], ctx.published, dtype="datetime64"),
                }
            ),
        ],
        ignore_index=True,
    )
    earliest = pool.dropna().groupby("s", observed=True)["d"].min()
    # vectorised, at the one datetime unit (never through pd.to_datetime: pandas 2 would take the dates to
    # nanoseconds, and 2999 overflows); a million statements cost a few array operations
    first = earliest.reindex(pd.Index(statement, dtype=object)).set_axis(obs.index)  # NaT: no dated publication
    undated = first.isna().to_numpy(dtype=bool)
    basis = obs["as_of_basis"].astype(object) == "publication"
    as_of = obs["as_of"].astype(object)
    expected = first.dt.strftime("%Y-%m-%d").astype(object).where(~undated, None)
    m = (basis & (pd.Series(undated, index=obs.index) | (as_of != expected))).fillna(False).to_numpy()
    for i, row in zip(m.nonzero()[0], csv_rows(obs, m), strict=True):
        oid = obs["observation_id"].iloc[i]
        if undated[i]:
            msg = f"observation {oid}: as_of_basis is publication, but no publication carrying it has a known date"
        else:
            msg = (
                f"observation {oid}: as_of_basis is publication, so as_of should be {expected.iloc[i]}, the earliest "
                f"known publication of the statement, but it is {shown(as_of.iloc[i])}"
            )
        yield Problem("as-of-basis", ERROR, msg, "observations", row, "as_of", (str(oid),))


@rule("value-max-matches-qualifier", needs=("observations",))
def rule_value_max(ctx: Context) -> Iterator[Problem]:
    """value_max is given exactly where the words state an upper end: ``range`` needs it, only ``approximately``
    may also have it, and it is above value."""
    obs = ctx["observations"]
    q = obs["qualifier"].astype(object)
    has = obs["value_max"].notna()
    takes = q.map(lambda x: BOUNDS[x].takes_max if x in BOUNDS else True)
    needs = q.map(lambda x: BOUNDS[x].needs_max if x in BOUNDS else False)
    vmax, v = obs["value_max"].astype("float64"), obs["value"].astype("float64")
    checks = [
        (needs & ~has, "qualifier {q} needs value_max, the upper end of the stated range"),
        (has & ~takes, "qualifier {q} takes no value_max (only a stated range or 'about v–w' has one)"),
        (has & takes & (vmax <= v), "value_max {vmax:g} is not above value {v:g}"),
    ]
    for mask, what in checks:
        m = mask.fillna(False).to_numpy(dtype=bool)
        for i, row in zip(m.nonzero()[0], csv_rows(obs, m), strict=True):
            oid = obs["observation_id"].iloc[i]
            text = what.format(q=q.iloc[i], vmax=vmax.iloc[i], v=v.iloc[i])
            yield Problem(
                "value-max-matches-qualifier",
                ERROR,
                f"observation {oid}: {text}",
                "observations",
                row,
                "value_max",
                (str(oid),),
            )


@rule("future-date", needs=("observations", "mentions", "sources"))
def rule_future_date(ctx: Context) -> Iterator[Problem]:
    """No date after today: as_of, the periods, and a source's publication."""
    today = pd.Timestamp(ctx.today)
    for name, idcol in _DATED:
        df = ctx[name]
        start, _ = ctx.as_of_bounds(name)
        ids = df[idcol]
        cols = [("as_of", start)] + [(c, df[c]) for c in ("period_start", "period_end") if c in df.columns]
        for col, values in cols:
            m = (values > today).fillna(False).to_numpy()
            for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
                msg = f"{name[:-1]} {ids.iloc[i]}: {col} {df[col].iloc[i]} is in the future (today is {today.date()})"
                yield Problem("future-date", ERROR, msg, name, row, col)
    src = ctx["sources"]
    m = (src["published"] > today).fillna(False).to_numpy()
    for i, row in zip(m.nonzero()[0], csv_rows(src, m), strict=True):
        msg = f"source {src['source_id'].iloc[i]}: published {fmt_date(src['published'].iloc[i])} is in the future"
        yield Problem("future-date", ERROR, msg, "sources", row, "published")
