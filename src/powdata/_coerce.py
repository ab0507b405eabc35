"""Type raw CSV text tolerantly, recording each cell that does not parse.

Validation must report every bad cell, not stop at the first, so unlike
``load`` this never raises: a cell that does not parse becomes missing and a
``type`` problem names its row and column.
"""

from __future__ import annotations

import importlib.util
import io
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from powdata._dtypes import enum_of
from powdata.report import ERROR, Problem

_TRUE = {"true", "True", "TRUE", "1"}
_FALSE = {"false", "False", "FALSE", "0"}


def read_raw(data: bytes, schema: dict[str, Any]) -> pd.DataFrame:
    """Parse CSV bytes into a frame of strings (missing values as NA); raises on bad bytes or shape.

    The multi-threaded pyarrow engine is used when pyarrow is installed (four times
    faster on large files); a ragged row is an error with either engine.
    """
    engine: Literal["pyarrow", "c"] = "pyarrow" if importlib.util.find_spec("pyarrow") else "c"
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # the C engine only warns on a ragged first row
        return pd.read_csv(
            io.BytesIO(data),
            dtype="string",
            keep_default_na=False,
            na_values=schema.get("missingValues", [""]),
            encoding="utf-8",
            engine=engine,
            index_col=False if engine == "c" else None,  # pyarrow never makes an index; False breaks it
        )


def _distinct(col: pd.Series, parse: Any) -> Any:
    """Apply ``parse`` to each distinct value of ``col`` once and spread the result back."""
    codes, uniques = pd.factorize(col)
    parsed = parse(pd.Series(uniques, dtype="string"))
    return pd.Series(pd.api.extensions.take(parsed.array, codes, allow_fill=True), index=col.index)


def _bad(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    return np.asarray(raw.notna()) & np.asarray(pd.isna(parsed))


def _to_int(u: pd.Series) -> pd.Series:
    num = pd.to_numeric(u, errors="coerce")
    return num.where(num.isna() | (num % 1 == 0)).astype("Float64").astype("Int64")


def _to_bool(u: pd.Series) -> pd.Series:
    return u.map(lambda v: True if v in _TRUE else False if v in _FALSE else pd.NA).astype("boolean")


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
            parsed: Any = _distinct(col, _to_int)
            expected = "an integer"
        elif ftype == "number":
            parsed = _distinct(col, lambda u: pd.Series(pd.to_numeric(u, errors="coerce")).astype("Float64"))
            expected = "a number"
        elif ftype == "boolean":
            parsed = _distinct(col, _to_bool)
            expected = "true or false"
        elif ftype == "date":
            parsed = _distinct(col, lambda u: pd.to_datetime(u, format="%Y-%m-%d", errors="coerce"))
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
