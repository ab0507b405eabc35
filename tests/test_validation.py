"""powdata.validate: the shipped package passes; every single-defect copy fails, saying where."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import powdata
from powdata.errors import PackageReadError, UnsafePathError
from powdata.release.build import build
from tests.conftest import Edit, by_id

Rows = list[dict[str, str]]


def _set(key: str, **changes: str) -> Callable[[Rows], None]:
    """Return an edit that updates the row whose id (first column) is ``key``."""

    def change(rows: Rows) -> None:
        by_id(rows, next(iter(rows[0])), key).update(changes)

    return change


def _row(resource: str, row_id: str) -> int:
    """The CSV line (header = 1) of the row whose first column is ``row_id`` in the shipped ``resource``."""
    from tests.conftest import ROOT, read_rows

    rows = read_rows(ROOT / "data" / f"{resource}.csv")
    return next(i for i, r in enumerate(rows) if next(iter(r.values())) == row_id) + 2


COUNTRIES = "foreign-pow-countries-2025-08-14"
SHARE_2024 = "foreign-share-of-pows-2024"
KILLED = "foreign-fighters-listed-killed-2025-08"
WEEKLY = "foreign-surrenders-per-week-2025-12-31"
OKHRYMENKO = "foreign-pows-held-2025-12-03"
SUMMARY = "foreign-fighters-named-died-2025-11-19-summary"
NAMED_UKR = "foreign-fighters-named-2025-11-19--ukrinform-de"

# (resource, change, rule, row, column): each changes one thing in a valid copy
DEFECTS = [
    ("observations", _set(COUNTRIES, value="thirty"), "type", 3, "value"),
    ("observations", _set(COUNTRIES, value=""), "required", 3, "value"),
    ("observations", _set(COUNTRIES, qualifier="roughly"), "enum", 3, "qualifier"),
    ("observations", _set(COUNTRIES, value="-1"), "minimum", 3, "value"),
    ("observations", _set(COUNTRIES, as_of="abcd"), "pattern", 3, "as_of"),  # the pattern's alone, no calendar rule
    ("observations", _set(COUNTRIES, as_of="2025-02-30"), "as-of-calendar-date", 3, "as_of"),
    ("observations", _set(COUNTRIES, area_id="Uzbekistan"), "pattern", 3, "area_id"),
    ("observations", _set(COUNTRIES, observation_id="foreign-pows-held-2025-08-14"), "unique", 3, "observation_id"),
    ("observations", _set(COUNTRIES, area_id="XYZ"), "foreign-key", 3, "area_id"),
    ("quotes", _set(f"{COUNTRIES}--united24", excerpt="x" * 201), "length", 3, "excerpt"),
    ("observations", _set(SHARE_2024, value="142"), "unit-range", 7, "value"),
    ("observations", _set(SHARE_2024, period_end="2023-12-31"), "date-order", 7, "period_end"),
    ("observations", _set("foreign-pows-held-2025-08-14", as_of="2025-09"), "as-of-after-published", 2, "as_of"),
    (
        "observations",
        _set("foreign-fighters-listed-2025-08", part_of="foreign-fighters-listed-2025-08"),
        "part-of-cycle",
        10,
        "part_of",
    ),
    ("observations", _set("foreign-fighters-listed-africa-2025-08", value="11013"), "parts-within-whole", 12, "value"),
    ("observations", _set(KILLED, value="16895"), "subset-within-whole", 15, "value"),
    ("observations", _set(KILLED, part_of=COUNTRIES), "part-unit-mismatch", 15, "part_of"),
    ("observations", _set("foreign-pow-rank-tjk-2025-08-14", value="1"), "ranks-unique", 4, "value"),
    ("observations", _set(COUNTRIES, value="6"), "named-within-stated", 3, "value"),
    (
        "observations",
        _set("foreign-pow-rank-tjk-2025-08-14", area_id="all", indicator_id="foreign-pow-countries", value="32"),
        "one-value-per-key",
        5,
        "observation_id",
    ),
    ("observations", _set(KILLED, value="687"), "excerpt-carries-figure", None, None),
    (
        "observations",
        _set(WEEKLY, qualifier="nearly"),
        "value-max-matches-qualifier",
        _row("observations", WEEKLY),
        "value_max",
    ),
    ("observations", _set(OKHRYMENKO, as_of="2025-12"), "as-of-basis", _row("observations", OKHRYMENKO), "as_of"),
    (
        "observations",
        _set(SUMMARY, variant_of="foreign-pows-held-2025-08-14"),
        "variant-of-statement",
        _row("observations", SUMMARY),
        "variant_of",
    ),
    (
        "quotes",
        _set(NAMED_UKR, source_id="sud-ua-2025-11-19"),
        "statement-stored-once",
        _row("quotes", NAMED_UKR),
        "source_id",
    ),
    ("quotes", _set(f"{KILLED}--united24", excerpt="At least 687 of"), "excerpt-carries-figure", 15, "excerpt"),
    ("mentions", _set("foreign-pows-held-npl-2025-08-14", area_id="UZB"), "mention-names-area", 3, "excerpt"),
    ("sources", _set("coordination-hq-2025-08-14", published="2999-01-01"), "future-date", 3, "published"),
]
DEFECTS = [d for d in DEFECTS if d[3] is not None]


class TestShippedPackage:
    def test_is_valid_with_no_warnings(self) -> None:
        """The installed package is valid; today it raises no warning either."""
        report = powdata.validate()
        assert report.valid, report.to_text()
        assert report.warnings == []
        assert report.checked == ["pandera", "rules", "frictionless"]

    def test_report_to_dict_is_json(self) -> None:
        """to_dict() is plain JSON with valid, counts and problems."""
        d = powdata.validate(structural=False).to_dict()
        assert json.loads(json.dumps(d))["valid"] is True and d["error_count"] == 0


class TestSingleDefects:
    @pytest.mark.parametrize(("resource", "change", "rule", "row", "column"), DEFECTS, ids=[d[2] for d in DEFECTS])
    def test_defect_is_named(
        self, edit_pkg: Callable[..., Path], resource: str, change: Edit, rule: str, row: int | None, column: str | None
    ) -> None:
        """A copy with one defect is invalid and the report names the rule, resource, row and column."""
        pkg = edit_pkg(resource, change)
        report = powdata.validate(pkg)
        assert not report.valid
        hits = [(p.rule, p.resource, p.row, p.column) for p in report.errors]
        assert (rule, resource, row, column) in hits, report.to_text()

    def test_stale_descriptor(self, edit_pkg: Callable[..., Path]) -> None:
        """Data edited without `powdata build` fails on hash, bytes and a stale descriptor."""
        pkg = edit_pkg("areas", lambda rows: by_id(rows, "area_id", "UZB").update(name="Uzbekistan."), rebuild=False)
        rules = {p.rule for p in powdata.validate(pkg).errors}
        assert {"hash", "bytes", "descriptor-stale"} <= rules

    def test_parts_message_names_the_numbers(self, edit_pkg: Callable[..., Path]) -> None:
        """The parts rule says 'parts 25,632 exceed whole 16,894 (observation …)'."""
        pkg = edit_pkg("observations", _set("foreign-fighters-listed-blr-kaz-kgz-tjk-2025-08", value="14658"))
        msgs = [p.message for p in powdata.validate(pkg).errors if p.rule == "parts-within-whole"]
        assert msgs and msgs[0].startswith(
            "parts 25,632 certainly exceed whole 16,894 (observation foreign-fighters-listed-2025-08)"
        )

    def test_ragged_row(self, pkg: Path) -> None:
        """A row with an extra cell is reported, not a traceback."""
        path = pkg / "data" / "areas.csv"
        path.write_text(path.read_text(encoding="utf-8") + "ZZZ,Z,country,999,,extra\n", encoding="utf-8")
        report = powdata.validate(pkg)
        assert not report.valid and {"csv-format", "extra-cell"} & {p.rule for p in report.errors}

    def test_non_utf8_bytes(self, pkg: Path) -> None:
        """Non-UTF-8 bytes are reported with the resource and line."""
        path = pkg / "data" / "areas.csv"
        line = path.read_bytes().count(b"\n") + 1  # the appended row's line (header = 1)
        path.write_bytes(path.read_bytes() + b"ZZZ,\xff,country,,\n")
        hits = [(p.rule, p.resource, p.row) for p in powdata.validate(pkg).errors]
        assert ("encoding", "areas", line) in hits


class TestUnreadableInput:
    def test_malformed_json(self, pkg: Path) -> None:
        """A malformed descriptor raises PackageReadError naming line and column."""
        (pkg / "datapackage.json").write_text('{"name": "powdata",', encoding="utf-8")
        with pytest.raises(PackageReadError, match=r"malformed JSON at line 1, column \d+"):
            powdata.validate(pkg)

    def test_missing_descriptor(self, tmp_path: Path) -> None:
        """A path with no descriptor raises PackageReadError."""
        with pytest.raises(PackageReadError, match="nothing is there"):
            powdata.validate(tmp_path / "nowhere")

    def test_missing_data_file(self, pkg: Path) -> None:
        """A resource whose file is missing raises PackageReadError naming it."""
        (pkg / "data" / "mentions.csv").unlink()
        with pytest.raises(PackageReadError, match=r"resource 'mentions': expected file .*mentions.csv"):
            powdata.validate(pkg)


def _with_path(pkg: Path, path: str) -> Path:
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"][2]["path"] = path
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    return pkg


class TestSafety:
    @pytest.mark.parametrize(
        ("path", "message"),
        [
            ("https://example.org/areas.csv", "is remote"),
            ("/etc/passwd", "is absolute"),
            ("../outside.csv", "climbs out"),
            ("data/../../outside.csv", "climbs out"),
        ],
    )
    def test_unsafe_paths_are_refused_before_reading(self, pkg: Path, path: str, message: str) -> None:
        """URL, absolute and '..' resource paths are refused with UnsafePathError."""
        with pytest.raises(UnsafePathError, match=message):
            powdata.validate(_with_path(pkg, path))

    def test_symlink_out_of_the_folder_is_refused(self, pkg: Path, tmp_path: Path) -> None:
        """A path that resolves through a symlink to outside the package is refused."""
        outside = tmp_path / "secret.csv"
        outside.write_text("area_id\n", encoding="utf-8")
        os.symlink(outside, pkg / "data" / "link.csv")
        with pytest.raises(UnsafePathError, match="outside the package folder"):
            powdata.validate(_with_path(pkg, "data/link.csv"))

    def test_no_network_is_used(self, pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Validation opens no socket."""

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("validation tried to use the network")

        monkeypatch.setattr(socket.socket, "connect", refuse)
        monkeypatch.setattr(socket, "create_connection", refuse)
        assert powdata.validate(pkg).valid

    def test_validate_writes_nothing(self, pkg: Path) -> None:
        """Validation leaves every file of the package byte-identical and adds none."""
        before = {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()}
        powdata.validate(pkg)
        assert {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()} == before


