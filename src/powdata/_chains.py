"""Reference chains (``via_source_id``, ``part_of``, group membership) walked once, in linear time.

A chain is a map from an id to the id it points at (or None). `walk` visits
every id once and returns the ids in an order in which each comes after the id
it points at, and every loop as its path; `resolve` and `ends` answer "the first
id along my chain with a property" and "where my chain ends" for every id with
one pass over that order. A chain that loops or points at an unknown id never
makes any of these run for ever or in more than linear time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class Walk:
    """Every id of a chain map, parents first (``order``), and every loop as the path round it (``cycles``)."""

    parent: dict[Any, Any]
    order: list[Any] = field(default_factory=list)
    cycles: list[list[Any]] = field(default_factory=list)
    into: dict[Any, list[Any]] = field(default_factory=dict)
    """Each id that is not on a loop but leads into one: the loop it reaches."""
    dangling: dict[Any, Any] = field(default_factory=dict)
    """Each id that points at an id not in the map: that id."""


def _present(value: Any) -> bool:
    return isinstance(value, str)  # ids are text; a missing cell (NA, None, NaN) is no id


def chain_map(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, Any]:
    """The chain map of (id, points-at) text pairs: a missing id is left out, a missing target is None.

    An id given twice keeps its first target (the duplicate is the primary key's to report).
    """
    out: dict[Any, Any] = {}
    for key, target in pairs:
        if _present(key) and key not in out:
            out[key] = target if _present(target) else None
    return out


def walk(parent: Mapping[Any, Any]) -> Walk:
    """Walk every chain of ``parent`` once: linear in the number of ids, whatever loops it holds."""
    result = Walk(dict(parent))
    done: set[Any] = set()
    loop_of: dict[Any, list[Any]] = {}
    for start in parent:
        if start in done:
            continue
        path: list[Any] = []
        pos: dict[Any, int] = {}
        node: Any = start
        while node is not None and node in parent and node not in done and node not in pos:
            pos[node] = len(path)
            path.append(node)
            node = parent[node]
        cut = len(path)
        reached: list[Any] | None = None
        if node is not None and node in pos:  # round a loop that this path closed
            cut = pos[node]
            reached = path[cut:]
            result.cycles.append(reached)
            for n in reached:
                loop_of[n] = reached
        elif node is not None and node in done:  # into a loop (or a chain) found before
            reached = loop_of.get(node) or result.into.get(node)
        elif node is not None and node not in parent and path:
            result.dangling[path[-1]] = node
        for n in path[:cut]:
            if reached is not None:
                result.into[n] = reached
        done.update(path)
        result.order.extend(reversed(path[:cut]))
    return result


def resolve(w: Walk, own: Callable[[Any], V | None]) -> dict[Any, V | None]:
    """For every id, ``own`` of the first id along its chain (itself first) where it is not None.

    On a loop the chain goes round it once; an id pointing at an unknown id gets None from there.
    """
    out: dict[Any, V | None] = {}
    for cycle in w.cycles:
        values = [own(c) for c in cycle]
        nxt: V | None = None
        for i in range(2 * len(cycle) - 1, -1, -1):
            value = values[i % len(cycle)]
            nxt = value if value is not None else nxt
            if i < len(cycle):
                out[cycle[i]] = nxt
    for node in w.order:  # parents first, so out[parent] is known
        value = own(node)
        if value is None:
            target = w.parent[node]
            value = out.get(target) if target is not None else None
        out[node] = value
    return out


def ends(w: Walk) -> dict[Any, Any]:
    """Where each id's chain ends: the last id it reaches, or the unknown id it points at.

    An id on a loop ends at itself; an id leading into a loop ends where it enters it.
    """
    on_loop = {c for cycle in w.cycles for c in cycle}
    out: dict[Any, Any] = {c: c for c in on_loop}
    for node in w.order:  # parents first, so out[target] is known
        target = w.parent[node]
        if target is None:
            out[node] = node
        elif target not in w.parent or target in on_loop:
            out[node] = target
        else:
            out[node] = out[target]
    return out


def describe(path: list[Any], limit: int = 6) -> str:
    """A loop as ``a → b → a``, its middle cut when long."""
    if len(path) > limit:  # only the ends are turned into text: a loop of 10⁵ ids costs no more than one of 6
        shown = [*map(str, path[: limit // 2]), f"… {len(path) - limit} more …", *map(str, path[-(limit // 2) :])]
    else:
        shown = [str(p) for p in path]
    return " → ".join([*shown, str(path[0])])


def graph_cycles(edges: Mapping[Any, Iterable[Any]]) -> list[list[Any]]:
    """The loops of a graph in which an id may point at several (a group and its members), one path per loop found.

    An iterative depth-first search: each id and each edge is visited once, so
    the time is linear in the size of the graph, and no recursion limit is hit.
    """
    state: dict[Any, int] = {}  # 1: on the current path, 2: done
    out: list[list[Any]] = []
    for start in edges:
        if start in state:
            continue
        path: list[Any] = [start]
        pos = {start: 0}
        state[start] = 1
        stack = [iter(edges.get(start, ()))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                done = path.pop()
                pos.pop(done)
                state[done] = 2
                continue
            seen = state.get(nxt)
            if seen == 1:
                out.append(path[pos[nxt] :])
            elif seen is None:
                state[nxt] = 1
                pos[nxt] = len(path)
                path.append(nxt)
                stack.append(iter(edges.get(nxt, ())))
    return out
