"""The descriptor checks of validation: the Data Package profile (stock Frictionless) and freshness.

`start` runs Frictionless against the Data Package profile in a child process
(this module's `main`); `finish` collects its problems; `stale_problems` says
whether the descriptor's derived parts match the files (``descriptor-stale``).

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
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from powdata.validation.report import ERROR, Problem

if TYPE_CHECKING:
    import subprocess


def start(root: Path) -> subprocess.Popen[bytes]:
    """Start the Frictionless descriptor check of the package at ``root`` in a child process."""
    import subprocess

    from powdata import _package

    package_parent = str(Path(__file__).resolve().parents[2])  # the folder that holds powdata/
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": package_parent + (os.pathsep + path if path else "")}
    cmd = [sys.executable, "-m", "powdata.validation.descriptor", str(_package.descriptor_path(root))]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def finish(proc: subprocess.Popen[bytes]) -> list[Problem]:
    """Wait for the child started by `start` and read its problems."""
    out, err = proc.communicate(timeout=3600)
    if proc.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        msg = f"the Frictionless stage failed (exit {proc.returncode}): {last[0]}"
        return [Problem("frictionless-failed", ERROR, msg)]
    return [Problem(**{**p, "ids": tuple(p["ids"])}) for p in json.loads(out)]


def stale_problems(root: Path, contents: dict[str, bytes], digests: dict[str, str] | None = None) -> list[Problem]:
    """A stale descriptor (run `powdata build`), judged from the bytes validation already read."""
    from powdata._derived import stale_parts

    if not (root / "schemas").is_dir():
        return []
    stale = stale_parts(root, contents, digests)
    if not stale:
        return []
    msg = f"the descriptor is stale ({', '.join(stale)}); run `powdata build` and commit datapackage.json"
    return [Problem("descriptor-stale", ERROR, msg)]


def forbid_network() -> None:
    """Make every socket connection in this process fail at once."""
    import socket

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
