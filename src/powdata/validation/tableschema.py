"""Pandera models generated from the Table Schemas — one source of truth, no drift.

`schema_model` turns a Table Schema into a ``pandera`` ``DataFrameSchema`` that
checks a frame typed by ``powdata._schema``. It owns every constraint on typed
values: ``pattern``, ``minimum``/``maximum``, ``minLength``/``maxLength``, a
non-string ``enum``, ``unique``, the ``primary-key`` and the ``foreign-key``s
(against the other typed frames). Whether a cell parses, is in a string enum or
is present when required belongs to the typer, which makes a bad cell missing:
every check here passes a missing cell, so no cell is reported twice.
Duplicates are reported from their second occurrence on, as Frictionless does.
(``pandera.io.from_frictionless_schema`` is not used: it drops foreign keys and
mis-types nullable integers.)
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from powdata._io.escape import shown
from powdata._schema import csv_row, enum_of
from powdata.validation.report import ERROR, Problem

# pandera's own check names -> powdata rule ids (the Table Schema constraint names)
_RULE_OF_CHECK = {
    "str_fullmatch": "pattern",
    "isin": "enum",
    "greater_than_or_equal_to": "minimum",
    "less_than_or_equal_to": "maximum",
    "str_length": "length",
}


@lru_cache(maxsize=256)
def re2_error(pattern: str) -> str | None:
    """Why RE2 cannot compile a Table Schema ``pattern`` (lookaround, backreferences, …), or None when it can.

    Asked twice per pattern (`pattern_problems` reports, `_checks` skips), answered once.

    Patterns are matched by RE2 (pyarrow's ``match_substring_regex``), which runs
    in time linear in the text; a pattern it refuses is reported, never handed
    to Python's backtracking ``re``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""], pa.string()), _anchored(pattern))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def _anchored(pattern: str) -> str:
    """A Table Schema pattern matches the whole value (XSD-style, implicitly anchored)."""
    return f"^(?:{pattern})$"


def _fullmatch(pattern: str, *, repeats: bool) -> pa.Check:
    """A check that each value matches ``pattern`` whole, run by RE2 (linear time; see `re2_error`)."""
    import pyarrow.compute as pc

    anchored = _anchored(pattern)

    def check(values: pd.Series) -> pd.Series:
        arr = _arrow_text(values)
        if repeats:  # references repeat (indicator, area, source, as_of): test each distinct value once
            encoded = pc.dictionary_encode(arr)
            ok = pc.take(pc.match_substring_regex(encoded.dictionary, anchored), encoded.indices)
        else:  # a unique column: encoding would only add work
            ok = pc.match_substring_regex(arr, anchored)
        return pd.Series(ok.fill_null(False).to_numpy(zero_copy_only=False), index=values.index, dtype=bool)

    return pa.Check(check, name="str_fullmatch", error=f"str_fullmatch({pattern!r})")


def _arrow(values: pd.Series) -> Any:
    """The column as one plain Arrow array: blocks (the large-file reader's) joined, a category's codes decoded."""
    import pyarrow

    arr = pyarrow.array(values.array)
    if isinstance(arr, pyarrow.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.dictionary_decode() if pyarrow.types.is_dictionary(arr.type) else arr


def _arrow_text(values: pd.Series) -> Any:
    """The column as an Arrow string array: without a copy when it is text, else its values written as text."""
    import pyarrow

    arr = _arrow(values)
    if pyarrow.types.is_string(arr.type) or pyarrow.types.is_large_string(arr.type):
        return arr
    return _arrow(values.astype("string"))


def pattern_problems(table_schema: dict[str, Any], name: str) -> list[Problem]:
    """A ``pattern`` RE2 cannot run is one error of its column (and is not run at all)."""
    out = []
    for f in table_schema["fields"]:
        pattern = f.get("constraints", {}).get("pattern")
        if isinstance(pattern, str) and (why := re2_error(pattern)) is not None:
            msg = (
                f"{f['name']}: pattern {shown(pattern)} cannot be run in linear time ({shown(why, 120)}); "
                "rewrite it without lookaround or backreferences"
            )
            out.append(Problem("pattern", ERROR, msg, name, None, f["name"]))
    return out


def _unique(rule: str, columns: list[str] | None = None) -> pa.Check:
    """No value (or tuple of ``columns``) occurs twice; the second and later occurrences fail."""

    def check(values: Any) -> Any:
        if columns is None:
            return ~values.duplicated(keep="first")
        key = values[columns]
        return ~(key.duplicated(keep="first") & key.notna().all(axis=1))

    return pa.Check(check, name=rule, error=f"{rule}({', '.join(columns or [])})")


def _in_target(target: pd.Series) -> Any:
    """A check function: each value occurs in ``target``; a missing value passes.

    Arrow's ``is_in`` hashes the target once, in C++ (a reference column of 200,000
    rows against a target of a million in 0.13 s), where both columns hold one type
    (`_base_type`): given two, it would cast one into the other and find "860" in
    860. Columns of two types (an integer against a number, against text) are
    compared as Python values, each distinct reference looked up once (pandas'
    arrow-backed ``isin`` is very slow against a large value set, so the target
    is scanned for the distinct references instead).
    """
    import pyarrow
    import pyarrow.compute as pc

    def check(values: pd.Series) -> pd.Series:
        try:
            refs, keys = _arrow(values), _arrow(target)
        except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError, pyarrow.ArrowNotImplementedError):
            refs = keys = None  # values Arrow cannot hold (parsed JSON objects): compared as Python values
        if refs is not None and _base_type(refs.type) == _base_type(keys.type):  # else is_in would cast ("860" = 860)
            found = pc.or_(pc.is_in(refs, value_set=keys, skip_nulls=True), pc.is_null(refs))
            return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)
        distinct = pd.Series(values.dropna().unique())
        known = set(target[target.isin(distinct).to_numpy(dtype=bool)].astype(object))
        return values.astype(object).isin(known) | values.isna()

    return check


