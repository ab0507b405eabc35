"""Hostile input, round two (issue 17): each family of the second adversarial review, held by a test.

Every test here failed on the code before issue 17: code imported from the
working folder, files read through descriptor keys other than ``profile``, JSON
that is not JSON, versions and schema changes the release gates let through,
unbounded reports and joins, chains walked in cubic time or not at all,
backtracking patterns, CSV widths counted on the wrong line, and output that a
field name could forge.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from powdata import _package
from powdata.cli import main
from powdata.errors import PackageReadError
from tests.conftest import ROOT, copy_package

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def edit_descriptor(pkg: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    """Apply ``change`` to the descriptor of ``pkg`` and write it back."""
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    change(desc)
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")


def resource(desc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in desc["resources"] if r["name"] == name)


def clean_failure(code: int, err: str, *, exit_code: int | None = None) -> None:
    """A refusal: exit 1 or 2 (or exactly ``exit_code``), one line, no traceback, not called a bug."""
    assert code in ((exit_code,) if exit_code else (1, 2)), err
    assert "internal error" not in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """A copy of the package that keeps a release registry (``releases/``)."""
    pkg = copy_package(tmp_path / "pkg")
    shutil.copytree(ROOT / "releases", pkg / "releases")
    return pkg


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
            _package.parse_json(BAD_JSON[name], "some/file.json")
        text = str(info.value)
        assert text.startswith("some/file.json: ") and "\n" not in text

    def test_place_is_named(self) -> None:
        """A NaN is located by line and column; a surrogate by its path in the document."""
        with pytest.raises(PackageReadError, match="line 2, column 8"):
            _package.parse_json(b'{"a": 1,\n "b": [NaN]}', "f.json")
        with pytest.raises(PackageReadError, match=r"resources\[0\]\.name"):
            _package.parse_json(b'{"resources": [{"name": "\\ud800"}]}', "f.json")

    def test_strict_json_still_reads_real_json(self) -> None:
        """Unicode escapes of a proper pair, big-but-bounded numbers and nesting under the limit are read."""
        value = _package.parse_json(b'{"a": ["\\ud83d\\ude00", 12345678901234567890, -1.5e300, [[[]]]]}', "f")
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
        assert _package.parse_json(render({"a": [1.5, "ok"]}).encode("utf-8"), "f") == {"a": [1.5, "ok"]}


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
        text = _package.markdown_inline("a|b [c](d) ![e](f) `g` <h> *i* _j_ \n k")
        assert "\n" not in text
        for ch in "|[]()!`<>*_":
            assert all(text[i - 1] == "\\" for i, c in enumerate(text) if c == ch)
