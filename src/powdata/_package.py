"""Locate and read a powdata data package, safely and without the network.

The package data (``datapackage.json``, ``data/``, ``schemas/``) lives at the
top of the repository. In a wheel it is shipped inside ``powdata/_data``; in a
checkout or an editable install it is found at the repository top level. Every
resource path is checked before anything is opened: absolute paths, URLs,
``..`` and symlinks that lead outside the package folder are refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from powdata.errors import IntegrityError, PackageReadError, UnknownResourceError, UnsafePathError

DESCRIPTOR_NAME = "datapackage.json"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def default_root() -> Path:
    """Return the folder holding the installed package's ``datapackage.json``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent.parent):
        if (candidate / DESCRIPTOR_NAME).is_file():
            return candidate
    msg = (
        f"expected {DESCRIPTOR_NAME} in {here / '_data'} (wheel) or {here.parent.parent} "
        "(checkout) but found neither; reinstall powdata"
    )
    raise PackageReadError(msg)


def resolve_root(path: str | Path | None) -> Path:
    """Return the package folder for ``path``: a descriptor, a folder holding one, or None."""
    if path is None:
        return default_root()
    p = Path(path)
    if p.is_dir():
        if not (p / DESCRIPTOR_NAME).is_file():
            msg = f"expected {DESCRIPTOR_NAME} in folder {p} but found none; pass a data package folder"
            raise PackageReadError(msg)
        return p
    if not p.exists():
        msg = f"expected a data package at {p} but nothing is there; pass a datapackage.json or its folder"
        raise PackageReadError(msg)
    if p.name != DESCRIPTOR_NAME and p.suffix != ".json":
        msg = f"expected a datapackage.json or a folder but found {p}; pass a data package descriptor"
        raise PackageReadError(msg)
    return p.parent


def _read_bytes(path: Path, what: str) -> bytes:
    """Read ``path``, turning a missing or unreadable file into a `PackageReadError` naming ``what``."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        msg = f"{what}: expected file {path} but it does not exist"
        raise PackageReadError(msg) from None
    except OSError as exc:
        msg = f"{what}: cannot read {path} ({exc.strerror})"
        raise PackageReadError(msg) from None


def read_json(path: Path) -> Any:
    """Read a JSON file, turning every failure into a `PackageReadError` that names it."""
    data = _read_bytes(path, "JSON file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path}: expected UTF-8 but byte {exc.start} is not valid UTF-8; re-save the file as UTF-8"
        raise PackageReadError(msg) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise PackageReadError(msg) from None


def descriptor_path(root: Path) -> Path:
    """Return the descriptor path of the package folder ``root``."""
    return root / DESCRIPTOR_NAME


def read_descriptor(root: Path) -> dict[str, Any]:
    """Read and shape-check the descriptor of the package folder ``root``."""
    desc = read_json(descriptor_path(root))
    where = descriptor_path(root)
    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        msg = f"{where}: expected a JSON object with a 'resources' list; is this a data package descriptor?"
        raise PackageReadError(msg)
    for i, res in enumerate(desc["resources"]):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            msg = f"{where}: resources[{i}] must be an object with a 'name'"
            raise PackageReadError(msg)
    return desc


@lru_cache(maxsize=8)
def _cached_descriptor(root: str) -> dict[str, Any]:
    return read_descriptor(Path(root))


def installed_descriptor() -> dict[str, Any]:
    """Return the installed package's descriptor, read once per process (do not mutate)."""
    return _cached_descriptor(str(default_root()))


TEXT_FOLDER = "sources"
TEXT_PREFIX = "text-"


def is_text(res: dict[str, Any]) -> bool:
    """True for an archived source text (``sources/<source_id>.txt``), False for a table.

    Everything that is not declared as plain text is treated as a table, so a
    resource that merely lacks its schema is still reported as a broken table.
    """
    path = res.get("path")
    declared = res.get("format") == "txt" or res.get("mediatype") == "text/plain"
    return declared or (isinstance(path, str) and path.endswith(".txt"))


