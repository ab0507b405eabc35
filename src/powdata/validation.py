"""Validate a data package: safety, Frictionless structure and integrity, Pandera and cross rules.

The steps, merged into one `Report`:

1. **Safety** — before anything is parsed, every resource path passes the
   gate of ``powdata._package`` (no URL, no absolute path, no ``..``, no
   symlink out of the folder, a regular file), its size is compared with the
   declared ``bytes`` and its header with the schema's width (see SECURITY.md):
   Frictionless would fetch an http(s) path even in its untrusted mode.
2. **Frictionless** — the stock validator: descriptor, encoding, shape, types,
   constraints, keys, foreign keys, sha256 and byte counts. It runs in a child
   process (``powdata._frictionless_stage``) with the network disabled, in
   parallel with steps 3 and 4.
3. **Pandera** — a model generated from each Table Schema checks the typed frame.
4. **Cross rules** — the interval rules of ``powdata.rules``, and the check that
   every excerpt is a verbatim slice of its archived source text (``sources/*.txt``).

Nothing is written and the network is never used. pandera and frictionless are
imported only here, so ``import powdata`` and ``load`` stay light.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from powdata import _package
from powdata.errors import IntegrityError, MissingExtraError, PackageReadError
from powdata.report import ERROR, Problem, Report


def _require_extra() -> None:
    """Fail early, naming the extra, when pandera or frictionless cannot be imported.

    pandera is imported here for real (this process needs it next); frictionless
    only runs in the child process, so it is only looked up.
    """
    missing = None
    try:
        import pandera.pandas  # noqa: F401
    except ImportError:
        missing = "pandera"
    if missing is None and importlib.util.find_spec("frictionless") is None:
        missing = "frictionless"
    if missing:
        msg = (
            f"powdata validate needs pandera and frictionless ({missing} is missing); "
            "install them with: pip install 'powdata[validate]'"
        )
        raise MissingExtraError(msg)


def _start_frictionless(root: Path, data_bytes: int) -> tuple[subprocess.Popen[bytes], float]:
    """Start the Frictionless stage in a child process (see ``powdata._frictionless_stage``).

    The child gets memory and time limits scaled to the size of the data
    (`stage_limits`); it returns with the wall-clock deadline to wait for it.
    """
    from powdata._frictionless_stage import stage_limits

    package_parent = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    memory, seconds = stage_limits(data_bytes)
    env = {
        **os.environ,
        "PYTHONPATH": package_parent + (os.pathsep + path if path else ""),
        "POWDATA_STAGE_MEMORY": str(memory),
        "POWDATA_STAGE_SECONDS": str(seconds),
    }
    cmd = [sys.executable, "-m", "powdata._frictionless_stage", str(_package.descriptor_path(root))]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    return proc, 2.0 * seconds


def _finish_frictionless(proc: subprocess.Popen[bytes], timeout: float) -> list[Problem]:
    """Wait for the Frictionless stage (at most ``timeout`` seconds) and read its problems."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        msg = f"the Frictionless stage ran past its time limit ({timeout:.0f} s) and was stopped"
        return [Problem("frictionless-limit", ERROR, msg)]
    if proc.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        if proc.returncode < 0 or "MemoryError" in last[0]:
            msg = f"the Frictionless stage ran past its memory or time limit and was stopped ({last[0]})"
            return [Problem("frictionless-limit", ERROR, _package.shown(msg, 300))]
        msg = f"the Frictionless stage failed (exit {proc.returncode}): {last[0]}"
        return [Problem("frictionless-failed", ERROR, _package.shown(msg, 300))]
    try:
        found = json.loads(out)
        return [Problem(**{**p, "ids": tuple(p["ids"])}) for p in found]
    except (ValueError, TypeError, KeyError, RecursionError):
        return [Problem("frictionless-failed", ERROR, "the Frictionless stage gave output that is not its report")]


def _descriptor_problems(root: Path, contents: dict[str, bytes]) -> list[Problem]:
    """A stale descriptor (run `powdata build`), judged from the bytes validation already read."""
    from powdata.build import stale_parts

    if not (root / "schemas").is_dir():
        return []
    stale = stale_parts(root, contents)
    if not stale:
        return []
    msg = f"the descriptor is stale ({', '.join(stale)}); run `powdata build` and commit datapackage.json"
    return [Problem("descriptor-stale", ERROR, msg)]


