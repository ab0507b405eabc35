"""What the derived parts of a descriptor must be, recomputed from the package's files.

Maintainers edit ``data/*.csv``, ``schemas/*.json`` and the hand-written parts of
the descriptor (name, title, version, licences, sources, each resource's name,
path, title and description). Everything else is derived and must never be typed
by hand: the inlined schema, ``hash``, ``bytes`` and the format fields.
``powdata.release.build`` writes them; ``powdata validate`` compares them
(``descriptor-stale``), so validation needs no maintainer module.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from powdata._io.gate import check_name, gate, read_file
from powdata._io.integrity import sha256_of
from powdata._io.strict_json import dump_json, read_json
from powdata._package import check_table_schema, is_text, read_descriptor

RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
_DERIVED = ("$schema", "type", "format", "mediatype", "encoding", "bytes", "hash", "schema")


def schema_path(root: Path, name: str) -> Path:
    """Return the Table Schema file of resource ``name`` (``schemas/<name>.json``), through the gate."""
    return gate(root, f"schemas/{check_name(name, 'resource')}.json", f"resource {name!r}: Table Schema")


def derive_resource(
    root: Path, res: dict[str, Any], data: bytes | None = None, digest: str | None = None
) -> dict[str, Any]:
    """Return ``res`` with its derived fields recomputed from its file (or ``data`` and ``digest``, read already)."""
    name = check_name(res["name"], "resource")
    if data is None:
        data = read_file(root, res.get("path"), f"resource {name!r}")
    out: dict[str, Any] = {"$schema": RESOURCE_PROFILE}
    for key in ("name", "type", "path", "title", "description"):
        if key in res:
            out[key] = res[key]
    if is_text(res):  # an archived source text: plain UTF-8, no schema
        out.pop("type", None)
        out.update(
            format="txt", mediatype="text/plain", encoding="utf-8", bytes=len(data), hash=digest or sha256_of(data)
        )
    else:
        out.update(
            type="table",
            format="csv",
            mediatype="text/csv",
            encoding="utf-8",
            bytes=len(data),
            hash=digest or sha256_of(data),
            schema=_table_schema(root, name),
        )
    for key, value in res.items():  # keep any extra hand-written property
        if key not in out and key not in _DERIVED:
            out[key] = value
    return out


def _table_schema(root: Path, name: str) -> dict[str, Any]:
    """Read ``schemas/<name>.json`` through the gate and shape-check it as a Table Schema."""
    rel = f"schemas/{name}.json"
    return check_table_schema(read_json(root, rel, f"resource {name!r}: Table Schema"), rel)


def built_descriptor(
    root: Path,
    contents: dict[str, bytes] | None = None,
    digests: dict[str, str] | None = None,
    *,
    current: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the descriptor of ``root`` as `build` would write it.

    ``contents`` maps resource names to bytes already read, so a caller that has
    the files in memory (validation) does not read and hash them again. Texts of
    publications are never declared: since 1.0.0 the package carries excerpts only.
    ``current`` is the descriptor as parsed already (an opened `Package`'s), so it is not parsed again.
    """
    contents, digests = contents or {}, digests or {}
    desc = copy.deepcopy(current) if current is not None else read_descriptor(root)
    desc["resources"] = [
        derive_resource(root, res, contents.get(res["name"]), digests.get(res["name"])) for res in desc["resources"]
    ]
    return desc


def render(desc: dict[str, Any]) -> str:
    """Serialise a descriptor the one way the repository stores it (strict JSON: see `_io.strict_json.dump_json`)."""
    return dump_json(desc, "descriptor") + "\n"


def stale_parts(
    root: Path,
    contents: dict[str, bytes] | None = None,
    digests: dict[str, str] | None = None,
    *,
    current: dict[str, Any] | None = None,
) -> list[str]:
    """Name each resource field that differs between the descriptor (``current``: parsed already) and a build."""
    current = current if current is not None else read_descriptor(root)
    fresh = built_descriptor(root, contents, digests, current=current)
    stale: list[str] = []
    for old, new in zip(current["resources"], fresh["resources"], strict=False):
        for key in _DERIVED:
            if old.get(key) != new.get(key):
                stale.append(f"{new['name']}.{key}")
    stale += [f"{r['name']} (not declared)" for r in fresh["resources"][len(current["resources"]) :]]
    return stale
