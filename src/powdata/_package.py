"""Locate and read a powdata data package, safely and without the network.

The package data (``datapackage.json``, ``data/``, ``schemas/``) lives at the
top of the repository. In a wheel it is shipped inside ``powdata/_data``; in a
checkout or an editable install it is found at the repository top level.

This module is the one gate for every path a command touches (see SECURITY.md):
resource paths, schema files, the release registry, the descriptor itself and
the files read at a git ref all pass through `gate` (or `gate_git`) before
anything is opened. A path must be relative, stay inside the package folder
after symlinks are resolved, name a regular file (never a FIFO, device or
folder) and be within a size limit; a declared ``bytes`` is compared with the
file's size before a byte is read. Names and versions that become file names
are checked first. Every refusal is a `PowdataError` with a one-line message.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import reprlib
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from powdata.errors import IntegrityError, PackageReadError, UnknownResourceError, UnsafePathError

DESCRIPTOR_NAME = "datapackage.json"
MAX_JSON_BYTES = 16 * 1024 * 1024
"""The largest descriptor, Table Schema or registry file read (JSON; 16 MiB)."""
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
"""The largest data file read when no ``bytes`` is declared (1 GiB; ``POWDATA_MAX_BYTES`` overrides)."""
MAX_SHOWN = 80
"""The most characters of an untrusted value quoted in a message."""

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SEMVER = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_KNOWN_PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
_STANDARD_PROFILE = re.compile(
    r"https://(datapackage\.org/profiles/[0-9.]+|specs\.frictionlessdata\.io/schemas)/[a-z-]+\.json"
)


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, MAX_SHOWN, MAX_SHOWN


def max_file_bytes() -> int:
    """Return the size limit of one data file (``POWDATA_MAX_BYTES``, default 1 GiB)."""
    text = os.environ.get("POWDATA_MAX_BYTES", "")
    return int(text) if text.isdigit() else DEFAULT_MAX_BYTES


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """Quote an untrusted value for a message: control characters escaped, at most ``limit`` characters.

    A resource name or cell may hold ANSI escapes that would rewrite the user's
    terminal, or a megabyte of text; neither reaches the terminal raw.
    """
    text = repr(value[: limit * 2]) if isinstance(value, str) else _REPR.repr(value)
    text = _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(value: Any, limit: int = MAX_SHOWN) -> str:
    """Show a short, printable value as it is (no quotes); anything else as `shown` does."""
    text = str(value)
    return text if len(text) <= limit and not _CONTROL.search(text) else shown(value, limit)


def printable(text: str) -> str:
    """Escape the control characters of text bound for a terminal, keeping newlines and tabs.

    An ANSI escape in a resource name or a cell would otherwise move the cursor,
    recolour or rewrite what the user sees; ``\\u001b`` is shown instead.
    """
    return _CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else f"\\u{ord(m.group()):04x}", text)


def one_line(value: Any) -> str:
    """Escape every control character of untrusted text bound for one line of output, newlines and tabs too.

    The escaper of a field in a line-oriented report (``validate``'s text
    report, ``diff``'s text lines, ``show``): a newline in a header cell or key
    becomes ``\\u000a``, so it can never forge a line of its own.
    """
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value))


_MARKDOWN_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")
"""Every ASCII punctuation character: CommonMark lets each be escaped with a backslash."""


def markdown_inline(value: Any) -> str:
    """Escape untrusted text for one Markdown table cell or line: no markup, link, image, HTML or new row.

    Every ASCII punctuation character is backslash-escaped (``|`` cannot end a
    cell, ``[``/``!`` cannot open a link or image, a backtick cannot open code,
    ``<`` cannot open HTML, ``:`` cannot make an autolink) and every control
    character, newlines included, is shown as ``\\u000a`` (`one_line`).
    """
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(), one_line(value))


def check_name(name: Any, what: str) -> str:
    """Return ``name`` if it can safely become part of a file name (``schemas/<name>.json``), else refuse."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        msg = (
            f"{what}: name {shown(name)} is not allowed; expected letters, digits, '.', '_' or '-' "
            "(at most 128, not starting with '.' or '-')"
        )
        raise UnsafePathError(msg)
    return name


def check_version(version: Any) -> str:
    """Return ``version`` if it is a semantic version (MAJOR.MINOR.PATCH), else refuse."""
    if not isinstance(version, str) or not _SEMVER.fullmatch(version):
        msg = f"version {shown(version)}: expected a semantic version MAJOR.MINOR.PATCH such as '0.2.0'"
        raise PackageReadError(msg)
    return version


def _check_relative(rel: Any, what: str) -> str:
    """Refuse a path that is not one relative, local, printable path without ``..``."""
    if not isinstance(rel, str) or not rel:
        msg = f"{what}: expected one relative file path but found {shown(rel)}"
        raise UnsafePathError(msg)
    if _CONTROL.search(rel):
        msg = f"{what}: path {shown(rel)} holds a control character (NUL, newline, escape); rename the file"
        raise UnsafePathError(msg)
    if rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", rel):
        msg = f"{what}: path {shown(rel)} is absolute; expected a path relative to the package folder"
        raise UnsafePathError(msg)
    if _URL.match(rel):
        msg = f"{what}: path {shown(rel)} is remote; powdata never uses the network, ship the file in the package"
        raise UnsafePathError(msg)
    if ".." in re.split(r"[\\/]", rel):
        msg = f"{what}: path {shown(rel)} climbs out of the package folder with '..'"
        raise UnsafePathError(msg)
    return rel


def _resolve(path: Path, what: str) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop; a deleted working folder
        msg = f"{what}: cannot resolve {shown(str(path))} ({getattr(exc, 'strerror', None) or exc})"
        raise PackageReadError(msg) from None


def gate(root: Path, rel: Any, what: str, *, limit: int | None = None, must_exist: bool = True) -> Path:
    """Return the real path of ``rel`` under ``root`` once it has passed every check, else refuse.

    Refused: a non-string or empty path, a control character, a URL, an absolute
    path, ``..``, a path that resolves (through a symlink or otherwise) outside
    ``root``, a symlink loop, and, when ``must_exist``, a missing file, anything
    but a regular file (FIFO, device, folder) and a file larger than ``limit``
    (default `max_file_bytes`). With ``must_exist=False`` (a file about to be
    written) a missing file is allowed, but its folder must exist inside ``root``.
    """
    _check_relative(rel, what)
    base = _resolve(root, what)
    full = _resolve(root / rel, what)
    if base != full and base not in full.parents:
        msg = (
            f"{what}: path {shown(rel)} resolves to {shown(str(full))}, outside the package folder {base} (a symlink?)"
        )
        raise UnsafePathError(msg)
    try:
        st = full.stat()
    except FileNotFoundError:
        if must_exist:
            msg = f"{what}: expected file {full} but it does not exist"
            raise PackageReadError(msg) from None
        if not full.parent.is_dir():
            msg = f"{what}: folder {full.parent} does not exist"
            raise PackageReadError(msg) from None
        return full
    except OSError as exc:
        msg = f"{what}: cannot read {shown(str(full))} ({exc.strerror})"
        raise PackageReadError(msg) from None
    if not stat.S_ISREG(st.st_mode):
        msg = f"{what}: {full} is not a regular file (a folder, FIFO or device); refused"
        raise UnsafePathError(msg)
    limit = max_file_bytes() if limit is None else limit
    if must_exist and st.st_size > limit:
        msg = f"{what}: {full} has {st.st_size} bytes, more than the limit of {limit}; refused before reading"
        raise PackageReadError(msg)
    return full


def _open_regular(path: Path, what: str) -> tuple[Any, os.stat_result]:
    """Open a file that `gate` passed, without following a symlink or blocking, and check it again.

    The check on the open descriptor refuses a file swapped after the gate's check
    (a FIFO, a device, a folder) rather than reading it.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        msg = f"{what}: cannot read {shown(str(path))} ({exc.strerror})"
        raise PackageReadError(msg) from None
    fh = os.fdopen(fd, "rb")
    st = os.fstat(fh.fileno())
    if not stat.S_ISREG(st.st_mode):
        fh.close()
        msg = f"{what}: {path} is not a regular file; refused"
        raise UnsafePathError(msg)
    return fh, st


def read_gated(path: Path, what: str, limit: int) -> bytes:
    """Read a file that `gate` passed, never more than ``limit`` bytes and never blocking on a FIFO."""
    fh, st = _open_regular(path, what)
    with fh:
        if st.st_size > limit:
            msg = f"{what}: {path} has {st.st_size} bytes, more than the limit of {limit}; refused before reading"
            raise PackageReadError(msg)
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            msg = f"{what}: cannot read {path} ({exc.strerror})"
            raise PackageReadError(msg) from None
    if len(data) > limit:
        msg = f"{what}: {path} grew past the limit of {limit} bytes while being read; refused"
        raise PackageReadError(msg)
    return data


def read_head(path: Path, what: str, size: int = 1024 * 1024 + 1) -> bytes:
    """Read at most the first ``size`` bytes of a file that `gate` passed (for the header check)."""
    fh, _ = _open_regular(path, what)
    with fh:
        return bytes(fh.read(size))


def read_file(root: Path, rel: Any, what: str, *, limit: int | None = None) -> bytes:
    """Gate ``rel`` under ``root`` and read it (at most ``limit`` bytes, default `max_file_bytes`)."""
    limit = max_file_bytes() if limit is None else limit
    return read_gated(gate(root, rel, what, limit=limit), what, limit)


def output_file(root: Path, rel: str, what: str) -> tuple[Path, str | None]:
    """Gate a file a command is about to (re)write under ``root``; return its path and current text.

    The text is None when the file does not exist yet. Used by `build` for every
    file it writes, so a symlinked ``docs/`` or ``README.md`` cannot lead a
    write out of the package.
    """
    path = gate(root, rel, what, limit=MAX_JSON_BYTES, must_exist=False)
    if not path.exists():
        return path, None
    return path, read_gated(path, what, MAX_JSON_BYTES).decode("utf-8", "replace")


def default_root() -> Path:
    """Return the folder holding the installed package's ``datapackage.json``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent.parent):
        if (candidate / DESCRIPTOR_NAME).is_file():
            return candidate
    msg = (
        f"expected {DESCRIPTOR_NAME} in {here / '_data'} (wheel) or {here.parent.parent} "
        "(checkout) but found neither; reinstall powdata"
    )
    raise PackageReadError(msg)


def resolve_root(path: str | Path | None) -> Path:
    """Return the package folder for ``path``: a descriptor, a folder holding one, or None.

    A descriptor must be named ``datapackage.json``: the package is read from
    its folder, so any other file name would silently validate its neighbour.
    """
    if path is None:
        return default_root()
    p = Path(path)
    if "\x00" in str(path):
        msg = f"{shown(str(path))}: a path cannot hold a NUL byte"
        raise PackageReadError(msg)
    try:
        is_dir, exists = p.is_dir(), p.exists()
        if not p.is_absolute():
            Path.cwd()  # a deleted working folder fails here, with a clear message below
    except (OSError, RuntimeError) as exc:
        msg = f"{shown(str(p))}: cannot be read ({getattr(exc, 'strerror', None) or exc}); was the folder deleted?"
        raise PackageReadError(msg) from None
    if is_dir:
        if not (p / DESCRIPTOR_NAME).is_file():
            msg = f"expected {DESCRIPTOR_NAME} in folder {shown(str(p))} but found none; pass a data package folder"
            raise PackageReadError(msg)
        return p
    if not exists:
        msg = f"expected a data package at {shown(str(p))} but nothing is there; pass a datapackage.json or its folder"
        raise PackageReadError(msg)
    if p.name != DESCRIPTOR_NAME:
        msg = (
            f"expected a file named {DESCRIPTOR_NAME} or its folder but found {shown(str(p))}; "
            f"powdata reads the {DESCRIPTOR_NAME} of a package folder, so rename the descriptor"
        )
        raise PackageReadError(msg)
    return p.parent


MAX_JSON_DEPTH = 64
"""The deepest nesting of arrays and objects read in a JSON file (the shipped descriptor nests 6 deep)."""
MAX_JSON_NUMBER = 40
"""The most characters of one JSON number (a 5,000-digit integer is refused, not parsed)."""
MAX_JSON_STRING = 1024 * 1024
"""The most characters of one JSON string or key (1 MiB)."""

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?(?:Infinity|NaN))|(-?[0-9][0-9.eE+-]*)')
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _NotJson(ValueError):
    """A value RFC 8259 does not allow, found while parsing (located afterwards by `_locate`)."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number (RFC 8259 has no NaN or Infinity)")


def _strict_int(text: str) -> int:
    if len(text) > MAX_JSON_NUMBER:
        raise _NotJson(f"a number of {len(text)} characters (at most {MAX_JSON_NUMBER})")
    return int(text)


def _strict_float(text: str) -> float:
    if len(text) > MAX_JSON_NUMBER:
        raise _NotJson(f"a number of {len(text)} characters (at most {MAX_JSON_NUMBER})")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NotJson(f"the number {text} is too large for a double")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _NotJson(f"the key {shown(dup)} appears twice in one object")
    return out


def _locate(text: str, problem: str) -> str:
    """The line and column of the first token outside a string that ``problem`` is about (or '')."""
    for m in _JSON_TOKEN.finditer(text):
        bad = m.group(1) or (m.group(2) if m.group(2) and len(m.group(2)) > MAX_JSON_NUMBER else None)
        if bad is None and m.group(2) and "large" in problem:
            bad = m.group(2) if _float_overflows(m.group(2)) else None
        if bad is not None:
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            return f" at line {line}, column {col}"
    return ""


def _float_overflows(token: str) -> bool:
    try:
        return float(token) in (float("inf"), float("-inf"))
    except ValueError:
        return False


def _check_tree(value: Any, where: str) -> None:
    """Refuse nesting past `MAX_JSON_DEPTH`, a string past `MAX_JSON_STRING` and a lone surrogate, naming the place."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, at, depth = stack.pop()
        if isinstance(node, str):
            if len(node) > MAX_JSON_STRING:
                msg = f"{where}: {at or 'the document'} is a string of {len(node)} characters"
                msg += f" (at most {MAX_JSON_STRING}); refused"
                raise PackageReadError(msg)
            if _SURROGATE.search(node):
                msg = f"{where}: {at or 'the document'} holds a lone surrogate, not Unicode text; refused"
                raise PackageReadError(msg)
            continue
        if (isinstance(node, float) and node != node) or node in (float("inf"), float("-inf")):
            msg = f"{where}: {at or 'the document'} is not a finite number (RFC 8259 has no NaN or Infinity); refused"
            raise PackageReadError(msg)
        if type(node) is int and not -(10**MAX_JSON_NUMBER) < node < 10**MAX_JSON_NUMBER:
            msg = f"{where}: {at or 'the document'} is a number of more than {MAX_JSON_NUMBER} digits; refused"
            raise PackageReadError(msg)
        if not isinstance(node, (dict, list)):
            continue
        if depth >= MAX_JSON_DEPTH:
            msg = f"{where}: {at[:80]}… is nested too deeply (deeper than {MAX_JSON_DEPTH} levels); refused"
            raise PackageReadError(msg)
        if isinstance(node, dict):
            for k, v in node.items():
                key_at = f"{at}.{shown(k) if _SURROGATE.search(k) or not _NAME.fullmatch(k) else k}".lstrip(".")
                if len(k) > MAX_JSON_STRING or _SURROGATE.search(k):
                    stack.append((k, f"the key {key_at}", depth + 1))
                stack.append((v, key_at, depth + 1))
        else:
            stack.extend((v, f"{at}[{i}]", depth + 1) for i, v in enumerate(node))


