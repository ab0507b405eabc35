"""The Frictionless stage of validation, run in a child process.

``powdata validate`` starts this stage first, then imports pandas and pandera
and runs its own rules while Frictionless works: on two cores the two overlap
instead of adding up. The child prints its problems as JSON on stdout.

Before Frictionless is imported, every socket connection and every name
lookup is refused in this process, so the stage cannot reach the network or
send a DNS query whatever a descriptor holds (resource paths, profiles and
schemas are also checked before the stage starts), and the process gets a
memory and CPU-time limit (`stage_limits`), set by the parent in the
environment and applied here with ``resource.setrlimit``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

from powdata.report import ERROR, Problem

_RULE = {
    "type-error": "type",
    "hash-count": "hash",
    "byte-count": "bytes",
    "foreign-key": "foreign-key",
    "primary-key": "primary-key",
    "unique-error": "unique",
    "missing-cell": "missing-cell",
    "extra-cell": "extra-cell",
    "encoding-error": "encoding",
}


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


def forbid_network() -> None:
    """Make every socket connection and every name lookup in this process fail at once."""

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


def frictionless_problems(descriptor: Path) -> list[Problem]:
    """Validate ``descriptor`` with the stock Frictionless validator and return its errors as problems."""
    import frictionless

    try:
        report = frictionless.Package(str(descriptor)).validate()
    except frictionless.FrictionlessException as exc:
        return [Problem(f"frictionless-{exc.error.type}", ERROR, exc.error.message)]
    out = [Problem(f"frictionless-{err.type}", ERROR, err.message) for err in report.errors]
    for task in report.tasks:
        for err in task.errors:
            rule = _RULE.get(err.type, err.type)
            if err.type == "constraint-error":
                m = re.search(r'constraint "(\w+)"', getattr(err, "note", "") or "")
                rule = {"minLength": "length", "maxLength": "length"}.get(m.group(1), m.group(1)) if m else "constraint"
            row = getattr(err, "row_number", None)
            column = getattr(err, "field_name", None)
            out.append(Problem(rule, ERROR, err.message, task.name, row, column))
    return out


def main(argv: list[str]) -> int:
    """Validate the descriptor ``argv[0]`` and print the problems as a JSON list."""
    apply_limits()
    forbid_network()
    problems = frictionless_problems(Path(argv[0]))
    json.dump([asdict(p) for p in problems], sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
