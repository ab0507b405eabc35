"""The package as one SQLite file, and the Datasette metadata that describes it.

Frictionless' own SQL export fails on this package, and a folder of CSV files
needs a three-way join before a number means anything. `write_sqlite` writes
every tabular resource as a table with the types, NOT NULL, UNIQUE, enum CHECKs,
primary and foreign keys its Table Schema declares (``PRAGMA foreign_key_check``
passes), plus ``figures``, the labelled table, as a view. The view's interval
bounds come from `powdata.intervals` through a small ``qualifier_bounds`` table
(each qualifier's bounds for a value of 1: every interval is linear in the value),
so SQL and Python share one interval model. An upper bound of NULL means none.
Every column of the view has a declared type, as sqlite-utils advises: the bounds
are read from ``figure_bounds`` (one typed row per observation, computed by
`powdata.intervals`), not computed in the view, so DuckDB or pandas reading the
file find ``REAL``, never an untyped expression they must guess at.

The file is written through the one atomic writer (``powdata._io.atomic``): to a
temporary name in the target's folder, with the user's umask, renamed over the
target only once it is complete and its keys check, so a reader never sees
half of it. Only the standard library's ``sqlite3`` is used.

`datasette_metadata` turns the descriptor into Datasette's ``metadata.json``:
the package's title, description, licence and sources, and every table's and
column's description, so Datasette shows them as the descriptor says them.
Datasette keys metadata by database name, the file's name without its
extension; the metadata written for a database file uses that name, and is
keyed under ``powdata`` as well, so it applies whichever way the two are paired.
"""

from __future__ import annotations

import math
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata._schema import TYPES, field_type
from powdata.errors import PowdataError
from powdata.intervals import BOUNDS, add_bounds
from powdata.package import Package, open_package
from powdata.views.labelled import COLUMNS

if TYPE_CHECKING:
    import pandas as pd

SQL_TYPES = {name: t.sql for name, t in TYPES.items()}
BOUNDS_TABLE = "qualifier_bounds"
FIGURE_BOUNDS = "figure_bounds"
FIGURE_QUOTES = "figure_quotes"
VIEW = "figures"


def _q(name: str) -> str:
    """Quote an SQL identifier (names come from the descriptor, so never trust them raw)."""
    return '"' + name.replace('"', '""') + '"'


def _lit(value: Any) -> str:
    """An SQL literal for an enum value in a CHECK constraint."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def create_table_sql(res: dict[str, Any]) -> str:
    """Return the ``CREATE TABLE`` statement of a tabular resource, from its Table Schema."""
    schema = res["schema"]
    lines = []
    for f in schema["fields"]:
        c = f.get("constraints", {})
        col = f"{_q(f['name'])} {field_type(f).sql}"
        if c.get("required"):
            col += " NOT NULL"
        if c.get("unique"):
            col += " UNIQUE"
        if f.get("type") == "boolean":
            col += f" CHECK ({_q(f['name'])} IN (0, 1))"
        if c.get("enum"):
            col += f" CHECK ({_q(f['name'])} IN ({', '.join(_lit(v) for v in c['enum'])}))"
        lines.append(col)
    pk = schema.get("primaryKey")  # keys are lists: the descriptor reader normalised them
    if pk:
        lines.append(f"PRIMARY KEY ({', '.join(_q(k) for k in pk)})")
    for fk in schema.get("foreignKeys", []):
        fields, ref = fk["fields"], fk["reference"]
        ref_fields = ref["fields"]
        target = ref.get("resource") or res["name"]  # "" means the resource itself
        lines.append(
            f"FOREIGN KEY ({', '.join(_q(k) for k in fields)}) "
            f"REFERENCES {_q(target)} ({', '.join(_q(k) for k in ref_fields)})"
        )
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {_q(res['name'])} (\n  {body}\n)"


def _rows(df: pd.DataFrame, fields: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Typed frame -> SQLite values: NA -> NULL, dates -> YYYY-MM-DD, booleans -> 0/1."""
    import pandas as pd

    cols = []
    for f in fields:
        to_sql = field_type(f).to_sql
        cols.append([None if pd.isna(v) else to_sql(v) for v in df[f["name"]]])
    return list(zip(*cols, strict=True))


def bounds_rows() -> list[tuple[str, float, float | None, int, int, int]]:
    """Each qualifier's interval for a value of 1, from `powdata.intervals.BOUNDS` (None: no upper bound).

    ``takes_max`` is 1 where the upper factor applies to ``value_max`` when one is given.
    """
    out = []
    for q, b in BOUNDS.items():
        upper = None if b.upper is None else float(b.upper)
        out.append((q, float(b.lower), upper, int(b.lower_open), int(b.upper_open), int(b.takes_max)))
    return out


