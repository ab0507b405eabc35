"""The 22 later reports (1.1.0): series per statement, repeated statements as quotations, reprints marked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import powdata

ROOT = Path(__file__).resolve().parents[1]


def series(indicator: str, area: str) -> pd.DataFrame:
    return powdata.series(indicator, area, path=ROOT)


class TestSeries:
    @pytest.mark.parametrize(
        ("indicator", "area", "expected"),
        [
            (
                "foreign-recruited",
                "KEN",
                [
                    ("2025-11-13", 200.0, "more_than"),
                    ("2025-12", 200.0, "approximately"),
                    ("2026-02", 1000.0, "more_than"),
                    ("2026-02-23", 1000.0, "approximately"),
                ],
            ),
            (
                "foreign-fighters-identified",
                "africa",
                [("2025-11-07", 1436.0, "at_least"), ("2026-02-25", 1780.0, "more_than")],
            ),
            ("foreign-recruited", "CUB", [("2025-09-19", 20000.0, "at_least")]),
            ("foreign-fighting", "CUB", [("2025-10-05", 1000.0, "range")]),
        ],
    )
    def test_vintages_in_order_one_point_per_statement(
        self, indicator: str, area: str, expected: list[tuple[str, float, str]]
    ) -> None:
        """Kenyans recruited, Africans identified, Cubans recruited or fighting: each statement once, oldest first."""
        got = series(indicator, area)
        assert list(zip(got["as_of"], got["value"], got["qualifier"], strict=True)) == expected

    def test_disagreeing_statements_are_both_kept_and_say_what_they_count(self) -> None:
        """Cuba: HUR's at least 20,000 counts the recruited, the State Department's 1,000-5,000 those fighting."""
        obs = powdata.load("observations", path=ROOT).set_index("observation_id")
        recruited, fighting = obs.loc["foreign-recruited-cub-2025-09"], obs.loc["foreign-fighting-cub-2025-10"]
        assert (recruited["stated_by"], fighting["stated_by"]) == (
            "hur-yusov-2025-09",
            "us-state-department-cable-2025-10",
        )
        assert fighting["value_max"] == 5000
        assert "recruited" in recruited["note"] and "fighting" in recruited["note"]


class TestQuotations:
    def quoted_in(self, observation_id: str) -> set[str]:
        quotes = powdata.load("quotes", path=ROOT)
        return set(quotes.loc[quotes["observation_id"] == observation_id, "source_id"].astype(str))

    def test_a_repeated_statement_is_a_new_quotation(self) -> None:
        """The Kenyan report, Sybiha's 1,780 and Usov's 18,000 are quoted by every outlet that carries them."""
        assert self.quoted_in("foreign-recruited-ken-2026-02") == {"moscow-times-2026-02-19", "scmp-reuters-2026-02"}
        assert self.quoted_in("foreign-fighters-identified-africa-2026-02-25") == {
            "africanews-2026-02-25",
            "radiosvoboda-2026-02-25",
        }
        assert "rks-news-2025-11" in self.quoted_in("foreign-fighters-named-2025-11-19")

    def test_an_unsourced_relay_is_its_own_statement_with_the_link_as_a_reading(self) -> None:
        """Meduza's 'about 1,000' Kenyans is iStories' statement; the link to the report's 'over 1,000' is a reading."""
        obs = powdata.load("observations", path=ROOT).set_index("observation_id")
        relay = obs.loc["foreign-recruited-ken-2026-02-meduza"]
        assert relay["stated_by"] == "istories-2026-02-stop-list"
        assert pd.isna(relay["variant_of"])
        assert str(relay["reading"]).startswith("Reading, not stated by the text")
        assert "foreign-recruited-ken-2026-02" in str(relay["reading"])


class TestSources:
    def test_reprint_and_mirror_are_marked(self) -> None:
        """The AP story read through a reprint and the SCMP page read on a mirror say so in read_from."""
        src = powdata.load("sources", path=ROOT).set_index("source_id")
        assert src.loc["getaboutcolumbia-ap-2026-01", "read_from"] == "reprint"
        assert src.loc["scmp-reuters-2026-02", "read_from"] == "mirror"
        assert src.loc["actualno-2026-01-22", "language"] == "bg"
