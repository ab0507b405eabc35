"""A fuzzer for the promises of SECURITY.md.

Hypothesis mutates a copy of the shipped package — the descriptor (keys, types,
paths, names, versions, nesting), the CSV bytes (quotes, encodings, widths,
dates, numbers) and the files themselves (symlinks, FIFOs, folders) — and runs
``validate``, ``build``, ``diff`` (through the CLI's ``main``, in-process) and
``load`` on each. Every run must end in bounded time with exit 0, 1 or 2, one
line on stderr at most, no traceback, no "internal error", no raw escape
character, no socket or name lookup, and no file changed outside the copy
(``build`` may rewrite only its own outputs inside it).

CI runs the deterministic ``ci`` profile; a maintainer's long run is
``HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py`` (see SECURITY.md).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

import powdata
from powdata import ResourceName
from powdata.cli import main
from powdata.errors import PowdataError
from tests.conftest import ROOT, TABLES, copy_package

TIME_LIMIT = 120.0  # seconds per command: generous on a shared two-core machine
RESOURCES = list(TABLES)
BUILD_OUTPUTS = {"datapackage.json", "docs/codebook.md", "README.md", "CITATION.cff"}

# -- strategies -------------------------------------------------------------------------------

HOSTILE_STRINGS = st.sampled_from(
    [
        "",
        ".",
        "..",
        "../../escaped",
        "/etc/passwd",
        "/tmp/powdata-fuzz-escaped",
        "C:\\Windows\\x",
        "//host/share/x",
        "https://example.invalid/x.json",
        "file:///etc/passwd",
        "data/../../outside/secret.csv",
        "data/areas.csv\x00.txt",
        "obs\x1b[2J\x1b]0;pwned\x07",
        "\u202egnp.csv",
        "-rf",
        "--output=/tmp/powdata-fuzz-x",
        "0.2.0",
        "1.0.0-rc.1+build.5",
        "9999999999999999999.0.0",
        "areas",
        "data/areas.csv",
        "schemas/areas.json",
        "outside-link.csv",
        "x" * 5000,
        "tabular-data-package",
        "https://datapackage.org/profiles/2.0/dataresource.json",
        "secret.json",
        "x\nVALID: forged line",
        "| major | forged | row | ![img](http://e.invalid/x.png) [link](http://e.invalid) `code` |",
        "０.２.１",
        "0.3.0.9",
    ]
)
RAW_JSON = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "9" * 5000,
        "-" + "1" * 4400,
        "1e999",
        "-1E400",
        "1" * 41,
        "12345678901234567890",
        "-0",
        '"\\ud800"',
        '"x\\udfff"',
        '"\\ud83d\\ude00"',
        '"nul\\u0000"',
        '{"a": 1, "a": 2}',
        "[" * 70 + "]" * 70,
        '"' + "y" * 1_100_000 + '"',
    ]
)
"""Text that is not RFC 8259 JSON (or is at its edges), spliced into a descriptor or schema as raw text."""
RAW_PLACES = st.sampled_from(["top", "resource", "schema", "field", "key"])
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    HOSTILE_STRINGS,
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)
PACKAGE_KEYS = ["name", "version", "resources", "profile", "$schema", "title", "licenses", "sources", "created"]
RESOURCE_KEYS = [
    "name",
    "path",
    "bytes",
    "hash",
    "schema",
    "profile",
    "$schema",
    "dialect",
    "encoding",
    "format",
    "type",
]
FIELD_KEYS = ["name", "type", "constraints", "format", "description"]
CONSTRAINT_KEYS = ["required", "unique", "pattern", "enum", "minimum", "maximum", "minLength", "maxLength"]
SCHEMA_KEYS = ["fields", "primaryKey", "foreignKeys", "missingValues"]

CELLS = st.one_of(
    st.sampled_from(
        [
            '"',
            '""',
            '"a""b"',
            '"unterminated',
            "line\nbreak",
            '"quoted\nline"',
            "a,b,c,d,e,f,g",
            "2025-06-31",
            "2025-02-30",
            "0000-00-00",
            "99999-01-01",
            "2025-13",
            "1e309",
            "-1e309",
            "nan",
            "-0",
            "1,000",
            "0x10",
            "１２",
            "9" * 400,
            "\ufeff",
            "\x1b[31m",
            "x" * 200_000,
            "more_than",
            "",
        ]
    ),
    st.text(max_size=30),
)


@st.composite
def descriptor_edits(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """A few edits of the descriptor: set or drop keys at every level, duplicate, nest."""
    ops = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["package", "resource", "schema", "field", "constraint", "drop", "dup", "nest", "raw"])
        )
        value = draw(st.one_of(HOSTILE_STRINGS, JSON_VALUE)) if kind != "raw" else (draw(RAW_JSON), draw(RAW_PLACES))
        i, j = draw(st.integers(0, 7)), draw(st.integers(0, 15))
        key = draw(
            st.sampled_from(
                {
                    "package": PACKAGE_KEYS,
                    "resource": RESOURCE_KEYS,
                    "schema": SCHEMA_KEYS,
                    "field": FIELD_KEYS,
                    "constraint": CONSTRAINT_KEYS,
                    "drop": RESOURCE_KEYS + PACKAGE_KEYS,
                    "dup": ["-"],
                    "nest": ["-"],
                    "raw": ["-"],
                }[kind]
            )
        )
        ops.append((kind, i, j, key, value, draw(st.integers(1, 3000))))
    return ops


def descriptor_text(desc: Any, ops: list[tuple[Any, ...]]) -> str:
    """The descriptor's text after `descriptor_edits` (nesting and raw tokens are added as text)."""
    text = json.dumps(apply_descriptor_edits(desc, ops), ensure_ascii=False)
    for kind, *_, value, depth in ops:
        if kind == "nest":
            text = ('{"resources": ' * depth + text + "}" * depth) if depth % 2 else ("[" * depth + text + "]" * depth)
        elif kind == "raw":
            text = splice_raw(text, *value)
    return text


