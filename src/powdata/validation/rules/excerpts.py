"""Excerpt and ethics rules: each quote's excerpt carries its figure and its words; no column identifies a person.

That each excerpt is a verbatim slice of its publication's text is checked by
the maintainers' ``powdata evidence`` (`powdata.evidence`): the texts are not
distributed with the package.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from powdata._language import (
    LANGUAGES,
    NUMBER_STYLES,
    QUALIFIER_WORDS,
    RANGE_JOINS,
    base_language,
    figure_forms,
    words_before,
)
from powdata._schema import csv_row
from powdata.validation.report import ERROR, Problem
from powdata.validation.rules._common import Context, fmt_number, per_distinct, rule

PERSONAL_COLUMNS = re.compile(
    r"^(first_?name|last_?name|surname|full_?name|person(_name)?|age|birth.*|date_of_birth|dob|photo.*|image.*|"
    r"passport.*|address|phone.*|email|unit_number|rank_military|captured_on|story|biography)$",
    re.IGNORECASE,
)


# A space in a number or between a number and its word: space, no-break space, narrow no-break space.
# Not the class [ \xa0\u202f]: a class that mixes U+202F with characters below U+0100 compiles to a
# 64K-entry table (0.23 ms against 0.04 ms), and every figure's pattern holds one; ``{1}`` keeps the
# parser from merging the branches back into that class.
_SP = "(?:[ \xa0]|\u202f{1})"
# not the head of a longer number: "1" is not in "1,000", "1.5" or "1 000" (a group of three after a space)
_DIGIT_TAIL = rf"(?!\d|[.,]\d|{_SP}\d{{3}}(?!\d))"
_WORD_TAIL = r"(?!\w)"  # nor the head of a longer word: "first" is not in "firstly"
_NOT_AFTER_NUMBER = r"(?<![\d.,])"  # nor the tail of a longer number: "894" is not in "16,894"


def _tail(form: str) -> str:
    """What may not follow ``form`` where a text writes it: by its last character (a digit, a letter, other)."""
    return _DIGIT_TAIL if form[-1].isdigit() else (_WORD_TAIL if form[-1].isalpha() else "")


def _alternatives(value: float, unit: str, language: str) -> list[str]:
    """Each form of the figure as an escaped literal followed by its tail (`_tail`), in `figure_forms`' order."""
    return _alternatives_of(figure_forms(value, unit, language))


def _alternatives_of(forms: list[str]) -> list[str]:
    return [re.escape(f) + _tail(f) for f in forms]


def _grouped(forms: list[str]) -> str:
    """The alternation of `_alternatives`, with each run of forms that share a tail written once: ``(?:a|b)tail``.

    ``(?:a|b)t`` tries ``a`` then ``b`` before ``t`` exactly as ``at|bt`` does, so
    the match (and its span) is the same; the pattern is smaller and compiles in
    about a third of the time (the tail is the costly part).
    """
    runs = [(tail, [re.escape(f) for f in group]) for tail, group in itertools.groupby(forms, key=_tail)]
    return "|".join(f"(?:{'|'.join(escaped)}){tail}" for tail, escaped in runs)


_UNIT_WORDS = {
    "percent": r"%|per{sp}?cent|percent|відсотк\w*|процент\w*|Prozent",
    "countries": r"countr\w*|states|nations|territor\w*|країн\w*|стран\w*|Länder\w*|Staaten",
    "persons": (
        r"people|persons?|nationals|foreigners?|citizens?|fighters?|mercenar\w*|prisoners?|individuals|soldiers|"
        r"громадян\w*|іноземц\w*|осіб|граждан\w*|иностранц\w*|человек|Söldner\w*|Ausländer\w*|ausländisch\w*|"
        r"Personen|Menschen|Gefangene\w*"
    ),
}
"""Words that say what a number counts when they follow it ("49%", "32 countries", "16,894 foreign nationals")."""


@lru_cache(maxsize=16)
def _another_unit(unit: str) -> re.Pattern[str] | None:
    """The words that, right after a number, give it another unit than ``unit``; None where nothing refuses.

    A percent ("49%", "49 per cent") never carries a count, and "32 countries"
    never carries a count of persons (nor "136 foreign mercenaries" one of
    countries): the next word, or the one after it, names the unit. Compiled
    once per unit: with every language's words it is the costly part of a
    figure's pattern (about 4 ms to compile), so it is not rebuilt per figure.
    """
    if unit in ("percent", "rank"):  # "49% foreign citizens", "ranked first": the words after say of what
        return None
    others = [words.format(sp=_SP) for u, words in _UNIT_WORDS.items() if u != unit]
    if unit not in _UNIT_WORDS:  # any other count: only a percent is certainly not it
        others = [_UNIT_WORDS["percent"].format(sp=_SP)]
    words = "|".join(others)
    return re.compile(rf"{_SP}*(?:%)|{_SP}+(?:[\w-]+{_SP}+)?(?:{words})(?!\w)", re.IGNORECASE)


