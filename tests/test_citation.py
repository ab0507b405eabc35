"""Citations: CITATION.cff is generated, fresh and valid CFF 1.2; BibTeX is escaped; every source is cited."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft7Validator

import powdata
from powdata._citation import bibtex_escape
from powdata.citation import CITATION_FILE, cite
from tests.conftest import ROOT, by_id, run_cli

# The CFF 1.2.0 JSON schema, as shipped in cffconvert 2.0.0 (cffconvert/schemas/1.2.0/schema.json).
CFF_SCHEMA = json.loads((Path(__file__).parent / "data" / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))
# what bibtex_escape writes for each special character
ESCAPES = re.compile(r"\\(textbackslash|textasciitilde|textasciicircum)\{\}|\\[{}%&#_$]")


def _cff_errors(text: str) -> list[str]:
    data = yaml.safe_load(text)
    return [f"{list(e.path)}: {e.message}" for e in Draft7Validator(CFF_SCHEMA).iter_errors(data)]


class TestCitationFile:
    def test_committed_file_is_fresh(self) -> None:
        """CITATION.cff equals a fresh render from the descriptor and sources (run `powdata build` when not)."""
        assert (ROOT / CITATION_FILE).read_text(encoding="utf-8") == cite("cff", path=ROOT)

    def test_cli_prints_the_same_text(self) -> None:
        """`powdata cite --format cff` prints exactly the committed CITATION.cff."""
        r = run_cli("cite", "--format", "cff")
        assert r.returncode == 0 and r.stdout == (ROOT / CITATION_FILE).read_text(encoding="utf-8")

    def test_valid_against_the_cff_schema(self) -> None:
        """The CFF text validates against the CFF 1.2.0 JSON schema (what `cffconvert --validate` checks)."""
        assert _cff_errors(cite("cff")) == []

    def test_schema_check_can_fail(self) -> None:
        """The schema check rejects what the old generator wrote (an empty url, a reference without authors)."""
        bad = (
            "cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors:\n  - name: a\nurl: \n"
            'references:\n  - type: generic\n    title: "x"\n'
        )
        assert len(_cff_errors(bad)) >= 2

    def test_version_and_release_date_from_the_descriptor(self) -> None:
        """version and date-released come from datapackage.json."""
        data = yaml.safe_load(cite("cff"))
        desc = powdata.descriptor()
        assert data["version"] == desc["version"] and data["date-released"] == desc["created"][:10]

    def test_build_writes_it(self, pkg: Path) -> None:
        """`powdata build` on a repository (with docs/) writes CITATION.cff, then leaves it as it is."""
        (pkg / "docs").mkdir()
        r = run_cli("build", str(pkg))
        assert r.returncode == 0 and f"{CITATION_FILE}: rewritten" in r.stdout
        assert (pkg / CITATION_FILE).read_text(encoding="utf-8") == cite("cff", path=pkg)
        assert f"{CITATION_FILE}: already up to date" in run_cli("build", str(pkg)).stdout


class TestEverySourceCited:
    @pytest.mark.parametrize("fmt", ["text", "bibtex", "cff"])
    def test_every_source_is_cited(self, fmt: str) -> None:
        """Each row of the sources table (by its publisher and title) appears in every format."""
        text = cite(fmt)
        s: Any  # a row's fields have the types of their columns, which pandas-stubs cannot know (any scalar)
        for s in powdata.load("sources").itertuples():
            expected = (
                (s.title, s.publisher) if fmt != "bibtex" else (bibtex_escape(s.title), s.source_id.replace("-", "_"))
            )
            for part in expected:
                assert part in text, (fmt, part)

    def test_cff_reference_per_source(self) -> None:
        """CITATION.cff has one reference per source, each with authors, title and type."""
        refs = yaml.safe_load(cite("cff"))["references"]
        assert [r["title"] for r in refs] == list(powdata.load("sources")["title"])
        assert refs[0]["authors"] == [{"family-names": "Khomenko", "given-names": "Ivan"}]


class TestBibtexEscaping:
    def test_specials_in_a_source_are_escaped(self, edit_pkg: Callable[..., Path]) -> None:
        """A source note with % & { } is written escaped in BibTeX, and the CFF stays valid."""
        pkg = edit_pkg(
            "sources", lambda rows: by_id(rows, "source_id", "i-want-to-live-list").update(note="50% & {x}_#1")
        )
        text = cite("bibtex", path=pkg)
        assert r"50\% \& \{x\}\_\#1" in text
        assert _cff_errors(cite("cff", path=pkg)) == []
        assert yaml.safe_load(cite("cff", path=pkg))["references"][2]["notes"] == "50% & {x}_#1"

    @given(st.text())
    def test_escaped_text_has_no_bare_specials(self, text: str) -> None:
        """For any text, once the escapes are removed no % & { } # _ $ ~ ^ or backslash is left."""
        assert not re.search(r"[\\{}%&#_$~^]", ESCAPES.sub("", bibtex_escape(text)))

    @given(st.text())
    def test_escaping_loses_nothing(self, text: str) -> None:
        """Undoing the escapes gives the text back."""
        undo = {
            r"\textbackslash{}": "\\",
            r"\textasciitilde{}": "~",
            r"\textasciicircum{}": "^",
        }
        back = ESCAPES.sub(lambda m: undo.get(m.group(0), m.group(0)[1:]), bibtex_escape(text))
        assert back == text


class TestSourceCellThatDoesNotParse:
    @pytest.mark.parametrize("fmt", ["text", "bibtex", "cff"])
    def test_is_refused_in_one_line(self, edit_pkg: Callable[..., Path], fmt: str) -> None:
        """A source's published date that is no date ("n.d.") is refused as `load` refuses it, naming the cell;
        never cited as written, never a bare ValueError (the CFF's year was int("n.d."))."""
        from powdata.errors import PackageReadError

        pkg = edit_pkg("sources", lambda rows: rows[0].update(published="n.d."))
        with pytest.raises(PackageReadError, match="published"):
            cite(fmt, path=pkg)
