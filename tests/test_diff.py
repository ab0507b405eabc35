"""powdata diff: each class of change, the semver gate, and the maintainer's flow."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from powdata.release.build import build
from powdata.release.diff import bump_level, diff_packages
from powdata.release.registry import registry_mismatch
from tests.conftest import ROOT, by_id, copy_package, read_rows, run_cli, write_rows

VERSION = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]


def _next(level: str) -> str:
    """The shipped version bumped by ``level`` (patch or minor)."""
    major, minor, patch = (int(x) for x in VERSION.split("."))
    return f"{major}.{minor}.{patch + 1}" if level == "patch" else f"{major}.{minor + 1}.0"


def _bump(pkg: Path, version: str) -> None:
    path = pkg / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc["version"] = version
    path.write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    build(pkg)


def _edit(pkg: Path, resource: str, change: Callable[[list[dict[str, str]], list[str]], object]) -> None:
    path = pkg / "data" / f"{resource}.csv"
    rows = read_rows(path)
    fields = list(rows[0])
    change(rows, fields)
    write_rows(path, rows, fields)
    build(pkg)


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "old")


@pytest.fixture
def new(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "new")


class TestClassification:
    def test_no_change(self, old: Path, new: Path) -> None:
        """Identical packages need no bump."""
        assert diff_packages(old, new).required == "none"

    def test_corrected_value_is_patch(self, old: Path, new: Path) -> None:
        """A corrected value in an existing row (same id) needs a PATCH and is named."""
        _edit(
            new,
            "observations",
            lambda rows, f: by_id(rows, "observation_id", "foreign-pows-held-2025-08-14").update(
                note="Corrected note."
            ),
        )
        result = diff_packages(old, new)
        assert result.required == "patch"
        assert any("foreign-pows-held-2025-08-14.note" in c.detail for c in result.changes)

    def test_added_vintage_is_minor(self, old: Path, new: Path) -> None:
        """A new observation (a later vintage) needs a MINOR bump."""

        def add(rows: list[dict[str, str]], fields: list[str]) -> None:
            rows.append(
                {
                    **by_id(rows, "observation_id", "foreign-pows-held-2025-08-14"),
                    "observation_id": "foreign-pows-held-2025-09-01",
                    "as_of": "2025-08-14",
                }
            )

        _edit(new, "observations", add)
        assert diff_packages(old, new).required == "minor"

    def test_added_resource_is_minor(self, old: Path, new: Path) -> None:
        """A new resource needs a MINOR bump."""
        desc = json.loads((new / "datapackage.json").read_text(encoding="utf-8"))
        desc["resources"].append({**desc["resources"][3], "name": "area_members_copy"})
        (new / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
        assert diff_packages(old, new).required == "minor"

    def test_dropped_column_is_major(self, old: Path, new: Path) -> None:
        """A field removed from a schema needs a MAJOR bump."""
        schema = json.loads((new / "schemas" / "areas.json").read_text(encoding="utf-8"))
        schema["fields"] = [f for f in schema["fields"] if f["name"] != "note"]
        (new / "schemas" / "areas.json").write_text(json.dumps(schema), encoding="utf-8")

        def drop_note(rows: list[dict[str, str]], fields: list[str]) -> None:
            for r in rows:
                r.pop("note")
            fields.remove("note")

        _edit(new, "areas", drop_note)
        assert diff_packages(old, new).required == "major"

    def test_retyped_column_is_major(self, old: Path, new: Path) -> None:
        """A field whose type changes needs a MAJOR bump."""
        schema = json.loads((new / "schemas" / "areas.json").read_text(encoding="utf-8"))
        next(f for f in schema["fields"] if f["name"] == "m49")["type"] = "integer"
        (new / "schemas" / "areas.json").write_text(json.dumps(schema), encoding="utf-8")
        build(new)
        changes = diff_packages(old, new).changes
        assert any(c.kind == "field retyped" and c.level == "major" for c in changes)

    @pytest.mark.parametrize(("old_min", "new_min", "level"), [(0, 1, "major"), (1, 0, "minor")])
    def test_constraint_direction(self, old: Path, new: Path, old_min: int, new_min: int, level: str) -> None:
        """A raised minimum tightens (MAJOR); a lowered one loosens (MINOR)."""
        for pkg, minimum in ((old, old_min), (new, new_min)):
            schema = json.loads((pkg / "schemas" / "observations.json").read_text(encoding="utf-8"))
            next(f for f in schema["fields"] if f["name"] == "value")["constraints"]["minimum"] = minimum
            (pkg / "schemas" / "observations.json").write_text(json.dumps(schema), encoding="utf-8")
            build(pkg)
        change = next(c for c in diff_packages(old, new).changes if "value.minimum" in c.detail)
        assert change.level == level

    def test_reused_id_is_major(self, old: Path, new: Path) -> None:
        """An id that now names another figure (indicator or area changed) needs a MAJOR bump."""
        _edit(
            new,
            "observations",
            lambda rows, f: by_id(rows, "observation_id", "foreign-pow-rank-tjk-2025-08-14").update(area_id="KAZ"),
        )
        result = diff_packages(old, new)
        assert result.required == "major" and any(c.kind == "id reused" for c in result.changes)

    def test_removed_row_is_major(self, old: Path, new: Path) -> None:
        """A row removed needs a MAJOR bump: its id is gone."""
        _edit(new, "mentions", lambda rows, f: rows.pop())
        assert diff_packages(old, new).required == "major"

    @pytest.mark.parametrize(
        ("a", "b", "level"),
        [
            ("0.1.0", "0.1.0", "none"),
            ("0.1.0", "0.1.1", "patch"),
            ("0.1.3", "0.2.0", "minor"),
            ("0.9.9", "1.0.0", "major"),
            ("0.2.0", "0.1.9", "none"),
        ],
    )
    def test_bump_level(self, a: str, b: str, level: str) -> None:
        """bump_level reads how far the version moved; a step back counts as none."""
        assert bump_level(a, b) == level


class TestGate:
    def test_data_changed_version_did_not_exit_1(self, old: Path, new: Path) -> None:
        """The CLI exits 1 and says so when data change but the version does not."""
        _edit(new, "observations", lambda rows, f: rows[0].update(note="x"))
        r = run_cli("diff", str(old), str(new))
        assert r.returncode == 1 and f"REFUSED: data changed (patch) but the version stayed {VERSION}" in r.stdout

    def test_markdown_and_json(self, old: Path, new: Path) -> None:
        """--format markdown gives a table; --format json the same data."""
        _edit(new, "observations", lambda rows, f: rows[0].update(note="x"))
        _bump(new, _next("patch"))
        md = run_cli("diff", str(old), str(new), "--format", "markdown")
        assert md.returncode == 0 and "| patch | text corrected | observations |" in md.stdout
        data = json.loads(run_cli("diff", str(old), str(new), "--format", "json").stdout)
        assert data["bump_ok"] is True and data["required_bump"] == "patch"

    @pytest.mark.git
    def test_git_ref(self) -> None:
        """git:HEAD reads the committed state of this repository."""
        r = run_cli("diff", "git:HEAD", str(ROOT), cwd=ROOT)
        assert r.returncode in (0, 1) and r.stdout.startswith("powdata diff git:HEAD")


class TestMaintainerFlow:
    def test_add_vintage_build_validate_diff_bump(self, old: Path, new: Path) -> None:
        """Add a vintage → build → validate → diff demands MINOR → bump → diff passes."""
        (new / "releases").mkdir()
        build(new)  # records releases/<shipped version>.json

        def add(rows: list[dict[str, str]], fields: list[str]) -> None:
            rows.append(
                {
                    **by_id(rows, "observation_id", "foreign-pow-countries-2025-08-14"),
                    "observation_id": "foreign-pow-countries-2025-08-14-b",
                    "stated_by": "united24-2025-08-foreign-pows",
                    "as_of": "",
                    "as_of_basis": "",  # no date, so no basis for one
                }
            )

        def quote(rows: list[dict[str, str]], fields: list[str]) -> None:
            rows.append(
                {
                    **by_id(rows, "quote_id", "foreign-pow-countries-2025-08-14--united24"),
                    "quote_id": "foreign-pow-countries-2025-08-14-b--united24",
                    "observation_id": "foreign-pow-countries-2025-08-14-b",
                }
            )

        _edit(new, "observations", add)
        _edit(new, "quotes", quote)
        assert registry_mismatch(new) == ["observations", "quotes"]
        assert run_cli("validate", str(new)).returncode == 0
        gate = run_cli("diff", str(old), str(new))
        assert gate.returncode == 1 and f"REFUSED: data changed (minor) but the version stayed {VERSION}" in gate.stdout
        _bump(new, _next("minor"))
        assert registry_mismatch(new) == []
        assert run_cli("diff", str(old), str(new)).returncode == 0
