"""The labelled table: every figure with its labels attached, no join needed.

A bare observation row says ``foreign-pows-held, all, 100, more_than`` — ids a
reader must join against three other tables before the number means anything.
`figures` does that join once, the way Our World in Data ships every value with
its indicator's title, unit and source: each row carries the indicator's name
and unit, the area's name and kind, the source's publisher, title and date, and
the interval the qualifier allows (``lower``, ``upper``, from `powdata.intervals`).

The frame's ``attrs`` carry the package's title, version, licence and citation,
so a figure copied out of it can still say where it came from. The same table is
the ``figures`` view of the SQLite export and ``powdata show figures``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata.errors import PowdataError
from powdata.intervals import add_bounds
from powdata.loader import BACKENDS, to_polars
from powdata.package import Package, open_package

if TYPE_CHECKING:
    pass

NAME = "figures"

#: Output columns, in order: (column, where it comes from). Labels are never missing.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("observation_id", "observations.observation_id"),
    ("indicator_id", "observations.indicator_id"),
    ("indicator", "indicators.name"),
    ("unit", "indicators.unit"),
    ("area_id", "observations.area_id"),
    ("area", "areas.name"),
    ("area_kind", "areas.kind"),
    ("period_start", "observations.period_start"),
    ("period_end", "observations.period_end"),
    ("as_of", "observations.as_of"),
    ("value", "observations.value"),
    ("qualifier", "observations.qualifier"),
    ("lower", "computed: lowest value the qualifier allows"),
    ("upper", "computed: highest value the qualifier allows (inf when open-ended)"),
    ("lower_open", "computed: lower bound excluded ('more than')"),
    ("upper_open", "computed: upper bound excluded ('fewer than')"),
    ("part_of", "observations.part_of"),
    ("source_id", "observations.source_id"),
    ("source_publisher", "sources.publisher"),
    ("source_title", "sources.title"),
    ("source_published", "sources.published"),
    ("source_language", "sources.language (BCP 47; empty for a package older than 0.2.0)"),
    ("excerpt", "observations.excerpt"),
    ("note", "observations.note"),
)
LABELS = ("indicator", "unit", "area", "area_kind", "source_publisher", "source_title")
DATE_COLUMNS = ("period_start", "period_end", "source_published")


def package_attrs(pkg: Package) -> dict[str, Any]:
    """Return the metadata a frame carries in ``DataFrame.attrs``: title, version, licence, citation.

    ``licence`` is the data licence (the descriptor's first); ``licenses`` lists all of them.
    Use `Package.attrs`, which computes this once per opened package.
    """
    from powdata.release.citation import cite

    desc = pkg.descriptor
    licenses = [dict(lic) for lic in desc.get("licenses", [])]
    return {
        "name": desc.get("name", ""),
        "title": desc.get("title", ""),
        "version": desc.get("version", ""),
        "licence": licenses[0].get("name", "") if licenses else "",
        "licenses": licenses,
        "citation": cite("text", path=pkg).strip(),
    }


def figures(
    *,
    as_of: str | dt.date | None = None,
    backend: str = "pandas",
    path: str | Path | Package | None = None,
) -> Any:
    """Return every figure with its indicator, unit, area, source and interval bounds.

    Parameters
    ----------
    as_of : str or datetime.date, optional
        Only figures whose source had been published by then (as in `load`).
    backend : {"pandas", "polars"}
        ``"polars"`` needs the ``polars`` extra; dates become ``pl.Date``.
    path : str or Path, optional
        Another data package (a ``datapackage.json`` or its folder); default: the installed one.

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        One row per observation, columns `COLUMNS`; ``attrs`` (pandas) hold the
        package's title, version, licence and citation.

    Examples
    --------
    >>> import powdata
    >>> f = powdata.figures()
    >>> row = f.loc[f.observation_id == "foreign-pows-held-2025-08-14"].iloc[0]
    >>> (row.indicator, row.unit, row.area, row.value, row.qualifier, row.lower_open)
    ('Foreign prisoners of war held by Ukraine', 'persons', 'All', 100.0, 'more_than', True)
    """
    import pandas as pd

    if backend not in BACKENDS:
        msg = f"backend={backend!r}: expected one of {', '.join(BACKENDS)}"
        raise PowdataError(msg)
    pkg = open_package(path)
    obs = add_bounds(pkg.load("observations", as_of=as_of))
    indicators = pkg.frame("indicators")[["indicator_id", "name", "unit"]]
    areas = pkg.frame("areas")[["area_id", "name", "kind"]]
    sources = pkg.frame("sources")
    if "language" not in sources:  # packages older than 0.2.0 do not say
        sources["language"] = pd.array([pd.NA] * len(sources), dtype="string")
    sources = sources[["source_id", "publisher", "title", "published", "language"]]
    out = (
        obs.merge(indicators.rename(columns={"name": "indicator"}), on="indicator_id", how="left", validate="m:1")
        .merge(areas.rename(columns={"name": "area", "kind": "area_kind"}), on="area_id", how="left", validate="m:1")
        .merge(
            sources.rename(
                columns={
                    "publisher": "source_publisher",
                    "title": "source_title",
                    "published": "source_published",
                    "language": "source_language",
                }
            ),
            on="source_id",
            how="left",
            validate="m:1",
        )
    )
    out = out[[name for name, _ in COLUMNS]]
    missing = [c for c in LABELS if out[c].isna().any()]
    if missing:  # a dangling foreign key: validate names the row; here, say where to look
        msg = f"figures: no label for {', '.join(missing)} on some rows; run `powdata validate` for the foreign key"
        raise PowdataError(msg)
    if backend == "polars":
        return to_polars(out, dates=DATE_COLUMNS)
    out.attrs = pkg.attrs()
    return out


__all__ = ["COLUMNS", "LABELS", "figures", "package_attrs"]
