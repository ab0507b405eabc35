"""Validate a data package: every check has exactly one owner, so a report never merges problems.

Who owns which check (nothing is checked twice, so nothing needs deduplicating):

- ``_io.gate`` and ``_io.integrity`` — the path gate: every resource path is local, inside the
  folder and a regular file, its size and header width within limits (refused
  before anything is parsed, see SECURITY.md); each file's size (checked before
  reading) and sha256: ``bytes``, ``hash``.
- ``_schema``'s reader — UTF-8 and CSV shape, each bad row located:
  ``encoding``, ``csv-format``, ``extra-cell``, ``missing-cell``.
- ``_schema``'s typer (``load`` uses it too) — the header names the schema's
  fields in order; each cell parses as its type, is in its string enum, is
  present when required: ``missing-column``, ``extra-column``, ``column-order``,
  ``type``, ``enum``, ``required``.
- the Pandera models generated from ``schemas/`` — every constraint on typed
  values: ``pattern``, ``minimum``, ``maximum``, ``length``, non-string
  ``enum``, ``unique``, ``primary-key``, ``foreign-key``.
- Frictionless (in a child process) — the descriptor against the Data Package
  profile: ``descriptor-…``.
- ``_derived`` (what ``powdata build`` writes) — the descriptor's derived parts
  are fresh: ``descriptor-stale``.
- the rules (``powdata.validation.rules``) — what crosses rows and tables:
  intervals, dates, ranks, vintages, excerpts; one id per rule.

A cell the typer cannot parse becomes missing, and every later check passes a
missing cell: one bad cell is one problem. Frictionless stays the oracle: a test
runs stock ``frictionless validate`` on every single-defect package of the suite
and asserts that powdata reports every place it reports.

Frictionless runs in a child process with the network disabled, in parallel
with the rest. Nothing is written and the network is never used. pandera and
frictionless are imported only here, so ``import powdata`` and ``load`` stay light.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata import _package
from powdata._io.escape import shown
from powdata._io.gate import check_version, descriptor_path, max_file_bytes, read_head
from powdata._io.integrity import check_size, check_width, integrity_errors, validate_limit
from powdata.errors import IntegrityError, MissingExtraError, PackageReadError
from powdata.validation import descriptor
from powdata.validation.report import ERROR, Problem, Report

if TYPE_CHECKING:
    from powdata.package import Package


def _import_pandera() -> None:
    """Import pandera without its Hypothesis strategies, unless Hypothesis is already loaded.

    pandera imports Hypothesis (0.2 s, a third of a cold validation) for data
    generation whenever it is installed; validation never generates data. The
    strategy modules are imported once with Hypothesis hidden, so they load in
    their no-Hypothesis form, and Hypothesis is visible again afterwards. (In that
    process pandera's ``.strategy()`` then says Hypothesis is missing; importing
    Hypothesis before validating keeps it.)
    """
    hidden = "hypothesis" not in sys.modules
    if hidden:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]  # makes `import hypothesis` fail
    try:
        import pandera.pandas
        import pandera.strategies.pandas_strategies  # noqa: F401
    finally:
        if hidden:
            sys.modules.pop("hypothesis", None)


def _require_extra() -> None:
    """Fail early, naming the extra, when pandera or frictionless cannot be imported.

    pandera is imported here for real (this process needs it next); frictionless
    only runs in the child process, so it is only looked up.
    """
    missing = None
    try:
        _import_pandera()
    except ImportError:
        missing = "pandera"
    if missing is None and importlib.util.find_spec("frictionless") is None:
        missing = "frictionless"
    if missing is None and importlib.util.find_spec("pyarrow") is None:  # RE2, the linear-time pattern matcher
        missing = "pyarrow"
    if missing:
        msg = (
            f"powdata validate needs pandera, frictionless and pyarrow ({missing} is missing); "
            "install them with: pip install 'powdata[validate]'"
        )
        raise MissingExtraError(msg)


def _read_package(
    pkg: Package,
    *,
    contents: dict[str, bytes] | None = None,
    digests: dict[str, str] | None = None,
    skip: frozenset[str] = frozenset(),
    sizes_checked: bool = True,
    sink: Report | None = None,
) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """Read, check the integrity of, and type every resource; then run each table's Pandera model.

    Every resource (a table or an archived source text) is checked against its
    sha256 and size; each text (packages older than 1.0.0) is decoded once. Tables
    are typed by ``powdata._schema`` (a cell that does not parse is reported once
    and becomes missing); a file the fast reader refuses is read again leniently,
    so each ragged row and bad byte is located and the good rows are still checked.
    The Pandera models run once every table is typed, since foreign keys look into
    other tables. The bytes read and their sha256 are kept in ``contents`` and
    ``digests`` when given, for the stale-descriptor check (each file is read and
    hashed once). Resources in ``skip`` (refused by the size check) are not read;
    the size itself is `_precheck`'s when ``sizes_checked``, so it is not reported twice.
    With a ``sink``, the problems of the Pandera models go straight into it as
    they are found (a capped report never holds a million of them) instead of
    into the list returned.
    """
    from powdata import _schema
    from powdata.validation.tableschema import check_frame, pattern_problems, schema_model

    frames: dict[str, Any] = {}
    texts: dict[str, str] = {}
    schemas: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    decoded: dict[str, str] = {}  # file -> text: a file declared by several resources is decoded once
    for res in pkg.descriptor["resources"]:
        name = res["name"]
        if name in skip:
            continue
        data = pkg.read(name, verify=False)  # a file declared by several resources is read and hashed once
        digest = pkg.digest(name)
        if contents is not None:
            contents[name] = data
        if digests is not None:
            digests[name] = digest
        path = pkg.path(name)
        for exc in integrity_errors(res, data, path, digest=digest, size=not sizes_checked):
            problems.append(Problem(exc.rule, ERROR, str(exc), name))  # reported; the checks still run
        if _package.is_text(res):  # an archived text of a package older than 1.0.0: integrity and UTF-8 only
            try:
                if digest not in decoded:
                    decoded[digest] = data.decode("utf-8")
                texts[_package.text_source_id(res)] = decoded[digest]
            except UnicodeDecodeError as bad:
                line = data[: bad.start].count(b"\n") + 1
                msg = f"expected UTF-8 but byte {bad.start} ({data[bad.start]:#04x}) is not; re-save the text as UTF-8"
                problems.append(Problem("encoding", ERROR, msg, name, line))
            continue
        if not _schema.has_table_schema(res):
            problems.append(Problem("schema", ERROR, "expected an inline Table Schema; run `powdata build`", name))
            continue
        schema = res["schema"]
        try:
            raw = _schema.read_raw(data, schema)
            flaws: list[_schema.Flaw] = []
        except Exception:  # bad bytes, ragged rows, bad quoting: locate each one
            raw, flaws = _schema.read_lenient(data, schema)
        typed, type_flaws = _schema.type_frame(raw, schema)
        problems += [Problem(f.rule, ERROR, f.message, name, f.row, f.column) for f in flaws + type_flaws]
        frames[name] = typed
        schemas[name] = schema
    for name, schema in schemas.items():
        problems += pattern_problems(schema, name)
        found = check_frame(schema_model(schema, name, frames), frames[name], name)
        if sink is not None:
            sink.add(found)
        else:
            problems += found
    return frames, texts, problems


MAX_RESOURCES = 256
"""The most resources validate reads (this package has eight; each costs a pandera pass and the rules)."""
MAX_FIELDS = 1024
"""The most fields one Table Schema may declare (each missing column costs a pandera check)."""


def _precheck(pkg: Package) -> tuple[list[Problem], frozenset[str], int]:
    """Check every resource before anything is parsed: the path gate, the declared size, the header width.

    Returns the size problems, the resources too large to read (a file much
    larger than its declared ``bytes``, see `_io.integrity.validate_limit`, is never
    read), and the bytes that will be read.
    """
    problems: list[Problem] = []
    oversize: set[str] = set()
    total = 0
    resources = pkg.descriptor["resources"]
    if len(resources) > MAX_RESOURCES:  # each costs a pandera pass and the rules: refuse before any is read
        msg = f"the descriptor declares {len(resources)} resources, more than the limit of {MAX_RESOURCES}; refused"
        raise PackageReadError(msg)
    for res in resources:
        schema = res.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if isinstance(fields, list) and len(fields) > MAX_FIELDS:
            msg = (
                f"resource {shown(res.get('name'))}: its Table Schema declares {len(fields)} fields, "
                f"more than the limit of {MAX_FIELDS}; refused before reading"
            )
            raise PackageReadError(msg)
    for res in resources:
        path = pkg.path(res["name"])
        size = path.stat().st_size
        try:
            check_size(res, size, path)
        except IntegrityError as exc:
            problems.append(Problem(exc.rule, ERROR, str(exc), res["name"]))
        if size > validate_limit(res):
            if res.get("bytes") is None:
                msg = f"resource {res['name']!r}: {path} has {size} bytes, more than the limit of "
                raise PackageReadError(msg + f"{max_file_bytes()}; refused before reading")
            oversize.add(res["name"])
            continue
        total += size
        check_width(res, read_head(path, f"resource {res['name']!r}"))
    return problems, frozenset(oversize), total


def _version_problems(desc: dict[str, Any]) -> list[Problem]:
    """A ``version`` that `powdata build` and `powdata diff` would refuse (ASCII MAJOR.MINOR.PATCH) is an error."""
    if "version" not in desc:
        return []
    try:
        check_version(desc["version"])
    except PackageReadError as exc:
        return [Problem("version", ERROR, str(exc))]
    return []


def validate(path: str | Path | None = None, *, structural: bool = True, today: dt.date | None = None) -> Report:
    """Validate a data package and return one `Report` of every problem found.

    Parameters
    ----------
    path : str or Path, optional
        A ``datapackage.json`` or the folder holding one; default: the installed package.
    structural : bool
        Also check the descriptor against the Data Package profile with Frictionless (default True).
    today : datetime.date, optional
        The date the future-date rule compares with (default: today).

    Raises
    ------
    PackageReadError
        The descriptor or a data file is missing, unreadable or malformed.
    UnsafePathError
        A resource path is remote, absolute or leaves the package folder.
    MissingExtraError
        pandera or frictionless is not installed.

    Examples
    --------
    >>> import powdata
    >>> powdata.validate().valid
    True
    """
    from powdata.package import Package

    pkg = Package.open(path if path is not None else None)
    root = pkg.descriptor_path.parent
    # safety first: every path gated, sizes and header widths checked before anything is parsed
    size_problems, oversize, total = _precheck(pkg)
    if structural and importlib.util.find_spec("frictionless") is None:
        _require_extra()
    # start Frictionless first, so it works while this process imports pandas and pandera;
    # never on a file larger than its declared size
    desc = pkg.descriptor
    stage, deadline = descriptor.start(desc, total) if structural and not oversize else (None, 0.0)
    try:
        _require_extra()
        from powdata.validation.rules import iter_rules

        report = Report(str(descriptor_path(root)))
        report.add(size_problems)
        report.add(_version_problems(desc))
        contents: dict[str, bytes] = {}
        digests: dict[str, str] = {}
        frames, texts, problems = _read_package(pkg, contents=contents, digests=digests, skip=oversize, sink=report)
        report.add(problems)
        report.checked.append("pandera")
        report.add(iter_rules(frames, today=today, texts=texts))
        report.checked.append("rules")
    except BaseException:
        if stage is not None:
            stage.kill()
            stage.wait()
        raise
    if not oversize:
        report.add(descriptor.stale_problems(root, contents, digests, current=pkg.descriptor))
    if stage is not None:
        report.add(descriptor.finish(stage, deadline))
        report.checked.append("frictionless")
    return report
