"""How to cite powdata: plain text, BibTeX or CITATION.cff, all from the descriptor.

A citation names the release (its version) and every original source (each row
of the ``sources`` table), since the figures are theirs, not ours. The CFF text
is also the repository's ``CITATION.cff``, written by ``powdata build`` and
checked fresh by a test, so the file and ``powdata cite --format cff`` agree.
The rendering is `powdata._citation`'s; this opens the package it cites.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata._citation import check_format, render, source_texts

if TYPE_CHECKING:
    from powdata.package import Package

CITATION_FILE = "CITATION.cff"


def source_rows(path: str | Path | Package | None = None) -> list[dict[str, str]]:
    """Return every row of the ``sources`` table as text (empty string where missing)."""
    from powdata.package import open_package

    return source_texts(open_package(path).text_frame("sources"))


def cite(
    format: str = "text",  # the public keyword is "format"
    *,
    descriptor: dict[str, Any] | None = None,
    path: str | Path | Package | None = None,
) -> str:
    """Return a citation of this release of the data package and of every source.

    Parameters
    ----------
    format : {"text", "bibtex", "cff"}
        ``"cff"`` is the text of ``CITATION.cff`` (Citation File Format 1.2.0).
    descriptor : dict, optional
        The descriptor to cite; default: the one of ``path``.
    path : str or Path, optional
        Another data package (its folder or ``datapackage.json``); default: the installed one.

    Examples
    --------
    >>> import powdata
    >>> "powdata" in powdata.cite()
    True
    """
    check_format(format)  # before anything is read
    from powdata.package import open_package

    pkg = open_package(path)
    return render(format, pkg.descriptor if descriptor is None else descriptor, source_rows(pkg))


def write_citation(root: Path, pkg: Package | None = None) -> bool:
    """Write ``CITATION.cff`` under ``root`` atomically (``pkg``: ``root`` opened already); True when it changed."""
    from powdata._io.atomic import output_bytes, write_if_changed

    target, current = output_bytes(root, CITATION_FILE, "citation")
    return write_if_changed(target, current, lambda: cite("cff", path=pkg or root).encode("utf-8"))
