"""Discovery and deposit metadata: schema.org JSON-LD, DataCite and Zenodo, generated from the descriptor."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

import powdata
from powdata.release import metadata
from tests.conftest import ROOT

S = "https://schema.org/"
BASE = "https://site.test/powdata/"  # a stand-in page address: relative download paths resolve against it
# pyld fetches the schema.org context over the network; offline, the test serves the part of it that
# matters here: schema.org as the vocabulary, and the properties whose values are addresses.
CONTEXT = {
    "@context": {
        "@vocab": S,
        "url": {"@type": "@id"},
        "contentUrl": {"@type": "@id"},
        "license": {"@type": "@id"},
    }
}


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    assert url.rstrip("/") == S.rstrip("/"), f"the JSON-LD names a context other than schema.org: {url}"
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}


def _expand(doc: dict[str, Any]) -> dict[str, Any]:
    from pyld import jsonld

    (node,) = jsonld.expand(doc, {"base": BASE, "documentLoader": _loader})
    return dict(node)


def _values(node: dict[str, Any], prop: str) -> list[Any]:
    return [v.get("@value", v.get("@id", v)) for v in node.get(S + prop, [])]


class TestJsonLd:
    def test_parses_back_with_licence_creator_coverage_and_version(self) -> None:
        """Parsed by a JSON-LD processor, the Dataset names its licence, creator, coverage and version."""
        node = _expand(metadata.dataset_jsonld())
        assert node["@type"] == [S + "Dataset"]
        assert _values(node, "license") == ["https://creativecommons.org/licenses/by/4.0/"]
        (creator,) = node[S + "creator"]
        assert creator["@type"] == [S + "Organization"] and _values(creator, "name") == ["powdata maintainers"]
        assert _values(node, "version") == [powdata.descriptor()["version"]]
        (place,) = node[S + "spatialCoverage"]
        assert _values(place, "name") == ["Ukraine"]

    def test_temporal_coverage_is_the_data_s_first_and_last_date(self) -> None:
        """temporalCoverage runs from the earliest to the latest date the observations give."""
        obs = powdata.load("observations")
        starts = [d.strftime("%Y-%m-%d") for d in obs["period_start"].dropna()]
        first, last = metadata.temporal_coverage()
        assert first == min([*starts, *(a for a in obs["as_of"].dropna() if len(a) == 10)])
        assert last >= max(str(a) for a in obs["as_of"].dropna())[:7]
        node = _expand(metadata.dataset_jsonld())
        assert _values(node, "temporalCoverage") == [f"{first}/{last}"]

    def test_a_distribution_for_every_download(self) -> None:
        """Every download (package zip, SQLite, one CSV per table) is a DataDownload resolving on the site."""
        node = _expand(metadata.dataset_jsonld())
        urls = sorted(u for d in node[S + "distribution"] for u in _values(d, "contentUrl"))
        expected = sorted(BASE + d.path for d in metadata.downloads(powdata.descriptor()))
        assert urls == expected
        tables = powdata.list_resources()
        assert {u.rsplit("/", 1)[1] for u in urls} >= {f"{t}.csv" for t in tables}
        assert all(
            d["@type"] == [S + "DataDownload"] and _values(d, "encodingFormat") for d in node[S + "distribution"]
        )

    def test_cites_every_source_and_invents_no_url(self) -> None:
        """Each source is cited with its own URL where it has one; the dataset has a url only if the descriptor does."""
        doc = metadata.dataset_jsonld()
        sources = powdata.load("sources")
        assert len(doc["citation"]) == len(sources)
        assert sorted(c["url"] for c in doc["citation"] if "url" in c) == sorted(sources["url"].dropna())
        assert ("url" in doc) == bool(powdata.descriptor().get("homepage"))

    def test_script_element_cannot_close_early(self) -> None:
        """The HTML script element escapes '</' so no text in the data can end it early."""
        html = metadata.jsonld_script({"@context": S, "name": "</script><b>"})
        assert html.count("</script>") == 1 and json.loads(html.split("\n", 1)[1].rsplit("\n", 1)[0])


class TestDeposit:
    def test_datacite_validates_against_the_4_5_schema(self) -> None:
        """The DataCite JSON validates against DataCite Metadata Schema 4.5 (the datacite package's copy)."""
        from datacite import schema45

        doc = metadata.datacite()
        schema45.validator.validate(doc)
        assert doc["types"]["resourceTypeGeneral"] == "Dataset"
        broken = {k: v for k, v in doc.items() if k != "creators"}
        assert not schema45.validator.is_valid(broken)

    def test_build_writes_the_zenodo_file_beside_the_citation(self, tmp_path: Path) -> None:
        """In a repository, `powdata build` rewrites a stale .zenodo.json from the package it builds."""
        from powdata.release.build import build_package
        from tests.conftest import copy_package

        repo = copy_package(tmp_path / "repo")
        (repo / "docs").mkdir()
        (repo / "README.md").write_bytes((ROOT / "README.md").read_bytes())
        (repo / ".zenodo.json").write_text("{}\n", encoding="utf-8")
        desc = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
        desc["title"] = desc["title"] + " (a copy)"
        (repo / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
        build_package(repo)
        written = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
        assert written == metadata.zenodo(path=repo) and written["title"].endswith("(a copy)")

    def test_zenodo_file_is_fresh_and_uses_only_zenodo_fields(self) -> None:
        """.zenodo.json equals a fresh render and uses only fields of Zenodo's legacy deposit format."""
        committed = (ROOT / ".zenodo.json").read_text(encoding="utf-8")
        assert committed == metadata.zenodo_text(path=ROOT), "regenerate: powdata build"
        doc = json.loads(committed)
        # the properties of Zenodo's legacy deposit schema this file may use
        allowed = {"upload_type", "title", "description", "version", "publication_date", "creators", "license"}
        allowed |= {"access_right", "keywords", "notes", "related_identifiers", "contributors", "references"}
        assert set(doc) <= allowed and doc["upload_type"] == "dataset" and doc["license"] == "cc-by-4.0"
        assert all(r["relation"] == "references" and r["scheme"] == "url" for r in doc["related_identifiers"])

    def test_deposit_holds_data_and_excerpts_but_no_third_party_text(self, tmp_path: Path) -> None:
        """The deposit holds the tables (excerpts included) and schemas, no third-party text, and validates."""
        target = tmp_path / "deposit.zip"
        names = metadata.write_deposit_zip(ROOT, target)
        assert not [n for n in names if n.endswith(".txt")]
        assert "data/observations.csv" in names and "datapackage.json" in names
        with zipfile.ZipFile(target) as zf:
            zf.extractall(tmp_path / "x")
        (folder,) = (tmp_path / "x").iterdir()
        desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert [r["name"] for r in desc["resources"]] == powdata.list_resources()
        report = powdata.validate(folder)
        assert report.valid, report.errors
        assert metadata.write_deposit_zip(ROOT, tmp_path / "again.zip") == names
        assert (tmp_path / "again.zip").read_bytes() == target.read_bytes()  # the same release, the same bytes

    @pytest.mark.parametrize("fmt", ["text", "cff"])
    def test_citation_names_no_address_that_does_not_exist(self, fmt: str) -> None:
        """cite() gives the repository or documentation URL only when the descriptor has one."""
        text = powdata.cite(fmt)
        homepage = powdata.descriptor().get("homepage")
        assert (("\nurl: " in text) if fmt == "cff" else (str(homepage) in text)) == bool(homepage)
