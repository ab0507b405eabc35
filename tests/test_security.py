"""Hostile input: every case of issue 12, each held by a test that would have caught it.

Grouped by the promise of SECURITY.md that it checks: no read or write outside
the package, no network, bounded time and memory, and one clean line (exit 1 or
2) for every bad input or bad environment, never "internal error".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import powdata
from powdata import _package
from powdata.cli import main
from powdata.errors import IntegrityError, PackageReadError, PackageWriteError, PowdataError, UnsafePathError
from powdata.release.build import build
from tests.conftest import ROOT, copy_package, read_rows, run_cli, write_rows

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def edit_descriptor(pkg: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``change`` to the descriptor of ``pkg`` and write it back."""
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    change(desc)
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")


def resource(desc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in desc["resources"] if r["name"] == name)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (to see what changed)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            out[str(p)] = (st.st_size, st.st_mtime_ns)
    return out


def clean_failure(code: int, err: str) -> None:
    """A refusal: exit 1 or 2, one line, no traceback, not called a bug."""
    assert code in (1, 2), err
    assert "internal error" not in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """A copy of the package that keeps a release registry (``releases/``)."""
    pkg = copy_package(tmp_path / "pkg")
    shutil.copytree(ROOT / "releases", pkg / "releases")
    return pkg


class TestNoWriteOutside:
    @pytest.mark.parametrize("version", ["../../escaped", "/tmp/escaped-abs", "0.2.0/../../../x", "1.0"])
    def test_version_never_becomes_a_path(self, released: Path, cli: Cli, version: str) -> None:
        """A version that is not MAJOR.MINOR.PATCH is refused before it names the release registry file."""
        edit_descriptor(released, lambda d: d.update(version=version))
        before = snapshot(released.parent.parent)
        code, _, err = cli("build", str(released))
        clean_failure(code, err)
        assert "semantic version" in err
        assert snapshot(released.parent.parent) == before
        assert not Path("/tmp/escaped-abs.json").exists()

    def test_releases_symlinked_out_is_refused(self, released: Path, tmp_path: Path, cli: Cli) -> None:
        """A release registry folder that is a symlink out of the package is never written into."""
        outside = tmp_path / "outside"
        outside.mkdir()
        shutil.rmtree(released / "releases")
        (released / "releases").symlink_to(outside)
        edit_descriptor(released, lambda d: d.update(version="0.9.0"))
        code, _, err = cli("build", str(released))
        clean_failure(code, err)
        assert list(outside.iterdir()) == []

    def test_written_files_follow_the_umask(self, released: Path, cli: Cli) -> None:
        """A file build writes gets 0666 less the umask, not the 0600 of a temporary file."""
        edit_descriptor(released, lambda d: d.update(version="0.9.0"))
        old = os.umask(0o022)
        try:
            code, _, err = cli("build", str(released))
        finally:
            os.umask(old)
        assert code in (0, 1), err
        assert (released / "releases" / "0.9.0.json").stat().st_mode & 0o777 == 0o644
        assert (released / "datapackage.json").stat().st_mode & 0o777 == 0o644


