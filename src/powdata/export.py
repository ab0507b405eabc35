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

from powdata.errors import ArgumentError, MissingExtraError

FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet"}
# with no resource named, `export` writes the whole package
PACKAGE_EXPORTS = {".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite", ".json": "datasette"}
TEXT_FORMATS = ("table", "csv", "json")
SHOW_WIDTH = 80  # an 80-column terminal: long cells are cut to SHOW_CELL characters, columns wrap in blocks
SHOW_CELL = 24


@dataclass(frozen=True)
class ExportResult:
    """What `export` wrote: the resource, the file, its format and how many rows."""

    name: str
    path: Path
    format: str
    rows: int


def frame_text(df: Any, fmt: str) -> str:
    """Render a frame as ``csv``, ``json`` (records) or an aligned ``table``."""
    if fmt == "csv":
        return str(df.to_csv(index=False, lineterminator="\n"))
    if fmt == "json":
        return str(df.to_json(orient="records", date_format="iso", force_ascii=False, indent=2)) + "\n"
    if fmt != "table":
        msg = f"format={fmt!r}: expected one of {', '.join(TEXT_FORMATS)}"
        raise ArgumentError(msg)
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_columns", None):
        return str(df.to_string(index=False, line_width=SHOW_WIDTH, max_colwidth=SHOW_CELL)) + "\n"


def table(name: str, *, as_of: str | dt.date | None = None, path: str | Path | None = None) -> Any:
    """Return resource ``name`` or the ``figures`` view (`powdata.figures`) as a pandas frame."""
    from powdata import _package
    from powdata.errors import UnknownResourceError
    from powdata.labelled import NAME, figures
    from powdata.loader import _descriptor_and_root, load

    if name == NAME:
        return figures(as_of=as_of, path=path)
    desc, _ = _descriptor_and_root(path)
    names = [r["name"] for r in _package.tables(desc)]
    if name not in names:
        msg = f"{name!r} is not a powdata resource; expected one of: {', '.join([*names, NAME])} (see `powdata list`)"
        raise UnknownResourceError(msg)
    return load(name, as_of=as_of, path=path)


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
    path: str | Path | None = None,
) -> ExportResult:
    """Write resource ``name`` to ``to``; its extension (.csv, .json, .parquet) picks the format.

    Raises
    ------
    ArgumentError
        The extension is unknown, the file exists and ``force`` is False, or its folder does not exist.
    OSError
        The file cannot be written (disk full, permissions); nothing is left half-written.
    """
    from powdata._atomic import write_bytes_atomic

    target = Path(to)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        msg = f"--to {target}: expected a file ending in {', '.join(FORMATS)}"
        raise ArgumentError(msg)
    _check_target(target, force)
    df = table(name, as_of=as_of, path=path)
    write_bytes_atomic(target, frame_bytes(df, fmt))
    return ExportResult(name, target, fmt, len(df))


def _check_target(target: Path, force: bool) -> None:
    """Refuse to overwrite without ``force``, to write into a missing folder, or over a folder."""
    if target.exists() and not force:
        msg = f"--to {target}: the file exists; pass --force to overwrite it"
        raise ArgumentError(msg)
    if not target.parent.is_dir():
        msg = f"--to {target}: folder {target.parent} does not exist; create it first"
        raise ArgumentError(msg)
    if target.is_dir():
        msg = f"--to {target}: is a folder; expected a file"
        raise ArgumentError(msg)


@dataclass(frozen=True)
class PackageExportResult:
    """What `export_package` wrote: ``kind`` is ``v1``, ``sqlite`` or ``datasette``; ``tables`` counts SQLite tables."""

    kind: str
    path: Path
    tables: int = 0
    database: str = ""


def export_package(
    to: str | Path, *, force: bool = False, database: str = "powdata", path: str | Path | None = None
) -> PackageExportResult:
    """Write the whole package: a folder gets a Data Package v1 copy; ``.sqlite``/``.db`` a SQLite
    database with the figures view; ``.json`` Datasette's metadata for it (``database`` names it).
    """
    import json

    from powdata._atomic import write_text_atomic
    from powdata.sqlite_export import datasette_metadata, write_sqlite

    target = Path(to)
    if target.is_dir() or not target.suffix:  # a folder: the Data Package v1 copy
        from powdata.datapackage_v1 import write_v1

        return PackageExportResult("v1", write_v1(target, path=path).parent)
    kind = PACKAGE_EXPORTS.get(target.suffix.lower())
    if kind is None:
        msg = (
            f"--to {target}: to export the whole package, expected a folder (Data Package v1) or a file ending in "
            f"{', '.join(PACKAGE_EXPORTS)}; to export one table, name it (powdata export observations --to obs.csv)"
        )
        raise ArgumentError(msg)
    _check_target(target, force)
    if kind == "sqlite":
        return PackageExportResult("sqlite", target, tables=len(write_sqlite(target, path=path)))
    meta = datasette_metadata(database=database, path=path)
    write_text_atomic(target, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return PackageExportResult("datasette", target, database=database)
