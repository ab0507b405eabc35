"""Pandera models generated from the Table Schemas — one source of truth, no drift.

`schema_model` turns a Frictionless Table Schema into a ``pandera``
``DataFrameSchema`` that checks a frame already typed by ``powdata._dtypes``:
dtype, required, unique, pattern, enum, minimum/maximum, length and the primary
key. Foreign keys are cross-table and live in ``powdata.rules``.
(``pandera.io.from_frictionless_schema`` is not used: it drops foreign keys and
mis-types nullable integers.)
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from powdata._dtypes import enum_of, field_dtype_name
from powdata._package import shown
from powdata.report import ERROR, Problem

_PANDERA_DTYPE = {"datetime64": "datetime64[ns]"}

# pandera check names -> powdata rule ids (the Table Schema constraint names)
_RULE_OF_CHECK = {
    "not_nullable": "required",
    "field_uniqueness": "unique",
    "multiple_fields_uniqueness": "primary-key",
    "str_fullmatch": "pattern",
    "isin": "enum",
    "greater_than_or_equal_to": "minimum",
    "less_than_or_equal_to": "maximum",
    "str_length": "length",
    "dtype": "type",
    "column_in_dataframe": "missing-column",
}


def _fullmatch(pattern: str, *, repeats: bool) -> pa.Check:
    """A Table Schema pattern matches the whole value (XSD-style, implicitly anchored).

    pandera's ``str_matches`` only anchors the start; ``str.fullmatch`` anchors both
    ends with Python's ``re`` and with arrow's RE2 alike (RE2 rejects ``\\Z``).
    """

    def check(values: pd.Series) -> pd.Series:
        if not repeats:  # a unique column: factorising would only add work
            return values.str.fullmatch(pattern, na=False).astype(bool)
        # references repeat (indicator, area, source, as_of): test each distinct value once
        codes, uniques = pd.factorize(values)
        ok = pd.Series(uniques, dtype="string").str.fullmatch(pattern, na=False).to_numpy(dtype=bool)
        return pd.Series(ok[codes] if len(ok) else [], index=values.index, dtype=bool)

    return pa.Check(check, name="str_fullmatch", error=f"str_fullmatch({pattern!r})")


def _checks(field: dict[str, Any]) -> list[pa.Check]:
    c = field.get("constraints", {})
    checks = []
    if "pattern" in c:
        checks.append(_fullmatch(c["pattern"], repeats=not c.get("unique", False)))
    enum = enum_of(field)
    if enum and field.get("type") != "string":
        checks.append(pa.Check.isin(enum))
    if "minimum" in c:
        checks.append(pa.Check.ge(c["minimum"]))
    if "maximum" in c:
        checks.append(pa.Check.le(c["maximum"]))
    if "minLength" in c or "maxLength" in c:
        checks.append(pa.Check.str_length(c.get("minLength"), c.get("maxLength")))
    return checks


def schema_model(table_schema: dict[str, Any], name: str) -> pa.DataFrameSchema:
    """Return the pandera model of a Table Schema, for frames typed by `powdata._dtypes`."""
    columns = {}
    for f in table_schema["fields"]:
        c = f.get("constraints", {})
        dtype = field_dtype_name(f)
        columns[f["name"]] = pa.Column(
            _PANDERA_DTYPE.get(dtype, dtype) if dtype != "category" else None,
            checks=_checks(f),
            nullable=not c.get("required", False),
            unique=bool(c.get("unique", False)),
            required=True,
        )
    pk = table_schema.get("primaryKey") or []
    return pa.DataFrameSchema(columns, name=name, unique=pk if len(pk) > 1 else None, strict=False)


def check_frame(model: pa.DataFrameSchema, df: Any, resource: str) -> list[Problem]:
    """Validate ``df`` lazily and return every failure as a `Problem`."""
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _problems(exc.failure_cases, resource)
    return []


def _problems(cases: Any, resource: str) -> list[Problem]:
    out = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        rule = _RULE_OF_CHECK.get(check.split("(", 1)[0], check)
        index = case.index
        row = None if index is None or index != index else int(index) + 2
        column = None if case.column is None else str(case.column)
        if rule == "missing-column":
            column = str(case.failure_case)
        msg = f"{column} = {shown(case.failure_case)} breaks {rule} ({check})"
        if rule in ("required",):
            msg = f"{column} is empty but the schema requires a value"
        elif rule in ("unique", "primary-key"):
            msg = f"{column} = {shown(case.failure_case)} is not unique (rule {check})"
        elif rule == "missing-column":
            msg = f"expected column {column!r} but the file has none"
        out.append(Problem(rule, ERROR, msg, resource, row, column))
    return out