class TestFrictionlessStage:
    def test_stage_refuses_the_network(self) -> None:
        """The process that runs Frictionless refuses every socket connection."""
        import subprocess
        import sys

        code = (
            "from powdata.validation.descriptor import forbid_network; import socket; forbid_network(); "
            "socket.create_connection(('127.0.0.1', 9))"
        )
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert r.returncode != 0 and "powdata validate never uses the network" in r.stderr

    def test_a_crashing_stage_is_reported(self, pkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """If the Frictionless stage dies, the report says so instead of passing silently."""
        from powdata.validation import descriptor

        # the stage is isolated (python -I): PYTHONPATH cannot reach it, so its program is replaced instead
        monkeypatch.setattr(descriptor, "_CHILD", "raise RuntimeError('frictionless is broken here')")
        report = powdata.validate(pkg)
        failed = [p for p in report.errors if p.rule == "frictionless-failed"]
        assert failed and "frictionless is broken here" in failed[0].message

    def test_missing_frictionless_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without frictionless, validate raises MissingExtraError naming the extra."""
        import importlib.util

        from powdata.errors import MissingExtraError

        real = importlib.util.find_spec
        monkeypatch.setattr(
            importlib.util, "find_spec", lambda name, *a: None if name == "frictionless" else real(name, *a)
        )
        with pytest.raises(MissingExtraError, match=r"frictionless is missing.*pip install 'powdata\[validate\]'"):
            powdata.validate()


class TestRawReader:
    @pytest.mark.parametrize("engine", ["pyarrow", "c"])
    def test_text_is_never_reinterpreted(self, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """Validation reads every cell as written: '002' stays '002', 'NA' is text, only '' is missing."""
        import importlib.util

        import powdata._schema
        from powdata._schema import read_raw

        if engine == "c":  # the fallback when pyarrow is not installed
            real = importlib.util.find_spec
            monkeypatch.setattr(
                importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
            )
        else:  # pyarrow reads files above a size threshold; lower it so this small one takes that path
            monkeypatch.setattr(powdata._schema, "PYARROW_FROM_BYTES", 0)
        df = read_raw(b'm49,code,note\n002,NA,\n860,1.0,"a, b"\n', {"missingValues": [""]})
        assert df["m49"].tolist() == ["002", "860"]
        assert df["code"].tolist() == ["NA", "1.0"]
        assert df["note"].isna().tolist() == [True, False]

    @pytest.mark.parametrize("engine", ["pyarrow", "c"])
    def test_ragged_first_row_is_an_error(self, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """A first data row with an extra cell raises instead of becoming an index or being dropped."""
        import importlib.util

        import powdata._schema
        from powdata._schema import read_raw

        if engine == "c":
            real = importlib.util.find_spec
            monkeypatch.setattr(
                importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
            )
        else:  # pyarrow reads files above a size threshold; lower it so this small one takes that path
            monkeypatch.setattr(powdata._schema, "PYARROW_FROM_BYTES", 0)
        with pytest.raises(Exception):  # noqa: B017  # ParserError, ParserWarning or ArrowInvalid
            read_raw(b"a,b\n1,2,3\n", {"missingValues": [""]})


class TestNothingIsMerged:
    """Each check has one owner, so the report keeps every problem: none is merged into another."""

    def test_two_personal_columns_are_two_problems(self, pkg: Path) -> None:
        """Two personal-data columns in one resource (declared in its schema) are reported one each."""
        from tests.conftest import read_rows, write_rows

        path = pkg / "data" / "areas.csv"
        rows = read_rows(path)
        for r in rows:
            r.update(surname="", age="")
        write_rows(path, rows)
        schema_file = pkg / "schemas" / "areas.json"
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
        schema["fields"] += [{"name": "surname", "type": "string"}, {"name": "age", "type": "string"}]
        schema_file.write_text(json.dumps(schema), encoding="utf-8")
        build(pkg)
        hits = {(p.rule, p.column) for p in powdata.validate(pkg).errors if p.resource == "areas"}
        assert {("no-personal-data", "surname"), ("no-personal-data", "age")} <= hits

    def test_future_start_and_end_on_one_row_are_two_problems(self, edit_pkg: Callable[..., Path]) -> None:
        """A row whose period_start and period_end both lie in the future gets one problem per column."""
        pkg = edit_pkg(
            "observations",
            _set(SHARE_2024, period_start="2999-01-01", period_end="2999-12-31"),
        )
        hits = {(p.rule, p.row, p.column) for p in powdata.validate(pkg).errors}
        assert {("future-date", 7, "period_start"), ("future-date", 7, "period_end")} <= hits

    def test_report_add_keeps_problems_that_differ_only_in_column(self) -> None:
        """Report.add keeps two problems of one rule, resource and row that differ in column."""
        from powdata.validation.report import ERROR, Problem, Report

        report = Report("x")
        report.add([Problem("r", ERROR, "a", "t", 2, "c1"), Problem("r", ERROR, "b", "t", 2, "c2")])
        report.add([Problem("r", ERROR, "c", None, None, None), Problem("r", ERROR, "d", None, None, None)])
        assert len(report.problems) == 4


class TestMissingColumn:
    def test_missing_required_column_is_a_located_error(self, pkg: Path) -> None:
        """A file without a required column is a located missing-column error (exit 1), not a crash."""
        from tests.conftest import read_rows, run_cli, write_rows

        path = pkg / "data" / "observations.csv"
        rows = read_rows(path)
        for row in rows:
            del row["qualifier"]
        write_rows(path, rows)

        build(pkg)
        hits = [(p.rule, p.resource, p.column) for p in powdata.validate(pkg).errors]
        assert ("missing-column", "observations", "qualifier") in hits
        r = run_cli("validate", str(pkg))
        assert r.returncode == 1 and "missing-column" in r.stdout and "internal error" not in r.stderr


class TestQuotes:
    """The quote rules of `powdata validate` (excerpts against the texts are `powdata evidence`'s: test_evidence)."""

    QID = "foreign-fighters-named-died-2025-11-19--sud-ua"
    OID = "foreign-fighters-named-died-2025-11-19"

    def test_an_unknown_language_is_an_error(self, edit_pkg: Callable[..., Path]) -> None:
        """A publication in a language the excerpt rule cannot read fails, naming each quote from it."""
        pkg = edit_pkg("sources", lambda rows: by_id(rows, "source_id", "sud-ua-2025-11-19").update(language="fr"))
        hits = [p for p in powdata.validate(pkg).errors if p.rule == "excerpt-carries-figure"]
        assert len(hits) == 5 and all(p.resource == "quotes" for p in hits) and "'fr'" in hits[0].message

    def test_a_qualifier_its_words_contradict_is_named(self, edit_pkg: Callable[..., Path]) -> None:
        """'Щонайменше 3 388' stored as exact fails qualifier-matches-words at the quote's row."""
        pkg = edit_pkg("observations", _set(self.OID, qualifier="exact"))
        hits = [(p.rule, p.resource, p.row, p.column) for p in powdata.validate(pkg).errors]
        assert ("qualifier-matches-words", "quotes", _row("quotes", self.QID), "excerpt") in hits

    def test_the_package_declares_no_text(self) -> None:
        """The descriptor declares tables only: the texts of publications are not distributed."""
        assert all(r["path"].endswith(".csv") for r in powdata.descriptor()["resources"])


AS_OF_ONCE = {("as_of", "pattern"), ("as_of", "as-of-calendar-date")}
UNREADABLE = [d for d in DEFECTS if d[2] in ("type", "required", "enum") or (d[4], d[2]) in AS_OF_ONCE]


@pytest.mark.parametrize(("resource", "change", "rule", "row", "column"), UNREADABLE, ids=[d[2] for d in UNREADABLE])
def test_a_cell_that_does_not_parse_is_one_problem(
    edit_pkg: Callable[..., Path], resource: str, change: Edit, rule: str, row: int | None, column: str | None
) -> None:
    """A cell the typer cannot read is reported once, by the typer; no later check reports its gap again.

    So is an as_of: of another shape, by its pattern alone; of the shape but no calendar date, by the
    calendar rule alone.
    """
    pkg = edit_pkg(resource, change)
    found = [p.rule for p in powdata.validate(pkg, structural=False).problems if (p.resource, p.row) == (resource, row)]
    assert found == [rule]


@pytest.mark.parametrize(("resource", "change", "rule", "row", "column"), DEFECTS, ids=[d[2] for d in DEFECTS])
def test_nothing_is_found_twice(
    edit_pkg: Callable[..., Path], resource: str, change: Edit, rule: str, row: int | None, column: str | None
) -> None:
    """With one owner per check, no report holds two problems of one rule at one place (nothing to deduplicate)."""
    pkg = edit_pkg(resource, change)
    places = [(p.rule, p.resource, p.row, p.column) for p in powdata.validate(pkg).problems]
    assert len(places) == len(set(places)), places


class TestConstraintChecks:
    """The Pandera checks' own functions, held to the plain Python meaning of their constraint."""

    @given(
        st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "é", "a b", ""])), max_size=12),
        st.lists(st.one_of(st.none(), st.sampled_from(["a", "é", "c", ""])), max_size=12),
        st.sampled_from(["string", "category", "object"]),
        st.sampled_from(["string", "category"]),
    )
    def test_foreign_key_is_membership(self, refs: list[str | None], keys: list[str | None], rt: str, kt: str) -> None:
        """A reference passes exactly when it is missing or equal to a key, whatever the two columns' dtypes."""
        import pandas as pd

        from powdata.validation.tableschema import _in_target

        got = _in_target(pd.Series(keys, dtype=kt))(pd.Series(refs, dtype=rt))
        assert got.tolist() == [r is None or r in keys for r in refs]

    @given(
        st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=10),
        st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=10),
    )
    def test_foreign_key_compares_numbers_by_value(self, refs: list[int | None], keys: list[int | None]) -> None:
        """Integer references against number keys (Arrow cannot compare them as they are): 1 is 1.0."""
        import pandas as pd

        from powdata.validation.tableschema import _in_target

        got = _in_target(pd.Series(keys, dtype="Float64"))(pd.Series(refs, dtype="Int64"))
        assert got.tolist() == [r is None or r in keys for r in refs]

    def test_foreign_key_of_values_arrow_cannot_hold(self) -> None:
        """Mixed Python values (text and numbers in one column) are compared as Python values, not refused."""
        import pandas as pd

        from powdata.validation.tableschema import _in_target

        got = _in_target(pd.Series(["a", 1, 2], dtype=object))(pd.Series(["a", 1, None, 3], dtype=object))
        assert got.tolist() == [True, True, True, False]

    @given(
        st.lists(st.one_of(st.none(), st.sampled_from(["ab", "a", "ab1", "AB", "x-1", ""])), max_size=12),
        st.sampled_from([r"[a-z]+", r"[a-z]+\d?", r"x-\d", r"a|ab"]),
        st.booleans(),
        st.sampled_from(["string", "category", "object"]),
    )
    def test_pattern_is_a_whole_match(self, values: list[str | None], pattern: str, repeats: bool, dtype: str) -> None:
        """A value passes the pattern check exactly when the whole value matches (a missing one is Pandera's)."""
        import re

        import pandas as pd

        from powdata.validation.tableschema import _fullmatch

        got = _fullmatch(pattern, repeats=repeats)._check_fn(pd.Series(values, dtype=dtype))
        assert got.tolist() == [v is not None and re.fullmatch(pattern, v) is not None for v in values]

    @pytest.mark.parametrize(
        ("refs", "rtype", "keys", "ktype"),
        [
            ([860, 1, None], "Int64", ["860", "001"], "string"),  # an integer is not the text of its digits
            ([860, 1], "Int64", ["860", "001"], "category"),
            ([860.0, 1.0], "Float64", ["860", "1.0"], "string"),
            ([True, False], "boolean", ["true", "false"], "string"),
            ([True], "boolean", [860, 2], "Int64"),  # True is 1, not any number but 0
            ([True], "boolean", [0.5], "Float64"),
            (["1970-01-01", "2020-01-01"], "datetime64[s]", [0], "Int64"),  # a date is not its count of seconds
            (["2020-01-01"], "datetime64[s]", ["2020-01-01"], "string"),
            ([0], "Int64", ["1970-01-01"], "datetime64[s]"),
        ],
    )
    def test_foreign_key_never_converts_one_type_into_the_other(
        self, refs: list[object], rtype: str, keys: list[object], ktype: str
    ) -> None:
        """Columns of different types compare as Python values (as Frictionless does): Arrow's is_in would cast
        the keys to the references' type ("860" to 860, 860 to True, 0 to 1970-01-01) and find what is not there."""
        import numpy as np
        import pandas as pd

        from powdata.validation.tableschema import _in_target

        def column(values: list[object], dtype: str) -> pd.Series:
            if dtype.startswith("datetime64"):
                dates: pd.Series = pd.Series(np.array(values, dtype=dtype))
                return dates
            return pd.Series(values, dtype=dtype)

        ref_col, key_col = column(refs, rtype), column(keys, ktype)
        key_values = list(key_col.astype(object))
        want = [r is None or pd.isna(r) or r in key_values for r in ref_col.astype(object)]
        assert _in_target(key_col)(ref_col).tolist() == want

    def test_pattern_of_a_column_the_large_file_reader_read_in_blocks(self) -> None:
        """A text column read by pyarrow's reader (a file over PYARROW_FROM_BYTES) is several Arrow chunks; the
        pattern check of a column whose values repeat runs on them as on one array."""
        import pyarrow  # noqa: F401  # the reader of large files

        from powdata._schema import PYARROW_FROM_BYTES, read_raw
        from powdata.validation.tableschema import _fullmatch

        rows = PYARROW_FROM_BYTES // 1000 + 1000
        data = b"id,note\n" + b"".join(b"id-%d,%s\n" % (i % 7, b"n" * 1000) for i in range(rows))
        ids = read_raw(data, {})["id"]
        got = _fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", repeats=True)._check_fn(ids)
        assert got.tolist() == [True] * rows


