"""Table Schema → pandas: the one reader and the one typer.

Every path that turns a resource's bytes into a frame goes through here:
``load`` (which raises on the first bad cell), ``validate`` (which collects every
bad cell and keeps going) and ``diff`` (which compares the text as written). So a
cell means the same thing wherever it is read.

The reader parses CSV bytes into **text**: "002" must never become 2, so the
Table Schema, not a parser's guess, decides each type. The typer then applies
one dtype table:

| Table Schema            | pandas                                      |
|-------------------------|---------------------------------------------|
| string with enum        | ``category`` with the enum as categories    |
| string                  | ``string`` (missing is ``pd.NA``)           |
| integer                 | ``Int64`` (nullable)                        |
| number                  | ``Float64`` (nullable)                      |
| boolean                 | ``boolean`` (nullable)                      |
| date                    | ``datetime64[s]`` (missing is ``NaT``)      |

Dates use one unit everywhere, seconds (`DATETIME_UNIT`): pandas 2's
nanoseconds stop at 2262. Reduced-precision dates (``as_of``: ``2025``,
``2025-07``, ``2025-08-14``) are Table Schema strings and stay strings, so a
month is never turned into a day.

What the typer owns (and Frictionless checks the same way): that a present cell
parses as its type (``type``), is one of its enum (``enum``), that a required
cell is present (``required``), and that the header names the schema's fields
in order (``missing-column``, ``extra-column``, ``column-order``). A cell that
does not parse becomes missing, so no later check reports it a second time.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import re
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from powdata._io.escape import shown
from powdata.errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

DATETIME_UNIT: Final = "s"
DATETIME_DTYPE: Final = "datetime64[s]"  # keep in step with DATETIME_UNIT
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
# above this size the multi-threaded pyarrow reader pays for its import (4x the C engine on 187 MB)
PYARROW_FROM_BYTES = 4 << 20

_INTEGER = r"[+-]?[0-9]+"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_URI = r"[^:/?#]+:.*"  # rfc3986 with a scheme, as Frictionless checks format "uri"


class Flaw(NamedTuple):
    """One cell or header that breaks the Table Schema: rule id, CSV row (header = 1), column, message."""

    rule: str
    row: int | None
    column: str | None
    message: str


HEADER_ROWS: Final = 1
"""Rows before the first data row of a CSV file (the header), so frame index 0 is CSV row 2."""


def csv_row(index: Any) -> int:
    """The CSV row number (the header is row 1) of a frame's 0-based row ``index``: the one place it is computed."""
    return int(index) + HEADER_ROWS + 1


def parse_date(value: Any, option: str = "as_of=") -> dt.date:
    """Return ``value`` as a date: a ``datetime.date`` as is, or text written YYYY-MM-DD; else refuse.

    The one parser of a date a user passes (``load(as_of=...)``, ``--as-of``), strict
    as the typer is for a Table Schema ``date``: ``20250814`` (an int or text) and
    ``2025-8-14`` are refused, never guessed. ``option`` names what the user typed,
    so the CLI's message says ``--as-of`` and the library's ``as_of=``.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    example = "2025-12-31" if option.startswith("-") else "'2025-12-31'"
    msg = f"{option}{shown(value)}: expected a date as YYYY-MM-DD (for example {option}{example})"
    if isinstance(value, str) and re.fullmatch(_DATE, value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:  # 2025-02-30
            pass
    raise ArgumentError(msg)


def format_number(value: Any, *, grouped: bool = False) -> str:
    """Show a number the one way powdata shows numbers: a whole number without ``.0``, infinity as ``∞``.

    ``grouped`` puts thousands separators in (``16,894``), as the README and the
    rule messages do; a table a user pipes on keeps them out (``16894``).

    >>> format_number(16894.0), format_number(0.35), format_number(18000, grouped=True)
    ('16894', '0.35', '18,000')
    """
    import math

    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x.is_integer():
        return f"{int(x):,}" if grouped else str(int(x))
    return f"{x:,}" if grouped else repr(x)


SAYS = {
    "exact": "",
    "more_than": "more than ",
    "at_least": "at least ",
    "approximately": "about ",
    "nearly": "nearly ",
    "fewer_than": "fewer than ",
    "at_most": "up to ",
    "range": "",
}
"""How powdata writes a qualifier before a figure (charts, the site, the README block): one table."""

UNIT_SIGNS = {"percent": "%", "persons_per_week": " a week"}
"""What follows a figure of these units when powdata writes it ("49%", "200 a week")."""


def figure_words(value: Any, value_max: Any, qualifier: Any, unit: str) -> str:
    """A figure as powdata writes it: qualifier, number, the range's upper end, unit sign ("more than 16,894").

    An unknown or missing qualifier is a ValueError, never a bare number.

    >>> figure_words(16894.0, None, "more_than", "persons"), figure_words(2, 3, "range", "percent")
    ('more than 16,894', '2–3%')
    """
    import math

    number = format_number(value, grouped=True)
    try:
        upper = value_max is not None and not math.isnan(float(value_max))
    except (TypeError, ValueError):  # pandas' NA, or nothing
        upper = False
    if upper:
        number += "–" + format_number(value_max, grouped=True)
    says = SAYS.get(str(qualifier))
    if says is None:  # never print a figure without the words that bound it: a missing qualifier is not "exact"
        msg = f"qualifier {qualifier!r}: expected one of {', '.join(SAYS)}"
        raise ValueError(msg)
    return says + number + UNIT_SIGNS.get(unit, "")


def enum_of(field: dict[str, Any]) -> list[Any] | None:
    """Return the field's enum constraint, or None."""
    enum = field.get("constraints", {}).get("enum")
    return list(enum) if enum else None


