"""Counting rules: unique ranks, countries named vs stated, one value per key, statements once, growing totals.

They count statements: a variant (``variant_of``, a publication's different
wording of another row's statement) is never counted on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from powdata._schema import csv_row
from powdata.intervals import add_bounds, certainly_above, is_approximate
from powdata.validation.report import ERROR, WARNING, Problem
from powdata.validation.rules._common import (
    VALUE_KEY,
    Context,
    fmt_number,
    list_ids,
    map_ids,
    rule,
    severity,
)


@rule("ranks-unique", needs=("observations", "indicators"))
def rule_ranks_unique(ctx: Context) -> list[Problem]:
    """Within one rank indicator and vintage, no two areas share a rank."""
    obs, ind = ctx.statements, ctx["indicators"]
    ranks = set(ind.loc[ind["unit"].astype(object) == "rank", "indicator_id"])
    r = obs.loc[obs["indicator_id"].isin(ranks) & obs["value"].notna()]  # a missing rank is the typer's
    key = ["indicator_id", "period_start", "period_end", "as_of", "stated_by", "value"]
    dup = r.duplicated(key, keep=False)
    out = []
    for _, grp in r.loc[dup].groupby(key, dropna=False, sort=False, observed=True):
        ids = tuple(grp["observation_id"])
        rank, indicator = fmt_number(grp["value"].iloc[0]), grp["indicator_id"].iloc[0]
        msg = f"rank {rank} of {indicator} is given to {len(ids)} areas: {list_ids(ids)}"
        for i in grp.index:
            out.append(Problem("ranks-unique", ERROR, msg, "observations", csv_row(i), "value", ids))
    return out


@rule("named-within-stated", needs=("observations", "indicators", "areas", "area_members", "mentions"))
def rule_named_within_stated(ctx: Context) -> list[Problem]:
    """The countries named for an indicator never outnumber the countries it states."""
    obs, ind, areas, men = ctx["observations"], ctx["indicators"], ctx["areas"], ctx["mentions"]
    members = ctx["area_members"]
    about = dict(zip(ind["indicator_id"], ind["about_indicator_id"].astype(object), strict=True))
    about = {k: v for k, v in about.items() if isinstance(v, str)}
    unit = ctx.units
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
            pd.DataFrame({"topic": topic, "area_id": o["area_id"], "as_of": o["as_of"], "stated_by": o["stated_by"]}),
            men.rename(columns={"indicator_id": "topic"})[["topic", "area_id", "as_of", "stated_by"]],
        ],
        ignore_index=True,
    ).astype(object)
    expanded = named.drop_duplicates().merge(members.astype(object), on="area_id", how="left")
    expanded["country"] = expanded["member_id"].fillna(expanded["area_id"])
    expanded = expanded.loc[expanded["country"].isin(countries)]
    expanded["as_of"] = expanded["as_of"].where(expanded["as_of"].notna(), "")  # undated statements group together
    counts = expanded.groupby(["topic", "as_of", "stated_by"], observed=True)["country"].nunique()
    out = []
    for idx, r in stated.iterrows():
        key = (about[r.indicator_id], "" if pd.isna(r.as_of) else r.as_of, r.stated_by)
        n = int(counts.get(key, 0))
        if certainly_above(n, False, r.upper, r.upper_open):
            sev = severity(is_approximate(str(r.qualifier)))
            msg = (
                f"{n} countries are named for {key[0]} (as_of {r.as_of}, stated by {r.stated_by}) but observation "
                f"{r.observation_id} states {fmt_number(r.value)} ({r.qualifier})"
            )
            row = csv_row(str(idx))
            out.append(Problem("named-within-stated", sev, msg, "observations", row, "value", (r.observation_id,)))
    return out


@rule("one-value-per-key")
def rule_one_value_per_key(ctx: Context) -> list[Problem]:
    """One value per indicator, area, period, as_of and stater (a variant words another row's statement)."""
    obs = ctx.statements
    dup = obs.duplicated(VALUE_KEY, keep=False).to_numpy()
    out = []
    for _, grp in obs.loc[dup].groupby(VALUE_KEY, dropna=False, sort=False, observed=True):
        ids = tuple(grp["observation_id"].astype(object))
        msg = f"{len(ids)} values for one indicator, area, period, as_of and stater: {list_ids(ids)}"
        for i in grp.index[1:]:
            out.append(Problem("one-value-per-key", ERROR, msg, "observations", csv_row(i), "observation_id", ids))
    return out


@rule("statement-stored-once", needs=("observations", "quotes"))
def rule_statement_stored_once(ctx: Context) -> list[Problem]:
    """No statement is stored twice: one observation per statement, one quote per statement and publication.

    Two statements of one stater with the same figure for the same indicator,
    area and period are one statement stored twice when their ``as_of`` is the
    same or either is dated only by a publication (an error: keep one and add
    the other's publications as quotes); otherwise a warning (a stater may
    repeat a figure later, as a new statement with its own date).
    """
    obs, quotes = ctx.statements, ctx["quotes"]
    out: list[Problem] = []
    key = ["indicator_id", "area_id", "period_start", "period_end", "stated_by", "value", "value_max", "qualifier"]
    dup = obs.duplicated(key, keep=False).to_numpy()
    same_date = obs.duplicated([*key, "as_of"], keep=False).to_numpy()
    by_publication = (obs["as_of_basis"].astype(object) == "publication").to_numpy()
    for _, grp in obs.loc[dup].groupby(key, dropna=False, sort=False, observed=True):
        ids = tuple(grp["observation_id"].astype(object))
        where = obs.index.get_indexer(grp.index)
        any_publication = bool(by_publication[where].any())
        msg = (
            f"one statement stored {len(ids)} times ({list_ids(ids)}: same stater {grp['stated_by'].iloc[0]}, "
            f"indicator, area, period and figure): keep one observation and add the others' publications as quotes"
        )
        for i, at in zip(grp.index[1:], where[1:], strict=True):
            sev = ERROR if same_date[at] or any_publication else WARNING
            out.append(Problem("statement-stored-once", sev, msg, "observations", csv_row(i), "observation_id", ids))
    qdup = quotes.duplicated(["observation_id", "source_id"], keep=False).to_numpy()
    for _, grp in quotes.loc[qdup].groupby(["observation_id", "source_id"], sort=False, observed=True):
        ids = tuple(grp["quote_id"].astype(object))
        msg = (
            f"observation {grp['observation_id'].iloc[0]} is quoted {len(ids)} times from {grp['source_id'].iloc[0]} "
            f"({list_ids(ids)}): one quote per statement and publication, the shortest excerpt"
        )
        for i in grp.index[1:]:
            out.append(Problem("statement-stored-once", ERROR, msg, "quotes", csv_row(i), "source_id", ids))
    return out


def _earlier_maxima(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the row of greatest lower bound among the rows of its group wholly before it (-1: none).

    Also returns, for each row, the row of greatest lower bound among the rows of
    its group with exactly the same span. Rows are compared by lower bound, an
    open one counting as greater; O(n log n), no pairs are formed.
    """
    n = len(d)
    group = d["_group"].to_numpy(dtype=np.int64)
    start = d["_start"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    end = d["_end"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    # a bound that could not be computed (a qualifier the typer could not read) ranks lowest: NaN is no dict key
    lows = np.nan_to_num(d["lower"].to_numpy(dtype=float), nan=-np.inf)
    strength = pd.DataFrame({"l": lows, "o": d["lower_open"].to_numpy(dtype=bool)})
    pairs = sorted(set(zip(strength["l"], strength["o"], strict=True)))
    code = {pair: i for i, pair in enumerate(pairs)}
    rank = np.array([code[x] for x in zip(strength["l"], strength["o"], strict=True)], dtype=np.int64)
    span = max(int(end.max() - min(start.min(), end.min())) + 2, 1) if n else 1
    base = min(int(start.min()), int(end.min())) if n else 0
    order = np.lexsort((end, group))
    keys = group[order] * span + (end[order] - base)
    score = group[order] * (len(pairs) + 1) + rank[order]
    best = np.maximum.accumulate(score)
    at = np.maximum.accumulate(np.where(score == best, np.arange(n), 0))
    pos = np.searchsorted(keys, group * span + (start - base), side="left") - 1
    ok = (pos >= 0) & (group[order][np.clip(pos, 0, None)] == group)
    earlier = np.where(ok, order[at[np.clip(pos, 0, None)]], -1)
    same_key = pd.DataFrame({"g": group, "s": start, "e": end, "r": rank})
    top = same_key.groupby(["g", "s", "e"], observed=True)["r"].transform("idxmax").to_numpy()
    return earlier, top


@rule("cumulative-never-shrinks", needs=("observations", "indicators"))
def rule_cumulative(ctx: Context) -> list[Problem]:
    """A cumulative indicator never shrinks from one statement to a later one, whatever the dates' precision.

    Each statement's ``as_of`` covers a span (a year, a month or a day). A
    statement is compared with the statements whose span lies wholly before its
    own and with those of the same span (two figures of one day, or one month,
    hold at the same time): its interval must not lie wholly below theirs.
    Spans that overlap without being equal cannot be ordered and are not compared.
    """
    obs, ind = ctx.statements, ctx["indicators"]
    cum = set(ind.loc[ind["cumulative"].fillna(False).astype(bool), "indicator_id"])
    c = add_bounds(obs.loc[obs["indicator_id"].isin(cum)])
    if not len(c):
        return []
    start, end = ctx.as_of_bounds("observations")
    c["_start"], c["_end"] = start.loc[c.index], end.loc[c.index]
    c["row_index"] = c.index  # kept through reset_index: its CSV row is csv_row of it
    key = ["indicator_id", "area_id", "period_start", "period_end"]
    out: list[Problem] = []
    sizes = c.groupby(key, dropna=False, observed=True)["observation_id"].transform("size")
    multi = c.loc[sizes > 1]
    for _, r in multi.loc[multi["_start"].isna()].iterrows():
        msg = (
            f"observation {r.observation_id} of cumulative {r.indicator_id} has no as_of, so it cannot be ordered "
            f"against the other statements of {r.area_id}"
        )
        row = csv_row(r["row_index"])
        out.append(Problem("cumulative-never-shrinks", WARNING, msg, "observations", row, "as_of", (r.observation_id,)))
    d = multi.loc[multi["_start"].notna()].reset_index(drop=True)
    if not len(d):
        return out
    d["_group"] = d.groupby(key, dropna=False, sort=False, observed=True).ngroup()
    earlier, same = _earlier_maxima(d)
    approx = is_approximate(d["qualifier"])
    lower, lopen = d["lower"].to_numpy(dtype=float), d["lower_open"].to_numpy(dtype=bool)
    upper, uopen = d["upper"].to_numpy(dtype=float), d["upper_open"].to_numpy(dtype=bool)
    found = np.full(len(d), -1)
    whens = np.empty(len(d), dtype=object)
    for cand, when in ((same, "at the same time as"), (earlier, "after")):  # the earlier one wins
        c_ = np.clip(cand, 0, None)
        hit = (cand >= 0) & (cand != np.arange(len(d))) & certainly_above(lower[c_], lopen[c_], upper, uopen)
        found = np.where(hit, cand, found)
        whens[hit] = when
    for j in np.flatnonzero(found >= 0):
        r, p = d.iloc[j], d.iloc[found[j]]
        msg = (
            f"cumulative {r.indicator_id} for {r.area_id} is {fmt_number(r.value)} ({r.qualifier}, "
            f"{r.observation_id}, as_of {r.as_of}) {whens[j]} {fmt_number(p.value)} ({p.qualifier}, "
            f"{p.observation_id}, as_of {p.as_of}): a running total cannot shrink"
        )
        sev = str(severity(bool(approx[j]), bool(approx[found[j]])))
        ids = (str(p.observation_id), str(r.observation_id))
        out.append(Problem("cumulative-never-shrinks", sev, msg, "observations", csv_row(r["row_index"]), "value", ids))
    return out