def parse_json(data: bytes, where: str) -> Any:
    """Parse JSON bytes strictly (RFC 8259), turning every failure into one line naming ``where`` and the place.

    The one JSON reader of every untrusted file (descriptor, Table Schemas,
    release registry, files at a git ref). Refused: bytes that are not UTF-8,
    bad syntax, ``NaN``/``Infinity``/``-Infinity``, a number longer than
    `MAX_JSON_NUMBER` characters or too large for a double, a key used twice in
    one object, a lone surrogate (``\\ud800``) in a key or string, a string
    longer than `MAX_JSON_STRING`, and nesting deeper than `MAX_JSON_DEPTH`.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{where}: expected UTF-8 but byte {exc.start} is not valid UTF-8; re-save the file as UTF-8"
        raise PackageReadError(msg) from None
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_strict_int,
            parse_float=_strict_float,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        msg = f"{where}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise PackageReadError(msg) from None
    except _NotJson as exc:
        msg = f"{where}: not strict JSON{_locate(text, str(exc))}: {exc}; refused"
        raise PackageReadError(msg) from None
    except RecursionError:
        msg = f"{where}: JSON nested too deeply (deeper than {MAX_JSON_DEPTH} levels); refused"
        raise PackageReadError(msg) from None
    _check_tree(value, where)
    return value


def dump_json(value: Any, where: str, *, indent: int | None = 2) -> str:
    """Serialise ``value`` as strict JSON, refusing anything `parse_json` would refuse to read back."""
    try:
        text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError) as exc:
        msg = f"{where}: cannot be written as strict JSON ({exc}); refused"
        raise PackageReadError(msg) from None
    _check_tree(value, where)
    return text


def read_json(root: Path, rel: str, what: str = "JSON file") -> Any:
    """Gate and read the JSON file ``rel`` under ``root`` (at most `MAX_JSON_BYTES`)."""
    data = read_file(root, rel, what, limit=MAX_JSON_BYTES)
    return parse_json(data, str(root / rel))


def descriptor_path(root: Path) -> Path:
    """Return the descriptor path of the package folder ``root``."""
    return root / DESCRIPTOR_NAME


_PROFILE_KEYS = ("profile", "$schema")
"""Keys that name a JSON Schema: only the standard names and URLs are accepted (recognised, never fetched)."""
_INLINE_KEYS = ("schema", "dialect", "checklist", "pipeline")
"""Keys Frictionless would read from a path or URL when given a string: only an inline JSON object is accepted."""
_PACKAGE_KEYS = frozenset(
    [
        "name",
        "id",
        "profile",
        "$schema",
        "licenses",
        "title",
        "description",
        "homepage",
        "image",
        "version",
        "created",
        "keywords",
        "contributors",
        "sources",
        "resources",
    ]
)
_RESOURCE_KEYS = frozenset(
    [
        "name",
        "path",
        "type",
        "title",
        "description",
        "homepage",
        "sources",
        "licenses",
        "format",
        "mediatype",
        "encoding",
        "bytes",
        "hash",
        "schema",
        "dialect",
        "profile",
        "$schema",
    ]
)
"""What the Frictionless stage is shown (see `frictionless_view`): the keys of the Data Package standard."""


def _standard_profile(value: Any) -> bool:
    return isinstance(value, str) and (value in _KNOWN_PROFILES or _STANDARD_PROFILE.fullmatch(value) is not None)


def _check_profiles(node: dict[str, Any], where: str) -> None:
    """Refuse every key of ``node`` that Frictionless would dereference as a file or URL.

    The allow-list: a ``profile`` or ``$schema`` must be a standard profile name
    or URL (recognised, never fetched); ``profiles`` a list of those;
    ``schema``, ``dialect``, ``checklist`` and ``pipeline`` inline objects; and
    the only path of a resource is its one ``path`` string (gated by `gate`).
    ``extrapaths`` and ``basepath`` are refused outright. Whatever key the
    standard does not name is never shown to Frictionless (`frictionless_view`).
    """
    for key in _PROFILE_KEYS:
        value = node.get(key)
        if value is None or _standard_profile(value):
            continue
        msg = (
            f"{where}: {key} {shown(value)} is not a standard Data Package profile; "
            "powdata never fetches or opens a custom profile"
        )
        raise UnsafePathError(msg)
    if "profiles" in node and not (
        isinstance(node["profiles"], list) and all(_standard_profile(v) for v in node["profiles"])
    ):
        msg = (
            f"{where}: profiles {shown(node['profiles'])} names a file or URL that is not a standard profile; "
            "powdata never fetches or opens a custom profile"
        )
        raise UnsafePathError(msg)
    for key in ("extrapaths", "basepath"):
        if key in node:
            msg = f"{where}: {key} {shown(node[key])} names files outside the one 'path'; refused"
            raise UnsafePathError(msg)
    for key in _INLINE_KEYS:
        value = node.get(key)
        if value is not None and not isinstance(value, dict):
            msg = f"{where}: {key} must be written inline as a JSON object, not {shown(value)}; run `powdata build`"
            raise UnsafePathError(msg)
        if isinstance(value, dict) and key in ("schema", "dialect"):
            _check_profiles({k: v for k, v in value.items() if k in _PROFILE_KEYS}, f"{where}: {key}")


def frictionless_view(desc: dict[str, Any]) -> dict[str, Any]:
    """The descriptor as the Frictionless stage sees it: only the keys of the Data Package standard.

    `check_descriptor` has refused every key that could name a file or URL; a
    key the standard does not name (which a later Frictionless might come to
    dereference) is left out, so nothing but the gated ``path`` can reach a file.
    """
    view = {k: v for k, v in desc.items() if k in _PACKAGE_KEYS}
    view["resources"] = [{k: v for k, v in r.items() if k in _RESOURCE_KEYS} for r in desc["resources"]]
    return view


_FIELD_TYPES = {
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "list",
    "any",
}


def _fail(where: str, what: str, value: Any) -> PackageReadError:
    return PackageReadError(f"{where}: expected {what} but found {shown(value)}")


def _names(value: Any) -> list[str] | None:
    """A Table Schema's field list (a name or a list of names), or None if malformed."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def check_table_schema(schema: Any, where: str) -> dict[str, Any]:
    """Shape-check a Table Schema so that no later step meets a wrong type.

    Fields must be objects with unique string names; a type, constraints, enum,
    pattern, bounds, keys and missing values must have the type the Table Schema
    standard gives them. Whether the data satisfy the schema is validation's job.
    Keys are normalised in place, once, here: ``primaryKey`` and each foreign
    key's ``fields`` become lists, so no reader splits ``"area_id"`` into characters.
    """
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise _fail(where, "a Table Schema object with a 'fields' list", schema)
    seen: set[str] = set()
    for i, f in enumerate(schema["fields"]):
        at = f"{where}: fields[{i}]"
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            raise _fail(at, "an object with a 'name'", f)
        if f["name"] in seen:
            raise _fail(at, "a field name used once", f["name"])
        seen.add(f["name"])
        for key in ("title", "description", "format"):
            if key in f and not isinstance(f[key], str):
                raise _fail(at, f"{key} as a string", f[key])
        if "type" in f and (not isinstance(f["type"], str) or f["type"] not in _FIELD_TYPES):
            raise _fail(at, f"a type among {', '.join(sorted(_FIELD_TYPES))}", f["type"])
        c = f.get("constraints", {})
        if not isinstance(c, dict):
            raise _fail(at, "constraints as an object", c)
        if "enum" in c and not (isinstance(c["enum"], list) and all(isinstance(v, str) for v in c["enum"])):
            raise _fail(at, "enum as a list of strings", c["enum"])
        if "pattern" in c:
            if not isinstance(c["pattern"], str):
                raise _fail(at, "pattern as a string", c["pattern"])
            try:
                re.compile(c["pattern"])
            except (re.error, RecursionError, OverflowError):
                raise _fail(at, "pattern as a regular expression", c["pattern"]) from None
        numeric = f.get("type") in ("number", "integer")
        for key in ("minimum", "maximum", "minLength", "maxLength"):
            v = c.get(key)
            if v is None:
                continue
            if key in ("minLength", "maxLength"):
                ok = type(v) is int and v >= 0
            else:  # a date field bounds with a date string, a number field with a number
                ok = not isinstance(v, bool) and (isinstance(v, (int, float)) or (isinstance(v, str) and not numeric))
            if not ok:
                raise _fail(at, f"{key} as a {'whole number' if 'Length' in key else 'bound of the field type'}", v)
        for key in ("required", "unique"):
            if key in c and not isinstance(c[key], bool):
                raise _fail(at, f"{key} as true or false", c[key])
    if "primaryKey" in schema:
        pk = _names(schema["primaryKey"])
        if pk is None:
            raise _fail(where, "primaryKey as a field name or a list of them", schema["primaryKey"])
        schema["primaryKey"] = pk  # normalised: "area_id" and ["area_id"] mean the same key
    mv = schema.get("missingValues", [""])
    if not isinstance(mv, list) or not all(isinstance(v, str) for v in mv):
        raise _fail(where, "missingValues as a list of strings", mv)
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        raise _fail(where, "foreignKeys as a list", fks)
    for i, fk in enumerate(fks):
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if (
            not isinstance(ref, dict)
            or _names(fk.get("fields")) is None
            or _names(ref.get("fields")) is None
            or not isinstance(ref.get("resource", ""), str)
        ):
            raise _fail(f"{where}: foreignKeys[{i}]", "fields and a reference {resource, fields}", fk)
        fk["fields"], ref["fields"] = _names(fk["fields"]), _names(ref["fields"])  # normalised to lists
    return schema


