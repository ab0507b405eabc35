"""Run the CLI as ``python -m powdata``."""

from powdata.cli import run

raise SystemExit(run())
