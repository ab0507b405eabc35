"""Write a resource or the whole package to files: the library behind ``powdata export`` and ``powdata show``.

This package holds every way the data leave powdata, one module a format, and
this module dispatches: `table` finds what a user named (a resource or the
``figures`` view), `export` writes it as .csv, .json or .parquet (the text from
`powdata.export.text`, which ``show`` prints too), and `export_package` picks
the package's format by the target: a folder gets the Data Package v1 copy
(`powdata.export.datapackage_v1`), ``.sqlite``/``.db`` the SQLite database
(`powdata.export.sqlite`) with Datasette's metadata beside it, ``.json`` the
metadata alone.

They return what they wrote and never print; the CLI prints. A file is written
atomically (a reader sees the old file or the new one) with the user's umask,
never half-written; a target that is not a regular file (``/dev/stdout``) is
written directly.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from powdata._io.atomic import check_output
from powdata.errors import ArgumentError, MissingExtraError
from powdata.export.text import frame_text
from powdata.package import Package, open_package

FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet"}
# with no resource named, `export` writes the whole package
PACKAGE_EXPORTS = {".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite", ".json": "datasette"}
METADATA_SUFFIX = ".metadata.json"


@dataclass(frozen=True)
class ExportResult:
    """What `export` wrote: the resource, the file, its format and how many rows."""

    name: str
    path: Path
    format: str
    rows: int


def table(name: str, *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> Any:
    """Return resource ``name`` or the ``figures`` view (`powdata.figures`) as a pandas frame."""
    from powdata.errors import UnknownResourceError
    from powdata.views.labelled import NAME, figures

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