def _base_type(arrow_type: Any) -> Any:
    """An Arrow type without what does not change a value's meaning: text is text, whatever its offsets' width."""
    import pyarrow

    return pyarrow.string() if pyarrow.types.is_large_string(arrow_type) else arrow_type


def _foreign_keys(schema: dict[str, Any], name: str, frames: dict[str, pd.DataFrame]) -> dict[str, list[pa.Check]]:
    """The foreign-key checks of ``schema``, per column (a key of several fields goes under its first)."""
    out: dict[str, list[pa.Check]] = {}
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        target_name = ref.get("resource") or name
        fields, ref_fields = list(fk["fields"]), list(ref["fields"])
        label = f"foreign-key({target_name}.{', '.join(ref_fields)})"
        target = frames.get(target_name)
        if target is None or not set(ref_fields) <= set(target.columns):
            continue  # the target is reported missing or malformed by its own checks
        if len(fields) == 1:
            check = pa.Check(_in_target(target[ref_fields[0]]), name="foreign-key", error=label)
        else:
            keys = pd.MultiIndex.from_frame(target[ref_fields].astype(object))

            def many(df: pd.DataFrame, fields: list[str] = fields, keys: pd.MultiIndex = keys) -> pd.Series:
                values = df[fields].astype(object)
                found = pd.MultiIndex.from_frame(values).isin(keys)
                return pd.Series(found, index=df.index) | values.isna().any(axis=1)

            check = pa.Check(many, name="foreign-key", error=label)
        out.setdefault(fields[0] if len(fields) == 1 else "", []).append(check)
    return out


def _checks(field: dict[str, Any]) -> list[pa.Check]:
    c = field.get("constraints", {})
    checks = []
    if "pattern" in c and re2_error(c["pattern"]) is None:  # one RE2 refuses is `pattern_problems`' to report
        checks.append(_fullmatch(c["pattern"], repeats=not c.get("unique", False)))
    enum = enum_of(field)
    if enum and field.get("type", "string") != "string":  # a string enum is typed as a categorical
        checks.append(pa.Check.isin(enum))
    if "minimum" in c:
        checks.append(pa.Check.ge(c["minimum"]))
    if "maximum" in c:
        checks.append(pa.Check.le(c["maximum"]))
    if "minLength" in c or "maxLength" in c:
        checks.append(pa.Check.str_length(c.get("minLength"), c.get("maxLength")))
    return checks


def schema_model(
    table_schema: dict[str, Any], name: str, frames: dict[str, pd.DataFrame] | None = None
) -> pa.DataFrameSchema:
    """Return the pandera model of a Table Schema; ``frames`` (the typed resources) resolve foreign keys."""
    fks = _foreign_keys(table_schema, name, frames or {})
    pk = list(table_schema.get("primaryKey") or [])
    columns = {}
    for f in table_schema["fields"]:
        checks = _checks(f)
        if f.get("constraints", {}).get("unique"):
            checks.append(_unique("unique"))
        elif pk == [f["name"]]:
            checks.append(_unique("primary-key"))
        checks += fks.get(f["name"], [])
        # no dtype: the typer made the column its field's dtype (a cell that does not parse is missing), and
        # a second check of it here cost more than all the constraints together (45 of 114 ms)
        columns[f["name"]] = pa.Column(None, checks=checks, nullable=True)
    frame_checks = fks.get("", [])
    if len(pk) > 1:
        frame_checks.append(_unique("primary-key", pk))
    return pa.DataFrameSchema(columns, checks=frame_checks, name=name, strict=False)


def check_frame(model: pa.DataFrameSchema, df: Any, resource: str) -> Iterator[Problem]:
    """Validate ``df`` lazily and yield each failure as a `Problem` (lazily: the report keeps a bounded number)."""
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        yield from _problems(exc.failure_cases, resource)


def _problems(cases: Any, resource: str) -> Iterator[Problem]:
    seen_rows: set[tuple[str, int | None]] = set()  # a frame-wide check fails once per column of a row
    for case in cases.itertuples(index=False):
        check = str(case.check)
        head = check.split("(", 1)[0]
        rule = _RULE_OF_CHECK.get(head, head)
        index = case.index
        row = None if index is None or index != index else csv_row(index)
        column = None if case.column is None else str(case.column)
        value = case.failure_case.item() if isinstance(case.failure_case, np.generic) else case.failure_case
        if case.schema_context == "DataFrameSchema":  # primary key or foreign key of several fields
            if (check, row) in seen_rows:
                continue
            seen_rows.add((check, row))
            column = None
            what = "repeats an earlier row's" if rule == "primary-key" else "is not found in the target's"
            msg = f"the key of row {row} {what} ({check})"
        elif rule in ("unique", "primary-key"):
            msg = f"{column} = {shown(value)} is not unique (rule {check})"
        elif rule == "foreign-key":
            msg = f"{column} = {shown(value)} is not found in {check[len('foreign-key(') : -1]}"
        else:
            msg = f"{column} = {shown(value)} breaks {rule} ({check})"
        ids = (str(value),) if rule == "foreign-key" and column else ()
        yield Problem(rule, ERROR, msg, resource, row, column, ids)
