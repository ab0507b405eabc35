"""The ``powdata`` command: a thin shell over the public API.

Exit codes: 0 success; 1 the data break a rule (validation, integrity, a diff
whose version bump is too small); 2 usage error or unreadable input. Errors are
one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from powdata.errors import IntegrityError, MissingExtraError, PowdataError

EXPORT_FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet"}
# with no resource named, `export` writes the whole package
PACKAGE_EXPORTS = {".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite", ".json": "datasette"}
SHOW_WIDTH = 80
SHOW_CELL = 24


class _Usage(PowdataError):
    """A command line that cannot be carried out as given (exit 2)."""


def _version() -> str:
    import powdata

    return str(powdata.__version__)


def _cmd_list(args: argparse.Namespace) -> int:
    from powdata import describe, list_resources

    for name in list_resources():
        print(f"{name:<14} {describe(name)['title']}")
    print(f"{'figures':<14} (view) every figure with its indicator, unit, area, source and bounds")
    return 0


def _frame_text(df: Any, fmt: str) -> str:
    if fmt == "csv":
        return str(df.to_csv(index=False, lineterminator="\n"))
    if fmt == "json":
        return str(df.to_json(orient="records", date_format="iso", force_ascii=False, indent=2)) + "\n"
    import pandas as pd

    # an 80-column terminal: long cells are cut to SHOW_CELL characters, columns wrap in blocks
    with pd.option_context("display.max_rows", None, "display.max_columns", None):
        return str(df.to_string(index=False, line_width=SHOW_WIDTH, max_colwidth=SHOW_CELL)) + "\n"


def _frame(name: str, as_of: str | None) -> Any:
    """Return resource ``name`` or the ``figures`` view, with errors in the CLI's words."""
    from powdata import list_resources
    from powdata.labelled import NAME, figures
    from powdata.loader import load

    if name == NAME:
        return figures(as_of=as_of)
    if name not in list_resources():
        names = ", ".join([*list_resources(), NAME])
        msg = f"{name!r} is not a powdata resource; expected one of: {names} (see `powdata list`)"
        raise _Usage(msg)
    return load(name, as_of=as_of)


def _as_of(text: str) -> str:
    """argparse type of ``--as-of``: a YYYY-MM-DD date, said in the CLI's words."""
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        msg = f"expected a date as YYYY-MM-DD (for example --as-of 2025-12-31) but found {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    return text


def _cmd_show(args: argparse.Namespace) -> int:
    df = _frame(args.name, args.as_of)
    sys.stdout.write(_frame_text(df, args.format))
    return 0


def _export_bytes(df: Any, fmt: str) -> bytes:
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401  # only to give a clear error before pandas does
        except ImportError:
            msg = "export to .parquet needs pyarrow; install it with: pip install 'powdata[parquet]'"
            raise MissingExtraError(msg) from None
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue()
    return _frame_text(df, fmt).encode("utf-8")


def _check_target(target: Path, force: bool) -> None:
    if target.exists() and not force:
        msg = f"--to {target}: the file exists; pass --force to overwrite it"
        raise _Usage(msg)
    if not target.parent.is_dir():
        msg = f"--to {target}: folder {target.parent} does not exist; create it first"
        raise _Usage(msg)


def _export_package(args: argparse.Namespace, target: Path) -> int:
    """``powdata export --to X`` with no name: the package as SQLite, Datasette metadata or a v1 copy."""
    import json

    from powdata._atomic import write_text_atomic
    from powdata.sqlite_export import datasette_metadata, write_sqlite

    if target.is_dir() or not target.suffix:  # a folder: the Data Package v1 copy
        from powdata.datapackage_v1 import write_v1

        print(f"wrote a Data Package v1 copy to {write_v1(target).parent}", file=sys.stderr)
        return 0
    kind = PACKAGE_EXPORTS.get(target.suffix.lower())
    if kind is None:
        msg = (
            f"--to {target}: to export the whole package, expected a folder (Data Package v1) or a file ending in "
            f"{', '.join(PACKAGE_EXPORTS)}; to export one table, name it (powdata export observations --to obs.csv)"
        )
        raise _Usage(msg)
    _check_target(target, args.force)
    if kind == "sqlite":
        counts = write_sqlite(target)
        print(f"wrote {len(counts)} tables and the figures view to {target}", file=sys.stderr)
    else:
        meta = datasette_metadata(database=args.database)
        write_text_atomic(target, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote Datasette metadata for database {args.database!r} to {target}", file=sys.stderr)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from powdata._atomic import write_bytes_atomic

    target = Path(args.to)
    if args.name is None:
        return _export_package(args, target)
    fmt = EXPORT_FORMATS.get(target.suffix.lower())
    if fmt is None:
        msg = f"--to {target}: expected a file ending in {', '.join(EXPORT_FORMATS)}"
        raise _Usage(msg)
    _check_target(target, args.force)
    df = _frame(args.name, args.as_of)
    write_bytes_atomic(target, _export_bytes(df, fmt))
    print(f"wrote {len(df)} rows of {args.name} to {target}", file=sys.stderr)
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from powdata.charts import CHARTS, plot

    written = plot(args.to, charts=args.chart or CHARTS, fmt=args.format, as_of=args.as_of)
    for target in written:
        print(f"wrote {target}", file=sys.stderr)
    return 0


def _cmd_cite(args: argparse.Namespace) -> int:
    from powdata.citation import cite

    sys.stdout.write(cite(args.format))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        from powdata.validation import validate
    except MissingExtraError as exc:
        raise _Usage(str(exc)) from None
    report = validate(args.path)
    if args.format == "json":
        import json

        from powdata._package import printable

        print(printable(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)))
    else:
        sys.stdout.write(report.to_text())
    return 0 if report.valid else 1


