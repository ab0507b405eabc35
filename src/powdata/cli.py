"""The ``powdata`` command: a thin shell over the public API.

Exit codes: 0 success; 1 the data break a rule (validation, integrity, a diff
whose version bump is too small); 2 usage error or unreadable input. Errors are
one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from powdata.errors import IntegrityError, MissingExtraError, PowdataError


class _Usage(PowdataError):
    """A command line that cannot be carried out as given (exit 2)."""


class _Version(argparse.Action):
    """``--version``, read from the installed metadata only when asked (importing it cost every command 16 ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        import powdata

        print(f"powdata {powdata.__version__}")
        sys.stdout.flush()  # a full disk or a closed pipe shows here, inside main's handlers
        parser.exit()


def _cmd_list(args: argparse.Namespace) -> int:
    from powdata import describe, list_resources

    for name in list_resources():
        print(f"{name:<14} {describe(name)['title']}")
    print(f"{'figures':<14} (view) every figure with its indicator, unit, area, source and bounds")
    return 0


def _as_of(text: str) -> str:
    """argparse type of ``--as-of``: the library's one date parser, its message in the CLI's words."""
    from powdata._schema import parse_date

    try:
        parse_date(text, "--as-of ")
    except PowdataError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _cmd_show(args: argparse.Namespace) -> int:
    from powdata._io.escape import printable
    from powdata.export import table
    from powdata.export.text import frame_text

    # every format escaped as the table is: no raw ESC, C1 or bidi override reaches the terminal (in JSON the
    # escape `\u202e` is a valid string escape, so the output still parses to the same values)
    sys.stdout.write(printable(frame_text(table(args.name, as_of=args.as_of), args.format)))
    return 0


def _tell(message: str, stream: TextIO | None = None) -> None:
    """Say what a command wrote, on one line: a path the user typed is echoed with its control characters escaped."""
    from powdata._io.escape import one_line

    print(one_line(message), file=stream if stream is not None else sys.stderr)


def _cmd_export(args: argparse.Namespace) -> int:
    from powdata.export import export, export_package

    if args.name is None:  # the whole package
        done = export_package(args.to, force=args.force, database=args.database)
        said = {
            "v1": f"wrote a Data Package v1 copy to {done.path}",
            "sqlite": f"wrote {done.tables} tables and the figures view to {done.path}, and Datasette's metadata "
            f"for database {done.database!r} to {done.metadata} (datasette {done.path} --metadata {done.metadata})",
            "datasette": f"wrote Datasette metadata for database {done.database!r} to {done.path}",
        }
        _tell(said[done.kind])
        return 0
    one = export(args.name, args.to, force=args.force, as_of=args.as_of)
    _tell(f"wrote {one.rows} rows of {one.name} to {one.path}")
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from powdata.charts import CHARTS, plot

    written = plot(args.to, charts=args.chart or CHARTS, fmt=args.format, as_of=args.as_of)
    for target in written:
        _tell(f"wrote {target}")
    return 0


def _cmd_site(args: argparse.Namespace) -> int:
    from powdata.site import build_site

    out = build_site(args.to, html_too=not args.no_html, path=args.path)
    _tell(f"wrote {out / 'docs'}" + ("" if args.no_html else f" and {out / 'html'}"), stream=sys.stdout)
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

        from powdata._io.escape import printable

        print(printable(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)))
    else:
        sys.stdout.write(report.to_text())
    return 0 if report.valid else 1


def _cmd_build(args: argparse.Namespace) -> int:
    from powdata._io.gate import resolve_root
    from powdata.release.build import build_package

    done = build_package(resolve_root(args.path or "."))
    for path, label, changed in done.written:
        print(f"{path}{label}: {'rewritten' if changed else 'already up to date'}")
    if done.mismatch:
        print(
            f"powdata: the data of {', '.join(done.mismatch)} differ from the registry of this version; "
            "bump the version in datapackage.json (see `powdata diff git:HEAD .`) and build again",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from powdata.release.diff import diff_packages

    result = diff_packages(args.old, args.new)
    sys.stdout.write(result.render(args.format))
    return 0 if result.bump_ok else 1


def _cmd_evidence(args: argparse.Namespace) -> int:
    import json

    from powdata._io.escape import printable
    from powdata.evidence.check import check_evidence

    report = check_evidence(args.texts, args.package, args.not_data)
    if args.format == "json":
        print(printable(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)))
    else:
        sys.stdout.write(printable(report.to_text()))
    return 0 if report.ok else 1


