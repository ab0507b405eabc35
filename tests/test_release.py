"""The releases are honest: the changelog, the diff, the registry and the README agree (1.0.0, 1.1.0)."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from powdata._language import QUALIFIER_WORDS
from powdata.release.codebook import SERIES_END, SERIES_START, render_series
from powdata.release.diff import DiffResult, diff_packages
from tests.conftest import ROOT

RELEASE_0_1_0 = "4d4bedd"  # the commit that landed 0.1.0 (the last with "version": "0.1.0")
RELEASE_0_2_0 = "ee640d6"  # the last commit with "version": "0.2.0", from which 1.0.0 branches
RELEASE_1_0_0 = "1b6f2fe"  # the commit that recorded releases/1.0.0.json, from which 1.1.0 branches


def _changelog_section(version: str) -> str:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    start = text.index(f"## [{version}]")
    end = text.find("\n## [", start + 1)
    return text[start : end if end > 0 else None]


@pytest.fixture(scope="module")
def diff_from_0_2_0() -> DiffResult:
    """The diff from the last 0.2.0 commit to the 1.0.0 release."""
    return diff_packages(f"git:{RELEASE_0_2_0}", f"git:{RELEASE_1_0_0}")


@pytest.fixture(scope="module")
def diff_from_1_0_0() -> DiffResult:
    """The diff from the 1.0.0 release to this checkout."""
    return diff_packages(f"git:{RELEASE_1_0_0}", ROOT)


def _migration_table() -> dict[str, str]:
    """The old id → new id table of 1.0.0's "How to migrate from 0.2"."""
    section = _changelog_section("1.0.0").split("### How to migrate from 0.2", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| (?:indicator |source )?`([a-z0-9-]+)` \| `([a-z0-9-]+)` \|", section, re.M)
    return dict(rows)


@pytest.mark.git
class TestDiffAndChangelog:
    def test_diff_requires_major_and_the_version_is_major(self, diff_from_0_2_0: DiffResult) -> None:
        """From 0.2.0 the changes need a MAJOR bump (texts removed, ids renamed), and 1.0.0 is one."""
        assert diff_from_0_2_0.old_version == "0.2.0"
        assert (diff_from_0_2_0.required, diff_from_0_2_0.actual, diff_from_0_2_0.bump_ok) == ("major", "major", True)

    def test_changelog_names_every_change_the_diff_names(self, diff_from_0_2_0: DiffResult) -> None:
        """Every id, field and resource the diff names since 0.2.0 is named in 1.0.0's entry."""
        named = set(re.findall(r"`([a-z0-9._-]+)`", _changelog_section("1.0.0")))
        for change in diff_from_0_2_0.changes:
            if change.kind in ("field added", "field removed"):
                field = change.detail.split(" ", 1)[0]
                assert f"{change.resource}.{field}" in named, (change.kind, change.resource, field)
            elif change.kind.startswith("constraint") or change.kind == "field described":
                field = change.detail.split(".", 1)[0]
                assert f"{change.resource}.{field}" in named, (change.kind, change.resource, field)
            elif change.kind.startswith("foreign key"):
                field = change.detail.split(")", 1)[0].lstrip("(")
                assert f"{change.resource}.{field}" in named, (change.kind, change.resource, field)
            elif change.kind in ("fields reordered", "metadata changed"):
                continue  # named in prose: the resource's fields or the descriptor's metadata
            elif change.kind in ("resource added", "resource removed"):
                assert change.resource in named, change.resource
            elif change.resource in ("observations", "sources", "indicators"):
                ident = change.detail.split(".", 1)[0].split(" ", 1)[0]
                assert ident in named, (change.kind, change.detail[:80])

    def test_every_removed_id_is_mapped_to_one_that_exists(self, diff_from_0_2_0: DiffResult) -> None:
        """Each row the diff says was removed is in the migration table, and its new id is in the data."""
        import powdata

        table = _migration_table()
        ids = {
            "observations": set(powdata.load("observations")["observation_id"]),
            "indicators": set(powdata.load("indicators")["indicator_id"]),
            "sources": set(powdata.load("sources")["source_id"]),
        }
        removed = [c for c in diff_from_0_2_0.changes if c.kind == "row removed"]
        assert removed
        for change in removed:
            old = change.detail.split(" ", 1)[0]
            assert table.get(old) in ids[str(change.resource)], old
            assert old not in ids[str(change.resource)]  # never reused

    def test_no_row_of_0_1_0_was_removed_without_a_mapping(self) -> None:
        """Every row of 0.1.0 is still there under its id or mapped to a new one in the migration table."""
        old = diff_packages(f"git:{RELEASE_0_1_0}", ROOT)
        table = _migration_table()
        for change in old.changes:
            if change.kind == "row removed":
                assert change.detail.split(" ", 1)[0] in table, change.detail


class TestRegistry:
    @pytest.mark.git
    def test_0_1_0_files_are_unchanged_in_history(self) -> None:
        """The files at the 0.1.0 commit hash to what releases/0.1.0.json recorded."""
        import hashlib

        recorded = json.loads((ROOT / "releases" / "0.1.0.json").read_text(encoding="utf-8"))["resources"]
        desc = json.loads(_git_show(RELEASE_0_1_0, "datapackage.json"))
        for res in desc["resources"]:
            data = _git_show(RELEASE_0_1_0, res["path"])
            assert "sha256:" + hashlib.sha256(data).hexdigest() == recorded[res["name"]], res["name"]

    def test_0_2_0_files_are_unchanged_in_history(self) -> None:
        """The files at the last 0.2.0 commit hash to what releases/0.2.0.json recorded."""
        import hashlib

        recorded = json.loads((ROOT / "releases" / "0.2.0.json").read_text(encoding="utf-8"))["resources"]
        desc = json.loads(_git_show(RELEASE_0_2_0, "datapackage.json"))
        for res in desc["resources"]:
            data = _git_show(RELEASE_0_2_0, res["path"])
            assert "sha256:" + hashlib.sha256(data).hexdigest() == recorded[res["name"]], res["name"]

    def test_1_0_0_files_are_unchanged_in_history(self) -> None:
        """The files at the 1.0.0 release commit hash to what releases/1.0.0.json recorded."""
        import hashlib

        recorded = json.loads((ROOT / "releases" / "1.0.0.json").read_text(encoding="utf-8"))
        desc = json.loads(_git_show(RELEASE_1_0_0, "datapackage.json"))
        assert recorded["version"] == desc["version"] == "1.0.0"
        for res in desc["resources"]:
            data = _git_show(RELEASE_1_0_0, res["path"])
            assert "sha256:" + hashlib.sha256(data).hexdigest() == recorded["resources"][res["name"]], res["name"]

    def test_1_1_0_is_recorded(self) -> None:
        """releases/1.1.0.json records every resource of this version."""
        recorded = json.loads((ROOT / "releases" / "1.1.0.json").read_text(encoding="utf-8"))
        desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
        assert recorded["version"] == desc["version"] == "1.1.0"
        assert recorded["resources"] == {r["name"]: r["hash"] for r in desc["resources"]}


class TestRelease110:
    def test_diff_requires_minor_and_the_version_is_minor(self, diff_from_1_0_0: DiffResult) -> None:
        """From 1.0.0 the 22 reports only add rows, indicators, areas and unit values: MINOR, and 1.1.0 is one."""
        assert diff_from_1_0_0.old_version == "1.0.0"
        assert (diff_from_1_0_0.required, diff_from_1_0_0.actual, diff_from_1_0_0.bump_ok) == ("minor", "minor", True)
        assert not [c for c in diff_from_1_0_0.changes if c.kind == "row removed"]

    def test_changelog_names_every_added_row(self, diff_from_1_0_0: DiffResult) -> None:
        """Every statement, quotation, indicator, area and source the diff adds is named by id in 1.1.0's entry."""
        named = set(re.findall(r"`([a-z0-9A-Z._-]+)`", _changelog_section("1.1.0")))
        added = [c for c in diff_from_1_0_0.changes if c.kind == "row added"]
        assert len(added) > 200
        for change in added:
            assert change.detail.split(" ", 1)[0] in named, (change.resource, change.detail[:80])


class TestReadme:
    def test_series_block_is_fresh(self) -> None:
        """The README's Series tables equal a fresh render from the data (`powdata build` rewrites them)."""
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        block = text[text.index(SERIES_START) : text.index(SERIES_END) + len(SERIES_END)]
        assert block == render_series(ROOT)

    def test_qualifier_table_matches_the_rule(self) -> None:
        """Every word of the qualifier-matches-words table is in the README's row for its qualifier."""
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", text, re.MULTILINE)}
        for words in QUALIFIER_WORDS.values():
            for phrase, qualifier in words.items():
                assert phrase in rows[qualifier], (phrase, qualifier)


def _git_show(ref: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout
