"""The shipped data: faithful to its archived sources, complete, ethical, and a valid Data Package.

Everything here reads the repository only: the texts the excerpts are checked
against are archived in the package (``sources/``), not read from outside it.
"""

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
from powdata._derived import stale_parts
from powdata._vintages import text_roots
from powdata.validation.rules import figure_pattern
from tests.conftest import ROOT

ARTICLE = "united24-2025-08-foreign-pows"


@pytest.fixture(scope="module")
def article() -> str:
    """The seed article, as archived in the package (personal passages replaced by […])."""
    return powdata.source_text(ARTICLE)


def _quoted(name: str) -> pd.DataFrame:
    """Rows of ``name`` with the publication each excerpt is quoted from and its language."""
    sources = powdata.load("sources")
    df = powdata.load(name)
    df["quoted_in"] = df["source_id"].astype(object).map(text_roots(sources))
    language = dict(zip(sources["source_id"], sources["language"], strict=True))
    df["language"] = df["quoted_in"].map(language)
    return df


class TestExcerpts:
    def test_every_excerpt_is_verbatim(self) -> None:
        """Every excerpt of an observation or a mention is a byte-exact substring of its archived text."""
        for name in ("observations", "mentions"):
            for row in _quoted(name).itertuples():
                assert row.excerpt in powdata.source_text(row.source_id), (name, row.excerpt)

    def test_every_excerpt_carries_its_figure(self) -> None:
        """Each excerpt writes its value as its language does ("16,894", "49%", "first", "3 388", "18 тисяч")."""
        obs = _quoted("observations").merge(powdata.load("indicators")[["indicator_id", "unit"]])
        for row in obs.itertuples():
            pattern = figure_pattern(float(row.value), str(row.unit), str(row.language))
            assert pattern.search(row.excerpt), row.observation_id

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


# Numbers in the archived texts that are not figures about foreign fighters or foreign prisoners,
# each with the reason it is not an observation. Every other number must be in an excerpt.
NOT_FIGURES = {
    "united24-2025-08-foreign-pows": {"3": "'3 min read'"},
    "wsj-prisoner-exchange-channel": {
        **dict.fromkeys(["12", "14", "2025", "06", "50"], "reading time, date and time of the reprint"),
        "10,000": "troops traded by both sides, not foreign nationals; recorded through UNITED24 as in 0.1.0",
    },
    "sud-ua-2025-11-19": {
        "3 тисячі": "the outlet's rounding of 'щонайменше 3 388' (noted on foreign-fighters-listed-killed-2025-11-19)",
        "2023": "a year ('починаючи з 2023 року')",
    },
    "interfax-2025-12-31": {
        **dict.fromkeys(["15", "24", "31"], "time and date of the report"),
        **dict.fromkeys(["10,000", "40%", "60", "90", "350"], "Russian servicemen, not foreign nationals"),
        **dict.fromkeys(["2022", "2023", "2024", "2025"], "years"),
        **dict.fromkeys(["2", "3"], "'about 2-3' a week: a range, not held by the one-value model (sources note)"),
    },
}
_NUMBER = re.compile(r"(?<![\d.,])\d+(?:[ \xa0.,]\d{3})*(?:%| ?тисяч\w*| ?тысяч\w*| Tausend)?(?!\d)")


