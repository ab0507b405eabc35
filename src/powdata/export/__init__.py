"""Write a resource or the whole package to files, and render frames as text: the library behind
``powdata show`` and ``powdata export``.

`export` (one table) and `export_package` (SQLite, Datasette metadata, a Data
Package v1 copy) return what they wrote and never print; the CLI prints. A file
is written atomically (a reader sees the old file or the new one) with the
user's umask, never half-written; a target that is not a regular file
(``/dev/stdout``) is written directly.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from powdata._io.atomic import check_output
from powdata.errors import ArgumentError, MissingExtraError
from powdata.package import Package, open_package

FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet"}
# with no resource named, `export` writes the whole package
PACKAGE_EXPORTS = {".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite", ".json": "datasette"}
TEXT_FORMATS = ("table", "csv", "json")
SHOW_MIN_CELL = 8  # a cell is never cut shorter than this, however long the id
SHOW_CELL = 24  # long cells are cut to SHOW_CELL characters; columns wrap in blocks as wide as the terminal
METADATA_SUFFIX = ".metadata.json"


@dataclass(frozen=True)
class ExportResult:
    """What `export` wrote: the resource, the file, its format and how many rows."""

    name: str
    path: Path
    format: str
    rows: int


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

    from powdata._package import printable
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
    ``16894.0``); each cell is escaped (`powdata._package.printable`) and cut to `SHOW_CELL`.
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


def table(name: str, *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> Any:
    """Return resource ``name`` or the ``figures`` view (`powdata.figures`) as a pandas frame."""
    from powdata.errors import UnknownResourceError
    from powdata.labelled import NAME, figures

    pkg = open_package(path)
    if name == NAME:
        return figures(as_of=as_of, path=pkg)
    names = pkg.table_names()
    if name not in names:
        msg = f"{name!r} is not a powdata resource; expected one of: {', '.join([*names, NAME])} (see `powdata list`)"
        raise UnknownResourceError(msg)
    return pkg.load(name, as_of=as_of)


def frame_bytes(df: Any, fmt: str) -> bytes:
    """Serialise a frame as ``csv``, ``json`` or ``parquet`` (which needs the parquet extra)."""
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401  # only to give a clear error before pandas does
        except ImportError:
            msg = "export to .parquet needs pyarrow; install it with: pip install 'powdata[parquet]'"
            raise MissingExtraError(msg) from None
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue()
    return frame_text(df, fmt).encode("utf-8")


def export(
    name: str,
    to: str | Path,
    *,
    force: bool = False,
    as_of: str | dt.date | None = None,
    path: str | Path | Package | None = None,
) -> ExportResult:
    """Write resource ``name`` to ``to``; its extension (.csv, .json, .parquet) picks the format.

    Raises
    ------
    ArgumentError
        The extension is unknown, the file exists and ``force`` is False, or its folder does not exist.
    OSError
        The file cannot be written (disk full, permissions); nothing is left half-written.
    """
    from powdata._io.atomic import write_bytes_atomic

    target = Path(to)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        msg = f"--to {target}: expected a file ending in {', '.join(FORMATS)}"
        raise ArgumentError(msg)
    pkg = open_package(path)
    check_output(target, force=force, protected=declared_files(pkg))
    df = table(name, as_of=as_of, path=pkg)
    write_bytes_atomic(target, frame_bytes(df, fmt))
    return ExportResult(name, target, fmt, len(df))


def declared_files(pkg: Package) -> list[Path]:
    """The files an export must never overwrite: the descriptor, every resource and its schema file, the release
    registry (``releases/*.json``) and the not-data list (``evidence/not-data.csv``)."""
    if pkg.root is None:
        return []
    root = pkg.root
    out = [root / "datapackage.json", root / "evidence" / "not-data.csv"]
    if (root / "releases").is_dir():
        out += sorted((root / "releases").glob("*.json"))
    for res in pkg.descriptor["resources"]:
        if isinstance(res.get("path"), str):
            out.append(root / res["path"])
        out.append(root / "schemas" / f"{res['name']}.json")
    return out


@dataclass(frozen=True)
class PackageExportResult:
    """What `export_package` wrote: ``kind`` is ``v1``, ``sqlite`` or ``datasette``; ``tables`` counts SQLite tables.

    A SQLite export also writes Datasette's metadata beside it (``metadata``),
    keyed by the database's name, so ``datasette DB --metadata METADATA`` shows every title.
    """

    kind: str
    path: Path
    tables: int = 0
    database: str = ""
    metadata: Path | None = None


def export_package(
    to: str | Path, *, force: bool = False, database: str | None = None, path: str | Path | Package | None = None
) -> PackageExportResult:
    """Write the whole package: a folder gets a Data Package v1 copy; ``.sqlite``/``.db`` a SQLite
    database with the figures view and, beside it, ``<name>.metadata.json`` for Datasette; ``.json``
    Datasette's metadata alone (``database`` names the database; default ``powdata``).
    """
    import json

    from powdata._io.atomic import write_text_atomic
    from powdata.export.sqlite import database_name, datasette_metadata, write_sqlite

    pkg = open_package(path)
    protected = declared_files(pkg)
    target = Path(to)
    if (target.is_dir() and not target.is_symlink()) or not target.suffix:  # a folder: the Data Package v1 copy
        from powdata.export.datapackage_v1 import write_v1

        check_output(target, folder=True, protected=protected)
        return PackageExportResult("v1", write_v1(target, path=pkg).parent)
    kind = PACKAGE_EXPORTS.get(target.suffix.lower())
    if kind is None:
        msg = (
            f"--to {target}: to export the whole package, expected a folder (Data Package v1) or a file ending in "
            f"{', '.join(PACKAGE_EXPORTS)}; to export one table, name it (powdata export observations --to obs.csv)"
        )
        raise ArgumentError(msg)
    check_output(target, force=force, protected=protected)
    if kind == "sqlite":
        name = database or database_name(target)
        meta_path = target.with_name(target.stem + METADATA_SUFFIX)
        check_output(meta_path, force=force, protected=protected)
        tables = len(write_sqlite(target, path=pkg))
        meta = datasette_metadata(database=name, path=pkg)
        write_text_atomic(meta_path, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        return PackageExportResult("sqlite", target, tables=tables, database=name, metadata=meta_path)
    name = database or "powdata"
    meta = datasette_metadata(database=name, path=pkg)
    write_text_atomic(target, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return PackageExportResult("datasette", target, database=name)