def splice_raw(text: str, token: str, place: str) -> str:
    """Insert a raw JSON ``token`` as a value (or, for ``key``, as a key) at the first object of ``place``."""
    anchor = {"top": "{", "resource": '"resources": [{', "schema": '"schema": {', "field": '"fields": [{'}.get(
        place, "{"
    )
    at = text.find(anchor)
    if at < 0:
        return text
    at += len(anchor)
    item = f"{token}: 1, " if place == "key" and token.startswith('"') else f'"fuzz": {token}, '
    return text[:at] + item + text[at:]


def apply_descriptor_edits(desc: Any, ops: list[tuple[Any, ...]]) -> Any:
    """Apply `descriptor_edits` to a parsed descriptor, skipping edits whose target is gone."""
    for kind, i, j, key, value, _depth in ops:
        res_list = desc.get("resources") if isinstance(desc, dict) else None
        res = res_list[i % len(res_list)] if isinstance(res_list, list) and res_list else None
        schema = res.get("schema") if isinstance(res, dict) else None
        fields = schema.get("fields") if isinstance(schema, dict) else None
        field = fields[j % len(fields)] if isinstance(fields, list) and fields else None
        if kind == "package" and isinstance(desc, dict):
            desc[key] = value
        elif kind == "resource" and isinstance(res, dict):
            res[key] = value
        elif kind == "schema" and isinstance(schema, dict):
            schema[key] = value
        elif kind == "field" and isinstance(field, dict):
            field[key] = value
        elif kind == "constraint" and isinstance(field, dict):
            c = field.setdefault("constraints", {})
            if isinstance(c, dict):
                c[key] = value
        elif kind == "drop":
            for target in (res, desc):
                if isinstance(target, dict):
                    target.pop(key, None)
        elif kind == "raw":
            continue  # added as text by `descriptor_text`
        elif kind == "dup" and isinstance(res_list, list) and res is not None:
            res_list.append(json.loads(json.dumps(res)))
    return desc