class TestGitRefs:
    def test_ref_cannot_be_an_option(self, tmp_path: Path) -> None:
        """`diff git:--output=FILE` is a bad ref: git writes nothing."""
        target = tmp_path / "x"
        r = run_cli("diff", f"git:--output={target}", ".", cwd=ROOT)
        clean_failure(r.returncode, r.stderr)
        assert not target.exists() and not list(tmp_path.iterdir())

    @pytest.mark.parametrize("ref", ["-p", "HEAD:datapackage.json", "a..b", "HEAD with space", "x\x1b[2J"])
    def test_malformed_refs_are_refused(self, ref: str, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
        """Option-like, ranged, spaced or escaped refs are refused with one line, the escape not echoed raw."""
        monkeypatch.chdir(ROOT)
        code, _, err = cli("diff", f"git:{ref}", ".")
        clean_failure(code, err)
        assert "\x1b" not in err

    def test_relative_refs_still_work(self, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
        """`git:HEAD` resolves to a commit and is read through the gate."""
        monkeypatch.chdir(ROOT)
        code, out, err = cli("diff", "git:HEAD", ".")
        assert code in (0, 1), err
        assert out.startswith("powdata diff git:HEAD")

    def test_non_json_descriptor_at_a_ref(self, tmp_path: Path) -> None:
        """A commit whose datapackage.json is not JSON gives one line, not a traceback."""
        repo = tmp_path / "repo"
        repo.mkdir()
        (repo / "datapackage.json").write_text("not json {", encoding="utf-8")
        git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
        subprocess.run([*git, "-C", str(repo), "commit", "-qm", "x"], check=True)
        r = run_cli("diff", "git:HEAD", str(ROOT), cwd=repo)
        clean_failure(r.returncode, r.stderr)
        assert "malformed JSON" in r.stderr

    def test_git_paths_pass_the_gate(self) -> None:
        """A resource path at a ref is checked like a local one before git sees it."""
        commit = _package.git_commit("HEAD") if (ROOT / ".git").exists() else "0" * 40
        for rel in ("../secret", "/etc/passwd", "-x", "https://example.org/x.csv"):
            with pytest.raises(PowdataError):
                _package.git_read(commit, rel, "test")


class TestNoReadOutside:
    def test_resource_name_cannot_climb(self, pkg: Path, tmp_path: Path, cli: Cli) -> None:
        """A resource named '../../../outside/secret' never inlines an outside file into the descriptor."""
        secret = tmp_path / "outside" / "secret.json"
        secret.parent.mkdir()
        secret.write_text('{"fields": [{"name": "SECRET"}]}', encoding="utf-8")
        edit_descriptor(pkg, lambda d: d["resources"][0].update(name="../../../outside/secret"))
        for command in ("build", "validate"):
            code, _, err = cli(command, str(pkg))
            clean_failure(code, err)
        assert "SECRET" not in (pkg / "datapackage.json").read_text(encoding="utf-8")

    def test_schema_symlinked_out_is_refused(self, pkg: Path, tmp_path: Path, cli: Cli) -> None:
        """A symlink under schemas/ that leads out of the folder is not followed."""
        outside = tmp_path / "areas.json"
        shutil.copy(pkg / "schemas" / "areas.json", outside)
        (pkg / "schemas" / "areas.json").unlink()
        (pkg / "schemas" / "areas.json").symlink_to(outside)
        code, _, err = cli("build", str(pkg))
        clean_failure(code, err)
        assert "outside the package folder" in err

    @pytest.mark.parametrize("where", ["schemas/areas.json", "data/areas.csv", "datapackage.json"])
    def test_fifo_is_refused_without_hanging(self, pkg: Path, where: str) -> None:
        """A FIFO in place of a schema, data file or descriptor is refused at once by every command."""
        (pkg / where).unlink()
        os.mkfifo(pkg / where)
        commands = [["build", str(pkg)], ["validate", str(pkg)]]
        if where != "schemas/areas.json":  # diff reads no schema file
            commands.append(["diff", str(pkg), str(pkg)])
        for args in commands:
            r = run_cli(*args)  # run_cli's timeout turns a hang into a failure
            clean_failure(r.returncode, r.stderr)
        if where != "schemas/areas.json":
            with pytest.raises(PowdataError):
                powdata.load("areas", path=pkg)

    def test_folder_as_data_file_is_refused(self, pkg: Path) -> None:
        """A folder where a data file should be is not a regular file."""
        (pkg / "data" / "areas.csv").unlink()
        (pkg / "data" / "areas.csv").mkdir()
        with pytest.raises(UnsafePathError, match="not a regular file"):
            powdata.load("areas", path=pkg)

    def test_symlink_loop(self, pkg: Path, cli: Cli) -> None:
        """A data file that is a symlink to itself gives one line, exit 2."""
        (pkg / "data" / "areas.csv").unlink()
        (pkg / "data" / "areas.csv").symlink_to("areas.csv")
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err)
        with pytest.raises(PackageReadError):
            powdata.load("areas", path=pkg)

    def test_other_json_is_not_silently_replaced(self, pkg: Path, cli: Cli) -> None:
        """`validate other.json` refuses, instead of validating the datapackage.json beside it."""
        shutil.copy(pkg / "datapackage.json", pkg / "other.json")
        code, out, err = cli("validate", str(pkg / "other.json"))
        clean_failure(code, err)
        assert "VALID" not in out and "datapackage.json" in err

    @pytest.mark.parametrize(
        "path", ["data/a\x00.csv", "data/\x1b[2Jareas.csv", "file:///etc/passwd", "C:\\x.csv", "//host/x.csv", ""]
    )
    def test_hostile_resource_paths(self, pkg: Path, cli: Cli, path: str) -> None:
        """NUL, escapes, URLs, drive letters, UNC paths and empty paths are refused with a printable line."""
        edit_descriptor(pkg, lambda d: d["resources"][1].update(path=path))
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err)
        assert "\x00" not in err and "\x1b" not in err

    def test_nul_in_the_command_line_path(self, cli: Cli) -> None:
        """A NUL byte in the package path is one line, exit 2."""
        code, _, err = cli("validate", "pkg\x00x")
        clean_failure(code, err)


