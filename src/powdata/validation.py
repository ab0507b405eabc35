"""Validate a data package: safety, Frictionless structure and integrity, Pandera and cross rules.

The steps, merged into one `Report`:

1. **Safety** — before anything is read, every resource path is checked
   (no URL, no absolute path, no ``..``, no symlink out of the folder):
   Frictionless would fetch an http(s) path even in its untrusted mode.
2. **Frictionless** — the stock validator: descriptor, encoding, shape, types,
   constraints, keys, foreign keys, sha256 and byte counts.
3. **Pandera** — a model generated from each Table Schema checks the typed frame.
4. **Cross rules** — the interval rules of ``powdata.rules``.

Nothing is written and the network is never used. pandera and frictionless are
imported only here, so ``import powdata`` and ``load`` stay light.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from powdata import _package
from powdata.errors import MissingExtraError, PackageReadError
from powdata.report import ERROR, Problem, Report

_FRICTIONLESS_RULE = {
    "type-error": "type",
    "hash-count": "hash",
    "byte-count": "bytes",
    "foreign-key": "foreign-key",
    "primary-key": "primary-key",
    "unique-error": "unique",
    "missing-cell": "missing-cell",
    "extra-cell": "extra-cell",
    "encoding-error": "encoding",
}


def _require_extra() -> None:
    try:
        import frictionless  # noqa: F401
        import pandera  # noqa: F401
    except ImportError as exc:
        msg = (
            f"powdata validate needs pandera and frictionless ({exc.name} is missing); "
            "install them with: pip install 'powdata[validate]'"
        )
        raise MissingExtraError(msg) from None


def _frictionless_problems(root: Path) -> list[Problem]:
    import frictionless

    try:
        package = frictionless.Package(str(_package.descriptor_path(root)))
        report = package.validate()
    except frictionless.FrictionlessException as exc:
        err = exc.error
        return [Problem(f"frictionless-{err.type}", ERROR, err.message)]
    out = []
    for err in report.errors:
        out.append(Problem(f"frictionless-{err.type}", ERROR, err.message))
    for task in report.tasks:
        for err in task.errors:
            rule = _FRICTIONLESS_RULE.get(err.type, err.type)
            if err.type == "constraint-error":
                m = re.search(r'constraint "(\w+)"', getattr(err, "note", "") or "")
                rule = {"minLength": "length", "maxLength": "length"}.get(m.group(1), m.group(1)) if m else "constraint"
            row = getattr(err, "row_number", None)
            column = getattr(err, "field_name", None)
            out.append(Problem(rule, ERROR, f"{err.message}", task.name, row, column))
    return out


def _descriptor_problems(root: Path) -> list[Problem]:
    from powdata.build import stale_parts

    if not (root / "schemas").is_dir():
        return []
    stale = stale_parts(root)
    if not stale:
        return []
    msg = f"the descriptor is stale ({', '.join(stale)}); run `powdata build` and commit datapackage.json"
    return [Problem("descriptor-stale", ERROR, msg)]


def _typed_frames(root: Path, desc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[Problem]]:
    from powdata import _coerce
    from powdata.pandera_models import check_frame, schema_model

    frames: dict[str, Any] = {}
    schemas: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for res in desc["resources"]:
        name = res["name"]
        schema = res.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            problems.append(Problem("schema", ERROR, "expected an inline Table Schema; run `powdata build`", name))
            continue
        data = _package.read_resource_bytes(root, res, verify=False)
        try:
            _package.check_integrity(res, data, _package.safe_resource_path(root, res))
        except Exception as exc:  # IntegrityError: reported, the rules still run on the data
            rule = "bytes" if "bytes but" in str(exc) else "hash"
            problems.append(Problem(rule, ERROR, str(exc), name))
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            msg = f"expected UTF-8 but byte {exc.start} ({data[exc.start]:#04x}) is not; re-save the file as UTF-8"
            problems.append(Problem("encoding", ERROR, msg, name, line))
            continue
        try:
            raw = _coerce.read_raw(data, schema)
        except Exception as exc:  # pandas ParserError and friends: ragged rows, bad quoting
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            problems.append(Problem("csv-format", ERROR, f"the CSV cannot be parsed: {first}", name))
            continue
        typed, type_problems = _coerce.coerce(raw, schema, name)
        problems += type_problems
        problems += check_frame(schema_model(schema, name), typed, name)
        frames[name] = typed
        schemas[name] = schema
    return frames, schemas, problems


def check_rules(root: Path, desc: dict[str, Any]) -> list[Problem]:
    """Run Pandera and the cross rules only (no Frictionless): the fast path the benchmark measures."""
    from powdata.rules import run_cross_rules

    frames, schemas, problems = _typed_frames(root, desc)
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
    _require_extra()
    from powdata.rules import run_cross_rules

    root = _package.resolve_root(path)
    desc = _package.read_descriptor(root)
    for res in desc["resources"]:  # safety first: refuse before anything is read
        target = _package.safe_resource_path(root, res)
        if not target.is_file():
            msg = f"resource {res['name']!r}: expected file {target} but it does not exist"
            raise PackageReadError(msg)
    report = Report(str(_package.descriptor_path(root)))
    frames, schemas, problems = _typed_frames(root, desc)
    report.add(problems)
    report.checked.append("pandera")
    cross = run_cross_rules(frames, schemas)
    if today is not None:
        from powdata.rules import rule_dates

        cross = [p for p in cross if p.rule not in ("date-order", "as-of-after-published", "future-date")]
        cross += rule_dates(frames, today) if "sources" in frames else []
    report.add(cross)
    report.checked.append("rules")
    report.add(_descriptor_problems(root))
    if structural:
        # Frictionless repeats a file's encoding error on every resource that refers to it.
        found = [p for p in _frictionless_problems(root) if not (p.rule == "encoding" and p.resource in frames)]
        report.add(found)
        report.checked.append("frictionless")
    return report
