"""Shared helpers of the rules: id mapping at scale, message formatting, publication dates."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

Frames = dict[str, pd.DataFrame]


VALUE_KEY = ["indicator_id", "area_id", "period_start", "period_end", "as_of", "source_id"]


def csv_rows(df: pd.DataFrame, mask: Any) -> list[int]:
    """Return the CSV line numbers (header = 1) of the rows selected by ``mask``."""
    return [int(i) + 2 for i in df.index[np.asarray(mask, dtype=bool)]]


def map_ids(values: pd.Series, mapping: dict[Any, Any] | pd.Series, dtype: str | None = None) -> pd.Series:
    """Map a column of ids through ``mapping``, looking up each distinct id once.

    A million rows usually hold a few distinct ids, and converting every
    arrow-backed string to a Python object costs more than the lookup.
    """
    codes, uniques = pd.factorize(values)
    looked = pd.Series(uniques, dtype=object).map(mapping)
    if dtype == "datetime64":  # at second resolution: pandas 2's nanoseconds stop at 2262
        nat = np.datetime64("NaT", "s")
        days = [nat if pd.isna(x) else np.datetime64(pd.Timestamp(x).date(), "s") for x in looked]
        source: Any = pd.array(np.array(days, dtype="datetime64[s]"))
    else:
        source = looked.to_numpy(dtype=object)
    taken = pd.api.extensions.take(source, codes, allow_fill=True)
    return pd.Series(taken, index=values.index)


def units_of(frames: Frames) -> pd.Series:
    """The unit of each observation, from its indicator (computed once per run, see `run_cross_rules`)."""
    if "_units" in frames:
        return frames["_units"]["unit"]
    ind = frames["indicators"]
    unit = dict(zip(ind["indicator_id"], ind["unit"].astype(object), strict=True))
    return map_ids(frames["observations"]["indicator_id"], unit)


def list_ids(ids: tuple[str, ...] | list[str], limit: int = 10) -> str:
    """List ids for a message, at most ``limit`` of them."""
    shown = ", ".join(map(str, ids[:limit]))
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def fmt_number(x: float) -> str:
    if math.isinf(x):
        return "∞"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def published_by_source(frames: Frames) -> pd.Series:
    """Map source_id to the first known date along its via chain (an upper bound on its publication)."""
    from powdata.loader import publication_dates

    src = frames["sources"]
    return pd.Series(publication_dates(src), dtype="object")


def fmt_date(x: Any) -> str:
    return "?" if pd.isna(x) else str(pd.Timestamp(x).date())
