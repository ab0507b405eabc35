"""The descriptor of a powdata data package: located, read through the gate, shape-checked once.

The package data (``datapackage.json``, ``data/``, ``schemas/``) lives at the
top of the repository. In a wheel it is shipped inside ``powdata/_data``; in a
checkout or an editable install it is found at the repository top level.

This module owns the descriptor's shape: every key that could name a file or a
URL is refused (``profile``, a string ``schema``…), names are checked before they
become file names, and every Table Schema is shape-checked and its keys
normalised once. The I/O under it lives in ``powdata._io`` (the path gate and
limits, strict JSON, integrity, git, the atomic writer, escaping); each of its
names is imported from its own module there. Every refusal is a `PowdataError`
with a one-line message.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from powdata._io.escape import shown
from powdata._io.gate import DESCRIPTOR_NAME, _check_relative, check_name, default_root, descriptor_path
from powdata._io.strict_json import read_json
from powdata.errors import PackageReadError, UnknownResourceError, UnsafePathError

_KNOWN_PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
_STANDARD_PROFILE = re.compile(
    r"https://(datapackage\.org/profiles/[0-9.]+|specs\.frictionlessdata\.io/schemas)/[a-z-]+\.json"
)


_PROFILE_KEYS = ("profile", "$schema")
"""Keys that name a JSON Schema: only the standard names and URLs are accepted (recognised, never fetched)."""
_INLINE_KEYS = ("schema", "dialect", "checklist", "pipeline")
"""Keys Frictionless would read from a path or URL when given a string: only an inline JSON object is accepted."""
_PACKAGE_KEYS = frozenset(
    [
        "name",
        "id",
        "profile",
        "$schema",
        "licenses",
        "title",
        "description",
        "homepage",
        "image",
        "version",
        "created",
        "keywords",
        "contributors",
        "sources",
        "resources",
    ]
)
_RESOURCE_KEYS = frozenset(
    [
        "name",
        "path",
        "type",
        "title",
        "description",
        "homepage",
        "sources",
        "licenses",
        "format",
        "mediatype",
        "encoding",
        "bytes",
        "hash",
        "schema",
        "dialect",
        "profile",
        "$schema",
    ]
)
"""What the Frictionless stage is shown (see `frictionless_view`): the keys of the Data Package standard."""


def _standard_profile(value: Any) -> bool:
    return isinstance(value, str) and (value in _KNOWN_PROFILES or _STANDARD_PROFILE.fullmatch(value) is not None)


def _check_profiles(node: dict[str, Any], where: str) -> None:
    """Refuse every key of ``node`` that Frictionless would dereference as a file or URL.

    The allow-list: a ``profile`` or ``$schema`` must be a standard profile name
    or URL (recognised, never fetched); ``profiles`` a list of those;
    ``schema``, ``dialect``, ``checklist`` and ``pipeline`` inline objects; and
    the only path of a resource is its one ``path`` string (gated by `gate`).
    ``extrapaths`` and ``basepath`` are refused outright. Whatever key the
    standard does not name is never shown to Frictionless (`frictionless_view`).
    """
    for key in _PROFILE_KEYS:
        value = node.get(key)
        if value is None or _standard_profile(value):
            continue
        msg = (
            f"{where}: {key} {shown(value)} is not a standard Data Package profile; "
            "powdata never fetches or opens a custom profile"
        )
        raise UnsafePathError(msg)
    if "profiles" in node and not (
        isinstance(node["profiles"], list) and all(_standard_profile(v) for v in node["profiles"])
    ):
        msg = (
            f"{where}: profiles {shown(node['profiles'])} names a file or URL that is not a standard profile; "
            "powdata never fetches or opens a custom profile"
        )
        raise UnsafePathError(msg)
    for key in ("extrapaths", "basepath"):
        if key in node:
            msg = f"{where}: {key} {shown(node[key])} names files outside the one 'path'; refused"
            raise UnsafePathError(msg)
    for key in _INLINE_KEYS:
        value = node.get(key)
        if value is not None and not isinstance(value, dict):
            msg = f"{where}: {key} must be written inline as a JSON object, not {shown(value)}; run `powdata build`"
            raise UnsafePathError(msg)
        if isinstance(value, dict) and key in ("schema", "dialect"):
            _check_profiles({k: v for k, v in value.items() if k in _PROFILE_KEYS}, f"{where}: {key}")


def frictionless_view(desc: dict[str, Any]) -> dict[str, Any]:
    """The descriptor as the Frictionless stage sees it: only the keys of the Data Package standard.

    `check_descriptor` has refused every key that could name a file or URL; a
    key the standard does not name (which a later Frictionless might come to
    dereference) is left out, so nothing but the gated ``path`` can reach a file.
    """
    view = {k: v for k, v in desc.items() if k in _PACKAGE_KEYS}
    view["resources"] = [{k: v for k, v in r.items() if k in _RESOURCE_KEYS} for r in desc["resources"]]
    return view


_FIELD_TYPES = {
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "list",
    "any",
}


def _fail(where: str, what: str, value: Any) -> PackageReadError:
    return PackageReadError(f"{where}: expected {what} but found {shown(value)}")


def _names(value: Any) -> list[str] | None:
    """A Table Schema's field list (a name or a list of names), or None if malformed."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def check_table_schema(schema: Any, where: str) -> dict[str, Any]:
    """Shape-check a Table Schema so that no later step meets a wrong type.

    Fields must be objects with unique string names; a type, constraints, enum,
    pattern, bounds, keys and missing values must have the type the Table Schema
    standard gives them. Whether the data satisfy the schema is validation's job.
    Keys are normalised in place, once, here: ``primaryKey`` and each foreign
    key's ``fields`` become lists, so no reader splits ``"area_id"`` into characters.
    """
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise _fail(where, "a Table Schema object with a 'fields' list", schema)
    seen: set[str] = set()
    for i, f in enumerate(schema["fields"]):
        at = f"{where}: fields[{i}]"
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            raise _fail(at, "an object with a 'name'", f)
        if f["name"] in seen:
            raise _fail(at, "a field name used once", f["name"])
        seen.add(f["name"])
        for key in ("title", "description", "format"):
            if key in f and not isinstance(f[key], str):
                raise _fail(at, f"{key} as a string", f[key])
        if "type" in f and (not isinstance(f["type"], str) or f["type"] not in _FIELD_TYPES):
            raise _fail(at, f"a type among {', '.join(sorted(_FIELD_TYPES))}", f["type"])
        c = f.get("constraints", {})
        if not isinstance(c, dict):
            raise _fail(at, "constraints as an object", c)
        if "enum" in c and not (isinstance(c["enum"], list) and all(isinstance(v, str) for v in c["enum"])):
            raise _fail(at, "enum as a list of strings", c["enum"])
        if "pattern" in c:
            if not isinstance(c["pattern"], str):
                raise _fail(at, "pattern as a string", c["pattern"])
            try:
                re.compile(c["pattern"])
            except (re.error, RecursionError, OverflowError):
                raise _fail(at, "pattern as a regular expression", c["pattern"]) from None
        numeric = f.get("type") in ("number", "integer")
        for key in ("minimum", "maximum", "minLength", "maxLength"):
            v = c.get(key)
            if v is None:
                continue
            if key in ("minLength", "maxLength"):
                ok = type(v) is int and v >= 0
            else:  # a date field bounds with a date string, a number field with a number
                ok = not isinstance(v, bool) and (isinstance(v, (int, float)) or (isinstance(v, str) and not numeric))
            if not ok:
                raise _fail(at, f"{key} as a {'whole number' if 'Length' in key else 'bound of the field type'}", v)
        for key in ("required", "unique"):
            if key in c and not isinstance(c[key], bool):
                raise _fail(at, f"{key} as true or false", c[key])
    if "primaryKey" in schema:
        pk = _names(schema["primaryKey"])
        if pk is None:
            raise _fail(where, "primaryKey as a field name or a list of them", schema["primaryKey"])
        schema["primaryKey"] = pk  # normalised: "area_id" and ["area_id"] mean the same key
    mv = schema.get("missingValues", [""])
    if not isinstance(mv, list) or not all(isinstance(v, str) for v in mv):
        raise _fail(where, "missingValues as a list of strings", mv)
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        raise _fail(where, "foreignKeys as a list", fks)
    for i, fk in enumerate(fks):
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if (
            not isinstance(ref, dict)
            or _names(fk.get("fields")) is None
            or _names(ref.get("fields")) is None
            or not isinstance(ref.get("resource", ""), str)
        ):
            raise _fail(f"{where}: foreignKeys[{i}]", "fields and a reference {resource, fields}", fk)
        fk["fields"], ref["fields"] = _names(fk["fields"]), _names(ref["fields"])  # normalised to lists
    return schema


