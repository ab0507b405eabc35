"""Compare two releases of the data package and check the version bump.

Changes are classified by the Data Package Version recipe:

* **MAJOR** — a resource or field removed, a field retyped or its constraints
  tightened, a row removed (its id is never reused), or an id reused for another
  figure (its indicator, area, period, vintage or source changed);
* **MINOR** — a resource, field or row added (a new vintage is new rows);
* **PATCH** — a corrected value or text in an existing row, an identifying field that
  was blank filled in (a date that was not known), a corrected archived text, or
  changed metadata.

The actual change of ``version`` must be at least the required level; data that
change while the version does not are refused. Both states are read into memory
(``git:REF`` through ``git show``): nothing is written, the network is not used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata import _package
from powdata._io.escape import markdown_inline, one_line, printable, shown
from powdata._io.gate import check_version, gate, max_file_bytes, read_gated
from powdata._io.git import git_read
from powdata._io.integrity import check_width
from powdata._schema import csv_row, read_raw
from powdata.errors import PackageReadError

if TYPE_CHECKING:
    import pandas as pd

LEVELS = ("none", "patch", "minor", "major")
IDENTITY_COLUMNS = {"indicator_id", "area_id", "period_start", "period_end", "as_of", "source_id", "unit", "member_id"}


def _tightened(key: str, old: Any, new: Any) -> bool:
    """True when constraint ``key`` going from ``old`` to ``new`` can reject data it accepted before.

    A raised minimum or a lowered maximum tightens; the reverse loosens. A new or
    changed pattern cannot be compared, so it counts as tightened (the safe side).
    """
    if new is None or new is False:
        return False  # a constraint removed only loosens
    if old is None or old is False:
        return True  # a constraint added can only tighten
    try:
        if key in ("minimum", "minLength"):
            return bool(new > old)
        if key in ("maximum", "maxLength"):
            return bool(new < old)
        if key == "enum":
            return not set(old) <= set(new)
    except TypeError:  # a bound changed type (a number to a date string): cannot be compared
        return True
    return True


@dataclass
class Snapshot:
    """One state of the package: its descriptor and the bytes of each resource."""

    label: str
    descriptor: dict[str, Any]
    tables: dict[str, bytes]


@dataclass
class Change:
    """One difference between two states, with the bump level it requires."""

    level: str
    kind: str
    resource: str | None
    detail: str


@dataclass
class DiffResult:
    """All changes, the level they require and whether the version change meets it."""

    old: str
    new: str
    old_version: str
    new_version: str
    changes: list[Change] = field(default_factory=list)

    @property
    def required(self) -> str:
        """The bump the changes require (none, patch, minor, major)."""
        return max((c.level for c in self.changes), key=LEVELS.index, default="none")

    @property
    def actual(self) -> str:
        """The bump the version numbers show."""
        return bump_level(self.old_version, self.new_version)

    @property
    def bump_ok(self) -> bool:
        """True when the version moved at least as far as the changes require."""
        return LEVELS.index(self.actual) >= LEVELS.index(self.required)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return {
            "old": self.old,
            "new": self.new,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "required_bump": self.required,
            "actual_bump": self.actual,
            "bump_ok": self.bump_ok,
            "changes": [c.__dict__ for c in self.changes],
        }

    def verdict(self) -> str:
        """One sentence: does the version change fit the data change?"""
        if self.bump_ok and self.required == "none":
            return f"OK: no changes, version {self.old_version} → {self.new_version} ({self.actual})"
        if self.bump_ok:
            return f"OK: {self.required} changes, version {self.old_version} → {self.new_version} ({self.actual})"
        if self.actual == "none":
            return f"REFUSED: data changed ({self.required}) but the version stayed {self.new_version}"
        return (
            f"REFUSED: the changes need a {self.required} bump but {self.old_version} → {self.new_version} "
            f"is {self.actual}"
        )

    def render(self, fmt: str = "text") -> str:
        """Render as ``text``, ``json`` or ``markdown`` (for a pull-request comment)."""
        if fmt == "json":  # one change per line: json's indenting encoder is pure Python, 10x slower
            head = {k: v for k, v in self.to_dict().items() if k != "changes"}
            text = json.dumps(head, indent=2, ensure_ascii=False)[:-2]
            items = ",\n    ".join(json.dumps(c.__dict__, ensure_ascii=False) for c in self.changes)
            tail = f',\n  "changes": [\n    {items}\n  ]\n}}\n' if items else ',\n  "changes": []\n}\n'
            return printable(text + tail)  # \u009b and the like become JSON escapes too
        if fmt == "markdown":  # every untrusted text escaped: a field name cannot forge a verdict or an image
            md = markdown_inline
            lines = [f"### powdata diff: {md(self.old)} → {md(self.new)}", "", f"**{md(self.verdict())}**", ""]
            if self.changes:
                lines += ["| level | change | resource | detail |", "|---|---|---|---|"]
                lines += [
                    f"| {c.level} | {md(c.kind)} | {md(c.resource or '—')} | {md(c.detail)} |" for c in self.changes
                ]
            else:
                lines.append("No changes.")
            return "\n".join(lines) + "\n"
        one = one_line  # a newline in a key or field name cannot forge a line
        lines = [f"powdata diff {one(self.old)} → {one(self.new)}", one(self.verdict())]
        lines += [
            f"  {c.level:<5}  {one(c.kind):<16} {one(c.resource or '-'):<14} {one(c.detail)}" for c in self.changes
        ]
        return "\n".join(lines) + "\n"


def bump_level(old: str, new: str) -> str:
    """Return how far ``new`` moved from ``old`` (none, patch, minor, major; a step back is none).

    Both must be semantic versions as `powdata build` requires them
    (`powdata._io.gate.check_version`: ASCII digits, exactly three parts).
    """
    o, n = _triple(old), _triple(new)
    if n <= o:
        return "none"
    if n[0] > o[0]:
        return "major"
    return "minor" if n[1] > o[1] else "patch"


def _triple(version: str) -> tuple[int, int, int]:
    major, minor, patch = check_version(version).split("-", 1)[0].split("+", 1)[0].split(".")
    return int(major), int(minor), int(patch)


class Budget:
    """The bytes one `diff` may still read, over both states and every file (`powdata._io.gate.max_file_bytes`).

    A history that declares one large file under many names would otherwise be
    read once per name; each path is read once (`Snapshot` shares the bytes)
    and every read is charged here before it happens.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = max_file_bytes() if limit is None else limit
        self.remaining = self.limit

    def take(self, size: int, what: str) -> None:
        """Charge ``size`` bytes, or refuse when that would pass the budget."""
        if size > self.remaining:
            msg = (
                f"{what}: reading {size} more bytes would pass the budget of {self.limit} bytes for one diff "
                "(POWDATA_MAX_BYTES); refused"
            )
            raise PackageReadError(msg)
        self.remaining -= size


