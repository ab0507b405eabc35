"""Strict JSON (RFC 8259): the one reader and writer of every untrusted JSON file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from powdata._io.escape import shown
from powdata._io.gate import _NAME, MAX_JSON_BYTES, read_file
from powdata.errors import PackageReadError

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
