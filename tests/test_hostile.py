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