def snapshot(spec: str | Path, budget: Budget | None = None) -> Snapshot:
    """Open a package folder, a descriptor, or ``git:REF`` (this repository at REF) the one way (`Package.open`).

    Each path is read once however many resources declare it, and every byte
    read is charged to ``budget`` (one per `diff` call).
    """
    from powdata.package import Package

    budget = Budget() if budget is None else budget
    text = str(spec)
    pkg = Package.open(spec)
    read: dict[str, bytes] = {}  # path -> bytes: a file declared twice is read once
    tables: dict[str, bytes] = {}
    what = f"git:{shown(text[4:] or 'HEAD')}" if pkg.commit is not None else ""
    if pkg.commit is not None:
        budget.take(len(pkg.descriptor_bytes or b""), what)
    for res in pkg.descriptor["resources"]:
        if pkg.commit is not None:
            key = str(res["path"])
            if key not in read:
                where = f"{what}: resource {res['name']!r}"
                limit = min(max_file_bytes(), budget.remaining)
                why = "the limit" if limit == max_file_bytes() else "the budget left for this diff"
                data = git_read(pkg.commit, res["path"], where, limit=limit, why=why)
                budget.take(len(data), where)
                read[key] = data
        else:
            path = pkg.path(res["name"])
            key = str(path)
            if key not in read:
                where = f"resource {shown(res['name'])}"
                assert pkg.root is not None  # a package not read from git has its folder
                gate(pkg.root, res.get("path"), where)  # the limit of one file first, then the budget
                budget.take(path.stat().st_size, where)
                read[key] = read_gated(path, where, max_file_bytes())
        tables[res["name"]] = read[key]
    return Snapshot(text, pkg.descriptor, tables)


