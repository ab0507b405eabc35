"""The opened package: one parse, one read per file, keys normalised, and the bugs two owners made."""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import powdata
from powdata import _package
from powdata._io.integrity import sha256_of
from powdata.package import Package
from tests.conftest import ROOT, copy_package, run_cli


def calls(func_name: str, run: Callable[[], object]) -> int:
    """How many times powdata's function ``func_name`` (wherever in ``src/powdata`` it lives) ran during ``run()``."""
    prof = cProfile.Profile()
    prof.runcall(run)
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]  # undocumented, so typeshed leaves it out
    home = str(Path(powdata.__file__).parent)
    return sum(v[1] for (file, _, name), v in stats.items() if name == func_name and file.startswith(home))


def string_key_package(dest: Path) -> Path:
    """A copy whose areas key is written as a string and one observation names an area that does not exist."""
    pkg = copy_package(dest)
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    areas = next(r for r in desc["resources"] if r["name"] == "areas")
    areas["schema"]["primaryKey"] = "area_id"
    obs = next(r for r in desc["resources"] if r["name"] == "observations")
    for fk in obs["schema"]["foreignKeys"]:
        if fk["fields"] == ["area_id"]:
            fk["fields"], fk["reference"]["fields"] = "area_id", "area_id"
    csv_path = pkg / "data" / "observations.csv"
    text = csv_path.read_text(encoding="utf-8")
    first = text.splitlines()[1]
    cells = first.split(",")
    header = text.splitlines()[0].split(",")
    cells[header.index("area_id")] = "atlantis"
    text = text.replace(first, ",".join(cells), 1)
    csv_path.write_text(text, encoding="utf-8")
    obs["bytes"] = len(text.encode("utf-8"))
    obs["hash"] = sha256_of(text.encode("utf-8"))
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    for name in ("areas", "observations"):  # the schema files say the same as the descriptor
        schema_file = pkg / "schemas" / f"{name}.json"
        schema = next(r for r in desc["resources"] if r["name"] == name)["schema"]
        schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    return pkg


class TestOpenedOnce:
    """One public call opens the package once: one descriptor parse, one gate and one read per file."""

    def test_figures_parses_the_descriptor_once(self) -> None:
        """A `figures()` call on a folder parses its descriptor once and reads each file once."""
        parses = calls("check_descriptor", lambda: powdata.figures(path=ROOT))
        reads = calls("read_gated", lambda: powdata.figures(path=ROOT))
        assert parses == 1
        assert reads == 6  # observations, quotes, indicators, areas, sources and the descriptor

    def test_build_parses_the_descriptor_once(self, tmp_path: Path) -> None:
        """`build` (descriptor, codebook, README series, citation) parses the descriptor once."""
        from powdata.release.build import build_package

        pkg = copy_package(tmp_path / "pkg")
        (pkg / "docs").mkdir()
        (pkg / "README.md").write_bytes((ROOT / "README.md").read_bytes())
        assert calls("check_descriptor", lambda: build_package(pkg)) == 1

    def test_validate_gates_each_file_once(self, tmp_path: Path) -> None:
        """`validate` passes each resource through the path gate once (plus the descriptor and the schemas)."""
        pkg = copy_package(tmp_path / "pkg")
        desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        n_res = len(desc["resources"])
        n_tables = len([r for r in desc["resources"] if not _package.is_text(r)])
        gates = calls("gate", lambda: powdata.validate(pkg, structural=False))
        assert gates == n_res + 1 + n_tables  # each file, the descriptor, each schemas/<name>.json
        assert calls("check_descriptor", lambda: powdata.validate(pkg, structural=False)) == 1

    def test_frames_are_cached_but_returned_as_copies(self) -> None:
        """A frame is typed once per opened package; each caller gets its own copy to change."""
        pkg = Package.open(ROOT)
        a = pkg.frame("areas")
        a.loc[0, "name"] = "changed"
        assert pkg.frame("areas").loc[0, "name"] != "changed"

    def test_a_chart_of_every_indicator_joins_the_tables_once(self) -> None:
        """The views one opened package gives are made once per cutoff; each caller gets its own copy, attrs too."""
        from powdata.charts import chart_names

        pkg = Package.open(ROOT)
        joins = calls("quoted_in", lambda: chart_names(pkg))
        assert joins == 1  # every indicator's panels ask for the statements; the figures are joined once
        f = powdata.figures(path=pkg)
        f.loc[0, "value"] = -1.0
        f.attrs["licenses"].append({"name": "changed"})
        again = powdata.figures(path=pkg)
        assert again.loc[0, "value"] != -1.0 and {"name": "changed"} not in again.attrs["licenses"]
        assert calls("quoted_in", lambda: powdata.statements(as_of="2025-12-31", path=pkg)) == 1  # a new cutoff