def check_descriptor(desc: Any, where: str) -> dict[str, Any]:
    """Shape-check a parsed descriptor: an object, resources with unique safe names, no remote profile."""
    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        msg = f"{where}: expected a JSON object with a 'resources' list; is this a data package descriptor?"
        raise PackageReadError(msg)
    _check_profiles(desc, where)
    seen: set[str] = set()
    for i, res in enumerate(desc["resources"]):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            msg = f"{where}: resources[{i}] must be an object with a 'name'"
            raise PackageReadError(msg)
        name = check_name(res["name"], f"{where}: resources[{i}]")
        if name in seen:
            msg = f"{where}: resources[{i}]: the name {name!r} is used twice; resource names must be unique"
            raise PackageReadError(msg)
        seen.add(name)
        _check_relative(res.get("path"), f"resource {name!r}")
        for key in ("title", "description", "mediatype", "encoding", "format"):
            if key in res and not isinstance(res[key], str):
                raise _fail(f"resource {name!r}", f"{key} as a string", res[key])
        _check_profiles(res, f"resource {name!r}")
        declared = res.get("bytes")
        if declared is not None and (type(declared) is not int or declared < 0):
            msg = f"resource {name!r}: expected 'bytes' to be a whole number but found {shown(declared)}"
            raise PackageReadError(msg)
        if isinstance(res.get("schema"), dict):
            check_table_schema(res["schema"], f"resource {name!r}: schema")
        if "hash" in res and not isinstance(res["hash"], str):
            msg = f"resource {name!r}: expected 'hash' as 'sha256:<hex>' but found {shown(res['hash'])}"
            raise PackageReadError(msg)
    return desc