def test_a_valid_table_over_the_large_file_size_is_valid(pkg: Path) -> None:
    """observations.csv over 4 MiB (long notes) is read by pyarrow's reader and stays valid: no pattern problem."""
    from powdata._schema import PYARROW_FROM_BYTES
    from tests.conftest import read_rows, write_rows

    path = pkg / "data" / "observations.csv"
    rows = read_rows(path)
    for r in rows:
        r["note"] = "n" * (PYARROW_FROM_BYTES // len(rows) + 1000)
    write_rows(path, rows)
    build(pkg)
    assert path.stat().st_size > PYARROW_FROM_BYTES
    assert [(p.rule, p.column, p.message[:60]) for p in powdata.validate(pkg, structural=False).problems] == []


def test_an_integer_reference_to_text_keys_is_not_found(pkg: Path) -> None:
    """An integer field whose foreign key names a text field (areas.m49, "860") finds no key: 860 is not "860".

    Frictionless reports the row (foreign-key), and so did powdata before Arrow's is_in.
    """
    from tests.conftest import read_rows, write_rows

    rows = read_rows(pkg / "data" / "areas.csv")
    target = next(i for i, r in enumerate(rows) if r["m49"] == "860")
    for i, r in enumerate(rows):
        r["m49_ref"] = "860" if i == target else ""
    write_rows(pkg / "data" / "areas.csv", rows)
    schema_path = pkg / "schemas" / "areas.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "m49_ref", "type": "integer"})
    schema.setdefault("foreignKeys", []).append(
        {"fields": ["m49_ref"], "reference": {"resource": "areas", "fields": ["m49"]}}
    )
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    build(pkg)
    problems = powdata.validate(pkg, structural=False).problems
    assert [(p.rule, p.row, p.column) for p in problems] == [("foreign-key", target + 2, "m49_ref")]
    assert problems[0].message.startswith("m49_ref = 860 is not found")  # the value as written, not np.int64(860)
