"""Packaging: the built wheel carries the data, and the generated docs are fresh."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from powdata.release.codebook import CODEBOOK, render_codebook
from tests.conftest import ROOT, TABLES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return next(out.glob("powdata-*.whl"))


class TestWheel:
    def test_wheel_carries_the_data(self, wheel: Path) -> None:
        """The wheel holds the descriptor, every CSV, every schema and py.typed, and no text of a publication."""
        names = set(zipfile.ZipFile(wheel).namelist())
        for res in TABLES:
            assert f"powdata/_data/data/{res}.csv" in names
            assert f"powdata/_data/schemas/{res}.json" in names
        assert {"powdata/_data/datapackage.json", "powdata/py.typed"} <= names
        assert not [n for n in names if n.startswith("powdata/_data/") and (n.endswith(".txt") or "/sources/" in n)]

    def test_core_install_needs_pandas_only(self, wheel: Path) -> None:
        """The wheel's only unconditional dependency is pandas; everything else is an extra."""
        with zipfile.ZipFile(wheel) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            meta = zf.read(name).decode("utf-8")
        requires = [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")]
        core = [r for r in requires if "extra ==" not in r]
        assert [r.split(">")[0].split("=")[0].split("<")[0].strip() for r in core] == ["pandas"], core
        extras = {line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Provides-Extra:")}
        assert {"validate", "polars", "parquet", "datasette", "plot"} <= extras

    def test_wheel_installs_and_loads_in_a_fresh_venv(self, wheel: Path, tmp_path: Path) -> None:
        """Installed in a fresh venv, the wheel loads every resource, typed, and validates offline."""
        env_dir = tmp_path / "venv"
        venv.create(env_dir, with_pip=False)  # pip is not copied in (ensurepip: 3 s); this one installs there
        py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q", str(wheel)],
            check=True,
            timeout=600,
        )
        # dependencies (pandas) come from this test environment, offline; the .pth adds the folder only,
        # so this environment's own powdata (an editable or a regular install) is never imported first
        purelib = Path(
            subprocess.check_output(
                [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
            ).strip()
        )
        (purelib / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        code = (
            "import powdata, json, pandas as pd\n"
            "assert '_data' in str(powdata._io.gate.default_root()), powdata._io.gate.default_root()\n"
            "out = {n: {c: str(t) for c, t in powdata.load(n).dtypes.items()} for n in powdata.list_resources()}\n"
            "report = powdata.validate(structural=False)\n"
            "assert report.valid, report.to_text()\n"
            "quoted = set(powdata.load('quotes')['observation_id'])\n"
            "assert quoted == set(powdata.load('observations')['observation_id'])\n"
            "print(json.dumps({'file': powdata.__file__, 'version': powdata.__version__, 'dtypes': out}))\n"
        )
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
        result = subprocess.run(
            [py, "-c", "import powdata._io.gate\n" + code],
            cwd=elsewhere,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        import json

        got = json.loads(result.stdout)
        assert got["file"].startswith(str(env_dir))
        assert got["dtypes"]["observations"]["value"] == "Float64"
        assert got["dtypes"]["observations"]["qualifier"] == "category"
        assert got["dtypes"]["indicators"]["cumulative"] == "boolean"
        assert got["dtypes"]["sources"]["published"].startswith("datetime64")
        import powdata

        assert got["version"] == powdata.__version__


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source distribution, built offline and unpacked; returns its top folder."""
    import tarfile

    out = tmp_path_factory.mktemp("sdist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    archive = next(out.glob("powdata-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    return next(p for p in out.iterdir() if p.is_dir())


class TestSdist:
    def test_long_description_links_resolve_inside_the_sdist(self, sdist: Path) -> None:
        """Every relative link of the README (the long description) names a file the sdist holds."""
        import re

        text = (sdist / "README.md").read_text(encoding="utf-8")
        links = {t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", text)}
        local = sorted(t for t in links if t and not re.match(r"[a-z]+:", t))
        assert local, "the README links to no file: the check would be vacuous"
        missing = [t for t in local if not (sdist / t).exists()]
        assert not missing, missing

    def test_tests_pass_from_the_unpacked_sdist(self, sdist: Path) -> None:
        """From the unpacked sdist, with its own code, the documented subset passes (-m 'not git': no history).

        Here the files that check the data, the docs and the layers run; the README's
        "Testing from an sdist" gives the command for the whole subset.
        """
        env = {**os.environ, "PYTHONPATH": str(sdist / "src")}
        files = ["tests/test_layers.py", "tests/test_data.py", "tests/test_packaging.py::TestGeneratedDocs"]
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider", "-m", "not git", *files],
            cwd=sdist,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert r.returncode == 0, r.stdout[-3000:]
        assert " passed" in r.stdout and "failed" not in r.stdout


class TestGeneratedDocs:
    def test_codebook_is_fresh(self) -> None:
        """docs/codebook.md equals a fresh render from schemas/ (run `powdata build` when it is not)."""
        assert (ROOT / CODEBOOK).read_text(encoding="utf-8") == render_codebook(ROOT)

    def test_codebook_lists_every_field(self) -> None:
        """The codebook has a row for every field of every schema."""
        text = render_codebook(ROOT)
        import json

        for path in (ROOT / "schemas").glob("*.json"):
            for field in json.loads(path.read_text(encoding="utf-8"))["fields"]:
                assert f"| `{field['name']}` |" in text


class TestRegistry:
    def test_data_match_the_registry_of_this_version(self) -> None:
        """The data's sha256 equal releases/<version>.json: no figure changes without a new version."""
        from powdata.release.registry import registry_mismatch

        assert registry_mismatch(ROOT) == []
