"""Reference rules: part_of never loops, a variant names its statement.

That each reference resolves is the Table Schema's foreign key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from powdata.validation.report import ERROR, Problem
from powdata.validation.rules._common import Context, csv_rows, rule


@rule("part-of-cycle")
def rule_part_of_cycle(ctx: Context) -> list[Problem]:
    """part_of never points at the row itself, nor round a loop of parts.

    A row on a loop is told it leads back to itself; a row that only points
    into a loop (or into a chain deeper than 64 levels) is told so, and is not
    said to be on the loop.
    """
    obs = ctx["observations"]
    obs = obs.loc[obs["part_of"].notna()]  # only a part can be on a loop
    ids = obs["observation_id"].astype(object)
    parent = dict(zip(ids, obs["part_of"].astype(object), strict=True))
    cur = obs["part_of"].astype(object)
    in_cycle = np.zeros(len(obs), dtype=bool)
    endless = np.zeros(len(obs), dtype=bool)
    for _ in range(64):  # nesting deeper than 64 levels is itself reported
        cur = cur.map(lambda p: parent.get(p) if isinstance(p, str) else None) if _ else cur
        hit = (cur == ids).fillna(False).to_numpy()
        in_cycle |= hit
        if cur.isna().all():
            break
    else:
        endless = cur.notna().to_numpy() & ~in_cycle
    out = []
    for mask, says in ((in_cycle, "leads back to itself"), (endless, "leads into a loop of parts (or nests past 64)")):
        for i, row in zip(mask.nonzero()[0], csv_rows(obs, mask), strict=True):
            oid = ids.iloc[i]
            msg = f"observation {oid}: part_of {obs['part_of'].iloc[i]} {says}"
            out.append(Problem("part-of-cycle", ERROR, msg, "observations", row, "part_of", (str(oid),)))
    return out


@rule("variant-of-statement")
def rule_variant_of_statement(ctx: Context) -> list[Problem]:
    """A variant words a statement: variant_of names another observation that is no variant itself, of the same
    indicator, area, period, as_of and stater."""
    obs = ctx["observations"]
    var = obs.loc[obs["variant_of"].notna().to_numpy()]
    if not len(var):
        return []
    key = ["indicator_id", "area_id", "period_start", "period_end", "as_of", "stated_by", "variant_of"]
    by_id = obs.drop_duplicates("observation_id").set_index(obs["observation_id"].drop_duplicates().astype(object))
    out = []
    for i, r in var.iterrows():
        oid, target = str(r["observation_id"]), str(r["variant_of"])
        if target not in by_id.index:
            continue  # a dangling reference is the foreign key's
        t = by_id.loc[target]
        if target == oid:
            why = "names itself"
        elif not pd.isna(t["variant_of"]):
            why = f"names {target}, itself a variant of {t['variant_of']}; name the statement"
        else:
            differ = [k for k in key[:-1] if not (pd.isna(r[k]) and pd.isna(t[k])) and r[k] != t[k]]
            if not differ:
                continue
            why = f"differs from its statement {target} in {', '.join(differ)}"
        msg = f"observation {oid}: variant_of {why}"
        row = int(str(i)) + 2
        out.append(Problem("variant-of-statement", ERROR, msg, "observations", row, "variant_of", (oid, target)))
    return out