class FigurePattern:
    """Every way of writing one figure, searched as one alternation ``(?:form|form…)(?!another unit)`` would be.

    Each form is an escaped literal with a zero-width tail, so at a place a form
    matches exactly one span. The forms are one pattern (`_grouped`); a span the words after
    give another unit (`_another_unit`) is refused and, as the regex engine
    would, the later forms are tried at the same place, then the next places —
    without compiling the unit words into every figure's pattern. The forms are
    compiled one by one only when a span is refused (rare). A range keeps one
    compiled pattern.

    Nothing is compiled until a search needs it: where every form is made of
    digits, separators and signs, or of ASCII letters, the forms are looked up
    as strings (`_scan`) and the places around them checked with the tails
    compiled once for all figures; only the rest (Cyrillic words, a text with a
    character that case-folds into ASCII) compile the figure's pattern.
    """

    __slots__ = ("_any", "_cased", "_each", "_forms", "_pattern", "_refuse", "_scannable")

    def __init__(self, forms: list[str], refuse: re.Pattern[str] | None, ranged: str | None = None) -> None:
        self._pattern = ranged if ranged is not None else _NOT_AFTER_NUMBER + "(?:" + _grouped(forms) + ")"
        self._any: re.Pattern[str] | None = None
        self._forms = forms if ranged is None else []
        self._each: list[re.Pattern[str]] | None = None
        self._refuse = None if ranged is not None else refuse  # a range's pattern holds its own refusal
        self._cased = [not set(f) <= _CASELESS for f in self._forms]  # a form with letters
        ascii_letters = all(f.isascii() for f, c in zip(self._forms, self._cased, strict=True) if c)
        self._scannable = bool(self._forms) and ascii_letters

    def search(self, text: str) -> re.Match[str] | None:
        """The first place ``text`` writes the figure, or None (as `re.Pattern.search`)."""
        if self._scannable and len(text) <= _SCAN_MAX:
            if not any(self._cased):
                return self._scan(text, text)
            low = text.lower()
            if len(low) == len(text) and _FOLDS_TO_ASCII.isdisjoint(text):
                return self._scan(text, low)
        if self._any is None:
            self._any = re.compile(self._pattern, re.IGNORECASE)
        pos = 0
        while (place := self._any.search(text, pos)) is not None:
            if self._refuse is None or self._refuse.match(text, place.end()) is None:
                return place
            if self._each is None:
                self._each = [re.compile(f, re.IGNORECASE) for f in _alternatives_of(self._forms)]
            start = place.start()
            for form in self._each:  # the forms before the one that matched do not match here
                hit = form.match(text, start)
                if hit is not None and self._refuse.match(text, hit.end()) is None:
                    return hit
            pos = start + 1
        return None

    def _scan(self, text: str, low: str) -> re.Match[str] | None:
        """`search` by string lookups: the first place, then the first form in order, that the pattern would match.

        A form of digits, separators and signs is looked up in ``text`` as written
        (case does not apply to it); a form of ASCII letters in ``low``, the text
        lowercased, which ``IGNORECASE`` equals for a text none of whose characters
        case-fold into ASCII (`_FOLDS_TO_ASCII`). Each place found is checked with
        the lookbehind, the form's tail and the unit words, as the regex engine
        checks it, and returned as a match of the same span.
        """
        needles = [(f.lower() if c else f, low if c else text) for f, c in zip(self._forms, self._cased, strict=True)]
        places = set()
        for needle, hay in needles:
            at = hay.find(needle)
            while at != -1:
                places.add(at)
                at = hay.find(needle, at + 1)
        checks = _checks()
        for at in sorted(places):
            if checks.before.match(text, at) is None:
                continue
            for form, (needle, hay) in zip(self._forms, needles, strict=True):
                end = at + len(needle)
                tail = checks.tails[_tail(form)]
                if not hay.startswith(needle, at) or (tail is not None and tail.match(text, end) is None):
                    continue
                if self._refuse is None or self._refuse.match(text, end) is None:
                    return checks.span.match(text, at, end)
        return None


