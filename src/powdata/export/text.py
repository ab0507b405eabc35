"""Render a frame as text: the csv, json or aligned table that ``powdata show`` prints.

Its own module because it is a job of its own: ``show`` prints what `export`
would write, so both take the text from here (`frame_text`), and the aligned
table's cutting, wrapping and escaping of untrusted cells (`table_text`) stays
in one place. It returns text and never prints; the CLI prints.
"""

from __future__ import annotations

from typing import Any

from powdata.errors import ArgumentError

TEXT_FORMATS = ("table", "csv", "json")
SHOW_MIN_CELL = 8  # a cell is never cut shorter than this, however long the id
SHOW_CELL = 24  # long cells are cut to SHOW_CELL characters; columns wrap in blocks as wide as the terminal


def frame_text(df: Any, fmt: str, *, width: int | None = None) -> str:
    """Render a frame as ``csv``, ``json`` (records) or an aligned ``table`` (see `table_text`)."""
    if fmt == "csv":
        return str(df.to_csv(index=False, lineterminator="\n"))
    if fmt == "json":
        return str(df.to_json(orient="records", date_format="iso", force_ascii=False, indent=2)) + "\n"
    if fmt != "table":
        msg = f"format={fmt!r}: expected one of {', '.join(TEXT_FORMATS)}"
        raise ArgumentError(msg)
    return table_text(df, width=width)


def _cells(col: Any, *, cut: int | None = SHOW_CELL) -> list[str]:
    """A column as the text `table_text` shows: whole numbers without ``.0``, missing as empty, escaped, cut."""
    import pandas as pd

    from powdata._io.escape import printable
    from powdata._schema import format_number

    numeric = pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)
    out = []
    for v in col.astype(object):
        text = "" if v is None or (not isinstance(v, str) and pd.isna(v)) else format_number(v) if numeric else str(v)
        if hasattr(v, "strftime") and not isinstance(v, str) and not pd.isna(v):
            text = v.strftime("%Y-%m-%d")
        text = printable(" ".join(text.split()))  # untrusted cell text: no escape sequence, one line
        out.append(text if cut is None else _cut(text, cut))
    return out


def _cut(text: str, cut: int) -> str:
    return text if len(text) <= cut else text[: cut - 1] + "…"


def table_text(df: Any, *, width: int | None = None) -> str:
    """Render a frame as aligned text blocks no wider than ``width`` (default: the terminal's).

    The first column (the row's id, never cut) starts every block, so a wrapped
    row is never anonymous; numbers that are whole print as integers (``16894``, not
    ``16894.0``); each cell is escaped (`powdata._io.escape.printable`) and cut to `SHOW_CELL`.
    """
    import shutil

    width = width or shutil.get_terminal_size((80, 24)).columns
    columns = [str(c) for c in df.columns]
    if not columns:
        return "\n"
    cells = {columns[0]: _cells(df[columns[0]], cut=None)}  # the id is never cut
    # a cell is cut to SHOW_CELL, or shorter when the id leaves less room (never below SHOW_MIN_CELL)
    cut = min(SHOW_CELL, max(SHOW_MIN_CELL, width - 2 - max([len(columns[0]), *map(len, cells[columns[0]])])))
    cells.update({c: _cells(df[c], cut=cut) for c in columns[1:]})
    cells.update({c: [_cut(c, cut)] + cells[c] for c in columns[1:]})  # headers too
    headers = {c: cells[c].pop(0) for c in columns[1:]}
    headers[columns[0]] = columns[0]
    widths = {c: max([len(headers[c]), *(len(v) for v in cells[c])]) for c in columns}
    first, rest = columns[0], columns[1:]
    blocks: list[list[str]] = []
    block: list[str] = []
    used = widths[first]
    for c in rest:
        if block and used + 2 + widths[c] > width:
            blocks.append(block)
            block, used = [], widths[first]
        block.append(c)
        used += 2 + widths[c]
    blocks.append(block)
    out: list[str] = []
    for i, cols in enumerate(blocks):
        shown = [first, *cols]
        if i:
            out.append("")
        out.append("  ".join(headers[c].rjust(widths[c]) for c in shown).rstrip())
        for r in range(len(df)):
            out.append("  ".join(cells[c][r].rjust(widths[c]) for c in shown).rstrip())
    return "\n".join(out) + "\n"
