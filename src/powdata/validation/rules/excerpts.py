"""Excerpt and ethics rules: each excerpt is verbatim and carries its figure; no column identifies a person."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from powdata._vintages import quoted_languages, text_roots
from powdata.validation.report import ERROR, Problem
from powdata.validation.rules._common import Context, Frames, map_ids, per_distinct, rule

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


PERSONAL_COLUMNS = re.compile(
    r"^(first_?name|last_?name|surname|full_?name|person(_name)?|age|birth.*|date_of_birth|dob|photo.*|image.*|"
    r"passport.*|address|phone.*|email|unit_number|rank_military|captured_on|story|biography)$",
    re.IGNORECASE,
)


# How each language writes a number: the thousands separators it uses and its words for thousands.
# English keeps exactly the forms of 0.1.0; the others add what their texts print ("3 388",
# "18 тисяч", "18 тысяч", "18 Tausend", "18.000"). A language not listed here cannot be read.
_SPACES = (" ", "\xa0", "\u202f")
NUMBER_STYLES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"separators": (",", "\xa0", " "), "thousands": (), "percent": ("per cent", "percent")},
    "uk": {"separators": _SPACES, "thousands": ("тисяча", "тисячі", "тисяч", "тис."), "percent": ("відсотків",)},
    "ru": {"separators": _SPACES, "thousands": ("тысяча", "тысячи", "тысяч", "тыс."), "percent": ("процентов",)},
    "de": {"separators": (".", *_SPACES), "thousands": ("Tausend", "tausend"), "percent": ("Prozent",)},
}
LANGUAGES = tuple(NUMBER_STYLES)


def _base_language(language: str) -> str:
    """``uk-UA`` → ``uk``: number writing follows the language, not the region."""
    return language.split("-", 1)[0].lower()


def figure_forms(value: float, unit: str, language: str = "en") -> list[str]:
    """Return the ways a text in ``language`` may write ``value`` in ``unit``.

    English: "16,894", "16894", "49%", "first"; Ukrainian and Russian: "3 388" (space or
    no-break space), "18 тисяч" / "18 тысяч"; German: "18.000", "3 388", "18 Tausend".
    An unknown language raises ``ValueError``: an excerpt the rule cannot read is not
    silently passed.
    """
    style = NUMBER_STYLES.get(_base_language(language))
    if style is None:
        msg = f"language {language!r}: expected one of {', '.join(LANGUAGES)}"
        raise ValueError(msg)
    if value is None or pd.isna(value):
        return []
    plain = f"{int(value)}" if float(value).is_integer() else f"{value}"
    grouped = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    numbers = [plain] + [grouped.replace(",", sep) for sep in style["separators"]]
    if _base_language(language) == "en":
        numbers = [grouped, plain, grouped.replace(",", "\xa0"), grouped.replace(",", " ")]
    if float(value).is_integer() and int(value) % 1000 == 0 and int(value) >= 1000:
        k = int(value) // 1000
        numbers += [f"{k}{sp}{word}" for word in style["thousands"] for sp in _SPACES]
    numbers = list(dict.fromkeys(numbers))
    if unit == "percent":
        digits = [n for n in numbers if n[-1].isdigit()]
        return [f"{n}{sep}%" for n in digits for sep in ("", " ", "\xa0")] + [
            f"{plain} {word}" for word in style["percent"]
        ]
    if unit == "rank":
        v = int(value)
        if _base_language(language) != "en":
            return [f"{v}-"]  # "1-й", "2-ге": only the numeral is certain
        forms = [f"{v}{'th' if 10 <= v % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(v % 10, 'th')}"]
        if 1 <= v <= len(ORDINALS):
            forms.append(ORDINALS[v - 1])
        return forms
    return numbers


@lru_cache(maxsize=4096)
def figure_pattern(value: float, unit: str, language: str = "en") -> re.Pattern[str]:
    """One compiled pattern matching any way of writing ``value`` in ``unit``, not inside a longer number."""
    alternatives = []
    for form in figure_forms(value, unit, language):
        tail = r"(?!\d)" if form[-1].isdigit() else (r"(?!\w)" if form[-1].isalpha() else "")
        alternatives.append(re.escape(form) + tail)
    return re.compile(r"(?<![\d.,])(?:" + "|".join(alternatives) + ")" + _not_another_unit(unit), re.IGNORECASE)


_SP = "[ \xa0\u202f]"
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
def _not_another_unit(unit: str) -> str:
    """A lookahead refusing a number that the words right after it give another unit.

    A percent ("49%", "49 per cent") never carries a count, and "32 countries"
    never carries a count of persons (nor "136 foreign mercenaries" one of
    countries): the next word, or the one after it, names the unit.
    """
    if unit in ("percent", "rank"):  # "49% foreign citizens", "ranked first": the words after say of what
        return ""
    others = [words.format(sp=_SP) for u, words in _UNIT_WORDS.items() if u != unit]
    if unit not in _UNIT_WORDS:  # any other count: only a percent is certainly not it
        others = [_UNIT_WORDS["percent"].format(sp=_SP)]
    words = "|".join(others)
    return rf"(?!{_SP}*(?:%)|{_SP}+(?:[\w-]+{_SP}+)?(?:{words})(?!\w))"


def excerpt_languages(frames: Frames) -> pd.Series:
    """The language each observation's excerpt is written in (see `powdata._vintages.quoted_languages`)."""
    return map_ids(frames["observations"]["source_id"], quoted_languages(frames["sources"]))