def read_descriptor(root: Path) -> dict[str, Any]:
    """Read and shape-check the descriptor of the package folder ``root`` (see `check_descriptor`)."""
    desc = read_json(root, DESCRIPTOR_NAME, "descriptor")
    return check_descriptor(desc, str(descriptor_path(root)))


@lru_cache(maxsize=8)
def _cached_descriptor(root: str) -> dict[str, Any]:
    return read_descriptor(Path(root))


def installed_descriptor() -> dict[str, Any]:
    """Return the installed package's descriptor, read once per process (do not mutate)."""
    return _cached_descriptor(str(default_root()))


TEXT_FOLDER = "sources"
TEXT_PREFIX = "text-"


def is_text(res: dict[str, Any]) -> bool:
    """True for an archived source text (``sources/<source_id>.txt``), False for a table.

    Everything that is not declared as plain text is treated as a table, so a
    resource that merely lacks its schema is still reported as a broken table.
    """
    path = res.get("path")
    declared = res.get("format") == "txt" or res.get("mediatype") == "text/plain"
    return declared or (isinstance(path, str) and path.endswith(".txt"))


def tables(desc: dict[str, Any]) -> list[dict[str, Any]]:
    """The tabular resources of ``desc``, in descriptor order."""
    return [r for r in desc["resources"] if not is_text(r)]