def field_dtype_name(field: dict[str, Any]) -> str:
    """Return the name of the pandas dtype a field is typed as (``category`` for a string enum)."""
    ftype = field.get("type", "string")
    if ftype == "string" and enum_of(field):
        return "category"
    return field_type(field).dtype


def has_table_schema(res: dict[str, Any]) -> bool:
    """True when a resource carries an inline Table Schema (what `powdata build` writes into every table)."""
    schema = res.get("schema")
    return isinstance(schema, dict) and isinstance(schema.get("fields"), list)


# --- the reader ------------------------------------------------------------------------------


def read_raw(data: bytes, schema: dict[str, Any]) -> pd.DataFrame:
    """Parse CSV bytes into a frame of text (the schema's missing values as NA); raise on bad bytes or shape.

    pyarrow's multi-threaded reader is used for large files when installed, told
    that every column is a string (pandas' own pyarrow engine infers types first
    on pandas 2); small files use pandas' C engine, which needs no extra import.
    A ragged row is an error with either reader (see `read_lenient`).
    """

    missing = schema.get("missingValues", [""])
    if len(data) < PYARROW_FROM_BYTES or importlib.util.find_spec("pyarrow") is None:
        return _read_raw_pandas(data, missing)
    import pyarrow as pa

    try:
        return _read_raw_arrow(data, missing)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):  # a cell larger than pyarrow's block: parse with pandas instead
            raise
    return _read_raw_pandas(data, missing)


def _read_raw_pandas(data: bytes, missing: list[str]) -> pd.DataFrame:
    """Parse with pandas' C reader: no extra import, no limit on a cell's size."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # the C engine only warns on a ragged first row
        return pd.read_csv(
            io.BytesIO(data),
            dtype="string",
            keep_default_na=False,
            na_values=missing,
            encoding="utf-8",
            index_col=False,
        )


def _read_raw_arrow(data: bytes, missing: list[str]) -> pd.DataFrame:
    """Parse with pyarrow's multi-threaded reader (raises on a cell larger than its block)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    end = data.find(b"\n")
    header = next(csv.reader([data[: end if end >= 0 else len(data)].decode("utf-8").rstrip("\r")]), [])
    table = pacsv.read_csv(
        io.BytesIO(data),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            null_values=missing,
            strings_can_be_null=True,
        ),
    )
    string = pd.StringDtype()  # this pandas' default storage, so every path yields the same dtype
    return table.to_pandas(types_mapper={pa.string(): string, pa.large_string(): string}.get)


