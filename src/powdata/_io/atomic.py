"""The one writer: files and folders appear whole or not at all, with the user's umask, never through a link.

Every command that writes (``build``, ``export``, ``plot``, the SQLite and Data
Package v1 exports) goes through here:

- `check_output` is the one check of an output target: a symlink is refused (a
  link could aim the write at any file the user can write), and so is a target
  that resolves to a file the package declares (its data, schemas or descriptor),
  so an export can never overwrite the data it was read from;
- `atomic_file` and `atomic_folder` give a temporary file or folder beside the
  target, created with the mode an ordinary write would give (0666 or 0777 less
  the umask; a rewritten file keeps its mode), and rename it over the target
  only once it is complete; on any error the temporary is removed and the
  target is untouched;
- `write_if_changed` is the one "compute, compare, write if changed" of ``build``.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from powdata.errors import ArgumentError, PackageWriteError


def _umask() -> int:
    """Return the process umask (read by setting it and setting it back: there is no other way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _failed(target: Path, exc: OSError) -> PackageWriteError:
    return PackageWriteError(f"cannot write {target} ({exc.strerror or exc}); nothing was changed")


def check_output(
    target: str | os.PathLike[str],
    *,
    force: bool = False,
    folder: bool = False,
    protected: Iterable[Path] = (),
    option: str = "--to",
) -> Path:
    """Return ``target`` once it is a safe place to write, else raise `ArgumentError` saying why.

    Refused: a symlink (whatever it points at), a path that resolves to one of
    ``protected`` (the files the package declares), an existing file without
    ``force``, a missing parent folder, and a folder where a file is expected
    (or, with ``folder``, a file or a non-empty folder where a new folder is expected).
    """
    path = Path(target)
    if path.is_symlink():
        msg = f"{option} {path}: is a symbolic link; powdata never writes through a link, name the file itself"
        raise ArgumentError(msg)
    resolved = path.resolve()
    if any(resolved == Path(p).resolve() for p in protected):
        msg = f"{option} {path}: is a file of the data package itself; choose a path outside the package's files"
        raise ArgumentError(msg)
    if not path.parent.is_dir():
        msg = f"{option} {path}: folder {path.parent} does not exist; create it first"
        raise ArgumentError(msg)
    if folder:
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            msg = f"{option} {path}: expected a new or empty folder but it holds files; choose another"
            raise ArgumentError(msg)
        return path
    if path.is_dir():
        msg = f"{option} {path}: is a folder; expected a file"
        raise ArgumentError(msg)
    if path.exists() and not force and path.is_file():
        msg = f"{option} {path}: the file exists; pass --force to overwrite it"
        raise ArgumentError(msg)
    return path


@contextmanager
def atomic_file(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` (mode: umask or the old file's)."""
    dest = Path(target)
    if dest.is_symlink():
        msg = f"cannot write {dest}: it is a symbolic link; powdata never writes through a link"
        raise PackageWriteError(msg)
    mode = stat.S_IMODE(dest.stat().st_mode) if dest.is_file() else 0o666 & ~_umask()
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.fchmod(fd, mode)
        os.close(fd)
    except OSError as exc:
        raise _failed(dest, exc) from None
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _failed(dest, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder beside ``target`` (mode 0777 less the umask); on success it becomes ``target``.

    ``target`` must be absent or an empty folder (see `check_output`); a folder
    is never merged into or written over.
    """
    dest = Path(target)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        os.chmod(tmp, 0o777 & ~_umask())
    except OSError as exc:
        raise _failed(dest, exc) from None
    try:
        yield tmp
        if dest.is_dir() and not dest.is_symlink():
            dest.rmdir()  # empty, checked before
        os.replace(tmp, dest)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _failed(dest, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (see `atomic_file`).

    The temporary file is flushed, synced and renamed over the target, which is
    atomic on POSIX and Windows; on any error it is removed, the target is left
    untouched and a `PackageWriteError` names the file and the system's reason.
    A target that exists but is not a regular file (``/dev/stdout``, a pipe)
    cannot be replaced and is written directly; a symlink is refused.
    """
    target = Path(path)
    if target.exists() and not target.is_symlink() and not target.is_file() and not target.is_dir():
        try:
            with open(target, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            msg = f"cannot write {target} ({exc.strerror or exc})"
            raise PackageWriteError(msg) from None
        return
    with atomic_file(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` with LF line endings atomically (see `write_bytes_atomic`)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def output_bytes(root: Path, rel: str, what: str) -> tuple[Path, bytes | None]:
    """Gate a file `build` is about to (re)write under ``root``; return its path and current bytes (None: absent).

    The path passes the package's gate (no ``..``, no link out of ``root``) and
    may not be or pass through a symbolic link at all (a ``README.md`` linked to
    ``data/observations.csv`` would otherwise be overwritten). The bytes are
    returned as they are, never decoded: what `build` does not generate is
    written back byte for byte, invalid UTF-8 included.
    """
    from powdata._io.gate import MAX_JSON_BYTES, gate, read_gated
    from powdata.errors import UnsafePathError

    path = gate(root, rel, what, limit=MAX_JSON_BYTES, must_exist=False)
    if path != _resolved(root) / rel:  # a link on the way could aim the write at the data: never followed
        msg = f"{what}: {root / rel} is or passes through a symbolic link; powdata never writes through a link"
        raise UnsafePathError(msg)
    if not path.exists():
        return path, None
    return path, read_gated(path, what, MAX_JSON_BYTES)


def _resolved(root: Path) -> Path:
    return Path(os.path.realpath(root))


def write_if_changed(path: Path, current: bytes | None, render: Callable[[], bytes]) -> bool:
    """Compute ``render()``, compare it with ``current`` (None: no file yet), write it if it differs.

    The one "compute, compare, write if changed" of ``build``: returns True when
    the file was (re)written.
    """
    fresh = render()
    if current == fresh:
        return False
    write_bytes_atomic(path, fresh)
    return True
