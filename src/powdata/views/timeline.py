"""A figure over time: every statement of one indicator in order (`series`), the latest of each (`latest`).

Both order statements by the days their ``as_of`` covers (a month or a year
keeps its precision) and then by when a publication first showed them
(`powdata._vintages`); they serve any indicator, where the topic views
(`powdata.views.topics`) serve one question each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata._vintages import first_known, reduced_date_bounds
from powdata.errors import ArgumentError
from powdata.package import Package, open_package
from powdata.views.labelled import statements, with_attrs

if TYPE_CHECKING:
    import pandas as pd


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
    return with_attrs(obs[cols].reset_index(drop=True), pkg)


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
    last = df.groupby(keys, dropna=False, sort=False, observed=True).tail(1)
    out = last.drop(columns=["_start", "_end", "_published"])
    return with_attrs(out.sort_index().reset_index(drop=True), pkg)


__all__ = ["latest", "series"]
