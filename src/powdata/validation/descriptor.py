"""The descriptor checks of validation: the Data Package profile (stock Frictionless) and freshness.

`start` runs Frictionless against the Data Package profile in a child process
(this module's `main`); `finish` collects its problems; `stale_problems` says
whether the descriptor's derived parts match the files (``descriptor-stale``).

``powdata validate`` starts this stage first, then imports pandas and pandera
and checks the rows while Frictionless imports and checks the descriptor: on
two cores the two overlap instead of adding up. The child prints its problems
as JSON on stdout.

Before Frictionless is imported, every socket connection and every name
lookup is refused in the child, so it cannot reach the network or send a DNS
query whatever a descriptor holds (resource paths, profiles and schemas are
also checked before the stage starts), and the child gets a memory and
CPU-time limit (`stage_limits`), set by the parent in the environment and
applied there with ``resource.setrlimit``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from powdata.validation.report import ERROR, Problem

if TYPE_CHECKING:
    import subprocess


BASE_MEMORY = 1024**3
"""Address space for the interpreter, Frictionless and its imports (virtual, so generous)."""
MEMORY_PER_BYTE = 32
"""Address space per byte of data on top of `BASE_MEMORY`."""
BASE_SECONDS = 120
SECONDS_PER_MB = 10


def stage_limits(data_bytes: int) -> tuple[int, int]:
    """Return the memory (bytes of address space) and CPU seconds the stage may use for ``data_bytes`` of data."""
    return BASE_MEMORY + MEMORY_PER_BYTE * data_bytes, BASE_SECONDS + SECONDS_PER_MB * (data_bytes // 2**20)


def apply_limits() -> None:
    """Apply the limits the parent passed in ``POWDATA_STAGE_MEMORY`` and ``POWDATA_STAGE_SECONDS``."""
    try:
        import resource
    except ImportError:  # Windows: the parent's wall-clock timeout still applies
        return
    for var, limit in (("POWDATA_STAGE_MEMORY", resource.RLIMIT_AS), ("POWDATA_STAGE_SECONDS", resource.RLIMIT_CPU)):
        text = os.environ.get(var, "")
        if text.isdigit():
            _soft, hard = resource.getrlimit(limit)
            value = int(text) if hard == resource.RLIM_INFINITY else min(int(text), hard)
            resource.setrlimit(limit, (value, hard))


_CHILD = (
    "import sys; sys.path.append(sys.argv[1]); "
    "from powdata.validation.descriptor import main; raise SystemExit(main(sys.argv[2:]))"
)
"""The child's program: the folder that holds powdata is appended (never prepended) to an isolated path."""


def start(desc: dict[str, Any], data_bytes: int) -> tuple[subprocess.Popen[bytes], float]:
    """Start the Frictionless descriptor check of the parsed descriptor ``desc`` in a child process.

    The child is an isolated interpreter (``python -I``: no current folder, no
    ``PYTHONPATH``, no user site on its import path) started in an empty
    temporary folder, so no ``json.py`` or ``frictionless.py`` in the folder
    being validated can be imported and no relative path reaches a file. It
    reads the descriptor from stdin, as the parent parsed and gated it (see
    `powdata._package.frictionless_view`), never from the disk. It gets memory
    and time limits scaled to the size of the data (`stage_limits`); this
    returns it with the wall-clock deadline to wait for it.
    """
    import subprocess
    import tempfile

    from powdata import _package
    from powdata._io.strict_json import dump_json

    package_parent = str(Path(__file__).resolve().parents[2])  # the folder that holds powdata/
    memory, seconds = stage_limits(data_bytes)
    env = {**os.environ, "POWDATA_STAGE_MEMORY": str(memory), "POWDATA_STAGE_SECONDS": str(seconds)}
    payload = dump_json(_package.frictionless_view(desc), "descriptor", indent=None).encode("utf-8")
    empty = tempfile.TemporaryDirectory(prefix="powdata-stage-")  # removed by `finish` (or when collected)
    with tempfile.TemporaryFile() as stdin:  # a file, not a pipe: the child reads it when it is ready
        stdin.write(payload)
        stdin.seek(0)
        cmd = [sys.executable, "-I", "-c", _CHILD, package_parent]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin, env=env, cwd=empty.name
        )
    proc.powdata_cwd = empty  # type: ignore[attr-defined]
    return proc, 2.0 * seconds


