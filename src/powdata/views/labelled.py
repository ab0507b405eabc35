"""The labelled tables: every figure (`figures`) and every statement (`statements`) with its labels attached.

A bare observation row says ``foreign-pows-held, all, 100, more_than`` — ids a
reader must join against four other tables before the number means anything.
`figures` does that join once, the way Our World in Data ships every value with
its indicator's title, unit and source: each row carries the indicator's name,
unit and scope, the area's name and kind, who stated it, every publication that
quotes it (``publications``, their earliest date and languages, the first
excerpt), and the interval the words allow (``lower``, ``upper``, from
`powdata.intervals`).

`statements` is the same table with one row per statement: a variant (a
publication's different wording of another row's statement, ``variant_of``)
is folded into the statement it words, whose publications it adds to. Every
other view (`powdata.views.topics`, `powdata.views.timeline`) counts
statements, so both tables live here, below them.

The frame's ``attrs`` carry the package's title, version, licence and citation
(`Package.attrs`; a view attaches them with `with_attrs`), so a figure copied
out of it can still say where it came from. The figures table is also the
``figures`` view of the SQLite export and ``powdata show figures``.
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
    import pandas as pd

NAME = "figures"

#: Output columns, in order: (column, where it comes from). Labels are never missing.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("observation_id", "observations.observation_id"),
    ("indicator_id", "observations.indicator_id"),
    ("indicator", "indicators.name"),
    ("unit", "indicators.unit"),
    ("in_scope", "indicators.in_scope (README, 'Scope')"),
    ("area_id", "observations.area_id"),
    ("area", "areas.name"),
    ("area_kind", "areas.kind"),
    ("period_start", "observations.period_start"),
    ("period_end", "observations.period_end"),
    ("as_of", "observations.as_of"),
    ("as_of_basis", "observations.as_of_basis"),
    ("value", "observations.value"),
    ("value_max", "observations.value_max"),
    ("qualifier", "observations.qualifier"),
    ("lower", "computed: lowest value the words allow"),
    ("upper", "computed: highest value the words allow (inf when open-ended)"),
    ("lower_open", "computed: lower bound excluded ('more than')"),
    ("upper_open", "computed: upper bound excluded ('fewer than')"),
    ("part_of", "observations.part_of"),
    ("variant_of", "observations.variant_of (a publication's different wording of another row's statement)"),
    ("stated_by", "observations.stated_by"),
    ("stated_by_publisher", "sources.publisher of stated_by"),
    ("stated_by_title", "sources.title of stated_by"),
    ("publications", "quotes.source_id of every quote of the figure, in quote order, joined by '; '"),
    ("first_published", "the earliest sources.published among those publications"),
    ("languages", "sources.language of those publications, each once, joined by '; '"),
    ("excerpt", "quotes.excerpt of the figure's first quote"),
    ("reading", "observations.reading"),
    ("note", "observations.note"),
)
LABELS = ("indicator", "unit", "area", "area_kind", "stated_by_publisher", "stated_by_title")
DATE_COLUMNS = ("period_start", "period_end", "first_published")


def quoted_in(quotes: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Per observation_id: its publications, their earliest date, their languages and the first excerpt.

    One row per observation that has a quote, in quote order; the same columns
    the SQLite ``figures`` view computes with subqueries.
    """
    import pandas as pd

    src = sources[["source_id", "published"]].copy()
    src["language"] = sources["language"] if "language" in sources else pd.array([pd.NA] * len(src), dtype="string")
    q = quotes[["observation_id", "source_id", "excerpt"]].merge(src, on="source_id", how="left", sort=False)
    q["observation_id"] = q["observation_id"].astype(object)

    def joined(values: pd.Series) -> Any:
        seen = list(dict.fromkeys(str(v) for v in values if not pd.isna(v)))
        return "; ".join(seen) if seen else pd.NA

    g = q.groupby("observation_id", sort=False, observed=True)
    out = pd.DataFrame(
        {
            "publications": g["source_id"].agg(joined),
            "first_published": g["published"].min(),
            "languages": g["language"].agg(joined),
            "excerpt": g["excerpt"].first(),
        }
    )
    for col in ("publications", "languages", "excerpt"):
        out[col] = out[col].astype("string")
    return out.reset_index()


def with_attrs(df: pd.DataFrame, pkg: Package) -> pd.DataFrame:
    """Attach the package's title, version, licence and citation to a view's frame (as `load` does)."""
    df.attrs.update(pkg.attrs())
    return df