def figures_view_sql() -> str:
    """Return the ``CREATE VIEW figures`` statement: the labelled table of `powdata.figures`, in SQL.

    One row per observation. Its bounds come from ``figure_bounds`` and its
    publications, their earliest date and languages and its first excerpt from
    ``figure_quotes`` (both computed by powdata, so every view column keeps a
    declared type that DuckDB and pandas read).
    """
    expr = {
        "indicator": "i.name",
        "unit": "i.unit",
        "in_scope": "i.in_scope",
        "area": "a.name",
        "area_kind": "a.kind",
        "lower": "fb.lower",
        "upper": "fb.upper",
        "lower_open": "fb.lower_open",
        "upper_open": "fb.upper_open",
        "stated_by_publisher": "s.publisher",
        "stated_by_title": "s.title",
        "publications": "fq.publications",
        "first_published": "fq.first_published",
        "languages": "fq.languages",
        "excerpt": "fq.excerpt",
    }
    select = ",\n  ".join(f"{expr.get(c, 'o.' + _q(c))} AS {_q(c)}" for c, _ in COLUMNS)
    return (
        f"CREATE VIEW {_q(VIEW)} AS SELECT\n  {select}\n"
        "FROM observations o\n"
        "JOIN indicators i ON i.indicator_id = o.indicator_id\n"
        "JOIN areas a ON a.area_id = o.area_id\n"
        "JOIN sources s ON s.source_id = o.stated_by\n"
        f"JOIN {_q(FIGURE_BOUNDS)} fb ON fb.observation_id = o.observation_id\n"
        f"LEFT JOIN {_q(FIGURE_QUOTES)} fq ON fq.observation_id = o.observation_id\n"
        "ORDER BY o.rowid"
    )


