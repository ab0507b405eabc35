"""Write one resource to a file, and render frames as text: the library behind ``powdata show`` and ``export``.

`export` returns what it wrote and never prints; the CLI prints. A file is
written atomically (a reader sees the old file or the new one) with the user's
umask, never half-written; a target that is not a regular file (``/dev/stdout``)
is written directly.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from powdata.errors import ArgumentError, MissingExtraError

FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet"}
TEXT_FORMATS = ("table", "csv", "json")


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

    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
        return str(df.to_string(index=False)) + "\n"


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
    from powdata.loader import load

    target = Path(to)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        msg = f"--to {target}: expected a file ending in {', '.join(FORMATS)}"
        raise ArgumentError(msg)
    if target.exists() and not force:
        msg = f"--to {target}: the file exists; pass --force to overwrite it"
        raise ArgumentError(msg)
    if not target.parent.is_dir():
        msg = f"--to {target}: folder {target.parent} does not exist; create it first"
        raise ArgumentError(msg)
    if target.is_dir():
        msg = f"--to {target}: is a folder; expected a file"
        raise ArgumentError(msg)
    df = load(name, as_of=as_of, path=path)
    write_bytes_atomic(target, frame_bytes(df, fmt))
    return ExportResult(name, target, fmt, len(df))