class TestNoNetwork:
    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("profile", "https://example.invalid/profile.json"),
            ("profile", "/etc/passwd"),
            ("$schema", "https://example.invalid/schema.json"),
            ("schema", "https://example.invalid/schema.json"),
            ("dialect", "https://example.invalid/dialect.json"),
        ],
    )
    def test_remote_profiles_are_refused_before_frictionless(self, pkg: Path, cli: Cli, key: str, value: str) -> None:
        """A custom profile, $schema, schema or dialect URL is refused before anything could fetch it."""
        edit_descriptor(pkg, lambda d: d["resources"][0].update({key: value}))
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err)
        edit_descriptor(pkg, lambda d: (d["resources"][0].pop(key), d.update({key: value})))
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err)

    def test_standard_profiles_are_accepted(self, pkg: Path) -> None:
        """The Data Package v2 profile URLs the shipped descriptor names are recognised, not refused."""
        desc = _package.read_descriptor(pkg)
        assert desc["resources"][0]["$schema"].startswith("https://datapackage.org/profiles/")
        edit_descriptor(pkg, lambda d: d.update({"profile": "tabular-data-package"}))
        assert _package.read_descriptor(pkg)["profile"] == "tabular-data-package"

    def test_stage_refuses_name_lookups(self) -> None:
        """In the Frictionless stage a DNS lookup fails at once, not only a connection."""
        code = (
            "import socket\n"
            "from powdata.validation.descriptor import forbid_network\n"
            "forbid_network()\n"
            "for call in (lambda: socket.getaddrinfo('example.org', 443), lambda: socket.gethostbyname('x.org'),\n"
            "             lambda: socket.create_connection(('127.0.0.1', 9))):\n"
            "    try:\n"
            "        call()\n"
            "    except OSError as exc:\n"
            "        assert 'never uses the network' in str(exc), exc\n"
            "    else:\n"
            "        raise SystemExit('a lookup went through')\n"
        )
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
        assert r.returncode == 0, r.stderr


