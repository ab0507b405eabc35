"""Files at a git ref, read through the same path rules as the gate (git never gets an option)."""

from __future__ import annotations

import re
from typing import Any

from powdata._io.escape import shown
from powdata._io.gate import _check_relative, max_file_bytes
from powdata.errors import PackageReadError, UnsafePathError

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