class TestLaterReports:
    def test_every_number_of_every_text_is_a_figure_or_explained(self) -> None:
        """Each number in each archived text is in an excerpt quoted from it, or listed with why it is not data."""
        quoted = pd.concat([_quoted("observations"), _quoted("mentions")])
        for path in sorted((ROOT / "sources").glob("*.txt")):
            excerpts = quoted.loc[quoted["quoted_in"] == path.stem, "excerpt"].tolist()
            allowed = NOT_FIGURES.get(path.stem, {})
            for m in _NUMBER.finditer(path.read_text(encoding="utf-8")):
                number = re.compile(r"(?<![\d.,])" + re.escape(m.group()) + r"(?!\d)")
                assert any(number.search(e) for e in excerpts) or m.group() in allowed, (path.name, m.group())

    def test_later_vintages_are_recorded_as_stated(self) -> None:
        """The headline figures of August–December 2025 are stored with their words' qualifiers."""
        obs = powdata.load("observations").set_index("observation_id")
        expected = {
            "foreign-fighters-listed-2025-11-19": (18000, "more_than", "2025-11-19"),
            "foreign-fighters-listed-countries-2025-11-19": (128, "exact", "2025-11-19"),
            "foreign-fighters-listed-killed-2025-11-19": (3388, "at_least", "2025-11-19"),
            "foreign-pows-held-2025-11-25-cnn": (200, "approximately", "2025-11-25"),
            "foreign-pows-held-2025-12-03": (136, "exact", "2025-12-03"),
            "foreign-pow-countries-2025-12-03": (37, "exact", "2025-12-03"),
            "foreign-fighters-identified-africa-2025-11-07": (1436, "at_least", "2025-11-07"),
            "foreign-share-of-pows-held-2025-12-31": (7, "approximately", "2025-12-31"),
            "foreign-fighters-listed-killed-2025-12-ukrinform": (3388, "exact", "2025-12"),
        }
        for oid, (value, qualifier, as_of) in expected.items():
            row = obs.loc[oid]
            assert (row.value, row.qualifier, row.as_of) == (value, qualifier, as_of), oid

    def test_disagreeing_reports_are_both_kept_and_explained(self) -> None:
        """CNN's 'nearly 200' and the 136 a week later are both stored, attributed, each note naming the other."""
        obs = powdata.load("observations").set_index("observation_id")
        cnn, dec = obs.loc["foreign-pows-held-2025-11-25-cnn"], obs.loc["foreign-pows-held-2025-12-03"]
        assert cnn.source_id != dec.source_id
        assert "foreign-pows-held-2025-12-03" in cnn.note and "foreign-pows-held-2025-11-25-cnn" in dec.note

    def test_every_source_has_a_language_and_the_publications_a_date(self) -> None:
        """Sources carry a BCP 47 language; every publication read directly is dated, except Ukrinform's."""
        src = powdata.load("sources")
        assert set(src["language"]) == {"en", "uk", "ru", "de"}
        direct = src.loc[src["via_source_id"].isna() & (src["source_id"] != ARTICLE)]
        undated = set(direct.loc[direct["published"].isna(), "source_id"])
        assert undated == {"ukrinform-de-2025-12"}  # its date is not shown in the stored copy

    def test_cumulative_indicators_have_real_vintages(self) -> None:
        """The list and its killed grow over dated vintages: 16,894 → more than 18,000; 678 → at least 3,388."""
        listed = powdata.series("foreign-fighters-listed")
        assert listed["as_of"].tolist()[:2] == ["2025-08-14", "2025-11-19"]
        assert listed["value"].tolist()[:2] == [16894, 18000]
        killed = powdata.series("foreign-fighters-listed-killed")
        assert killed[["value", "qualifier"]].iloc[:2].values.tolist() == [[678, "at_least"], [3388, "at_least"]]


class TestCorrections:
    def test_babel_ua_is_quoted_not_paraphrased(self) -> None:
        """No sentence that cites babel.ua says 'taken': it does not print that word."""
        cells = pd.concat([powdata.load(n).astype(str).stack() for n in ("observations", "indicators", "sources")])
        sentences = [s for cell in cells for s in re.split(r"(?<=[.;])\s", str(cell)) if "babel.ua" in s]
        assert sentences and not [s for s in sentences if "taken" in s]

    def test_i_want_to_live_figures_are_dated_by_the_answer(self) -> None:
        """The list's August figures are dated 2025-08-14, so load(as_of=…) keeps them."""
        kept = powdata.load("observations", as_of="2025-08-31")
        listed = kept.loc[kept["source_id"] == "i-want-to-live-list"]
        assert len(listed) == 6 and set(listed["as_of"]) == {"2025-08-14"}

    def test_wsj_report_has_its_title_authors_and_date(self) -> None:
        """The Wall Street Journal's report has its title, three authors and 2025-08-14."""
        wsj = powdata.load("sources").set_index("source_id").loc["wsj-prisoner-exchange-channel"]
        assert wsj.title == "The Secret Channel Russia and Ukraine Use to Trade Prisoners of War"
        assert wsj.author.split("; ") == ["Matthew Luxmoore", "Drew Hinshaw", "Joe Parkinson"]
        assert str(wsj.published.date()) == "2025-08-14"
        reprint = (ROOT / "sources" / "wsj-prisoner-exchange-channel.txt").read_text(encoding="utf-8")
        assert wsj.title.lower() in reprint.lower() and "14 Aug 2025" in reprint
        kept = powdata.load("observations", as_of="2025-08-14")
        assert {"service-members-exchanged-wsj", "azovstal-defenders-evacuated-wsj"} <= set(kept["observation_id"])


