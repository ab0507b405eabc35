"""Hostile input, round two (issue 17): each family of the second adversarial review, held by a test.

Every test here failed on the code before issue 17: code imported from the
working folder, files read through descriptor keys other than ``profile``, JSON
that is not JSON, versions and schema changes the release gates let through,
unbounded reports and joins, chains walked in cubic time or not at all,
backtracking patterns, CSV widths counted on the wrong line, and output that a
field name could forge.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powdata import _package
from powdata._io.escape import markdown_inline
from powdata._io.gate import read_gated
from powdata._io.integrity import header_width
from powdata._io.strict_json import parse_json
from powdata.errors import PackageReadError
from tests.conftest import ROOT, Cli, clean_failure, copy_package, read_rows, write_rows
from tests.test_security import edit_descriptor, resource


def powdata_command() -> list[str]:
    """The installed ``powdata`` script (as a maintainer types it), which puts no folder of the cwd on the path."""
    script = Path(sys.executable).with_name("powdata")
    return [str(script)] if script.is_file() else [sys.executable, "-I", "-m", "powdata"]


class TestNoCodeFromTheWorkingFolder:
    def test_planted_modules_in_the_cwd_are_never_imported(self, pkg: Path, tmp_path: Path) -> None:
        """A json.py and frictionless.py beside the package (a pull request's files) never run during validate."""
        checkout = tmp_path / "checkout"
        checkout.mkdir()
        marker = tmp_path / "ran"
        for module in ("json", "frictionless", "socket", "resource"):
            (checkout / f"{module}.py").write_text(
                f"open({str(marker)!r}, 'a').write({module!r} + '\\n')\nraise SystemExit(0)\n", encoding="utf-8"
            )
        proc = subprocess.run(
            [*powdata_command(), "validate", str(pkg)], cwd=checkout, capture_output=True, text=True, timeout=300
        )
        assert not marker.exists(), marker.read_text()
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "frictionless" in proc.stdout  # the stage ran, and ran the real Frictionless

    def test_frictionless_still_judges_the_descriptor(self, pkg: Path, cli: Cli) -> None:
        """The isolated stage still reports what Frictionless finds (a licence without name or path)."""
        edit_descriptor(pkg, lambda d: d.update(licenses=[{"title": "no name, no path"}]))
        code, out, _ = cli("validate", str(pkg))
        assert code == 1
        assert "descriptor-" in out


class TestNoFileFromOutside:
    @pytest.mark.parametrize(
        ("where", "key", "value"),
        [
            ("package", "profiles", ["secret.json"]),
            ("package", "profiles", "secret.json"),
            ("resource", "profiles", ["/etc/passwd"]),
            ("resource", "extrapaths", ["../secret.csv"]),
            ("resource", "checklist", "checklist.json"),
            ("resource", "pipeline", "https://example.org/p.json"),
            ("schema", "$schema", "secret.json"),
            ("dialect", "profile", "/etc/passwd"),
        ],
    )
    def test_every_key_naming_a_file_is_refused(self, pkg: Path, cli: Cli, where: str, key: str, value: Any) -> None:
        """Any descriptor key Frictionless would dereference (not just profile and $schema) is refused in one line."""

        def plant(d: dict[str, Any]) -> None:
            obs = resource(d, "observations")
            node = {"package": d, "resource": obs, "schema": obs["schema"]}.get(where)
            if where == "dialect":
                node = obs.setdefault("dialect", {})
            assert node is not None
            node[key] = value

        (pkg.parent / "secret.json").write_text('{"secret": "leaked"}', encoding="utf-8")
        edit_descriptor(pkg, plant)
        code, out, err = cli("validate", str(pkg))
        clean_failure(code, err, exit_code=2)
        assert key in err
        assert "leaked" not in out + err

    def test_unknown_keys_never_reach_frictionless(self) -> None:
        """The stage is shown only the standard's keys: a key it might come to dereference is left out."""
        desc = {"name": "x", "made-up": "file.json", "resources": [{"name": "a", "path": "a.csv", "odd": "b.json"}]}
        view = _package.frictionless_view(desc)
        assert view == {"name": "x", "resources": [{"name": "a", "path": "a.csv"}]}


BAD_JSON = {
    "NaN": b'{"a": NaN}',
    "Infinity": b'{"a": [1, Infinity]}',
    "-Infinity": b'{"a": -Infinity}',
    "huge integer": b'{"a": ' + b"7" * 5000 + b"}",
    "overflowing float": b'{"a": 1e999}',
    "lone surrogate in a key": b'{"\\ud800": 1}',
    "lone surrogate in a value": b'{"a": ["x\\udfff"]}',
    "duplicate key": b'{"a": 1, "a": 2}',
    "deep nesting": b"[" * 100 + b"]" * 100,
    "very deep nesting": b"[" * 100000 + b"]" * 100000,
}


class TestStrictJson:
    @pytest.mark.parametrize("name", sorted(BAD_JSON))
    def test_the_one_reader_refuses_what_is_not_json(self, name: str) -> None:
        """parse_json refuses every non-RFC-8259 form with one line naming the file."""
        with pytest.raises(PackageReadError) as info:
            parse_json(BAD_JSON[name], "some/file.json")
        text = str(info.value)
        assert text.startswith("some/file.json: ") and "\n" not in text

    def test_place_is_named(self) -> None:
        """A NaN is located by line and column; a surrogate by its path in the document."""
        with pytest.raises(PackageReadError, match="line 2, column 8"):
            parse_json(b'{"a": 1,\n "b": [NaN]}', "f.json")
        with pytest.raises(PackageReadError, match=r"resources\[0\]\.name"):
            parse_json(b'{"resources": [{"name": "\\ud800"}]}', "f.json")

    def test_strict_json_still_reads_real_json(self) -> None:
        """Unicode escapes of a proper pair, big-but-bounded numbers and nesting under the limit are read."""
        value = parse_json(b'{"a": ["\\ud83d\\ude00", 12345678901234567890, -1.5e300, [[[]]]]}', "f")
        assert value == {"a": ["\U0001f600", 12345678901234567890, -1.5e300, [[[]]]]}

    @pytest.mark.parametrize(
        ("target", "text"),
        [
            ("datapackage.json", '"bytes": ' + "9" * 5000),
            ("datapackage.json", '"bytes": NaN'),
            ("datapackage.json", '"title": "\\ud800"'),
            ("schemas/observations.json", '"title": Infinity'),
            ("schemas/observations.json", '"x": ' + "1" * 5000),
        ],
    )
    @pytest.mark.parametrize("command", ["validate", "build", "diff"])
    def test_every_command_refuses_in_one_line(
        self, released: Path, cli: Cli, target: str, text: str, command: str
    ) -> None:
        """validate, build and diff refuse a non-JSON descriptor or schema with exit 2 and one line naming the file."""
        if command == "diff":  # diff reads the schema inlined in the descriptor: plant it there
            target = "datapackage.json"
        path = released / target
        raw = path.read_text(encoding="utf-8")
        path.write_text(raw.replace("{", "{" + text + ", ", 1), encoding="utf-8")
        args = {"validate": [str(released)], "build": [str(released)], "diff": [str(ROOT), str(released)]}[command]
        code, _, err = cli(command, *args)
        clean_failure(code, err, exit_code=2)
        assert Path(target).name in err

    @pytest.mark.parametrize("value", [float("inf"), float("nan"), "\ud800", 10**50])
    def test_build_never_writes_what_it_would_refuse(self, value: Any) -> None:
        """The one writer of JSON refuses what the one reader would refuse, so build never writes Infinity."""
        from powdata._derived import render

        with pytest.raises(PackageReadError):
            render({"version": "1.0.0", "x": [value]})
        assert parse_json(render({"a": [1.5, "ok"]}).encode("utf-8"), "f") == {"a": [1.5, "ok"]}


class TestReleaseGates:
    @pytest.mark.parametrize("version", ["０.２.１", "0.3.0.9", "v0.3.0", "0.3", "0.03.0", "٣.0.0"])
    def test_validate_checks_the_version_as_build_does(self, pkg: Path, cli: Cli, version: str) -> None:
        """A version build refuses (fullwidth or Arabic-Indic digits, four parts) is an error of validate too."""
        edit_descriptor(pkg, lambda d: d.update(version=version))
        code, out, _ = cli("validate", str(pkg))
        assert code == 1
        assert "version" in out and "semantic version" in out

    @pytest.mark.parametrize("version", ["０.２.１", "0.3.0.9", "1.0"])
    def test_diff_checks_the_version_as_build_does(self, pkg: Path, cli: Cli, version: str) -> None:
        """diff refuses a version build would refuse, in one line, instead of comparing its digits."""
        edit_descriptor(pkg, lambda d: d.update(version=version))
        code, _, err = cli("diff", str(ROOT), str(pkg))
        clean_failure(code, err, exit_code=2)
        assert "semantic version" in err

    @pytest.mark.parametrize(
        ("change", "kind", "level"),
        [
            (lambda s: s.update(primaryKey=["observation_id", "as_of"]), "primary key changed", "major"),
            (lambda s: s.pop("primaryKey"), "primary key changed", "major"),
            (lambda s: s.update(foreignKeys=s["foreignKeys"][1:]), "foreign key removed", "minor"),
            (
                lambda s: s["foreignKeys"].append(
                    {"fields": "area_id", "reference": {"resource": "area_members", "fields": "member_id"}}
                ),
                "foreign key added",
                "major",
            ),
            (lambda s: s.update(missingValues=["", "NA"]), "missing values changed", "major"),
            (lambda s: s["fields"].reverse(), "fields reordered", "major"),
            (lambda s: s["fields"][0].update(format="email"), "field read differently", "major"),
            (lambda s: s["fields"][0].update(description="another"), "field described", "patch"),
            (lambda s: s.update(fieldsMatch="subset"), "schema changed", "major"),
        ],
    )
    def test_diff_classifies_every_table_schema_change(
        self, pkg: Path, change: Callable[[dict[str, Any]], Any], kind: str, level: str
    ) -> None:
        """A changed key, foreign key, missing value or property is a change with its level, never 'no change'."""
        from powdata.release.diff import diff_packages

        edit_descriptor(pkg, lambda d: change(resource(d, "observations")["schema"]))
        result = diff_packages(ROOT, pkg)
        found = [c for c in result.changes if c.kind == kind and c.resource == "observations"]
        assert found and found[0].level == level, result.changes
        assert not result.bump_ok  # the version did not move
        assert "no changes" not in result.verdict()

    def test_diff_reports_a_moved_resource(self, pkg: Path) -> None:
        """A resource whose path changes is a major change, its title a patch."""
        from powdata.release.diff import diff_packages

        shutil.copy(pkg / "data" / "areas.csv", pkg / "data" / "areas2.csv")
        edit_descriptor(pkg, lambda d: resource(d, "areas").update(path="data/areas2.csv", title="Areas!"))
        kinds = {(c.kind, c.level) for c in diff_packages(ROOT, pkg).changes}
        assert ("resource moved", "major") in kinds and ("metadata changed", "patch") in kinds


class TestOutputCannotLie:
    FORGED = "x\n  VALID: all good\n| major | forged | row | ![img](http://evil/x.png) [link](http://evil) `code` |"

    def _rename_field(self, pkg: Path) -> None:
        def change(d: dict[str, Any]) -> None:
            fields = resource(d, "areas")["schema"]["fields"]
            fields.append({"name": self.FORGED, "type": "string"})

        edit_descriptor(pkg, change)

    def test_diff_markdown_escapes_field_names(self, pkg: Path, cli: Cli) -> None:
        """A field name cannot add a row, an image, a link or code to the Markdown diff meant for pull requests."""
        self._rename_field(pkg)
        code, out, _ = cli("diff", str(ROOT), str(pkg), "--format", "markdown")
        assert code == 1
        table = [line for line in out.splitlines() if line.startswith("|")]
        assert len(table) == 3  # header, rule, the one change
        assert "![" not in out and "](" not in out and " `code`" not in out
        assert all(line.count("|") - line.count("\\|") == 5 for line in table)

    def test_diff_text_keeps_one_line_per_change(self, pkg: Path, cli: Cli) -> None:
        """A newline in a field name cannot forge a line of the text diff."""
        self._rename_field(pkg)
        code, out, _ = cli("diff", str(ROOT), str(pkg))
        assert code == 1
        assert len(out.splitlines()) == 3  # the title, the verdict, one change
        assert not any(line.startswith("  VALID") for line in out.splitlines())

    def test_validate_text_keeps_one_line_per_problem(self, pkg: Path, cli: Cli) -> None:
        """A newline in a header cell cannot forge a line of validate's text report."""
        path = pkg / "data" / "areas.csv"
        text = path.read_text(encoding="utf-8")
        path.write_text('"area\nVALID: forged"' + text[len("area_id") :], encoding="utf-8")
        code, out, _ = cli("validate", str(pkg))
        assert code == 1
        assert not any(line.startswith("VALID: forged") for line in out.splitlines())
        assert "\\u000a" in out

    def test_markdown_escaper(self) -> None:
        """markdown_inline leaves no unescaped markup character and no newline."""
        text = markdown_inline("a|b [c](d) ![e](f) `g` <h> *i* _j_ \n k")
        assert "\n" not in text
        for ch in "|[]()!`<>*_":
            assert all(text[i - 1] == "\\" for i, c in enumerate(text) if c == ch)


def rules_found(pkg: Path, rule: str) -> list[Any]:
    """The problems of ``rule`` in a structural-free validation of ``pkg``."""
    import powdata

    report = powdata.validate(pkg, structural=False)
    return [p for p in report.problems if p.rule == rule]


class TestReferenceChains:
    def test_source_read_via_itself(self, edit_pkg: Callable[..., Path]) -> None:
        """A source whose via_source_id is itself is a via-source-cycle error giving the path."""

        def change(rows: list[dict[str, str]]) -> None:
            rows[3]["via_source_id"] = rows[3]["source_id"]

        pkg = edit_pkg("sources", change)
        found = rules_found(pkg, "via-source-cycle")
        sid = read_rows(pkg / "data" / "sources.csv")[3]["source_id"]
        assert len(found) == 1 and f"{sid} → {sid}" in found[0].message and found[0].row == 5

    def test_two_sources_via_each_other(self, edit_pkg: Callable[..., Path]) -> None:
        """Two sources read via each other are both errors, each giving the loop."""

        def change(rows: list[dict[str, str]]) -> None:
            rows[4]["via_source_id"], rows[5]["via_source_id"] = rows[5]["source_id"], rows[4]["source_id"]

        pkg = edit_pkg("sources", change)
        found = rules_found(pkg, "via-source-cycle")
        assert len(found) == 2 and all("leads back to itself" in p.message and " → " in p.message for p in found)

    def test_group_member_of_itself(self, edit_pkg: Callable[..., Path]) -> None:
        """A group listed among its own members is a member-cycle error."""

        def change(rows: list[dict[str, str]]) -> None:
            rows.append({"area_id": rows[0]["area_id"], "member_id": rows[0]["area_id"]})

        pkg = edit_pkg("area_members", change)
        found = rules_found(pkg, "member-cycle")
        assert len(found) == 1 and "member of itself" in found[0].message

    def test_long_via_cycle_is_linear(self) -> None:
        """A 20,000-source via loop is found in well under a second per 10,000 sources, not n³."""
        import time

        import pandas as pd

        from powdata._chains import chain_map, walk
        from powdata._vintages import publication_dates

        n = 20_000
        sources = pd.DataFrame(
            {
                "source_id": [f"s{i}" for i in range(n)],
                "via_source_id": [f"s{(i + 1) % n}" for i in range(n)],
                "published": [pd.NaT] * (n - 1) + [pd.Timestamp("2025-01-01")],
            }
        )
        start = time.perf_counter()
        dates = publication_dates(sources)
        cycles = walk(chain_map(zip(sources["source_id"], sources["via_source_id"], strict=True))).cycles
        assert time.perf_counter() - start < 5
        assert len(cycles) == 1 and len(cycles[0]) == n
        assert dates["s0"] == pd.Timestamp("2025-01-01")

    def test_many_parts_sharing_one_id(self, edit_pkg: Callable[..., Path]) -> None:
        """2,000 rows sharing one observation_id, with part_of pointing at it, validate without an n×n join."""

        def change(rows: list[dict[str, str]]) -> None:
            base = dict(rows[0])
            base.update(observation_id="dup", part_of="dup")
            rows.extend(dict(base) for _ in range(2000))

        pkg = edit_pkg("observations", change)
        import powdata

        report = powdata.validate(pkg, structural=False)
        assert not report.valid
        assert report.count("error") >= 2000  # every repeated key, counted even where not listed
        assert any(p.rule == "part-of-cycle" and "dup → dup" in p.message for p in report.problems)


class TestBounded:
    def test_report_caps_repeated_problems(self) -> None:
        """Past MAX_REPEATED problems of one rule in one column, the rest are counted, in text and JSON alike."""
        from powdata.validation.report import ERROR, MAX_REPEATED, Problem, Report

        report = Report("x")
        report.add(Problem("type", ERROR, f"bad {i}", "observations", i + 2, "value") for i in range(10_000))
        report.add([Problem("enum", ERROR, "bad", "observations", 2, "qualifier")])
        assert len(report.problems) == MAX_REPEATED + 1
        assert report.count(ERROR) == 10_001
        assert report.to_dict()["error_count"] == 10_001
        assert report.to_dict()["suppressed"] == [
            {"rule": "type", "severity": ERROR, "resource": "observations", "column": "value", "count": 10_000 - 20}
        ]
        text = report.to_text()
        assert "9980 more" in text and len(text.splitlines()) == MAX_REPEATED + 1 + 6

    def test_file_declared_twice_is_read_once(self, pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file declared by several resources is read once by validate and by diff."""
        from powdata.release import diff

        def declare(d: dict[str, Any]) -> None:
            table = next(r for r in d["resources"] if r["name"] == "areas")
            d["resources"] += [{**table, "name": f"copy-{i}"} for i in range(20)]

        for i in range(20):  # a table's schema is found by its resource name
            (pkg / "schemas" / f"copy-{i}.json").write_bytes((pkg / "schemas" / "areas.json").read_bytes())
        edit_descriptor(pkg, declare)
        reads: list[Path] = []
        real = read_gated

        def counting(path: Path, what: str, limit: int) -> bytes:
            reads.append(path)
            return real(path, what, limit)

        # as Package.read (the reader of validate) and diff bind it
        monkeypatch.setattr("powdata.package.read_gated", counting)
        monkeypatch.setattr(diff, "read_gated", counting)
        diff.snapshot(pkg)
        assert len(reads) == len(set(reads))
        reads.clear()
        import powdata

        powdata.validate(pkg, structural=False)
        data_reads = [p for p in reads if p.suffix in (".csv", ".txt")]
        assert len(data_reads) == len(set(data_reads))

    def test_diff_has_a_byte_budget_per_call(self, pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """One diff reads at most POWDATA_MAX_BYTES in all, however many files each fit under it."""
        from powdata.release.diff import diff_packages

        total = sum(p.stat().st_size for p in [*(pkg / "data").glob("*.csv"), *(pkg / "sources").glob("*.txt")])
        monkeypatch.setenv("POWDATA_MAX_BYTES", str(total * 3 // 2))  # each state fits; both do not
        with pytest.raises(PackageReadError, match="budget"):
            diff_packages(ROOT, pkg)

    def test_diff_git_budget(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """diff git:REF charges every blob to the call's budget: one blob declared many times is read once."""
        from powdata.release.diff import Budget, snapshot

        repo = tmp_path / "repo"
        pkg = copy_package(repo)
        big = pkg / "data" / "big.csv"
        big.write_bytes(b"a\n" + b"1\n" * 200_000)

        def declare(d: dict[str, Any]) -> None:
            d["resources"] += [{"name": f"big{i}", "path": "data/big.csv"} for i in range(50)]

        edit_descriptor(pkg, declare)
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
        subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
        subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
        subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
        monkeypatch.chdir(repo)
        budget = Budget(2_000_000)
        snap = snapshot("git:HEAD", budget)
        assert snap.tables["big0"] is snap.tables["big49"]
        assert budget.limit - budget.remaining < 1_000_000
        with pytest.raises(PackageReadError, match="budget"):
            snapshot("git:HEAD", Budget(300_000))


class TestWidth:
    @pytest.mark.parametrize("first", ['"a\nb"', "a\x0c"], ids=["quoted-newline", "form-feed"])
    def test_the_first_header_cell_never_hides_the_width(self, pkg: Path, cli: Cli, first: str) -> None:
        """A quoted newline, or a form feed (a line end for str.splitlines, not for CSV), in the first header
        cell does not hide the header's true width."""
        path = pkg / "data" / "areas.csv"
        path.write_text(first + "," + ",".join(f"c{i}" for i in range(50_000)) + "\nx\n", encoding="utf-8")
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err, exit_code=2)
        assert "columns but the Table Schema declares" in err

    def test_first_cell_over_a_mebibyte(self, pkg: Path, cli: Cli) -> None:
        """A first header cell longer than 1 MiB is refused, not parsed with whatever follows it."""
        path = pkg / "data" / "areas.csv"
        path.write_bytes(b"x" * (1024 * 1024 + 10) + b"," * 100_000 + b"\n")
        from powdata.release.build import build

        build(pkg)  # the declared size matches: only the header check can stop it
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err, exit_code=2)
        assert "header does not end" in err

    def test_header_width_counts_the_first_record(self) -> None:
        """header_width counts a record, not a line: quoted newlines and commas stay inside their cell."""
        assert header_width(b'"a\n,b",c\n1,2\n') == 2
        assert header_width(b"\xef\xbb\xbfa,b,c") == 3
        long_first = b'"' + b"x" * 200_000 + b'\n",a,b' + b",x" * 5000 + b"\n1,2\n"  # past csv's 128 KiB cell limit
        assert header_width(long_first) == 5003

    @given(st.text(alphabet='ab,"\n\r\x0c\u2028 ', max_size=40))
    def test_csv_lines_read_as_the_file_object_reads(self, text: str) -> None:
        """csv.reader over csv_lines gives the records (or the error) csv.reader over a file object gives."""
        import csv

        from powdata._io.integrity import csv_lines

        def records(lines: Any) -> Any:
            try:
                return list(csv.reader(lines))
            except csv.Error as exc:
                return f"csv.Error: {exc}"

        assert records(csv_lines(text)) == records(io.StringIO(text, newline=""))

    @pytest.mark.parametrize("end", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
    def test_header_width_ends_a_line_where_the_parsers_do(self, end: str) -> None:
        """Only \\n, \\r\\n and \\r end the header: a form feed or U+2028 early in it hides no column after it."""
        header = "a" + end + "," + ",".join(f"c{i}" for i in range(5000)) + "\n1,2\n"
        assert header_width(header.encode()) == 5001
        assert header_width(b"a,b\rc,d,e\n") == 2
        assert header_width(b"a,b\r\nc,d,e\n") == 2

    def test_header_width_leaves_the_csv_field_limit_as_it_found_it(self) -> None:
        """csv's field limit is process-wide: header_width raises it for the header only, then restores it."""
        import csv

        before = csv.field_size_limit()
        header_width(b'"' + b"x" * 200_000 + b'",a\n1,2\n')
        assert csv.field_size_limit() == before

    def test_diff_checks_the_width(self, pkg: Path, cli: Cli) -> None:
        """diff refuses a CSV wider than its Table Schema before parsing it, like validate."""
        path = pkg / "data" / "areas.csv"
        path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n", encoding="utf-8")
        code, _, err = cli("diff", str(ROOT), str(pkg))
        clean_failure(code, err, exit_code=2)
        assert "columns but the Table Schema declares" in err


class TestRegexSafety:
    @pytest.mark.parametrize("pattern", ["(?=a)a*b", "(a)\\1", "(?<!x)y", "(?P<n>a)(?P=n)"])
    def test_pattern_re2_cannot_run_is_refused(self, pkg: Path, pattern: str) -> None:
        """A pattern with lookaround or a backreference is a pattern error, never run by Python's re."""
        import time

        import powdata

        def change(d: dict[str, Any]) -> None:
            field = resource(d, "areas")["schema"]["fields"][0]
            field.setdefault("constraints", {})["pattern"] = pattern

        edit_descriptor(pkg, change)
        path = pkg / "data" / "areas.csv"
        rows = read_rows(path)
        rows[0]["area_id"] = "a" * 50_000  # would backtrack for ever under (?=a)a*b with Python's re
        write_rows(path, rows)
        start = time.perf_counter()
        report = powdata.validate(pkg, structural=False)
        assert time.perf_counter() - start < 60
        found = [p for p in report.errors if p.rule == "pattern" and "linear time" in p.message]
        assert len(found) == 1 and found[0].column == "area_id"

    def test_re2_patterns_still_match_whole_values(self) -> None:
        """An RE2 pattern is anchored at both ends, as the Table Schema standard says."""
        import pandas as pd

        from powdata.validation.tableschema import _fullmatch, re2_error

        assert re2_error("[a-z]+") is None and re2_error("(?=a)") is not None
        check = _fullmatch("[a-z]+", repeats=True)
        values = pd.Series(["abc", "abc1", None, "x"], dtype="string")
        assert check._check_fn(values).tolist() == [True, False, False, True]


def released_repo(tmp_path: Path) -> Path:
    """A copy of the repository layout build writes docs into (docs/, README.md, CITATION.cff, releases/)."""
    pkg = copy_package(tmp_path / "repo")
    for folder in ("releases", "docs"):
        shutil.copytree(ROOT / folder, pkg / folder)
    for name in ("README.md", "CITATION.cff"):
        shutil.copy(ROOT / name, pkg / name)
    return pkg


class TestUnexpectedShapes:
    @pytest.mark.parametrize(
        ("key", "value"),
        [("contributors", "someone"), ("contributors", ["someone"]), ("licenses", "CC-BY-4.0"), ("title", ["a"])],
    )
    def test_metadata_shapes_are_one_line_in_build(self, tmp_path: Path, cli: Cli, key: str, value: Any) -> None:
        """Contributors or licences as plain strings, a title as a list: build refuses in one line naming the key."""
        pkg = released_repo(tmp_path)
        edit_descriptor(pkg, lambda d: d.update({key: value}))
        before = (pkg / "datapackage.json").read_bytes()
        code, _, err = cli("build", str(pkg))
        clean_failure(code, err, exit_code=2)
        assert key in err
        assert (pkg / "datapackage.json").read_bytes() == before  # refused before anything is written

    def test_self_referencing_foreign_key_builds(self, tmp_path: Path, cli: Cli) -> None:
        """A foreign key without 'resource' (to the table itself) is valid Table Schema: build documents it."""
        pkg = released_repo(tmp_path)
        path = pkg / "schemas" / "observations.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema["foreignKeys"].append({"fields": "part_of", "reference": {"fields": "observation_id"}})
        path.write_text(json.dumps(schema), encoding="utf-8")
        code, _, err = cli("build", str(pkg))
        assert code in (0, 1), err  # 1: the data differ from the registry of this version
        assert "error" not in err
        assert "`part_of` → `observations.observation_id`" in (pkg / "docs" / "codebook.md").read_text(encoding="utf-8")

    @pytest.mark.parametrize(("column", "value"), [("area_id", "nowhere"), ("qualifier", "")])
    def test_bad_data_is_one_line_in_build(self, tmp_path: Path, cli: Cli, column: str, value: str) -> None:
        """An unknown area_id or an empty qualifier stops build with one line, and validate locates it."""
        pkg = released_repo(tmp_path)
        path = pkg / "data" / "observations.csv"
        rows = read_rows(path)
        rows[0][column] = value
        write_rows(path, rows)
        code, _, err = cli("build", str(pkg))
        clean_failure(code, err, exit_code=2)
        code, out, _ = cli("validate", str(pkg))
        assert code == 1 and "row 2" in out and column in out

    def test_big_cell_in_sources(self, tmp_path: Path, cli: Cli) -> None:
        """A sources.csv cell over 128 KiB (csv's default field limit) neither breaks validate nor build."""
        pkg = released_repo(tmp_path)
        path = pkg / "data" / "sources.csv"
        rows = read_rows(path)
        rows[0]["note"] = "x" * 140_000
        write_rows(path, rows)
        code, _, err = cli("build", str(pkg))
        assert code in (0, 1) and "error" not in err, err
        code, _, err = cli("validate", str(pkg))
        assert code in (0, 1) and err == "", err

    def test_big_cell_in_a_ragged_file(self, pkg: Path, cli: Cli) -> None:
        """A ragged file (the lenient reader takes it) with a 140 KB cell: the ragged row is named, every cell read."""
        path = pkg / "data" / "sources.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        cells = next(csv.reader([lines[1]]))
        cells[header.index("note")] = "x" * 140_000
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(cells)
        lines[1] = buf.getvalue().rstrip("\n")
        lines[2] += ",extra"  # a ragged row: the fast reader refuses the file, the lenient one reads it
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        code, out, err = cli("validate", str(pkg))
        assert code == 1 and err == "", err
        assert "extra-cell" in out and "row 3" in out and "cannot be parsed" not in out, out


class TestMeaningHolesInRules:
    def _loosen(self, pkg: Path) -> None:
        """Drop the value's minimum and maximum from the observations schema (a contributor's loosened schema)."""
        path = pkg / "schemas" / "observations.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        for f in schema["fields"]:
            if f["name"] == "value":
                f.get("constraints", {}).pop("minimum", None)
                f.get("constraints", {}).pop("maximum", None)
        path.write_text(json.dumps(schema), encoding="utf-8")

    @pytest.mark.parametrize(("oid_part", "value"), [("share", "-5"), ("pows-held", "-100")])
    def test_unit_range_holds_when_the_schema_loosens(
        self, pkg: Path, edit_pkg: Callable[..., Path], oid_part: str, value: str
    ) -> None:
        """A negative percent or count is a unit-range error even once the schema's minimum is gone."""
        self._loosen(pkg)

        def change(rows: list[dict[str, str]]) -> None:
            row = next(r for r in rows if oid_part in r["observation_id"])
            row["value"] = value

        edit_pkg("observations", change)
        found = rules_found(pkg, "unit-range")
        assert len(found) == 1 and ("outside [0, 100]" in found[0].message or "negative count" in found[0].message)

    @pytest.mark.parametrize(
        ("excerpt", "value", "unit", "carries"),
        [
            ("accounted for 49% of all prisoners", 49, "persons", False),
            ("accounted for 49 per cent of all prisoners", 49, "persons", False),
            ("More than 100 foreign nationals from 32 countries", 32, "persons", False),
            ("136 ausländische Söldner aus 37 Ländern", 136, "countries", False),
            ("More than 100 foreign nationals from 32 countries", 32, "countries", True),
            ("More than 100 foreign nationals from 32 countries", 100, "persons", True),
            ("accounted for 49% of all prisoners", 49, "percent", True),
            ("49% foreign citizens", 49, "percent", True),
        ],
    )
    def test_unit_words_next_to_the_number(self, excerpt: str, value: int, unit: str, carries: bool) -> None:
        """A count is never read from a percent, nor a persons figure from '32 countries' (and the reverse)."""
        from powdata.validation.rules.excerpts import figure_pattern

        language = "de" if "Söldner" in excerpt else "en"
        assert bool(figure_pattern(float(value), unit, language).search(excerpt)) is carries

    def test_country_count_stored_as_persons_fails(self, edit_pkg: Callable[..., Path]) -> None:
        """The other figure of a verbatim excerpt (32 countries) stored as the POW count is an excerpt error."""

        def change(rows: list[dict[str, str]]) -> None:
            rows[0]["value"] = "32"  # its excerpt: "More than 100 foreign nationals from 32 countries ..."

        pkg = edit_pkg("observations", change)
        assert any(p.row == 2 for p in rules_found(pkg, "excerpt-carries-figure"))


class TestLargeReports:
    def test_many_errors_stay_bounded(self, pkg: Path) -> None:
        """10⁴ rows with several errors each: the kept problems are capped, the counts exact, the text short."""
        import powdata
        from powdata.validation.report import MAX_REPEATED

        path = pkg / "data" / "observations.csv"
        rows = read_rows(path)
        bad = dict(rows[0], value="x", qualifier="maybe", as_of="nope", period_start="2025-13-01", part_of="none")
        rows += [dict(bad, observation_id=f"bad-{i}") for i in range(10_000)]
        write_rows(path, rows)
        from powdata.release.build import build

        build(pkg)
        report = powdata.validate(pkg, structural=False)
        keys = {(p.rule, p.severity, p.resource, p.column) for p in report.problems}
        assert all(
            sum(1 for p in report.problems if (p.rule, p.severity, p.resource, p.column) == k) <= MAX_REPEATED
            for k in keys
        )
        assert report.count("error") >= 40_000
        assert len(report.to_text()) < 200_000


class TestEmptyTables:
    def test_an_empty_observations_file_is_located_not_an_internal_error(self, tmp_path: Path, cli: Cli) -> None:
        """A zero-byte observations.csv gives located problems (exit 1), not a crash in a date rule (fuzzer find)."""
        pkg = copy_package(tmp_path / "pkg")
        (pkg / "data" / "observations.csv").write_bytes(b"")
        code, out, err = cli("validate", str(pkg))
        assert code == 1 and "internal error" not in err, err
        assert "observations" in out


class TestGeneratedMarkdown:
    EVIL = "EVIL\x1b[31m\u202e<img src=x onerror=alert(1)> | pipe `tick` [x](javascript:alert(1)) <!-- \n# Heading"

    def test_readme_series_escapes_untrusted_names(self, tmp_path: Path) -> None:
        """An indicator or area name cannot put HTML, a comment, a row, a heading or ESC/RLO into README's series."""
        from powdata.release.build import build
        from powdata.release.codebook import SERIES_END, SERIES_START, render_series

        pkg = copy_package(tmp_path / "pkg")
        for table, column in (("indicators", "name"), ("areas", "name")):
            path = pkg / "data" / f"{table}.csv"
            rows = read_rows(path)
            for row in rows:
                row[column] = self.EVIL
            write_rows(path, rows)
        build(pkg)
        block = render_series(pkg)
        assert "EVIL" in block
        inner = block.removeprefix(SERIES_START).removesuffix(SERIES_END)
        assert re.search(r"(?<!\\)[<\[]|(?<!\\)`tick", inner) is None  # no HTML, comment, link, code span
        assert "\x1b" not in block and "\u202e" not in block
        assert not any(line.startswith("#") for line in block.splitlines())
        assert all(line.count("|") - line.count("\\|") in (0, 6, 7) for line in block.splitlines())


class TestShowEscapes:
    EVIL = "x\x1b[2J\u202eevil\x9b"

    @pytest.mark.parametrize("fmt", ["table", "csv", "json"])
    def test_show_escapes_controls_and_bidi_in_every_format(
        self, fmt: str, cli: Cli, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A cell holding ESC, a C1 control or RLO is shown escaped by show in table, csv and json alike."""
        import pandas as pd

        import powdata.export

        frame = pd.DataFrame({"observation_id": ["a"], "note": [self.EVIL]})
        monkeypatch.setattr(powdata.export, "table", lambda name, as_of=None: frame)
        code, out, _ = cli("show", "observations", "--format", fmt)
        assert code == 0 and "evil" in out
        assert not any(ch in out for ch in "\x1b\u202e\x9b"), repr(out)
        if fmt == "json":
            assert json.loads(out)[0]["note"] == self.EVIL  # still valid JSON holding the same value


class TestBadSetting:
    @pytest.mark.parametrize("value", ["\u00b2", "\u0661\u0660", "9" * 29, "-1", "1e6"])
    def test_a_bad_max_bytes_is_one_line_exit_2(
        self, value: str, pkg: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """POWDATA_MAX_BYTES that is not ASCII digits or is absurdly large stops validate with one line, exit 2."""
        monkeypatch.setenv("POWDATA_MAX_BYTES", value)
        code, _, err = cli("validate", str(pkg))
        assert code == 2 and "POWDATA_MAX_BYTES" in err and "internal error" not in err and err.count("\n") == 1

    def test_a_large_but_sane_max_bytes_still_works(self, pkg: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
        """The largest accepted POWDATA_MAX_BYTES reads files normally (no overflow in the read)."""
        from powdata._io.gate import _MAX_SETTING

        monkeypatch.setenv("POWDATA_MAX_BYTES", str(_MAX_SETTING))
        code, _, err = cli("validate", str(pkg))
        assert code == 0, err


class TestDescriptorCounts:
    def test_absurdly_many_fields_are_refused_fast(self, pkg: Path, cli: Cli) -> None:
        """A Table Schema of 5,000 fields (most missing from the CSV) stops validate in one line, in seconds."""
        import time

        def change(d: dict[str, Any]) -> None:
            d["resources"][0]["schema"]["fields"] += [{"name": f"f{k}", "type": "string"} for k in range(5000)]

        edit_descriptor(pkg, change)
        began = time.monotonic()
        code, _, err = cli("validate", str(pkg))
        assert code == 2 and "fields" in err and err.count("\n") == 1, err
        assert time.monotonic() - began < 10

    def test_absurdly_many_resources_are_refused_fast(self, pkg: Path, cli: Cli) -> None:
        """3,000 resources sharing one small file stop validate in one line before any is read."""
        import copy
        import time

        def change(d: dict[str, Any]) -> None:
            base = resource(d, "sources")
            d["resources"] += [dict(copy.deepcopy(base), name=f"r{k}") for k in range(3000)]

        edit_descriptor(pkg, change)
        began = time.monotonic()
        code, _, err = cli("validate", str(pkg))
        assert code == 2 and "resources" in err and err.count("\n") == 1, err
        assert time.monotonic() - began < 10