class TestLimits:
    def test_file_far_larger_than_declared_is_not_read(self, pkg: Path, cli: Cli) -> None:
        """A 2 GiB (sparse) file whose descriptor declares a few kB is refused unread by validate, load and diff."""
        with (pkg / "data" / "areas.csv").open("r+b") as fh:
            fh.truncate(2 * 1024**3)
        with pytest.raises(IntegrityError, match=r"expected .* bytes"):
            powdata.load("areas", path=pkg)
        code, out, err = cli("validate", str(pkg))
        assert code == 1 and "bytes" in out, err
        code, _, err = cli("diff", str(ROOT), str(pkg))
        clean_failure(code, err)
        assert "limit" in err

    def test_too_many_columns_refused_before_parsing(self, pkg: Path, cli: Cli) -> None:
        """A header with far more columns than the schema is refused before any parser sees the file."""
        path = pkg / "data" / "areas.csv"
        text = path.read_text(encoding="utf-8")
        head, rest = text.split("\n", 1)
        path.write_text(head + "".join(f",x{i}" for i in range(10_000)) + "\n" + rest, encoding="utf-8")
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err)
        assert "refused before parsing" in err
        build(pkg)  # even with a descriptor that matches the file, load refuses it
        with pytest.raises(PackageReadError, match="refused before parsing"):
            powdata.load("areas", path=pkg)

    def test_large_cell_parses(self, edit_pkg: Callable[..., Path]) -> None:
        """A well-formed 5 MB cell is parsed (not reported as an unparsable CSV) and the rules run."""
        pkg = edit_pkg("areas", lambda rows: rows[0].update(note="x" * 5_000_000))
        report = powdata.validate(pkg)
        assert "csv-format" not in {p.rule for p in report.problems}, report.to_text()[:2000]
        assert "rules" in report.checked

    def test_stage_limits_are_applied(self) -> None:
        """The Frictionless child runs with an address-space and CPU-time limit scaled to the data."""
        from powdata.validation.descriptor import stage_limits

        memory, seconds = stage_limits(10 * 2**20)
        assert memory < 2 * 1024**3 and seconds < 300
        code = (
            "import resource\n"
            "from powdata.validation.descriptor import apply_limits\n"
            "apply_limits()\n"
            "print(resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CPU)[0])\n"
        )
        env = {**os.environ, "POWDATA_STAGE_MEMORY": str(memory), "POWDATA_STAGE_SECONDS": str(seconds)}
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
        assert r.stdout.split() == [str(memory), str(seconds)], r.stderr

    def test_stage_past_its_deadline_is_stopped(self) -> None:
        """A Frictionless stage that runs past its deadline is killed and reported as one problem."""
        from powdata.validation.descriptor import finish

        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.PIPE)
        problems = finish(proc, 0.5)  # type: ignore[arg-type]
        assert [p.rule for p in problems] == ["frictionless-limit"]
        assert proc.returncode is not None

    def test_global_size_limit(self, pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file over POWDATA_MAX_BYTES is refused before it is read, whatever it declares."""
        monkeypatch.setenv("POWDATA_MAX_BYTES", "100")
        with pytest.raises(PackageReadError, match="more than the limit of 100"):
            powdata.load("areas", path=pkg)


class TestDates:
    def test_impossible_as_of_is_an_error(self, edit_pkg: Callable[..., Path]) -> None:
        """An as_of of 2025-06-31 matches the pattern but is reported, not skipped by the date rules."""
        rows_seen: list[int] = []

        def change(rows: list[dict[str, str]]) -> None:
            i = next(i for i, r in enumerate(rows) if r["as_of"])
            rows[i]["as_of"] = "2025-06-31"
            rows_seen.append(i + 2)

        pkg = edit_pkg("observations", change)
        report = powdata.validate(pkg, structural=False)
        hits = [(p.rule, p.row, p.column) for p in report.errors]
        assert ("as-of-calendar-date", rows_seen[0], "as_of") in hits, report.to_text()

    @pytest.mark.parametrize("as_of", [20250814, "20250814", "2025-8-14", 2025.0, "2025-02-30"])
    def test_load_as_of_must_be_a_date(self, as_of: Any) -> None:
        """load(as_of=…) takes a date or 'YYYY-MM-DD' only; an int or basic-format string is refused."""
        with pytest.raises(PowdataError, match="expected a date as YYYY-MM-DD"):
            powdata.load("observations", as_of=as_of)


class TestMessages:
    def test_escape_in_a_resource_name(self, pkg: Path, cli: Cli) -> None:
        """An ANSI escape in a resource name is refused and never reaches the terminal raw."""
        edit_descriptor(pkg, lambda d: d["resources"][0].update(name="obs\x1b[2J\x1b]0;pwned\x07"))
        code, out, err = cli("validate", str(pkg))
        clean_failure(code, err)
        assert "\x1b" not in out + err and "\x07" not in out + err

    def test_escape_in_a_cell_is_escaped_in_the_report(self, edit_pkg: Callable[..., Path], cli: Cli) -> None:
        """A cell holding an escape sequence is shown escaped in the text report."""
        pkg = edit_pkg("areas", lambda rows: rows[0].update(kind="\x1b[31mcountry"))
        code, out, err = cli("validate", str(pkg))
        assert code == 1, err
        assert "\x1b" not in out and "\\x1b" in out

    def test_escape_in_a_field_name_is_escaped_in_diff(self, pkg: Path, cli: Cli) -> None:
        """A field name holding an escape is shown escaped in diff's output."""
        edit_descriptor(pkg, lambda d: d["resources"][1]["schema"]["fields"][-1].update(name="note\x1b[2J"))
        code, out, err = cli("diff", str(ROOT), str(pkg))
        assert code in (0, 1), err
        assert "\x1b" not in out and "\\u001b" in out

    def test_long_cell_is_truncated(self, edit_pkg: Callable[..., Path]) -> None:
        """A 100 kB bad cell is not echoed whole in its message."""
        pkg = edit_pkg("observations", lambda rows: rows[0].update(value="9" * 50_000 + "x" * 50_000))
        report = powdata.validate(pkg, structural=False)
        assert report.errors and max(len(p.message) for p in report.problems) <= 500

    def test_integer_hash(self, pkg: Path, cli: Cli) -> None:
        """An integer hash is a clean error, not a TypeError."""
        edit_descriptor(pkg, lambda d: resource(d, "areas").update(hash=12345))
        with pytest.raises(PackageReadError, match="hash"):
            powdata.load("areas", path=pkg)
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err)

    @pytest.mark.parametrize("value", [-5, float("nan"), float("inf"), "5", True])
    def test_interval_refuses_what_no_figure_is(self, value: Any) -> None:
        """interval() refuses a negative, non-finite or non-numeric value instead of giving [0, −5)."""
        with pytest.raises(ValueError, match="finite number"):
            powdata.interval(value, "fewer_than")

    def test_ascii_only_terminal(self) -> None:
        """With an ASCII-only terminal, output that holds '→' or non-ASCII text still works, exit 0."""
        env = {**os.environ, "PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"}
        for args in (["diff", str(ROOT), str(ROOT)], ["show", "areas"], ["validate"]):
            r = subprocess.run(
                [sys.executable, "-m", "powdata", *args], capture_output=True, text=True, env=env, timeout=300
            )
            assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr


