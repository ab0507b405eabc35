"""Reference rules: foreign keys resolve, and part_of never loops."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from powdata._package import shown
from powdata.report import ERROR, Problem
from powdata.rules._common import Frames, csv_rows


def rule_foreign_key(frames: Frames, schemas: dict[str, dict[str, Any]]) -> list[Problem]:
    """Every foreign key resolves to a row of the referenced resource."""
    out = []
    for name, schema in schemas.items():
        df = frames.get(name)
        if df is None:
            continue
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            target = frames.get(ref.get("resource") or name)
            if target is None or len(fk["fields"]) != 1:
                continue
            col, ref_col = fk["fields"][0], ref["fields"][0]
            if col not in df.columns or ref_col not in target.columns:
                continue
            values = df[col]
            # look up each distinct reference once, scanning the target for just those values:
            # arrow-backed isin is fast against a small value set and very slow against a large one
            distinct = pd.Series(values.dropna().unique())
            targets = target[ref_col]
            found = set(targets[targets.isin(distinct).to_numpy(dtype=bool)].astype(object))
            missing = distinct[~distinct.astype(object).isin(found).to_numpy(dtype=bool)]
            if missing.empty:
                continue
            bad = values.isin(missing).fillna(False).to_numpy(dtype=bool)
            for i in bad.nonzero()[0]:
                v = values.iloc[i]
                msg = f"{col} = {shown(v)} is not found in {ref.get('resource') or name}.{ref_col}"
                out.append(Problem("foreign-key", ERROR, msg, name, int(i) + 2, col, (str(v),)))
    return out


def rule_part_of_cycle(frames: Frames) -> list[Problem]:
    """part_of never points at the row itself, nor round a loop of parts.

    A row on a loop is told it leads back to itself; a row that only points
    into a loop (or into a chain deeper than 64 levels) is told so, and is not
    said to be on the loop.
    """
    obs = frames["observations"]
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
