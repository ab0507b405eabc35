"""Small things users hit: finding the files, an 80-column show, CLI words, diff wording, polars dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import powdata
from powdata.errors import PackageReadError
from tests.conftest import copy_package, run_cli


class TestPath:
    def test_root_holds_the_descriptor(self) -> None:
        """powdata.path() is the folder with datapackage.json, data/ and schemas/."""
        root = powdata.path()
        assert (root / "datapackage.json").is_file() and (root / "data" / "areas.csv").is_file()

    def test_file_in_the_package(self) -> None:
        """powdata.path('data', 'areas.csv') is that file."""
        assert powdata.path("data", "areas.csv").read_text(encoding="utf-8").startswith("area_id,")

    @pytest.mark.parametrize("parts", [("nope.csv",), ("..", "..")])
    def test_missing_or_outside_is_an_error(self, parts: tuple[str, ...]) -> None:
        """A file that is not in the package, or a path out of it, is an error naming what is there."""
        with pytest.raises(PackageReadError, match=r"is not in the installed package .*datapackage\.json"):
            powdata.path(*parts)


class TestShowWidth:
    @pytest.mark.parametrize("name", ["observations", "figures", "sources", "indicators"])
    def test_fits_80_columns(self, name: str) -> None:
        """`powdata show NAME` never prints a line wider than 80 characters."""
        r = run_cli("show", name)
        assert r.returncode == 0, r.stderr
        assert max(len(line) for line in r.stdout.splitlines()) <= 80


class TestCliWords:
    def test_bad_as_of_names_the_option(self) -> None:
        """A malformed --as-of is reported as the option, not as a Python argument."""
        r = run_cli("show", "observations", "--as-of", "August 2025")
        assert r.returncode == 2 and "--as-of" in r.stderr and "as_of=" not in r.stderr

    def test_unknown_resource_points_to_powdata_list(self) -> None:
        """An unknown name points to `powdata list`, not to a Python call."""
        r = run_cli("export", "nope", "--to", "x.csv")
        assert r.returncode == 2 and "`powdata list`" in r.stderr and "list_resources()" not in r.stderr


class TestDiffWording:
    def test_no_change_never_says_none_changes(self, tmp_path: Path) -> None:
        """Identical packages: the verdict says 'no changes', never 'none changes'."""
        a, b = copy_package(tmp_path / "a"), copy_package(tmp_path / "b")
        r = run_cli("diff", str(a), str(b))
        assert r.returncode == 0 and "OK: no changes" in r.stdout and "none changes" not in r.stdout


class TestPolarsDates:
    def test_date_fields_are_dates(self) -> None:
        """load(..., backend='polars') gives pl.Date for Table Schema date fields."""
        import polars as pl

        assert powdata.load("sources", backend="polars").schema["published"] == pl.Date
        assert powdata.load("observations", backend="polars").schema["period_start"] == pl.Date


class TestFigureWords:
    @given(
        st.integers(0, 10**7),
        st.one_of(st.none(), st.integers(0, 10**7)),
        st.sampled_from(["exact", "more_than", "at_least", "approximately", "nearly", "fewer_than", "at_most"]),
        st.sampled_from(["persons", "percent", "countries", "persons_per_week"]),
    )
    def test_words_number_upper_end_sign(self, v: int, vmax: int | None, qualifier: str, unit: str) -> None:
        """A figure is written as its qualifier's words, the grouped number, the range's end and the unit sign."""
        from powdata._schema import SAYS, UNIT_SIGNS, figure_words

        text = figure_words(float(v), vmax, qualifier, unit)
        end = "" if vmax is None else f"–{vmax:,}"
        assert text == SAYS[qualifier] + f"{v:,}" + end + UNIT_SIGNS.get(unit, "")

    @pytest.mark.parametrize("qualifier", ["", "nan", None, "more"])
    def test_a_missing_or_unknown_qualifier_is_refused(self, qualifier: object) -> None:
        """No figure is written without the words that bound it: a missing qualifier is not 'exact'."""
        from powdata._schema import figure_words

        with pytest.raises(ValueError, match="qualifier"):
            figure_words(100.0, None, qualifier, "persons")
