"""The path gate and the limits: every path a command reads or writes passes `gate` first.

This module is the one gate for every path a command touches (see SECURITY.md):
resource paths, schema files, the release registry, the descriptor itself and
the files read at a git ref all pass through `gate` (or `powdata._io.git`) before
anything is opened. A path must be relative, stay inside the package folder
after symlinks are resolved, name a regular file (never a FIFO, device or
folder) and be within a size limit; a declared ``bytes`` is compared with the
file's size before a byte is read. Names and versions that become file names
are checked first. Every refusal is a `PowdataError` with a one-line message.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from powdata._io.escape import _CONTROL, shown
from powdata.errors import ArgumentError, PackageReadError, UnsafePathError

DESCRIPTOR_NAME = "datapackage.json"
MAX_JSON_BYTES = 16 * 1024 * 1024
"""The largest descriptor, Table Schema or registry file read (JSON; 16 MiB)."""
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
"""The largest Markdown document of a repository read (CHANGELOG.md, CONTRIBUTING.md for the site; 16 MiB)."""
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
"""The largest data file read when no ``bytes`` is declared (1 GiB; ``POWDATA_MAX_BYTES`` overrides)."""

_MAX_SETTING = 2**62  # far above any disk, and `limit + 1` stays an index-sized integer
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SEMVER = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)


def max_file_bytes() -> int:
    """Return the size limit of one data file (``POWDATA_MAX_BYTES``, default 1 GiB)."""
    text = os.environ.get("POWDATA_MAX_BYTES", "")
    if not text:
        return DEFAULT_MAX_BYTES
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_SETTING:
        msg = (
            f"POWDATA_MAX_BYTES={shown(text)}: expected a whole number of bytes in ASCII digits, "
            f"at most {_MAX_SETTING}; unset it for the default of {DEFAULT_MAX_BYTES}"
        )
        raise ArgumentError(msg)
    return int(text)


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
        try:  # ask for the size seen (a huge limit must not become a huge buffer), then any growth, bounded
            data = fh.read(min(limit, st.st_size) + 1)
            while st.st_size < len(data) <= limit:
                more = fh.read(min(limit + 1 - len(data), 1 << 20))
                if not more:
                    break
                data += more
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
    here = Path(__file__).resolve().parent.parent  # the powdata package folder (this is powdata/_io)
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


def descriptor_path(root: Path) -> Path:
    """Return the descriptor path of the package folder ``root``."""
    return root / DESCRIPTOR_NAME
