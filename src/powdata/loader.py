"""Load one resource of the data package as a typed pandas DataFrame.

Only pandas is needed. Every file is checked against the sha256 and size in the
descriptor before it is parsed, so a corrupted or hand-edited file is refused
rather than silently loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from powdata import _package, _schema
from powdata._vintages import first_known
from powdata.errors import ArgumentError, MissingExtraError, PackageReadError

if TYPE_CHECKING:
    import pandas as pd

BACKENDS = ("pandas", "polars")


def _descriptor_and_root(path: str | Path | None) -> tuple[dict[str, Any], Path]:
    if path is None:
        return _package.installed_descriptor(), _package.default_root()
    root = _package.resolve_root(path)
    return _package.read_descriptor(root), root


def read_table(root: Path, res: dict[str, Any], *, verify: bool = True) -> pd.DataFrame:
    """Read resource ``res`` as a frame typed by its Table Schema; raise on the first cell that does not parse.

    The reader and typer are validation's (``powdata._schema``); ``load`` only
    stops at the first problem where validation collects them all.
    """
    if not _schema.has_table_schema(res):
        msg = f"resource {res['name']!r}: expected an inline Table Schema in the descriptor; run `powdata build`"
        raise PackageReadError(msg)
    schema = res["schema"]
    data = _package.read_resource_bytes(root, res, verify=verify)
    _package.check_width(res, data)
    where = f"{res.get('path')} (resource {res['name']!r})"
    try:
        raw = _schema.read_raw(data, schema)
    except Exception as exc:  # bad bytes, ragged rows, bad quoting: pandas and pyarrow raise their own types
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = (
            f"{where}: cannot be parsed with its Table Schema ({first}); run `powdata validate` for the row and column"
        )
        raise PackageReadError(msg) from None
    expected = [f["name"] for f in schema["fields"]]
    if list(raw.columns) != expected:
        msg = f"{where}: expected columns {expected} but found {list(raw.columns)}; run `powdata validate`"
        raise PackageReadError(msg)
    df, flaws = _schema.type_frame(raw, schema)
    for flaw in flaws:
        if flaw.rule in ("type", "enum"):  # an empty required cell still loads (as missing)
            msg = f"{where}, row {flaw.row}, column {flaw.column!r}: {flaw.message}; run `powdata validate`"
            raise PackageReadError(msg)
    return df


def _parse_cutoff(as_of: str | dt.date) -> dt.date:
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    msg = f"as_of={_package.shown(as_of)}: expected a date as YYYY-MM-DD (for example '2025-12-31')"
    if not isinstance(as_of, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", as_of):
        raise ArgumentError(msg)  # 20250814 (an int) or '20250814' is not taken for a date
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise ArgumentError(msg) from None


DATED_TABLES = ("observations", "quotes", "mentions", "sources")
"""The tables ``as_of`` filters (see `powdata._vintages.first_known`); the others are kept whole."""


def filter_as_of(name: str, df: pd.DataFrame, frame: Callable[[str], pd.DataFrame], cutoff: dt.date) -> pd.DataFrame:
    """Keep the rows of table ``name`` that a publication had shown on or before ``cutoff``.

    Rows no dated publication shows are left out: nothing shows they had been
    published by then. ``frame`` returns another table of the package by name.
    """
    import pandas as pd

    published = first_known(name, df, frame)
    keep = published.notna() & (published <= pd.Timestamp(cutoff))
    return df.loc[keep.to_numpy()].reset_index(drop=True)


@overload
def load(
    name: str,
    *,
    as_of: str | dt.date | None = None,
    backend: Literal["pandas"] = "pandas",
    path: str | Path | None = None,
) -> pd.DataFrame: ...


@overload
def load(
    name: str,
    *,
    as_of: str | dt.date | None = None,
    backend: Literal["polars"],
    path: str | Path | None = None,
) -> Any: ...  # a polars.DataFrame (polars is an optional extra, so it is not named here)


@overload
def load(
    name: str,
    *,
    as_of: str | dt.date | None = None,
    backend: str,
    path: str | Path | None = None,
) -> Any: ...


def load(
    name: str,
    *,
    as_of: str | dt.date | None = None,
    backend: str = "pandas",
    path: str | Path | None = None,
) -> Any:
    """Return one resource of the data package as a typed DataFrame.

    Parameters
    ----------
    name : str
        A resource name; see `list_resources`.
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
    desc, root = _descriptor_and_root(path)
    res = _package.find_resource(desc, name)
    df = read_table(root, res)
    if as_of is not None and name in DATED_TABLES:
        cutoff = _parse_cutoff(as_of)
        df = filter_as_of(name, df, lambda other: read_table(root, _package.find_resource(desc, other)), cutoff)
    elif as_of is not None:
        _parse_cutoff(as_of)  # still reject a malformed date
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