def _cutoff(as_of: str | dt.date | None) -> dt.date | None:
    """``as_of`` as the date a view is cached under (a string and its date are one view)."""
    from powdata._schema import parse_date

    return None if as_of is None else parse_date(as_of, "as_of=")


def _figures(pkg: Package, cutoff: dt.date | None) -> pd.DataFrame:
    """The joins behind `figures`, run once per package and cutoff (`Package.view`), with the package's attrs."""
    obs = add_bounds(pkg.load("observations", as_of=cutoff))
    indicators = pkg.frame("indicators")[["indicator_id", "name", "unit", "in_scope"]]
    areas = pkg.frame("areas")[["area_id", "name", "kind"]]
    sources = pkg.frame("sources")
    quotes = pkg.frame("quotes")
    stater = sources[["source_id", "publisher", "title"]].rename(
        columns={"source_id": "stated_by", "publisher": "stated_by_publisher", "title": "stated_by_title"}
    )
    out = (
        obs.merge(indicators.rename(columns={"name": "indicator"}), on="indicator_id", how="left", validate="m:1")
        .merge(areas.rename(columns={"name": "area", "kind": "area_kind"}), on="area_id", how="left", validate="m:1")
        .merge(stater, on="stated_by", how="left", validate="m:1")
    )
    out["observation_id"] = out["observation_id"].astype(object)
    out = out.merge(quoted_in(quotes, sources), on="observation_id", how="left", validate="1:1")
    out["observation_id"] = out["observation_id"].astype("string")
    out = out[[name for name, _ in COLUMNS]]
    missing = [c for c in LABELS if out[c].isna().any()]
    if missing:  # a dangling foreign key: validate names the row; here, say where to look
        msg = f"figures: no label for {', '.join(missing)} on some rows; run `powdata validate` for the foreign key"
        raise PowdataError(msg)
    return with_attrs(out, pkg)


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
        One row per observation (a statement's figure, or a publication's
        different wording of it: ``variant_of``), columns `COLUMNS`, with every
        publication that quotes it; ``attrs`` (pandas) hold the package's
        title, version, licence and citation.

    Examples
    --------
    >>> import powdata
    >>> f = powdata.figures()
    >>> row = f.loc[f.observation_id == "foreign-pows-held-2025-08-14"].iloc[0]
    >>> (row.indicator, row.unit, row.area, float(row.value), row.qualifier, bool(row.lower_open))
    ('Foreign prisoners of war held by Ukraine', 'persons', 'All', 100.0, 'more_than', True)
    >>> f.loc[f.observation_id == "foreign-pows-held-2025-12-03", "publications"].item()
    'novyny-live-2025-12-03; ukrinform-de-2025-12'
    """

    if backend not in BACKENDS:
        msg = f"backend={backend!r}: expected one of {', '.join(BACKENDS)}"
        raise PowdataError(msg)
    pkg = open_package(path)
    cutoff = _cutoff(as_of)  # parsed once: the cache key, and the filter
    out = pkg.view(("figures", cutoff), lambda: _figures(pkg, cutoff))
    return to_polars(out, dates=DATE_COLUMNS) if backend == "polars" else out


def statements(*, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> pd.DataFrame:
    """Return one row per statement: `figures` without the variants, each listing every publication.

    A variant (a publication's different wording of a statement, ``variant_of``)
    is not a statement of its own: its publications are added to its
    statement's ``publications``, and its id to ``variants``.
    """
    pkg = open_package(path)
    cutoff = _cutoff(as_of)
    return pkg.view(("statements", cutoff), lambda: _statements(pkg, cutoff))


def _statements(pkg: Package, cutoff: dt.date | None) -> pd.DataFrame:
    """The folding behind `statements`, run once per package and cutoff (`Package.view`)."""
    import pandas as pd

    f = figures(as_of=cutoff, path=pkg)
    is_variant = f["variant_of"].notna().to_numpy()
    main, var = f.loc[~is_variant].copy(), f.loc[is_variant]
    main["variants"] = pd.array([pd.NA] * len(main), dtype="string")
    if len(var):
        oid = main["observation_id"].astype(object)
        g = var.assign(variant_of=var["variant_of"].astype(object)).groupby("variant_of", sort=False, observed=True)
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


__all__ = ["COLUMNS", "LABELS", "figures", "statements", "with_attrs"]
