"""`powdata propose`: candidate rows from one retrieved text (texts written by the tests)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from powdata._language import NUMBER_STYLES, QUALIFIER_WORDS
from powdata.cli import main
from powdata.evidence.propose import Proposal, find_dates, find_numbers, propose, qualifier_before, to_csv

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = [
    {"indicator_id": "foreign-pows-held", "unit": "persons"},
    {"indicator_id": "foreign-pow-countries", "unit": "countries"},
    {"indicator_id": "foreign-fighters-killed", "unit": "persons"},
]
AREAS = ["all", "KEN", "africa"]


def values(text: str, language: str) -> list[tuple[float, float | None]]:
    return [(n.value, n.value_max) for n in find_numbers(text, language)]


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "language", "expected"),
        [
            ("lists 16,894 foreign nationals", "en", [(16894.0, None)]),
            ("Щонайменше 3 388 із них загинули", "uk", [(3388.0, None)]),
            ("mehr als 18.000 Söldner", "de", [(18000.0, None)]),
            ("понад 18 тисяч іноземців", "uk", [(18000.0, None)]),
            ("около 18 тысяч", "ru", [(18000.0, None)]),
            ("оцінив приблизно в 17 тис. військових", "uk", [(17000.0, None)]),
            ("bonuses of up to 1.2 million shillings", "en", [(1200000.0, None)]),
            ("в Україні воює 1000-5000 кубинців", "uk", [(1000.0, 5000.0)]),
            ("about 2-3 Russian soldiers", "en", [(2.0, 3.0)]),
            ("42% от наемниците", "bg", [(42.0, None)]),
            ("над 3 388 души", "bg", [(3388.0, None)]),
        ],
    )
    def test_digits_as_each_language_groups_them(
        self, text: str, language: str, expected: list[tuple[float, float | None]]
    ) -> None:
        """Digits are read with the language's separators, multiplier words and ranges, as the text writes them."""
        assert values(text, language) == expected

    @pytest.mark.parametrize(
        ("text", "language", "expected"),
        [
            ("Twenty-six Indian nationals were killed", "en", 26.0),
            ("from more than two dozen countries", "en", 24.0),
            ("Around three dozen are in the process", "en", 36.0),
            ("the total could cross one hundred fifty", "en", 150.0),
            ("DNA samples of forty-five people", "en", 45.0),
            ("за шість місяців", "uk", 6.0),
            ("более двухсот кенийцев", "ru", 200.0),
            ("през първите четири месеца", "bg", 4.0),
            ("трима пленници", "bg", 3.0),
        ],
    )
    def test_numbers_in_words(self, text: str, language: str, expected: float) -> None:
        """Numbers written in words are found and valued, in English, Ukrainian, Russian and Bulgarian."""
        assert [v for v, _ in values(text, language)] == [expected]

    def test_a_lone_one_and_thousands_are_not_figures(self) -> None:
        """'one of them' and 'thousands of troops' are words, not counts: nothing is proposed for them."""
        assert values("one of them said thousands of troops", "en") == []
        assert values("Одному громадянину", "uk") == []

    def test_unknown_language_is_one_clear_error(self) -> None:
        """A language without a number style is refused, naming the languages that are read."""
        with pytest.raises(ValueError, match="expected one of en, uk, ru, de, bg"):
            find_numbers("12", "fr")

    def test_separators_agree_with_babel(self) -> None:
        """Separators hold CLDR's group symbol (babel), and a plain space where CLDR has a no-break one."""
        import babel.numbers

        for lang, style in NUMBER_STYLES.items():
            group = babel.numbers.get_group_symbol(lang)
            assert group in style["separators"], (lang, group)
            if group in ("\xa0", "\u202f"):
                assert " " in style["separators"], lang


class TestQualifiers:
    @pytest.mark.parametrize(
        ("before", "language", "expected"),
        [
            ("Russia recruited at least ", "en", "at_least"),
            ("were fighting, some ", "en", "approximately"),
            ("roughly ", "en", "approximately"),
            ("воюють до ", "uk", "at_most"),
            ("Більше ", "uk", "more_than"),
            ("приблизно в ", "uk", "approximately"),
            ("обещали до $", "ru", "at_most"),
            ("как минимум ", "ru", "at_least"),
            ("Близо ", "bg", "nearly"),
            ("повече от ", "bg", "more_than"),
            ("най-малко ", "bg", "at_least"),
            ("the report lists ", "en", "exact"),
            ("Moreover ", "en", "exact"),
        ],
    )
    def test_words_before_the_number(self, before: str, language: str, expected: str) -> None:
        """The words right before a number give its qualifier in that language; a word ending in one does not."""
        assert qualifier_before(before, language)[0] == expected

    def test_readme_table_has_bulgarian_words(self) -> None:
        """The README's qualifier table gives every Bulgarian word of the one table in its qualifier's row."""
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", text, re.MULTILINE)}
        for phrase, qualifier in QUALIFIER_WORDS["bg"].items():
            assert "bg: " in rows[qualifier] and phrase in rows[qualifier].split("bg: ", 1)[1], phrase


