"""A Data Package v1 copy of the package, for portals and clients that predate v2.

powdata's descriptor is Data Package v2 (``$schema``, ``type``, ``contributors[].roles``).
Older clients (the ``datapackage`` Python library, CKAN's importer, several
portals) read v1 only and, in strict mode, refuse what v1 does not know. This
module rewrites the descriptor the v1 way and copies the data beside it:

- ``profile: tabular-data-package`` and, per resource, ``tabular-data-resource``
  instead of ``$schema`` and ``type``;
- each contributor's ``roles`` list becomes the one ``role`` v1 knows (``creator``
  -> ``author``; anything v1 does not list -> ``contributor``);
- each table's CSV dialect is stated (comma, double quote), as v1 clients sniff it otherwise;
- resources that are not tables (the archived source texts of 0.2.0) are left
  out, since a tabular data package holds tables only; the description says so.

The copy is built through the one atomic writer (``powdata._io.atomic``): in a
temporary folder beside the target, with the user's umask, renamed into place,
so the target is either the complete copy or absent.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from powdata import _package
from powdata._io.gate import DESCRIPTOR_NAME
from powdata.package import Package, open_package

V1_ROLES = ("author", "publisher", "maintainer", "wrangler", "contributor")
_ROLE_MAP = {"creator": "author"}
_V2_ONLY = ("$schema", "type")


def _v1_role(roles: list[str]) -> str:
    for role in roles:
        role = _ROLE_MAP.get(role, role)
        if role in V1_ROLES:
            return role
    return "contributor"


def v1_descriptor(desc: dict[str, Any]) -> dict[str, Any]:
    """Return the v1 form of a v2 descriptor (see the module docstring for what changes)."""
    out = {k: copy.deepcopy(v) for k, v in desc.items() if k not in (*_V2_ONLY, "resources", "contributors")}
    out["profile"] = "tabular-data-package"
    if desc.get("contributors"):
        out["contributors"] = []
        for c in desc["contributors"]:
            person = {k: copy.deepcopy(v) for k, v in c.items() if k != "roles"}
            person["role"] = _v1_role(list(c.get("roles", [])))
            out["contributors"].append(person)
    tables = _package.tables(desc)
    out["resources"] = []
    for res in tables:
        r = {k: copy.deepcopy(v) for k, v in res.items() if k not in _V2_ONLY}
        r["profile"] = "tabular-data-resource"
        # said outright: v1 clients sniff the delimiter otherwise, and an excerpt with ';' fools them
        r.setdefault("dialect", {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True})
        out["resources"].append(r)
    left_out = [r["name"] for r in desc["resources"] if r not in tables]
    if left_out:
        note = f" This Data Package v1 copy holds the tables only; left out: {', '.join(left_out)}."
        out["description"] = out.get("description", "") + note
    return out


def write_v1(target: str | os.PathLike[str], *, path: str | Path | Package | None = None) -> Path:
    """Write a Data Package v1 copy of the package into the folder ``target``; return its descriptor.

    ``target`` must not exist yet (or be an empty folder): a copy is never merged
    into, or written over, other files.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> out = write_v1(pathlib.Path(tempfile.mkdtemp()) / "powdata-v1")
    >>> json.loads(out.read_text())["profile"]
    'tabular-data-package'
    """
    from powdata._io.atomic import atomic_folder, check_output

    dest = check_output(target, folder=True)
    pkg = open_package(path)
    v1 = v1_descriptor(pkg.descriptor)
    with atomic_folder(dest) as tmp:
        for res in v1["resources"]:
            data = pkg.read(res["name"])  # checked against its hash on the way
            out = tmp / res["path"]
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        (tmp / DESCRIPTOR_NAME).write_text(json.dumps(v1, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return dest / DESCRIPTOR_NAME


__all__ = ["v1_descriptor", "write_v1"]
