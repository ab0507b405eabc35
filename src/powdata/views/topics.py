"""The topic views: the package's three questions, each answered as one table.

The foreign share of all prisoners by period (`foreign_share_by_year`), the I
Want to Live list by group with the part no group accounts for
(`listed_fighters_by_group`), and the nationalities of foreign prisoners of war
(`pow_nationalities`). Each is tied to its indicators (the ids below), so they
live apart from the views that serve any indicator (`powdata.views.timeline`).
Each counts statements (`powdata.views.labelled.statements`) and carries the
qualifier, the interval bounds (``lower``, ``upper``) and who stated the figure.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata.intervals import Interval
from powdata.package import Package, open_package
from powdata.views.labelled import statements, with_attrs

if TYPE_CHECKING:
    import pandas as pd

SHARE = "foreign-share-of-pows-by-period"
LISTED = "foreign-fighters-listed"
POWS = "foreign-pows-held"


def foreign_share_by_year(
    *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None
) -> pd.DataFrame:
    """Return the foreign share of all prisoners in Ukraine by period (foreign-share-of-pows-by-period).

    One row per statement, with powdata's ``reading`` of it (a reading no text states).

    Examples
    --------
    >>> import powdata
    >>> powdata.foreign_share_by_year()["value"].tolist()
    [1.0, 9.0, 42.0, 49.0]
    """
    pkg = open_package(path)
    obs = statements(as_of=as_of, path=pkg)
    cols = ["period_start", "period_end", "as_of", "value", "qualifier", "lower", "upper", "stated_by"]
    cols += ["stated_by_publisher", "publications", "observation_id", "excerpt", "reading", "note"]
    out = obs.loc[obs["indicator_id"] == SHARE, cols]
    return with_attrs(out.sort_values(["period_start", "as_of"]).reset_index(drop=True), pkg)


def listed_fighters_by_group(
    *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None
) -> pd.DataFrame:
    """Return the I Want to Live list by group, with the part no group accounts for.

    For each total of the list, its subtotals (observations of the same indicator
    whose ``part_of`` is the total) follow, then one computed row,
    ``area_id == "not-attributed"``, whose interval is the total minus the sum of
    the subtotals — 1,262 in release 0.1.0. Computed rows have ``computed`` True
    and no excerpt: the source never states them.
    """
    pkg = open_package(path)
    import pandas as pd

    obs = statements(as_of=as_of, path=pkg)
    listed = obs.loc[obs["indicator_id"] == LISTED].rename(columns={"area": "area_name"})
    rows: list[dict[str, Any]] = []
    cols = ["observation_id", "area_id", "area_name", "as_of", "value", "qualifier", "lower", "upper"]
    cols += ["stated_by", "stated_by_publisher", "publications", "excerpt", "note"]
    for _, whole in listed.loc[listed["part_of"].isna()].iterrows():
        rows.append({**{c: whole[c] for c in cols}, "role": "total", "computed": False})
        parts = listed.loc[listed["part_of"] == whole["observation_id"]]
        for _, part in parts.iterrows():
            rows.append({**{c: part[c] for c in cols}, "role": "part", "computed": False})
        if len(parts):
            total = Interval(whole["lower"], whole["upper"], bool(whole["lower_open"]), bool(whole["upper_open"]))
            summed = Interval(parts["lower"].sum(), parts["upper"].sum())
            # what no group accounts for: the total's interval minus the parts' (never below zero)
            rest = Interval(max(total.lower - summed.upper, 0.0), total.upper - summed.lower)
            rows.append(
                {
                    "observation_id": pd.NA,
                    "area_id": "not-attributed",
                    "area_name": "Not attributed to any group (computed)",
                    "as_of": whole["as_of"],
                    "value": rest.lower if rest.lower == rest.upper else pd.NA,
                    "qualifier": "exact" if rest.lower == rest.upper else pd.NA,
                    "lower": rest.lower,
                    "upper": rest.upper,
                    "stated_by": whole["stated_by"],
                    "stated_by_publisher": whole["stated_by_publisher"],
                    "publications": pd.NA,
                    "excerpt": pd.NA,
                    "note": f"Computed by powdata: the total {whole['observation_id']} minus its parts; never stated.",
                    "role": "not attributed",
                    "computed": True,
                }
            )
    out = pd.DataFrame(rows, columns=[*cols, "role", "computed"])
    out["value"] = out["value"].astype("Float64")
    return with_attrs(out, pkg)


def pow_nationalities(*, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> pd.DataFrame:
    """Return the nationalities of foreign prisoners of war: ranked first, then mentioned.

    Ranked countries come from the observations of a rank indicator about
    foreign POWs; mentioned ones from the mentions (named, with no number and no
    rank — their order in the source is not a ranking).
    """
    pkg = open_package(path)
    import pandas as pd

    indicators = pkg.frame("indicators")
    rank_ids = indicators.loc[
        (indicators["unit"] == "rank") & (indicators["about_indicator_id"] == POWS), "indicator_id"
    ].tolist()
    obs = statements(as_of=as_of, path=pkg).drop(columns=["area", "area_kind"])
    areas = pkg.frame("areas")[["area_id", "name", "kind"]].rename(columns={"name": "area_name"})
    ranked = obs.loc[obs["indicator_id"].isin(rank_ids)].copy()
    ranked["how"] = "ranked"
    ranked["rank"] = ranked["value"].astype("Int64")
    mentions = pkg.load("mentions", as_of=as_of)
    mentions = mentions.loc[mentions["indicator_id"] == POWS].copy()
    mentions["how"] = "mentioned"
    mentions["rank"] = pd.array([pd.NA] * len(mentions), dtype="Int64")
    # a mention states no number, so it has no qualifier and no bounds
    mentions["qualifier"] = pd.array([pd.NA] * len(mentions), dtype="string")
    mentions[["lower", "upper"]] = pd.DataFrame(
        {
            "lower": pd.array([pd.NA] * len(mentions), dtype="Float64"),
            "upper": pd.array([pd.NA] * len(mentions), dtype="Float64"),
        },
        index=mentions.index,
    )
    ranked["qualifier"] = ranked["qualifier"].astype("string")
    ranked[["lower", "upper"]] = ranked[["lower", "upper"]].astype("Float64")
    mentions = mentions.rename(columns={"quoted_in": "publications"})
    cols = ["area_id", "how", "rank", "qualifier", "lower", "upper", "as_of", "stated_by", "publications", "excerpt"]
    cols += ["note"]
    out = pd.concat([ranked[cols], mentions[cols]], ignore_index=True).merge(areas, on="area_id", how="left")
    out = out[["area_id", "area_name", "kind", *cols[1:]]]
    out["qualifier"] = out["qualifier"].astype("string")
    out[["lower", "upper"]] = out[["lower", "upper"]].astype("Float64")
    out["how"] = pd.Categorical(out["how"], categories=["ranked", "mentioned"], ordered=True)
    return with_attrs(out.sort_values(["how", "rank", "area_name"], na_position="last").reset_index(drop=True), pkg)


__all__ = ["foreign_share_by_year", "listed_fighters_by_group", "pow_nationalities"]
