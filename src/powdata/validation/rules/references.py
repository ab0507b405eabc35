"""Reference rules: no chain of ids loops; a variant names its statement.

That each reference resolves is the Table Schema's foreign key.

``part_of`` (a part and its whole), ``via_source_id`` (a source read through
another) and group membership (``area_members``) are each walked once by
`powdata._chains`, in time linear in the rows, whatever loops they hold; a loop
is an error that gives its path (``a → b → a``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from powdata._chains import chain_map, describe, graph_cycles, walk
from powdata._schema import csv_row
from powdata.validation.report import ERROR, Problem
from powdata.validation.rules._common import Context, rule


def _rows(df: pd.DataFrame, column: str) -> dict[str, int]:
    """The CSV row of the first occurrence of each id in ``column``."""
    ids = df[column].astype(object)
    first = ~ids.duplicated(keep="first") & ids.notna()
    return {str(k): csv_row(i) for k, i in zip(ids[first], df.index[first.to_numpy()], strict=True)}


def _chain_problems(
    df: pd.DataFrame, resource: str, id_col: str, ref_col: str, rule_id: str, what: str
) -> Iterator[Problem]:
    parent = chain_map(zip(df[id_col].astype(object), df[ref_col].astype(object), strict=True))
    w = walk({k: v for k, v in parent.items() if v is not None})
    rows = _rows(df, id_col)
    noun = resource[:-1]
    for cycle in w.cycles:
        loop = describe(cycle)
        for node in cycle:
            msg = f"{noun} {node}: {ref_col} {parent[node]} leads back to itself ({loop})"
            yield Problem(rule_id, ERROR, msg, resource, rows.get(node), ref_col, (str(node),))
    said: dict[int, str] = {}  # each loop described once, however many rows lead into it
    for node, cycle in w.into.items():
        loop = said.setdefault(id(cycle), describe(cycle))
        msg = f"{noun} {node}: {ref_col} {parent[node]} leads into a loop of {what} ({loop})"
        yield Problem(rule_id, ERROR, msg, resource, rows.get(node), ref_col, (str(node),))


@rule("part-of-cycle")
def rule_part_of_cycle(ctx: Context) -> Iterator[Problem]:
    """part_of never points at the row itself, nor round a loop of parts.

    A row on a loop is told it leads back to itself, with the loop's path; a
    row that only points into a loop is told so, and is not said to be on it.
    """
    yield from _chain_problems(
        ctx["observations"], "observations", "observation_id", "part_of", "part-of-cycle", "parts"
    )


@rule("via-source-cycle", needs=("sources",))
def rule_via_source_cycle(ctx: Context) -> Iterator[Problem]:
    """via_source_id never leads back to the source itself (read via itself, or two sources via each other)."""
    yield from _chain_problems(ctx["sources"], "sources", "source_id", "via_source_id", "via-source-cycle", "sources")


@rule("member-cycle", needs=("area_members",))
def rule_member_cycle(ctx: Context) -> Iterator[Problem]:
    """No group is a member of itself, directly or through other groups."""
    df = ctx["area_members"]
    edges: dict[str, list[str]] = {}
    for group, member in zip(df["area_id"].astype(object), df["member_id"].astype(object), strict=True):
        if isinstance(group, str) and isinstance(member, str):
            edges.setdefault(group, []).append(member)
    first: dict[str, int] = {}
    for i, group in zip(df.index, df["area_id"].astype(object), strict=True):
        first.setdefault(group, csv_row(i))
    for cycle in graph_cycles(edges):
        msg = f"area {cycle[0]} is a member of itself ({describe(cycle)})"
        yield Problem(
            "member-cycle", ERROR, msg, "area_members", first.get(cycle[0]), "member_id", tuple(map(str, cycle))
        )


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
        row = csv_row(str(i))
        out.append(Problem("variant-of-statement", ERROR, msg, "observations", row, "variant_of", (oid, target)))
    return out
