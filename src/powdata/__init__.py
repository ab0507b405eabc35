"""powdata: published figures on foreign nationals fighting for Russia and held as POWs in Ukraine.

A versioned Frictionless Data Package with a small loader. ``import powdata``
is cheap: pandas is imported when data are loaded, pandera and frictionless
only when the package is validated.

Examples
--------
>>> import powdata
>>> powdata.list_resources()[:2]
['observations', 'quotes']
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from powdata._resources import ResourceName
from powdata.citation import cite

# Every name of the API is imported here, typed: these modules import only the standard library
# at module level (pandas inside the functions that need it; pandera and frictionless only inside
# validate), so `import powdata` stays cheap and mypy sees each signature (a test checks both).
from powdata.errors import (
    ArgumentError,
    IntegrityError,
    MissingExtraError,
    PackageReadError,
    PowdataError,
    UnknownResourceError,
    UnsafePathError,
)
from powdata.intervals import Interval, interval
from powdata.loader import load
from powdata.package import Package
from powdata.validation import validate
from powdata.validation.report import Problem, Report
from powdata.views import (
    figures,
    foreign_share_by_year,
    latest,
    listed_fighters_by_group,
    pow_nationalities,
    series,
    statements,
)

__all__ = [
    "ArgumentError",
    "IntegrityError",
    "Interval",
    "MissingExtraError",
    "Package",
    "PackageReadError",
    "PowdataError",
    "Problem",
    "Report",
    "ResourceName",
    "UnknownResourceError",
    "UnsafePathError",
    "__version__",
    "cite",
    "describe",
    "descriptor",
    "figures",
    "foreign_share_by_year",
    "interval",
    "latest",
    "list_resources",
    "listed_fighters_by_group",
    "load",
    "path",
    "pow_nationalities",
    "series",
    "statements",
    "validate",
]

if TYPE_CHECKING:
    __version__: str
else:

    def __getattr__(name: str) -> Any:
        """``__version__`` is read from the installed metadata on first use (importlib.metadata is slow)."""
        if name == "__version__":
            from importlib.metadata import version

            return version("powdata")
        msg = f"module 'powdata' has no attribute {name!r}"
        raise AttributeError(msg)


def descriptor() -> dict[str, Any]:
    """Return a copy of the installed package's ``datapackage.json`` as a dict.

    Examples
    --------
    >>> descriptor()["name"]
    'powdata'
    """
    from powdata._package import installed_descriptor

    return copy.deepcopy(installed_descriptor())


def path(*parts: str) -> Path:
    """Return the installed package's folder, or a file in it (``powdata.path("data", "areas.csv")``).

    The folder holds ``datapackage.json``, ``data/`` and ``schemas/``: hand it to
    any Frictionless client, DuckDB or a spreadsheet. A path that does not exist
    is an error naming what is there, so a typo is not silently returned.

    Examples
    --------
    >>> path("datapackage.json").name
    'datapackage.json'
    """
    from powdata._io.gate import default_root

    root = default_root()
    target = root.joinpath(*parts)
    inside = target.resolve() == root.resolve() or root.resolve() in target.resolve().parents
    if not inside or not target.exists():
        here = ", ".join(sorted(p.name for p in root.iterdir() if not p.name.startswith(".")))
        msg = f"{'/'.join(parts)!r} is not in the installed package {root}; expected one of: {here}"
        raise PackageReadError(msg)
    return target


def list_resources() -> list[ResourceName]:
    """Return the names of the package's tables, in descriptor order.

    Examples
    --------
    >>> "observations" in list_resources()
    True
    """
    from powdata.package import Package

    return cast("list[ResourceName]", Package.open().table_names())  # _resources.py is built from these


def describe(name: str) -> dict[str, Any]:
    """Return what resource ``name`` holds: its description, keys and every field.

    Each field has its name, Table Schema type, pandas dtype, description and
    constraints; a unit is added where the field's values have one.

    Examples
    --------
    >>> describe("observations")["primary_key"]
    ['observation_id']
    """
    from powdata._schema import field_dtype_name
    from powdata.package import Package

    res = Package.open().table(name)
    schema = res.get("schema", {})  # keys are lists: the descriptor reader normalised them once
    return {
        "name": res["name"],
        "title": res.get("title", ""),
        "description": res.get("description", ""),
        "path": res.get("path"),
        "rows_hash": res.get("hash"),
        "primary_key": list(schema.get("primaryKey", [])),
        "foreign_keys": copy.deepcopy(schema.get("foreignKeys", [])),
        "fields": [
            {
                "name": f["name"],
                "type": f.get("type", "string"),
                "dtype": field_dtype_name(f),
                "description": f.get("description", ""),
                "constraints": copy.deepcopy(f.get("constraints", {})),
                **({"unit": "see indicators.unit"} if f["name"] == "value" else {}),
            }
            for f in schema.get("fields", [])
        ],
    }
