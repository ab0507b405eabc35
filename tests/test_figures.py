"""The labelled table: every figure with its labels, bounds and the package's metadata."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import powdata
from powdata.errors import PowdataError
from powdata.intervals import interval
from powdata.views.labelled import COLUMNS, LABELS, figures
from tests.conftest import drop_source_language, run_cli


class TestFigures:
    def test_one_row_per_observation_with_every_column(self) -> None:
        """figures() has one row per observation, in the documented column order."""
        f = figures()
        assert list(f["observation_id"]) == list(powdata.load("observations")["observation_id"])
        assert list(f.columns) == [c for c, _ in COLUMNS]

    def test_no_label_is_missing(self) -> None:
        """Every indicator, unit, area, area kind, stater's publisher and title is filled in."""
        f = figures()
        for col in LABELS:
            assert f[col].notna().all(), col
            assert (f[col].astype(str).str.len() > 0).all(), col

    def test_labels_come_from_their_tables(self) -> None:
        """Each label is the one its id names in the indicators, areas and sources tables."""
        f = figures()
        ind = powdata.load("indicators").set_index("indicator_id")
        areas = powdata.load("areas").set_index("area_id")
        src = powdata.load("sources").set_index("source_id")
        for row in f.itertuples():
            assert row.indicator == ind.at[row.indicator_id, "name"]
            assert row.unit == ind.at[row.indicator_id, "unit"]
            assert (row.area, row.area_kind) == (areas.at[row.area_id, "name"], areas.at[row.area_id, "kind"])
            assert row.stated_by_publisher == src.at[row.stated_by, "publisher"]
            assert row.stated_by_title == src.at[row.stated_by, "title"]

    def test_bounds_are_the_interval_model(self) -> None:
        """lower/upper/open flags equal powdata.interval(value, qualifier, value_max) on every row."""
        for row in figures().itertuples():
            iv = interval(row.value, row.qualifier, None if pd.isna(row.value_max) else row.value_max)
            assert (row.lower, row.upper, row.lower_open, row.upper_open) == pytest.approx(tuple(iv))

    def test_more_than_is_open_ended(self) -> None:
        """'More than 100' POWs is (100, inf), labelled persons, All, Coordination Headquarters."""
        f = figures().set_index("observation_id")
        row = f.loc["foreign-pows-held-2025-08-14"]
        assert (row["value"], row["lower"], math.isinf(row["upper"]), row["lower_open"]) == (100, 100, True, True)
        assert (row["unit"], row["area"]) == ("persons", "All")
        assert row["stated_by_publisher"].startswith("Coordination Headquarters")
        assert row["publications"] == "united24-2025-08-foreign-pows" and pd.isna(row["first_published"])

    def test_typed_like_load(self) -> None:
        """Shared columns keep load()'s dtypes; labels are strings or categories from the enums."""
        f = figures()
        obs = powdata.load("observations")
        for col in ("value", "value_max", "qualifier", "as_of_basis", "period_start", "as_of", "reading"):
            assert f[col].dtype == obs[col].dtype, col
        assert f["excerpt"].dtype == powdata.load("quotes")["excerpt"].dtype
        assert list(f["unit"].cat.categories) == list(powdata.load("indicators")["unit"].cat.categories)
        assert str(f["indicator"].dtype) == "string" and str(f["area_kind"].dtype) == "category"

    def test_attrs_carry_title_version_licence_citation(self) -> None:
        """DataFrame.attrs hold the package's title, version, data licence and citation."""
        attrs = figures().attrs
        desc = powdata.descriptor()
        assert attrs["title"] == desc["title"] and attrs["version"] == desc["version"]
        assert attrs["licence"] == "CC-BY-4.0"
        assert desc["version"] in attrs["citation"] and "powdata" in attrs["citation"]

    def test_as_of_leaves_out_later_figures(self) -> None:
        """figures(as_of=...) holds the same rows as load(as_of=...)."""
        f = figures(as_of="2025-08-14")
        assert list(f["observation_id"]) == list(powdata.load("observations", as_of="2025-08-14")["observation_id"])
        assert len(figures(as_of="2025-08-13")) == 0

    def test_polars_dates_are_dates(self) -> None:
        """backend='polars' gives pl.Date for the date columns."""
        import polars as pl

        f = figures(backend="polars")
        assert f.schema["period_start"] == pl.Date and f.schema["first_published"] == pl.Date
        assert f.height == len(figures())

    def test_bad_backend(self) -> None:
        """An unknown backend names the ones there are."""
        with pytest.raises(PowdataError, match="backend='arrow': expected one of pandas, polars"):
            figures(backend="arrow")