def read_lenient(data: bytes, schema: dict[str, Any]) -> tuple[pd.DataFrame, list[Flaw]]:
    """Parse CSV bytes that `read_raw` refused, locating every bad byte and ragged row.

    Used only when the fast reader fails, so validation still types the good
    rows and names each bad one: bytes that are not UTF-8 are replaced (and
    reported at their line), a short row is padded (``missing-cell``), a long one
    cut (``extra-cell``).
    """
    import pandas as pd

    from powdata._io.csv_limit import field_limit
    from powdata._io.integrity import csv_lines

    flaws: list[Flaw] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        msg = f"expected UTF-8 but byte {bad.start} ({data[bad.start]:#04x}) is not; re-save the file as UTF-8"
        flaws.append(Flaw("encoding", line, None, msg))
        text = data.decode("utf-8", errors="replace")
    try:
        with field_limit(len(text) + 1):  # a cell as long as the file, as the fast reader takes it
            records = list(csv.reader(csv_lines(text)))  # no second copy of the text (io.StringIO made one)
    except csv.Error as exc:
        flaws.append(Flaw("csv-format", None, None, f"the CSV cannot be parsed: {exc}"))
        records = []
    header = records[0] if records else []
    rows: list[list[str]] = []
    for i, rec in enumerate(records[1:]):
        row = csv_row(i)
        if len(rec) > len(header):
            flaws.append(Flaw("extra-cell", row, None, f"row {row} has {len(rec)} cells but the header {len(header)}"))
            rec = rec[: len(header)]
        elif len(rec) < len(header):
            column = header[len(rec)]
            flaws.append(
                Flaw("missing-cell", row, column, f"row {row} has {len(rec)} cells but the header {len(header)}")
            )
            rec = rec + [""] * (len(header) - len(rec))
        rows.append(rec)
    missing = set(schema.get("missingValues", [""]))
    frame = pd.DataFrame(rows, columns=pd.Index(header), dtype="string") if header else pd.DataFrame()
    for col in frame.columns:
        frame[col] = frame[col].where(~frame[col].isin(missing))
    return frame, flaws


# --- the typer -------------------------------------------------------------------------------


def _distinct(col: pd.Series, parse: Callable[[pd.Series], Any]) -> pd.Series:
    """Apply ``parse`` to each distinct value of ``col`` once and spread the result back.

    A million rows usually hold few distinct values, and parsing is the cost.
    """
    import pandas as pd

    codes, uniques = pd.factorize(col)
    parsed = parse(pd.Series(uniques, dtype="string"))
    return pd.Series(pd.api.extensions.take(parsed.array, codes, allow_fill=True), index=col.index)


def _to_integer(u: pd.Series) -> pd.Series:
    import pandas as pd

    s = u.str.strip()
    ok = s.str.fullmatch(_INTEGER).fillna(False).astype(bool)
    return pd.to_numeric(s.where(ok), errors="coerce").astype("Float64").astype("Int64")