_SCAN_MAX = 4096
"""The longest text `FigurePattern._scan` looks through (an excerpt is at most 200 characters); a longer one,
say a hostile megabyte of digits, is left to the compiled pattern, which stays linear in it."""
_CASELESS = frozenset("0123456789,. \xa0\u202f%-")
"""The characters of a form no letter case applies to: digits, separators, signs."""
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
"""The characters ``IGNORECASE`` matches to an ASCII letter: İ, dotless ı, long ſ, the Kelvin sign."""


class _PlaceChecks(NamedTuple):
    """What `FigurePattern._scan` checks a place with, compiled once for all figures."""

    before: re.Pattern[str]  # no number runs into the place
    tails: dict[str, re.Pattern[str] | None]  # by `_tail`
    span: re.Pattern[str]  # matched between two places: a match of exactly that span


@lru_cache(maxsize=1)
def _checks() -> _PlaceChecks:
    tails = {t: re.compile(t) if t else None for t in (_DIGIT_TAIL, _WORD_TAIL, "")}
    return _PlaceChecks(re.compile(_NOT_AFTER_NUMBER), tails, re.compile(".*", re.DOTALL))


@lru_cache(maxsize=4096)
def figure_pattern(value: float, unit: str, language: str = "en", value_max: float | None = None) -> FigurePattern:
    """One pattern matching any way of writing ``value`` in ``unit``, not inside a longer number.

    With ``value_max``, the stated range: the lower end, a join (`RANGE_JOINS`)
    and the upper end ("2-3", "1,000–5,000"); a percent or a thousands word may
    be written once, after the upper end ("2-3%").
    """
    refuse = _another_unit(unit)
    if value_max is None or pd.isna(value_max):
        return FigurePattern(figure_forms(value, unit, language), refuse)
    low = _alternatives(value, unit, language) + _alternatives(value, "persons", language)
    high = _alternatives(float(value_max), unit, language)
    joins = "|".join(re.escape(j) for j in RANGE_JOINS)
    both = _NOT_AFTER_NUMBER + "(?:" + "|".join(low) + ")(?:" + joins + ")(?:" + "|".join(high) + ")"
    not_another = "" if refuse is None else f"(?!{refuse.pattern})"
    return FigurePattern([], refuse, ranged=both + not_another)


def _quote_problems(rule_id: str, q: pd.DataFrame, found: Any, after: str = "") -> list[Problem]:
    """One error at each quote's excerpt whose judgement in ``found`` (aligned with ``q``) is a message."""
    out = []
    for i in np.flatnonzero(pd.notna(found)):
        qid, oid = q["quote_id"].iloc[i], q["observation_id"].iloc[i]
        msg = f"quote {qid} (observation {oid}): {found[i]}{after}"
        out.append(Problem(rule_id, ERROR, msg, "quotes", csv_row(q.index[int(i)]), "excerpt", (str(qid), str(oid))))
    return out


@rule("excerpt-carries-figure", needs=("observations", "quotes", "indicators", "sources"))
def rule_excerpt_carries_figure(ctx: Context) -> list[Problem]:
    """Each quote's excerpt contains its figure as its language writes it ("16,894", "3 388", "18 тисяч", "2-3").

    Each distinct (excerpt, value, value_max, unit, language) is checked once.
    An excerpt whose publication has no language the rule can read is an error,
    not a skip.
    """
    q = ctx.quoted
    keys = q[["excerpt", "value", "value_max", "unit", "language"]].astype(object)

    def judge(excerpt: Any, value: Any, value_max: Any, unit: Any, language: Any) -> str | None:
        if not isinstance(excerpt, str) or not isinstance(unit, str) or pd.isna(value):
            return None  # a missing cell or a dangling key is reported elsewhere
        if not isinstance(language, str) or base_language(language) not in NUMBER_STYLES:
            return (
                f"its publication's language {language if isinstance(language, str) else '(empty)'!r} is not one "
                f"the rule can read (expected one of {', '.join(LANGUAGES)}); set the source's language"
            )
        vmax = None if pd.isna(value_max) else float(value_max)
        if figure_pattern(float(value), unit, language, vmax).search(excerpt):
            return None
        shown = " or ".join(repr(f) for f in figure_forms(float(value), unit, language)[:3])
        if vmax is not None:
            shown = f"{shown}, then a dash or 'to' and {fmt_number(vmax)}"
        return f"the excerpt does not contain the figure as the text would write it ({shown})"

    return _quote_problems("excerpt-carries-figure", q, per_distinct(keys, judge))


