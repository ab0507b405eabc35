"""SQLite export and Datasette: declared types and keys, the figures view, atomic writes, metadata served."""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import powdata
from powdata.export.sqlite import datasette_metadata, write_sqlite
from tests.conftest import drop_source_language, run_cli


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("sql") / "powdata.sqlite"
    write_sqlite(target)
    return target


def _con(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


class TestTables:
    def test_every_resource_is_a_table_with_its_rows(self, db: Path) -> None:
        """Each tabular resource is a table holding every row of load()."""
        con = _con(db)
        for name in powdata.list_resources():
            (n,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            assert n == len(powdata.load(name)), name

    def test_declared_types(self, db: Path) -> None:
        """Column types follow the Table Schema: number REAL, integer/boolean INTEGER, string/date TEXT."""
        con = _con(db)
        types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(observations)")}
        assert (types["value"], types["observation_id"], types["period_start"]) == ("REAL", "TEXT", "TEXT")
        assert {r[1]: r[2] for r in con.execute("PRAGMA table_info(indicators)")}["cumulative"] == "INTEGER"

    def test_primary_and_foreign_keys(self, db: Path) -> None:
        """Primary keys and every foreign key of the schemas are declared, and foreign_key_check passes."""
        con = _con(db)
        pk = [r[1] for r in con.execute("PRAGMA table_info(area_members)") if r[5]]
        assert pk == ["area_id", "member_id"]
        fks = {(r[3], r[2], r[4]) for r in con.execute("PRAGMA foreign_key_list(observations)")}
        assert fks == {
            ("indicator_id", "indicators", "indicator_id"),
            ("area_id", "areas", "area_id"),
            ("part_of", "observations", "observation_id"),
            ("variant_of", "observations", "observation_id"),
            ("stated_by", "sources", "source_id"),
        }
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []

    def test_sqlite_enforces_the_keys(self, db: Path, tmp_path: Path) -> None:
        """With foreign keys on, SQLite refuses a figure of an unknown area and a qualifier outside the enum."""
        copy = tmp_path / "c.sqlite"
        copy.write_bytes(db.read_bytes())
        con = sqlite3.connect(copy)
        con.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            con.execute("UPDATE observations SET area_id = 'XXX' WHERE rowid = 1")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            con.execute("UPDATE observations SET qualifier = 'roughly' WHERE rowid = 1")

    def test_values_round_trip(self, db: Path) -> None:
        """Dates are YYYY-MM-DD, missing values NULL, booleans 0/1."""
        con = _con(db)
        row = con.execute("SELECT published, author FROM sources WHERE source_id = 'coordination-hq-2025-08-14'")
        assert row.fetchone() == ("2025-08-14", None)
        assert {r[0] for r in con.execute("SELECT cumulative FROM indicators")} <= {0, 1}


class TestFiguresView:
    def test_view_equals_figures(self, db: Path) -> None:
        """The figures view holds what powdata.figures() holds, row by row (upper NULL = inf)."""
        con = _con(db)
        cur = con.execute("SELECT * FROM figures")
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        f = powdata.figures()
        assert cols == list(f.columns)
        assert len(rows) == len(f)
        for got, want in zip(rows, f.to_dict("records"), strict=True):
            assert got["observation_id"] == want["observation_id"]
            assert (got["indicator"], got["unit"], got["area"]) == (want["indicator"], want["unit"], want["area"])
            assert got["lower"] == pytest.approx(want["lower"])
            assert (got["upper"] is None) == math.isinf(want["upper"])
            assert bool(got["lower_open"]) == want["lower_open"]

    def test_every_view_column_declares_a_type(self, db: Path) -> None:
        """Each column of the figures view declares a type, so DuckDB or pandas need not guess (lower is REAL).

        DuckDB's sqlite extension cannot be installed from the package registry (it is
        downloaded at run time), so this checks what DuckDB reads: the declared types.
        """
        declared = {name: kind for _, name, kind, *_ in _con(db).execute("PRAGMA table_info(figures)")}
        assert declared["lower"] == declared["upper"] == declared["value"] == "REAL"
        assert {k for k in declared.values()} <= {"TEXT", "REAL", "INTEGER"}

    def test_bounds_are_numbers(self, db: Path) -> None:
        """max(lower) is the largest number of today's data, not the largest text or blob compared byte by byte."""
        lowers = [float(x) for x in powdata.figures()["lower"].dropna()]
        top, top_as_text = max(lowers), max(lowers, key=repr)
        row = _con(db).execute("SELECT max(lower), typeof(max(lower)), max(lower) + 1 FROM figures").fetchone()
        assert top != top_as_text  # the data tell the two orders apart (9961 sorts last as text)
        assert row == (top, "real", top + 1)

    def test_view_is_a_view(self, db: Path) -> None:
        """figures is declared as a view, not copied into a table."""
        kinds = dict(_con(db).execute("SELECT name, type FROM sqlite_master WHERE name = 'figures'").fetchall())
        assert kinds == {"figures": "view"}


class TestAtomic:
    def test_failed_export_leaves_the_old_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """If the export fails midway, the target keeps its old bytes and no temporary file is left."""
        import powdata.export.sqlite as sx

        target = tmp_path / "powdata.sqlite"
        target.write_bytes(b"old")

        def boom(*args: Any, **kwargs: Any) -> str:
            raise RuntimeError("disk full")

        monkeypatch.setattr(sx, "figures_view_sql", boom)
        with pytest.raises(RuntimeError):
            write_sqlite(target)
        assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["powdata.sqlite"]

    def test_dangling_key_is_refused(self, edit_pkg: Callable[..., Path], tmp_path: Path) -> None:
        """A package whose foreign key names no row is refused (one line naming table and row); nothing written."""
        from powdata.errors import PowdataError

        pkg = edit_pkg("area_members", lambda rows: rows[1].update(member_id="XXX"))
        with pytest.raises(PowdataError, match=r"area_members, row 3: a foreign key names no row of areas"):
            write_sqlite(tmp_path / "x.sqlite", path=pkg)
        assert not (tmp_path / "x.sqlite").exists()


class TestCli:
    def test_export_sqlite_and_metadata(self, tmp_path: Path) -> None:
        """`powdata export --to powdata.sqlite` and `--to metadata.json` write both files."""
        r = run_cli("export", "--to", str(tmp_path / "powdata.sqlite"))
        assert r.returncode == 0, r.stderr
        n = len(powdata.load("observations"))
        assert _con(tmp_path / "powdata.sqlite").execute("SELECT count(*) FROM figures").fetchone() == (n,)
        r = run_cli("export", "--to", str(tmp_path / "metadata.json"))
        assert r.returncode == 0, r.stderr
        meta = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
        assert meta["databases"]["powdata"]["tables"]["observations"]["columns"]["value"]

    def test_whole_package_needs_a_known_extension(self, tmp_path: Path) -> None:
        """Without a name, a .csv target is a usage error that says how to export one table."""
        r = run_cli("export", "--to", str(tmp_path / "all.csv"))
        assert r.returncode == 2 and "to export one table, name it" in r.stderr


class TestDatasette:
    def test_datasette_serves_rows_and_metadata(self, db: Path) -> None:
        """Datasette, started in-process on the export, serves the rows and the descriptor's metadata."""
        from datasette.app import Datasette

        meta = datasette_metadata()
        desc = powdata.descriptor()

        async def fetch() -> dict[str, Any]:
            ds = Datasette(files=[str(db)], metadata=meta)
            await ds.invoke_startup()
            got: dict[str, Any] = {}
            got["figures"] = (await ds.client.get("/powdata/figures.json?_shape=array&_size=max")).json()
            got["meta"] = (await ds.client.get("/-/metadata.json")).json()
            got["table"] = (await ds.client.get("/powdata/observations.json")).json()
            got["html"] = (await ds.client.get("/powdata/observations")).text
            return got

        got = asyncio.run(fetch())
        assert len(got["figures"]) == len(powdata.load("observations"))
        listed = next(r for r in got["figures"] if r["observation_id"] == "foreign-fighters-listed-2025-08")
        assert (listed["value"], listed["unit"], listed["area"]) == (16894, "persons", "All")
        assert desc["title"] in got["meta"]["title"] and desc["version"] in got["meta"]["title"]
        assert got["meta"]["license"] == "CC-BY-4.0"
        for s in powdata.load("sources").itertuples():
            assert s.publisher in got["meta"]["description"]
        assert got["table"]["license"] == "CC-BY-4.0"
        value_doc = next(f for f in desc["resources"][0]["schema"]["fields"] if f["name"] == "value")["description"]
        assert got["meta"]["databases"]["powdata"]["tables"]["observations"]["columns"]["value"] == value_doc
        assert value_doc.split(".")[0] in got["html"]  # the column description is shown on the table page


class TestDatasettePairing:
    def test_metadata_follows_the_file_name(self, tmp_path: Path) -> None:
        """`export --to any-name.sqlite` writes any-name.metadata.json keyed by `any-name` and says how to pair them."""
        r = run_cli("export", "--to", str(tmp_path / "any-name.sqlite"))
        assert r.returncode == 0, r.stderr
        meta_file = tmp_path / "any-name.metadata.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        assert "any-name" in meta["databases"]
        assert meta["databases"]["any-name"]["tables"]["observations"]["columns"]["value"]
        assert f"--metadata {meta_file}" in r.stderr

    def test_datasette_shows_titles_for_any_file_name(self, tmp_path: Path) -> None:
        """Datasette, given the pair, shows the observations table's description for a file not named powdata."""
        from datasette.app import Datasette

        r = run_cli("export", "--to", str(tmp_path / "figures-2026.sqlite"))
        assert r.returncode == 0, r.stderr
        meta = json.loads((tmp_path / "figures-2026.metadata.json").read_text(encoding="utf-8"))

        async def fetch() -> str:
            ds = Datasette(files=[str(tmp_path / "figures-2026.sqlite")], metadata=meta)
            await ds.invoke_startup()
            return str((await ds.client.get("/figures-2026/observations")).text)

        html = asyncio.run(fetch())
        described = powdata.describe("observations")["description"]
        assert described.split(".")[0] in html


class TestOlderPackage:
    def test_package_without_source_language(self, pkg: Path, tmp_path: Path) -> None:
        """A package whose sources have no language column exports; the view's languages are NULL."""
        drop_source_language(pkg)
        write_sqlite(tmp_path / "old.sqlite", path=pkg)
        langs = {r[0] for r in _con(tmp_path / "old.sqlite").execute("SELECT languages FROM figures")}
        assert langs == {None}