def _archived_texts(
    root: Path,
    desc: dict[str, Any],
    *,
    integrity: bool,
    contents: dict[str, bytes] | None,
    skip: frozenset[str] = frozenset(),
) -> tuple[dict[str, str], list[Problem]]:
    """Read every archived source text (``sources/<source_id>.txt``), keyed by its source_id."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for res in _package.texts(desc):
        name = res["name"]
        if name in skip:  # refused by the size check
            continue
        data = _package.read_resource_bytes(root, res, verify=False)
        if contents is not None:
            contents[name] = data
        if integrity:
            try:
                _package.check_integrity(res, data, _package.safe_resource_path(root, res))
            except IntegrityError as exc:
                problems.append(Problem(exc.rule, ERROR, str(exc), name))
        try:
            texts[_package.text_source_id(res)] = data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data[: bad.start].count(b"\n") + 1
            msg = f"expected UTF-8 but byte {bad.start} ({data[bad.start]:#04x}) is not; re-save the text as UTF-8"
            problems.append(Problem("encoding", ERROR, msg, name, line))
    return texts, problems


def _typed_frames(
    root: Path,
    desc: dict[str, Any],
    *,
    integrity: bool = True,
    contents: dict[str, bytes] | None = None,
    skip: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[Problem]]:
    """Read, type and Pandera-check every table; ``integrity`` also checks sha256 and size.

    The bytes read are kept in ``contents`` when given, for the stale-descriptor
    check. Resources named in ``skip`` (refused by the size check) are not read.
    """
    from powdata import _coerce
    from powdata.pandera_models import check_frame, schema_model

    frames: dict[str, Any] = {}
    schemas: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for res in _package.tables(desc):
        name = res["name"]
        if name in skip:
            continue
        schema = res.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            problems.append(Problem("schema", ERROR, "expected an inline Table Schema; run `powdata build`", name))
            continue
        data = _package.read_resource_bytes(root, res, verify=False)
        if contents is not None:
            contents[name] = data
        if integrity:
            try:
                _package.check_integrity(res, data, _package.safe_resource_path(root, res))
            except IntegrityError as exc:  # reported; the rules still run on the data
                problems.append(Problem(exc.rule, ERROR, str(exc), name))
        try:
            raw = _coerce.read_raw(data, schema)
        except Exception as exc:  # bad bytes, ragged rows, bad quoting: say where, never a traceback
            problems.append(_unparsable(name, data, exc))
            continue
        typed, type_problems = _coerce.coerce(raw, schema, name)
        problems += type_problems
        problems += check_frame(schema_model(schema, name), typed, name)
        frames[name] = typed
        schemas[name] = schema
    return frames, schemas, problems


def _precheck(root: Path, desc: dict[str, Any]) -> tuple[list[Problem], frozenset[str], int]:
    """Check every resource before anything is parsed: the path gate, the declared size, the header width.

    Returns the size problems, the resources too large to read (a file much
    larger than its declared ``bytes``, see `_package.validate_limit`, is never
    read), and the bytes that will be read.
    """
    problems: list[Problem] = []
    oversize: set[str] = set()
    total = 0
    for res in desc["resources"]:
        path = _package.safe_resource_path(root, res)
        size = path.stat().st_size
        try:
            _package.check_size(res, size, path)
        except IntegrityError as exc:
            problems.append(Problem(exc.rule, ERROR, str(exc), res["name"]))
        if size > _package.validate_limit(res):
            if res.get("bytes") is None:
                msg = f"resource {res['name']!r}: {path} has {size} bytes, more than the limit of "
                raise PackageReadError(msg + f"{_package.max_file_bytes()}; refused before reading")
            oversize.add(res["name"])
            continue
        total += size
        _package.check_width(res, _package.read_head(path, f"resource {res['name']!r}"))
    return problems, frozenset(oversize), total


def _unparsable(name: str, data: bytes, exc: Exception) -> Problem:
    """Describe why a CSV file could not be parsed: its first bad byte, or the parser's words."""
    try:
        data.decode("utf-8")  # only now, on failure: decoding a large file costs time
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        msg = f"expected UTF-8 but byte {bad.start} ({data[bad.start]:#04x}) is not; re-save the file as UTF-8"
        return Problem("encoding", ERROR, msg, name, line)
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Problem("csv-format", ERROR, f"the CSV cannot be parsed: {first}", name)


def check_rules(root: Path, desc: dict[str, Any]) -> list[Problem]:
    """Run Pandera and the cross rules only (no Frictionless, no hashes): what the benchmark scales."""
    from powdata.rules import run_cross_rules

    frames, schemas, problems = _typed_frames(root, desc, integrity=False)
    return problems + run_cross_rules(frames, schemas)


def validate(path: str | Path | None = None, *, structural: bool = True, today: dt.date | None = None) -> Report:
    """Validate a data package and return one `Report` of every problem found.

    Parameters
    ----------
    path : str or Path, optional
        A ``datapackage.json`` or the folder holding one; default: the installed package.
    structural : bool
        Also run the stock Frictionless validation (default True).
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
    root = _package.resolve_root(path)
    desc = _package.read_descriptor(root)
    # safety first: every path gated, sizes and header widths checked before anything is parsed
    size_problems, oversize, total = _precheck(root, desc)
    if structural and importlib.util.find_spec("frictionless") is None:
        _require_extra()
    # start Frictionless first, so it works while this process imports pandas and pandera;
    # never on a file larger than its declared size (the stage would read it whole)
    stage, deadline = _start_frictionless(root, total) if structural and not oversize else (None, 0.0)
    try:
        _require_extra()
        from powdata.rules import run_cross_rules

        report = Report(str(_package.descriptor_path(root)))
        report.add(size_problems)
        # with Frictionless running, it checks sha256 and bytes; without it, we do
        contents: dict[str, bytes] = {}
        integrity = stage is None
        frames, schemas, problems = _typed_frames(root, desc, integrity=integrity, contents=contents, skip=oversize)
        texts, text_problems = _archived_texts(root, desc, integrity=integrity, contents=contents, skip=oversize)
        report.add(problems + text_problems)
        report.checked.append("pandera")
        report.add(run_cross_rules(frames, schemas, today=today, texts=texts))
        report.checked.append("rules")
    except BaseException:
        if stage is not None:
            stage.kill()
            stage.wait()
        raise
    if not oversize:
        report.add(_descriptor_problems(root, contents))
    if stage is not None:
        # Frictionless repeats a file's encoding error on every resource that refers to it.
        found = [
            p for p in _finish_frictionless(stage, deadline) if not (p.rule == "encoding" and p.resource in frames)
        ]
        report.add(found)
        report.checked.append("frictionless")
    return report
