"""The CLI, run as a subprocess the way users run it: output and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import powdata
from tests.conftest import run_cli


def powdata_version() -> str:
    import powdata

    return str(powdata.__version__)


class TestCommands:
    def test_version(self) -> None:
        """--version prints the descriptor's version."""
        import powdata

        r = run_cli("--version")
        assert r.returncode == 0 and r.stdout.strip() == f"powdata {powdata.__version__}"

    def test_the_parser_reads_the_version_only_when_asked(self) -> None:
        """Building the parser leaves importlib.metadata unimported (16 ms on every command); --version imports it."""
        import subprocess
        import sys

        code = (
            "import sys; from powdata.cli import build_parser; p = build_parser(); "
            "print('importlib.metadata' in sys.modules); p.parse_args(['--version'])"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and done.stdout.split()[:1] == ["False"], done.stdout + done.stderr
        assert done.stdout.split()[1:] == ["powdata", powdata_version()]

    def test_list(self) -> None:
        """list prints every resource with its title."""
        r = run_cli("list")
        assert r.returncode == 0 and "observations" in r.stdout and "area_members" in r.stdout

    @pytest.mark.parametrize("fmt", ["table", "csv", "json"])
    def test_show(self, fmt: str) -> None:
        """show prints a resource in each format."""
        r = run_cli("show", "indicators", "--format", fmt)
        assert r.returncode == 0 and "foreign-pows-held" in r.stdout
        if fmt == "json":
            rows = len(pd.read_csv(powdata.path("data", "indicators.csv")))
            assert len(json.loads(r.stdout)) == len(powdata.load("indicators")) == rows > 0

    @pytest.mark.parametrize("ext", ["csv", "json", "parquet"])
    def test_export(self, tmp_path: Path, ext: str) -> None:
        """export writes the resource in the format its extension names."""
        target = tmp_path / f"obs.{ext}"
        r = run_cli("export", "observations", "--to", str(target))
        assert r.returncode == 0, r.stderr
        reader: Any = {"csv": pd.read_csv, "json": pd.read_json, "parquet": pd.read_parquet}[ext]
        rows = len(pd.read_csv(powdata.path("data", "observations.csv")))
        assert len(reader(target)) == len(powdata.load("observations")) == rows > 0

    def test_export_refuses_to_overwrite(self, tmp_path: Path) -> None:
        """export refuses an existing file without --force (exit 2) and overwrites with it."""
        target = tmp_path / "areas.csv"
        target.write_text("keep me", encoding="utf-8")
        r = run_cli("export", "areas", "--to", str(target))
        assert r.returncode == 2 and "pass --force" in r.stderr and target.read_text() == "keep me"
        assert run_cli("export", "areas", "--to", str(target), "--force").returncode == 0
        assert target.read_text().startswith("area_id,")

    def test_export_refuses_unknown_extension(self, tmp_path: Path) -> None:
        """An extension powdata cannot write is a usage error (exit 2), nothing written."""
        r = run_cli("export", "areas", "--to", str(tmp_path / "areas.xlsx"))
        assert r.returncode == 2 and "expected a file ending in .csv, .json, .parquet" in r.stderr
        assert not list(tmp_path.iterdir())

    @pytest.mark.parametrize("fmt", ["text", "bibtex", "cff"])
    def test_cite(self, fmt: str) -> None:
        """cite prints the citation in each format."""
        r = run_cli("cite", "--format", fmt)
        assert r.returncode == 0 and "powdata" in r.stdout

    def test_build_on_a_fresh_copy_changes_nothing(self, pkg: Path) -> None:
        """build on an up-to-date package reports it up to date and leaves the descriptor as it was."""
        before = (pkg / "datapackage.json").read_bytes()
        r = run_cli("build", str(pkg))
        assert r.returncode == 0 and "already up to date" in r.stdout
        assert (pkg / "datapackage.json").read_bytes() == before


class TestErrors:
    def test_unknown_resource_is_one_line_exit_2(self) -> None:
        """An unknown resource gives one line on stderr, exit 2, no traceback."""
        r = run_cli("show", "nope")
        assert r.returncode == 2
        assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
        assert "'nope' is not a powdata resource" in r.stderr

    def test_bad_arguments_exit_2(self) -> None:
        """Unknown commands and options are usage errors (exit 2)."""
        assert run_cli("frobnicate").returncode == 2
        assert run_cli("show", "areas", "--format", "xml").returncode == 2

    def test_validate_without_extra_names_it(self, tmp_path: Path) -> None:
        """Without pandera, `powdata validate` says what to install and exits 2."""
        shim = tmp_path / "shim"
        shim.mkdir()
        (shim / "pandera.py").write_text("raise ImportError('no pandera here', name='pandera')\n")
        import os
        import subprocess
        import sys

        env = {**os.environ, "PYTHONPATH": str(shim)}
        r = subprocess.run([sys.executable, "-m", "powdata", "validate"], capture_output=True, text=True, env=env)
        assert r.returncode == 2 and "pip install 'powdata[validate]'" in r.stderr


class TestValidateCommand:
    def test_shipped_package_exit_0(self) -> None:
        """validate on the installed package prints VALID and exits 0."""
        r = run_cli("validate")
        assert r.returncode == 0 and r.stdout.startswith("VALID")

    def test_broken_package_exit_1_json(self, edit_pkg: Callable[..., Path]) -> None:
        """A package that breaks a rule exits 1; --format json names rule, row and column."""
        pkg = edit_pkg("observations", lambda rows: rows[0].update(qualifier="roughly"))
        r = run_cli("validate", str(pkg), "--format", "json")
        assert r.returncode == 1
        report = json.loads(r.stdout)
        hit = next(p for p in report["problems"] if p["rule"] == "enum")
        assert (hit["resource"], hit["row"], hit["column"]) == ("observations", 2, "qualifier")

    def test_missing_descriptor_exit_2(self, tmp_path: Path) -> None:
        """A folder without datapackage.json is unreadable input: exit 2, one line."""
        r = run_cli("validate", str(tmp_path))
        assert r.returncode == 2 and "expected datapackage.json in folder" in r.stderr


class TestRobustEdges:
    """Ordinary OS trouble is a one-line error (exit 2), and written files keep the user's umask."""

    @pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
    def test_export_keeps_the_umask(self, tmp_path: Path, mask: int, mode: int) -> None:
        """An exported file gets 0666 less the umask, as any ordinary write would (not mkstemp's 0600)."""
        import os
        import stat

        old = os.umask(mask)
        try:
            r = run_cli("export", "areas", "--to", str(tmp_path / "areas.csv"))
        finally:
            os.umask(old)
        assert r.returncode == 0, r.stderr
        assert stat.S_IMODE((tmp_path / "areas.csv").stat().st_mode) == mode

    def test_build_keeps_the_umask_of_a_new_file(self, pkg: Path) -> None:
        """A file `powdata build` creates (the codebook here) gets 0666 less the umask."""
        import os
        import stat

        (pkg / "docs").mkdir()
        old = os.umask(0o022)
        try:
            r = run_cli("build", str(pkg))
        finally:
            os.umask(old)
        assert r.returncode == 0, r.stderr
        assert stat.S_IMODE((pkg / "docs" / "codebook.md").stat().st_mode) == 0o644

    def test_full_disk_on_stdout_is_one_line_exit_2(self) -> None:
        """`powdata show` into /dev/full says the disk is full, in one line, exit 2."""
        import subprocess
        import sys

        with open("/dev/full", "w") as full:
            r = subprocess.run(
                [sys.executable, "-m", "powdata", "show", "observations"],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        assert r.returncode == 2
        assert r.stderr.strip().splitlines() == ["powdata: error: No space left on device"]

    @pytest.mark.parametrize("command", ["powdata", "module"])
    def test_version_into_a_full_disk_is_no_traceback(self, command: str) -> None:
        """`powdata --version` into /dev/full with an unbuffered stdout (``PYTHONUNBUFFERED=1``, as in containers and
        CI) is at most one line, never a traceback (argparse's own version action swallowed the failed write)."""
        import os
        import shutil
        import subprocess
        import sys

        script = shutil.which("powdata", path=str(Path(sys.executable).parent))
        cmd = [script] if command == "powdata" and script else [sys.executable, "-m", "powdata"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open("/dev/full", "w") as full:
            r = subprocess.run(
                [*cmd, "--version"], stdout=full, stderr=subprocess.PIPE, text=True, env=env, check=False
            )
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 1, r.stderr

    def test_export_through_a_link_is_refused_in_one_line(self, tmp_path: Path) -> None:
        """An export target that is a symlink (here to /dev/full) is refused in one line, exit 2, unwritten."""
        import os

        os.symlink("/dev/full", tmp_path / "full.csv")
        r = run_cli("export", "areas", "--to", str(tmp_path / "full.csv"), "--force")
        assert r.returncode == 2
        assert r.stderr.strip().splitlines() == [
            f"powdata: error: --to {tmp_path / 'full.csv'}: is a symbolic link; powdata never writes through a "
            "link, name the file itself"
        ]

    def test_full_disk_on_write_is_one_line(self) -> None:
        """The writer says the disk is full, naming the file, when the device is /dev/full."""
        from powdata._io.atomic import write_bytes_atomic
        from powdata.errors import PackageWriteError

        with pytest.raises(PackageWriteError, match="No space left on device"):
            write_bytes_atomic("/dev/full", b"x")

    def test_folder_where_a_file_is_expected(self, tmp_path: Path) -> None:
        """A folder named like the target file is a one-line error, exit 2, and is left alone."""
        (tmp_path / "out.csv").mkdir()
        r = run_cli("export", "areas", "--to", str(tmp_path / "out.csv"), "--force")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "folder" in r.stderr
        assert (tmp_path / "out.csv").is_dir()

    def test_folder_where_build_writes_a_file(self, pkg: Path) -> None:
        """`powdata build` finding a folder where the codebook goes is the system's one-line error, exit 2."""
        (pkg / "docs" / "codebook.md").mkdir(parents=True)
        r = run_cli("build", str(pkg))
        assert r.returncode == 2 and "internal error" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "codebook.md" in r.stderr
        assert (pkg / "docs" / "codebook.md").is_dir()


class TestShowFitsTheTerminal:
    """`powdata show` wraps to the terminal's width, keeps each row's id and prints counts as integers."""

    @pytest.mark.parametrize("columns", [60, 100, 200])
    def test_no_line_wider_than_the_terminal(self, columns: int) -> None:
        """Every line fits in COLUMNS (what shutil.get_terminal_size reads) unless one id alone is wider."""
        import os
        import subprocess
        import sys

        env = {**os.environ, "COLUMNS": str(columns)}
        r = subprocess.run(
            [sys.executable, "-m", "powdata", "show", "figures"], capture_output=True, text=True, env=env, check=False
        )
        assert r.returncode == 0, r.stderr
        widest_id = max(len(i) for i in powdata.figures()["observation_id"])
        assert max(len(line) for line in r.stdout.splitlines()) <= max(columns, widest_id + 2 + 8)

    def test_each_block_starts_with_the_id(self) -> None:
        """A row wrapped into several blocks carries its observation_id, uncut, at the start of every block."""
        from powdata.export.text import table_text

        df = powdata.load("observations")
        text = table_text(df, width=80)
        blocks = text.split("\n\n")
        assert len(blocks) > 1
        for block in blocks:
            lines = block.splitlines()
            assert lines[0].split()[0] == "observation_id"
            assert [line.split()[0] for line in lines[1:]] == list(df["observation_id"])

    def test_counts_print_as_integers(self) -> None:
        """A count is shown as 16894, never 16894.0."""
        from powdata.export.text import table_text

        text = table_text(powdata.load("observations"), width=400)
        import re

        assert re.search(r"(^|\s)16894(\s|$)", text, re.MULTILINE)
        assert "16894.0" not in text

    def test_cell_text_is_escaped(self) -> None:
        """An escape sequence in a cell reaches the terminal as text, not as a control character."""
        import pandas as pd

        from powdata.export.text import table_text

        text = table_text(pd.DataFrame({"id": ["a"], "note": ["\x1b[2Jgone"]}), width=80)
        assert "\x1b" not in text and "\\u001b" in text


class TestConsoleCommand:
    def test_the_command_raises_the_collector_thresholds_and_import_does_not(self) -> None:
        """The command runs with `GC_THRESHOLD` and freezes what is left when done; ``import powdata`` does neither."""
        import subprocess
        import sys
        from importlib.metadata import entry_points

        (command,) = entry_points(group="console_scripts", name="powdata")
        assert command.value == "powdata.cli:run"
        code = (
            "import gc, sys; default = gc.get_threshold(); import powdata, powdata.cli as cli; "
            "print(gc.get_threshold() == default and gc.get_freeze_count() == 0); sys.argv = ['powdata', 'cite']; "
            "import contextlib, io; out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out): code = cli.run()\n"
            "print(code, gc.get_threshold() == cli.GC_THRESHOLD, gc.get_freeze_count() > 0)"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stdout.split() == ["True", "0", "True", "True"], done.stdout + done.stderr