def check_descriptor(desc: Any, where: str) -> dict[str, Any]:
    """Shape-check a parsed descriptor: an object, resources with unique safe names, no remote profile."""
    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        msg = f"{where}: expected a JSON object with a 'resources' list; is this a data package descriptor?"
        raise PackageReadError(msg)
    _check_profiles(desc, where)
    seen: set[str] = set()
    for i, res in enumerate(desc["resources"]):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            msg = f"{where}: resources[{i}] must be an object with a 'name'"
            raise PackageReadError(msg)
        name = check_name(res["name"], f"{where}: resources[{i}]")
        if name in seen:
            msg = f"{where}: resources[{i}]: the name {name!r} is used twice; resource names must be unique"
            raise PackageReadError(msg)
        seen.add(name)
        _check_relative(res.get("path"), f"resource {name!r}")
        for key in ("title", "description", "mediatype", "encoding", "format"):
            if key in res and not isinstance(res[key], str):
                raise _fail(f"resource {name!r}", f"{key} as a string", res[key])
        _check_profiles(res, f"resource {name!r}")
        declared = res.get("bytes")
        if declared is not None and (type(declared) is not int or declared < 0):
            msg = f"resource {name!r}: expected 'bytes' to be a whole number but found {shown(declared)}"
            raise PackageReadError(msg)
        if isinstance(res.get("schema"), dict):
            check_table_schema(res["schema"], f"resource {name!r}: schema")
        if "hash" in res and not isinstance(res["hash"], str):
            msg = f"resource {name!r}: expected 'hash' as 'sha256:<hex>' but found {shown(res['hash'])}"
            raise PackageReadError(msg)
    return desc


def read_descriptor(root: Path) -> dict[str, Any]:
    """Read and shape-check the descriptor of the package folder ``root`` (see `check_descriptor`)."""
    desc = read_json(root, DESCRIPTOR_NAME, "descriptor")
    return check_descriptor(desc, str(descriptor_path(root)))


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
    msg = f"{shown(name)} is not a powdata resource; expected one of: {names} (see powdata.list_resources())"
    raise UnknownResourceError(msg)


__all__ = [
    "TEXT_FOLDER",
    "TEXT_PREFIX",
    "check_descriptor",
    "check_table_schema",
    "find_resource",
    "frictionless_view",
    "installed_descriptor",
    "is_text",
    "read_descriptor",
    "tables",
    "text_source_id",
    "texts",
]
