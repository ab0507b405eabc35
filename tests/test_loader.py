"""The loader library: typed frames, integrity, point-in-time views, errors and a light import."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import powdata
from powdata import ResourceName
from powdata._schema import field_dtype_name
from powdata.errors import IntegrityError, MissingExtraError, PowdataError, UnknownResourceError
from tests.conftest import TABLES, by_id, copy_package

EXPECTED_DTYPES = {
    "string": "string",
    "category": "category",
    "Int64": "Int64",
    "Float64": "Float64",
    "boolean": "boolean",
}


class TestLoad:
    @pytest.mark.parametrize("name", TABLES)
    def test_dtypes_follow_the_table_schema(self, name: ResourceName) -> None:
        """Every column's dtype is the one its Table Schema field maps to, for every resource."""
        df = powdata.load(name)
        fields = powdata.describe(name)["fields"]
        assert list(df.columns) == [f["name"] for f in fields]
        for f in fields:
            want = field_dtype_name({"name": f["name"], "type": f["type"], "constraints": f["constraints"]})
            got = df[f["name"]].dtype
            if want.startswith("datetime64"):
                assert pd.api.types.is_datetime64_any_dtype(got), f["name"]
                assert str(got) == want, (f["name"], got)  # one datetime unit everywhere
            else:
                assert str(got) == EXPECTED_DTYPES[want], (f["name"], got)

    def test_enum_categories_are_the_vocabulary(self) -> None:
        """The qualifier categorical holds the whole controlled vocabulary, in schema order."""
        cats = list(powdata.load("observations")["qualifier"].cat.categories)
        assert cats == ["exact", "approximately", "nearly", "more_than", "at_least", "fewer_than", "at_most", "range"]

    def test_reduced_precision_dates_stay_as_written(self) -> None:
        """A month stays a month: as_of '2025-07' is not turned into a day."""
        obs = powdata.load("observations").set_index("observation_id")
        assert obs.loc["foreign-share-of-pows-2025-07", "as_of"] == "2025-07"
        assert obs.loc["foreign-share-of-pows-2024", "as_of"] == "2024"

    def test_unknown_resource_lists_the_resources(self) -> None:
        """An unknown name raises UnknownResourceError, a KeyError, naming the way out."""
        with pytest.raises(
            UnknownResourceError, match=r"'obs' is not a powdata resource; expected one of: .*observations"
        ):
            powdata.load("obs")  # type: ignore[call-overload]  # the misspelling under test
        with pytest.raises(KeyError):
            powdata.load("obs")  # type: ignore[call-overload]  # the misspelling under test

    def test_bad_backend_and_bad_date_are_refused(self) -> None:
        """A backend or an as_of that cannot work raises PowdataError with the expected form."""
        with pytest.raises(PowdataError, match="backend='arrow': expected one of pandas, polars"):
            powdata.load("areas", backend="arrow")
        with pytest.raises(PowdataError, match="expected a date as YYYY-MM-DD"):
            powdata.load("observations", as_of="August 2025")

    def test_polars_backend(self) -> None:
        """backend='polars' returns a polars DataFrame with the same rows."""
        import polars as pl  # the test extra installs polars

        df = powdata.load("observations", backend="polars")
        assert isinstance(df, pl.DataFrame) and df.height == len(powdata.load("observations"))

    def test_polars_missing_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without polars, backend='polars' says which extra to install."""
        monkeypatch.setitem(sys.modules, "polars", None)
        with pytest.raises(MissingExtraError, match=r"pip install 'powdata\[polars\]'"):
            powdata.load("areas", backend="polars")

    def test_loads_another_package_by_path(self, pkg: Path) -> None:
        """path= loads from another package folder or descriptor."""
        assert len(powdata.load("areas", path=pkg)) == len(powdata.load("areas", path=pkg / "datapackage.json"))


class TestIntegrity:
    def test_a_changed_file_is_refused(self, edit_pkg: Callable[..., Path]) -> None:
        """A data file whose sha256 differs from the descriptor is refused with IntegrityError."""
        pkg = edit_pkg("areas", lambda rows: by_id(rows, "area_id", "UZB").update(name="Uzbekistan!"), rebuild=False)
        with pytest.raises(IntegrityError, match=r"expected \d+ bytes but .*areas.csv has \d+.*run `powdata build`"):
            powdata.load("areas", path=pkg)

    def test_same_size_change_is_caught_by_hash(self, edit_pkg: Callable[..., Path]) -> None:
        """A change that keeps the size is caught by the sha256."""
        pkg = edit_pkg("areas", lambda rows: by_id(rows, "area_id", "UZB").update(name="Uzbekistam"), rebuild=False)
        with pytest.raises(IntegrityError, match=r"expected sha256:[0-9a-f]{64} but .* has sha256:"):
            powdata.load("areas", path=pkg)


class TestVintages:
    def test_as_of_keeps_what_was_published_by_then(self) -> None:
        """as_of keeps the statements a dated stater or publication had shown by the date; the rest are left out."""
        before = powdata.load("observations", as_of="2025-08-13")
        after = powdata.load("observations", as_of=dt.date(2025, 8, 14))
        assert before.empty
        assert set(after["stated_by"]) == {
            "coordination-hq-2025-08-14",
            "i-want-to-live-list",  # dated by the answer of 2025-08-14 (0.2.0)
            "wsj-prisoner-exchange-channel",  # published 2025-08-14 (0.2.0)
        }
        assert len(powdata.load("observations")) > len(after)
        everything = set(powdata.load("observations", as_of="2030-01-01")["observation_id"])
        assert "foreign-pows-held-2025-12-03" in everything  # Novyny.LIVE dates it; Ukrinform's copy is undated
        assert "foreign-fighters-named-died-2025-11-19-ukrinform" not in everything  # only undated Ukrinform shows it

    def test_latest_gives_one_row_per_figure(self) -> None:
        """latest() has one row per indicator, area and period."""
        latest = powdata.latest()
        keys = latest[["indicator_id", "area_id", "period_start", "period_end"]].astype(str)
        assert not keys.duplicated().any()


class TestViews:
    def test_foreign_share_by_year(self) -> None:
        """The share view lists 1%, 9%, 42%, 49% in time order with bounds and source."""
        v = powdata.foreign_share_by_year()
        assert v["value"].tolist() == [1, 9, 42, 49]
        assert (v["lower"] == v["upper"]).all() and v["stated_by_publisher"].notna().all()
        assert v["reading"].notna().all()  # the 'taken' reading, labelled

    def test_listed_fighters_gap_is_computed_not_stored(self) -> None:
        """The list view computes the 1,262 no group accounts for, flagged as computed."""
        v = powdata.listed_fighters_by_group()
        gap = v.loc[v["computed"]]
        assert len(gap) == 1 and gap["value"].item() == 16894 - 4658 - 1013 - 9961
        assert gap["excerpt"].isna().all()

    def test_pow_nationalities_ranked_then_mentioned(self) -> None:
        """Uzbekistan and Tajikistan are ranked 1 and 2; five countries are mentioned without rank."""
        v = powdata.pow_nationalities()
        ranked = v.loc[v["how"] == "ranked"]
        assert ranked["area_id"].tolist() == ["UZB", "TJK"] and ranked["rank"].tolist() == [1, 2]
        mentioned = v.loc[(v["how"] == "mentioned") & (v["kind"] == "country")]
        assert set(mentioned["area_id"]) == {"NPL", "BLR", "LKA", "KAZ", "YEM"}
        assert mentioned["rank"].isna().all()

    def test_intervals(self) -> None:
        """more_than is open above the value; at_least closed; fewer_than open below."""
        assert powdata.interval(100, "more_than").certainly_above(powdata.interval(100, "exact"))
        assert not powdata.interval(678, "at_least").certainly_above(powdata.interval(678, "exact"))
        assert powdata.interval(5, "fewer_than").certainly_below(powdata.interval(5, "at_least"))
        with pytest.raises(ValueError, match="expected one of exact"):
            powdata.interval(1, "roughly")


class TestMetadata:
    def test_one_version_everywhere(self) -> None:
        """__version__, the installed metadata and the descriptor give the same version."""
        assert powdata.__version__ == importlib.metadata.version("powdata") == powdata.descriptor()["version"]

    def test_descriptor_is_a_copy(self) -> None:
        """Mutating the returned descriptor does not change the package's."""
        d = powdata.descriptor()
        d["resources"].clear()
        assert powdata.list_resources()

    def test_describe_gives_fields_and_keys(self) -> None:
        """describe() gives every field's type, dtype, description and constraints, and the keys."""
        d = powdata.describe("observations")
        value = next(f for f in d["fields"] if f["name"] == "value")
        assert value["type"] == "number" and value["dtype"] == "Float64" and value["constraints"]["minimum"] == 0
        assert {fk["reference"]["resource"] for fk in d["foreign_keys"]} >= {"indicators", "areas", "sources"}

    @pytest.mark.parametrize("fmt", ["text", "bibtex", "cff"])
    def test_cite(self, fmt: str) -> None:
        """Every citation format names the release and the original sources."""
        text = powdata.cite(fmt)
        assert powdata.__version__ in text and "UNITED24 Media" in text

    def test_cite_rejects_unknown_format(self) -> None:
        """An unknown citation format is a ValueError naming the choices."""
        with pytest.raises(ValueError, match="expected one of text, bibtex, cff"):
            powdata.cite("apa")

    def test_all_is_sorted_and_resolves(self) -> None:
        """__all__ is sorted and every name in it resolves."""
        assert powdata.__all__ == sorted(powdata.__all__)
        for name in powdata.__all__:
            assert getattr(powdata, name) is not None


