"""The layers point one way: the data path never imports the CLI or the maintainers' release tools."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "powdata"
# the data path: reading, typing, loading, views, intervals, export and validation
DATA_PATH = sorted(
    p
    for p in SRC.rglob("*.py")
    if p.name not in ("cli.py", "__main__.py")
    and "release" not in p.relative_to(SRC).parts
    and p != SRC / "__init__.py"
)


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


@pytest.mark.parametrize("path", DATA_PATH, ids=[str(p.relative_to(SRC)) for p in DATA_PATH])
def test_data_path_imports_neither_cli_nor_release(path: Path) -> None:
    """No module of the data path imports powdata.cli or a maintainer tool of powdata.release.

    ``release.citation`` is public (``powdata.cite``), so the labelled table may quote it.
    """
    tools = ("powdata.release.build", "powdata.release.registry", "powdata.release.codebook", "powdata.release.diff")
    bad = {m for m in _imports(path) if m.startswith(("powdata.cli", *tools))}
    assert not bad, bad


def test_the_layers_exist_where_design_puts_them() -> None:
    """The tree of DESIGN.md §4: one reader/typer module, validation/ with rules/, release/."""
    for rel in (
        "_package.py",
        "_schema.py",
        "intervals.py",
        "loader.py",
        "views.py",
        "export.py",
        "cli.py",
        "validation/__init__.py",
        "validation/report.py",
        "validation/tableschema.py",
        "validation/descriptor.py",
        "validation/rules/__init__.py",
        "release/build.py",
        "release/registry.py",
        "release/codebook.py",
        "release/citation.py",
        "release/diff.py",
    ):
        assert (SRC / rel).is_file(), rel
    assert len(DATA_PATH) > 10  # the parametrised test above is not vacuous


def test_cli_does_no_library_work() -> None:
    """The CLI writes no file itself: it imports neither the atomic writer nor pandas at module level."""
    imported = _imports(SRC / "cli.py")
    assert "powdata._atomic" not in imported and not any(m.startswith("pandas") for m in imported)