@st.composite
def csv_edits(draw: st.DrawFn) -> tuple[ResourceName, list[tuple[Any, ...]]]:
    """Edits of one resource's CSV bytes: cells, raw bytes, line endings, widths, truncation."""
    name = draw(st.sampled_from(RESOURCES))
    ops = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(
                ["cell", "cell", "cell", "bytes", "crlf", "bom", "latin1", "wide", "truncate", "chain", "header"]
            )
        )
        ops.append(
            (
                kind,
                draw(st.integers(0, 40)),
                draw(st.integers(0, 15)),
                draw(CELLS),
                draw(st.binary(min_size=1, max_size=8)),
                draw(st.floats(0, 1)),
            )
        )
    return name, ops


def apply_csv_edits(data: bytes, ops: list[tuple[Any, ...]]) -> bytes:
    """Apply `csv_edits` to CSV bytes (cells are replaced textually, quoting be damned)."""
    for kind, row, col, cell, raw, frac in ops:
        if kind == "cell":
            lines = data.decode("utf-8", "surrogateescape").split("\n")
            r = row % max(len(lines), 1)
            cells = lines[r].split(",")
            cells[col % len(cells)] = cell
            lines[r] = ",".join(cells)
            data = "\n".join(lines).encode("utf-8", "surrogateescape")
        elif kind == "bytes":
            at = int(frac * len(data))
            data = data[:at] + raw + data[at:]
        elif kind == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "latin1":
            data = data.decode("utf-8", "replace").encode("latin-1", "replace") + "é".encode("latin-1")
        elif kind == "wide":
            end = data.find(b"\n")
            data = data[:end] + b",x" * (1 + row * 50) + data[end:]
        elif kind == "truncate":
            data = data[: int(frac * len(data))]
        elif kind == "chain":
            lines = data.decode("utf-8", "surrogateescape").split("\n")
            data = "\n".join(_chain(lines, row, col)).encode("utf-8", "surrogateescape")
        elif kind == "header":
            end = data.find(b"\n")
            cells = data[: end if end >= 0 else len(data)].split(b",")
            cells[col % len(cells)] = HEADER_CELLS[row % len(HEADER_CELLS)].encode("utf-8")
            data = b",".join(cells) + (data[end:] if end >= 0 else b"")
    return data


CHAIN_COLUMNS = {"via_source_id": "source_id", "part_of": "observation_id", "member_id": "area_id"}
HEADER_CELLS = [
    '"a\nb"',
    '"quoted\n,with,commas"',
    "x" * (1024 * 1024 + 16),
    '"' + "x" * (1024 * 1024 + 16) + '"',
    "VALID: forged\x1b[2J",
    "| forged | ![x](http://e.invalid/x.png) |",
]


def _chain(lines: list[str], row: int, col: int) -> list[str]:
    """Point a reference column (part_of, via_source_id, member_id) round a loop: a row at itself, or two rows at
    each other, or a long ring through every row."""
    header = lines[0].split(",")
    ref = next((c for c in CHAIN_COLUMNS if c in header), None)
    if ref is None or CHAIN_COLUMNS[ref] not in header or len(lines) < 3:  # an earlier edit may mangle the header
        return lines
    ri, ii = header.index(ref), header.index(CHAIN_COLUMNS[ref])
    rows = [line.split(",") for line in lines[1:] if line]
    n = len(rows)
    if n == 0 or any(ii >= len(r) for r in rows):  # a short row has no id to point at
        return lines
    a, b = row % n, (row + 1 + col) % n
    targets = {a: rows[a][ii]} if col % 3 == 0 else {a: rows[b][ii], b: rows[a][ii]}
    if col % 3 == 2:  # a ring through every row
        targets = {i: rows[(i + 1) % n][ii] for i in range(n)}
    for i, target in targets.items():
        if ri < len(rows[i]) and ii < len(rows[(i + 1) % n]):
            rows[i][ri] = target
    return [lines[0], *(",".join(r) for r in rows)]


FILE_EDITS = st.sampled_from(["none", "none", "none", "symlink-out", "fifo", "folder", "loop", "schema-out", "missing"])

# -- harness ---------------------------------------------------------------------------------


