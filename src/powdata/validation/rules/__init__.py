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

from powdata._vintages import reduced_date_bounds
from powdata.validation.report import Problem
from powdata.validation.rules import counts, excerpts, references, values, wholes  # noqa: F401  # each module registers its rules
from powdata.validation.rules._common import RULES, Context, Frames, Rule, map_ids, rule
from powdata.validation.rules.excerpts import figure_forms, figure_pattern

REQUIRED_RESOURCES = ("observations", "indicators", "areas", "area_members", "mentions", "sources")


@rule("missing-resource", needs=())
def rule_missing_resource(ctx: Context) -> list[Problem]:
    """The tables the rules read are all in the package (the rules that need a missing one do not run)."""
    from powdata.validation.report import ERROR

    missing = [r for r in REQUIRED_RESOURCES if r not in ctx.frames]
    if not missing:
        return []
    msg = f"the cross-table rules need the resources {', '.join(missing)}, which are missing or not tables"
    return [Problem("missing-resource", ERROR, msg)]


def run_rules(frames: Frames, *, today: dt.date | None = None, texts: dict[str, str] | None = None) -> list[Problem]:
    """Run every registered rule whose resources are present over typed frames.

    ``today`` is the date the future-date rule compares with (default: today);
    ``texts`` maps a source_id to its archived text, for the excerpt-verbatim rule
    (which passes when no texts are given: `powdata.validate` always gives them).
    """
    ctx = Context(frames, today or dt.date.today(), texts)
    problems: list[Problem] = []
    for rid, r in RULES.items():
        if not all(name in frames for name in r.needs):
            continue  # reported once by missing-resource
        for p in r.check(ctx):
            if p.rule != rid:  # the contract: a rule yields problems of its own id only
                msg = f"rule {rid!r} yielded a problem of rule {p.rule!r}"
                raise AssertionError(msg)
            problems.append(p)
    return problems


__all__ = [
    "REQUIRED_RESOURCES",
    "RULES",
    "Context",
    "Frames",
    "Rule",
    "figure_forms",
    "figure_pattern",
    "map_ids",
    "reduced_date_bounds",
    "rule",
    "run_rules",
]
