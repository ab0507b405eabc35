"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from powdata.errors import PackageWriteError


def _umask() -> int:
    """Return the process umask (read by setting it and setting it back: there is no other way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The temporary file is flushed, synced and renamed over the target, which is
    atomic on POSIX and Windows; on any error the temporary file is removed, the
    target is left untouched and a `PackageWriteError` names the file (and the
    system's reason: a full disk, a folder in the way, a read-only folder). The
    file gets the mode an ordinary write would give it: the existing file's, or
    0666 less the user's umask (``mkstemp`` alone would leave it 0600). A target
    that exists but is not a regular file (``/dev/stdout``, a pipe) cannot be
    replaced and is written directly.
    """
    target = Path(path)
    if target.exists() and not target.is_file() and not target.is_dir():
        try:
            with open(target, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            msg = f"cannot write {target} ({exc.strerror or exc})"
            raise PackageWriteError(msg) from None
        return
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        msg = f"cannot write {target} ({exc.strerror or exc}); nothing was changed"
        raise PackageWriteError(msg) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        msg = f"cannot write {target} ({exc.strerror or exc}); nothing was changed"
        raise PackageWriteError(msg) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` with LF line endings atomically (see `write_bytes_atomic`)."""
    write_bytes_atomic(path, text.encode("utf-8"))