def _to_number(u: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.Series(pd.to_numeric(u.str.strip(), errors="coerce")).astype("Float64")


def _to_boolean(u: pd.Series) -> pd.Series:
    import pandas as pd

    return u.map(lambda v: True if v in TRUE_VALUES else False if v in FALSE_VALUES else pd.NA).astype("boolean")


def _to_date(u: pd.Series) -> pd.Series:
    """Parse YYYY-MM-DD strictly (no other form, no impossible day) at `DATETIME_UNIT`."""
    import numpy as np
    import pandas as pd

    pattern = re.compile(_DATE)
    nat = np.datetime64("NaT", DATETIME_UNIT)

    def one(v: Any) -> Any:
        if isinstance(v, str) and pattern.fullmatch(v):
            try:
                return np.datetime64(dt.date.fromisoformat(v), DATETIME_UNIT)
            except ValueError:  # 2025-02-30
                pass
        return nat

    return pd.Series(np.array([one(v) for v in u], dtype=DATETIME_DTYPE))


def _to_uri(u: pd.Series) -> pd.Series:
    return u.where(u.str.fullmatch(_URI, flags=re.DOTALL).fillna(False).astype(bool))


class FieldType(NamedTuple):
    """What one Table Schema type is, everywhere powdata meets it: the one table, no if/elif ladder elsewhere."""

    dtype: str
    """The pandas dtype a field of this type is typed as."""
    sql: str
    """The SQLite column type of the export."""
    expected: str
    """What a cell must be, for the message of a cell that is not."""
    parse: Callable[[pd.Series], pd.Series] | None
    """Text → typed values, a cell that does not parse missing (None: the text is kept)."""
    to_sql: Callable[[Any], Any]
    """A present typed value → the SQLite value."""


TYPES: dict[str, FieldType] = {
    "string": FieldType("string", "TEXT", "text", None, str),
    "integer": FieldType("Int64", "INTEGER", "an integer", _to_integer, int),
    "number": FieldType("Float64", "REAL", "a number", _to_number, float),
    "boolean": FieldType(
        "boolean", "INTEGER", f"true or false ({', '.join(TRUE_VALUES + FALSE_VALUES)})", _to_boolean, int
    ),
    "date": FieldType(DATETIME_DTYPE, "TEXT", "a date YYYY-MM-DD", _to_date, lambda v: v.strftime("%Y-%m-%d")),
}
DTYPES = {name: t.dtype for name, t in TYPES.items()}


def field_type(field: dict[str, Any]) -> FieldType:
    """The `FieldType` of a field; a type powdata does not use yet (e.g. ``geojson``) is kept as text."""
    return TYPES.get(field.get("type", "string"), TYPES["string"])


def empty_column(field: dict[str, Any], n: int) -> pd.Series:
    """A column of ``n`` missing values with the field's dtype (for a column the file lacks)."""
    import pandas as pd

    enum = enum_of(field)
    if field.get("type", "string") == "string" and enum:
        return pd.Series(pd.Categorical([None] * n, categories=enum))
    return pd.Series([None] * n, dtype=field_dtype_name(field))


def header_flaws(columns: list[str], fields: list[dict[str, Any]]) -> list[Flaw]:
    """Compare the file's header with the schema's field names (Table Schema matches them in order)."""
    names = [f["name"] for f in fields]
    out = [
        Flaw("missing-column", None, n, f"expected column {n!r} but the file has none")
        for n in names
        if n not in columns
    ]
    out += [
        Flaw("extra-column", None, c, f"column {c!r} is not in the Table Schema (expected {names})")
        for c in columns
        if c not in names
    ]
    if not out and columns != names:
        out.append(Flaw("column-order", None, None, f"expected the columns in the order {names} but found {columns}"))
    return out


def type_frame(raw: pd.DataFrame, schema: dict[str, Any]) -> tuple[pd.DataFrame, list[Flaw]]:
    """Type a frame of text by its Table Schema; return it and a flaw for each cell that breaks the schema.

    The typed frame has every schema field, in schema order (a column the file
    lacks is all missing; its absence is a ``missing-column`` flaw), then any
    column the schema does not name, as text. A cell that does not parse is
    missing in the typed frame.
    """
    import numpy as np
    import pandas as pd

    flaws = header_flaws(list(raw.columns), schema["fields"])
    out: dict[str, Any] = {}
    for f in schema["fields"]:
        name, ftype = f["name"], f.get("type", "string")
        if name not in raw.columns:
            out[name] = empty_column(f, len(raw)).set_axis(raw.index)
            continue
        col = raw[name]
        enum = enum_of(f)
        rule = "type"
        parsed: Any
        if ftype == "string" and enum:  # the two refinements of a string: an enum, a URI
            parsed = pd.Categorical(col.where(col.isin(enum)), categories=enum)
            rule, expected = "enum", f"one of {enum}"
        elif ftype == "string" and f.get("format") == "uri":
            parsed = _distinct(col, _to_uri)
            expected = "a URI with a scheme (format uri)"
        else:
            kind = field_type(f)
            parsed = col if kind.parse is None else _distinct(col, kind.parse)
            expected = kind.expected
        present = col.notna().to_numpy(dtype=bool)
        for i in (present & np.asarray(pd.isna(parsed), dtype=bool)).nonzero()[0]:
            flaws.append(Flaw(rule, csv_row(i), name, f"{name} = {shown(col.iloc[i])} is not {expected}"))
        if f.get("constraints", {}).get("required"):
            for i in (~present).nonzero()[0]:
                flaws.append(Flaw("required", csv_row(i), name, f"{name} is empty but the schema requires a value"))
        out[name] = parsed
    for extra in raw.columns:
        if extra not in out:
            out[extra] = raw[extra]
    return pd.DataFrame(out, index=raw.index), flaws
