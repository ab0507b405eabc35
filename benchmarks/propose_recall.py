"""Measure `powdata propose` against the rows the maintainers finally recorded (issue 19).

For each retrieved text of the research folder (default ``../shared/sources``) whose
publication the package quotes, the proposals of ``powdata propose`` are compared with the
package's quotations of that publication:

- a quotation is *found* when a proposal has its value (and upper end) at a place inside the
  quotation's excerpt in the text; its *qualifier* is right when the proposal's qualifier is the
  observation's; its *excerpt* is ``exact`` when the proposal's excerpt is the recorded one, and
  ``covers`` it when the recorded excerpt lies inside the proposal's (the maintainer only cut it);
- a proposal of kind ``figure`` is *kept* when a quotation found it, else *discarded*; proposals of
  kind ``date`` or ``time`` are counted apart (they are what the not-data list is for).

Usage: python benchmarks/propose_recall.py [--texts DIR] [--only FILE ...] [--markdown]
Prints one row per text and the totals. It reads the texts; it writes nothing.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from powdata.evidence.propose import propose  # noqa: E402


@dataclass
class Score:
    """Counts for one text."""

    file: str
    quotes: int = 0
    found: int = 0
    qualifier: int = 0
    exact: int = 0
    covers: int = 0
    figures: int = 0
    kept: int = 0
    other: int = 0


def _rows(name: str) -> list[dict[str, str]]:
    with (ROOT / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _num(cell: str) -> float | None:
    return float(cell) if cell else None


def score_text(path: Path, language: str, published: str, source_id: str) -> Score:
    """Run propose on one text and compare it with the package's quotations of ``source_id``."""
    text = path.read_text(encoding="utf-8")
    indicators = [{"indicator_id": r["indicator_id"], "unit": r["unit"]} for r in _rows("indicators")]
    areas = [r["area_id"] for r in _rows("areas")]
    when = date.fromisoformat(published) if published else None
    found = propose(text, language, indicators=indicators, areas=areas, published=when)
    obs = {r["observation_id"]: r for r in _rows("observations")}
    quotes = [q for q in _rows("quotes") if q["source_id"] == source_id]
    s = Score(path.name, quotes=len(quotes))
    kept: set[int] = set()
    for q in quotes:
        o = obs[q["observation_id"]]
        at = text.find(q["excerpt"])
        lo, hi = at, at + len(q["excerpt"])
        hits = [
            (i, p)
            for i, p in enumerate(found)
            if lo <= p.start < hi and p.value == float(o["value"]) and p.value_max == _num(o["value_max"])
        ]
        if not hits:
            continue
        i, p = hits[0]
        kept.add(i)
        s.found += 1
        s.qualifier += p.qualifier == o["qualifier"]
        s.exact += p.excerpt == q["excerpt"]
        s.covers += q["excerpt"] in p.excerpt
    figures = [i for i, p in enumerate(found) if p.kind == "figure"]
    s.figures = len(figures)
    s.kept = len(kept & set(figures))
    s.other = len(found) - len(figures)
    return s


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f} %" if b else "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", default=str(ROOT.parent / "shared" / "sources"))
    parser.add_argument("--only", nargs="*", help="file names of the texts to score (default: every quoted text)")
    args = parser.parse_args(argv)
    folder = Path(args.texts)
    by_url = {r["url"]: r["source_id"] for r in _rows("sources") if r["url"]}
    with (folder / "index.csv").open(encoding="utf-8", newline="") as fh:
        index = list(csv.DictReader(fh))
    scores = []
    for r in index:
        if args.only and r["file"] not in args.only:
            continue
        sid = by_url.get(r["url"])
        if sid is None:
            continue
        scores.append(score_text(folder / r["file"], r["language"], r["published"], sid))
    columns = "quotes | number found | + qualifier | excerpt exact | excerpt covers | figure proposals | kept"
    print(f"| text | {columns} | discarded | dates/times |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in scores:
        print(
            f"| {s.file} | {s.quotes} | {s.found} | {s.qualifier} | {s.exact} | {s.covers} | {s.figures} | {s.kept} "
            f"| {s.figures - s.kept} | {s.other} |"
        )
    t = Score("total")
    for s in scores:
        for k in ("quotes", "found", "qualifier", "exact", "covers", "figures", "kept", "other"):
            setattr(t, k, getattr(t, k) + getattr(s, k))
    print(
        f"| **total ({len(scores)} texts)** | {t.quotes} | {t.found} ({_pct(t.found, t.quotes)}) "
        f"| {t.qualifier} ({_pct(t.qualifier, t.quotes)}) | {t.exact} ({_pct(t.exact, t.quotes)}) "
        f"| {t.covers} ({_pct(t.covers, t.quotes)}) | {t.figures} | {t.kept} ({_pct(t.kept, t.figures)}) "
        f"| {t.figures - t.kept} | {t.other} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
