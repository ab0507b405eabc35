"""The package as one SQLite file, and the Datasette metadata that describes it.

Frictionless' own SQL export fails on this package, and a folder of CSV files
needs a three-way join before a number means anything. `write_sqlite` writes
every tabular resource as a table with the types, NOT NULL, UNIQUE, enum CHECKs,
primary and foreign keys its Table Schema declares (``PRAGMA foreign_key_check``
passes), plus ``figures``, the labelled table, as a view. The view's interval
bounds come from `powdata.intervals` through a small ``qualifier_bounds`` table
(each qualifier's bounds for a value of 1: every interval is linear in the value),
so SQL and Python share one interval model. An upper bound of NULL means none.

The file is written to a temporary name in the target's folder and renamed over
the target only once it is complete and its keys check, so a reader never sees
half of it. Only the standard library's ``sqlite3`` is used.

`datasette_metadata` turns the descriptor into Datasette's ``metadata.json``:
the package's title, description, licence and sources, and every table's and
column's description, so Datasette shows them as the descriptor says them.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata import _package
from powdata.errors import PowdataError
from powdata.intervals import BOUNDS
from powdata.labelled import COLUMNS
from powdata.loader import load

if TYPE_CHECKING:
    import pandas as pd

SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}
BOUNDS_TABLE = "qualifier_bounds"
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
        col = f"{_q(f['name'])} {SQL_TYPES.get(f.get('type', 'string'), 'TEXT')}"
        if c.get("required"):
            col += " NOT NULL"
        if c.get("unique"):
            col += " UNIQUE"
        if f.get("type") == "boolean":
            col += f" CHECK ({_q(f['name'])} IN (0, 1))"
        if c.get("enum"):
            col += f" CHECK ({_q(f['name'])} IN ({', '.join(_lit(v) for v in c['enum'])}))"
        lines.append(col)
    pk = schema.get("primaryKey")
    if pk:
        pk = [pk] if isinstance(pk, str) else pk
        lines.append(f"PRIMARY KEY ({', '.join(_q(k) for k in pk)})")
    for fk in schema.get("foreignKeys", []):
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
        ref = fk["reference"]
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else ref["fields"]
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
        s = df[f["name"]]
        if f.get("type") == "date":
            cols.append([None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in s])
        elif f.get("type") == "boolean":
            cols.append([None if pd.isna(v) else int(bool(v)) for v in s])
        elif f.get("type") == "integer":
            cols.append([None if pd.isna(v) else int(v) for v in s])
        elif f.get("type") == "number":
            cols.append([None if pd.isna(v) else float(v) for v in s])
        else:
            cols.append([None if pd.isna(v) else str(v) for v in s])
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


def figures_view_sql(source_language: bool = True) -> str:
    """Return the ``CREATE VIEW figures`` statement: the labelled table of `powdata.figures`, in SQL.

    One row per observation; its publications, their earliest date and
    languages and its first excerpt come from ``quotes`` in quote order.
    ``source_language`` is False for a package whose sources have no language.
    """
    mine = "FROM quotes q JOIN sources s2 ON s2.source_id = q.source_id WHERE q.observation_id = o.observation_id"
    language = "s2.language" if source_language else "NULL"
    expr = {
        "indicator": "i.name",
        "unit": "i.unit",
        "in_scope": "i.in_scope",
        "area": "a.name",
        "area_kind": "a.kind",
        "lower": "o.value * b.lower_factor",
        "upper": "CASE WHEN b.takes_max = 1 AND o.value_max IS NOT NULL THEN o.value_max ELSE o.value END"
        " * b.upper_factor",
        "lower_open": "b.lower_open",
        "upper_open": "b.upper_open",
        "stated_by_publisher": "s.publisher",
        "stated_by_title": "s.title",
        "publications": "(SELECT group_concat(source_id, '; ') FROM (SELECT q.source_id "
        f"{mine.replace(' JOIN sources s2 ON s2.source_id = q.source_id', '')} ORDER BY q.rowid))",
        "first_published": f"(SELECT min(s2.published) {mine})",
        "languages": f"(SELECT group_concat(lang, '; ') FROM (SELECT {language} AS lang {mine} "
        f"GROUP BY {language} ORDER BY min(q.rowid)))",
        "excerpt": "(SELECT q.excerpt FROM quotes q WHERE q.observation_id = o.observation_id "
        "ORDER BY q.rowid LIMIT 1)",
    }
    select = ",\n  ".join(f"{expr.get(c, 'o.' + _q(c))} AS {_q(c)}" for c, _ in COLUMNS)
    return (
        f"CREATE VIEW {_q(VIEW)} AS SELECT\n  {select}\n"
        "FROM observations o\n"
        "JOIN indicators i ON i.indicator_id = o.indicator_id\n"
        "JOIN areas a ON a.area_id = o.area_id\n"
        "JOIN sources s ON s.source_id = o.stated_by\n"
        f"JOIN {_q(BOUNDS_TABLE)} b ON b.qualifier = o.qualifier\n"
        "ORDER BY o.rowid"
    )


def _fill(con: sqlite3.Connection, desc: dict[str, Any], path: str | Path | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for res in _package.tables(desc):
        con.execute(create_table_sql(res))
        fields = res["schema"]["fields"]
        rows = _rows(load(res["name"], path=path), fields)
        marks = ", ".join("?" for _ in fields)
        con.executemany(f"INSERT INTO {_q(res['name'])} VALUES ({marks})", rows)
        counts[res["name"]] = len(rows)
    con.execute(
        f"CREATE TABLE {_q(BOUNDS_TABLE)} (qualifier TEXT PRIMARY KEY, lower_factor REAL NOT NULL, "
        "upper_factor REAL, lower_open INTEGER NOT NULL, upper_open INTEGER NOT NULL, takes_max INTEGER NOT NULL)"
    )
    con.executemany(f"INSERT INTO {_q(BOUNDS_TABLE)} VALUES (?, ?, ?, ?, ?, ?)", bounds_rows())
    names = {r["name"] for r in _package.tables(desc)}
    if {"observations", "quotes", "indicators", "areas", "sources"} <= names:
        source_fields = [f["name"] for f in _package.find_resource(desc, "sources")["schema"]["fields"]]
        con.execute(figures_view_sql("language" in source_fields))
    bad = con.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        table, rowid, parent, _ = bad[0]
        msg = f"{table}, row {rowid + 1}: a foreign key names no row of {parent}; run `powdata validate`"
        raise PowdataError(msg)
    return counts


def write_sqlite(target: str | os.PathLike[str], *, path: str | Path | None = None) -> dict[str, int]:
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
    desc = _package.read_descriptor(_package.resolve_root(path))
    dest = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        try:
            with con:
                counts = _fill(con, desc, path)
        finally:
            con.close()
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return counts


def datasette_metadata(*, database: str = "powdata", path: str | Path | None = None) -> dict[str, Any]:
    """Return Datasette's ``metadata.json`` for the SQLite export, from the descriptor.

    ``database`` is the database's name in Datasette: the SQLite file's name
    without its extension (``powdata.sqlite`` -> ``powdata``).
    """
    desc = _package.read_descriptor(_package.resolve_root(path))
    licenses = desc.get("licenses", [])
    sources = load("sources", path=path)
    tables: dict[str, Any] = {}
    for res in _package.tables(desc):
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
        "applies to value_max where one is given); the figures view multiplies.",
    }
    source_list = "; ".join(f"{p}: {t}" for p, t in zip(sources["publisher"], sources["title"], strict=True))
    meta: dict[str, Any] = {
        "title": f"powdata {desc.get('version', '')}: {desc.get('title', '')}",
        "description": f"{desc.get('description', '')} Sources: {source_list}.",
        "databases": {database: {"title": desc.get("title", ""), "tables": tables}},
    }
    if licenses:
        meta["license"] = licenses[0].get("name", "")
        meta["license_url"] = licenses[0].get("path", "")
    urls = [u for u in sources["url"].dropna()]
    meta["source"] = "; ".join(dict.fromkeys(sources["publisher"]))
    if urls:
        meta["source_url"] = str(urls[0])
    return meta


__all__ = ["create_table_sql", "datasette_metadata", "figures_view_sql", "write_sqlite"]
