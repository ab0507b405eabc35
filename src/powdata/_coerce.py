"""Type raw CSV text tolerantly, recording each cell that does not parse.

Validation must report every bad cell, not stop at the first, so unlike
``load`` this never raises: a cell that does not parse becomes missing and a
``type`` problem names its row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from powdata._dtypes import enum_of
from powdata._package import shown
from powdata.report import ERROR, Problem

_TRUE = {"true", "True", "TRUE", "1"}
_FALSE = {"false", "False", "FALSE", "0"}


def read_raw(data: bytes, schema: dict[str, Any]) -> pd.DataFrame:
    """Parse CSV bytes into a frame of strings (missing values as NA); raises on bad bytes or shape.

    Every cell stays text — "002" must never become 2 — so that the Table Schema,
    not a parser's guess, decides types. pyarrow's multi-threaded reader is used
    when installed (four times faster on large files), told that every column is a
    string; pandas' own pyarrow engine infers types first on pandas 2. A ragged
    row is an error with either reader.
    """
    missing = schema.get("missingValues", [""])
    if importlib.util.find_spec("pyarrow") is None:
        return _read_raw_pandas(data, missing)
    import pyarrow as pa

    try:
        return _read_raw_arrow(data, missing)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):  # a cell larger than pyarrow's block: parse with pandas instead
            raise
    return _read_raw_pandas(data, missing)


def _read_raw_pandas(data: bytes, missing: list[str]) -> pd.DataFrame:
    """Parse with pandas' C reader: slower, but no limit on a cell's size."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # the C engine only warns on a ragged first row
        return pd.read_csv(
            io.BytesIO(data),
            dtype="string",
            keep_default_na=False,
            na_values=missing,
            encoding="utf-8",
            index_col=False,
        )


def _read_raw_arrow(data: bytes, missing: list[str]) -> pd.DataFrame:
    """Parse with pyarrow's multi-threaded reader (raises on a cell larger than its block)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    end = data.find(b"\n")
    header = next(csv.reader([data[: end if end >= 0 else len(data)].decode("utf-8").rstrip("\r")]), [])
    table = pacsv.read_csv(
        io.BytesIO(data),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            null_values=missing,
            strings_can_be_null=True,
        ),
    )
    string = pd.StringDtype()  # this pandas' default storage, so the Pandera models' "string" matches
    return table.to_pandas(types_mapper={pa.string(): string, pa.large_string(): string}.get)


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


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_date(u: pd.Series) -> pd.Series:
    """Parse YYYY-MM-DD strictly, at second resolution (pandas 2's nanoseconds stop at 2262)."""

    def one(v: Any) -> Any:
        if isinstance(v, str) and _ISO_DATE.fullmatch(v):
            try:
                return np.datetime64(dt.date.fromisoformat(v), "s")
            except ValueError:  # 2025-02-30
                pass
        return np.datetime64("NaT", "s")

    return pd.Series(np.array([one(v) for v in u], dtype="datetime64[s]"))


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
            parsed = _distinct(col, _to_date)
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
                    f"{name} = {shown(col.iloc[i])} is not {expected}",
                    resource,
                    int(i) + 2,
                    name,
                )
            )
        out[name] = parsed
    for extra in raw.columns.difference(out.columns):
        out[extra] = raw[extra]
    return out, problems
