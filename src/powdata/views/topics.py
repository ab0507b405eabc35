"""Ready-made views of the data, so users need not write joins.

Each view counts statements: one row per statement (an observation with no
``variant_of``), listing every publication that carries it, its variants'
included. Each carries the qualifier, the interval bounds (``lower``, ``upper``)
and who stated the figure. Nothing a view computes is stored in the package.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata._vintages import first_known, reduced_date_bounds
from powdata.errors import ArgumentError
from powdata.intervals import Interval
from powdata.package import Package, open_package
from powdata.views.labelled import figures

if TYPE_CHECKING:
    import pandas as pd

SHARE = "foreign-share-of-pows-by-period"
LISTED = "foreign-fighters-listed"
POWS = "foreign-pows-held"


def _with_attrs(df: pd.DataFrame, pkg: Package) -> pd.DataFrame:
    """Attach the package's title, version, licence and citation to a view's frame (as `load` does)."""
    df.attrs.update(pkg.attrs())
    return df


def statements(*, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> pd.DataFrame:
    """Return one row per statement: `figures` without the variants, each listing every publication.

    A variant (a publication's different wording of a statement, ``variant_of``)
    is not a statement of its own: its publications are added to its
    statement's ``publications``, and its id to ``variants``.
    """
    import pandas as pd

    f = figures(as_of=as_of, path=path)
    is_variant = f["variant_of"].notna().to_numpy()
    main, var = f.loc[~is_variant].copy(), f.loc[is_variant]
    main["variants"] = pd.array([pd.NA] * len(main), dtype="string")
    if len(var):
        oid = main["observation_id"].astype(object)
        g = var.assign(variant_of=var["variant_of"].astype(object)).groupby("variant_of", sort=False)
        for col in ("publications", "languages"):  # the statement's own first, then its variants', each once
            extra = oid.map(g[col].agg(lambda s: "; ".join(str(x) for x in s if not pd.isna(x))))
            merged = [
                "; ".join(dict.fromkeys(p for part in pair if isinstance(part, str) for p in part.split("; "))) or pd.NA
                for pair in zip(main[col].astype(object), extra, strict=True)
            ]
            main[col] = pd.array(merged, dtype="string")
        earliest = pd.to_datetime(oid.map(g["first_published"].min()))
        main["first_published"] = main["first_published"].where(
            main["first_published"].notna() & ~(earliest < main["first_published"]).to_numpy(), earliest.to_numpy()
        )
        main["variants"] = pd.array(oid.map(g["observation_id"].agg(lambda s: "; ".join(map(str, s)))), dtype="string")
    main.attrs = f.attrs
    return main.reset_index(drop=True)


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
    return _with_attrs(out.sort_values(["how", "rank", "area_name"], na_position="last").reset_index(drop=True), pkg)


def series(
    indicator_id: str,
    area_id: str = "all",
    *,
    as_of: str | dt.date | None = None,
    path: str | Path | Package | None = None,
) -> pd.DataFrame:
    """Return every statement of one indicator for one area, oldest first: a series to plot.

    One row per statement, ordered by the first day its ``as_of`` covers
    (``as_of_start``; a month or a year keeps its precision in ``as_of``), then by
    its last day and by its first publication. Each row keeps its value, qualifier
    and interval bounds (``lower``/``upper``, with ``lower_open``/``upper_open``),
    who stated it (``stated_by``, ``stated_by_publisher``), every publication that
    carries it (``publications``, its variants' included; ``first_published``,
    ``languages``), the first excerpt, its ``variants`` and powdata's ``reading``.
    Different statements of one date are all kept, never averaged or picked.

    Examples
    --------
    >>> import powdata
    >>> s = powdata.series("foreign-pows-held")
    >>> s[["as_of", "value", "qualifier"]].iloc[:2].values.tolist()
    [['2025-08-14', 100.0, 'more_than'], ['2025-11-25', 200.0, 'nearly']]
    >>> s.loc[s.as_of == "2025-12-03", "publications"].item()
    'novyny-live-2025-12-03; ukrinform-de-2025-12'
    """
    pkg = open_package(path)
    from powdata.errors import UnknownResourceError

    indicators = pkg.frame("indicators")
    if indicator_id not in set(indicators["indicator_id"]):
        names = ", ".join(sorted(indicators["indicator_id"]))
        msg = f"{indicator_id!r} is not an indicator_id; expected one of: {names}"
        raise UnknownResourceError(msg)
    obs = statements(as_of=as_of, path=pkg)
    obs = obs.loc[(obs["indicator_id"] == indicator_id) & (obs["area_id"] == area_id)].copy()
    obs["as_of_start"], obs["as_of_end"] = reduced_date_bounds(obs["as_of"])
    obs = obs.sort_values(["as_of_start", "as_of_end", "first_published", "observation_id"], kind="stable")
    cols = ["observation_id", "indicator_id", "area_id", "period_start", "period_end", "as_of", "as_of_basis"]
    cols += ["as_of_start", "as_of_end", "value", "value_max", "qualifier", "lower", "upper", "lower_open"]
    cols += ["upper_open", "part_of", "stated_by", "stated_by_publisher", "publications", "first_published"]
    cols += ["languages", "excerpt", "variants", "reading", "note"]
    return _with_attrs(obs[cols].reset_index(drop=True), pkg)


def latest(
    name: str = "observations", *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None
) -> Any:
    """Return the latest statement of each figure: one row per indicator, area and period.

    Statements are ordered by the first and last day their ``as_of`` covers, then
    by the earliest publication that shows them (`powdata._vintages.first_known`);
    an undated row counts as older than any dated one. A variant (``variant_of``)
    is never the latest: it words another row's statement.
    """
    pkg = open_package(path)
    df = pkg.load(name, as_of=as_of)
    if name not in ("observations", "mentions") or "indicator_id" not in df.columns:
        msg = f"latest({name!r}): expected observations or mentions"
        raise ArgumentError(msg)
    if "variant_of" in df.columns:
        df = df.loc[df["variant_of"].isna().to_numpy()]
    start, end = reduced_date_bounds(df["as_of"])
    df = df.assign(_start=start, _end=end, _published=first_known(name, df, pkg.frame))
    keys = [c for c in ("indicator_id", "area_id", "period_start", "period_end") if c in df.columns]
    df = df.sort_values(["_start", "_end", "_published"], na_position="first", kind="stable")
    out = df.groupby(keys, dropna=False, sort=False).tail(1).drop(columns=["_start", "_end", "_published"])
    return _with_attrs(out.sort_index().reset_index(drop=True), pkg)


__all__ = ["foreign_share_by_year", "latest", "listed_fighters_by_group", "pow_nationalities", "series", "statements"]