class TestPackageVersions:
    def test_every_publication_and_its_language_is_listed(self) -> None:
        """Each figure lists every publication quoting it, in quote order, and their languages each once."""
        f = figures().set_index("observation_id")
        q = powdata.load("quotes").merge(powdata.load("sources")[["source_id", "language"]], on="source_id")
        for oid, grp in q.groupby("observation_id", sort=False):
            assert f.at[oid, "publications"] == "; ".join(grp["source_id"])
            assert f.at[oid, "languages"] == "; ".join(dict.fromkeys(grp["language"]))
            assert f.at[oid, "excerpt"] == grp["excerpt"].iloc[0]
        assert f.at["foreign-fighters-named-2025-11-19", "languages"] == "uk; en; de"

    def test_package_without_language(self, pkg: Path) -> None:
        """A package whose sources have no language column gives empty languages, and every other label."""
        drop_source_language(pkg)
        f = figures(path=pkg)
        assert f["languages"].isna().all() and len(f) == len(figures())
        assert f["stated_by_publisher"].notna().all()

    def test_dangling_label_is_an_error(self, edit_pkg: Callable[..., Path]) -> None:
        """A figure whose area is not in areas is refused with a pointer to validate, not an NA label."""
        pkg = edit_pkg("observations", lambda rows: rows[0].update(area_id="XXX"))
        with pytest.raises(PowdataError, match=r"no label for area, area_kind.*powdata validate"):
            figures(path=pkg)


class TestFiguresCLI:
    def test_show_figures_csv(self) -> None:
        """`powdata show figures --format csv` prints the labelled table."""
        r = run_cli("show", "figures", "--format", "csv")
        assert r.returncode == 0, r.stderr
        header = r.stdout.splitlines()[0].split(",")
        assert header == [c for c, _ in COLUMNS]

    def test_export_figures(self, tmp_path: Path) -> None:
        """`powdata export figures --to f.csv` writes every figure with its labels."""
        target = tmp_path / "f.csv"
        r = run_cli("export", "figures", "--to", str(target))
        assert r.returncode == 0, r.stderr
        df = pd.read_csv(target)
        assert len(df) == len(figures()) and df["indicator"].notna().all()


class TestPublicName:
    def test_figures_stays_a_function(self) -> None:
        """powdata.figures is the function even after its module and the SQLite export are imported."""
        import powdata.export.sqlite
        import powdata.views.labelled

        assert callable(powdata.figures) and powdata.figures is powdata.views.labelled.figures


class TestOnePointPerStatement:
    def test_the_vintage_chart_draws_each_statement_once_and_no_variant(self) -> None:
        """Each statement of a drawn series is one mark in the vintage chart; a variant (another wording) is none."""
        from powdata.charts import draw, pages

        marks: list[str] = []
        for page in pages("vintages"):
            fig = draw(page)
            marks += [
                str(a.get_gid()).split(":", 1)[1]
                for a in fig.findobj(lambda a: str(a.get_gid()).startswith(("point:", "open:", "nearly:")))
            ]
        f = figures()
        assert marks and len(marks) == len(set(marks))  # no statement drawn twice
        assert not set(marks) & set(f.loc[f["variant_of"].notna(), "observation_id"])
        dated = f.loc[f["variant_of"].isna() & f["as_of"].notna()]
        for _, group in dated.groupby(["indicator_id", "area_id"]):
            ids = set(group["observation_id"])
            assert not ids & set(marks) or ids <= set(marks)  # a series is drawn whole or not at all