def tables(desc: dict[str, Any]) -> list[dict[str, Any]]:
    """The tabular resources of ``desc``, in descriptor order."""
    return [r for r in desc["resources"] if not is_text(r)]


def texts(desc: dict[str, Any]) -> list[dict[str, Any]]:
    """The archived source texts of ``desc``, in descriptor order."""
    return [r for r in desc["resources"] if is_text(r)]


def text_source_id(res: dict[str, Any]) -> str:
    """The source_id an archived text belongs to: its file name without ``.txt``."""
    return Path(str(res.get("path", ""))).stem


def find_resource(desc: dict[str, Any], name: str) -> dict[str, Any]:
    """Return the table ``name`` of ``desc`` or raise `UnknownResourceError` listing the tables."""
    for res in tables(desc):
        if res["name"] == name:
            return res
    names = ", ".join(sorted(r["name"] for r in tables(desc)))
    msg = f"{name!r} is not a powdata resource; expected one of: {names} (see powdata.list_resources())"
    raise UnknownResourceError(msg)


def safe_resource_path(root: Path, res: dict[str, Any]) -> Path:
    """Return the local file of ``res``, refusing any path that could leave ``root``.

    Refused: a missing or non-string path, a URL (Frictionless would fetch it), an
    absolute path, a path with ``..`` and any path that resolves, through a symlink
    or otherwise, outside the package folder.
    """
    name = res.get("name", "?")
    rel = res.get("path")
    if not isinstance(rel, str) or not rel:
        msg = f"resource {name!r}: expected 'path' to be one relative file path but found {rel!r}"
        raise UnsafePathError(msg)
    if _URL.match(rel) or rel.startswith("//"):
        msg = f"resource {name!r}: path {rel!r} is remote; powdata never uses the network, ship the file in the package"
        raise UnsafePathError(msg)
    if rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
        msg = f"resource {name!r}: path {rel!r} is absolute; expected a path relative to the package folder"
        raise UnsafePathError(msg)
    if ".." in re.split(r"[\\/]", rel):
        msg = f"resource {name!r}: path {rel!r} climbs out of the package folder with '..'"
        raise UnsafePathError(msg)
    base = root.resolve()
    full = (root / rel).resolve()
    if base != full and base not in full.parents:
        msg = f"resource {name!r}: path {rel!r} resolves to {full}, outside the package folder {base} (a symlink?)"
        raise UnsafePathError(msg)
    return full


def sha256_of(data: bytes) -> str:
    """Return the descriptor form of the sha256 of ``data`` (``sha256:<hex>``)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_resource_bytes(root: Path, res: dict[str, Any], *, verify: bool = True) -> bytes:
    """Read the bytes of ``res`` and, if ``verify``, check them against its hash and size."""
    path = safe_resource_path(root, res)
    data = _read_bytes(path, f"resource {res['name']!r}")
    if verify:
        check_integrity(res, data, path)
    return data


def check_integrity(res: dict[str, Any], data: bytes, path: Path) -> None:
    """Raise `IntegrityError` when ``data`` differs from the hash or size in ``res``."""
    want_bytes = res.get("bytes")
    if want_bytes is not None and want_bytes != len(data):
        msg = (
            f"resource {res['name']!r}: expected {want_bytes} bytes but {path} has {len(data)}; "
            "the file changed since the descriptor was built (run `powdata build`) or is corrupted"
        )
        raise IntegrityError(msg, rule="bytes")
    want_hash = res.get("hash")
    if want_hash is not None:
        algo = want_hash.split(":", 1)[0] if ":" in want_hash else "md5"
        if algo != "sha256":
            msg = f"resource {res['name']!r}: expected a sha256 hash but the descriptor gives {want_hash!r}"
            raise IntegrityError(msg, rule="hash")
        got = sha256_of(data)
        if got != want_hash:
            msg = (
                f"resource {res['name']!r}: expected {want_hash} but {path} has {got}; "
                "the file changed since the descriptor was built (run `powdata build`) or is corrupted"
            )
            raise IntegrityError(msg, rule="hash")