def texts(desc: dict[str, Any]) -> list[dict[str, Any]]:
    """The archived source texts of ``desc``, in descriptor order."""
    return [r for r in desc["resources"] if is_text(r)]


def text_source_id(res: dict[str, Any]) -> str:
    """The source_id an archived text belongs to: its file name without ``.txt``."""
    return Path(str(res.get("path", ""))).stem


def find_resource(desc: dict[str, Any], name: str) -> dict[str, Any]:
    """Return the table ``name`` of ``desc`` or raise `UnknownResourceError` listing the tables."""
    for res in tables(desc):
        if res["name"] == name:
            return res
    names = ", ".join(sorted(r["name"] for r in tables(desc)))
    msg = f"{shown(name)} is not a powdata resource; expected one of: {names} (see powdata.list_resources())"
    raise UnknownResourceError(msg)


def safe_resource_path(root: Path, res: dict[str, Any]) -> Path:
    """Return the local file of ``res`` once it has passed the `gate` (its size is judged by the reader)."""
    return gate(root, res.get("path"), f"resource {shown(res.get('name', '?'))}", limit=sys.maxsize)


def sha256_of(data: bytes) -> str:
    """Return the descriptor form of the sha256 of ``data`` (``sha256:<hex>``)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def declared_limit(res: dict[str, Any]) -> int:
    """The most bytes to read for ``res``: its declared ``bytes`` when given, else `max_file_bytes`."""
    declared = res.get("bytes")
    return declared if type(declared) is int and 0 <= declared <= max_file_bytes() else max_file_bytes()


def validate_limit(res: dict[str, Any]) -> int:
    """The largest file `validate` reads for ``res``: twice its declared ``bytes`` plus 1 MiB.

    A data file edited since the last ``powdata build`` differs a little from
    its declared size and is still checked (the report says the descriptor is
    stale); a file far larger than declared is refused unread.
    """
    declared = res.get("bytes")
    if type(declared) is not int:
        return max_file_bytes()
    return min(max_file_bytes(), 2 * declared + 1024 * 1024)


def read_resource_bytes(root: Path, res: dict[str, Any], *, verify: bool = True) -> bytes:
    """Read the bytes of ``res`` and, if ``verify``, check them against its hash and size.

    With ``verify``, a file whose size differs from the declared ``bytes`` is
    refused before it is read; without, the general size limit applies.
    """
    what = f"resource {shown(res.get('name', '?'))}"
    path = safe_resource_path(root, res)
    if verify:
        check_size(res, path.stat().st_size, path)
    data = read_gated(path, what, declared_limit(res) if verify else max_file_bytes())
    if verify:
        check_integrity(res, data, path)
    return data


def check_size(res: dict[str, Any], size: int, path: Path) -> None:
    """Raise `IntegrityError` when a file's ``size`` differs from the ``bytes`` its descriptor declares."""
    want_bytes = res.get("bytes")
    if want_bytes is not None and want_bytes != size:
        msg = (
            f"resource {shown(res.get('name'))}: expected {plain(want_bytes)} bytes but {path} has {size}; "
            "the file changed since the descriptor was built (run `powdata build`) or is corrupted"
        )
        raise IntegrityError(msg, rule="bytes")