@rule("excerpt-carries-figure", needs=("observations", "indicators", "sources"))
def rule_excerpt_carries_figure(ctx: Context) -> list[Problem]:
    """The excerpt contains the figure as its language writes it ("16,894", "3 388", "18 тисяч").

    Each distinct (excerpt, value, unit, language) is checked once, with one compiled
    pattern per (value, unit, language). An excerpt whose language the rule cannot
    read is an error, not a skip.
    """
    obs = ctx["observations"]
    trip = pd.DataFrame(
        {
            "excerpt": obs["excerpt"],
            "value": obs["value"].astype("float64"),
            "unit": ctx.units,
            "language": excerpt_languages(ctx.frames).astype(object).fillna(""),
        }
    ).dropna()
    distinct = trip.drop_duplicates()
    unreadable = ~distinct["language"].map(lambda lang: _base_language(str(lang)) in NUMBER_STYLES)
    failing = [
        bad_lang or not figure_pattern(float(v), str(u), str(lang)).search(str(e))
        for e, v, u, lang, bad_lang in zip(
            distinct["excerpt"], distinct["value"], distinct["unit"], distinct["language"], unreadable, strict=True
        )
    ]
    bad = distinct.loc[np.asarray(failing, dtype=bool)]
    out = []
    if len(bad):
        keys = ["excerpt", "value", "unit", "language"]
        hits = trip.reset_index().merge(bad, on=keys).set_index("index").sort_index()
        for i, r in hits.iterrows():
            oid = str(obs.at[i, "observation_id"])
            if _base_language(str(r.language)) not in NUMBER_STYLES:
                msg = (
                    f"observation {oid}: the excerpt is in language {r.language!r}, which the rule cannot read "
                    f"(expected one of {', '.join(LANGUAGES)}); set the source's language"
                )
            else:
                shown = " or ".join(repr(f) for f in figure_forms(r.value, r.unit, r.language)[:3])
                msg = f"observation {oid}: the excerpt does not contain the figure as text would write it ({shown})"
            out.append(
                Problem("excerpt-carries-figure", ERROR, msg, "observations", int(str(i)) + 2, "excerpt", (str(oid),))
            )
    return out


@rule("mention-names-area", needs=("mentions", "areas"))
def rule_mention_names_area(ctx: Context) -> list[Problem]:
    """A mention's excerpt names its area."""
    out = []
    men, areas = ctx["mentions"], ctx["areas"]
    names = dict(zip(areas["area_id"], areas["name"].astype(object), strict=True))
    rows = zip(men["mention_id"], men["area_id"], men["excerpt"].astype(object), strict=True)
    for i, (mid, aid, excerpt) in enumerate(rows):
        name = names.get(aid)
        if (
            isinstance(name, str)
            and isinstance(excerpt, str)
            and name.lower() not in excerpt.replace("\xa0", " ").lower()
        ):
            msg = f"mention {mid}: the excerpt does not name {name!r} (area {aid})"
            out.append(
                Problem("mention-names-area", ERROR, msg, "mentions", int(men.index[i]) + 2, "excerpt", (str(mid),))
            )
    return out


# The words that bound a figure, by language, and the qualifier each means (README: "Reading a
# qualifier"). Longer phrases first, so "більш ніж" is tried before "більш".
QUALIFIER_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "more than": "more_than", "over": "more_than", "at least": "at_least", "nearly": "approximately",
        "almost": "approximately", "about": "approximately", "approximately": "approximately",
        "around": "approximately", "fewer than": "fewer_than", "less than": "fewer_than", "at most": "at_most",
        "up to": "at_most",
    },
    "uk": {
        "більш ніж": "more_than", "більше ніж": "more_than", "понад": "more_than", "щонайменше": "at_least",
        "принаймні": "at_least", "майже": "approximately", "близько": "approximately", "приблизно": "approximately",
        "менш ніж": "fewer_than", "менше ніж": "fewer_than",
    },
    "ru": {
        "более": "more_than", "больше": "more_than", "свыше": "more_than", "не менее": "at_least",
        "как минимум": "at_least", "почти": "approximately", "около": "approximately", "примерно": "approximately",
        "менее": "fewer_than", "меньше": "fewer_than",
    },
    "de": {
        "mehr als": "more_than", "über": "more_than", "mindestens": "at_least", "fast": "approximately",
        "knapp": "approximately", "etwa": "approximately", "rund": "approximately", "ungefähr": "approximately",
        "weniger als": "fewer_than", "höchstens": "at_most", "bis zu": "at_most",
    },
}  # fmt: skip


