"""Run the CLI as ``python -m powdata``."""

from powdata.cli import main

raise SystemExit(main())