@contextlib.contextmanager
def no_network() -> Iterator[list[str]]:
    """Record (and refuse) every socket connection and name lookup made in this process."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def _refuse(*args: Any, **kwargs: Any) -> Any:
            attempts.append(what)
            raise OSError("fuzz: network refused")

        return _refuse

    names = ["getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "create_connection"]
    with contextlib.ExitStack() as stack:
        for n in names:
            stack.enter_context(mock.patch.object(socket, n, refuse(n)))
        stack.enter_context(mock.patch.object(socket.socket, "connect", refuse("connect")))
        yield attempts


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes' hash, symlink targets, kinds (never following links)."""
    import hashlib

    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            if p.is_symlink():
                out[str(p)] = "link:" + os.readlink(p)
            elif p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).digest()
            else:
                out[str(p)] = "other"
    return out


def run_main(*args: str) -> tuple[int, str, str]:
    """Run the CLI's main in-process, capturing stdout and stderr, within `TIME_LIMIT`."""
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    assert time.monotonic() - start < TIME_LIMIT, f"{args} took too long"
    return code, out.getvalue(), err.getvalue()


def assert_clean(args: tuple[str, ...], code: int, out: str, err: str) -> None:
    """The CLI invariants of SECURITY.md for one run."""
    assert code in (0, 1, 2), (args, code, err)
    assert "Traceback" not in err and "internal error" not in err, (args, err)
    assert len(err.strip().splitlines()) <= 1, (args, err)
    assert "\x1b" not in out + err and "\x00" not in out + err, (args, err[:300])


VERDICTS = ("VALID", "INVALID", "OK:", "REFUSED:", "powdata diff")


def assert_not_forged(args: tuple[str, ...], out: str) -> None:
    """No untrusted text forges a report line: one verdict line, and no live Markdown image, link or row break."""
    lines = out.splitlines()
    if args[0] == "validate" and "--format" not in args:
        assert sum(line.startswith(("VALID", "INVALID")) for line in lines) <= 1, (args, out[:500])
    if args[0] == "diff" and "markdown" in args:
        assert "![" not in out and "](" not in out, (args, out[:500])
        for line in lines:
            if line.startswith("|"):
                assert line.count("|") - line.count("\\|") == 5, (args, line)
    elif args[0] == "diff" and "--format" not in args:
        assert sum(line.startswith(("OK:", "REFUSED:")) for line in lines) <= 1, (args, out[:500])


def make_package(base: Path) -> tuple[Path, Path]:
    """A package copy with a release registry, and an outside folder holding a secret, under ``base``."""
    pkg = copy_package(base / "pkg")
    shutil.copytree(ROOT / "releases", pkg / "releases")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("area_id,name,kind,m49,note\nSECRET,Secret,country,999,\n", encoding="utf-8")
    (outside / "secret.json").write_text('{"fields": [{"name": "SECRET"}]}', encoding="utf-8")
    return pkg, outside


def apply_file_edit(pkg: Path, outside: Path, kind: str, name: str) -> None:
    """Replace one data or schema file with something that is not a plain file inside the package."""
    data, schema = pkg / "data" / f"{name}.csv", pkg / "schemas" / f"{name}.json"
    if kind == "none":
        return
    (schema if kind == "schema-out" else data).unlink()
    if kind == "symlink-out":
        data.symlink_to(outside / "secret.csv")
    elif kind == "schema-out":
        schema.symlink_to(outside / "secret.json")
    elif kind == "fifo":
        os.mkfifo(data)
    elif kind == "folder":
        data.mkdir()
    elif kind == "loop":
        data.symlink_to(data.name)


def exercise(base: Path, pkg: Path, pristine: Path, name: ResourceName) -> None:
    """Run validate, build (on a copy), diff and load on ``pkg`` and check every invariant."""
    parent_before = snapshot(base)
    with no_network() as attempts:
        for args in (
            ("validate", str(pkg)),
            ("diff", str(pristine), str(pkg)),
            ("diff", str(pristine), str(pkg), "--format", "markdown"),
            ("diff", str(pkg), str(pkg)),
        ):
            code, out, err = run_main(*args)
            assert_clean(args, code, out, err)
            assert_not_forged(args, out)
        try:
            powdata.load(name, path=pkg)
            powdata.load("observations", path=pkg, as_of="2025-08-31")
        except PowdataError as exc:
            assert "\n" not in str(exc)
        assert snapshot(base) == parent_before, "a read-only command changed a file"
        args = ("build", str(pkg))
        assert_clean(args, *run_main(*args))
        after = snapshot(base)
        changed = {k for k in parent_before.keys() | after.keys() if parent_before.get(k) != after.get(k)}
        allowed = {str(pkg / p) for p in BUILD_OUTPUTS}
        for path in changed:
            inside = path in allowed or (path.startswith(str(pkg / "releases") + os.sep) and path.endswith(".json"))
            assert inside, f"build changed {path}"
    assert attempts == [], attempts
    for escaped in ("/tmp/powdata-fuzz-escaped", "/tmp/powdata-fuzz-escaped.json", "/tmp/powdata-fuzz-x"):
        assert not Path(escaped).exists(), escaped


