"""Discovery and deposit metadata, generated from the descriptor and the data (maintainers).

Three documents, one source each (``datapackage.json`` and the tables), never retyped:

- `dataset_jsonld`: a schema.org ``Dataset`` for the site's landing page, which Google Dataset
  Search and other portals read (name, description, licence, creator, temporal and spatial
  coverage, one ``DataDownload`` per download, version, the original sources as ``citation``);
- `datacite`: DataCite Metadata Schema 4.5 JSON for a DOI deposit;
- `zenodo`: ``.zenodo.json``, the deposit metadata Zenodo's GitHub integration reads.

A deposit holds the data, the schemas and the excerpts (cells of the ``quotes`` table) but no
third-party text: a descriptor that declares text resources is deposited without them (their
copyright stays with their publishers). `deposit_files` lists what is deposited and
`write_deposit_zip` writes it; the site's package zip is the same file.

No URL is invented: the repository and documentation have no public address yet, so the
documents carry one only where the descriptor's ``homepage`` gives it. Downloads are named by
their path relative to the site's landing page (``downloads/<version>/…``), which a JSON-LD
processor resolves against the page's own address.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from powdata.package import Package

ZENODO_FILE = ".zenodo.json"
SPATIAL = {"name": "Ukraine", "iso3166": "UA"}  # where the prisoners are held and the war is fought
SCHEMA_ORG = "https://schema.org/"
DATACITE_SCHEMA = "http://datacite.org/schema/kernel-4"


@dataclass(frozen=True)
class Download:
    """One file offered for download: its path under the site, title, media type and what it holds."""

    path: str
    title: str
    media_type: str
    description: str


def downloads(descriptor: dict[str, Any]) -> list[Download]:
    """Return the downloads of this version: the package zip, the SQLite file and one CSV per table.

    Examples
    --------
    >>> import powdata
    >>> [d.path for d in downloads(powdata.descriptor())][:2]  # doctest: +ELLIPSIS
    ['downloads/.../powdata-...zip', 'downloads/.../powdata-...sqlite']
    """
    from powdata._io.gate import check_version
    from powdata._package import tables

    version = check_version(descriptor.get("version"))  # a folder name: never '../..' from an untrusted descriptor
    base = f"downloads/{version}"
    out = [
        Download(
            f"{base}/powdata-{version}.zip",
            f"powdata {version}: the data package (zip)",
            "application/zip",
            "datapackage.json, the CSV tables and their schemas; a Frictionless Data Package v2.",
        ),
        Download(
            f"{base}/powdata-{version}.sqlite",
            f"powdata {version}: SQLite database",
            "application/vnd.sqlite3",
            "Every table with its types and keys, plus the labelled `figures` view.",
        ),
    ]
    for res in tables(descriptor):
        out.append(
            Download(
                f"{base}/{res['name']}.csv",
                f"powdata {version}: {res['name']} (CSV)",
                "text/csv",
                str(res.get("description") or res.get("title") or res["name"]),
            )
        )
    return out


def _date_text(value: Any) -> str | None:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)


def _descriptor(descriptor: dict[str, Any] | None, path: str | Path | Package | None) -> dict[str, Any]:
    """The descriptor given, or the one of the package ``path`` names (opened once; an open one as is)."""
    if descriptor is not None:
        return descriptor
    from powdata.package import open_package

    return open_package(path).descriptor


def temporal_coverage(path: str | Path | Package | None = None) -> tuple[str, str]:
    """Return the first and last date the figures speak of (periods' starts, ``as_of``), as stated.

    Dates keep the precision the data give them (``2022``, ``2025-12``, ``2025-12-31``); the
    comparison places a year or month at its start, so ``2025-12`` sorts before ``2025-12-31``.
    """
    from powdata.loader import load

    obs = load("observations", path=path)
    stated = [t for col in ("period_start", "period_end", "as_of") for v in obs[col] if (t := _date_text(v))]
    if not stated:
        from powdata.errors import PowdataError

        msg = "no observation has a date (period_start, period_end or as_of): temporal coverage is unknown"
        raise PowdataError(msg)

    def start(text: str) -> str:  # a year or month placed at its first day
        return (text + "-01-01")[:10] if len(text) == 4 else (text + "-01")[:10]

    return min(stated, key=start), max(stated, key=lambda text: (start(text), len(text)))


def _creators(descriptor: dict[str, Any]) -> list[str]:
    names = [
        str(c["title"])
        for c in descriptor.get("contributors", [])
        if c.get("title") and "creator" in c.get("roles", ["creator"])
    ]
    return names or ["powdata maintainers"]


def _data_licence(descriptor: dict[str, Any]) -> dict[str, str]:
    """The data's licence: the descriptor's first licence (CC BY 4.0), with its URL where given."""
    lic = (descriptor.get("licenses") or [{}])[0]
    return {"name": str(lic.get("name", "")), "url": str(lic.get("path", "")), "title": str(lic.get("title", ""))}


def _sources(path: str | Path | Package | None) -> list[dict[str, str]]:
    from powdata.citation import source_rows

    return source_rows(path)


def dataset_jsonld(
    descriptor: dict[str, Any] | None = None, *, path: str | Path | Package | None = None
) -> dict[str, Any]:
    """Return the schema.org ``Dataset`` of this release as a JSON-LD object (``@context`` schema.org).

    Examples
    --------
    >>> d = dataset_jsonld()
    >>> d["@type"], d["license"]
    ('Dataset', 'https://creativecommons.org/licenses/by/4.0/')
    """
    descriptor = _descriptor(descriptor, path)
    first, last = temporal_coverage(path)
    version = str(descriptor.get("version", ""))
    licence = _data_licence(descriptor)
    doc: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Dataset",
        "name": f"powdata: {descriptor.get('title', '')}",
        "alternateName": str(descriptor.get("name", "powdata")),
        "description": str(descriptor.get("description", "")),
        "version": version,
        "license": licence["url"] or licence["name"],
        "creator": [{"@type": "Organization", "name": n} for n in _creators(descriptor)],
        "keywords": list(descriptor.get("keywords", [])),
        "isAccessibleForFree": True,
        "temporalCoverage": f"{first}/{last}",
        "spatialCoverage": {
            "@type": "Place",
            "name": SPATIAL["name"],
            "address": {"@type": "PostalAddress", "addressCountry": SPATIAL["iso3166"]},
        },
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title,
                "description": d.description,
                "encodingFormat": d.media_type,
                "contentUrl": d.path,
            }
            for d in downloads(descriptor)
        ],
        "citation": [
            {
                "@type": "CreativeWork",
                "name": s["title"],
                "publisher": {"@type": "Organization", "name": s["publisher"]},
                **({"author": {"@type": "Person", "name": s["author"]}} if s.get("author") else {}),
                **({"datePublished": s["published"]} if s.get("published") else {}),
                **({"url": s["url"]} if s.get("url") else {}),
                **({"inLanguage": s["language"]} if s.get("language") else {}),
            }
            for s in _sources(path)
        ],
    }
    if descriptor.get("created"):
        doc["datePublished"] = str(descriptor["created"])[:10]
    if descriptor.get("homepage"):  # only a real address: none is invented
        doc["url"] = str(descriptor["homepage"])
    return doc


def jsonld_script(doc: dict[str, Any]) -> str:
    """Return ``doc`` as an HTML ``<script type="application/ld+json">`` element, safe inside HTML."""
    text = json.dumps(doc, ensure_ascii=False, indent=1).replace("</", "<\\/")  # no early </script>
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _deposit_note() -> str:
    return (
        "Deposited: the data package as released: datapackage.json, the CSV tables (each quote's verbatim "
        "excerpt of at most 200 characters among them), their Table Schemas, CITATION.cff and the data licence. "
        "No third-party text is deposited: powdata holds excerpts only, and names each publication by its URL "
        "and the date its text was retrieved."
    )


def datacite(descriptor: dict[str, Any] | None = None, *, path: str | Path | Package | None = None) -> dict[str, Any]:
    """Return DataCite Metadata Schema 4.5 JSON for a DOI deposit of this release (no DOI is assigned here)."""
    descriptor = _descriptor(descriptor, path)
    first, last = temporal_coverage(path)
    licence = _data_licence(descriptor)
    created = str(descriptor.get("created", ""))[:10]
    doc: dict[str, Any] = {
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Frictionless Data Package"},
        "creators": [{"name": n, "nameType": "Organizational"} for n in _creators(descriptor)],
        "titles": [{"title": f"powdata: {descriptor.get('title', '')}", "lang": "en"}],
        "publisher": {"name": _creators(descriptor)[0]},
        "publicationYear": created[:4],
        "version": str(descriptor.get("version", "")),
        "language": "en",
        "subjects": [{"subject": str(k)} for k in descriptor.get("keywords", [])],
        "dates": [
            {"date": created, "dateType": "Issued"},
            {"date": f"{first}/{last}", "dateType": "Other", "dateInformation": "period the figures speak of"},
        ],
        "rightsList": [
            {
                "rights": licence["title"] or licence["name"],
                "rightsIdentifier": licence["name"].lower(),
                "rightsIdentifierScheme": "SPDX",
                **({"rightsUri": licence["url"]} if licence["url"] else {}),
            }
        ],
        "descriptions": [
            {"description": str(descriptor.get("description", "")), "descriptionType": "Abstract", "lang": "en"},
            {"description": _deposit_note(), "descriptionType": "TechnicalInfo", "lang": "en"},
        ],
        "geoLocations": [{"geoLocationPlace": SPATIAL["name"]}],
        "formats": ["text/csv", "application/json"],
        "relatedIdentifiers": [
            {"relatedIdentifier": s["url"], "relatedIdentifierType": "URL", "relationType": "References"}
            for s in _sources(path)
            if s.get("url")
        ],
        "schemaVersion": DATACITE_SCHEMA,
    }
    if descriptor.get("homepage"):
        doc["url"] = str(descriptor["homepage"])
    return doc


def zenodo(descriptor: dict[str, Any] | None = None, *, path: str | Path | Package | None = None) -> dict[str, Any]:
    """Return the ``.zenodo.json`` deposit metadata of this release (Zenodo's legacy deposit format)."""
    descriptor = _descriptor(descriptor, path)
    licence = _data_licence(descriptor)
    return {
        "upload_type": "dataset",
        "title": f"powdata: {descriptor.get('title', '')}",
        "description": str(descriptor.get("description", "")),
        "version": str(descriptor.get("version", "")),
        "publication_date": str(descriptor.get("created", ""))[:10],
        "creators": [{"name": n} for n in _creators(descriptor)],
        "license": licence["name"].lower(),
        "access_right": "open",
        "keywords": [str(k) for k in descriptor.get("keywords", [])],
        "notes": _deposit_note(),
        "related_identifiers": [
            {"identifier": s["url"], "relation": "references", "scheme": "url"} for s in _sources(path) if s.get("url")
        ],
    }


def zenodo_text(path: str | Path | Package | None = None) -> str:
    """The text of ``.zenodo.json``: `zenodo` as indented JSON with a final newline."""
    return json.dumps(zenodo(path=path), ensure_ascii=False, indent=2) + "\n"


def deposit_descriptor(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Return the descriptor of the deposit: the tables only, without the archived texts' resources."""
    import copy

    from powdata._package import tables

    out = copy.deepcopy(descriptor)
    out["resources"] = copy.deepcopy(tables(descriptor))
    return out


def deposit_files(root: str | Path) -> list[str]:
    """Return the files (relative to ``root``) a deposit holds: tables, schemas, citation, licence; no texts."""
    from powdata import _package
    from powdata._io.gate import resolve_root

    base = resolve_root(root)
    desc = _package.read_descriptor(base)
    files = ["datapackage.json"] + [str(res["path"]) for res in _package.tables(desc)]
    files += sorted(f"schemas/{p.name}" for p in (base / "schemas").glob("*.json"))
    files += [f for f in ("CITATION.cff", "LICENSE-DATA") if (base / f).is_file()]
    return files


def write_deposit_zip(root: str | Path, target: str | Path) -> list[str]:
    """Write the deposit (also the site's package zip) to ``target``; return the names it holds.

    ``datapackage.json`` in the zip is `deposit_descriptor`'s: it declares only what the zip holds,
    so the zip is itself a valid data package. Every file is read through the package's path gate.
    """
    import io

    from powdata import _package
    from powdata._io.atomic import write_bytes_atomic
    from powdata._io.gate import read_file, resolve_root

    base = resolve_root(root)
    desc = _package.read_descriptor(base)
    names = deposit_files(base)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(f"powdata-{desc.get('version', '')}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED  # a fixed date: the same release zips to the same bytes
            if name == "datapackage.json":
                data = (json.dumps(deposit_descriptor(desc), ensure_ascii=False, indent=2) + "\n").encode()
            else:
                data = read_file(base, name, "deposit file")
            zf.writestr(info, data)
    write_bytes_atomic(Path(target), buf.getvalue())
    return names


def write_zenodo(root: str | Path, pkg: Package | None = None) -> bool:
    """Write ``.zenodo.json`` under ``root`` atomically (from ``pkg`` when given); return True when it changed.

    `powdata build` writes it in a repository, beside CITATION.cff.
    """
    from powdata._io.atomic import write_text_atomic
    from powdata._io.gate import output_file

    target, current = output_file(Path(root), ZENODO_FILE, "Zenodo metadata")
    text = zenodo_text(path=pkg if pkg is not None else root)
    if current == text:
        return False
    write_text_atomic(target, text)
    return True