def finish(proc: subprocess.Popen[bytes], timeout: float) -> list[Problem]:
    """Wait for the child started by `start` (at most ``timeout`` seconds) and read its problems."""
    import subprocess

    from powdata._io.escape import shown

    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        _cleanup(proc)
        msg = f"the Frictionless stage ran past its time limit ({timeout:.0f} s) and was stopped"
        return [Problem("frictionless-limit", ERROR, msg)]
    _cleanup(proc)
    if proc.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        if proc.returncode < 0 or "MemoryError" in last[0]:
            msg = f"the Frictionless stage ran past its memory or time limit and was stopped ({last[0]})"
            return [Problem("frictionless-limit", ERROR, shown(msg, 300))]
        msg = f"the Frictionless stage failed (exit {proc.returncode}): {last[0]}"
        return [Problem("frictionless-failed", ERROR, shown(msg, 300))]
    try:
        found = json.loads(out)
        return [Problem(**{**p, "ids": tuple(p["ids"])}) for p in found]
    except (ValueError, TypeError, KeyError, RecursionError):
        return [Problem("frictionless-failed", ERROR, "the Frictionless stage gave output that is not its report")]


def _cleanup(proc: subprocess.Popen[bytes]) -> None:
    """Remove the empty folder the child ran in."""
    empty = getattr(proc, "powdata_cwd", None)
    if empty is not None:
        empty.cleanup()


def stale_problems(
    root: Path,
    contents: dict[str, bytes],
    digests: dict[str, str] | None = None,
    *,
    current: dict[str, Any] | None = None,
) -> list[Problem]:
    """A stale descriptor (run `powdata build`), judged from the descriptor and bytes validation already read."""
    from powdata._derived import stale_parts

    if not (root / "schemas").is_dir():
        return []
    stale = stale_parts(root, contents, digests, current=current)
    if not stale:
        return []
    msg = f"the descriptor is stale ({', '.join(stale)}); run `powdata build` and commit datapackage.json"
    return [Problem("descriptor-stale", ERROR, msg)]


def forbid_network() -> None:
    """Make every socket connection and every name lookup in this process fail at once."""
    import socket

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        msg = "powdata validate never uses the network"
        raise OSError(msg)

    # deliberate: no network and no DNS query from this process
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.socket.sendto = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    socket.gethostbyname = refuse
    socket.gethostbyname_ex = refuse
    socket.gethostbyaddr = refuse
    socket.getnameinfo = refuse
    socket.getfqdn = refuse


def frictionless_problems(desc: dict[str, Any]) -> list[Problem]:
    """Check the parsed descriptor ``desc`` against the Data Package profile with stock Frictionless.

    Only the descriptor: every row-level check belongs to the Table Schema layer
    (the typer and the Pandera models), so nothing is checked twice.
    """
    import frictionless

    try:
        report = frictionless.Package.validate_descriptor(desc)
    except frictionless.FrictionlessException as exc:
        return [Problem(f"descriptor-{exc.error.type}", ERROR, exc.error.message)]
    return [Problem(f"descriptor-{err.type}", ERROR, err.message) for err in report.errors]


def main(argv: list[str]) -> int:
    """Validate the descriptor read (as JSON) from stdin and print the problems as a JSON list."""
    apply_limits()
    forbid_network()
    import frictionless  # noqa: F401  # the slow import first, while the parent checks the rows

    problems = frictionless_problems(json.loads(sys.stdin.buffer.read()))
    json.dump([asdict(p) for p in problems], sys.stdout)
    return 0


if __name__ == "__main__":  # pragma: no cover  # started by `start` as `python -I -c`
    raise SystemExit(main(sys.argv[1:]))
