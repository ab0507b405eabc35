"""Type raw CSV text tolerantly, recording each cell that does not parse.

Validation must report every bad cell, not stop at the first, so unlike
``load`` this never raises: a cell that does not parse becomes missing and a
``type`` problem names its row and column.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

from powdata._dtypes import enum_of
from powdata.report import ERROR, Problem

_TRUE = {"true", "True", "TRUE", "1"}
_FALSE = {"false", "False", "FALSE", "0"}


def read_raw(data: bytes, schema: dict[str, Any]) -> pd.DataFrame:
    """Parse CSV bytes into a frame of strings (missing values as NA); raises on bad bytes or shape."""
    return pd.read_csv(
        io.BytesIO(data),
        dtype="string",
        keep_default_na=False,
        na_values=schema.get("missingValues", [""]),
        encoding="utf-8",
        on_bad_lines="error",
    )


def _bad(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    return np.asarray(raw.notna()) & np.asarray(pd.isna(parsed))


def coerce(raw: pd.DataFrame, schema: dict[str, Any], resource: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Return ``raw`` typed like ``load`` would type it, and a problem per unparsable cell."""
    out = pd.DataFrame(index=raw.index)
    problems: list[Problem] = []
    for f in schema["fields"]:
        name, ftype = f["name"], f.get("type", "string")
        if name not in raw.columns:
            continue
        col = raw[name]
        if ftype == "integer":
            num = pd.to_numeric(col, errors="coerce")
            whole = num.where(num.isna() | (num % 1 == 0))
            parsed: Any = whole.astype("Float64").astype("Int64")
            expected = "an integer"
        elif ftype == "number":
            parsed = pd.to_numeric(col, errors="coerce").astype("Float64")
            expected = "a number"
        elif ftype == "boolean":
            parsed = col.map(lambda v: True if v in _TRUE else False if v in _FALSE else pd.NA).astype("boolean")
            expected = "true or false"
        elif ftype == "date":
            parsed = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
            expected = "a date YYYY-MM-DD"
        else:
            enum = enum_of(f)
            parsed = pd.Categorical(col.where(col.isin(enum)), categories=enum) if enum else col
            expected = f"one of {enum}" if enum else "text"
        bad = _bad(col, parsed)
        for i in bad.nonzero()[0][:1000]:
            problems.append(
                Problem(
                    "enum" if enum_of(f) and ftype == "string" else "type",
                    ERROR,
                    f"{name} = {col.iloc[i]!r} is not {expected}",
                    resource,
                    int(i) + 2,
                    name,
                )
            )
        out[name] = parsed
    for extra in raw.columns.difference(out.columns):
        out[extra] = raw[extra]
    return out, problems
