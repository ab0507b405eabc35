"""Open a data package once: the one object every operation below the public API takes.

`Package.open` takes what a user passes as ``path=`` — None (the installed copy),
a folder, a ``datapackage.json`` or ``git:REF`` — and opens it once: the
descriptor is read through the path gate and parsed once, every Table Schema is
shape-checked and normalised once (a key written as ``"area_id"`` or
``["area_id"]`` means the same; see `powdata._package.check_table_schema`), and
then, on first use, each file is gated once, read once and hashed once, and each
table typed once. Bytes and typed frames are cached on the object, so a view that
joins four tables reads each file once however many helpers it calls.

The public functions (`powdata.load`, the views, `validate`, `diff`, the
exports) keep their ``path=`` parameter and convert it here, at the boundary;
a helper below them takes the `Package` (``open_package`` passes an open one
through unchanged).

Examples
--------
>>> from powdata.package import Package
>>> pkg = Package.open()
>>> pkg.table("areas")["schema"]["primaryKey"]
['area_id']
>>> pkg.frame("observations") is pkg.frame("observations")
False
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata import _package
from powdata._io.escape import shown
from powdata._io.gate import (
    DESCRIPTOR_NAME,
    MAX_JSON_BYTES,
    default_root,
    descriptor_path,
    max_file_bytes,
    read_file,
    read_gated,
    resolve_root,
)
from powdata._io.git import git_commit, git_read
from powdata._io.integrity import check_size, declared_limit, integrity_errors, safe_resource_path, sha256_of
from powdata._io.strict_json import parse_json
from powdata.errors import PackageReadError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

GIT_PREFIX = "git:"


class Package:
    """An opened data package: its descriptor (parsed once) and, cached on first use, each file and table.

    Build one with `Package.open`; do not mutate ``descriptor``.
    """

    def __init__(self, descriptor: dict[str, Any], *, root: Path | None, label: str, commit: str | None = None):
        self.descriptor = descriptor
        self.root = root
        self.label = label
        self.commit = commit
        self._paths: dict[str, Path] = {}
        self._raw: dict[str, bytes] = {}  # file (see `_key`) -> bytes, read once
        self._digests: dict[str, str] = {}  # file -> sha256, computed once
        self._verified: set[str] = set()  # resources checked against their size and hash
        self._frames: dict[str, pd.DataFrame] = {}
        self._views: dict[tuple[Any, ...], pd.DataFrame] = {}  # (view, cutoff) -> frame, made once
        self._attrs: dict[str, Any] | None = None
        self.descriptor_bytes: bytes | None = None  # as read from a folder, for `build` to compare with

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | Package | None = None) -> Package:
        """Open the installed copy (None), a folder, a ``datapackage.json`` or ``git:REF``; an open one as is."""
        if isinstance(path, Package):
            return path
        if isinstance(path, str) and path.startswith(GIT_PREFIX):
            return cls._open_git(path[len(GIT_PREFIX) :])
        if path is None:
            root = default_root()
            return cls(_package.installed_descriptor(), root=root, label=str(root))
        root = resolve_root(path)
        raw = read_file(root, DESCRIPTOR_NAME, "descriptor", limit=MAX_JSON_BYTES)
        where = str(descriptor_path(root))
        pkg = cls(_package.check_descriptor(parse_json(raw, where), where), root=root, label=str(path))
        pkg.descriptor_bytes = raw
        return pkg

    @classmethod
    def _open_git(cls, ref: str) -> Package:
        ref = ref or "HEAD"
        what = f"git:{shown(ref)}"
        try:
            commit = git_commit(ref)
        except PackageReadError as exc:
            if "git exited with 1" not in str(exc):
                raise
            # `git rev-parse --verify --quiet` says nothing when the ref is unknown: say it
            msg = (
                f"{what}: unknown ref; this repository has no branch, tag or commit {shown(ref)} "
                "(see `git branch -a`, `git tag` or `git log`)"
            )
            raise PackageReadError(msg) from None
        raw = git_read(commit, DESCRIPTOR_NAME, what, limit=MAX_JSON_BYTES)
        desc = _package.check_descriptor(parse_json(raw, f"{what}:{DESCRIPTOR_NAME}"), what)
        pkg = cls(desc, root=None, label=f"git:{ref}", commit=commit)
        pkg.descriptor_bytes = raw
        return pkg

    def rebuilt(self, descriptor: dict[str, Any]) -> Package:
        """The same folder under a new descriptor (what `build` just wrote), keeping the bytes read and hashed.

        Typed frames are not kept: the new descriptor's schemas type them afresh.
        """
        other = Package(descriptor, root=self.root, label=self.label, commit=self.commit)
        other._paths = dict(self._paths)
        other._raw = dict(self._raw)  # verified anew against the new descriptor when asked
        other._digests = dict(self._digests)
        other.descriptor_bytes = self.descriptor_bytes
        return other

    # --- the descriptor --------------------------------------------------------------------

    @property
    def descriptor_path(self) -> Path:
        """The ``datapackage.json`` of a folder package (a git package has none on disk)."""
        if self.root is None:
            msg = f"{self.label}: a package read from git has no folder on disk"
            raise PackageReadError(msg)
        return descriptor_path(self.root)

    def tables(self) -> list[dict[str, Any]]:
        """The tabular resources, in descriptor order."""
        return _package.tables(self.descriptor)

    def texts(self) -> list[dict[str, Any]]:
        """The archived source texts, in descriptor order."""
        return _package.texts(self.descriptor)

    def table_names(self) -> list[str]:
        """The names of the tables, in descriptor order."""
        return [r["name"] for r in self.tables()]

    def table(self, name: str) -> dict[str, Any]:
        """The table resource ``name``, or `UnknownResourceError` naming the tables."""
        return _package.find_resource(self.descriptor, name)

    def resource(self, name: str) -> dict[str, Any]:
        """Any resource (table or text) named ``name``."""
        for res in self.descriptor["resources"]:
            if res["name"] == name:
                return res
        return self.table(name)  # raises, listing the tables

    # --- files -----------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        """The gated local file of resource ``name`` (gated once; its size is judged by the reader)."""
        if name not in self._paths:
            if self.root is None:
                msg = f"{self.label}: a package read from git has no files on disk"
                raise PackageReadError(msg)
            self._paths[name] = safe_resource_path(self.root, self.resource(name))
        return self._paths[name]

    def _key(self, name: str) -> str:
        """What identifies the file of resource ``name``: its real path (or its path at the commit)."""
        if self.commit is not None:
            return f"{self.commit}:{self.resource(name).get('path')}"
        return str(self.path(name))

    def read(self, name: str, *, verify: bool = True) -> bytes:
        """The bytes of resource ``name``; with ``verify`` checked against its declared size and sha256.

        Each file is read once, however many resources declare it and however
        often it is asked for; it is verified once per resource.
        """
        res = self.resource(name)
        key = self._key(name)
        data = self._raw.get(key)
        if data is None:
            what = f"resource {shown(name)}"
            if self.commit is not None:
                data = git_read(self.commit, res.get("path"), f"{self.label}: {what}")
            else:
                path = self.path(name)
                if verify:  # a file of another size is refused before a byte is read
                    check_size(res, path.stat().st_size, path)
                limit = declared_limit(res) if verify else max_file_bytes()
                data = read_gated(path, what, limit)
            self._raw[key] = data
        if verify and name not in self._verified:
            where = Path(str(res.get("path"))) if self.commit is not None else self.path(name)
            for error in integrity_errors(res, data, where, digest=self.digest(name)):
                raise error
            self._verified.add(name)
        return data

    def digest(self, name: str) -> str:
        """The ``sha256:<hex>`` of resource ``name``'s file, computed once per file."""
        key = self._key(name)
        if key not in self._digests:
            self._digests[key] = sha256_of(self.read(name, verify=False))
        return self._digests[key]

    # --- tables ----------------------------------------------------------------------------

    def frame(self, name: str) -> pd.DataFrame:
        """Table ``name`` typed by its Table Schema (typed once; each call returns a copy to change freely)."""
        if name not in self._frames:
            from powdata._tables import read_table

            self._frames[name] = read_table(self.read(name), self.table(name))
        return self._frames[name].copy()

    def text_frame(self, name: str) -> pd.DataFrame:
        """Table ``name`` as its file writes it, every cell text (the reader without the typer; not cached).

        What the citation lists (`attrs`, `powdata.cite`) is the sources' text: typing the
        table only to write it back as text cost ``load`` of another table 10 ms.
        """
        from powdata._tables import read_text_table

        return read_text_table(self.read(name), self.table(name))

    def load(self, name: str, as_of: str | dt.date | None = None) -> pd.DataFrame:
        """Table ``name`` as `powdata.load` returns it (``as_of`` filters by publication), with `attrs`."""
        from powdata._schema import parse_date
        from powdata._tables import DATED_TABLES, filter_as_of

        cutoff = None if as_of is None else parse_date(as_of, "as_of=")
        df = self.frame(name)
        if cutoff is not None and name in DATED_TABLES:  # observations, quotes, mentions, sources
            df = filter_as_of(name, df, self.frame, cutoff)
        df.attrs.update(self.attrs())
        return df

    def view(self, key: tuple[Any, ...], make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The view ``key`` names (say ``("figures", cutoff)``), made by ``make`` once; each call returns a copy.

        A chart of five panels asks for the same statements five times; the joins run once.
        """
        if key not in self._views:
            self._views[key] = make()
        import copy

        out = self._views[key].copy()
        out.attrs = copy.deepcopy(self._views[key].attrs)  # a caller's edit never reaches the cache
        return out

    def attrs(self) -> dict[str, Any]:
        """What every frame powdata returns carries in ``DataFrame.attrs``: title, version, licence, citation."""
        if self._attrs is None:
            from powdata._citation import frame_attrs

            self._attrs = frame_attrs(self.descriptor, self.text_frame("sources"))
        import copy

        return copy.deepcopy(self._attrs)  # the licences are a list: a caller's edit never reaches the next frame


def open_package(path: str | Path | Package | None = None) -> Package:
    """Open ``path`` as a `Package` (see `Package.open`); an open one is returned as is."""
    return Package.open(path)


__all__ = ["Package", "open_package"]
