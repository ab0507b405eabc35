"""Map Table Schema field types to pandas dtypes — one table, no per-resource code.

| Table Schema            | pandas                                   |
|-------------------------|------------------------------------------|
| string with enum        | ``category`` with the enum as categories |
| string                  | ``string`` (missing is ``pd.NA``)        |
| integer                 | ``Int64`` (nullable)                     |
| number                  | ``Float64`` (nullable)                   |
| boolean                 | ``boolean`` (nullable)                   |
| date                    | ``datetime64`` (missing is ``NaT``)      |

Reduced-precision dates (``as_of``: ``2025``, ``2025-07``, ``2025-08-14``) are
Table Schema strings and stay strings, so a month is never turned into a day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

CSV_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean", "date": "string"}


def enum_of(field: dict[str, Any]) -> list[Any] | None:
    """Return the field's enum constraint, or None."""
    enum = field.get("constraints", {}).get("enum")
    return list(enum) if enum else None


def csv_dtype(field: dict[str, Any]) -> str:
    """Return the dtype to parse a field's CSV cells with (enums and dates are refined later)."""
    ftype = field.get("type", "string")
    if ftype not in CSV_DTYPES:
        return "string"  # types powdata does not use yet (e.g. geojson) are kept as text
    return CSV_DTYPES[ftype]


def field_dtype_name(field: dict[str, Any]) -> str:
    """Return the name of the final pandas dtype of a field (for docs and tests)."""
    if field.get("type", "string") == "string" and enum_of(field):
        return "category"
    if field.get("type") == "date":
        return "datetime64"
    return csv_dtype(field)


def reduced_date_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return the first and last day of each ISO 8601 reduced-precision date (YYYY, YYYY-MM, YYYY-MM-DD).

    Parsed once per distinct value: a column of a million rows holds few dates.
    """
    import pandas as pd

    codes, uniques = pd.factorize(values)
    start_u, end_u = _date_bounds(pd.Series(uniques, dtype="string"))
    start = pd.api.extensions.take(start_u.array, codes, allow_fill=True)
    end = pd.api.extensions.take(end_u.array, codes, allow_fill=True)
    return pd.Series(start, index=values.index), pd.Series(end, index=values.index)


def _date_bounds(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    import pandas as pd

    n = s.str.len()
    year = s.where(n == 4)
    month = s.where(n == 7)
    day = s.where(n == 10)
    start = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    start = start.fillna(pd.to_datetime(month, format="%Y-%m", errors="coerce"))
    start = start.fillna(pd.to_datetime(year, format="%Y", errors="coerce"))
    end = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    m_start = pd.to_datetime(month, format="%Y-%m", errors="coerce")
    end = end.fillna(m_start + pd.offsets.MonthEnd(0))
    y_start = pd.to_datetime(year, format="%Y", errors="coerce")
    end = end.fillna(y_start + pd.offsets.YearEnd(0))
    return start, end
