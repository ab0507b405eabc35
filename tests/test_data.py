"""The shipped data: faithful to the article, complete, ethical, and a valid Data Package."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import powdata
from powdata.build import stale_parts
from powdata.rules import figure_pattern
from tests.conftest import ROOT, SOURCE_TEXT


@pytest.fixture(scope="module")
def article() -> str:
    if not SOURCE_TEXT.is_file():  # a failure, not a skip: the excerpts must be checked
        pytest.fail(f"expected the source text at {SOURCE_TEXT}; CI lays shared/ beside the checkout")
    return SOURCE_TEXT.read_text(encoding="utf-8")


class TestExcerpts:
    def test_every_excerpt_is_verbatim(self, article: str) -> None:
        """Every excerpt of an observation or a mention is a byte-exact substring of the article."""
        for name in ("observations", "mentions"):
            for excerpt in powdata.load(name)["excerpt"]:
                assert excerpt in article, excerpt

    def test_every_excerpt_carries_its_figure(self) -> None:
        """Each observation's excerpt writes its value as the text does ("16,894", "49%", "first")."""
        obs = powdata.load("observations").merge(powdata.load("indicators")[["indicator_id", "unit"]])
        for row in obs.itertuples():
            assert figure_pattern(float(row.value), str(row.unit)).search(row.excerpt), row.observation_id

    def test_excerpts_are_short(self) -> None:
        """No excerpt is longer than 200 characters."""
        assert powdata.load("observations")["excerpt"].str.len().max() <= 200


class TestCompleteness:
    def test_every_number_of_the_article_is_stored(self, article: str) -> None:
        """Each figure about POWs, shares, the list, contracts and exchanges is one observation."""
        values = set(powdata.load("observations")["value"].astype(int))
        expected = {100, 32, 1, 2, 49, 42, 9, 16894, 121, 4658, 1013, 9961, 678, 6162, 6011, 10000, 2500}
        assert expected <= values
        for figure in ("16,894", "4,658", "1,013", "9,961", "6,162", "6,011", "10,000", "2,500"):
            assert figure in article

    def test_qualifiers_keep_the_uncertainty(self) -> None:
        """'More than 100', 'at least 678' and 'over 10,000' keep their qualifier."""
        obs = powdata.load("observations").set_index("observation_id")
        assert obs.loc["foreign-pows-held-2025-08-14", "qualifier"] == "more_than"
        assert obs.loc["foreign-fighters-listed-killed-2025-08", "qualifier"] == "at_least"
        assert obs.loc["service-members-exchanged-wsj", "qualifier"] == "more_than"
        assert obs.loc["azovstal-defenders-evacuated-wsj", "qualifier"] == "more_than"

    def test_no_sum_is_stored(self) -> None:
        """Neither 15,632 (the subtotals' sum) nor 1,262 (the gap) is stored: the article prints neither."""
        assert not {15632, 1262} & set(powdata.load("observations")["value"].astype(int))

    def test_the_july_share_is_a_july_flow(self) -> None:
        """The 49% covers July 2025 and the 42% the whole of 2024, as the second report says."""
        obs = powdata.load("observations").set_index("observation_id")
        july = obs.loc["foreign-share-of-pows-taken-2025-07"]
        assert (str(july.period_start.date()), str(july.period_end.date()), july.as_of) == (
            "2025-07-01",
            "2025-07-31",
            "2025-07",
        )
        assert str(obs.loc["foreign-share-of-pows-taken-2024", "period_end"].date()) == "2024-12-31"

    def test_countries_named_without_number_are_mentions(self) -> None:
        """Nepal, Belarus, Sri Lanka, Kazakhstan and Yemen are mentions, with no invented rank or count."""
        men = powdata.load("mentions")
        assert {"NPL", "BLR", "LKA", "KAZ", "YEM"} <= set(men["area_id"])
        assert "value" not in men.columns

    def test_the_article_date_is_not_guessed(self) -> None:
        """The article's own publication date is left empty."""
        src = powdata.load("sources").set_index("source_id")
        assert pd.isna(src.loc["united24-2025-08-foreign-pows", "published"])
        assert str(src.loc["coordination-hq-2025-08-14", "published"].date()) == "2025-08-14"


class TestEthics:
    PEOPLE = ("Zhuravlyov", "Nikolai", "Wang Guangjun", "Guangjun", "Kupiansk", "patriotism")

    def test_no_value_names_or_describes_an_individual(self) -> None:
        """No cell of any resource holds a prisoner's name or a detail of their story."""
        for name in powdata.list_resources():
            text = powdata.load(name).astype(str).to_csv()
            for word in self.PEOPLE:
                assert word not in text, (name, word)

    def test_no_column_could_identify_a_person(self) -> None:
        """No resource has a column such as name of a person, age, birth date or photo."""
        banned = re.compile(r"(^|_)(age|birth|photo|surname|first_name|last_name|person)($|_)")
        for name in powdata.list_resources():
            for field in powdata.describe(name)["fields"]:
                assert not banned.search(field["name"]), (name, field["name"])


class TestDescriptor:
    def test_descriptor_is_fresh(self) -> None:
        """The committed datapackage.json matches a fresh `powdata build` (hashes, bytes, schemas)."""
        assert stale_parts(ROOT) == []

    def test_descriptor_is_data_package_v2(self) -> None:
        """The descriptor declares the v2 profile, name, version, licences and per-resource integrity."""
        desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
        assert desc["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
        assert desc["name"] == "powdata"
        assert {lic["name"] for lic in desc["licenses"]} == {"CC-BY-4.0", "MIT"}
        for key in ("title", "description", "created", "sources", "contributors", "keywords"):
            assert desc[key], key
        for res in desc["resources"]:
            assert res["hash"].startswith("sha256:") and res["bytes"] > 0
            assert (res["mediatype"], res["encoding"]) == ("text/csv", "utf-8")
            assert res["description"]

    def test_every_field_is_described(self) -> None:
        """Every field of every Table Schema has a description and every schema a primary key."""
        for path in sorted((ROOT / "schemas").glob("*.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            assert schema["primaryKey"], path.name
            for field in schema["fields"]:
                assert field.get("description"), (path.name, field["name"])

    def test_csv_files_are_utf8_lf(self) -> None:
        """Every data file is UTF-8 with LF line endings and a header row."""
        for path in sorted((ROOT / "data").glob("*.csv")):
            data = path.read_bytes()
            data.decode("utf-8")
            assert b"\r" not in data, path.name
            assert data.endswith(b"\n")

    def test_stock_frictionless_cli_says_valid(self) -> None:
        """`frictionless validate datapackage.json` (no project code) reports the package valid."""
        exe = shutil.which("frictionless", path=str(Path(sys.executable).parent)) or shutil.which("frictionless")
        assert exe, "the frictionless CLI comes with the validate extra"
        result = subprocess.run(
            [exe, "validate", "--json", "datapackage.json"], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout[-2000:]
        assert json.loads(result.stdout)["valid"] is True
