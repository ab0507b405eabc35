"""Regenerate the derived parts of ``datapackage.json`` (and the codebook).

Maintainers edit ``data/*.csv``, ``schemas/*.json`` and the hand-written parts of
the descriptor (name, title, version, licences, sources, each resource's name,
path, title and description). Everything else is derived and must never be typed
by hand: the inlined schema, ``hash``, ``bytes`` and the format fields. `build`
rewrites those atomically; `stale_parts` lists what a committed descriptor has
out of date, which a test and ``powdata validate`` use to fail a stale release.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from powdata._atomic import write_text_atomic
from powdata._package import (
    DESCRIPTOR_NAME,
    MAX_JSON_BYTES,
    TEXT_FOLDER,
    TEXT_PREFIX,
    check_name,
    check_table_schema,
    check_version,
    gate,
    is_text,
    read_descriptor,
    read_file,
    read_json,
    sha256_of,
)

RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
_DERIVED = ("$schema", "type", "format", "mediatype", "encoding", "bytes", "hash", "schema")


def schema_path(root: Path, name: str) -> Path:
    """Return the Table Schema file of resource ``name`` (``schemas/<name>.json``), through the gate."""
    return gate(root, f"schemas/{check_name(name, 'resource')}.json", f"resource {name!r}: Table Schema")


def derive_resource(root: Path, res: dict[str, Any], data: bytes | None = None) -> dict[str, Any]:
    """Return ``res`` with its derived fields recomputed from its file (or ``data``, already read)."""
    name = check_name(res["name"], "resource")
    if data is None:
        data = read_file(root, res.get("path"), f"resource {name!r}")
    out: dict[str, Any] = {"$schema": RESOURCE_PROFILE}
    for key in ("name", "type", "path", "title", "description"):
        if key in res:
            out[key] = res[key]
    if is_text(res):  # an archived source text: plain UTF-8, no schema
        out.pop("type", None)
        out.update(format="txt", mediatype="text/plain", encoding="utf-8", bytes=len(data), hash=sha256_of(data))
    else:
        schema_rel = f"schemas/{name}.json"
        schema = check_table_schema(read_json(root, schema_rel, f"resource {name!r}: Table Schema"), schema_rel)
        out.update(
            type="table",
            format="csv",
            mediatype="text/csv",
            encoding="utf-8",
            bytes=len(data),
            hash=sha256_of(data),
            schema=schema,
        )
    for key, value in res.items():  # keep any extra hand-written property
        if key not in out and key not in _DERIVED:
            out[key] = value
    return out


def _undeclared_texts(root: Path, desc: dict[str, Any]) -> list[dict[str, Any]]:
    """Declare each archived text ``sources/<source_id>.txt`` that the descriptor does not list yet.

    Its title, description and licence note come from the source's row in the
    ``sources`` table (publisher, title, date, language); a maintainer may edit
    them afterwards, and `build` keeps what is written.
    """
    folder = root / TEXT_FOLDER
    if not folder.is_dir() or folder.is_symlink():  # never list a folder outside the package
        return []
    declared = {r.get("path") for r in desc["resources"]}
    new = sorted(p.name for p in folder.glob("*.txt") if f"{TEXT_FOLDER}/{p.name}" not in declared and p.is_file())
    if not new:
        return []
    table = next((r for r in desc["resources"] if r.get("name") == "sources"), None)
    rows: dict[str, dict[str, str]] = {}
    if table is not None:
        text = read_file(root, table.get("path"), "resource 'sources'").decode("utf-8", "replace")
        rows = {r["source_id"]: r for r in csv.DictReader(io.StringIO(text)) if "source_id" in r}
    out = []
    for filename in new:
        sid = filename[: -len(".txt")]
        row = rows.get(sid, {})
        publisher = row.get("publisher") or "its publisher"
        dated = f" ({row['published']})" if row.get("published") else ""
        what = f"{publisher}'s {row.get('title') or sid}{dated}, language {row.get('language') or '?'}"
        out.append(
            {
                "name": f"{TEXT_PREFIX}{sid}",
                "path": f"{TEXT_FOLDER}/{filename}",
                "title": f"Archived text: {publisher}{', ' + row['published'] if row.get('published') else ''}",
                "description": f"The text of {what}, as published. Archived so that every excerpt quoted from it "
                "can be checked offline.",
                "licenses": [
                    {
                        "name": "publisher-copyright",
                        "title": f"Copyright {publisher}; all rights reserved by the publisher. Archived as evidence "
                        "for the excerpts; not covered by powdata's CC BY 4.0.",
                    }
                ],
            }
        )
    return out


def built_descriptor(root: Path, contents: dict[str, bytes] | None = None) -> dict[str, Any]:
    """Return the descriptor of ``root`` as `build` would write it.

    ``contents`` maps resource names to bytes already read, so a caller that has
    the files in memory (validation) does not read and hash them again. An archived
    text saved under ``sources/`` but not yet declared is declared (see `_undeclared_texts`).
    """
    contents = contents or {}
    desc = read_descriptor(root)
    desc["resources"] += _undeclared_texts(root, desc)
    desc["resources"] = [derive_resource(root, res, contents.get(res["name"])) for res in desc["resources"]]
    return desc


def render(desc: dict[str, Any]) -> str:
    """Serialise a descriptor the one way the repository stores it."""
    return json.dumps(desc, indent=2, ensure_ascii=False) + "\n"


def stale_parts(root: Path, contents: dict[str, bytes] | None = None) -> list[str]:
    """Name each resource field that differs between the descriptor and a fresh build."""
    current = read_descriptor(root)
    fresh = built_descriptor(root, contents)
    stale: list[str] = []
    for old, new in zip(current["resources"], fresh["resources"], strict=False):
        for key in _DERIVED:
            if old.get(key) != new.get(key):
                stale.append(f"{new['name']}.{key}")
    stale += [f"{r['name']} (not declared)" for r in fresh["resources"][len(current["resources"]) :]]
    return stale


def registry_entry(desc: dict[str, Any]) -> dict[str, Any]:
    """Return the registry record of a built descriptor: its version and each resource's sha256."""
    return {
        "version": check_version(desc.get("version")),
        "resources": {r["name"]: r["hash"] for r in desc["resources"]},
    }


def registry_path(root: Path, version: Any) -> Path:
    """Return ``releases/<version>.json`` under ``root`` (the version checked as semver, the path gated)."""
    rel = f"releases/{check_version(version)}.json"
    return gate(root, rel, "release registry", limit=MAX_JSON_BYTES, must_exist=False)


def registry_mismatch(root: Path) -> list[str]:
    """Name each resource whose sha256 differs from the registry entry of the current version.

    Like pooch's registry: once a version is recorded, its data cannot change
    without a new version. An empty list means the data match (or no registry is kept).
    """
    if not (root / "releases").is_dir():
        return []
    entry = registry_entry(built_descriptor(root))
    path = registry_path(root, entry["version"])
    if not path.is_file():
        return [f"releases/{entry['version']}.json is missing; run `powdata build`"]
    recorded = read_json(root, f"releases/{entry['version']}.json", "release registry")
    recorded = recorded.get("resources", {}) if isinstance(recorded, dict) else {}
    recorded = recorded if isinstance(recorded, dict) else {}
    names = entry["resources"].keys() | recorded.keys()
    return sorted(n for n in names if entry["resources"].get(n) != recorded.get(n))


def build(root: Path) -> bool:
    """Rewrite the descriptor of ``root`` atomically; return True when it changed."""
    desc = built_descriptor(root)
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
