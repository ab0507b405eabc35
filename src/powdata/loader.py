"""Load one resource of the data package as a typed pandas DataFrame.

Only pandas is needed. Every file is checked against the sha256 and size in the
descriptor before it is parsed, so a corrupted or hand-edited file is refused
rather than silently loaded.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata import _package
from powdata._dtypes import csv_dtype, enum_of
from powdata.errors import MissingExtraError, PackageReadError, PowdataError, UnknownResourceError

if TYPE_CHECKING:
    import pandas as pd

BACKENDS = ("pandas", "polars")


def _descriptor_and_root(path: str | Path | None) -> tuple[dict[str, Any], Path]:
    if path is None:
        return _package.installed_descriptor(), _package.default_root()
    root = _package.resolve_root(path)
    return _package.read_descriptor(root), root


def read_table(root: Path, res: dict[str, Any], *, verify: bool = True) -> pd.DataFrame:
    """Parse the CSV of resource ``res`` with dtypes taken from its Table Schema."""
    import pandas as pd

    schema = res.get("schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        msg = f"resource {res['name']!r}: expected an inline Table Schema in the descriptor; run `powdata build`"
        raise PackageReadError(msg)
    fields = schema["fields"]
    data = _package.read_resource_bytes(root, res, verify=verify)
    _package.check_width(res, data)
    where = f"{res.get('path')} (resource {res['name']!r})"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a ragged first row only warns
            df = pd.read_csv(
                io.BytesIO(data),
                dtype={f["name"]: csv_dtype(f) for f in fields},
                keep_default_na=False,
                na_values=schema.get("missingValues", [""]),
                encoding="utf-8",
                index_col=False,
            )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = (
            f"{where}: cannot be parsed with its Table Schema ({first}); run `powdata validate` for the row and column"
        )
        raise PackageReadError(msg) from None
    expected = [f["name"] for f in fields]
    if list(df.columns) != expected:
        msg = f"{where}: expected columns {expected} but found {list(df.columns)}; run `powdata validate`"
        raise PackageReadError(msg)
    for field in fields:
        name = field["name"]
        enum = enum_of(field)
        if enum:
            cat = pd.Categorical(df[name].where(df[name].isin(enum)), categories=enum)
            bad = pd.isna(cat) & df[name].notna().to_numpy()
            if bad.any():
                row = int(bad.nonzero()[0][0]) + 2
                msg = f"{where}, row {row}, column {name!r}: {df[name].iloc[row - 2]!r} is not one of {enum}"
                raise PackageReadError(msg)
            df[name] = cat
        elif field.get("type") == "date":
            try:
                df[name] = pd.to_datetime(df[name], format="%Y-%m-%d")
            except (ValueError, TypeError) as exc:
                msg = f"{where}, column {name!r}: expected dates as YYYY-MM-DD ({exc}); run `powdata validate`"
                raise PackageReadError(msg) from None
    return df


def _parse_cutoff(as_of: str | dt.date) -> dt.date:
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    msg = f"as_of={_package.shown(as_of)}: expected a date as YYYY-MM-DD (for example '2025-12-31')"
    if not isinstance(as_of, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", as_of):
        raise PowdataError(msg)  # 20250814 (an int) or '20250814' is not taken for a date
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise PowdataError(msg) from None


def via_chains(sources: pd.DataFrame) -> dict[str, list[str]]:
    """Map each source_id to its ``via`` chain: itself, where it was read, where that was read, …

    A loop or a dangling reference ends the chain (validation reports both).
    """
    import pandas as pd

    via = dict(zip(sources["source_id"], sources["via_source_id"], strict=True))
    out: dict[str, list[str]] = {}
    for sid in via:
        chain: list[str] = []
        cur: Any = sid
        while isinstance(cur, str) and cur not in chain:
            chain.append(cur)
            nxt = via.get(cur)
            cur = None if nxt is None or pd.isna(nxt) else nxt
        out[sid] = chain
    return out


def text_roots(sources: pd.DataFrame) -> dict[str, str]:
    """Map each source_id to the publication its figures are quoted from: the end of its via chain."""
    return {sid: chain[-1] for sid, chain in via_chains(sources).items() if chain}  # a missing id has none


def publication_dates(sources: pd.DataFrame) -> dict[str, Any]:
    """Map each source_id to the first known publication date along its ``via`` chain.

    A source with no date of its own is dated by the publication it was read
    through (its ``via_source_id``), and so on; a chain with no date maps to None.
    """
    import pandas as pd

    own = dict(zip(sources["source_id"], sources["published"], strict=True))
    out: dict[str, Any] = {}
    for sid, chain in via_chains(sources).items():
        dated = [own[s] for s in chain if s in own and not pd.isna(own[s])]
        out[sid] = dated[0] if dated else None
    return out


def published_on(df: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """Return, for each row of ``df``, the publication date of its source chain (NaT when unknown)."""
    import pandas as pd

    return pd.to_datetime(df["source_id"].astype(object).map(publication_dates(sources)))


def filter_as_of(df: pd.DataFrame, sources: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame:
    """Keep the rows of ``df`` whose source was published on or before ``cutoff``.

    Rows whose source chain has no known publication date are left out: nothing
    shows they had been published by then.
    """
    import pandas as pd

    published = published_on(df, sources)
    keep = published.notna() & (published <= pd.Timestamp(cutoff))
    return df.loc[keep.to_numpy()].reset_index(drop=True)


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
        Point in time: keep only rows whose source (or the publication it was read
        through) was published on or before this date. Rows without a known
        publication date are left out. Resources without ``source_id`` are
        returned whole.
    backend : {"pandas", "polars"}
        ``"polars"`` needs the ``polars`` extra (``pip install 'powdata[polars]'``).
    path : str or Path, optional
        Another data package (a ``datapackage.json`` or its folder); default: the
        installed one.

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        Dtypes come from the resource's Table Schema (see ``powdata._dtypes``).

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
        raise PowdataError(msg)
    desc, root = _descriptor_and_root(path)
    res = _package.find_resource(desc, name)
    df = read_table(root, res)
    if as_of is not None and "source_id" in df.columns:
        cutoff = _parse_cutoff(as_of)
        sources = read_table(root, _package.find_resource(desc, "sources"))
        df = filter_as_of(df, sources, cutoff)
    elif as_of is not None:
        _parse_cutoff(as_of)  # still reject a malformed date
    if backend == "polars":
        return to_polars(df, dates=[f["name"] for f in res["schema"]["fields"] if f.get("type") == "date"])
    return df


def source_text(source_id: str, *, path: str | Path | None = None) -> str:
    """Return the archived text that the figures of ``source_id`` are quoted from.

    That is the text of the publication at the end of the source's ``via`` chain
    (``sources/<source_id>.txt``), checked against its sha256 and size like any
    resource, so every excerpt can be verified offline: ``excerpt in source_text(...)``.

    Raises
    ------
    UnknownResourceError
        ``source_id`` is not a source, or its publication has no archived text.

    Examples
    --------
    >>> import powdata
    >>> "16,894" in powdata.source_text("i-want-to-live-list")
    True
    """
    desc, root = _descriptor_and_root(path)
    sources = read_table(root, _package.find_resource(desc, "sources"))
    roots = text_roots(sources)
    if source_id not in roots:
        msg = f"{source_id!r} is not a source_id; expected one of: {', '.join(sorted(roots))}"
        raise UnknownResourceError(msg)
    archived = {_package.text_source_id(r): r for r in _package.texts(desc)}
    res = archived.get(roots[source_id])
    if res is None:
        msg = f"source {source_id!r} is quoted from {roots[source_id]!r}, which has no archived text in this package"
        raise UnknownResourceError(msg)
    return _package.read_resource_bytes(root, res).decode("utf-8")


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
