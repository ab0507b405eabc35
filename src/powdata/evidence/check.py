"""Check every excerpt against the retrieved texts it quotes (maintainers; DESIGN §5).

The package carries excerpts, not texts: a publication's text stays its
publisher's. The maintainers keep the texts they retrieved in a folder outside
the package, with an ``index.csv`` (columns ``file`` and ``url`` at least) that
matches each text to a publication of ``data/sources.csv`` by its ``url``.
`check_evidence` reads that folder and reports, each problem naming its row:

- ``no-text``: a publication that is quoted has no ``url``, or no text in the folder;
- ``not-verbatim``: an excerpt (of a quote or a mention) is not a byte-for-byte slice
  of its publication's text;
- ``cut-mid-word``: an excerpt starts or ends inside a word or a number ("13 from
  African states" cut out of "1,013"); it must start and end on a boundary;
- ``figure-missing``: a quote's excerpt does not carry its observation's figure;
- ``qualifier``: the words right before the figure *in the text* (not only in the
  excerpt) mean another qualifier ("More than 100" cut to "100 foreign nationals…"
  and stored ``exact`` fails);
- ``unlisted-number``: a number in a quoted text is neither inside an excerpt nor
  listed as not data in the not-data list (``evidence/not-data.csv``: ``source_id``,
  ``number`` as the text writes it, ``context`` — a verbatim slice of the text around
  it, or empty for every place it appears — and ``reason``);
- ``not-data-stale``: a row of the not-data list whose number or context is not in
  the text (the list stays true).

Numbers are found as digits ("16,894", "3 388", "18.000", "2025", "7%"); a number
written in words ("Twenty-six") is not found here, only by reading.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from powdata._io.csv_limit import LIST_FIELD_BYTES, field_limit
from powdata._io.escape import one_line, shown
from powdata._io.gate import gate, read_gated
from powdata._schema import csv_row
from powdata.errors import PackageReadError

INDEX = "index.csv"
NOT_DATA = Path("evidence") / "not-data.csv"
NOT_DATA_COLUMNS = ("source_id", "number", "context", "reason")
MAX_TEXT_BYTES = 5_000_000
MAX_LIST_BYTES = 16 * 1024 * 1024
"""The largest index.csv or not-data list read (16 MiB)."""
KINDS = (
    "no-text",
    "not-verbatim",
    "cut-mid-word",
    "figure-missing",
    "qualifier",
    "unlisted-number",
    "not-data-stale",
)

MAX_LOCATED = 20
"""The excerpts not found that are told where they stop matching (a binary search of the text each); the rest
are named only, so a long run of bad rows costs one text search each."""

#: A number as texts write it: digits, thousands grouped by a comma, dot or space, an optional decimal part.
NUMBER = re.compile(r"(?<!\d)\d+(?:[,.\u00a0\u202f ]\d{3}(?!\d))*(?:[.,]\d+(?!\d))?")


@dataclass(frozen=True)
class EvidenceProblem:
    """One problem: its kind (`KINDS`), where (file and row) and a one-line message."""

    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.message}"


@dataclass
class EvidenceReport:
    """What `check_evidence` found: the problems, and what it checked."""

    problems: list[EvidenceProblem] = field(default_factory=list)
    texts: int = 0
    quotes: int = 0
    mentions: int = 0
    numbers: int = 0
    not_cited: list[str] = field(default_factory=list)
    located: int = 0  # excerpts not found that were told where they stop matching (see MAX_LOCATED)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_text(self) -> str:
        head = (
            f"{'OK' if self.ok else 'PROBLEMS'}: {self.quotes} quote(s) and {self.mentions} mention(s) checked "
            f"against {self.texts} text(s); {self.numbers} number(s) accounted for; {len(self.problems)} problem(s)"
        )
        lines = [head, *(f"  {p}" for p in self.problems)]
        if self.not_cited:
            lines.append(f"  (not cited by the package, not checked: {', '.join(self.not_cited)})")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "texts": self.texts,
            "quotes": self.quotes,
            "mentions": self.mentions,
            "numbers": self.numbers,
            "not_cited": self.not_cited,
            "problems": [{"kind": p.kind, "where": p.where, "message": p.message} for p in self.problems],
        }


def _read_csv(path: Path, what: str) -> list[dict[str, str]]:
    """Read a small CSV list (index or not-data) that `gate` passed: bounded, never blocking, one-line errors."""
    data = read_gated(path, what, MAX_LIST_BYTES)
    try:
        with field_limit(LIST_FIELD_BYTES):
            return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except UnicodeDecodeError:
        msg = f"{what}: {one_line(str(path))} is not UTF-8; re-save it as UTF-8"
        raise PackageReadError(msg) from None
    except csv.Error as exc:
        msg = f"{what}: {one_line(str(path))} is not a readable CSV ({shown(str(exc))})"
        raise PackageReadError(msg) from None


def _gated_list(root: Path, rel: str, what: str) -> Path:
    """Gate a list file under ``root``: inside it, a regular file, at most `MAX_LIST_BYTES`."""
    return gate(root, rel, what, limit=MAX_LIST_BYTES)


def read_texts(folder: Path) -> dict[str, tuple[str, str]]:
    """Map each URL of ``folder/index.csv`` to (file name, text); a file outside the folder is refused."""
    rows = _read_csv(_gated_list(folder, INDEX, "the texts' index"), "the texts' index")
    index = one_line(str(folder / INDEX))
    if rows and not {"file", "url"} <= set(rows[0]):
        found = ", ".join(shown(c) for c in rows[0])
        msg = f"{index}: expected columns file and url, found {found}"
        raise PackageReadError(msg)
    out: dict[str, tuple[str, str]] = {}
    row_of: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):
        name, url = row.get("file") or "", (row.get("url") or "").strip()
        if not name or Path(name).name != name or name in (".", ".."):
            msg = f"{index}, row {n}: file {shown(name)} is not a plain file name in the folder"
            raise PackageReadError(msg)
        path = folder / name
        if path.is_symlink() or not path.is_file():
            msg = f"{index}, row {n}: {shown(name)} is not a regular file in {one_line(str(folder))}"
            raise PackageReadError(msg)
        if path.stat().st_size > MAX_TEXT_BYTES:
            msg = f"{one_line(str(path))}: larger than {MAX_TEXT_BYTES:,} bytes; a retrieved article is far smaller"
            raise PackageReadError(msg)
        try:
            text = read_gated(path, "a retrieved text", MAX_TEXT_BYTES).decode("utf-8")
        except UnicodeDecodeError as bad:
            msg = f"{one_line(str(path))}: byte {bad.start} is not UTF-8; store the text as retrieved, in UTF-8"
            raise PackageReadError(msg) from None
        if url:
            if url in out:
                msg = (
                    f"{index}, row {n}: url {shown(url)} is also the url of row {row_of[url]} "
                    f"({shown(out[url][0])}); one url, one text"
                )
                raise PackageReadError(msg)
            out[url], row_of[url] = (name, text), n
    return out


def occurrences(text: str, excerpt: str) -> list[int]:
    """Every start offset of ``excerpt`` in ``text`` (overlapping ones included)."""
    out, at = [], text.find(excerpt)
    while at >= 0 and excerpt:
        out.append(at)
        at = text.find(excerpt, at + 1)
    return out


def number_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every number the text writes in digits."""
    return [(m.start(), m.end()) for m in NUMBER.finditer(text)]