class TestStringKeys:
    """A key written as a string is one key: every reader of keys agrees, and so does Frictionless."""

    def test_describe_and_model_read_a_string_key_as_one_field(self, tmp_path: Path) -> None:
        """The opened package normalises "area_id" to ["area_id"], primary and foreign keys alike."""
        pkg = Package.open(string_key_package(tmp_path / "pkg"))
        assert pkg.table("areas")["schema"]["primaryKey"] == ["area_id"]
        fks = pkg.table("observations")["schema"]["foreignKeys"]
        assert ["area_id"] in [fk["fields"] for fk in fks]

    def test_codebook_names_the_key_not_its_letters(self, tmp_path: Path) -> None:
        """The codebook writes the string key as `area_id`, never `a`, `r`, `e`, `a`…"""
        from powdata.release.codebook import render_codebook

        text = render_codebook(string_key_package(tmp_path / "pkg"))
        assert "Primary key: `area_id`." in text and "`a`, `r`" not in text

    def test_validate_and_frictionless_agree_on_a_string_key(self, tmp_path: Path) -> None:
        """Both report the dangling foreign key on row 2 of observations; neither a false primary-key error."""
        pkg = string_key_package(tmp_path / "pkg")
        report = powdata.validate(pkg, structural=False)
        ours = {(p.rule, p.resource, p.row) for p in report.errors}
        assert ("foreign-key", "observations", 2) in ours
        assert not [p for p in report.errors if p.rule == "primary-key"]
        frictionless = Path(sys.executable).parent / "frictionless"
        out = subprocess.run(
            [str(frictionless), "validate", "--json", "datapackage.json"],
            cwd=pkg,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        theirs = json.loads(out.stdout)
        found = [
            (e["type"], task["name"], e.get("rowNumber"))
            for task in theirs["tasks"]
            for e in task["errors"]
            if e["type"] in ("foreign-key", "primary-key")
        ]
        assert found == [("foreign-key", "observations", 2)]


class TestWriter:
    """Every writer goes through _io.atomic: the umask is kept, links and the package's own files are refused."""

    @pytest.mark.parametrize(("target", "mode"), [("p.sqlite", 0o644), ("v1", 0o755)])
    def test_package_exports_keep_the_umask(self, tmp_path: Path, target: str, mode: int) -> None:
        """With umask 022 the SQLite file is 0644 and the v1 folder 0755 (not mkstemp's 0600 or mkdtemp's 0700)."""
        old = os.umask(0o022)
        try:
            r = run_cli("export", "--to", str(tmp_path / target))
        finally:
            os.umask(old)
        assert r.returncode == 0, r.stderr
        assert stat.S_IMODE((tmp_path / target).stat().st_mode) == mode

    def test_export_over_a_declared_file_is_refused(self, tmp_path: Path) -> None:
        """Exporting onto the package's own data file is refused and the file is unchanged."""
        pkg = copy_package(tmp_path / "pkg")
        before = (pkg / "data" / "areas.csv").read_bytes()
        from powdata.export import export

        with pytest.raises(powdata.ArgumentError, match="is a file of the data package itself"):
            export("observations", pkg / "data" / "areas.csv", force=True, path=pkg)
        assert (pkg / "data" / "areas.csv").read_bytes() == before

    @pytest.mark.parametrize("target", ["releases/1.0.0.json", "evidence/not-data.csv"])
    def test_export_over_the_registry_or_not_data_list_is_refused(self, tmp_path: Path, target: str) -> None:
        """With --force too, export never overwrites a release registry file or the not-data list (F8)."""
        import shutil

        from tests.conftest import ROOT

        pkg = copy_package(tmp_path / "pkg")
        for folder in ("releases", "evidence"):
            if (ROOT / folder).is_dir() and not (pkg / folder).is_dir():
                shutil.copytree(ROOT / folder, pkg / folder)
        assert (pkg / target).is_file()
        before = (pkg / target).read_bytes()
        from powdata.export import export

        with pytest.raises(powdata.ArgumentError, match="is a file of the data package itself"):
            export("observations", pkg / target, force=True, path=pkg)
        assert (pkg / target).read_bytes() == before

    def test_build_never_writes_through_a_link(self, tmp_path: Path) -> None:
        """A docs/codebook.md that links to a data file is refused by build, and the data file is unchanged."""
        from powdata.release.build import build_package

        pkg = copy_package(tmp_path / "pkg")
        (pkg / "docs").mkdir()
        before = (pkg / "data" / "areas.csv").read_bytes()
        (pkg / "docs" / "codebook.md").symlink_to(pkg / "data" / "areas.csv")
        with pytest.raises(powdata.UnsafePathError, match="symbolic link"):
            build_package(pkg)
        assert (pkg / "data" / "areas.csv").read_bytes() == before

    def test_build_keeps_invalid_utf8_outside_the_series_block(self, tmp_path: Path) -> None:
        """`build` rewrites only the README's series block: a byte that is not UTF-8 elsewhere stays as it was."""
        from powdata.release.codebook import SERIES_END, SERIES_START, write_readme_series

        pkg = copy_package(tmp_path / "pkg")
        readme = pkg / "README.md"
        readme.write_bytes(
            b"intro \xff\xfe bytes\n" + f"{SERIES_START}\nold\n{SERIES_END}\n".encode() + b"tail \xc3(\n"
        )
        assert write_readme_series(pkg) is True
        data = readme.read_bytes()
        assert data.startswith(b"intro \xff\xfe bytes\n") and data.endswith(b"tail \xc3(\n")
        assert b"\xef\xbf\xbd" not in data  # no U+FFFD put in


class TestDates:
    """One date parser: the CLI and the library refuse the same dates, each in its own words."""

    def test_cli_refuses_a_compact_date_naming_the_option(self) -> None:
        """`--as-of 20250814` is refused by the CLI (exit 2), naming --as-of, not the keyword as_of=."""
        r = run_cli("show", "observations", "--as-of", "20250814")
        assert r.returncode == 2
        assert "--as-of '20250814': expected a date as YYYY-MM-DD" in r.stderr and "as_of=" not in r.stderr

    def test_library_refuses_the_same_date(self) -> None:
        """`load(as_of="20250814")` is refused naming as_of=."""
        with pytest.raises(powdata.ArgumentError, match=r"as_of='20250814': expected a date as YYYY-MM-DD"):
            powdata.load("observations", as_of="20250814")


class TestAttrs:
    """Every frame powdata returns carries the package's title, version, licence and citation."""

    @pytest.mark.parametrize(
        "make",
        [
            lambda: powdata.load("observations"),
            lambda: powdata.load("sources", as_of="2025-12-31"),
            lambda: powdata.series("foreign-fighters-listed"),
            lambda: powdata.latest(),
            lambda: powdata.foreign_share_by_year(),
            lambda: powdata.listed_fighters_by_group(),
            lambda: powdata.pow_nationalities(),
            lambda: powdata.figures(),
        ],
        ids=["load", "load-as-of", "series", "latest", "share", "listed", "nationalities", "figures"],
    )
    def test_attrs_on_every_frame(self, make: Callable[[], pd.DataFrame]) -> None:
        """title, version, licence and citation are all present and say this release."""
        attrs = make().attrs
        assert attrs["version"] == powdata.descriptor()["version"]
        assert attrs["title"] and attrs["licence"] and "powdata" in attrs["citation"]


class TestPlainErrors:
    """Two errors that said the wrong thing."""

    @pytest.mark.git
    def test_unknown_git_ref_is_named(self) -> None:
        """`diff git:<unknown>` says the ref is unknown, not that git exited with 1."""
        r = run_cli("diff", "git:no-such-ref-anywhere", ".", cwd=ROOT)
        assert r.returncode == 2
        assert "git:'no-such-ref-anywhere': unknown ref" in r.stderr and "exited with" not in r.stderr

    def test_validate_a_file_that_is_not_a_descriptor(self) -> None:
        """`validate README.md` says it is not a datapackage.json."""
        r = run_cli("validate", "README.md", cwd=ROOT)
        assert r.returncode == 2
        assert "expected a file named datapackage.json or its folder but found 'README.md'" in r.stderr
