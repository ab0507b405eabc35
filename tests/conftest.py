"""Shared fixtures: copies of the shipped package to break, and the Hypothesis profiles."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from hypothesis import HealthCheck, settings

from powdata import ResourceName
from powdata.release.build import build

ROOT = Path(__file__).resolve().parent.parent


def _tables_of(root: Path) -> tuple[ResourceName, ...]:
    """The names of the tables the checkout's descriptor declares, in its order (not a list kept by hand)."""
    from powdata._package import read_descriptor, tables

    return tuple(cast(ResourceName, r["name"]) for r in tables(read_descriptor(root)))


TABLES = _tables_of(ROOT)
"""Every table of the shipped package, read from its descriptor: a new resource is tested without editing tests."""

# CI is deterministic: the same examples every run, no deadline on a shared, noisy machine.
settings.register_profile(
    "ci", derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The maintainers' long fuzzing run (see SECURITY.md): HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz.py
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("POWDATA_FUZZ_EXAMPLES", "1000")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


LONG_FIRST = (
    "tests/test_publish_flows.py::TestPreCommitHook::test_try_repo_passes_then_fails_on_a_broken_package",
    "tests/test_differential.py::test_every_cell_mutation_frictionless_flags_is_flagged",
    "tests/test_fuzz.py::TestFuzz::test_csv_mutations",
    "tests/test_fuzz.py::TestFuzz::test_descriptor_mutations",
    "tests/test_loader.py::TestTypedApi::test_mypy_strict_sees_the_api",
)
"""The tests of 7 s or more that use no module-scoped fixture, longest first."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest tests (`LONG_FIRST`, and any marked ``slow``) first; the rest keep their order.

    Scheduling only: pytest-xdist's worksteal balances the end of a run by moving queued tests,
    never a running one, so a 20-40 s test that starts late finishes the run alone on one core.
    Started first, it overlaps with everything else. Moving a test with a module-scoped fixture
    would set that fixture up twice, hence the list.
    """
    rank = {nodeid: i for i, nodeid in enumerate(LONG_FIRST)}

    def key(item: pytest.Item) -> int:
        return rank.get(item.nodeid, -1 if item.get_closest_marker("slow") else len(rank))

    items.sort(key=key)


def copy_package(dest: Path) -> Path:
    """Copy the repository's data package (descriptor, data, schemas) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(ROOT / "data", dest / "data")
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    return dest


def small_package(dest: Path, statements: int = 6) -> Path:
    """A valid copy of the shipped package keeping only the indicators of its first ``statements`` observations.

    For tests of what a command does with folders and files, not of the data: the site of
    a few indicators draws a few charts. Every observation those rows point at (a whole,
    a statement a variant words differently) and every variant of one kept stays, so no
    key dangles; the descriptor is rebuilt.
    """
    copy_package(dest)
    obs = read_rows(dest / "data" / "observations.csv")
    fields = list(obs[0])
    wanted = {r["indicator_id"] for r in obs[:statements]}
    kept = {r["observation_id"] for r in obs if r["indicator_id"] in wanted}
    while True:  # close the set over part_of and variant_of, both ways for variants
        more = {r[c] for r in obs if r["observation_id"] in kept for c in ("part_of", "variant_of") if r[c]}
        more |= {r["observation_id"] for r in obs if r["variant_of"] in kept}
        if more <= kept:
            break
        kept |= more
    write_rows(dest / "data" / "observations.csv", [r for r in obs if r["observation_id"] in kept], fields)
    quotes = read_rows(dest / "data" / "quotes.csv")
    write_rows(dest / "data" / "quotes.csv", [q for q in quotes if q["observation_id"] in kept], list(quotes[0]))
    build(dest)
    return dest


def clean_failure(code: int, err: str, *, exit_code: int | None = None) -> None:
    """A refusal: exit 1 or 2 (or exactly ``exit_code``), one line, no traceback, not called a bug."""
    assert code in ((exit_code,) if exit_code else (1, 2)), err
    assert "internal error" not in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """A copy of the package that keeps a release registry (``releases/``)."""
    pkg = copy_package(tmp_path / "pkg")
    shutil.copytree(ROOT / "releases", pkg / "releases")
    return pkg


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV file as a list of dicts of strings."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> None:
    """Write rows back with the package's CSV dialect (comma, LF, header)."""
    fields = fields or list(rows[0])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def drop_source_language(pkg: Path) -> Path:
    """Make ``pkg`` look like a package from before 0.2.0: sources without a language column."""
    import json

    schema_path = pkg / "schemas" / "sources.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "language"]
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    rows = read_rows(pkg / "data" / "sources.csv")
    for r in rows:
        r.pop("language", None)
    write_rows(pkg / "data" / "sources.csv", rows)
    build(pkg)
    return pkg


Edit = Callable[[list[dict[str, str]]], None]


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A fresh, valid copy of the shipped package."""
    return copy_package(tmp_path / "pkg")


@pytest.fixture
def edit_pkg(pkg: Path) -> Callable[..., Path]:
    """Return a function that edits one resource's rows in the copy and rebuilds its descriptor."""

    def _edit(resource: str, change: Edit, *, rebuild: bool = True) -> Path:
        path = pkg / "data" / f"{resource}.csv"
        rows = read_rows(path)
        fields = list(rows[0])
        change(rows)
        write_rows(path, rows, fields)
        if rebuild:
            build(pkg)
        return pkg

    return _edit


def by_id(rows: list[dict[str, str]], key: str, value: str) -> dict[str, str]:
    """Return the row whose ``key`` is ``value``."""
    return next(r for r in rows if r[key] == value)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m powdata ARGS`` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "powdata", *args], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    from powdata.cli import main

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run
