"""The descriptor check of validation: stock Frictionless against the Data Package profile, in a child process.

``powdata validate`` starts this stage first, then imports pandas and pandera
and checks the rows while Frictionless imports and checks the descriptor: on
two cores the two overlap instead of adding up. The child prints its problems
as JSON on stdout.

Before Frictionless is imported, every socket connection is refused in this
process, so the stage cannot reach the network whatever a descriptor holds
(resource paths are also checked before the stage starts).
"""

from __future__ import annotations

import json
import socket
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

from powdata.report import ERROR, Problem


def forbid_network() -> None:
    """Make every socket connection in this process fail at once."""

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        msg = "powdata validate never uses the network"
        raise OSError(msg)

    socket.socket.connect = refuse  # type: ignore[method-assign]  # deliberate: no network in this process
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse


def frictionless_problems(descriptor: Path) -> list[Problem]:
    """Check ``descriptor`` against the Data Package profile with stock Frictionless; return its errors.

    Only the descriptor: every row-level check belongs to the Table Schema layer
    (the typer and the Pandera models), so nothing is checked twice.
    """
    import frictionless

    try:
        desc = json.loads(descriptor.read_text(encoding="utf-8"))
        report = frictionless.Package.validate_descriptor(desc)
    except frictionless.FrictionlessException as exc:
        return [Problem(f"descriptor-{exc.error.type}", ERROR, exc.error.message)]
    return [Problem(f"descriptor-{err.type}", ERROR, err.message) for err in report.errors]


def main(argv: list[str]) -> int:
    """Validate the descriptor ``argv[0]`` and print the problems as a JSON list."""
    forbid_network()
    problems = frictionless_problems(Path(argv[0]))
    json.dump([asdict(p) for p in problems], sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
