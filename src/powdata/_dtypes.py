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

from typing import Any

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
