"""The release registry: the sha256 of each resource, recorded once per version (like pooch's registry).

Once a version is recorded in ``releases/<version>.json``, its data cannot change
without a new version: `registry_mismatch` names what differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from powdata._derived import built_descriptor
from powdata._io.gate import MAX_JSON_BYTES, check_version, gate
from powdata._io.strict_json import read_json


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


def registry_mismatch(root: Path, built: dict[str, Any] | None = None) -> list[str]:
    """Name each resource whose sha256 differs from the registry entry of the current version.

    Like pooch's registry: once a version is recorded, its data cannot change
    without a new version. An empty list means the data match (or no registry is kept).
    """
    if not (root / "releases").is_dir():
        return []
    entry = registry_entry(built_descriptor(root) if built is None else built)
    path = registry_path(root, entry["version"])
    if not path.is_file():
        return [f"releases/{entry['version']}.json is missing; run `powdata build`"]
    recorded = read_json(root, f"releases/{entry['version']}.json", "release registry")
    recorded = recorded.get("resources", {}) if isinstance(recorded, dict) else {}
    recorded = recorded if isinstance(recorded, dict) else {}
    names = entry["resources"].keys() | recorded.keys()
    return sorted(n for n in names if entry["resources"].get(n) != recorded.get(n))