class TestProposals:
    TEXT = (
        "Kenya said more than 200 of its citizens were fighting for Russia.\n\n"
        "As of February 2026, 89 Kenyans were on the front line, 39 were hospitalised, and 28 missing in action.\n"
        "Nearly 200 foreigners from 37 countries are held as prisoners of war, officials said on Thursday."
    )

    def proposals(self) -> list[Proposal]:
        return propose(self.TEXT, "en", indicators=INDICATORS, areas=AREAS, published=date(2026, 2, 19))

    def test_every_number_is_proposed_once_in_order(self) -> None:
        """Each number of the text is one proposal, in the order of the text, with its line."""
        got = [(p.number, p.line) for p in self.proposals()]
        assert got == [("200", 1), ("2026", 3), ("89", 3), ("39", 3), ("28", 3), ("200", 4), ("37", 4)]

    def test_qualifier_unit_area_and_excerpt(self) -> None:
        """A proposal carries the qualifier of its words, a unit, an area, and a verbatim excerpt holding both."""
        first, *_, held, countries = self.proposals()
        assert (first.qualifier, first.qualifier_words, first.unit, first.area) == (
            "more_than",
            "more than",
            "persons",
            "KEN",
        )
        assert first.excerpt == "Kenya said more than 200 of its citizens were fighting for Russia"
        assert (held.qualifier, held.indicator) == (QUALIFIER_WORDS["en"]["nearly"], "foreign-pows-held")
        assert (countries.unit, countries.indicator) == ("countries", "foreign-pow-countries")
        for p in self.proposals():
            assert p.excerpt in self.TEXT and len(p.excerpt) <= 200
            assert p.number in p.excerpt and p.qualifier_words in p.excerpt

    def test_new_indicator_and_area_are_marked(self) -> None:
        """Where no indicator or area of the package fits, the proposal says 'new?' and what it found."""
        text = "Officials say roughly 5,000 Iraqi citizens have volunteered to fight for Russia."
        (p,) = propose(text, "en", indicators=INDICATORS, areas=AREAS)
        assert p.area == "new? IRQ"
        assert p.indicator == "new? (recruited, persons)"
        assert p.qualifier == "approximately"

    def test_dates_of_the_sentence(self) -> None:
        """The dates a sentence gives become the proposal's as_of; a year inside a date is a date, not a figure."""
        by_number = {p.number: p for p in self.proposals()}
        assert by_number["89"].as_of == "2026-02"
        assert by_number["89"].as_of_basis == "text"
        assert by_number["2026"].kind == "date"
        assert by_number["37"].dates == "2026-02-19"  # 'on Thursday' in Thursday's paper

    def test_inflected_months_and_a_weekday(self) -> None:
        """Dates dateparser misses ('У квітні', 'В феврале') are found from its month names; a stated year wins."""
        uk = find_dates("У квітні проєкт публікував список. Між червнем 2023 року.", "uk", date(2025, 8, 19))
        assert [iso for *_, iso in uk] == ["2025-04", "2023-06"]
        ru = find_dates("В феврале в стоп-лист могли добавить.", "ru", date(2026, 2, 23))
        assert [iso for *_, iso in ru] == ["2026-02"]
        bg = find_dates("22 януари 2026, 14:30 часа", "bg", date(2026, 1, 22))
        assert [iso for *_, iso in bg] == ["2026-01-22"]

    def test_csv_round_trip(self) -> None:
        """The CSV has one row per proposal with the documented columns."""
        rows = list(csv.DictReader(io.StringIO(to_csv(self.proposals()))))
        assert len(rows) == 7
        assert list(rows[0])[:5] == ["line", "number", "value", "value_max", "qualifier"]
        assert rows[0]["value"] == "200" and rows[0]["value_max"] == ""


