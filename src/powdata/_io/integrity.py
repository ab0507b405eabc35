"""Integrity: a resource's bytes against its declared size and sha256, and the header width, before parsing."""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from powdata._io.escape import plain, shown
from powdata._io.gate import gate, max_file_bytes, read_gated
from powdata.errors import IntegrityError, PackageReadError


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


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
"""One line as the CSV parsers end it (``\\r\\n``, ``\\r`` or ``\\n``), its end kept; the last may have none."""


def csv_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` as the CSV parsers end them, each with its end, for `csv.reader`.

    Not `str.splitlines`, which also ends a line at a form feed, ``\\x1c``-``\\x1e``, ``\\x85``
    or U+2028; and not `io.StringIO`, which holds a second copy of the whole text.
    """
    return (found.group() for found in _LINE.finditer(text))


def header_width(data: bytes, what: str = "CSV file") -> int:
    """Count the columns of a CSV file's header: its first *record* (a quoted newline does not end it).

    Only the first `HEADER_BYTES` are looked at; a header that does not end
    within them (a cell of a megabyte, a quote never closed) is refused, so no
    first cell, however long, hides the width of what follows.
    """
    import csv

    from powdata._io.csv_limit import field_limit

    head = data[: HEADER_BYTES + 1]
    text = head.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    consumed = 0

    def lines() -> Any:
        nonlocal consumed
        for line in csv_lines(text):  # a form feed or U+2028 never ends the header early
            consumed += len(line)
            yield line

    try:
        with field_limit(HEADER_BYTES + 1):  # a header cell may be as long as the header
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
