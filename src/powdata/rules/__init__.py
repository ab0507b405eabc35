"""Cross-row and cross-table consistency rules, on intervals.

Every rule has a stable id, is vectorised (packages of a million observations
are checked in seconds), and returns `Problem` records. A rule raises an
**error** only for a certain contradiction; where the answer depends on the
tolerance given to "approximately" it raises a **warning**.

| rule id                  | what it checks |
|--------------------------|----------------|
| foreign-key              | every reference resolves (also checked by Frictionless) |
| unit-range               | percent in [0, 100]; persons, countries and ranks whole numbers; rank ≥ 1 |
| date-order               | period_start ≤ period_end ≤ as_of |
| as-of-after-published    | as_of not after the source's publication (or that of the text it was read in) |
| future-date              | no date after today |
| part-of-cycle            | part_of never points to the row itself or round a loop |
| part-unit-mismatch       | a part is counted in the unit of its whole |
| parts-within-whole       | subtotals of one indicator never add up to more than their whole |
| subset-within-whole      | a subset (another indicator) never exceeds its whole |
| ranks-unique             | one rank per place, per indicator and vintage |
| named-within-stated      | countries named (ranked, mentioned, group members) never outnumber those stated |
| one-value-per-key        | one value per indicator, area, period, as_of and source |
| cumulative-never-shrinks | a cumulative indicator never falls from one vintage to the next |
| excerpt-verbatim         | the excerpt is a verbatim slice of the archived text it is quoted from |
| excerpt-carries-figure   | the excerpt contains the figure as its language writes it ("16,894", "3 388", "18 тисяч") |
| qualifier-matches-words  | the qualifier is what the words before the figure say ("понад" → more_than) |
| mention-names-area       | a mention's excerpt names its area |
| no-personal-data         | no column that could identify a person |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd

from powdata._dtypes import reduced_date_bounds
from powdata.report import ERROR, Problem
from powdata.rules._common import Frames, map_ids, units_of
from powdata.rules.counts import rule_cumulative, rule_named_within_stated, rule_one_value_per_key, rule_ranks_unique
from powdata.rules.excerpts import (
    figure_forms,
    figure_pattern,
    rule_excerpt_verbatim,
    rule_excerpts,
    rule_no_personal_data,
    rule_qualifier_words,
)
from powdata.rules.references import rule_foreign_key, rule_part_of_cycle
from powdata.rules.values import rule_dates, rule_unit_range
from powdata.rules.wholes import rule_parts_within_whole

CROSS_RULES: list[tuple[str, Callable[[Frames], list[Problem]]]] = [
    ("unit-range", rule_unit_range),
    ("dates", rule_dates),
    ("part-of-cycle", rule_part_of_cycle),
    ("parts-within-whole", rule_parts_within_whole),
    ("ranks-unique", rule_ranks_unique),
    ("named-within-stated", rule_named_within_stated),
    ("one-value-per-key", rule_one_value_per_key),
    ("cumulative-never-shrinks", rule_cumulative),
    ("excerpts", rule_excerpts),
    ("qualifier-matches-words", rule_qualifier_words),
    ("no-personal-data", rule_no_personal_data),
]

REQUIRED_RESOURCES = ("observations", "indicators", "areas", "area_members", "mentions", "sources")
_S, _D = "string", "date"
REQUIRED_COLUMNS: dict[str, dict[str, str]] = {
    "observations": {
        **dict.fromkeys(["observation_id", "indicator_id", "area_id", "as_of", "qualifier", "part_of"], _S),
        **{"period_start": _D, "period_end": _D, "value": "number", "source_id": _S, "excerpt": _S},
    },
    "indicators": {"indicator_id": _S, "unit": _S, "cumulative": "boolean", "about_indicator_id": _S},
    "areas": {"area_id": _S, "name": _S, "kind": _S},
    "area_members": {"area_id": _S, "member_id": _S},
    "mentions": dict.fromkeys(["mention_id", "indicator_id", "area_id", "as_of", "source_id", "excerpt"], _S),
    "sources": {"source_id": _S, "published": _D, "via_source_id": _S},
}
"""The columns (and Table Schema types) the cross rules read; without them the rules cannot run."""


def _shape_problems(frames: Frames, schemas: dict[str, dict[str, Any]]) -> list[Problem]:
    """One problem per column the rules need that a resource lacks or types differently."""
    out = []
    for name, columns in REQUIRED_COLUMNS.items():
        fields = schemas.get(name, {}).get("fields")
        types = {f["name"]: f.get("type", "string") for f in fields} if fields else None
        for column, ftype in columns.items():  # types are checked when the schemas are given
            if column not in frames[name].columns or (types is not None and types.get(column) != ftype):
                msg = (
                    f"the cross-table rules need column {column!r} of type {ftype} in {name}, but found "
                    f"{'type ' + str(types[column]) if types and column in types else 'no such column'}"
                )
                out.append(Problem("missing-column", ERROR, msg, name, None, column))
    return out


def run_cross_rules(
    frames: Frames,
    schemas: dict[str, dict[str, Any]],
    *,
    today: dt.date | None = None,
    texts: dict[str, str] | None = None,
) -> list[Problem]:
    """Run the foreign-key check and every cross rule over typed frames.

    ``today`` is the date the future-date rule compares with; ``texts`` maps a
    source_id to its archived text, for the excerpt-verbatim rule (which needs the
    package's texts, so it runs only when they are given: `powdata.validate` always
    gives them).
    """
    problems = rule_foreign_key(frames, schemas)
    missing = [r for r in REQUIRED_RESOURCES if r not in frames]
    if missing:
        msg = f"the cross-table rules need the resources {', '.join(missing)}, which are missing or unreadable"
        return [*problems, Problem("missing-resource", ERROR, msg)]
    shape = _shape_problems(frames, schemas)
    if shape:
        return problems + shape
    frames = {**frames, "_units": pd.DataFrame({"unit": units_of(frames)})}  # shared by four rules
    for name, rule in CROSS_RULES:
        problems += rule_dates(frames, today) if name == "dates" else rule(frames)
    if texts is not None:
        problems += rule_excerpt_verbatim(frames, texts)
    return problems


__all__ = [
    "CROSS_RULES",
    "REQUIRED_COLUMNS",
    "REQUIRED_RESOURCES",
    "Frames",
    "figure_forms",
    "figure_pattern",
    "map_ids",
    "reduced_date_bounds",
    "rule_cumulative",
    "rule_dates",
    "rule_excerpt_verbatim",
    "rule_excerpts",
    "rule_foreign_key",
    "rule_named_within_stated",
    "rule_no_personal_data",
    "rule_one_value_per_key",
    "rule_part_of_cycle",
    "rule_parts_within_whole",
    "rule_qualifier_words",
    "rule_ranks_unique",
    "rule_unit_range",
    "run_cross_rules",
]