@rule("observation-quoted", needs=("observations", "quotes"))
def rule_observation_quoted(ctx: Context) -> list[Problem]:
    """Every observation is carried by at least one publication: it has a row in quotes."""
    obs = ctx["observations"]
    quoted = pd.Index(ctx["quotes"]["observation_id"].dropna().astype(object).unique())
    m = ~obs["observation_id"].astype(object).isin(quoted).to_numpy() & obs["observation_id"].notna().to_numpy()
    out = []
    for i in np.flatnonzero(m):
        oid = str(obs["observation_id"].iloc[i])
        msg = f"observation {oid} has no quote: add a row to quotes with the publication and its verbatim excerpt"
        out.append(
            Problem(
                "observation-quoted", ERROR, msg, "observations", csv_row(obs.index[int(i)]), "observation_id", (oid,)
            )
        )
    return out


@rule("mention-names-area", needs=("mentions", "areas"))
def rule_mention_names_area(ctx: Context) -> list[Problem]:
    """A mention's excerpt names its area: its ``name_in_text`` where one is given, else its English name."""
    out = []
    men, areas = ctx["mentions"], ctx["areas"]
    names = dict(zip(areas["area_id"], areas["name"].astype(object), strict=True))
    in_text = men["name_in_text"].astype(object) if "name_in_text" in men.columns else pd.Series(None, index=men.index)
    rows = zip(men["mention_id"], men["area_id"], men["excerpt"].astype(object), in_text, strict=True)
    for i, (mid, aid, excerpt, written) in enumerate(rows):
        name = written if isinstance(written, str) and written else names.get(aid)
        if (
            isinstance(name, str)
            and isinstance(excerpt, str)
            and name.lower() not in excerpt.replace("\xa0", " ").lower()
        ):
            msg = f"mention {mid}: the excerpt does not name {name!r} (area {aid})"
            out.append(
                Problem("mention-names-area", ERROR, msg, "mentions", csv_row(men.index[i]), "excerpt", (str(mid),))
            )
    return out


def find_figure(
    text: str, value: float, unit: str, language: str, value_max: float | None = None
) -> re.Match[str] | None:
    """The first place ``text`` writes the figure (a range when ``value_max`` is given), or None."""
    if base_language(language) not in NUMBER_STYLES:
        return None
    return figure_pattern(float(value), unit, language, value_max).search(text)


def qualifier_of_words(
    excerpt: str, value: float, unit: str, language: str, value_max: float | None = None
) -> str | None:
    """The qualifier the words right before the figure in ``excerpt`` mean, or None when the figure is absent.

    "More than 100 foreign nationals from 32 countries" means ``more_than`` for 100
    and ``exact`` for 32: only the words immediately before a figure bound it. A
    stated range with no word before it is ``range``; "about 2-3" is ``approximately``.
    """
    if base_language(language) not in QUALIFIER_WORDS:
        return None
    match = find_figure(excerpt, value, unit, language, value_max)
    if match is None:
        return None
    said = words_before(excerpt[: match.start()], language)
    return "range" if value_max is not None and said == "exact" else said


@rule("qualifier-matches-words", needs=("observations", "quotes", "indicators", "sources"))
def rule_qualifier_words(ctx: Context) -> list[Problem]:
    """Each quote's qualifier is what its excerpt's words before the figure say ("more than 100" is ``more_than``).

    A figure the excerpt does not carry is left to excerpt-carries-figure.
    """
    q = ctx.quoted
    keys = q[["excerpt", "value", "value_max", "unit", "language", "qualifier"]].astype(object)

    def contradiction(excerpt: Any, value: Any, value_max: Any, unit: Any, lang: Any, qual: Any) -> str | None:
        texts = (excerpt, unit, lang, qual)
        if not all(isinstance(t, str) for t in texts) or pd.isna(value):  # a missing cell is the typer's problem
            return None
        vmax = None if pd.isna(value_max) else float(value_max)
        said = qualifier_of_words(excerpt, float(value), unit, lang, vmax)
        if said is None or said == str(qual):
            return None
        return f"qualifier {qual} but the excerpt's words before the figure mean {said}"

    found = per_distinct(keys, contradiction)
    return _quote_problems("qualifier-matches-words", q, found, " (see README, 'Reading a qualifier')")


@rule("no-personal-data", needs=())
def rule_no_personal_data(ctx: Context) -> list[Problem]:
    """No resource has a column that could identify or describe an individual."""
    out = []
    for name, df in ctx.frames.items():
        for col in df.columns:
            if PERSONAL_COLUMNS.match(str(col)):
                msg = f"column {col!r} could identify or describe a person; powdata publishes aggregates only"
                out.append(Problem("no-personal-data", ERROR, msg, name, None, str(col)))
    return out
