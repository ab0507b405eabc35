"""How to cite powdata: plain text, BibTeX or CITATION.cff, all from the descriptor.

A citation names the release (its version) and the original sources, since the
figures are theirs, not ours.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("text", "bibtex", "cff")


def _authors(desc: dict[str, Any]) -> list[str]:
    return [c.get("title", "") for c in desc.get("contributors", []) if c.get("title")] or ["powdata maintainers"]


def cite(format: str = "text", *, descriptor: dict[str, Any] | None = None) -> str:  # the public keyword is "format"
    """Return a citation of this release of the data package.

    Parameters
    ----------
    format : {"text", "bibtex", "cff"}

    Examples
    --------
    >>> import powdata
    >>> "powdata" in powdata.cite()
    True
    """
    if descriptor is None:
        from powdata._package import installed_descriptor

        descriptor = installed_descriptor()
    if format not in FORMATS:
        from powdata.errors import ArgumentError

        msg = f"format={format!r}: expected one of {', '.join(FORMATS)}"
        raise ArgumentError(msg)
    version = descriptor.get("version", "")
    title = descriptor.get("title", "")
    year = str(descriptor.get("created", ""))[:4]
    url = descriptor.get("homepage", "")  # empty until the project has a public home
    authors = _authors(descriptor)
    sources = [s.get("title", "") for s in descriptor.get("sources", [])]
    if format == "text":
        lines = [f"{', '.join(authors)} ({year}). powdata: {title} (version {version}) [Data set]. {url}".rstrip()]
        lines += ["Original sources:"] + [f"- {s}" for s in sources]
        return "\n".join(lines) + "\n"
    if format == "bibtex":
        key = f"powdata_{version.replace('.', '_')}"
        return (
            f"@misc{{{key},\n"
            f"  author = {{{{{' and '.join(authors)}}}}},\n"
            f"  title = {{powdata: {title}}},\n"
            f"  year = {{{year}}},\n"
            f"  version = {{{version}}},\n"
            f"  howpublished = {{Frictionless Data Package}},\n"
            f"  url = {{{url}}},\n"
            f"  note = {{Figures as stated by: {'; '.join(sources)}}}\n"
            "}\n"
        )
    refs = "".join(f'  - type: generic\n    title: "{s}"\n' for s in sources)
    names = "".join(f'  - name: "{a}"\n' for a in authors)
    return (
        "cff-version: 1.2.0\n"
        "message: If you use these data, please cite this release and the original sources.\n"
        "type: dataset\n"
        f'title: "powdata: {title}"\n'
        f'version: "{version}"\n'
        f"authors:\n{names}"
        "license: CC-BY-4.0\n"
        f"url: {url}\n"
        f"references:\n{refs}"
    )
