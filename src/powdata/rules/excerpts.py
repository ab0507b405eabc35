"""Excerpt and ethics rules: each excerpt carries its figure; no column identifies a person."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from powdata.report import ERROR, Problem
from powdata.rules._common import Context, rule

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


PERSONAL_COLUMNS = re.compile(
    r"^(first_?name|last_?name|surname|full_?name|person(_name)?|age|birth.*|date_of_birth|dob|photo.*|image.*|"
    r"passport.*|address|phone.*|email|unit_number|rank_military|captured_on|story|biography)$",
    re.IGNORECASE,
)


def figure_forms(value: float, unit: str) -> list[str]:
    """Return the ways a text may write ``value`` in ``unit`` ("16,894", "49%", "first")."""
    if value is None or pd.isna(value):
        return []
    num = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    plain = num.replace(",", "")
    if unit == "percent":
        return [f"{n}{sep}%" for n in {num, plain} for sep in ("", " ", "\xa0")] + [
            f"{plain} per cent",
            f"{plain} percent",
        ]
    if unit == "rank":
        v = int(value)
        forms = [f"{v}{'th' if 10 <= v % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(v % 10, 'th')}"]
        if 1 <= v <= len(ORDINALS):
            forms.append(ORDINALS[v - 1])
        return forms
    return list(dict.fromkeys([num, plain, num.replace(",", "\xa0"), num.replace(",", " ")]))


@lru_cache(maxsize=4096)
def figure_pattern(value: float, unit: str) -> re.Pattern[str]:
    """One compiled pattern matching any way of writing ``value`` in ``unit``, not inside a longer number."""
    alternatives = []
    for form in figure_forms(value, unit):
        alternatives.append(re.escape(form) + (r"(?!\d)" if form[-1].isdigit() else ""))
    return re.compile(r"(?<![\d.,])(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


@rule("excerpt-carries-figure", needs=("observations", "indicators"))
def rule_excerpt_carries_figure(ctx: Context) -> list[Problem]:
    """The excerpt contains the figure as the text writes it ("16,894", "49%", "first").

    Each distinct (excerpt, value, unit) is checked once, with one compiled
    pattern per (value, unit).
    """
    obs = ctx["observations"]
    trip = pd.DataFrame(
        {"excerpt": obs["excerpt"], "value": obs["value"].astype("float64"), "unit": ctx.units}
    ).dropna()
    distinct = trip.drop_duplicates()
    failing = [
        not figure_pattern(float(v), str(u)).search(str(e))
        for e, v, u in zip(distinct["excerpt"], distinct["value"], distinct["unit"], strict=True)
    ]
    bad = distinct.loc[np.asarray(failing, dtype=bool)]
    out = []
    if len(bad):
        hits = trip.reset_index().merge(bad, on=["excerpt", "value", "unit"]).set_index("index").sort_index()
        for i, r in hits.iterrows():
            oid = str(obs.at[i, "observation_id"])
            shown = " or ".join(repr(f) for f in figure_forms(r.value, r.unit)[:3])
            msg = f"observation {oid}: the excerpt does not contain the figure as text would write it ({shown})"
            out.append(
                Problem("excerpt-carries-figure", ERROR, msg, "observations", int(str(i)) + 2, "excerpt", (str(oid),))
            )
    return out


@rule("mention-names-area", needs=("mentions", "areas"))
def rule_mention_names_area(ctx: Context) -> list[Problem]:
    """A mention's excerpt names its area."""
    out = []
    men, areas = ctx["mentions"], ctx["areas"]
    names = dict(zip(areas["area_id"], areas["name"].astype(object), strict=True))
    rows = zip(men["mention_id"], men["area_id"], men["excerpt"].astype(object), strict=True)
    for i, (mid, aid, excerpt) in enumerate(rows):
        name = names.get(aid)
        if (
            isinstance(name, str)
            and isinstance(excerpt, str)
            and name.lower() not in excerpt.replace("\xa0", " ").lower()
        ):
            msg = f"mention {mid}: the excerpt does not name {name!r} (area {aid})"
            out.append(
                Problem("mention-names-area", ERROR, msg, "mentions", int(men.index[i]) + 2, "excerpt", (str(mid),))
            )
    return out


@rule("no-personal-data", needs=())
def rule_no_personal_data(ctx: Context) -> list[Problem]:
    """No resource has a column that could identify or describe an individual."""
    out = []
    for name, df in ctx.frames.items():
        for col in df.columns:
            if PERSONAL_COLUMNS.match(str(col)):
                msg = f"column {col!r} could identify or describe a person; powdata publishes aggregates only"
                out.append(Problem("no-personal-data", ERROR, msg, name, None, str(col)))
    return out