def check_integrity(res: dict[str, Any], data: bytes, path: Path) -> None:
    """Raise the first `IntegrityError` of `integrity_errors`, if any."""
    for error in integrity_errors(res, data, path):
        raise error


def integrity_errors(
    res: dict[str, Any], data: bytes, path: Path, *, digest: str | None = None, size: bool = True
) -> list[IntegrityError]:
    """Return an `IntegrityError` for each of size and hash in which ``data`` differs from ``res``.

    ``digest`` is ``sha256_of(data)`` when the caller has it already (hashing 200 MB costs 0.4 s);
    ``size=False`` leaves the size to a caller that checked it before reading (validation).
    """
    out = []
    if size:
        try:
            check_size(res, len(data), path)
        except IntegrityError as exc:
            out.append(exc)
    want_hash = res.get("hash")
    if want_hash is not None:
        if not isinstance(want_hash, str):
            msg = f"resource {shown(res.get('name'))}: expected a hash as 'sha256:<hex>' but found {shown(want_hash)}"
            return [*out, IntegrityError(msg, rule="hash")]
        algo = want_hash.split(":", 1)[0] if ":" in want_hash else "md5"
        if algo != "sha256":
            msg = (
                f"resource {shown(res.get('name'))}: expected a sha256 hash but the descriptor gives {shown(want_hash)}"
            )
            out.append(IntegrityError(msg, rule="hash"))
        elif (got := digest or sha256_of(data)) != want_hash:
            msg = (
                f"resource {shown(res.get('name'))}: expected {plain(want_hash)} but {path} has {got}; "
                "the file changed since the descriptor was built (run `powdata build`) or is corrupted"
            )
            out.append(IntegrityError(msg, rule="hash"))
    return out


