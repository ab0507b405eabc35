"""Part and whole rules: subtotals and subsets never exceed their whole, on intervals."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from powdata._schema import csv_row
from powdata.intervals import add_bounds, certainly_above, is_approximate
from powdata.validation.report import ERROR, Problem
from powdata.validation.rules._common import Context, fmt_number, list_ids, rule, severity


def _joined(ctx: Context) -> pd.DataFrame:
    """Each part joined to its whole, with both intervals (computed once per run, shared by three rules)."""
    return ctx.memo("parts-and-wholes", lambda: _with_wholes(ctx))


def _same_unit(ctx: Context) -> pd.DataFrame:
    """The parts counted in their whole's unit (the others are part-unit-mismatch, and not compared)."""
    j = _joined(ctx)
    return j.loc[(j["unit"] == j["unit_whole"]).to_numpy()]


def _with_wholes(ctx: Context) -> pd.DataFrame:
    obs = ctx["observations"]
    parts_of = pd.Series(obs["part_of"].dropna().unique())
    keep = obs["part_of"].notna().to_numpy(dtype=bool, copy=True)
    keep |= pd.Index(parts_of).get_indexer(obs["observation_id"]) >= 0  # the wholes
    obs = add_bounds(obs.loc[keep].assign(unit=ctx.units.loc[keep]))
    obs["row_index"] = obs.index  # its CSV row is csv_row of it
    obs["_approx"] = is_approximate(obs["qualifier"])
    parts = obs.loc[obs["part_of"].notna()]
    # an id used twice is the primary key's to report; joining on it would multiply rows (n parts x n wholes)
    wholes = obs.loc[~obs["observation_id"].duplicated(keep="first").to_numpy()].set_index("observation_id")
    cols = ["indicator_id", "unit", "lower", "upper", "lower_open", "upper_open", "value", "_approx"]
    joined = parts.merge(wholes[cols].add_suffix("_whole"), left_on="part_of", right_index=True, how="left").set_index(
        parts.index
    )
    return joined.loc[joined["indicator_id_whole"].notna()]


@rule("part-unit-mismatch", needs=("observations", "indicators"))
def rule_part_unit_mismatch(ctx: Context) -> Iterator[Problem]:
    """A part is counted in the unit of its whole."""
    j = _joined(ctx)
    for _, r in j.loc[(j["unit"] != j["unit_whole"]).to_numpy()].iterrows():
        msg = f"observation {r.observation_id} is counted in {r.unit} but its whole {r.part_of} is in {r.unit_whole}"
        ids = (r.observation_id, r.part_of)
        yield Problem("part-unit-mismatch", ERROR, msg, "observations", csv_row(r["row_index"]), "part_of", ids)


@rule("parts-within-whole", needs=("observations", "indicators"))
def rule_parts_within_whole(ctx: Context) -> Iterator[Problem]:
    """Subtotals of one indicator never add up to more than their whole (a variant is not a second subtotal)."""
    j = _same_unit(ctx)
    sub = j.loc[(j["indicator_id"] == j["indicator_id_whole"]).to_numpy() & j["variant_of"].isna().to_numpy()]
    if not len(sub):
        return
    g = sub.groupby("part_of", sort=False, observed=True)
    agg = pd.DataFrame(
        {
            "lower": g["lower"].sum(),
            "lower_open": g["lower_open"].any(),
            "nominal": g["value"].sum(),
            "approx": g["_approx"].any(),
            "n": g.size(),
            "ids": g["observation_id"].agg(list),
            "first_row_index": g["row_index"].min(),
        }
    )
    whole = sub.drop_duplicates("part_of").set_index("part_of")
    agg = agg.join(whole[["upper_whole", "upper_open_whole", "value_whole", "_approx_whole"]])
    over = certainly_above(agg["lower"], agg["lower_open"], agg["upper_whole"], agg["upper_open_whole"])
    approx = agg["approx"] | agg["_approx_whole"]
    nominal_over = agg["nominal"] > agg["value_whole"]
    for pid, r in agg.loc[(over & ~approx) | (approx & nominal_over)].iterrows():
        sev = severity(r.approx, r._approx_whole)
        qual = "certainly " if sev == ERROR else "may, depending on how approximate the figures are, "
        msg = (
            f"parts {fmt_number(r.nominal)} {qual}exceed whole {fmt_number(r.value_whole)} (observation {pid}): "
            f"its {r.n} parts {list_ids(r.ids)} add up to at least {fmt_number(r.lower)}, the whole is at most "
            f"{fmt_number(r.upper_whole)}"
        )
        row = csv_row(r["first_row_index"])
        yield Problem("parts-within-whole", sev, msg, "observations", row, "value", (str(pid), *r.ids))


@rule("subset-within-whole", needs=("observations", "indicators"))
def rule_subset_within_whole(ctx: Context) -> Iterator[Problem]:
    """A subset (a part of another indicator) never exceeds its whole."""
    j = _same_unit(ctx)
    subs = j.loc[j["indicator_id"] != j["indicator_id_whole"]]
    over = certainly_above(subs["lower"], subs["lower_open"], subs["upper_whole"], subs["upper_open_whole"])
    approx = subs["_approx"] | subs["_approx_whole"]
    nominal_over = subs["value"] > subs["value_whole"]
    for _, r in subs.loc[(over & ~approx) | (approx & nominal_over)].iterrows():
        sev = severity(r._approx, r._approx_whole)
        msg = (
            f"observation {r.observation_id} ({fmt_number(r.value)}, {r.qualifier}) is a subset of {r.part_of} "
            f"but exceeds it ({fmt_number(r.value_whole)})"
        )
        ids = (r.observation_id, r.part_of)
        yield Problem("subset-within-whole", sev, msg, "observations", csv_row(r["row_index"]), "value", ids)
