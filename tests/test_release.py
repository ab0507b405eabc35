"""The 0.2.0 release is honest: the changelog, the diff, the registry and the README agree."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from powdata.release.codebook import SERIES_END, SERIES_START, render_series
from powdata.release.diff import diff_packages
from powdata.validation.rules.excerpts import QUALIFIER_WORDS
from tests.conftest import ROOT

RELEASE_0_1_0 = "4d4bedd"  # the commit that landed 0.1.0 (the last with "version": "0.1.0")


def _changelog_section(version: str) -> str:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    start = text.index(f"## [{version}]")
    end = text.find("\n## [", start + 1)
    return text[start : end if end > 0 else None]


@pytest.fixture(scope="module")
def diff_from_0_1_0():  # type: ignore[no-untyped-def]
    """The diff from the 0.1.0 commit to this checkout."""
    return diff_packages(f"git:{RELEASE_0_1_0}", ROOT)


@pytest.mark.git
class TestDiffAndChangelog:
    def test_diff_requires_minor_and_the_version_is_minor(self, diff_from_0_1_0) -> None:  # type: ignore[no-untyped-def]
        """From 0.1.0 the changes need a MINOR bump, and 0.2.0 is one."""
        assert diff_from_0_1_0.old_version == "0.1.0"
        assert (diff_from_0_1_0.required, diff_from_0_1_0.actual, diff_from_0_1_0.bump_ok) == ("minor", "minor", True)

    def test_changelog_names_every_id_the_diff_names(self, diff_from_0_1_0) -> None:  # type: ignore[no-untyped-def]
        """Every observation, source and indicator added or corrected since 0.1.0 is named in 0.2.0's entry."""
        section = _changelog_section("0.2.0")
        named = set(re.findall(r"`([a-z0-9._-]+)`", section))
        for change in diff_from_0_1_0.changes:
            if change.kind == "field added":
                assert f"{change.resource}.{change.detail}" in named, change.detail
            elif change.resource in ("observations", "sources", "indicators"):
                ident = change.detail.split(".", 1)[0].split(" ", 1)[0]
                assert ident in named, (change.kind, change.detail[:80])
            elif change.kind == "resource added":
                assert change.resource.removeprefix("text-") in named, change.resource

    def test_no_row_of_0_1_0_was_removed(self, diff_from_0_1_0) -> None:  # type: ignore[no-untyped-def]
        """Nothing of 0.1.0 is deleted and no id is reused."""
        assert not [c for c in diff_from_0_1_0.changes if c.level == "major"]


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

    def test_0_2_0_is_recorded(self) -> None:
        """releases/0.2.0.json records every resource of this version, archived texts included."""
        recorded = json.loads((ROOT / "releases" / "0.2.0.json").read_text(encoding="utf-8"))
        desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
        assert recorded["version"] == desc["version"] == "0.2.0"
        assert recorded["resources"] == {r["name"]: r["hash"] for r in desc["resources"]}


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
