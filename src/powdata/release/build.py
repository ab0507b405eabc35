"""Regenerate the derived parts of ``datapackage.json``, the codebook and the registry (maintainers).

`build` rewrites the descriptor's derived parts (see ``powdata._derived``)
atomically and records a new version in the registry; `build_package` is what
``powdata build`` runs: it also renders the codebook and reports whether the
data still match the registry of this version. Nothing here prints.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from powdata._atomic import write_if_changed, write_text_atomic
from powdata._derived import built_descriptor, render
from powdata._package import DESCRIPTOR_NAME, MAX_JSON_BYTES, descriptor_path, gate, read_gated
from powdata.release.registry import registry_entry, registry_mismatch, registry_path


def build(root: Path, desc: dict[str, Any] | None = None) -> bool:
    """Rewrite the descriptor of ``root`` atomically (``desc``: `built_descriptor`, if computed already).

    Returns True when it changed.
    """
    desc = built_descriptor(root) if desc is None else desc
    path = gate(root, DESCRIPTOR_NAME, "descriptor", limit=MAX_JSON_BYTES)
    if (root / "releases").is_dir():
        reg = registry_path(root, desc.get("version"))
        if not reg.is_file():  # a new version: record its data once; never rewrite a recorded one
            write_text_atomic(reg, render(registry_entry(desc)))
    current = read_gated(path, "descriptor", MAX_JSON_BYTES)
    return write_if_changed(path, current, lambda: render(desc).encode("utf-8"))


@dataclass
class BuildResult:
    """What `build_package` did: each file it renders (path, label, rewritten?) and what differs from the registry."""

    written: list[tuple[Path, str, bool]] = field(default_factory=list)
    mismatch: list[str] = field(default_factory=list)


def build_package(root: Path) -> BuildResult:
    """Build the descriptor and, in a repository (``docs/`` exists), the codebook, the README's series and
    ``CITATION.cff``; then check the registry. Nothing is printed.
    """
    from powdata.package import Package
    from powdata.release.citation import CITATION_FILE, write_citation
    from powdata.release.codebook import CODEBOOK, write_codebook, write_readme_series

    desc = built_descriptor(root)  # the descriptor read and parsed once, each file read and hashed once
    result = BuildResult([(descriptor_path(root), "", build(root, desc))])
    if (root / "docs").is_dir():  # a repository: the generated docs live beside the data
        pkg = Package(copy.deepcopy(desc), root=root, label=str(root))  # what was just written, opened once
        result.written.append((root / CODEBOOK, "", write_codebook(root, desc)))
        result.written.append((root / "README.md", " (series)", write_readme_series(root, pkg)))
        result.written.append((root / CITATION_FILE, "", write_citation(root, pkg)))
    result.mismatch = registry_mismatch(root, desc)
    return result
