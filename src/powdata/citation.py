"""How to cite powdata: plain text, BibTeX or CITATION.cff, all from the descriptor.

A citation names the release (its version) and every original source (each row
of the ``sources`` table), since the figures are theirs, not ours. The CFF text
is also the repository's ``CITATION.cff``, written by ``powdata build`` and
checked fresh by a test, so the file and ``powdata cite --format cff`` agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from powdata.package import Package

FORMATS = ("text", "bibtex", "cff")
CITATION_FILE = "CITATION.cff"

# sources.kind -> CFF 1.2 reference type
_CFF_TYPES = {"news_article": "newspaper-article", "official_statement": "government-document", "report": "report"}
# BibTeX specials; the backslash first, so the escapes themselves are not escaped again
_BIBTEX_ESCAPES = (
    ("\\", "\\textbackslash{}"),
    ("{", "\\{"),
    ("}", "\\}"),
    ("%", "\\%"),
    ("&", "\\&"),
    ("#", "\\#"),
    ("_", "\\_"),
    ("$", "\\$"),
    ("~", "\\textasciitilde{}"),
    ("^", "\\textasciicircum{}"),
)


def bibtex_escape(text: str) -> str:
    """Escape the characters BibTeX and LaTeX treat specially (``% & { } # _ $ ~ ^ \\``).

    Examples
    --------
    >>> bibtex_escape("50% & {more}")
    '50\\\\% \\\\& \\\\{more\\\\}'
    """
    out = []
    for ch in text:
        out.append(next((esc for raw, esc in _BIBTEX_ESCAPES if raw == ch), ch))
    return "".join(out)


def _authors(desc: dict[str, Any]) -> list[str]:
    return [c.get("title", "") for c in desc.get("contributors", []) if c.get("title")] or ["powdata maintainers"]


def source_rows(path: str | Path | Package | None = None) -> list[dict[str, str]]:
    """Return every row of the ``sources`` table as text (empty string where missing)."""
    import pandas as pd

    from powdata.package import open_package

    df = open_package(path).frame("sources")

    def text(v: Any) -> str:
        if pd.isna(v):
            return ""
        return str(v.strftime("%Y-%m-%d")) if hasattr(v, "strftime") else str(v)

    return [{str(k): text(v) for k, v in row.items()} for row in df.to_dict("records")]


def _source_line(s: dict[str, str]) -> str:
    who = ", ".join(p for p in (s.get("author", ""), s.get("published", "") or "undated") if p)
    line = f"{s['publisher']}: {s['title']} ({who})."
    return f"{line} {s['url']}" if s.get("url") else line


def _bibtex_entry(key: str, fields: list[tuple[str, str]]) -> str:
    """One ``@misc`` entry; empty fields are left out. Values must already be escaped."""
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
    return f"@misc{{{key},\n{body}\n}}\n"


def _bibtex_url(url: str) -> str:
    return url.replace("%", "\\%")  # a URL keeps its other characters; the url package reads them


def _bibtex(desc: dict[str, Any], authors: list[str], sources: list[dict[str, str]]) -> str:
    esc = bibtex_escape
    version = desc.get("version", "")
    entries = [
        _bibtex_entry(
            f"powdata_{version.replace('.', '_')}",
            [
                ("author", " and ".join(f"{{{esc(a)}}}" for a in authors)),  # braced: an organisation
                ("title", f"powdata: {esc(desc.get('title', ''))}"),
                ("year", str(desc.get("created", ""))[:4]),
                ("version", esc(version)),
                ("howpublished", "Frictionless Data Package"),
                ("url", _bibtex_url(desc.get("homepage", ""))),  # empty until the project has a public home
                ("note", "Figures as stated by: " + esc("; ".join(s["publisher"] for s in sources))),
            ],
        )
    ]
    for s in sources:
        given, _, family = s["author"].rpartition(" ")
        person = f"{esc(family)}, {esc(given)}" if given else esc(s["author"])
        entries.append(
            _bibtex_entry(
                s["source_id"].replace("-", "_"),
                [
                    ("author", person if s["author"] else f"{{{esc(s['publisher'])}}}"),
                    ("title", esc(s["title"])),
                    ("publisher", esc(s["publisher"])),
                    ("year", s["published"][:4]),
                    ("date", s["published"]),
                    ("url", _bibtex_url(s["url"])),
                    ("note", esc(s["note"])),
                ],
            )
        )
    return "\n".join(entries)


def _yaml(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted string is valid YAML, so nothing is ever misread."""
    return json.dumps(value, ensure_ascii=False)


def _cff_person(name: str, indent: str) -> str:
    """A CFF person: given names, then the family name (the last word)."""
    given, _, family = name.rpartition(" ")
    if not given:
        return f"{indent}- name: {_yaml(name)}"
    return f"{indent}- family-names: {_yaml(family)}\n{indent}  given-names: {_yaml(given)}"


def _cff(desc: dict[str, Any], authors: list[str], sources: list[dict[str, str]]) -> str:
    lines = [
        "# Generated by `powdata build` from datapackage.json and data/sources.csv; do not edit by hand.",
        "cff-version: 1.2.0",
        "message: If you use these data, please cite this release and the original sources of the figures.",
        "type: dataset",
        f"title: {_yaml('powdata: ' + desc.get('title', ''))}",
        f"version: {_yaml(desc.get('version', ''))}",
    ]
    if desc.get("created"):
        lines.append(f"date-released: {_yaml(str(desc['created'])[:10])}")
    if desc.get("description"):
        lines.append(f"abstract: {_yaml(desc['description'])}")
    lines.append("authors:")
    lines += [f"  - name: {_yaml(a)}" for a in authors]  # contributors are organisations or teams
    licenses = [lic["name"] for lic in desc.get("licenses", []) if lic.get("name")]
    if licenses:
        lines.append("license:")
        lines += [f"  - {_yaml(n)}" for n in licenses]
    if desc.get("homepage"):
        lines.append(f"url: {_yaml(desc['homepage'])}")
    if desc.get("keywords"):
        lines.append("keywords:")
        lines += [f"  - {_yaml(k)}" for k in desc["keywords"]]
    lines.append("references:")
    for s in sources:
        lines.append(f"  - type: {_CFF_TYPES.get(s['kind'], 'generic')}")
        lines.append(f"    title: {_yaml(s['title'])}")
        lines.append("    authors:")
        # a named author is a person; otherwise the publisher is the author
        lines.append(_cff_person(s["author"], "      ") if s["author"] else f"      - name: {_yaml(s['publisher'])}")
        lines.append("    publisher:")
        lines.append(f"      name: {_yaml(s['publisher'])}")
        if s["published"]:
            lines.append(f"    date-published: {_yaml(s['published'])}")
            lines.append(f"    year: {int(s['published'][:4])}")
        if s["url"]:
            lines.append(f"    url: {_yaml(s['url'])}")
        if s["note"]:
            lines.append(f"    notes: {_yaml(s['note'])}")
    return "\n".join(lines) + "\n"


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
    if format not in FORMATS:
        from powdata.errors import ArgumentError

        msg = f"format={format!r}: expected one of {', '.join(FORMATS)}"
        raise ArgumentError(msg)
    from powdata.package import open_package

    pkg = open_package(path)
    if descriptor is None:
        descriptor = pkg.descriptor
    authors = _authors(descriptor)
    sources = source_rows(pkg)
    if format == "bibtex":
        return _bibtex(descriptor, authors, sources)
    if format == "cff":
        return _cff(descriptor, authors, sources)
    version = descriptor.get("version", "")
    title = descriptor.get("title", "")
    year = str(descriptor.get("created", ""))[:4]
    url = descriptor.get("homepage", "")
    lines = [f"{', '.join(authors)} ({year}). powdata: {title} (version {version}) [Data set]. {url}".rstrip()]
    lines += ["Original sources:"] + [f"- {_source_line(s)}" for s in sources]
    return "\n".join(lines) + "\n"


def write_citation(root: Path, pkg: Package | None = None) -> bool:
    """Write ``CITATION.cff`` under ``root`` atomically (``pkg``: ``root`` opened already); True when it changed."""
    from powdata._io.atomic import output_bytes, write_if_changed

    target, current = output_bytes(root, CITATION_FILE, "citation")
    return write_if_changed(target, current, lambda: cite("cff", path=pkg or root).encode("utf-8"))