class TestCommand:
    def test_prints_a_table_and_writes_nothing_into_data(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`powdata propose` prints proposals for a text and leaves the package's files unchanged."""
        text = tmp_path / "report.uk.txt"
        text.write_text("Проти України воюють понад 1780 громадян із 36 африканських країн.", encoding="utf-8")
        before = {p: p.read_bytes() for p in (ROOT / "data").glob("*.csv")}
        assert main(["propose", str(text), "--package", str(ROOT)]) == 0
        out = capsys.readouterr().out
        assert "'1780' = 1780  more_than (понад)" in out
        assert "area africa" in out
        assert before == {p: p.read_bytes() for p in (ROOT / "data").glob("*.csv")}

    def test_writes_csv_but_refuses_data_folder(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--to writes a CSV; a target inside a package's data/ folder is refused with one line, exit 2."""
        text = tmp_path / "r.txt"
        text.write_text("About 350 families asked for help.", encoding="utf-8")
        out = tmp_path / "proposed.csv"
        assert main(["propose", str(text), "--language", "en", "--to", str(out), "--package", str(ROOT)]) == 0
        assert "350" in out.read_text(encoding="utf-8")
        assert main(["propose", str(text), "--language", "en", "--to", str(ROOT / "data" / "x.csv")]) == 2
        err = capsys.readouterr().err
        assert "never written into a package's data/ folder" in err and "Traceback" not in err
        assert not (ROOT / "data" / "x.csv").exists()

    def test_language_is_needed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A text whose name does not give its language and no --language: one line naming the option."""
        text = tmp_path / "r.txt"
        text.write_text("12", encoding="utf-8")
        assert main(["propose", str(text)]) == 2
        assert "--language" in capsys.readouterr().err


class TestRanksAndMoney:
    def test_ordinals_are_ranks_only_where_the_words_say_so(self) -> None:
        """'перше місце' and 'the second … figure' are ranks; 'the first nine months' proposes no rank."""
        uk = find_numbers("Куба посідає перше місце серед країн", "uk")
        assert [(n.value, n.rank) for n in uk] == [(1.0, True)]
        en = find_numbers("the second foreign casualty figure after Cameroon", "en")
        assert [(n.value, n.rank) for n in en] == [(2.0, True)]
        assert all(not n.rank for n in find_numbers("in the first nine months of 2025", "en"))

    def test_a_currency_sign_between_words_and_number(self) -> None:
        """'до $18 000' is at_most in US dollars; '1.2 million shillings' is read with its multiplier."""
        (p,) = propose("которым якобы обещали до $18 000 на покрытие расходов", "ru")
        assert (p.value, p.qualifier, p.unit) == (18000.0, "at_most", "USD")
        (q,) = propose("get bonuses of up to 1.2 million shillings", "en")
        assert (q.value, q.qualifier, q.unit) == (1200000.0, "at_most", "KES")


class TestExcerpts:
    def test_words_with_a_no_break_space(self) -> None:
        """'At\\xa0least 678' keeps its no-break space in the excerpt, which still starts at the qualifier."""
        text = "And 9,961 from other countries. At\xa0least 678\xa0of\xa0these individuals have been confirmed killed."
        p = next(p for p in propose(text, "en") if p.value == 678)
        assert p.qualifier == "at_least"
        assert p.excerpt == "At\xa0least 678\xa0of\xa0these individuals have been confirmed killed"

    def test_no_leading_connective(self) -> None:
        """An excerpt does not start with the word that joins its clause to the sentence ('that', 'що')."""
        (p,) = propose("Russia has told Nepal, that 104 Nepalis have died.", "en")
        assert p.excerpt == "104 Nepalis have died"
        (q,) = propose("Стверджується, що щонайменше 196 із них загинули.", "uk")
        assert q.excerpt == "щонайменше 196 із них загинули"


def test_a_figure_is_not_the_head_of_a_longer_number() -> None:
    """excerpt-carries-figure: 1 is not in '1,000', 3 not in '3 388', 18 not in '18.000'; 86 is in 'з 86 країн'."""
    from powdata.validation.rules.excerpts import figure_pattern

    assert figure_pattern(1.0, "persons", "en").search("lists 1,000 people") is None
    assert figure_pattern(3.0, "persons", "uk").search("3 388 із них") is None
    assert figure_pattern(18.0, "persons", "de").search("mehr als 18.000 Söldner") is None
    assert figure_pattern(86.0, "countries", "uk").search("з 86 країн")


class TestUntrustedTextFile:
    @pytest.mark.parametrize("kind", ["fifo", "device", "folder", "missing", "huge"])
    def test_a_text_that_is_no_regular_file_is_one_line_exit_2(self, tmp_path: Path, kind: str) -> None:
        """propose reads the file it is named as a gated regular file: a FIFO never blocks, /dev/zero is never read."""
        import os
        import subprocess
        import sys

        target = tmp_path / "report.en.txt"
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "device":
            target.symlink_to("/dev/zero")
        elif kind == "folder":
            target.mkdir()
        elif kind == "huge":
            target.write_bytes(b"1 " * (3 * 1024 * 1024))
        r = subprocess.run(
            [sys.executable, "-m", "powdata", "propose", str(target)], capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 2 and r.stdout == "", r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr

    def test_the_written_path_is_echoed_on_one_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A --to path holding a newline or an escape is said on one line, its control characters escaped."""
        text = tmp_path / "report.en.txt"
        text.write_text("More than 1,500 foreign nationals were held.\n", encoding="utf-8")
        out = tmp_path / "new\n\x1b[2Jrows.csv"
        assert main(["propose", str(text), "--to", str(out)]) == 0
        err = capsys.readouterr().err
        assert out.is_file() and len(err.strip().splitlines()) == 1 and "\x1b" not in err, err
