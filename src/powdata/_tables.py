"""A table of an opened package, typed by its Table Schema; and the rows a publication had shown by a date.

What `powdata.Package` caches (`Package.frame`) and filters (`Package.load`): below the
opened package, so it imports nothing of it but its type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from powdata import _schema
from powdata._io.integrity import check_width
from powdata._vintages import first_known
from powdata.errors import PackageReadError

if TYPE_CHECKING:
    import pandas as pd


def read_text_table(data: bytes, res: dict[str, Any]) -> pd.DataFrame:
    """Read ``data``, the bytes of resource ``res``, as its file writes it: every cell text, missing values NA.

    What `read_table` refuses is refused here too (bad bytes, a ragged row, other
    columns, a cell of a date, number or enum field that does not parse), but
    only the fields that are not free text are typed, and the frame returned is
    the text: for a caller that writes the cells back as text (the citation).
    """
    raw = _read_raw(data, res)
    checked = [f for f in res["schema"]["fields"] if f.get("type", "string") != "string" or _schema.enum_of(f)]
    if checked:
        _, flaws = _schema.type_frame(raw[[f["name"] for f in checked]], {**res["schema"], "fields": checked})
        _refuse(flaws, res)
    return raw


def read_table(data: bytes, res: dict[str, Any]) -> pd.DataFrame:
    """Read ``data``, the bytes of resource ``res``, as a frame typed by its Table Schema; raise on the first bad cell.

    The reader and typer are validation's (``powdata._schema``); ``load`` only
    stops at the first problem where validation collects them all. Use
    `Package.frame`, which caches the result, rather than calling this directly.
    """
    df, flaws = _schema.type_frame(_read_raw(data, res), res["schema"])
    _refuse(flaws, res)
    return df


def _read_raw(data: bytes, res: dict[str, Any]) -> pd.DataFrame:
    """The table's cells as text, its columns checked against the Table Schema; bad bytes or shape refused."""
    if not _schema.has_table_schema(res):
        msg = f"resource {res['name']!r}: expected an inline Table Schema in the descriptor; run `powdata build`"
        raise PackageReadError(msg)
    schema = res["schema"]
    check_width(res, data)
    try:
        raw = _schema.read_raw(data, schema)
    except Exception as exc:  # bad bytes, ragged rows, bad quoting: pandas and pyarrow raise their own types
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = (
            f"{_where(res)}: cannot be parsed with its Table Schema ({first}); "
            "run `powdata validate` for the row and column"
        )
        raise PackageReadError(msg) from None
    expected = [f["name"] for f in schema["fields"]]
    if list(raw.columns) != expected:
        msg = f"{_where(res)}: expected columns {expected} but found {list(raw.columns)}; run `powdata validate`"
        raise PackageReadError(msg)
    return raw


def _refuse(flaws: list[_schema.Flaw], res: dict[str, Any]) -> None:
    """Raise on the first cell that does not parse or is not in its enum (an empty required cell loads as missing)."""
    for flaw in flaws:
        if flaw.rule in ("type", "enum"):
            msg = f"{_where(res)}, row {flaw.row}, column {flaw.column!r}: {flaw.message}; run `powdata validate`"
            raise PackageReadError(msg)


def _where(res: dict[str, Any]) -> str:
    return f"{res.get('path')} (resource {res['name']!r})"


DATED_TABLES = ("observations", "quotes", "mentions", "sources")
"""The tables ``as_of`` filters (see `powdata._vintages.first_known`); the others are kept whole."""


def filter_as_of(name: str, df: pd.DataFrame, frame: Callable[[str], pd.DataFrame], cutoff: dt.date) -> pd.DataFrame:
    """Keep the rows of table ``name`` that a publication had shown on or before ``cutoff``.

    Rows no dated publication shows are left out: nothing shows they had been
    published by then. ``frame`` returns another table of the package by name.
    """
    import pandas as pd

    published = first_known(name, df, frame)
    keep = published.notna() & (published <= pd.Timestamp(cutoff))
    return df.loc[keep.to_numpy()].reset_index(drop=True)
