"""When and where each figure was stated: reduced-precision dates, via chains, publication dates, languages.

Shared by ``load(as_of=...)``, the views and the rules, so the point-in-time
filter, ``series`` and the ``as-of-after-published`` and excerpt rules agree on
what "published" and "quoted in" mean: a figure is shown by its stater and by
every publication that quotes it (``quotes``).
"""

from __future__ import annotations

from collections.abc import Callable
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


def _dates(ids: pd.Series, dates: dict[str, Any]) -> pd.Series:
    import pandas as pd

    return pd.to_datetime(ids.astype(object).map(dates)).astype(DATETIME_DTYPE)


def quote_dates(quotes: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """The publication date of each quote's publication (NaT where it is not known)."""
    return _dates(quotes["source_id"], publication_dates(sources))


def first_known(name: str, df: pd.DataFrame, frame: Callable[[str], pd.DataFrame]) -> pd.Series:
    """For each row of table ``name``, the earliest date a known publication shows it (NaT when none does).

    An observation is shown by its stater's own dated statement and by every
    publication quoting it (``quotes``); a mention by its stater and the
    publication it is quoted in; a quote by its publication, or where that is
    undated by its statement's stater; a source by its own date or the first
    dated source of its ``via`` chain. ``frame`` returns another table by name.
    """
    import pandas as pd

    sources = frame("sources")
    dates = publication_dates(sources)
    if name == "sources":
        return _dates(df["source_id"], dates)
    if "source_id" in df.columns and name in ("observations", "mentions"):  # a package older than 1.0.0
        return _dates(df["source_id"], dates)
    if name == "mentions":
        return pd.concat([_dates(df["stated_by"], dates), _dates(df["quoted_in"], dates)], axis=1).min(axis=1)
    if name == "quotes":
        obs = frame("observations")
        stater = dict(zip(obs["observation_id"], obs["stated_by"].astype(object), strict=True))
        return _dates(df["source_id"], dates).fillna(_dates(df["observation_id"].astype(object).map(stater), dates))
    if name == "observations":
        quotes = frame("quotes")
        by_quote = pd.DataFrame({"observation_id": quotes["observation_id"], "d": _dates(quotes["source_id"], dates)})
        earliest = by_quote.groupby("observation_id", observed=True)["d"].min()
        quoted = pd.to_datetime(df["observation_id"].astype(object).map(earliest)).astype(DATETIME_DTYPE)
        return pd.concat([_dates(df["stated_by"], dates), quoted], axis=1).min(axis=1)
    if "source_id" in df.columns:
        return _dates(df["source_id"], dates)
    return pd.Series(pd.NaT, index=df.index, dtype=DATETIME_DTYPE)


def quote_languages(quotes: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """The language each quote's excerpt is written in: its publication's ``language`` (BCP 47)."""
    language = dict(zip(sources["source_id"], sources["language"].astype(object), strict=True))
    return quotes["source_id"].astype(object).map(language)