def _figure_quotes(pkg: Package) -> list[tuple[str, str | None, str | None, str | None, str | None]]:
    """Each quoted observation's publications, earliest publication date, languages and first excerpt."""
    import pandas as pd

    from powdata.views.labelled import quoted_in

    q = quoted_in(pkg.frame("quotes"), pkg.frame("sources"))

    def text(x: Any) -> str | None:
        return None if pd.isna(x) else str(x)

    day = [None if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d") for d in q["first_published"]]
    return [
        (str(o), text(p), d, text(lang), text(e))
        for o, p, d, lang, e in zip(
            q["observation_id"], q["publications"], day, q["languages"], q["excerpt"], strict=True
        )
    ]


def _figure_bounds(obs: pd.DataFrame) -> list[tuple[str, float, float | None, int, int]]:
    """Each observation's interval, from `powdata.intervals` (an infinite upper bound is NULL)."""
    b = add_bounds(obs)
    return [
        (str(i), float(lo), None if math.isinf(up) else float(up), int(lo_open), int(up_open))
        for i, lo, up, lo_open, up_open in zip(
            b["observation_id"], b["lower"], b["upper"], b["lower_open"], b["upper_open"], strict=True
        )
    ]


def _fill(con: sqlite3.Connection, pkg: Package) -> dict[str, int]:
    counts: dict[str, int] = {}
    for res in pkg.tables():
        con.execute(create_table_sql(res))
        fields = res["schema"]["fields"]
        rows = _rows(pkg.frame(res["name"]), fields)
        marks = ", ".join("?" for _ in fields)
        con.executemany(f"INSERT INTO {_q(res['name'])} VALUES ({marks})", rows)
        counts[res["name"]] = len(rows)
    con.execute(
        f"CREATE TABLE {_q(BOUNDS_TABLE)} (qualifier TEXT PRIMARY KEY, lower_factor REAL NOT NULL, "
        "upper_factor REAL, lower_open INTEGER NOT NULL, upper_open INTEGER NOT NULL, takes_max INTEGER NOT NULL)"
    )
    con.executemany(f"INSERT INTO {_q(BOUNDS_TABLE)} VALUES (?, ?, ?, ?, ?, ?)", bounds_rows())
    names = set(pkg.table_names())
    if {"observations", "quotes", "indicators", "areas", "sources"} <= names:
        con.execute(
            f"CREATE TABLE {_q(FIGURE_BOUNDS)} (observation_id TEXT PRIMARY KEY REFERENCES observations "
            "(observation_id), lower REAL NOT NULL, upper REAL, lower_open INTEGER NOT NULL, "
            "upper_open INTEGER NOT NULL)"
        )
        con.executemany(
            f"INSERT INTO {_q(FIGURE_BOUNDS)} VALUES (?, ?, ?, ?, ?)", _figure_bounds(pkg.frame("observations"))
        )
        con.execute(
            f"CREATE TABLE {_q(FIGURE_QUOTES)} (observation_id TEXT PRIMARY KEY REFERENCES observations "
            "(observation_id), publications TEXT, first_published TEXT, languages TEXT, excerpt TEXT)"
        )
        con.executemany(f"INSERT INTO {_q(FIGURE_QUOTES)} VALUES (?, ?, ?, ?, ?)", _figure_quotes(pkg))
        con.execute(figures_view_sql())
    bad = con.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        table, rowid, parent, _ = bad[0]
        msg = f"{table}, row {rowid + 1}: a foreign key names no row of {parent}; run `powdata validate`"
        raise PowdataError(msg)
    return counts


def write_sqlite(target: str | os.PathLike[str], *, path: str | Path | Package | None = None) -> dict[str, int]:
    """Write the package as a SQLite database at ``target``, atomically; return the rows per table.

    Parameters
    ----------
    target : path
        The database file to write (replaced only once the new one is complete).
    path : str or Path, optional
        Another data package; default: the installed one.

    Examples
    --------
    >>> import sqlite3, tempfile, pathlib
    >>> db = pathlib.Path(tempfile.mkdtemp()) / "powdata.sqlite"
    >>> write_sqlite(db)["observations"]
    18
    >>> sqlite3.connect(db).execute("select unit from figures where value = 16894").fetchone()
    ('persons',)
    """
    from powdata._io.atomic import atomic_file

    pkg = open_package(path)
    with atomic_file(target) as tmp:
        con = sqlite3.connect(tmp)
        try:
            with con:
                counts = _fill(con, pkg)
        finally:
            con.close()
    return counts


def database_name(db_file: str | os.PathLike[str]) -> str:
    """The name Datasette gives the database in ``db_file``: the file's name without its extension."""
    return Path(db_file).stem


def datasette_metadata(*, database: str = "powdata", path: str | Path | Package | None = None) -> dict[str, Any]:
    """Return Datasette's ``metadata.json`` for the SQLite export, from the descriptor.

    ``database`` is the database's name in Datasette: the SQLite file's name
    without its extension (``powdata.sqlite`` -> ``powdata``; see `database_name`).
    The same metadata is keyed under ``powdata`` too, so the default file name works as well.
    """
    pkg = open_package(path)
    desc = pkg.descriptor
    licenses = desc.get("licenses", [])
    sources = pkg.frame("sources")
    tables: dict[str, Any] = {}
    for res in pkg.tables():
        tables[res["name"]] = {
            "title": res.get("title", res["name"]),
            "description": res.get("description", ""),
            "columns": {f["name"]: f.get("description", "") for f in res["schema"]["fields"]},
        }
    tables[VIEW] = {
        "title": "Figures: every figure with its labels",
        "description": (
            "One row per observation with its indicator's name, unit and scope, the area's name and kind, who "
            "stated it, every publication that quotes it (their earliest date, languages, the first excerpt), and "
            "the interval its words allow (upper NULL: no upper bound)."
        ),
        "columns": {c: src for c, src in COLUMNS},
    }
    tables[BOUNDS_TABLE] = {
        "title": "Qualifier bounds (computed by powdata)",
        "description": "Each qualifier's interval for a value of 1 (upper NULL: none; takes_max 1: the upper factor "
        "applies to value_max where one is given).",
    }
    tables[FIGURE_QUOTES] = {
        "title": "Figure quotes (computed by powdata)",
        "description": "Each observation's publications (quotes.source_id in quote order), their earliest date "
        "and languages, and its first excerpt; the figures view reads it.",
    }
    tables[FIGURE_BOUNDS] = {
        "title": "Figure bounds (computed by powdata)",
        "description": "Each observation's interval as its words allow (upper NULL: none); the figures view reads it.",
    }
    source_list = "; ".join(f"{p}: {t}" for p, t in zip(sources["publisher"], sources["title"], strict=True))
    meta: dict[str, Any] = {
        "title": f"powdata {desc.get('version', '')}: {desc.get('title', '')}",
        "description": f"{desc.get('description', '')} Sources: {source_list}.",
        "databases": {
            name: {"title": desc.get("title", ""), "tables": tables} for name in dict.fromkeys([database, "powdata"])
        },
    }
    if licenses:
        meta["license"] = licenses[0].get("name", "")
        meta["license_url"] = licenses[0].get("path", "")
    urls = [u for u in sources["url"].dropna()]
    meta["source"] = "; ".join(dict.fromkeys(sources["publisher"]))
    if urls:
        meta["source_url"] = str(urls[0])
    return meta


__all__ = ["create_table_sql", "database_name", "datasette_metadata", "figures_view_sql", "write_sqlite"]
