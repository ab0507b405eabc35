"""The shipped data: statements as the texts state them, quoted not republished, ethical, a valid Data Package.

Everything here reads the repository only. The retrieved texts stay with the
maintainers (``powdata evidence DIR`` checks every excerpt against them; see
tests/test_evidence.py); here the excerpts are checked for what they must carry.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest

import powdata
from powdata._derived import stale_parts
from powdata.validation.rules import figure_pattern
from tests.conftest import ROOT

ARTICLE = "united24-2025-08-foreign-pows"


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    """The observations, indexed by id."""
    by_id: pd.DataFrame = powdata.load("observations").set_index("observation_id")  # pandas-stubs: set_index -> Any
    return by_id


@pytest.fixture(scope="module")
def quotes() -> pd.DataFrame:
    """Each quote with its observation's value, value_max and unit, and its publication's language."""
    q = powdata.load("quotes")
    o = powdata.load("observations")[["observation_id", "indicator_id", "value", "value_max", "qualifier"]]
    units = powdata.load("indicators")[["indicator_id", "unit"]]
    languages = powdata.load("sources")[["source_id", "language"]]
    merged: pd.DataFrame = (
        q.merge(o, on="observation_id").merge(units, on="indicator_id").merge(languages, on="source_id")
    )
    return merged


class TestQuotes:
    def test_every_excerpt_carries_its_figure(self, quotes: pd.DataFrame) -> None:
        """Each excerpt writes its figure as its language does ("16,894", "3 388", "18 тисяч", "2-3")."""
        r: Any  # a row's fields have the types of their columns, which pandas-stubs cannot know (any scalar)
        for r in quotes.itertuples():
            vmax = None if pd.isna(r.value_max) else float(r.value_max)
            assert figure_pattern(float(r.value), str(r.unit), str(r.language), vmax).search(r.excerpt), r.quote_id

    def test_excerpts_are_short_quotations(self) -> None:
        """No excerpt (quote, mention or not-data context) is longer than 200 characters."""
        assert powdata.load("quotes")["excerpt"].str.len().max() <= 200
        assert powdata.load("mentions")["excerpt"].str.len().max() <= 200
        not_data = pd.read_csv(ROOT / "evidence" / "not-data.csv", dtype=str, keep_default_na=False)
        assert not_data["context"].str.len().max() <= 200 and (not_data["reason"].str.len() > 0).all()

    def test_every_observation_is_quoted_by_a_publication_with_a_url(self, obs: pd.DataFrame) -> None:
        """Every observation has a quote, from a publication with a url, the date it was retrieved and how."""
        q = powdata.load("quotes").merge(powdata.load("sources"), on="source_id")
        assert set(obs.index) == set(q["observation_id"])
        assert q["url"].notna().all() and q["retrieved"].notna().all() and q["read_from"].notna().all()

    def test_no_statement_is_stored_twice(self) -> None:
        """One quote per statement and publication; no two statements share stater, figure and thing."""
        q = powdata.load("quotes")
        assert not q.duplicated(["observation_id", "source_id"]).any()
        o = powdata.load("observations")
        stmt = o.loc[o["variant_of"].isna()]
        key = ["indicator_id", "area_id", "period_start", "period_end", "stated_by", "value", "qualifier"]
        assert not stmt.duplicated(key).any()


class TestStatements:
    def test_one_statement_many_publications(self) -> None:
        """Okhrymenko's 136 and 37, and Usov's 'more than 18,000' and 128, are one observation each, quoted by all."""
        q = {str(k): set(g["source_id"].astype(str)) for k, g in powdata.load("quotes").groupby("observation_id")}
        assert q["foreign-pows-held-2025-12-03"] == {"novyny-live-2025-12-03", "ukrinform-de-2025-12"}
        assert q["foreign-pow-countries-2025-12-03"] == {"novyny-live-2025-12-03", "ukrinform-de-2025-12"}
        four = {"sud-ua-2025-11-19", "newshorizondaily-2025-11-25", "ukrinform-de-2025-12", "rks-news-2025-11"}
        assert q["foreign-fighters-named-2025-11-19"] == four  # RKS News relays the CNN report too (1.1.0)
        assert q["foreign-fighters-named-countries-2025-11-19"] == four

    def test_a_different_wording_is_its_own_figure_linked(self, obs: pd.DataFrame) -> None:
        """Ukrinform's 3,388 without 'at least' and Sud.ua's 'more than 3 thousand' are linked paraphrases."""
        for oid in (
            "foreign-fighters-named-died-2025-11-19-ukrinform",
            "foreign-fighters-named-died-2025-11-19-summary",
        ):
            row = obs.loc[oid]
            assert row.variant_of == "foreign-fighters-named-died-2025-11-19" and "paraphrase" in row.note
        assert obs.loc["foreign-fighters-named-died-2025-11-19", "qualifier"] == "at_least"

    def test_series_has_one_point_per_statement_listing_its_publications(self) -> None:
        """series() counts statements: the died series is one row, listing Sud.ua and Ukrinform and its variants."""
        died = powdata.series("foreign-fighters-named-died")
        assert len(died) == 1
        assert died["publications"].item() == "sud-ua-2025-11-19; ukrinform-de-2025-12"
        assert died["variants"].item().split("; ") == [
            "foreign-fighters-named-died-2025-11-19-summary",
            "foreign-fighters-named-died-2025-11-19-ukrinform",
        ]
        held = powdata.series("foreign-pows-held")
        assert held["value"].tolist() == [100, 200, 136] and held["qualifier"].tolist() == [
            "more_than",
            "nearly",
            "exact",
        ]

    def test_as_of_says_where_it_comes_from(self, obs: pd.DataFrame) -> None:
        """The July share is dated by its text, the answer's figures by the statement, Okhrymenko's by publication."""
        assert obs.loc["foreign-share-of-pows-2025-07", "as_of_basis"] == "text"
        assert obs.loc["foreign-fighters-listed-2025-08", "as_of_basis"] == "statement"
        assert tuple(obs.loc["foreign-pows-held-2025-12-03", ["as_of", "as_of_basis"]]) == ("2025-12-03", "publication")


class TestAsStated:
    def test_the_article_figures_are_stored(self, obs: pd.DataFrame) -> None:
        """Each figure of the seed article about POWs, shares, the list, contracts and exchanges is an observation."""
        article = obs.loc[powdata.load("quotes").query("source_id == @ARTICLE")["observation_id"]]
        expected = {100, 32, 1, 2, 49, 42, 9, 16894, 121, 4658, 1013, 9961, 678, 6162, 6011, 10000, 2500}
        assert set(article["value"].astype(int)) == expected

    def test_qualifiers_keep_the_words(self, obs: pd.DataFrame) -> None:
        """'More than 100', 'at least 678', 'nearly 200', 'nearly 7%' and 'about 2-3' are held as worded."""
        assert obs.loc["foreign-pows-held-2025-08-14", "qualifier"] == "more_than"
        assert obs.loc["foreign-fighters-listed-killed-2025-08", "qualifier"] == "at_least"
        assert obs.loc["foreign-pows-held-2025-11-25-cnn", "qualifier"] == "nearly"
        assert obs.loc["foreign-share-of-pows-held-2025-12-31", "qualifier"] == "nearly"
        weekly = obs.loc["foreign-surrenders-per-week-2025-12-31"]
        assert (weekly.value, weekly.value_max, weekly.qualifier) == (2, 3, "approximately")

    def test_no_interval_exceeds_its_words(self) -> None:
        """'Nearly 200' tops at 200 and 'nearly 7%' at 7 in every view: never the 220 or 7.7 of 0.2.0."""
        f = powdata.figures().set_index("observation_id")
        assert f.loc["foreign-pows-held-2025-11-25-cnn", "upper"] == 200
        assert f.loc["foreign-share-of-pows-held-2025-12-31", "upper"] == 7

    def test_no_sum_is_stored(self, obs: pd.DataFrame) -> None:
        """Neither 15,632 (the subtotals' sum) nor 1,262 (the gap) is stored: the article prints neither."""
        assert not {15632, 1262} & set(obs["value"].astype(int))

    def test_the_july_share_is_july(self, obs: pd.DataFrame) -> None:
        """The 49% covers July 2025 and the 42% the whole of 2024, as the texts word them."""
        july = obs.loc["foreign-share-of-pows-2025-07"]
        assert (str(july.period_start.date()), str(july.period_end.date()), july.as_of) == (
            "2025-07-01",
            "2025-07-31",
            "2025-07",
        )
        # pandas-stubs types a cell as any scalar; period_end is a date column, so a cell is a Timestamp
        assert str(cast(pd.Timestamp, obs.loc["foreign-share-of-pows-2024", "period_end"]).date()) == "2024-12-31"

    def test_countries_named_without_number_are_mentions(self) -> None:
        """Nepal, Belarus, Sri Lanka, Kazakhstan and Yemen are mentions, with no invented rank or count."""
        men = powdata.load("mentions")
        assert {"NPL", "BLR", "LKA", "KAZ", "YEM"} <= set(men["area_id"])
        assert "value" not in men.columns

    def test_the_article_date_is_not_guessed(self) -> None:
        """The article's own publication date is left empty."""
        src = powdata.load("sources").set_index("source_id")
        assert pd.isna(src.loc[ARTICLE, "published"])
        assert str(src.loc["coordination-hq-2025-08-14", "published"].date()) == "2025-08-14"


class TestReadings:
    def test_no_indicator_states_a_reading(self) -> None:
        """No indicator's id or name says 'taken', nor its description but as what the texts do not say."""
        ind = powdata.load("indicators").set_index("indicator_id")
        assert not [i for i in ind.index if "taken" in i]
        for i, row in ind.iterrows():
            assert "taken" not in row["name"], i
            assert "taken" not in row["description"] or "do not say" in row["description"], i
            if "confirmed killed" in f"{row['name']} {row['description']}":
                assert i == "foreign-fighters-listed-killed", i  # UNITED24: 'have been confirmed killed'

    def test_the_period_reading_is_labelled_with_the_evidence_against_it(self, obs: pd.DataFrame) -> None:
        """Each share by period carries the 'taken' reading as a reading, with Interfax's 2-3 a week among 60-90."""
        shares = obs.loc[obs["indicator_id"] == "foreign-share-of-pows-by-period"]
        assert len(shares) == 4 and shares["reading"].str.startswith(("Reading", "The same reading")).all()
        july = cast(str, obs.loc["foreign-share-of-pows-2025-07", "reading"])  # a string column (stubs: any scalar)
        assert "Against it" in july and "2-3" in july and "60 to 90" in july and "2-5%" in july

    def test_the_18000_are_not_put_on_the_i_want_to_live_list(self, obs: pd.DataFrame) -> None:
        """'More than 18,000' sits under foreign-fighters-named, the list reading labelled with its evidence against."""
        named = obs.loc["foreign-fighters-named-2025-11-19"]
        assert named.indicator_id == "foreign-fighters-named"
        assert named.reading.startswith("Reading, not stated by any text") and "Against it" in named.reading
        assert not (obs.loc[obs["indicator_id"] == "foreign-fighters-listed", "value"] == 18000).any()

    def test_out_of_scope_figures_are_flagged_not_deleted(self) -> None:
        """The WSJ exchange and Azovstal figures are kept under indicators flagged in_scope false, and only they."""
        ind = powdata.load("indicators")
        out = set(ind.loc[~ind["in_scope"].astype(bool), "indicator_id"])
        assert out == {"service-members-exchanged", "azovstal-defenders-evacuated"}
        f = powdata.figures()
        assert set(f.loc[~f["in_scope"].astype(bool), "observation_id"]) == {
            "service-members-exchanged-wsj",
            "azovstal-defenders-evacuated-wsj",
        }


class TestSources:
    def test_publications_say_where_their_text_was_read(self) -> None:
        """Each publication read has url, language, retrieved and read_from; statements have none of them."""
        src = powdata.load("sources").set_index("source_id")
        read = src.loc[src["url"].notna()]
        assert read[["language", "retrieved", "read_from"]].notna().all().all()
        assert set(read["language"]) == {"en", "uk", "ru", "de", "bg"}
        statements = src.loc[src["kind"] != "news_article"]
        assert statements[["url", "retrieved", "read_from"]].isna().all().all()

    def test_the_wsj_report_is_read_in_its_reprint(self) -> None:
        """The Wall Street Journal's report has its title, three authors, date and the url of Mint's reprint."""
        wsj = powdata.load("sources").set_index("source_id").loc["wsj-prisoner-exchange-channel"]
        assert wsj.title == "The Secret Channel Russia and Ukraine Use to Trade Prisoners of War"
        assert wsj.author.split("; ") == ["Matthew Luxmoore", "Drew Hinshaw", "Joe Parkinson"]
        assert str(wsj.published.date()) == "2025-08-14" and wsj.read_from == "reprint"
        assert wsj.url.startswith("https://www.livemint.com/")

    def test_relays_are_chained(self) -> None:
        """CNN is known through News Horizon Daily, Ukrinform's report through Novyny.LIVE, which relays it."""
        src = powdata.load("sources").set_index("source_id")
        assert src.loc["cnn-foreign-recruits-2025-11", "via_source_id"] == "newshorizondaily-2025-11-25"
        assert src.loc["cnn-foreign-recruits-2025-11", "title"].startswith("[")  # CNN's own title is not known
        relayed = src.loc[src["via_source_id"] == "novyny-live-2025-12-03"]
        assert list(relayed["publisher"]) == ["Ukrinform"]
        assert pd.isna(src.loc["coordination-hq-via-cnn-2025-11", "author"])  # CNN credits the Headquarters

    def test_no_note_dates_cnn_beyond_its_relay(self) -> None:
        """No cell says CNN reported on 2025-11-25, nor that Okhrymenko spoke 'about a week later'."""
        cells = pd.concat([powdata.load(n).astype(str).stack() for n in ("observations", "quotes", "sources")])
        text = " ".join(map(str, cells))
        assert "CNN reported on" not in text and "about a week later" not in text.lower()


class TestNothingRepublished:
    def test_the_package_holds_no_text_of_a_publication(self) -> None:
        """No sources/ folder, no text resource in the descriptor, none in the wheel's or sdist's file list."""
        assert not (ROOT / "sources").exists()
        desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
        assert all(r["path"].startswith("data/") and r["path"].endswith(".csv") for r in desc["resources"])
        pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib is 3.11+; the lines suffice
        sdist = re.search(r"^\[tool\.hatch\.build\.targets\.sdist\](?:\n#.*)*\ninclude = (.*)$", pyproject, re.M)
        wheel = pyproject.split("[tool.hatch.build.targets.wheel.force-include]", 1)[1].split("\n[", 1)[0]
        assert sdist and '"sources' not in sdist.group(1) and '"sources' not in wheel

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

    def test_citation_is_dated_by_the_changelog(self) -> None:
        """CITATION.cff's version and date-released are the CHANGELOG's entry for the descriptor's version."""
        version = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
        changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
        date = re.search(rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", changelog, re.M)
        cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
        assert date and f'version: "{version}"' in cff and f'date-released: "{date.group(1)}"' in cff

    def test_every_field_is_described(self) -> None:
        """Every field of every Table Schema has a description and every schema a primary key."""
        for path in sorted((ROOT / "schemas").glob("*.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            assert schema["primaryKey"], path.name
            for field in schema["fields"]:
                assert field.get("description"), (path.name, field["name"])

    def test_csv_files_are_utf8_lf(self) -> None:
        """Every data file is UTF-8 with LF line endings and a final newline."""
        for path in sorted((ROOT / "data").glob("*.csv")):
            data = path.read_bytes()
            data.decode("utf-8")
            assert b"\r" not in data and data.endswith(b"\n"), path.name

    def test_stock_frictionless_cli_says_valid(self) -> None:
        """`frictionless validate datapackage.json` (no project code) reports the package valid."""
        exe = shutil.which("frictionless", path=str(Path(sys.executable).parent)) or shutil.which("frictionless")
        assert exe, "the frictionless CLI comes with the validate extra"
        result = subprocess.run(
            [exe, "validate", "--json", "datapackage.json"], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout[-2000:]
        assert json.loads(result.stdout)["valid"] is True