def _span_around(spans: list[tuple[int, int]], i: int) -> tuple[int, int] | None:
    """The number span that holds offset ``i`` strictly inside it (``spans`` sorted, disjoint), by bisection."""
    k = bisect.bisect_right(spans, i, key=lambda span: span[0]) - 1
    if k >= 0 and spans[k][0] < i < spans[k][1]:
        return spans[k]
    return None


def cut_mid_word(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str | None:
    """Why the slice ``text[start:end]`` does not start and end on a boundary (None when it does)."""
    for i in (start, end):
        span = _span_around(spans, i)
        if span is not None:
            return f"it cuts the number {text[span[0] : span[1]]!r}"
    if start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        return f"it starts inside the word {_word_at(text, start)!r}"
    if end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        return f"it ends inside the word {_word_at(text, end - 1)!r}"
    return None


class _Cover:
    """Intervals indexed once, so "is (a, b) inside one of them?" costs a bisection, not a scan."""

    def __init__(self, intervals: list[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.reach: list[int] = []  # the furthest end among the intervals starting at or before starts[k]
        for s, e in sorted(set(intervals)):
            self.starts.append(s)
            self.reach.append(max(e, self.reach[-1]) if self.reach else e)

    def holds(self, a: int, b: int) -> bool:
        k = bisect.bisect_right(self.starts, a) - 1
        return k >= 0 and self.reach[k] >= b


def _word_at(text: str, i: int) -> str:
    a, b = i, i
    while a > 0 and text[a - 1].isalnum():
        a -= 1
    while b < len(text) and text[b].isalnum():
        b += 1
    return text[a:b]


def mismatch(excerpt: str, text: str) -> str:
    """Say where ``excerpt`` stops matching ``text``: the longest prefix found, and what follows it."""
    lo, hi = 0, len(excerpt)
    while lo < hi:  # prefixes nest: binary search for the longest one in the text
        mid = (lo + hi + 1) // 2
        if excerpt[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return f"not even its first character {excerpt[:1]!r} is in the text"
    at = text.find(excerpt[:lo])
    line = text.count("\n", 0, at) + 1
    return (
        f"the first {lo} characters match (line {line}), then the excerpt has {excerpt[lo : lo + 12]!r} "
        f"where the text has {text[at + lo : at + lo + 12]!r}"
    )


def _csv_where(table: str, index: int, label: str) -> str:
    return f"data/{table}.csv, row {csv_row(index)} ({label})"


def _tables(root: Path) -> dict[str, Any]:
    """The tables the check reads, typed (the package opened once)."""
    from powdata.package import open_package

    pkg = open_package(root)
    return {name: pkg.frame(name) for name in ("observations", "quotes", "mentions", "sources", "indicators")}


def check_evidence(
    texts_folder: str | Path, package: str | Path = ".", not_data: str | Path | None = None
) -> EvidenceReport:
    """Check every excerpt of ``package`` against the texts in ``texts_folder`` (see the module's docstring).

    ``not_data`` is the not-data list (default: ``evidence/not-data.csv`` in the package's folder).

    Examples
    --------
    >>> from powdata.evidence.check import check_evidence
    >>> report = check_evidence("../shared/sources", ".")  # doctest: +SKIP
    >>> report.ok, len(report.problems)  # doctest: +SKIP
    (True, 0)
    """
    from powdata._io.gate import resolve_root

    root = resolve_root(package)
    folder = Path(texts_folder)
    if not folder.is_dir():
        msg = f"expected a folder of retrieved texts with an {INDEX} at {folder}, but found none"
        raise PackageReadError(msg)
    by_url = read_texts(folder)
    t = _tables(root)
    report = EvidenceReport()
    sources = t["sources"]
    url_of = {sid: u for sid, u in zip(sources["source_id"], sources["url"].astype(object), strict=True)}
    lang_of = dict(zip(sources["source_id"], sources["language"].astype(object), strict=True))

    quoted_ids = set(t["quotes"]["source_id"].astype(object)) | set(t["mentions"]["quoted_in"].astype(object))
    texts: dict[str, tuple[str, str]] = {}
    for sid in sorted(quoted_ids):
        url = url_of.get(sid)
        if not isinstance(url, str):
            report.problems.append(EvidenceProblem("no-text", f"data/sources.csv ({sid})", "quoted but has no url"))
        elif url not in by_url:
            msg = f"quoted, but no text in {folder / INDEX} has its url {url}"
            report.problems.append(EvidenceProblem("no-text", f"data/sources.csv ({sid})", msg))
        else:
            texts[sid] = by_url[url]
    cited_urls = {url_of.get(s) for s in texts}
    report.not_cited = sorted(name for url, (name, _) in by_url.items() if url not in cited_urls)
    report.texts = len(texts)
    spans_of = {sid: number_spans(text) for sid, (_, text) in texts.items()}
    covered: dict[str, list[tuple[int, int]]] = {sid: [] for sid in texts}

    located: dict[tuple[str, str], tuple[list[int], str | None]] = {}
    report.problems += list(_check_quotes(t, texts, spans_of, covered, lang_of, report, located))
    report.problems += list(_check_mentions(t, texts, spans_of, covered, report, located))
    report.problems += list(_check_numbers(root, not_data, texts, spans_of, covered, report))
    return report


def _locate(
    text: str, excerpt: str, spans: list[tuple[int, int]], report: EvidenceReport
) -> tuple[list[int], str | None]:
    """The offsets where ``excerpt`` sits in ``text`` on boundaries, or why it does not."""
    found = occurrences(text, excerpt)
    if not found:
        report.located += 1
        if report.located > MAX_LOCATED:  # the location costs a text search per prefix tried: name it only
            return [], "not verbatim in its text"
        return [], f"not verbatim in its text: {mismatch(excerpt, text)}"
    good = [s for s in found if cut_mid_word(text, s, s + len(excerpt), spans) is None]
    if not good:
        return [], str(cut_mid_word(text, found[0], found[0] + len(excerpt), spans))
    return good, None


def _check_quotes(
    t: dict[str, Any],
    texts: dict[str, tuple[str, str]],
    spans_of: dict[str, list[tuple[int, int]]],
    covered: dict[str, list[tuple[int, int]]],
    lang_of: dict[str, Any],
    report: EvidenceReport,
    located: dict[tuple[str, str], tuple[list[int], str | None]],
) -> Iterator[EvidenceProblem]:
    import pandas as pd

    from powdata._language import words_before
    from powdata.validation.rules.excerpts import find_figure

    obs = t["observations"].set_index(t["observations"]["observation_id"].astype(object))
    unit = dict(zip(t["indicators"]["indicator_id"], t["indicators"]["unit"].astype(object), strict=True))
    for i, q in t["quotes"].reset_index(drop=True).iterrows():
        report.quotes += 1
        qid, sid, excerpt = str(q["quote_id"]), str(q["source_id"]), str(q["excerpt"])
        where = _csv_where("quotes", int(str(i)), f"quote {qid}")
        if sid not in texts:
            continue  # reported once as no-text
        name, text = texts[sid]
        starts, problem = _place(sid, excerpt, where, texts, spans_of, covered, report, located)
        if problem is not None:
            yield problem
            continue
        o = obs.loc[q["observation_id"]] if q["observation_id"] in obs.index else None
        if o is None:
            continue  # a dangling observation_id is `powdata validate`'s foreign key
        language = lang_of.get(sid)
        vmax = None if pd.isna(o["value_max"]) else float(o["value_max"])
        u = unit.get(o["indicator_id"], "persons")
        if not isinstance(language, str):
            yield EvidenceProblem("figure-missing", where, f"source {sid} has no language to read its numbers in")
            continue
        try:
            m = find_figure(excerpt, float(o["value"]), str(u), language, vmax)
        except ValueError as exc:
            yield EvidenceProblem("figure-missing", where, str(exc))
            continue
        if m is None:
            figure = f"{o['value']:g}" + (f"–{vmax:g}" if vmax is not None else "")
            yield EvidenceProblem("figure-missing", where, f"the excerpt does not carry the figure {figure}")
            continue
        said = words_before(text[: starts[0] + m.start()], language)
        if vmax is not None and said == "exact":
            said = "range"
        if said != str(o["qualifier"]):
            msg = (
                f"observation {o['observation_id']} is {o['qualifier']}, but in {name} the words right before "
                f"{m.group()!r} mean {said}"
            )
            yield EvidenceProblem("qualifier", where, msg)


def _place(
    sid: str,
    excerpt: str,
    where: str,
    texts: dict[str, tuple[str, str]],
    spans_of: dict[str, list[tuple[int, int]]],
    covered: dict[str, list[tuple[int, int]]],
    report: EvidenceReport,
    located: dict[tuple[str, str], tuple[list[int], str | None]],
) -> tuple[list[int], EvidenceProblem | None]:
    """Where an excerpt (of a quote or a mention) stands in its text, or the problem that it does not.

    Each distinct excerpt of a text is located once, however many rows repeat it, and the places it
    covers are added once.
    """
    name, text = texts[sid]
    fresh = (sid, excerpt) not in located
    if fresh:
        located[sid, excerpt] = _locate(text, excerpt, spans_of[sid], report)
    starts, why = located[sid, excerpt]
    if why is not None:
        if why.startswith("not verbatim"):
            return starts, EvidenceProblem("not-verbatim", where, f"the excerpt is {why}")
        msg = f"the excerpt {why} in {name}; quote whole words and numbers"
        return starts, EvidenceProblem("cut-mid-word", where, msg)
    if fresh:
        covered[sid] += [(s, s + len(excerpt)) for s in starts]
    return starts, None


def _check_mentions(
    t: dict[str, Any],
    texts: dict[str, tuple[str, str]],
    spans_of: dict[str, list[tuple[int, int]]],
    covered: dict[str, list[tuple[int, int]]],
    report: EvidenceReport,
    located: dict[tuple[str, str], tuple[list[int], str | None]],
) -> Iterator[EvidenceProblem]:
    for i, r in t["mentions"].reset_index(drop=True).iterrows():
        report.mentions += 1
        sid, excerpt = str(r["quoted_in"]), str(r["excerpt"])
        if sid not in texts:
            continue
        where = _csv_where("mentions", int(str(i)), f"mention {r['mention_id']}")
        _, problem = _place(sid, excerpt, where, texts, spans_of, covered, report, located)
        if problem is not None:
            yield problem


def _check_numbers(
    root: Path,
    not_data: str | Path | None,
    texts: dict[str, tuple[str, str]],
    spans_of: dict[str, list[tuple[int, int]]],
    covered: dict[str, list[tuple[int, int]]],
    report: EvidenceReport,
) -> Iterator[EvidenceProblem]:
    what = "the not-data list"
    if not_data is not None:  # the maintainer's own argument: a path of theirs, still bounded and never a FIFO
        given = Path(not_data).resolve()
        path = _gated_list(given.parent, given.name, what)
        rows = _read_csv(path, what)
    else:  # in the package, untrusted: through the gate (no symlink out, no FIFO, a size limit)
        path = root / NOT_DATA
        present = path.exists() or path.is_symlink()
        rows = _read_csv(_gated_list(root, NOT_DATA.as_posix(), what), what) if present else []
    if rows and not set(NOT_DATA_COLUMNS) <= set(rows[0]):
        found = ", ".join(shown(c) for c in rows[0])
        msg = f"{one_line(str(path))}: expected columns {', '.join(NOT_DATA_COLUMNS)}, found {found}"
        raise PackageReadError(msg)
    listed: dict[str, list[tuple[int, int]]] = {sid: [] for sid in texts}
    spans_by_number: dict[str, dict[str, list[tuple[int, int]]]] = {sid: {} for sid in texts}
    for sid, (_, text) in texts.items():
        for a, b in spans_of[sid]:
            spans_by_number[sid].setdefault(text[a:b], []).append((a, b))
    windows_of: dict[tuple[str, str], _Cover] = {}
    for n, row in enumerate(rows, start=2):
        sid, number, context = row["source_id"], row["number"], row.get("context") or ""
        where = f"{path.name}, row {n} ({sid}, {number!r})"
        if not (row.get("reason") or "").strip():
            yield EvidenceProblem("not-data-stale", where, "no reason given: say why this number is not data")
        if sid not in texts:
            continue  # a text the package no longer quotes: its rows wait for it
        text = texts[sid][1]
        places = spans_by_number[sid].get(number, [])
        if context:
            if (sid, context) not in windows_of:  # each distinct context is found once
                windows_of[sid, context] = _Cover([(s, s + len(context)) for s in occurrences(text, context)])
            windows = windows_of[sid, context]
            if not windows.starts:
                yield EvidenceProblem("not-data-stale", where, f"its context {context!r} is not in {texts[sid][0]}")
                continue
            places = [(a, b) for a, b in places if windows.holds(a, b)]
        if not places:
            yield EvidenceProblem(
                "not-data-stale",
                where,
                f"{number!r} is not a number of {texts[sid][0]}" + (" inside its context" if context else ""),
            )
            continue
        listed[sid] += places
    for sid, (name, text) in sorted(texts.items()):
        inside = _Cover(covered[sid] + listed[sid])
        for a, b in spans_of[sid]:
            report.numbers += 1
            if inside.holds(a, b):
                continue
            line = text.count("\n", 0, a) + 1
            around = text[max(0, a - 30) : b + 30].replace("\n", " ")
            msg = (
                f"{text[a:b]!r} (line {line}: …{around}…) is in no excerpt and not listed in {NOT_DATA.as_posix()}; "
                "record it or list it with the reason it is not data"
            )
            yield EvidenceProblem("unlisted-number", f"{name} ({sid})", msg)


__all__ = ["KINDS", "NOT_DATA", "EvidenceProblem", "EvidenceReport", "check_evidence", "read_texts"]