class TestImportCost:
    def test_import_powdata_imports_no_heavy_library(self) -> None:
        """`import powdata` imports none of pandas, numpy, pandera, frictionless."""
        code = "import sys, powdata; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in HEAVY)))"
        prelude = "import json; HEAVY={'pandas','numpy','pandera','frictionless','polars','pyarrow'}; "
        out = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, check=True)
        assert json.loads(out.stdout) == []

    def test_load_imports_pandas_only(self) -> None:
        """load() imports pandas but neither pandera nor frictionless."""
        code = (
            "import sys, json, powdata; powdata.load('observations'); "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'pandas','pandera','frictionless'})))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert json.loads(out.stdout) == ["pandas"]


class TestTypedApi:
    def test_mypy_strict_sees_the_api(self, tmp_path: Path) -> None:
        """Under mypy --strict a user's script sees load() as a DataFrame and a misspelt name as an error."""
        script = tmp_path / "user.py"
        script.write_text(
            "import powdata\n"
            "df = powdata.load('observations')\n"
            "reveal_type(df)\n"
            "reveal_type(powdata.validate)\n"
            "powdata.lod('observations')\n"
            "n: int = powdata.load('observations', backend='pandas')\n"
            "powdata.load('observation')\n",
            encoding="utf-8",
        )
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                "--cache-dir",
                str(tmp_path / "cache"),
                "user.py",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        out = r.stdout
        assert 'Revealed type is "pandas.core.frame.DataFrame"' in out, out
        assert 'Module has no attribute "lod"' in out, out
        assert "powdata.validation.report.Report" in out, out
        assert 'Incompatible types in assignment (expression has type "DataFrame", variable has type "int")' in out, out
        assert 'user.py:7: error: No overload variant of "load" matches argument type "str"' in out, out

    def test_resource_names_are_generated_from_the_descriptor(self) -> None:
        """powdata._resources is what `build` renders from the descriptor: the Literal names every table."""
        from typing import get_args

        from powdata._resources import ResourceName
        from powdata.release.build import RESOURCE_NAMES_FILE, render_resource_names

        root = Path(__file__).resolve().parent.parent
        assert (root / RESOURCE_NAMES_FILE).read_text(encoding="utf-8") == render_resource_names(powdata.descriptor())
        assert list(get_args(ResourceName)) == powdata.list_resources()

    def test_argument_errors_are_powdata_and_builtin_errors(self) -> None:
        """A bad argument raises ArgumentError: a PowdataError that is also a ValueError."""
        from powdata.errors import ArgumentError

        for call in (
            lambda: powdata.load("observations", backend="spark"),
            lambda: powdata.load("observations", as_of="yesterday"),
            lambda: powdata.cite("apa"),
            lambda: powdata.interval(1, "roughly"),
        ):
            with pytest.raises(ArgumentError) as info:
                call()
            assert isinstance(info.value, PowdataError) and isinstance(info.value, ValueError)
        with pytest.raises(UnknownResourceError) as missing:
            powdata.load("obs")  # type: ignore[call-overload]  # the misspelling under test
        assert isinstance(missing.value, KeyError)


class TestSeriesOnOlderPackages:
    def test_series_reads_a_package_without_languages(self, tmp_path: Path) -> None:
        """series() on a package whose sources have no language column still lists each statement's publications."""
        from tests.conftest import drop_source_language

        pkg = drop_source_language(copy_package(tmp_path / "pkg"))
        s = powdata.series("foreign-pows-held", path=pkg)
        assert len(s) == 3 and s["languages"].isna().all() and s["publications"].notna().all()
