"""The web site, generated from the package by one command: ``powdata site --to DIR``.

Markdown pages are written from the data through powdata's public API (`load`, `series`,
`latest`, `describe`, `cite`), then MkDocs with the Material theme builds them in strict mode
(the ``site`` extra). Nothing on a page is typed by hand: the indicator list, every figure,
quotation, source and link come from the tables, the licence and version from the descriptor.

``DIR/docs/``      the Markdown pages, the charts (SVG) and the downloads of this version
``DIR/mkdocs.yml`` the site's configuration
``DIR/html/``      the built site (open ``DIR/html/index.html`` through any static web server)

Pages: the landing page (what, scope, latest figures, how to get and cite it, licence, update
cadence, with the schema.org ``Dataset`` JSON-LD), one page per indicator (its chart, its
statements in order, each with an anchor named by its ``observation_id`` and every quotation
of it with its source and links), sources, methodology and coverage, codebook, changelog and
migration notes, downloads, and how to report a wrong figure.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from powdata.errors import ArgumentError, MissingExtraError, PowdataError

SITE_NAME = "powdata"
MARKER = ".powdata-site"  # marks a folder `powdata site` wrote, so a rerun may clear it
_NO_URL = (
    "powdata has no public repository or documentation address yet; when it has, its `homepage` in "
    "`datapackage.json` carries it into the citation, CITATION.cff and this site's metadata."
)


def _md(text: Any) -> str:
    """Text from the data, safe inside Markdown and HTML: escaped, on one line."""
    import pandas as pd

    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    out = html.escape(" ".join(str(text).split()), quote=False)
    for ch in ("\\", "`", "*", "_", "[", "]", "|", "#"):
        out = out.replace(ch, "\\" + ch)
    return out


def _blank(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or str(value) == ""


def _date(value: Any) -> str:
    if _blank(value):
        return ""
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)


def _link(url: Any, text: str) -> str:
    if _blank(url):
        return text
    return f"[{text}](<{str(url).replace('>', '%3E')}>)"


class _Data:
    """The tables the pages are written from, loaded once."""

    def __init__(self, path: str | Path | None) -> None:
        from powdata._io.escape import shown
        from powdata._io.gate import check_version, default_root
        from powdata.loader import load
        from powdata.package import open_package

        self.path = open_package(path)  # opened once: every page, view and chart reads each table once
        if self.path.commit is not None:  # opened at a git ref: the zip and the changelog come from a folder
            where = shown(str(path))
            msg = f"site {where}: built from a package folder or the installed one; check the ref out first"
            raise ArgumentError(msg)
        self.root = self.path.root if self.path.root is not None else default_root()
        self.descriptor = self.path.descriptor
        self.version = check_version(self.descriptor.get("version"))  # it names the downloads' folder
        self.indicators = load("indicators", path=self.path)
        self.areas = load("areas", path=self.path)
        self.observations = load("observations", path=self.path)
        self.quotes = load("quotes", path=self.path)
        self.sources = load("sources", path=self.path)
        self.area_name = dict(zip(self.areas["area_id"].astype(str), self.areas["name"].astype(str), strict=True))
        self.source = {str(r.source_id): r for r in self.sources.itertuples()}

    def unit(self, indicator_id: str) -> str:
        return str(self.indicators.loc[self.indicators["indicator_id"] == indicator_id, "unit"].iloc[0])


def _words(row: Any, unit: str) -> str:
    from powdata.charts import figure_label

    return figure_label(row, unit, dagger=False)


def _page_link(indicator_id: str, observation_id: str | None = None, *, up: bool = False) -> str:
    base = f"{'../' if up else ''}indicators/{indicator_id}.md"
    return f"{base}#{observation_id}" if observation_id else base


# ---------------------------------------------------------------- pages


def _landing(d: _Data) -> str:
    from powdata.citation import cite
    from powdata.release.metadata import dataset_jsonld, jsonld_script
    from powdata.views import latest

    desc = d.descriptor
    lic = (desc.get("licenses") or [{}])[0]
    lines = [
        f"# {_md(desc.get('title', SITE_NAME))}",
        "",
        jsonld_script(dataset_jsonld(desc, path=d.path)),
        "",
        f"**powdata {d.version}** — {_md(desc.get('description', ''))}",
        "",
        "## Scope",
        "",
        "Figures that public reports state about foreign nationals (other than Russian citizens) who fight "
        "for Russia against Ukraine, and about those held as prisoners of war in Ukraine: each figure as its "
        "source states it — qualifier, date, who stated it — with every publication that carries it and the "
        "verbatim excerpt. Aggregates only: nothing about any individual prisoner. How reports are found and "
        "what is left out: [Methodology and coverage](methodology.md).",
        "",
        "## Latest figures",
        "",
        "The latest statement of each indicator, area and period (every earlier one is on the indicator's page).",
        "",
        "| indicator | area | period | figure | as of | stated by |",
        "|---|---|---|---|---|---|",
    ]
    order = {str(i): n for n, i in enumerate(d.indicators["indicator_id"])}
    late = latest(path=d.path)
    late = late.assign(_order=[order[str(i)] for i in late["indicator_id"]]).sort_values("_order", kind="stable")
    names = dict(zip(d.indicators["indicator_id"].astype(str), d.indicators["name"].astype(str), strict=True))
    for r in late.itertuples():
        ind = str(r.indicator_id)
        period = f"{_date(r.period_start)} to {_date(r.period_end) or '?'}" if not _blank(r.period_start) else "–"
        who = d.source.get(str(r.stated_by))
        lines.append(
            f"| [{_md(names[ind])}]({_page_link(ind)}) | {_md(d.area_name.get(str(r.area_id), r.area_id))} | "
            f"{period} | [{_md(_words(r, d.unit(ind)))}]({_page_link(ind, str(r.observation_id))}) | "
            f"{_md(r.as_of) or '–'} | {_md(who.publisher if who is not None else r.stated_by)} |"
        )
    lines += [
        "",
        "## Get it",
        "",
        "- **Downloads** of this version — the data package (zip), SQLite, one CSV per table: "
        "[Downloads](downloads.md).",
        "- **Python**: powdata is not on PyPI yet. From a clone of the repository: "
        "`python -m pip install -e .`, or build a wheel with `python -m build` and install it. Then "
        '`import powdata; powdata.load("observations")`. Once published: `pip install powdata`.',
        "- **Any Frictionless client** reads `datapackage.json` from the zip.",
        "",
        "## Cite it",
        "",
        "```text",
        cite("text", descriptor=desc, path=d.path).rstrip(),
        "```",
        "",
        _NO_URL,
        "",
        "## Licence",
        "",
        f"Data: {_link(lic.get('path'), _md(lic.get('name', '')))} — {_md(lic.get('title', ''))}. "
        "Attribute powdata and the original sources. Code: MIT.",
        "",
        "## Updates",
        "",
        "There is no fixed schedule: a new release follows when a public report gives a new figure or a "
        "figure is found to be wrong. Each release has a version number (semantic versioning of the data), "
        "its changes listed by observation id in the [Changelog](changelog.md), and its files on the "
        "[Downloads](downloads.md) page. To report a wrong figure: [Report a wrong figure](report.md).",
        "",
    ]
    return "\n".join(lines)


def _quote_block(d: _Data, q: Any) -> list[str]:
    src = d.source.get(str(q.source_id))
    lang = "" if src is None or _blank(src.language) else str(src.language)
    out = [
        f'<blockquote class="powdata-quote" lang="{html.escape(lang)}" markdown="1">'
        if lang
        else '<blockquote class="powdata-quote" markdown="1">',
        _md(q.excerpt),
        "</blockquote>",
        "",
    ]
    if src is not None:
        bits = [f"**{_md(src.publisher)}**", f"*{_md(src.title)}*"]
        if not _blank(src.published):
            bits.append(f"published {_date(src.published)}")
        if lang:
            bits.append(f"in `{lang}`")
        if not _blank(src.read_from):
            bits.append(f"read from the {_md(src.read_from)}")
        if not _blank(src.retrieved):
            bits.append(f"retrieved {_date(src.retrieved)}")
        links = [_link(src.url, "link")] if not _blank(src.url) else ["no address known"]
        if not _blank(src.archive_url):
            links.append(_link(src.archive_url, "archived copy"))
        out.append("— " + ", ".join(bits) + " (" + ", ".join(links) + f"; source `{_md(src.source_id)}`)")
    if not _blank(q.note):
        out += ["", f"*Note on this quotation:* {_md(q.note)}"]
    out.append("")
    return out


def _figure_section(d: _Data, r: Any, unit: str, level: str = "###") -> list[str]:
    oid = str(r.observation_id)
    period = ""
    if not _blank(r.period_start):
        period = f", for {_date(r.period_start)} to {_date(r.period_end) or '? (end not stated)'}"
    head = f"{level} {_md(_words(r, unit))}, as of {_md(r.as_of) or 'an unstated date'}{period} {{#{oid}}}"
    who = d.source.get(str(r.stated_by))
    out = [
        head,
        "",
        f"Figure `{oid}` · stated by {_md(who.publisher if who is not None else r.stated_by)} "
        f"(`{_md(r.stated_by)}`) · qualifier `{_md(r.qualifier)}`"
        + (f" · date from the {_md(r.as_of_basis)}" if not _blank(getattr(r, "as_of_basis", None)) else ""),
        "",
    ]
    if not _blank(getattr(r, "reading", None)):
        out += [f'!!! warning "A reading, not what the texts state"\n    {_md(r.reading)}', ""]
    if not _blank(r.note):
        out += [f"*Note:* {_md(r.note)}", ""]
    quotes = d.quotes.loc[d.quotes["observation_id"] == oid]
    out += [f"**Quoted in {len(quotes)} publication{'s' if len(quotes) != 1 else ''}:**", ""]
    for q in quotes.itertuples():
        out += _quote_block(d, q)
    return out


def _indicator_page(d: _Data, ind: Any, chart: str | None) -> str:
    from powdata.views import series, statements

    iid = str(ind.indicator_id)
    unit = str(ind.unit)
    lines = [
        f"# {_md(ind.name)}",
        "",
        f"`{iid}` · unit: {_md(unit)} · {'cumulative' if ind.cumulative else 'not cumulative'}"
        + ("" if ind.in_scope else " · **out of scope** (recorded because a source in scope states it)"),
        "",
        _md(ind.description),
        "",
    ]
    if not _blank(ind.caveat):
        lines += [f'!!! note "Caveat"\n    {_md(ind.caveat)}', ""]
    if chart:
        lines += [f"![Chart: {_md(ind.name)}](../charts/{chart})", ""]
    elif unit == "rank":
        lines += ["*No chart: a rank is an order, not a quantity.*", ""]
    else:
        lines += ["*No chart: no text dates a statement of this figure, so it has no place on a time axis.*", ""]
    st = statements(path=d.path)
    areas = sorted(
        dict.fromkeys(st.loc[st["indicator_id"] == iid, "area_id"].astype(str)), key=lambda a: (a != "all", a)
    )
    variants = d.observations.loc[d.observations["variant_of"].notna()]
    lines += ["## Statements, oldest first", ""]
    for area in areas:
        if len(areas) > 1 or area != "all":
            lines += [f"### {_md(d.area_name.get(area, area))} (`{area}`)", ""]
        for r in series(iid, area, path=d.path).itertuples():
            lines += _figure_section(d, r, unit, "####" if len(areas) > 1 or area != "all" else "###")
            for v in variants.loc[variants["variant_of"] == r.observation_id].itertuples():
                lines += [f"*A publication words this statement differently (`{v.observation_id}`):*", ""]
                lines += _figure_section(d, v, unit, "#####")
    return "\n".join(lines) + "\n"


def _indicators_index(d: _Data) -> str:
    lines = ["# Indicators", "", "| indicator | unit | statements | in scope |", "|---|---|---|---|"]
    main = d.observations.loc[d.observations["variant_of"].isna()]
    for ind in d.indicators.itertuples():
        n = int((main["indicator_id"] == ind.indicator_id).sum())
        link = f"[{_md(ind.name)}]({ind.indicator_id}.md)"
        lines.append(f"| {link} | {_md(ind.unit)} | {n} | {'yes' if ind.in_scope else 'no'} |")
    return "\n".join(lines) + "\n"


def _sources_page(d: _Data) -> str:
    lines = [
        "# Sources",
        "",
        "Who stated each figure (statements) and where powdata read it (publications), as the `sources` table "
        "holds them. powdata keeps no copy of any publication's text: only the excerpts quoted on each "
        "indicator page.",
        "",
        "| source | kind | publisher | published | language | retrieved | links |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in d.sources.itertuples():
        links = ", ".join(
            x for x in (_link(s.url, "link") if not _blank(s.url) else "", _link(s.archive_url, "archive")) if x
        )
        if _blank(s.archive_url):
            links = _link(s.url, "link") if not _blank(s.url) else "–"
        lines.append(
            f"| `{_md(s.source_id)}`: {_md(s.title)} | {_md(s.kind)} | {_md(s.publisher)} | "
            f"{_date(s.published) or '–'} | {_md(s.language) or '–'} | {_date(s.retrieved) or '–'} | {links} |"
        )
    return "\n".join(lines) + "\n"


def _methodology(d: _Data) -> str:
    n_obs = int(d.observations["variant_of"].isna().sum())
    pubs = d.sources.loc[d.sources["kind"].astype(str) == "news_article"]
    langs = sorted({str(x) for x in d.sources["language"].dropna()})
    lines = [
        "# Methodology and coverage",
        "",
        "## What a figure is",
        "",
        f"A figure is a **statement**: one stater, one time, one number for one thing. This release holds "
        f"{n_obs} statements of {len(d.indicators)} indicators, read in {len(pubs)} publications "
        f"(languages: {', '.join(langs)}). A statement carried by several publications is one figure with "
        "several quotations; a publication that words it differently is recorded as a variant of it, never "
        "as a second figure. Charts, the latest figures and the validation rules count statements.",
        "",
        'Each figure keeps the words that bound it: "more than 100" is 100 with the qualifier `more_than`, '
        'never 100 or 101; "nearly 200" is close to 200 and below it. A figure is never rounded, averaged, '
        'picked among disagreeing reports or "fixed": reports that disagree are all kept, attributed. What '
        "no text states but powdata reads into a figure is recorded as a **reading**, marked as such on every "
        "page and chart, never in an indicator's name.",
        "",
        "## How reports are found",
        "",
        "Reports are added as the maintainers find them; the search is not systematic, and a release does "
        "not record how each report was found. Each release's changelog lists the reports it added. The "
        "collection is **not complete**: a figure missing here may well have been published, and a figure's "
        "absence says nothing. A report powdata lacks can be sent with the form for a wrong figure.",
        "",
        "## What is checked",
        "",
        "`powdata validate` checks the structure of every table and the consistency rules (dates in order, "
        "parts within wholes, one value per key, qualifiers matching the words of each excerpt…). Each "
        "excerpt is checked against the text it was retrieved from, kept outside the published package.",
        "",
        "## Coverage",
        "",
        "| indicator | statements | first as of | last as of |",
        "|---|---|---|---|",
    ]
    main = d.observations.loc[d.observations["variant_of"].isna()]
    for ind in d.indicators.itertuples():
        rows = main.loc[main["indicator_id"] == ind.indicator_id]
        dates = sorted(str(a) for a in rows["as_of"].dropna())
        lines.append(
            f"| [{_md(ind.name)}]({_page_link(str(ind.indicator_id))}) | {len(rows)} | "
            f"{dates[0] if dates else '–'} | {dates[-1] if dates else '–'} |"
        )
    not_data = d.root / "evidence" / "not-data.csv"
    if not_data.is_file():
        import pandas as pd

        nd = pd.read_csv(not_data, dtype=str, keep_default_na=False)
        lines += [
            "",
            "## Numbers in the texts that are not figures here",
            "",
            "Every number in a retrieved text is either a figure's or listed here with the reason it is not data.",
            "",
            "| source | number | context | why it is not a figure |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{_md(r.source_id)}` | {_md(r.number)} | {_md(r.context)} | {_md(r.reason)} |" for r in nd.itertuples()
        ]
    return "\n".join(lines) + "\n"


def _codebook(d: _Data) -> str:
    from powdata import describe
    from powdata._package import tables

    lines = ["# Codebook", "", f"Every table and field of powdata {d.version}, from the descriptor.", ""]
    for res in tables(d.descriptor):
        info = describe(res["name"]) if d.path is None else None
        fields = info["fields"] if info else res.get("schema", {}).get("fields", [])
        lines += [f"## `{res['name']}`", "", _md(res.get("description", "")), "", "| field | type | description |"]
        lines.append("|---|---|---|")
        lines += [f"| `{f['name']}` | {f.get('type', 'string')} | {_md(f.get('description', ''))} |" for f in fields]
        lines.append("")
    return "\n".join(lines)


def _repo_text(repo: Path | None, name: str) -> str:
    """The text of ``name`` (CHANGELOG.md, CONTRIBUTING.md) in ``repo``, or "" when there is none.

    Read through the package's gate: the folder may be an untrusted package, so a symlink out of
    it, a FIFO or a file over 16 MiB is refused, and a file that is not UTF-8 is one line.
    """
    from powdata._io.escape import shown
    from powdata._io.gate import MAX_DOCUMENT_BYTES, read_file
    from powdata.errors import PackageReadError

    if repo is None or not os.path.lexists(repo / name):
        return ""
    data = read_file(repo, name, name, limit=MAX_DOCUMENT_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as bad:
        msg = f"{name}: {shown(str(repo / name))} is not UTF-8 (byte {bad.start}); re-save it as UTF-8"
        raise PackageReadError(msg) from None


def _changelog(d: _Data, repo: Path | None) -> str:
    text = _repo_text(repo, "CHANGELOG.md")
    if not text:
        return (
            "# Changelog\n\nThe changelog ships with the repository (CHANGELOG.md), not with the installed package.\n"
        )
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    intro = (
        "# Changelog and migration notes\n\nEvery change of data and code, by version and by observation id. "
        "Migration notes for a MAJOR release are in its entry.\n"
    )
    return intro + body.replace("\n# ", "\n## ")


def _report_page(repo: Path | None) -> str:
    lines = [
        "# Report a wrong figure",
        "",
        "If a figure, date, qualifier, excerpt or source here does not match what its source says, open an "
        "issue with the **Report a wrong figure** form of the repository: give the figure's id (the part of "
        "its address after `#` on its indicator page), the version, and the sentence of the source that "
        "carries the number. A confirmed error is corrected in the next release, under the same id, and "
        "listed in the errata below.",
        "",
        _NO_URL,
        "",
        "**Aggregates only:** never send the name, age, photo or story of an individual prisoner.",
        "",
    ]
    text = _repo_text(repo, "CONTRIBUTING.md")
    if "## Errata" in text:
        errata = text.split("## Errata", 1)[1].split("\n## ", 1)[0]
        lines += ["## Errata", errata.strip(), ""]
    return "\n".join(lines) + "\n"


def _downloads(d: _Data, docs: Path) -> str:
    from powdata.export.sqlite import write_sqlite
    from powdata.release.metadata import downloads, write_deposit_zip

    files = downloads(d.descriptor)
    for f in files:
        target = docs / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if f.path.endswith(".zip"):
            write_deposit_zip(d.root, target)
        elif f.path.endswith(".sqlite"):
            write_sqlite(target, path=d.path)
        else:
            name = Path(f.path).stem  # the bytes the package read: gated, verified, from the git ref for git:REF
            target.write_bytes(d.path.read(name))
    lines = [
        "# Downloads",
        "",
        f"## Version {d.version}",
        "",
        "| file | format | size | holds |",
        "|---|---|---|---|",
    ]
    for f in files:
        size = (docs / f.path).stat().st_size
        name = Path(f.path).name
        lines.append(f"| [{name}]({f.path}) | `{f.media_type}` | {size:,} bytes | {_md(f.description)} |")
    releases = sorted(p.stem for p in (d.root / "releases").glob("*.json")) if (d.root / "releases").is_dir() else []
    lines += [
        "",
        "## Earlier versions",
        "",
        "Each release's files are in the repository's history at its tag, and `releases/<version>.json` records "
        "the sha256 of every file of that release, so a copy can be checked: "
        + (", ".join(f"`{v}`" for v in releases) if releases else "none recorded")
        + ". This site is built for one version; the files of earlier ones are not rebuilt here.",
        "",
    ]
    return "\n".join(lines)


def _mkdocs_yml(d: _Data, nav: list[tuple[str, str]], indicator_nav: list[tuple[str, str]]) -> str:
    config = {
        "site_name": f"{SITE_NAME} {d.version}",
        "site_description": str(d.descriptor.get("title", "")),
        "docs_dir": "docs",
        "site_dir": "html",
        "use_directory_urls": True,
        "strict": True,
        "theme": {"name": "material", "font": False, "features": ["navigation.sections", "toc.follow"]},
        "plugins": ["search"],
        "markdown_extensions": ["attr_list", "md_in_html", "tables", "admonition", {"toc": {"permalink": True}}],
        "nav": [{title: page} for title, page in nav[:1]]
        + [{"Indicators": [{"All indicators": "indicators/index.md"}] + [{t: p} for t, p in indicator_nav]}]
        + [{title: page} for title, page in nav[1:]],
    }
    if d.descriptor.get("homepage"):
        config["site_url"] = str(d.descriptor["homepage"])
    return json.dumps(config, ensure_ascii=False, indent=2) + "\n"  # JSON is YAML


def write_pages(out: str | Path, *, path: str | Path | None = None, repo: str | Path | None = None) -> list[Path]:
    """Write the site's Markdown pages, charts, downloads and ``mkdocs.yml`` under ``out``; return the pages.

    ``repo`` is the repository checkout whose CHANGELOG.md and CONTRIBUTING.md the site shows
    (default: the package's folder when it is a checkout).
    """
    from powdata._io.atomic import write_text_atomic

    d = _Data(path)
    root = Path(out)
    marker = root / MARKER
    if root.is_dir() and any(root.iterdir()) and not marker.is_file():  # never clear a folder it did not write
        msg = (
            f"--to {root}: expected an empty folder or one `powdata site` wrote before (with {MARKER}), "
            "but it holds other files; choose another folder"
        )
        raise PowdataError(msg)
    root.mkdir(parents=True, exist_ok=True)
    marker.write_text("written by powdata site; the folder is rewritten on each run\n", encoding="utf-8")
    final = root / "docs"
    docs = Path(tempfile.mkdtemp(prefix=".docs.", dir=root))  # written whole, then put in place: never half a site
    try:
        pages, yml = _write_docs(d, docs, repo)
        if final.exists():
            shutil.rmtree(final)
        os.replace(docs, final)
    except BaseException:
        shutil.rmtree(docs, ignore_errors=True)
        raise
    write_text_atomic(root / "mkdocs.yml", yml)
    return [final / p.relative_to(docs) for p in pages]


def _write_docs(d: _Data, docs: Path, repo: str | Path | None) -> tuple[list[Path], str]:
    """Write every page, chart and download into ``docs`` (a fresh folder); return the pages and mkdocs.yml."""
    from powdata.charts import chart_names, draw_indicator, render

    (docs / "indicators").mkdir(parents=True)
    (docs / "charts").mkdir()
    repo_dir = Path(repo) if repo else (d.root if os.path.lexists(d.root / "CHANGELOG.md") else None)
    drawable = set(chart_names(d.path))
    pages: list[Path] = []

    def page(rel: str, text: str) -> None:
        target = docs / rel
        target.write_text(text, encoding="utf-8")
        pages.append(target)

    indicator_nav = []
    for ind in d.indicators.itertuples():
        iid = str(ind.indicator_id)
        chart = None
        if iid in drawable:
            chart = f"{iid}.svg"
            (docs / "charts" / chart).write_bytes(render(draw_indicator(iid, path=d.path), "svg"))
        page(f"indicators/{iid}.md", _indicator_page(d, ind, chart))
        indicator_nav.append((str(ind.name), f"indicators/{iid}.md"))
    page("indicators/index.md", _indicators_index(d))
    page("index.md", _landing(d))
    page("sources.md", _sources_page(d))
    page("methodology.md", _methodology(d))
    page("codebook.md", _codebook(d))
    page("changelog.md", _changelog(d, repo_dir))
    page("downloads.md", _downloads(d, docs))
    page("report.md", _report_page(repo_dir))
    nav = [
        ("Home", "index.md"),
        ("Methodology and coverage", "methodology.md"),
        ("Sources", "sources.md"),
        ("Codebook", "codebook.md"),
        ("Downloads", "downloads.md"),
        ("Changelog", "changelog.md"),
        ("Report a wrong figure", "report.md"),
    ]
    return pages, _mkdocs_yml(d, nav, indicator_nav)


def build_html(out: str | Path) -> Path:
    """Build ``out/mkdocs.yml`` into ``out/html`` with MkDocs in strict mode; return the folder."""
    import importlib.util

    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        msg = "the site needs MkDocs and its Material theme; install them with: pip install 'powdata[site]'"
        raise MissingExtraError(msg) from None
    root = Path(out)
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-q", "-f", str(root / "mkdocs.yml")]
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        problems = " | ".join(line.strip() for line in (r.stderr + r.stdout).splitlines() if line.strip())
        msg = f"mkdocs build --strict failed for {root / 'mkdocs.yml'}: {problems[:2000]}"
        raise PowdataError(msg)
    return root / "html"


def build_site(
    out: str | Path, *, html_too: bool = True, path: str | Path | None = None, repo: str | Path | None = None
) -> Path:
    """Write the pages under ``out`` and (unless ``html_too`` is False) build them; return ``out``.

    Examples
    --------
    >>> import tempfile, powdata.site
    >>> out = powdata.site.build_site(tempfile.mkdtemp(), html_too=False)
    >>> (out / "docs" / "index.md").is_file()
    True
    """
    root = Path(out)
    write_pages(root, path=path, repo=repo)
    if html_too:
        build_html(root)
    return root


def main(argv: list[str] | None = None) -> int:
    """``python -m powdata.site [--to DIR] [--no-html]``: the same as ``powdata site``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m powdata.site", description="Build the powdata web site.")
    parser.add_argument("--to", default="build/site", help="output folder (default: build/site)")
    parser.add_argument("--no-html", action="store_true", help="write the Markdown pages only")
    args = parser.parse_args(argv)
    try:
        out = build_site(args.to, html_too=not args.no_html)
    except PowdataError as exc:
        print(f"powdata: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out / 'docs'}" + ("" if args.no_html else f" and {out / 'html'}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

__all__ = ["build_html", "build_site", "write_pages"]
