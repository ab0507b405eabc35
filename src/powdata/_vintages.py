"""When each figure was published: a source's own date, or that of the publication it was read through.

Shared by ``load(as_of=...)``, the views and the ``as-of-after-published`` rule,
so the point-in-time filter and the rule agree on what "published" means.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from powdata import _schema

if TYPE_CHECKING:
    import pandas as pd


def publication_dates(sources: pd.DataFrame) -> dict[str, Any]:
    """Map each source_id to the first known publication date along its ``via`` chain.

    A source with no date of its own is dated by the publication it was read
    through (its ``via_source_id``), and so on; a chain with no date maps to None.
    """
    import pandas as pd

    own = dict(zip(sources["source_id"], sources["published"], strict=True))
    via = dict(zip(sources["source_id"], sources["via_source_id"], strict=True))
    out: dict[str, Any] = {}
    for sid in own:
        seen: set[str] = set()
        cur: Any = sid
        date = None
        while isinstance(cur, str) and cur not in seen:
            seen.add(cur)
            if cur in own and not pd.isna(own[cur]):
                date = own[cur]
                break
            cur = via.get(cur)
            cur = None if cur is None or pd.isna(cur) else cur
        out[sid] = date
    return out


def published_on(df: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """Return, for each row of ``df``, the publication date of its source chain (NaT when unknown)."""
    import pandas as pd

    dates = pd.to_datetime(df["source_id"].astype(object).map(publication_dates(sources)))
    return dates.astype(_schema.DATETIME_DTYPE)
