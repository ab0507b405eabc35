"""Load one resource of the data package as a typed pandas DataFrame.

Only pandas is needed. Every file is checked against the sha256 and size in the
descriptor before it is parsed, so a corrupted or hand-edited file is refused
rather than silently loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from powdata._resources import ResourceName
from powdata.errors import ArgumentError, MissingExtraError
from powdata.package import Package, open_package

if TYPE_CHECKING:
    import pandas as pd

BACKENDS = ("pandas", "polars")


@overload
def load(
    name: ResourceName,
    *,
    as_of: str | dt.date | None = None,
    backend: Literal["pandas"] = "pandas",
    path: str | Path | Package | None = None,
) -> pd.DataFrame: ...


@overload
def load(
    name: ResourceName,
    *,
    as_of: str | dt.date | None = None,
    backend: Literal["polars"],
    path: str | Path | Package | None = None,
) -> Any: ...  # a polars.DataFrame (polars is an optional extra, so it is not named here)


@overload
def load(
    name: ResourceName,
    *,
    as_of: str | dt.date | None = None,
    backend: str,
    path: str | Path | Package | None = None,
) -> Any: ...


def load(
    name: ResourceName,
    *,
    as_of: str | dt.date | None = None,
    backend: str = "pandas",
    path: str | Path | Package | None = None,
) -> Any:
    """Return one resource of the data package as a typed DataFrame.

    Parameters
    ----------
    name : ResourceName
        A table's name; see `list_resources`. The names are a ``Literal``
        (``powdata.ResourceName``, generated from the descriptor), so a type checker
        rejects a misspelt name; for another package's tables, pass ``typing.cast(ResourceName, name)``.
    as_of : str or datetime.date, optional
        Point in time: keep only the rows of observations, quotes, mentions and
        sources that a publication had shown by this date (an observation: its
        stater's dated statement or any publication quoting it). Rows without a
        known publication date are left out. Other tables are returned whole.
    backend : {"pandas", "polars"}
        ``"polars"`` needs the ``polars`` extra (``pip install 'powdata[polars]'``).
    path : str or Path, optional
        Another data package (a ``datapackage.json`` or its folder); default: the
        installed one.

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        Dtypes come from the resource's Table Schema (see ``powdata._schema``).

    Raises
    ------
    UnknownResourceError
        ``name`` is not a resource; the message lists the resources.
    IntegrityError
        The file's sha256 or size differs from the descriptor.

    Examples
    --------
    >>> import powdata
    >>> obs = powdata.load("observations")
    >>> obs.loc[obs.observation_id == "foreign-fighters-listed-2025-08", "value"].item()
    16894.0
    """
    if backend not in BACKENDS:
        msg = f"backend={backend!r}: expected one of {', '.join(BACKENDS)}"
        raise ArgumentError(msg)
    pkg = open_package(path)
    res = pkg.table(name)
    df = pkg.load(name, as_of=as_of)
    if backend == "polars":
        return to_polars(df, dates=[f["name"] for f in res["schema"]["fields"] if f.get("type") == "date"])
    return df


def to_polars(df: pd.DataFrame, dates: Sequence[str] = ()) -> Any:
    """Convert a typed pandas frame to polars, or name the extra to install.

    Table Schema ``date`` fields (``dates``) become ``pl.Date``, not the
    ``Datetime`` a pandas ``datetime64`` column would otherwise turn into.
    """
    try:
        import polars as pl
    except ImportError:
        msg = "backend='polars' needs polars; install it with: pip install 'powdata[polars]'"
        raise MissingExtraError(msg) from None
    out = pl.from_pandas(df)
    return out.with_columns([pl.col(c).cast(pl.Date) for c in dates if c in out.columns])