HEADER_BYTES = 1024 * 1024
"""The most bytes a CSV header may take (its first record, quoted newlines included)."""


def header_width(data: bytes, what: str = "CSV file") -> int:
    """Count the columns of a CSV file's header: its first *record* (a quoted newline does not end it).

    Only the first `HEADER_BYTES` are looked at; a header that does not end
    within them (a cell of a megabyte, a quote never closed) is refused, so no
    first cell, however long, hides the width of what follows.
    """
    import csv

    head = data[: HEADER_BYTES + 1]
    text = head.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    consumed = 0

    def lines() -> Any:
        nonlocal consumed
        for line in text.splitlines(keepends=True):
            consumed += len(line)
            yield line

    if csv.field_size_limit() <= HEADER_BYTES:  # a header cell may be as long as the header (only ever raised)
        csv.field_size_limit(HEADER_BYTES + 1)
    try:
        header = next(csv.reader(lines()), [])
    except csv.Error:  # a stray NUL or carriage return: count the separators of the first line (an upper bound)
        header = text.split("\n", 1)[0].split(",")
    ended = consumed < len(text) or text.endswith(("\n", "\r"))
    if len(head) > HEADER_BYTES and not ended:
        msg = f"{what}: the header does not end within its first {HEADER_BYTES} bytes; refused before parsing"
        raise PackageReadError(msg)
    return len(header)