def _cmd_build(args: argparse.Namespace) -> int:
    from powdata._package import resolve_root
    from powdata.build import build, registry_mismatch
    from powdata.citation import CITATION_FILE, write_citation
    from powdata.codebook import write_codebook, write_readme_series

    root = resolve_root(args.path or ".")
    changed = build(root)
    print(f"{root / 'datapackage.json'}: {'rewritten' if changed else 'already up to date'}")
    if (root / "docs").is_dir():  # a repository: the generated docs live beside the data
        changed = write_codebook(root)
        print(f"{root / 'docs' / 'codebook.md'}: {'rewritten' if changed else 'already up to date'}")
        changed = write_readme_series(root)
        print(f"{root / 'README.md'} (series): {'rewritten' if changed else 'already up to date'}")
        changed = write_citation(root)
        print(f"{root / CITATION_FILE}: {'rewritten' if changed else 'already up to date'}")
    mismatch = registry_mismatch(root)
    if mismatch:
        print(
            f"powdata: the data of {', '.join(mismatch)} differ from the registry of this version; "
            "bump the version in datapackage.json (see `powdata diff git:HEAD .`) and build again",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from powdata.diff import diff_packages

    result = diff_packages(args.old, args.new)
    sys.stdout.write(result.render(args.format))
    return 0 if result.bump_ok else 1


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (also used by the docs and the tests)."""
    parser = argparse.ArgumentParser(
        prog="powdata",
        description="Figures on foreign nationals fighting for Russia and held as POWs in Ukraine.",
    )
    parser.add_argument("--version", action="version", version=f"powdata {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", help="list the resources")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", help="print one resource")
    p.add_argument("name")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--as-of", type=_as_of, help="only rows published on or before this date (YYYY-MM-DD)")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "export",
        help="write a resource to .csv/.json/.parquet, or (no name) the package to SQLite or Datasette metadata",
    )
    p.add_argument("name", nargs="?", help="a resource or figures; leave out to export the whole package")
    p.add_argument("--to", required=True, help="target file; its extension picks the format")
    p.add_argument("--database", default="powdata", help="database name in Datasette's metadata (default: powdata)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--as-of", type=_as_of, help="only rows published on or before this date (YYYY-MM-DD)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("plot", help="draw the series as charts, SVG or PNG (needs powdata[plot])")
    p.add_argument("chart", nargs="*", help="vintages, foreign-share or listed-by-group (default: all three)")
    p.add_argument("--to", required=True, help="an existing folder; each chart is written as CHART.FORMAT")
    p.add_argument("--format", choices=["svg", "png"], default="svg")
    p.add_argument("--as-of", type=_as_of, help="only figures published on or before this date (YYYY-MM-DD)")
    p.set_defaults(func=_cmd_plot)

    p = sub.add_parser("cite", help="print how to cite this release")
    p.add_argument("--format", choices=["text", "bibtex", "cff"], default="text")
    p.set_defaults(func=_cmd_cite)

    p = sub.add_parser("validate", help="check a data package: structure, integrity and consistency rules")
    p.add_argument("path", nargs="?", help="a datapackage.json or its folder (default: the installed package)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("build", help="regenerate the descriptor's derived parts and the codebook (maintainers)")
    p.add_argument("path", nargs="?", help="the package folder (default: the current folder)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("diff", help="compare two releases and check the version bump")
    p.add_argument("old", help="package folder, datapackage.json, or git:REF")
    p.add_argument("new", help="package folder, datapackage.json, or git:REF")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.set_defaults(func=_cmd_diff)
    return parser


def _error(text: str) -> None:
    """Print one line on stderr: control characters escaped, newlines folded."""
    from powdata._package import printable

    print(printable("powdata: error: " + " ".join(text.split("\n"))), file=sys.stderr)


def _tolerate_narrow_terminal() -> None:
    """Let an ASCII-only terminal (``PYTHONIOENCODING=ascii``) show ``→`` as ``\\u2192``, not crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or detached stream: leave it
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    _tolerate_narrow_terminal()
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        os.getcwd()
    except OSError as exc:  # pandera's imports (and relative paths) need the working folder
        _error(f"the current folder cannot be read ({exc.strerror}; was it deleted?); cd into an existing folder")
        return 2
    try:
        return func(args)
    except IntegrityError as exc:
        _error(str(exc))
        return 1
    except PowdataError as exc:
        _error(str(exc))
        return 2
    except BrokenPipeError:  # `powdata show observations | head`
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: one line, not a traceback (POWDATA_DEBUG=1 shows it)
        if os.environ.get("POWDATA_DEBUG"):
            raise
        print(
            f"powdata: internal error: {type(exc).__name__}: {exc}; this is a bug in powdata, please report it "
            "with the command you ran (set POWDATA_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 2
