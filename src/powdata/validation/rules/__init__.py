"""Cross-row and cross-table consistency rules, on intervals.

Every rule is one function of one `Context` that yields problems of exactly one
id, registered under that id in `RULES` by ``@rule("the-id")`` (see
``powdata.validation.rules._common``). Rules are vectorised (packages of a million
observations are checked in seconds). A rule raises an **error** only for a
certain contradiction; where the answer depends on the tolerance given to
"approximately" it raises a **warning** (one helper, ``severity``, decides).

What a rule checks is the first line of its docstring; ``python -c "import
powdata.validation.rules as r; [print(x.id, '-', x.summary) for x in r.RULES.values()]"``
lists them. That each reference resolves is not a rule: it is the Table
Schema's foreign key, checked by the Pandera models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd

from powdata._vintages import reduced_date_bounds
from powdata.validation.report import Problem
from powdata.validation.rules import counts, excerpts, references, values, wholes  # noqa: F401  # each module registers its rules
from powdata.validation.rules._common import RULES, Context, Frames, Rule, map_ids, rule
from powdata.validation.rules.excerpts import figure_pattern

REQUIRED_RESOURCES = ("observations", "quotes", "indicators", "areas", "area_members", "mentions", "sources")
_S, _D, _N = "string", "date", "number"
REQUIRED_COLUMNS: dict[str, dict[str, str]] = {
    "observations": {
        **dict.fromkeys(["observation_id", "indicator_id", "area_id", "as_of", "as_of_basis", "qualifier"], _S),
        **{"period_start": _D, "period_end": _D, "value": _N, "value_max": _N},
        **dict.fromkeys(["part_of", "variant_of", "stated_by"], _S),
    },
    "quotes": dict.fromkeys(["quote_id", "observation_id", "source_id", "excerpt"], _S),
    "indicators": {"indicator_id": _S, "unit": _S, "cumulative": "boolean", "about_indicator_id": _S},
    "areas": {"area_id": _S, "name": _S, "kind": _S},
    "area_members": {"area_id": _S, "member_id": _S},
    "mentions": dict.fromkeys(
        ["mention_id", "indicator_id", "area_id", "as_of", "stated_by", "quoted_in", "excerpt"], _S
    ),
    "sources": {"source_id": _S, "published": _D, "language": _S, "via_source_id": _S},
}
"""The columns (and Table Schema types) the rules read; a rule whose columns are not there does not run."""


def _has_type(column: pd.Series, ftype: str) -> bool:
    """True when a typed column holds what a Table Schema ``ftype`` field is typed as (see ``powdata._schema``)."""
    dtype = column.dtype
    if ftype == "string":
        return isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype)
    if ftype == "date":
        return pd.api.types.is_datetime64_any_dtype(dtype)
    if ftype == "boolean":
        return pd.api.types.is_bool_dtype(dtype)
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _bad_columns(frames: Frames) -> dict[str, list[tuple[str, str]]]:
    """Per resource present, the (column, type) pairs the rules need that it lacks or types otherwise."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name, columns in REQUIRED_COLUMNS.items():
        df = frames.get(name)
        if df is None:
            continue
        bad = [(c, t) for c, t in columns.items() if c not in df.columns or not _has_type(df[c], t)]
        if bad:
            out[name] = bad
    return out


@rule("missing-resource", needs=())
def rule_missing_resource(ctx: Context) -> list[Problem]:
    """The tables the rules read are all in the package (the rules that need a missing one do not run)."""
    from powdata.validation.report import ERROR

    missing = [r for r in REQUIRED_RESOURCES if r not in ctx.frames]
    if not missing:
        return []
    msg = f"the cross-table rules need the resources {', '.join(missing)}, which are missing or not tables"
    return [Problem("missing-resource", ERROR, msg)]


@rule("rule-input", needs=())
def rule_rule_input(ctx: Context) -> list[Problem]:
    """The columns the rules read are there with the types they need (a renamed or retyped one is reported)."""
    from powdata.validation.report import ERROR

    out = []
    for name, bad in _bad_columns(ctx.frames).items():
        for column, ftype in bad:
            found = f"type {ctx.frames[name][column].dtype}" if column in ctx.frames[name].columns else "no such column"
            msg = f"the cross-table rules need column {column!r} of type {ftype} in {name}, but found {found}"
            out.append(Problem("rule-input", ERROR, msg, name, None, column))
    return out


def run_rules(frames: Frames, *, today: dt.date | None = None, texts: dict[str, str] | None = None) -> list[Problem]:
    """Run every registered rule whose resources are present over typed frames.

    ``today`` is the date the future-date rule compares with (default: today).
    ``texts`` is accepted for packages older than 1.0.0, which archived texts;
    no rule reads it (maintainers check excerpts with ``powdata evidence``).
    """
    return list(iter_rules(frames, today=today, texts=texts))


def iter_rules(
    frames: Frames, *, today: dt.date | None = None, texts: dict[str, str] | None = None
) -> Iterator[Problem]:
    """`run_rules`, yielding each problem as found (so a capped report never holds them all at once)."""
    ctx = Context(frames, today or dt.date.today(), texts)
    unusable = set(_bad_columns(frames))
    for rid, r in RULES.items():
        if not all(name in frames and name not in unusable for name in r.needs):
            continue  # reported once by missing-resource or rule-input
        for p in r.check(ctx):
            if p.rule != rid:  # the contract: a rule yields problems of its own id only
                msg = f"rule {rid!r} yielded a problem of rule {p.rule!r}"
                raise AssertionError(msg)
            yield p


__all__ = [
    "REQUIRED_COLUMNS",
    "REQUIRED_RESOURCES",
    "RULES",
    "Context",
    "Frames",
    "Rule",
    "figure_pattern",
    "iter_rules",
    "map_ids",
    "reduced_date_bounds",
    "rule",
    "run_rules",
]