def fuzz_base() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="powdata-fuzz-")


# -- the fuzzers ---------------------------------------------------------------------------------


class TestFuzz:
    @given(
        ops=descriptor_edits(),
        schema_ops=st.lists(descriptor_edits(), max_size=1),
        file_edit=FILE_EDITS,
        name=st.sampled_from(RESOURCES),
    )
    def test_descriptor_mutations(
        self, ops: list[tuple[Any, ...]], schema_ops: list[list[tuple[Any, ...]]], file_edit: str, name: ResourceName
    ) -> None:
        """Whatever the descriptor and Table Schemas hold and whatever a file is, every command keeps the promises."""
        with fuzz_base() as tmp:
            base = Path(tmp)
            pkg, outside = make_package(base)
            pristine = copy_package(base / "pristine")
            desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
            (pkg / "datapackage.json").write_text(descriptor_text(desc, ops), encoding="utf-8")
            for sops in schema_ops:  # the schema file `build` inlines, edited like an inline schema
                path = pkg / "schemas" / f"{name}.json"
                wrapped = {"resources": [{"schema": json.loads(path.read_text(encoding="utf-8"))}]}
                edited = apply_descriptor_edits(
                    wrapped, [op for op in sops if op[0] in ("schema", "field", "constraint")]
                )
                path.write_text(json.dumps(edited["resources"][0]["schema"], ensure_ascii=False), encoding="utf-8")
            apply_file_edit(pkg, outside, file_edit, name)
            exercise(base, pkg, pristine, name)

    @given(edit=csv_edits(), rebuild=st.booleans())
    def test_csv_mutations(self, edit: tuple[ResourceName, list[tuple[Any, ...]]], rebuild: bool) -> None:
        """Whatever bytes a data file holds, every command keeps the promises (rebuilt or not)."""
        name, ops = edit
        with fuzz_base() as tmp:
            base = Path(tmp)
            pkg, _ = make_package(base)
            pristine = copy_package(base / "pristine")
            path = pkg / "data" / f"{name}.csv"
            path.write_bytes(apply_csv_edits(path.read_bytes(), ops))
            if rebuild:
                assert_clean(("build",), *run_main("build", str(pkg)))
            exercise(base, pkg, pristine, name)


@settings(max_examples=4)
@given(ops=descriptor_edits(), edit=csv_edits())
def test_cli_subprocess(ops: list[tuple[Any, ...]], edit: tuple[str, list[tuple[Any, ...]]]) -> None:
    """A few mutated packages through the real CLI process: exit 0/1/2, one line, no traceback."""
    name, csv_ops = edit
    with fuzz_base() as tmp:
        base = Path(tmp)
        pkg, _ = make_package(base)
        desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        (pkg / "datapackage.json").write_text(descriptor_text(desc, ops), encoding="utf-8")
        path = pkg / "data" / f"{name}.csv"
        path.write_bytes(apply_csv_edits(path.read_bytes(), csv_ops))
        before = snapshot(base / "outside")
        for args in (["validate", str(pkg)], ["build", str(pkg)], ["diff", str(ROOT), str(pkg)]):
            r = subprocess.run(
                [sys.executable, "-m", "powdata", *args], capture_output=True, text=True, timeout=TIME_LIMIT
            )
            assert_clean(tuple(args), r.returncode, r.stdout, r.stderr)
        assert snapshot(base / "outside") == before