class TestEthics:
    PEOPLE = ("Zhuravlyov", "Nikolai", "Wang Guangjun", "Guangjun", "Kupiansk", "patriotism")

    def test_no_value_names_or_describes_an_individual(self) -> None:
        """No cell of any resource holds a prisoner's name or a detail of their story."""
        for name in powdata.list_resources():
            text = powdata.load(name).astype(str).to_csv()
            for word in self.PEOPLE:
                assert word not in text, (name, word)

    def test_no_archived_text_names_an_individual_prisoner(self) -> None:
        """The archived texts hold no prisoner's name, age or story: those passages are replaced by […]."""
        for path in sorted((ROOT / "sources").glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            for word in (*self.PEOPLE, "Zhuravl", "Wang", "43,", "POW camp", "Getty Images"):
                assert word not in text, (path.name, word)
        assert powdata.source_text(ARTICLE).count("[…]") == 2

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
            text = res["path"].startswith("sources/")
            assert (res["mediatype"], res["encoding"]) == ("text/plain" if text else "text/csv", "utf-8")
            assert res["description"]

    def test_every_archived_text_is_declared_with_its_licence(self) -> None:
        """Each sources/*.txt is a resource with a licence note: the text's copyright stays with its publisher."""
        desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
        declared = {r["path"]: r for r in desc["resources"] if r["path"].startswith("sources/")}
        on_disk = {f"sources/{p.name}" for p in (ROOT / "sources").glob("*.txt")}
        assert set(declared) == on_disk and len(on_disk) == 8
        for res in declared.values():
            assert res["format"] == "txt" and "copyright" in res["licenses"][0]["title"].lower(), res["name"]

    def test_every_quoted_publication_is_archived(self) -> None:
        """Every publication an excerpt is quoted from has its text in the package."""
        archived = {p.stem for p in (ROOT / "sources").glob("*.txt")}
        for name in ("observations", "mentions"):
            assert set(_quoted(name)["quoted_in"]) <= archived

    def test_every_field_is_described(self) -> None:
        """Every field of every Table Schema has a description and every schema a primary key."""
        for path in sorted((ROOT / "schemas").glob("*.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            assert schema["primaryKey"], path.name
            for field in schema["fields"]:
                assert field.get("description"), (path.name, field["name"])

    def test_csv_files_are_utf8_lf(self) -> None:
        """Every data file and archived text is UTF-8 with LF line endings."""
        for path in [*sorted((ROOT / "data").glob("*.csv")), *sorted((ROOT / "sources").glob("*.txt"))]:
            data = path.read_bytes()
            data.decode("utf-8")
            assert b"\r" not in data, path.name
            assert data.endswith(b"\n") or path.suffix == ".txt"  # a text ends as it was published

    def test_stock_frictionless_cli_says_valid(self) -> None:
        """`frictionless validate datapackage.json` (no project code) reports the package valid."""
        exe = shutil.which("frictionless", path=str(Path(sys.executable).parent)) or shutil.which("frictionless")
        assert exe, "the frictionless CLI comes with the validate extra"
        result = subprocess.run(
            [exe, "validate", "--json", "datapackage.json"], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout[-2000:]
        assert json.loads(result.stdout)["valid"] is True