def _fields(res: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schema = res.get("schema")
    fields = schema.get("fields", []) if isinstance(schema, dict) else []
    return {f["name"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}


_DESCRIBING = frozenset({"title", "description", "example", "rdfType"})
"""Field and schema properties that describe, not constrain: a change is a patch."""
_SCHEMA_HANDLED = frozenset({"fields", "primaryKey", "foreignKeys", "missingValues", "$schema", "profile"})


def _key_list(value: Any) -> list[str]:
    """A Table Schema key (a field name or a list of them) as a list."""
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def _foreign_keys(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Each foreign key of ``schema`` by a readable label (a reference without a resource is to ``name`` itself)."""
    out = {}
    for fk in schema.get("foreignKeys", []) if isinstance(schema.get("foreignKeys"), list) else []:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            continue
        ref = fk["reference"]
        label = f"({', '.join(_key_list(fk.get('fields')))}) → {ref.get('resource') or name}"
        out[label + f"({', '.join(_key_list(ref.get('fields')))})"] = fk
    return out


def _schema_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference between the Table Schemas of two states of ``name``, each with its semver level.

    MAJOR: a field removed, retyped, reformatted, reordered or read differently
    (any property that is not a description), a constraint tightened, the
    primary key changed, a foreign key added, the missing values changed.
    MINOR: a field added, a constraint loosened, a foreign key removed. PATCH: a
    title or description. Nothing that differs goes unreported.
    """
    out: list[Change] = []
    sh = shown
    os_, ns_ = old.get("schema"), new.get("schema")
    os_, ns_ = (os_ if isinstance(os_, dict) else {}), (ns_ if isinstance(ns_, dict) else {})
    of, nf = _fields(old), _fields(new)
    for f in sorted(of.keys() - nf.keys()):
        out.append(Change("major", "field removed", name, f"{f} (renamed or dropped)"))
    for f in sorted(nf.keys() - of.keys()):
        out.append(Change("minor", "field added", name, f))
    common_old = [f for f in of if f in nf]
    common_new = [f for f in nf if f in of]
    if common_old != common_new:
        out.append(Change("major", "fields reordered", name, f"{', '.join(common_old)} → {', '.join(common_new)}"))
    for f in sorted(of.keys() & nf.keys()):
        if of[f].get("type") != nf[f].get("type"):
            out.append(Change("major", "field retyped", name, f"{f}: {of[f].get('type')} → {nf[f].get('type')}"))
        for key in sorted((of[f].keys() | nf[f].keys()) - {"name", "type", "constraints"}):
            if of[f].get(key) != nf[f].get(key):
                level = "patch" if key in _DESCRIBING else "major"
                kind = "field described" if level == "patch" else "field read differently"
                out.append(Change(level, kind, name, f"{f}.{key}: {sh(of[f].get(key))} → {sh(nf[f].get(key))}"))
        oc, nc = of[f].get("constraints", {}), nf[f].get("constraints", {})
        oc, nc = (oc if isinstance(oc, dict) else {}), (nc if isinstance(nc, dict) else {})
        for key in sorted(oc.keys() | nc.keys()):
            if oc.get(key) == nc.get(key):
                continue
            tighter = _tightened(key, oc.get(key), nc.get(key))
            out.append(
                Change(
                    "major" if tighter else "minor",
                    "constraint " + ("tightened" if tighter else "loosened"),
                    name,
                    f"{f}.{key}: {sh(oc.get(key))} → {sh(nc.get(key))}",
                )
            )
    opk, npk = _key_list(os_.get("primaryKey")), _key_list(ns_.get("primaryKey"))
    if opk != npk:
        out.append(Change("major", "primary key changed", name, f"({', '.join(opk)}) → ({', '.join(npk)})"))
    ofk, nfk = _foreign_keys(name, os_), _foreign_keys(name, ns_)
    for label in sorted(ofk.keys() - nfk.keys()):
        out.append(Change("minor", "foreign key removed", name, label))
    for label in sorted(nfk.keys() - ofk.keys()):
        out.append(Change("major", "foreign key added", name, label))
    omv, nmv = os_.get("missingValues", [""]), ns_.get("missingValues", [""])
    if omv != nmv:
        out.append(Change("major", "missing values changed", name, f"{sh(omv)} → {sh(nmv)} (cells read differently)"))
    for key in sorted((os_.keys() | ns_.keys()) - _SCHEMA_HANDLED):
        if os_.get(key) != ns_.get(key):
            level = "patch" if key in _DESCRIBING else "major"
            out.append(Change(level, "schema changed", name, f"{key}: {sh(os_.get(key))} → {sh(ns_.get(key))}"))
    return out


def _row_changes(
    name: str,
    key: list[str],
    old: bytes,
    new: bytes,
    labels: tuple[str, str],
    res: tuple[dict[str, Any], dict[str, Any]],
) -> list[Change]:
    """The rows removed, added and corrected between two CSV files, matched by primary key.

    Vectorised: the cells of the common rows are compared as two arrays at once,
    so 300,000 corrected values take a second or two, not minutes.
    """
    import numpy as np

    def frame(data: bytes, label: str, state: dict[str, Any]) -> pd.DataFrame:
        try:
            check_width(state, data)  # refused before parsing, as validate and load refuse it
        except PackageReadError as exc:
            raise PackageReadError(f"{shown(label)}: {exc}") from None
        try:
            df = read_raw(data, {"missingValues": []})  # the one reader; the text as written: "" stays ""
        except Exception as exc:  # bad bytes, ragged rows, bad quoting (pandas and pyarrow raise their own types)
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            msg = f"{label}: resource {name!r} cannot be parsed as CSV ({shown(first, 200)})"
            raise PackageReadError(msg) from None
        if not key or not set(key) <= set(df.columns):
            return df
        dup = df.duplicated(key, keep="first").to_numpy()
        if dup.any():
            msg = (
                f"{label}: resource {name!r}, row {csv_row(dup.nonzero()[0][0])}: the primary key "
                f"{', '.join(key)} is used twice; run `powdata validate` before `powdata diff`"
            )
            raise PackageReadError(msg)
        return df.set_index(key)

    o, n = frame(old, labels[0], res[0]), frame(new, labels[1], res[1])
    out: list[Change] = []
    for k in o.index.difference(n.index):
        out.append(Change("major", "row removed", name, f"{_key(k)} (an id is never dropped or reused)"))
    for k in n.index.difference(o.index):
        out.append(Change("minor", "row added", name, _key(k)))
    common = o.index.intersection(n.index)
    cols = [c for c in o.columns if c in n.columns]
    missing = "\x00"  # a ragged row's missing cell; no CSV cell read as text can hold NUL
    a = o.loc[common, cols].astype(object).fillna(missing).to_numpy()
    b = n.loc[common, cols].astype(object).fillna(missing).to_numpy()
    rows, where = np.nonzero(a != b) if a.size else (np.array([], int), np.array([], int))
    keys = common[rows].tolist()  # one vectorised take, not an index lookup per change
    for k, r, j in zip(keys, rows.tolist(), where.tolist(), strict=True):
        c = cols[j]
        filled = c in IDENTITY_COLUMNS and a[r, j] == ""  # an unknown date now known: same figure
        level = "major" if c in IDENTITY_COLUMNS and not filled else "patch"
        kind = "id reused" if level == "major" else ("value corrected" if c == "value" else "text corrected")
        kind = "blank filled in" if filled else kind
        old_v, new_v = shown(a[r, j]), shown(b[r, j])
        out.append(Change(level, kind, name, f"{_key(k)}.{c}: {old_v} → {new_v}"))
    return out


def _key(k: Any) -> str:
    return "/".join(map(str, k)) if isinstance(k, tuple) else str(k)


_DERIVED_RESOURCE_KEYS = frozenset(
    {"name", "schema", "hash", "bytes", "$schema", "format", "mediatype", "encoding", "type"}
)
"""Resource keys compared elsewhere (the schema, the data) or derived from the file by `powdata build`."""


def diff_snapshots(old: Snapshot, new: Snapshot) -> DiffResult:
    """Return every change from ``old`` to ``new`` and the bump it requires."""
    versions = []
    for snap in (old, new):  # checked exactly as `powdata build` checks it
        try:
            versions.append(check_version(snap.descriptor.get("version")))
        except PackageReadError as exc:
            raise PackageReadError(f"{shown(snap.label)}: {exc}") from None
    result = DiffResult(old.label, new.label, versions[0], versions[1])
    ores = {r["name"]: r for r in old.descriptor["resources"]}
    nres = {r["name"]: r for r in new.descriptor["resources"]}
    for name in sorted(ores.keys() - nres.keys()):
        result.changes.append(Change("major", "resource removed", name, name))
    for name in sorted(nres.keys() - ores.keys()):
        result.changes.append(Change("minor", "resource added", name, name))
    for name in [n for n in nres if n in ores]:
        result.changes += _schema_changes(name, ores[name], nres[name])
        for key in sorted((ores[name].keys() | nres[name].keys()) - _DERIVED_RESOURCE_KEYS):
            if ores[name].get(key) != nres[name].get(key):
                level = "major" if key == "path" else "patch"  # a moved file breaks whoever opens it by path
                detail = f"{key}: {shown(ores[name].get(key))} → {shown(nres[name].get(key))}"
                result.changes.append(
                    Change(level, "resource moved" if key == "path" else "metadata changed", name, detail)
                )
        if old.tables[name] != new.tables[name] and _package.is_text(nres[name]):
            result.changes.append(Change("patch", "text corrected", name, f"{nres[name].get('path')} changed"))
        elif old.tables[name] != new.tables[name]:
            pk = nres[name].get("schema", {}).get("primaryKey", [])
            key = [pk] if isinstance(pk, str) else list(pk)  # a Table Schema may name one field as a string
            result.changes += _row_changes(
                name, key, old.tables[name], new.tables[name], (old.label, new.label), (ores[name], nres[name])
            )
    skip = {"resources", "version", "created"}
    for k in sorted((old.descriptor.keys() | new.descriptor.keys()) - skip):
        if old.descriptor.get(k) != new.descriptor.get(k):
            result.changes.append(Change("patch", "metadata changed", None, k))
    return result


def diff_packages(old: str | Path, new: str | Path) -> DiffResult:
    """Compare two package states given as folders, descriptors or ``git:REF``.

    Examples
    --------
    >>> from powdata._io.gate import default_root
    >>> diff_packages(default_root(), default_root()).required
    'none'
    """
    budget = Budget()  # one budget for the whole call: both states, every file
    return diff_snapshots(snapshot(old, budget), snapshot(new, budget))