def check_width(res: dict[str, Any], data: bytes, schema: Any = None) -> None:
    """Refuse a CSV whose header has more columns than its Table Schema, before it is parsed.

    A file of a million columns would otherwise cost minutes and gigabytes to
    parse; a Table Schema states exactly how many columns there are. ``schema``
    defaults to the resource's own (``diff`` passes the one of the state it reads).
    """
    schema = res.get("schema") if schema is None else schema
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return
    what = f"resource {shown(res.get('name'))}"
    width, fields = header_width(data, what), len(schema["fields"])
    if width > fields:
        msg = f"{what}: the header has {width} columns but the Table Schema declares {fields}; refused before parsing"
        raise PackageReadError(msg)


# git refs ----------------------------------------------------------------------------------------

GIT_TIMEOUT = 60


def _git(args: list[str], what: str) -> bytes:
    """Run git with ``args`` (never a shell), returning stdout or raising a one-line error."""
    import subprocess  # only `diff git:REF` runs git: keep `import powdata` light

    try:
        proc = subprocess.run(["git", *args], capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        msg = f"{what}: cannot run git ({getattr(exc, 'strerror', None) or exc})"
        raise PackageReadError(msg) from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        msg = f"{what}: {shown(err[-1] if err else f'git exited with {proc.returncode}', 200)}"
        raise PackageReadError(msg)
    return proc.stdout


def git_commit(ref: str) -> str:
    """Return the commit id that ``ref`` names, refusing anything git could read as an option.

    The ref may not start with ``-`` or hold a control character, a space,
    ``:`` or ``..``; it is resolved with ``git rev-parse --verify
    --end-of-options REF^{commit}``, so ``git:--output=/tmp/x`` is a bad ref,
    never an option, and ``HEAD~1`` or ``v0.1.0`` work as in git.
    """
    what = f"git:{shown(ref)}"
    bad = re.compile(r"[\x00-\x20\x7f:]|\.\.|^-")
    if not ref or len(ref) > 256 or bad.search(ref):
        msg = f"{what}: not a valid git ref (a branch, tag or commit such as HEAD, main or v0.1.0)"
        raise PackageReadError(msg)
    out = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], what)
    commit = out.decode("ascii", "replace").strip()
    if not re.fullmatch(r"[0-9a-f]{40,64}", commit):
        msg = f"{what}: git did not resolve the ref to a commit"
        raise PackageReadError(msg)
    return commit


def git_read(commit: str, rel: Any, what: str, *, limit: int | None = None, why: str = "the limit") -> bytes:
    """Read the file ``rel`` at ``commit`` (from `git_commit`) through the same path rules as `gate`.

    The object must be a blob within ``limit`` bytes, checked with ``git
    cat-file -s`` before it is read; the object name starts with the commit id,
    so it cannot be read as an option.
    """
    _check_relative(rel, what)
    limit = max_file_bytes() if limit is None else limit
    obj = f"{commit}:{rel}"
    kind = _git(["cat-file", "-t", obj], what).strip()
    if kind != b"blob":
        msg = f"{what}: {shown(rel)} at {commit[:12]} is not a file ({kind.decode('ascii', 'replace')})"
        raise UnsafePathError(msg)
    size = int(_git(["cat-file", "-s", obj], what).strip() or b"0")
    if size > limit:
        msg = f"{what}: {shown(rel)} at {commit[:12]} has {size} bytes, more than {why} of {limit}; refused"
        raise PackageReadError(msg)
    return _git(["cat-file", "blob", obj], what)