class TestBadEnvironment:
    @pytest.mark.parametrize("errno_name", ["ENOSPC", "EROFS", "EACCES"])
    def test_build_cannot_write(
        self, released: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli, errno_name: str
    ) -> None:
        """A full disk or read-only folder during build is one line, exit 2, and the old file is intact."""
        import errno

        edit_descriptor(released, lambda d: d.update(title="changed"))
        before = (released / "datapackage.json").read_bytes()

        def fail(fd: int) -> None:
            raise OSError(getattr(errno, errno_name), os.strerror(getattr(errno, errno_name)))

        monkeypatch.setattr(os, "fsync", fail)
        code, _, err = cli("build", str(released))
        clean_failure(code, err)
        assert (released / "datapackage.json").read_bytes() == before
        assert not [p for p in released.rglob(".*.tmp")]

    def test_write_error_class(self, tmp_path: Path) -> None:
        """Writing into a missing folder raises PackageWriteError naming the file."""
        from powdata._atomic import write_text_atomic

        with pytest.raises(PackageWriteError, match="nothing was changed"):
            write_text_atomic(tmp_path / "missing" / "x.json", "{}")

    def test_deleted_working_folder(self, tmp_path: Path) -> None:
        """Run from a working folder that was deleted, every command gives one line, not a traceback."""
        gone = tmp_path / "gone"
        gone.mkdir()
        for args in ("validate .", "build", "validate"):
            script = f'cd "{gone}" && rmdir "{gone}" && "{sys.executable}" -m powdata {args}; echo "exit=$?"'
            gone.mkdir(exist_ok=True)
            r = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=300)
            code = int(r.stdout.strip().rsplit("exit=", 1)[1])
            clean_failure(code, r.stderr)
            assert "cd into an existing folder" in r.stderr

    def test_deeply_nested_descriptor(self, pkg: Path, cli: Cli) -> None:
        """A descriptor nested 100,000 deep is one line, exit 2."""
        (pkg / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
        code, _, err = cli("validate", str(pkg))
        clean_failure(code, err)
        assert "nested too deeply" in err

    def test_duplicate_resource_names(self, pkg: Path, cli: Cli) -> None:
        """Two resources with one name are refused with one line."""
        edit_descriptor(pkg, lambda d: d["resources"].append(dict(d["resources"][0])))
        for args in (["validate", str(pkg)], ["build", str(pkg)], ["diff", str(ROOT), str(pkg)]):
            code, _, err = cli(*args)
            clean_failure(code, err)
            assert "used twice" in err


class TestRuleFixes:
    def test_rows_pointing_into_a_cycle(self, edit_pkg: Callable[..., Path]) -> None:
        """Rows on a part_of loop lead back to themselves; rows that only point into it are told so."""
        ids: list[str] = []

        def change(rows: list[dict[str, str]]) -> None:
            a, b, c, d, e = rows[:5]
            a["part_of"], b["part_of"] = b["observation_id"], a["observation_id"]
            for r in (c, d, e):
                r["part_of"] = a["observation_id"]
            ids.extend(r["observation_id"] for r in (a, b, c, d, e))

        pkg = edit_pkg("observations", change)
        report = powdata.validate(pkg, structural=False)
        said = {p.ids[0]: p.message for p in report.errors if p.rule == "part-of-cycle"}
        assert "leads back to itself" in said[ids[0]] and "leads back to itself" in said[ids[1]]
        for oid in ids[2:]:
            assert "leads back to itself" not in said[oid] and "into a loop" in said[oid]

    def test_diff_of_many_corrections_is_complete(self, tmp_path: Path) -> None:
        """Every corrected cell of a large table is reported once, by the vectorised comparison."""
        old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
        for pkg, value in ((old, "1"), (new, "2")):
            rows = read_rows(pkg / "data" / "observations.csv")
            template = rows[0]
            many = [{**template, "observation_id": f"obs-{i}", "value": value} for i in range(20_000)]
            write_rows(pkg / "data" / "observations.csv", many, list(template))
        from powdata.release.diff import diff_packages

        result = diff_packages(old, new)
        corrected = [c for c in result.changes if c.kind == "value corrected"]
        assert len(corrected) == 20_000
        assert corrected[0].detail == "obs-0.value: '1' → '2'"

    def test_diff_duplicate_keys_are_refused(self, tmp_path: Path) -> None:
        """A table whose primary key repeats cannot be diffed row by row; the error names the row."""
        old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
        rows = read_rows(new / "data" / "areas.csv")
        write_rows(new / "data" / "areas.csv", [*rows, rows[0]])
        from powdata.release.diff import diff_packages

        with pytest.raises(PackageReadError, match=r"row \d+: the primary key"):
            diff_packages(old, new)
