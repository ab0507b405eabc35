"""Counting rules: unique ranks, countries named vs stated, one value per key, growing totals."""

from __future__ import annotations

import pandas as pd

from powdata._vintages import reduced_date_bounds
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
    obs, ind = ctx["observations"], ctx["indicators"]
    ranks = set(ind.loc[ind["unit"].astype(object) == "rank", "indicator_id"])
    r = obs.loc[obs["indicator_id"].isin(ranks)]
    key = ["indicator_id", "period_start", "period_end", "as_of", "source_id", "value"]
    dup = r.duplicated(key, keep=False)
    out = []
    for _, grp in r.loc[dup].groupby(key, dropna=False, sort=False):
        ids = tuple(grp["observation_id"])
        rank, indicator = fmt_number(grp["value"].iloc[0]), grp["indicator_id"].iloc[0]
        msg = f"rank {rank} of {indicator} is given to {len(ids)} areas: {list_ids(ids)}"
        for i in grp.index:
            out.append(Problem("ranks-unique", ERROR, msg, "observations", int(i) + 2, "value", ids))
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
        if certainly_above(n, False, r.upper, r.upper_open):
            sev = severity(is_approximate(str(r.qualifier)))
            msg = (
                f"{n} countries are named for {key[0]} (as_of {r.as_of}, source {r.source_id}) but observation "
                f"{r.observation_id} states {fmt_number(r.value)} ({r.qualifier})"
            )
            row = int(str(idx)) + 2
            out.append(Problem("named-within-stated", sev, msg, "observations", row, "value", (r.observation_id,)))
    return out


@rule("one-value-per-key")
def rule_one_value_per_key(ctx: Context) -> list[Problem]:
    """One value per indicator, area, period, as_of and source."""
    obs = ctx["observations"]
    dup = obs.duplicated(VALUE_KEY, keep=False).to_numpy()
    out = []
    for _, grp in obs.loc[dup].groupby(VALUE_KEY, dropna=False, sort=False):
        ids = tuple(grp["observation_id"].astype(object))
        msg = f"{len(ids)} values for one indicator, area, period, as_of and source: {list_ids(ids)}"
        for i in grp.index[1:]:
            out.append(Problem("one-value-per-key", ERROR, msg, "observations", int(i) + 2, "observation_id", ids))
    return out


@rule("cumulative-never-shrinks", needs=("observations", "indicators"))
def rule_cumulative(ctx: Context) -> list[Problem]:
    """A cumulative indicator never shrinks from one vintage to the next (on intervals)."""
    obs, ind = ctx["observations"], ctx["indicators"]
    cum = set(ind.loc[ind["cumulative"].fillna(False).astype(bool), "indicator_id"])
    c = add_bounds(obs.loc[obs["indicator_id"].isin(cum)])
    if not len(c):
        return []
    c["_start"], c["_end"] = reduced_date_bounds(c["as_of"])
    c["row_number"] = c.index + 2
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
            Problem(
                "cumulative-never-shrinks",
                WARNING,
                msg,
                "observations",
                int(r.row_number),
                "as_of",
                (r.observation_id,),
            )
        )
    dated = multi.loc[multi["_start"].notna()].sort_values([*key, "_end", "_start"], kind="stable")
    prev = dated.groupby(key, dropna=False).shift(1)
    ok_order = prev["_end"] < dated["_start"]  # strictly later vintage
    prev_open = prev["lower_open"].astype("boolean").fillna(False).astype(bool)
    shrink = certainly_above(prev["lower"], prev_open, dated["upper"], dated["upper_open"])
    sev_of = pd.Series(
        severity(is_approximate(dated["qualifier"]), is_approximate(prev["qualifier"])), index=dated.index
    )
    hits = (ok_order & shrink).fillna(False)
    for idx in dated.index[hits.to_numpy()]:
        r, p = dated.loc[idx], prev.loc[idx]
        sev = str(sev_of.loc[idx])
        msg = (
            f"cumulative {r.indicator_id} for {r.area_id} falls from {fmt_number(p.value)} ({p.qualifier}, "
            f"{p.observation_id}, as_of {p.as_of}) to {fmt_number(r.value)} ({r.qualifier}, {r.observation_id}, "
            f"as_of {r.as_of})"
        )
        out.append(
            Problem(
                "cumulative-never-shrinks",
                sev,
                msg,
                "observations",
                int(r.row_number),
                "value",
                (str(p.observation_id), str(r.observation_id)),
            )
        )
    return out