def qualifier_of_words(excerpt: str, value: float, unit: str, language: str) -> str | None:
    """The qualifier the words right before the figure in ``excerpt`` mean, or None when the figure is absent.

    "More than 100 foreign nationals from 32 countries" means ``more_than`` for 100
    and ``exact`` for 32: only the words immediately before a figure bound it.
    """
    words = QUALIFIER_WORDS.get(_base_language(language))
    match = figure_pattern(float(value), unit, language).search(excerpt) if words is not None else None
    if words is None or match is None:
        return None
    before = excerpt[: match.start()].replace("\xa0", " ").rstrip().lower()
    for phrase in sorted(words, key=len, reverse=True):
        if before.endswith(phrase) and (len(before) == len(phrase) or not before[-len(phrase) - 1].isalpha()):
            return words[phrase]
    return "exact"


@rule("qualifier-matches-words", needs=("observations", "indicators", "sources"))
def rule_qualifier_words(ctx: Context) -> list[Problem]:
    """The qualifier is what the excerpt's words before the figure say ("more than 100" is ``more_than``).

    A figure the excerpt does not carry is left to excerpt-carries-figure.
    """
    obs = ctx["observations"]
    keys = pd.DataFrame(
        {
            "excerpt": obs["excerpt"],
            "value": obs["value"].astype("float64"),
            "unit": ctx.units,
            "language": excerpt_languages(ctx.frames),
            "qualifier": obs["qualifier"],
        }
    )

    def contradiction(excerpt: Any, value: float, unit: Any, lang: Any, qual: Any) -> str | None:
        texts = (excerpt, unit, lang, qual)
        if not all(isinstance(t, str) for t in texts) or pd.isna(value):  # a missing cell is the typer's problem
            return None
        said = qualifier_of_words(excerpt, float(value), unit, lang)
        if said is None or said == str(qual):
            return None
        return f"qualifier {qual} but the excerpt's words before the figure mean {said}"

    found = per_distinct(keys, contradiction)
    out = []
    for i in np.flatnonzero(pd.notna(found)):
        oid = obs["observation_id"].iloc[i]
        msg = f"observation {oid}: {found[i]} (see README, 'Reading a qualifier')"
        row = int(obs.index[int(i)]) + 2
        out.append(Problem("qualifier-matches-words", ERROR, msg, "observations", row, "qualifier", (str(oid),)))
    return out


MAX_LOCATED = 20
"""The failing excerpts told where they stop matching (the report keeps about as many); the rest are named only,
so the cost stays one text search per excerpt instead of one per prefix tried."""


def _longest_prefix_in(excerpt: str, text: str) -> int:
    """Length of the longest prefix of ``excerpt`` found in ``text`` (binary search: prefixes nest)."""
    lo, hi = 0, len(excerpt)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if excerpt[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _mismatch(excerpt: str, text: str) -> str:
    """Say where ``excerpt`` stops matching ``text``: the nearest mismatch, for the error message."""
    n = _longest_prefix_in(excerpt, text)
    if n == 0:
        return f"not even its first character {excerpt[:1]!r} matches"
    at = text.find(excerpt[:n])
    line = text.count("\n", 0, at) + 1
    found = text[at + n : at + n + 12]
    return (
        f"the first {n} characters match the text (line {line}), then the excerpt has {excerpt[n : n + 12]!r} "
        f"where the text has {found!r}"
    )


@rule("excerpt-verbatim", needs=("observations", "mentions", "sources"))
def rule_excerpt_verbatim(ctx: Context) -> list[Problem]:
    """Every excerpt is a verbatim slice of the archived text of the publication it is quoted from.

    ``ctx.texts`` maps a source_id to its archived text (``sources/<source_id>.txt``);
    the publication an excerpt is quoted from is the end of its source's ``via``
    chain. Without texts (rules run on frames alone) there is nothing to compare.
    """
    texts = ctx.texts
    if texts is None:
        return []
    roots = text_roots(ctx["sources"])
    located = [0]  # how many failing excerpts were told where they stop matching

    def judged(sid: Any, excerpt: Any) -> str | None:
        """Why the excerpt is not verbatim (None when it is), once per distinct (source, excerpt)."""
        if not isinstance(excerpt, str):
            return None
        root = roots.get(sid, sid)
        text = texts.get(str(root))
        if text is None:
            return (
                f"source {sid} is quoted from {root}, which has no archived text; "
                f"add sources/{root}.txt and declare it in datapackage.json"
            )
        if excerpt in text:
            return None
        located[0] += 1
        if located[0] > MAX_LOCATED:  # where it stops matching costs a text search per prefix tried: say it only
            return f"the excerpt is not verbatim in sources/{root}.txt"
        return f"the excerpt is not verbatim in sources/{root}.txt: {_mismatch(excerpt, text)}"

    out: list[Problem] = []
    for name, idcol in (("observations", "observation_id"), ("mentions", "mention_id")):
        df = ctx[name]
        why = per_distinct(df[["source_id", "excerpt"]], judged)
        for i in np.flatnonzero(pd.notna(why)):
            oid = df[idcol].iloc[i]
            msg = f"{name[:-1]} {oid}: {why[i]}"
            out.append(Problem("excerpt-verbatim", ERROR, msg, name, int(df.index[int(i)]) + 2, "excerpt", (str(oid),)))
    return out


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