def _cmd_propose(args: argparse.Namespace) -> int:
    from powdata._io.escape import printable
    from powdata.evidence.propose import propose_file, to_csv, to_table, write_proposals

    found = propose_file(args.text, language=args.language, published=args.published, package=args.package)
    if args.to:
        write_proposals(found, args.to)
        _tell(f"wrote {len(found)} proposed rows to {args.to}; nothing was written into the data")
        return 0
    sys.stdout.write(printable(to_csv(found) if args.format == "csv" else to_table(found)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (also used by the docs and the tests)."""
    parser = argparse.ArgumentParser(
        prog="powdata",
        description="Figures on foreign nationals fighting for Russia and held as POWs in Ukraine.",
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
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
    p.add_argument(
        "--database", help="database name in Datasette's metadata (default: the SQLite file's name, or powdata)"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--as-of", type=_as_of, help="only rows published on or before this date (YYYY-MM-DD)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("plot", help="draw the series as charts, SVG or PNG (needs powdata[plot])")
    p.add_argument("chart", nargs="*", help="vintages, periods, parts or an indicator_id (default: the three)")
    p.add_argument("--to", required=True, help="an existing folder; each chart is written as CHART.FORMAT")
    p.add_argument("--format", choices=["svg", "png"], default="svg")
    p.add_argument("--as-of", type=_as_of, help="only figures published on or before this date (YYYY-MM-DD)")
    p.set_defaults(func=_cmd_plot)

    p = sub.add_parser("site", help="write the web site's pages and build them with MkDocs (needs powdata[site])")
    p.add_argument("path", nargs="?", help="a datapackage.json or its folder (default: the installed package)")
    p.add_argument("--to", default="build/site", help="output folder: docs/, mkdocs.yml, html/ (default: build/site)")
    p.add_argument("--no-html", action="store_true", help="write the Markdown pages only, do not run MkDocs")
    p.set_defaults(func=_cmd_site)

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

    p = sub.add_parser(
        "evidence", help="check every excerpt against a folder of retrieved texts with an index.csv (maintainers)"
    )
    p.add_argument("texts", help="the folder of retrieved texts; its index.csv matches each to a source by url")
    p.add_argument("--package", default=".", help="the package folder (default: the current folder)")
    p.add_argument("--not-data", help="the list of numbers that are not data (default: evidence/not-data.csv)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=_cmd_evidence)

    p = sub.add_parser("propose", help="propose candidate rows from one retrieved text (maintainers; powdata[propose])")
    p.add_argument("text", help="a retrieved text, UTF-8 (its language from a name ending .xx.txt, or --language)")
    p.add_argument("--language", help="en, uk, ru, de or bg")
    p.add_argument("--published", help="the text's publication date YYYY-MM-DD (dates 'on Thursday', '25 лютого')")
    p.add_argument("--package", help="the package whose indicators and areas to match (default: . or installed)")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--to", help="write the proposals as CSV to this file (never into data/)")
    p.set_defaults(func=_cmd_propose)

    p = sub.add_parser("diff", help="compare two releases and check the version bump")
    p.add_argument("old", help="package folder, datapackage.json, or git:REF")
    p.add_argument("new", help="package folder, datapackage.json, or git:REF")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.set_defaults(func=_cmd_diff)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit does not fail again flushing what could not be written."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing to flush at exit
        pass


def _error(text: str) -> None:
    """Print one line on stderr: control characters escaped, newlines folded."""
    from powdata._io.escape import printable

    print(printable("powdata: error: " + " ".join(text.split("\n"))), file=sys.stderr)


def _tolerate_narrow_terminal() -> None:
    """Let an ASCII-only terminal (``PYTHONIOENCODING=ascii``) show ``→`` as ``\\u2192``, not crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or detached stream: leave it
                reconfigure(errors="backslashreplace")


GC_THRESHOLD = (100_000, 50, 100)
"""The collector's thresholds in the ``powdata`` process (Python's default: 700, 10, 10).

Importing pandas and pandera and typing the tables allocate millions of objects
that live until the process ends; at the default threshold the cyclic collector
walks them again and again, about 7% of a cold ``powdata validate``. Collections
still run (every 100,000 net allocations), so memory stays bounded. mypy's
command line does the same. Set by the console command (`run`), never by
``import powdata``: a library does not change its caller's collector.
"""


def run() -> int:
    """The ``powdata`` console command and ``python -m powdata``: `main` with the command's collector settings.

    When the command is done the process ends: every object left is frozen
    (``gc.freeze``), so the interpreter's last collection does not walk the
    millions that pandas, pandera and pyarrow made (about 0.1 s of a cold
    ``powdata validate``). Exit handlers and finalizers still run; only that
    last walk is saved.
    """
    import gc

    gc.set_threshold(*GC_THRESHOLD)
    code = main()
    gc.freeze()
    return code


def _working_folder() -> bool:
    """Whether the working folder can be read, else one line saying so (pandera and relative paths need it)."""
    try:
        os.getcwd()
    except OSError as exc:
        _error(f"the current folder cannot be read ({exc.strerror}; was it deleted?); cd into an existing folder")
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    _tolerate_narrow_terminal()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)  # --version prints here: its failed write is handled below
        func: Callable[[argparse.Namespace], int] = args.func
        if not _working_folder():
            return 2
        code = func(args)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, inside the handlers below
        return code
    except IntegrityError as exc:
        _error(str(exc))
        return 1
    except PowdataError as exc:
        _error(str(exc))
        return 2
    except BrokenPipeError:  # `powdata show observations | head`
        _silence_stdout()
        return 0
    except OSError as exc:  # disk full, a folder where a file is expected, permissions: the system's words
        _silence_stdout()
        target = exc.filename2 or exc.filename  # os.replace names the temporary file first, the target second
        where = f": {target}" if target else ""
        _error(f"{exc.strerror or exc}{where}")
        return 2
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
