"""Ready-made views of the data, so users need not write joins.

Each view carries the qualifier, the interval bounds (``lower``, ``upper``) and
the source of every figure. Nothing a view computes is stored in the package.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata._vintages import published_on, quoted_languages, reduced_date_bounds, text_roots
from powdata.errors import ArgumentError
from powdata.intervals import Interval, add_bounds
from powdata.package import Package, open_package

if TYPE_CHECKING:
    import pandas as pd

SHARE = "foreign-share-of-pows-taken"
LISTED = "foreign-fighters-listed"
POWS = "foreign-pows-held"


def _with_attrs(df: pd.DataFrame, pkg: Package) -> pd.DataFrame:
    """Attach the package's title, version, licence and citation to a view's frame (as `load` does)."""
    df.attrs.update(pkg.attrs())
    return df


def _observations(as_of: Any, pkg: Package) -> pd.DataFrame:
    obs = pkg.load("observations", as_of=as_of)
    sources = pkg.frame("sources")[["source_id", "publisher"]].rename(columns={"publisher": "source"})
    return add_bounds(obs).merge(sources, on="source_id", how="left")


def foreign_share_by_year(
    *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None
) -> pd.DataFrame:
    """Return the foreign share of prisoners of war taken, one row per period.

    Examples
    --------
    >>> import powdata
    >>> powdata.foreign_share_by_year()[["period_start", "value"]].iloc[0].tolist()[1]
    1.0
    """
    pkg = open_package(path)
    obs = _observations(as_of, pkg)
    cols = ["period_start", "period_end", "as_of", "value", "qualifier", "lower", "upper", "source_id", "source"]
    cols += ["observation_id", "excerpt", "note"]
    out = obs.loc[obs["indicator_id"] == SHARE, cols]
    return _with_attrs(out.sort_values(["period_start", "as_of"]).reset_index(drop=True), pkg)


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

    obs = _observations(as_of, pkg)
    areas = pkg.frame("areas")[["area_id", "name"]].rename(columns={"name": "area_name"})
    listed = obs.loc[obs["indicator_id"] == LISTED].merge(areas, on="area_id", how="left")
    rows: list[dict[str, Any]] = []
    cols = ["observation_id", "area_id", "area_name", "as_of", "value", "qualifier", "lower", "upper"]
    cols += ["source_id", "source", "excerpt", "note"]
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
                    "source_id": whole["source_id"],
                    "source": whole["source"],
                    "excerpt": pd.NA,
                    "note": f"Computed by powdata: the total {whole['observation_id']} minus its parts; never stated.",
                    "role": "not attributed",
                    "computed": True,
                }
            )
    out = pd.DataFrame(rows, columns=[*cols, "role", "computed"])
    out["value"] = out["value"].astype("Float64")
    return _with_attrs(out, pkg)


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
    obs = _observations(as_of, pkg)
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
    cols = ["area_id", "how", "rank", "qualifier", "lower", "upper", "as_of", "source_id", "excerpt", "note"]
    out = pd.concat([ranked[cols], mentions[cols]], ignore_index=True).merge(areas, on="area_id", how="left")
    out = out[["area_id", "area_name", "kind", *cols[1:]]]
    out["qualifier"] = out["qualifier"].astype("string")
    out[["lower", "upper"]] = out[["lower", "upper"]].astype("Float64")
    out["how"] = pd.Categorical(out["how"], categories=["ranked", "mentioned"], ordered=True)
    return _with_attrs(out.sort_values(["how", "rank", "area_name"], na_position="last").reset_index(drop=True), pkg)


def series(
    indicator_id: str,
    area_id: str = "all",
    *,
    as_of: str | dt.date | None = None,
    path: str | Path | Package | None = None,
) -> pd.DataFrame:
    """Return every vintage of one indicator for one area, oldest first: a series to plot.

    One row per observation, ordered by the first day its ``as_of`` covers
    (``as_of_start``; a month or a year keeps its precision in ``as_of``), then by
    its last day and by publication. Each row keeps its value, qualifier and
    interval bounds (``lower``/``upper``, with ``lower_open``/``upper_open``), who
    stated it (``source_id``, ``source``), the publication it is quoted from
    (``quoted_in``, ``quoted_in_publisher``, ``language``) and its verbatim excerpt.
    Different reports of one date are all kept, never averaged or picked.

    Examples
    --------
    >>> import powdata
    >>> s = powdata.series("foreign-fighters-listed")
    >>> s[["as_of", "value", "qualifier"]].iloc[:2].values.tolist()
    [['2025-08-14', 16894.0, 'exact'], ['2025-11-19', 18000.0, 'more_than']]
    """
    pkg = open_package(path)
    from powdata.errors import UnknownResourceError

    indicators = pkg.frame("indicators")
    if indicator_id not in set(indicators["indicator_id"]):
        names = ", ".join(sorted(indicators["indicator_id"]))
        msg = f"{indicator_id!r} is not an indicator_id; expected one of: {names}"
        raise UnknownResourceError(msg)
    obs = _observations(as_of, pkg)
    obs = obs.loc[(obs["indicator_id"] == indicator_id) & (obs["area_id"] == area_id)].copy()
    sources = pkg.frame("sources")
    roots = text_roots(sources)
    publisher = dict(zip(sources["source_id"], sources["publisher"].astype(object), strict=True))
    obs["quoted_in"] = obs["source_id"].astype(object).map(roots).astype("string")
    obs["quoted_in_publisher"] = obs["quoted_in"].astype(object).map(publisher).astype("string")
    obs["language"] = obs["source_id"].astype(object).map(quoted_languages(sources)).astype("string")
    obs["published"] = published_on(obs, sources)
    obs["as_of_start"], obs["as_of_end"] = reduced_date_bounds(obs["as_of"])
    obs = obs.sort_values(["as_of_start", "as_of_end", "published", "observation_id"], kind="stable")
    cols = ["observation_id", "indicator_id", "area_id", "period_start", "period_end", "as_of", "as_of_start"]
    cols += ["as_of_end", "value", "qualifier", "lower", "upper", "lower_open", "upper_open", "part_of", "source_id"]
    cols += ["source", "quoted_in", "quoted_in_publisher", "published", "language", "excerpt", "note"]
    return _with_attrs(obs[cols].reset_index(drop=True), pkg)


def latest(
    name: str = "observations", *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None
) -> Any:
    """Return the latest vintage of each figure: one row per indicator, area and period.

    Vintages are ordered by the publication date of their source chain, then by
    ``as_of``; an undated row counts as older than any dated one.
    """
    pkg = open_package(path)
    df = pkg.load(name, as_of=as_of)
    if "source_id" not in df.columns or "indicator_id" not in df.columns:
        msg = f"latest({name!r}): expected a resource with indicator_id and source_id (observations or mentions)"
        raise ArgumentError(msg)
    df = df.assign(_published=published_on(df, pkg.frame("sources")))
    keys = [c for c in ("indicator_id", "area_id", "period_start", "period_end") if c in df.columns]
    df = df.sort_values(["_published", "as_of"], na_position="first", kind="stable")
    out = df.groupby(keys, dropna=False, sort=False).tail(1).drop(columns="_published")
    return _with_attrs(out.sort_index().reset_index(drop=True), pkg)


__all__ = ["foreign_share_by_year", "latest", "listed_fighters_by_group", "pow_nationalities", "series"]
