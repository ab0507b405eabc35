"""Frictionless is the oracle: powdata reports every place stock Frictionless reports.

Each check has one owner in powdata, and Frictionless only checks the
descriptor inside ``powdata validate``. These tests keep the Table Schema layer
honest against the reference implementation: on every single-defect package of
the suite (the DEFECTS table, and random single-cell mutations drawn by
Hypothesis) the stock ``frictionless.Package(...).validate()`` runs in-process,
and each (resource, row, field) it reports must be among the places powdata
reports. A Frictionless error without a row (a header error) or without a field
(a row error such as a primary or foreign key) matches a powdata problem at that
resource with the same field or row.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import powdata
from powdata.release.build import build
from tests.conftest import ROOT, TABLES, Edit, copy_package, read_rows, write_rows
from tests.test_validation import DEFECTS

Place = tuple[str | None, int | None, str | None]

TRICKY = [
    "",
    " ",
    "x",
    "thirty",
    "-1",
    "1.5",
    "1.0",
    "1e3",
    "NaN",
    "inf",
    "1,000",
    " 12 ",
    "001",
    "0",
    "2025-13-01",
    "2025-02-30",
    "2025-1-5",
    "2025-08",
    "true",
    "maybe",
    "ZZZ",
    "UZB",
    "all",
    "Uzbekistan",
    "a" * 201,
    "exact",
    "roughly",
    "country",
    "http://example.org/x",
    "no scheme",
    "foreign-pows-held-2025-08-14",
    "coordination-hq-2025-08-14",
    "foreign-pows-held",
]


def frictionless_places(pkg: Path) -> set[Place]:
    """Every (resource, row, field) the stock Frictionless validator reports for ``pkg``."""
    import frictionless

    report = frictionless.Package(str(pkg / "datapackage.json")).validate()
    places: set[Place] = {(None, None, None) for _ in report.errors}
    for task in report.tasks:
        for err in task.errors:
            places.add((task.name, getattr(err, "row_number", None), getattr(err, "field_name", None) or None))
    return places


def uncovered(pkg: Path) -> tuple[set[Place], str]:
    """The places Frictionless reports that powdata does not, and powdata's report (for the message)."""
    report = powdata.validate(pkg)
    ours = {(p.resource, p.row, p.column) for p in report.problems}
    # past the report's cap a place is counted, not listed: a count of one rule in that resource and column covers it
    counted = {(res, col) for (_rule, _sev, res, col) in report.suppressed}
    missed: set[Place] = set()
    for resource, row, field in frictionless_places(pkg):
        if resource is None:
            if not report.problems:
                missed.add((resource, row, field))
            continue
        if not any(
            r == resource and (row is None or r_row == row) and (field is None or col == field)
            for r, r_row, col in ours
        ) and not any(r == resource and (field is None or col == field) for r, col in counted):
            missed.add((resource, row, field))
    return missed, report.to_text()


@pytest.mark.parametrize(("resource", "change", "rule", "row", "column"), DEFECTS, ids=[d[2] for d in DEFECTS])
def test_every_defect_frictionless_finds_is_found(
    edit_pkg: Callable[..., Path], resource: str, change: Edit, rule: str, row: int | None, column: str | None
) -> None:
    """On each single-defect package of the DEFECTS table, powdata reports every place Frictionless does."""
    pkg = edit_pkg(resource, change)
    missed, text = uncovered(pkg)
    assert not missed, text


def test_the_shipped_package_is_valid_for_both() -> None:
    """The oracle agrees that the shipped package has no error (so the mutations below start clean)."""
    assert frictionless_places(ROOT) == set()
    assert powdata.validate(ROOT).valid


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, int, str, str]:
    """One cell of one table replaced by a tricky or random value."""
    resource = draw(st.sampled_from(TABLES))
    rows = read_rows(ROOT / "data" / f"{resource}.csv")
    row = draw(st.integers(0, len(rows) - 1))
    column = draw(st.sampled_from(list(rows[0])))
    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
    value = draw(st.one_of(st.sampled_from(TRICKY), text))
    return resource, row, column, value


def _mutated(folder: Path, resource: str, row: int, column: str, value: str) -> Path:
    pkg = copy_package(folder / "pkg")
    path = pkg / "data" / f"{resource}.csv"
    rows = read_rows(path)
    fields = list(rows[0])
    rows[row][column] = value
    write_rows(path, rows, fields)
    build(pkg)
    return pkg


@settings(max_examples=25)
@given(mutations())
def test_every_cell_mutation_frictionless_flags_is_flagged(mutation: tuple[str, int, str, str]) -> None:
    """A random single-cell mutation: powdata reports every place Frictionless reports."""
    with tempfile.TemporaryDirectory() as tmp:
        pkg = _mutated(Path(tmp), *mutation)
        missed, text = uncovered(pkg)
        assert not missed, (mutation, text)
