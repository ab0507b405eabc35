"""When and where each figure was stated: reduced-precision dates, via chains, publication dates, languages.

Shared by ``load(as_of=...)``, the views and the rules, so the point-in-time
filter, ``series`` and the ``as-of-after-published`` and excerpt rules agree on
what "published" and "quoted in" mean: a figure is shown by its stater and by
every publication that quotes it (``quotes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from powdata._schema import DATETIME_DTYPE

if TYPE_CHECKING:
    import pandas as pd


REDUCED_DATE = "[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?"
"""An ISO 8601 date of reduced precision (YYYY, YYYY-MM or YYYY-MM-DD): the ``as_of`` pattern of the schemas.

A value of this shape can still be no date (2025-02-30): that is the
as-of-calendar-date rule's to report; any other value is the pattern's.
"""
_REDUCED_DATE = re.compile(REDUCED_DATE)


def reduced_date_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return the first and last day of each ISO 8601 reduced-precision date (YYYY, YYYY-MM, YYYY-MM-DD).

    Anything else (`REDUCED_DATE`), or a date no calendar has (2025-02-30), is NaT. Each distinct
    value is parsed once, in Python: a column of a million rows holds few dates,
    and a few pandas calls per column cost more than the parsing (3.4 ms for 31
    dates against 0.1 ms).
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values)
    days = [_first_and_last(u) for u in uniques]
    out = []
    for column in (0, 1):
        distinct = np.array([d[column] for d in days], dtype="datetime64[D]").astype(DATETIME_DTYPE)
        out.append(pd.Series(pd.api.extensions.take(pd.array(distinct), codes, allow_fill=True), index=values.index))
    return out[0], out[1]


def _first_and_last(text: Any) -> tuple[Any, Any]:
    """The first and last day ``text`` (YYYY, YYYY-MM or YYYY-MM-DD) allows, as ``datetime64[D]``; NaT when it is none.

    numpy reads the three forms itself (year 0000 included, as pandas does) and
    refuses a month 13 or a 30 February; the last day is the first of the next
    year, month or day, less one.
    """
    import numpy as np

    nat = np.datetime64("NaT", "D")
    if not isinstance(text, str) or _REDUCED_DATE.fullmatch(text) is None:
        return nat, nat
    unit: Literal["Y", "M", "D"] = "Y" if len(text) == 4 else "M" if len(text) == 7 else "D"
    try:
        first = np.datetime64(text, unit)
    except ValueError:
        return nat, nat
    return first.astype("datetime64[D]"), (first + 1).astype("datetime64[D]") - 1


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
