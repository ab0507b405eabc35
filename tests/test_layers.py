"""The layers point one way: no module imports from a layer above its own (a rule, not a list of files)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "powdata"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names), wherever in the file the import stands."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


# The rule, bottom to top: a module imports only from its own layer or below (wherever in the file
# the import stands). A module is placed by the longest name below that starts its dotted name.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "_resources"),  # the errors and the generated names: import nothing of powdata
    # I/O, typing, and what the opened package caches: its typed tables and the labels every frame carries
    (
        "_package",
        "_io",
        "_schema",
        "_chains",
        "intervals",
        "_vintages",
        "_derived",
        "_tables",
        "_citation",
        "_language",
    ),
    (
        "package",
        "loader",
        "views",  # views/: figures, statements and the views built on them
        "charts",
        "export",  # export/: the dispatcher, SQLite, Data Package v1
        "validation",
        "citation",  # powdata.cite
    ),  # the opened package and everything users call
    ("release", "evidence", "site"),  # the maintainers' tools: build, registry, codebook, diff; texts; the site
    ("cli", "__main__", "__init__"),  # the shell and the public namespace
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _layer(name: str) -> int | None:
    """The layer of the module ``name`` (relative to powdata), by the longest matching entry of LAYERS."""
    best: tuple[int, int] | None = None
    for rank, entries in enumerate(LAYERS):
        for entry in entries:
            matches = name == entry or name.startswith(entry + ".")
            if matches and (best is None or len(entry) > best[1]):
                best = (rank, len(entry))
    return None if best is None else best[0]


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_no_upward_import(path: Path) -> None:
    """A module imports nothing from a layer above its own (so data flows one way, files to the CLI)."""
    me = _module_name(path)
    rank = _layer(me)
    assert rank is not None, f"{me} is in no layer of LAYERS; place it"
    known = {_module_name(p) for p in MODULES}
    upward = []
    for full in _imports(path):
        if not full.startswith("powdata."):
            continue
        name = full[len("powdata.") :]
        while name and name not in known and "." in name:  # `from powdata.x import f` names f, not a module
            name = name.rsplit(".", 1)[0]
        if name not in known:
            continue
        theirs = _layer(name)
        if theirs is not None and theirs > rank:
            upward.append(f"{name} (layer {theirs})")
    assert not upward, f"{me} (layer {rank}) imports upward: {upward}"


def test_the_rule_is_not_vacuous() -> None:
    """Every layer holds a module, and the library modules are many (the parametrised test checks each)."""
    ranks = {_layer(_module_name(p)) for p in MODULES}
    assert ranks == set(range(len(LAYERS))) and len(MODULES) > 20


def test_cli_does_no_library_work() -> None:
    """The CLI writes no file itself: it imports neither the atomic writer nor pandas at module level."""
    imported = _imports(SRC / "cli.py")
    assert (
        "powdata._io.atomic" not in imported
        and "powdata._io.atomic" not in imported
        and not any(m.startswith("pandas") for m in imported)
    )
