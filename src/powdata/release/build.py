"""Regenerate the derived parts of ``datapackage.json``, the codebook and the registry (maintainers).

`build` rewrites the descriptor's derived parts (see ``powdata._derived``)
atomically and records a new version in the registry; `build_package` is what
``powdata build`` runs: it also renders the codebook and reports whether the
data still match the registry of this version. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from powdata._atomic import write_text_atomic
from powdata._derived import built_descriptor, render
from powdata._package import DESCRIPTOR_NAME, MAX_JSON_BYTES, descriptor_path, gate, read_descriptor, read_file, shown
from powdata.errors import PackageReadError, PowdataError
from powdata.release.registry import registry_entry, registry_mismatch, registry_path

_TEXT_KEYS = ("name", "title", "description", "homepage", "created", "image")
_OBJECT_LISTS = ("contributors", "licenses", "sources")


def check_metadata(desc: dict[str, Any], where: str) -> None:
    """Refuse hand-written metadata of a shape the generated files cannot be written from, naming the key.

    The Data Package standard gives each a type: ``title``, ``description``,
    ``name``, ``homepage``, ``created`` are strings; ``keywords`` a list of
    strings; ``contributors``, ``licenses`` and ``sources`` lists of objects
    (for the package and for each resource).
    """
    nodes = [(where, desc)] + [(f"{where}: resource {r.get('name')!r}", r) for r in desc.get("resources", [])]
    for at, node in nodes:
        for key in _TEXT_KEYS:
            if key in node and not isinstance(node[key], str):
                msg = f"{at}: expected {key} as a string but found {shown(node[key])}"
                raise PackageReadError(msg)
        for key in _OBJECT_LISTS:
            if key in node and not (isinstance(node[key], list) and all(isinstance(v, dict) for v in node[key])):
                msg = f"{at}: expected {key} as a list of objects (each with a title) but found {shown(node[key])}"
                raise PackageReadError(msg)
        if "keywords" in node and not (
            isinstance(node["keywords"], list) and all(isinstance(v, str) for v in node["keywords"])
        ):
            msg = f"{at}: expected keywords as a list of strings but found {shown(node['keywords'])}"
            raise PackageReadError(msg)


def build(root: Path) -> bool:
    """Rewrite the descriptor of ``root`` atomically; return True when it changed."""
    desc = built_descriptor(root)
    check_metadata(desc, DESCRIPTOR_NAME)
    text = render(desc)
    path = gate(root, DESCRIPTOR_NAME, "descriptor", limit=MAX_JSON_BYTES)
    if (root / "releases").is_dir():
        reg = registry_path(root, desc.get("version"))
        if not reg.is_file():  # a new version: record its data once; never rewrite a recorded one
            write_text_atomic(reg, render(registry_entry(desc)))
    if read_file(root, DESCRIPTOR_NAME, "descriptor", limit=MAX_JSON_BYTES) == text.encode("utf-8"):
        return False
    write_text_atomic(path, text)
    return True


def _generated(rel: str, write: Callable[[Path], bool], root: Path) -> bool:
    """Run one generator of the docs; data it cannot be written from (an unknown area, an empty qualifier, a
    reference of an unexpected shape) is one line naming the file and the value, never an internal error."""
    try:
        return write(root)
    except PowdataError:  # already one line (a refused path, a failed write)
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        what = shown(exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc), 120)
        msg = (
            f"{rel}: cannot be generated from the data ({type(exc).__name__}: {what}); "
            "run `powdata validate` to locate the row, fix it and build again"
        )
        raise PackageReadError(msg) from None


@dataclass
class BuildResult:
    """What `build_package` did: each file it renders (path, label, rewritten?) and what differs from the registry."""

    written: list[tuple[Path, str, bool]] = field(default_factory=list)
    mismatch: list[str] = field(default_factory=list)


def build_package(root: Path) -> BuildResult:
    """Build the descriptor and, in a repository (``docs/`` exists), the codebook, the README's series and
    ``CITATION.cff``; then check the registry. Nothing is printed.
    """
    from powdata.release.citation import CITATION_FILE, write_citation
    from powdata.release.codebook import CODEBOOK, write_codebook, write_readme_series

    check_metadata(read_descriptor(root), DESCRIPTOR_NAME)  # before anything is written
    result = BuildResult([(descriptor_path(root), "", build(root))])
    if (root / "docs").is_dir():  # a repository: the generated docs live beside the data
        for rel, label, write in (
            (CODEBOOK, "", write_codebook),
            ("README.md", " (series)", write_readme_series),
            (CITATION_FILE, "", write_citation),
        ):
            result.written.append((root / rel, label, _generated(str(rel), write, root)))
    result.mismatch = registry_mismatch(root)
    return result
