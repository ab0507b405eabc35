"""The Frictionless stage of validation, run in a child process.

``powdata validate`` starts this stage first, then imports pandas and pandera
and runs its own rules while Frictionless works: on two cores the two overlap
instead of adding up. The child prints its problems as JSON on stdout.

Before Frictionless is imported, every socket connection is refused in this
process, so the stage cannot reach the network whatever a descriptor holds
(resource paths are also checked before the stage starts).
"""

from __future__ import annotations

import json
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


def forbid_network() -> None:
    """Make every socket connection in this process fail at once."""

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        msg = "powdata validate never uses the network"
        raise OSError(msg)

    socket.socket.connect = refuse  # type: ignore[method-assign]  # deliberate: no network in this process
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse


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
    forbid_network()
    problems = frictionless_problems(Path(argv[0]))
    json.dump([asdict(p) for p in problems], sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
