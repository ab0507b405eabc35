"""When and where each figure was stated: reduced-precision dates, via chains and publication dates.

Shared by ``load(as_of=...)``, the views and the rules, so the point-in-time
filter, ``series`` and the ``as-of-after-published`` and excerpt rules agree on
what "published" and "quoted in" mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from powdata._schema import DATETIME_DTYPE

if TYPE_CHECKING:
    import pandas as pd


def reduced_date_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return the first and last day of each ISO 8601 reduced-precision date (YYYY, YYYY-MM, YYYY-MM-DD).

    Parsed once per distinct value: a column of a million rows holds few dates.
    """
    import pandas as pd

    codes, uniques = pd.factorize(values)
    start_u, end_u = _date_bounds(pd.Series(uniques, dtype="string"))
    start = pd.api.extensions.take(start_u.array, codes, allow_fill=True)
    end = pd.api.extensions.take(end_u.array, codes, allow_fill=True)
    return pd.Series(start, index=values.index), pd.Series(end, index=values.index)


def _date_bounds(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    import pandas as pd

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
    return start.astype(DATETIME_DTYPE), end.astype(DATETIME_DTYPE)


def via_walk(sources: pd.DataFrame) -> Any:
    """Walk every ``via`` chain of ``sources`` once (`powdata._chains.walk`): linear, whatever loops it holds."""
    from powdata._chains import chain_map, walk

    return walk(
        chain_map(zip(sources["source_id"].astype(object), sources["via_source_id"].astype(object), strict=True))
    )


def text_roots(sources: pd.DataFrame) -> dict[str, str]:
    """Map each source_id to the publication its figures are quoted from: the end of its via chain.

    A chain that loops ends where it enters the loop (validation reports the loop: ``via-source-cycle``).
    """
    from powdata._chains import ends

    return ends(via_walk(sources))


def quoted_languages(sources: pd.DataFrame) -> dict[str, Any]:
    """Map each source_id to the language its excerpts are written in: that of the text they are quoted from.

    The text is the publication at the end of the source's ``via`` chain. A package
    whose sources have no ``language`` column predates languages (0.1.0: English only).
    """
    roots = text_roots(sources)
    if "language" not in sources.columns:
        return dict.fromkeys(roots, "en")
    language = dict(zip(sources["source_id"], sources["language"].astype(object), strict=True))
    return {sid: language.get(root) for sid, root in roots.items()}


def publication_dates(sources: pd.DataFrame) -> dict[str, Any]:
    """Map each source_id to the first known publication date along its ``via`` chain.

    A source with no date of its own is dated by the publication it was read
    through (its ``via_source_id``), and so on; a chain with no date maps to None.
    One pass over the chains (`powdata._chains.resolve`), linear in the sources.
    """
    import pandas as pd

    from powdata._chains import resolve

    own = dict(zip(sources["source_id"].astype(object), sources["published"], strict=False))
    return resolve(via_walk(sources), lambda s: None if s not in own or pd.isna(own[s]) else own[s])


def published_on(df: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """Return, for each row of ``df``, the publication date of its source chain (NaT when unknown)."""
    import pandas as pd

    dates = pd.to_datetime(df["source_id"].astype(object).map(publication_dates(sources)))
    return dates.astype(DATETIME_DTYPE)
