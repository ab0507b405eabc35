"""Propose candidate rows from one retrieved text (maintainers; DESIGN §5).

``propose(text, language)`` reads a text and returns one `Proposal` per number it
finds — digits as the language groups them ("16,894", "3 388", "18.000"), with a
multiplier word ("18 тисяч", "17 тис.", "1.2 million"), ranges ("1000-5000"),
percentages, and numbers written in words ("Twenty-six", "two dozen", "forty-five",
"четири") — each with the qualifier the words right before it give in that language
(the one table, `QUALIFIER_WORDS`), the shortest clause that carries both (at most
200 characters, cut at word boundaries), a unit, a likely indicator and area from the
package's own `indicators` and `areas` (``new? …`` where none fits) and the dates the
sentence gives. It never writes into the data: a maintainer edits the proposals and
appends the rows by hand.

Libraries (the ``propose`` extra), tried first and kept where they work: ``number-parser``
gives the value of a run of number words in English, Ukrainian and Russian (its
vocabulary, from CLDR, also finds the run in Bulgarian, which its parser refuses);
``dateparser`` finds the dates ("25 лютого", "on Thursday", "22 януари 2026"). Written
here, where they fail: digits grouped with an ordinary space ("3 388": the texts print
ordinary spaces where babel's CLDR data expects a no-break space, so ``babel``'s
``parse_decimal`` refuses them; the separators stay in `NUMBER_STYLES`, which a test
checks against babel), multipliers after digits ("18 тисяч" → "18 1000" in number-parser),
"dozen", Bulgarian values, qualifiers, units, excerpts, indicators and areas.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from powdata._language import CURRENCY_SIGNS, NUMBER_STYLES, ORDINAL_WORDS, ORDINALS, qualifier_phrase
from powdata.errors import ArgumentError, MissingExtraError

MAX_EXCERPT = 200
LANGUAGES = tuple(NUMBER_STYLES)

# Number words the CLDR vocabulary of number-parser lacks: "dozen" multiplies the number before it;
# Bulgarian counts people with its own forms ("двама", "трима").
_EXTRA_WORDS: dict[str, dict[str, int]] = {
    "en": {"dozen": 12},
    "uk": {"дюжина": 12, "дюжини": 12},
    "ru": {"дюжина": 12, "дюжины": 12},
    "de": {"dutzend": 12},
    "bg": {"двама": 2, "трима": 3, "четирима": 4, "петима": 5, "шестима": 6, "седмина": 7, "хиляда": 1000},
}
_MULTIPLIER_WORDS = {"dozen", "дюжина", "дюжини", "дюжины", "dutzend"}
# A lone word for 1 ("one of them", "на один рік", "Одному") is almost never a figure: only inside a longer number.

_UNIT_WORDS: tuple[tuple[str, str], ...] = (
    # (stem, unit) — the first word or two after the number decide
    ("%", "percent"), ("per cent", "percent"), ("percent", "percent"), ("відсот", "percent"),
    ("процент", "percent"), ("prozent", "percent"), ("процента", "percent"),
    ("countr", "countries"), ("країн", "countries"), ("стран", "countries"), ("держав", "countries"),
    ("государств", "countries"), ("länder", "countries"), ("държав", "countries"), ("nations", "countries"),
    ("dollar", "USD"), ("долар", "USD"), ("доллар", "USD"), ("shilling", "KES"), ("шилінг", "KES"),
    ("year", "years"), ("рок", "years"), ("рік", "years"), ("років", "years"), ("год", "years"), ("лет", "years"),
    ("години", "years"), ("jahr", "years"),
    ("month", "months"), ("місяц", "months"), ("месяц", "months"), ("месец", "months"), ("monat", "months"),
    ("week", "weeks"), ("тиж", "weeks"), ("недел", "weeks"), ("седмиц", "weeks"), ("woche", "weeks"),
    ("day", "days"), ("днів", "days"), ("дн", "days"), ("tag", "days"),
)  # fmt: skip
_CURRENCY_UNITS = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP"}
_TIME_UNITS = {"years", "months", "weeks", "days"}

# What a clause counts, by stems in the five languages → a concept; `_indicator` maps it to the package's
# indicators (by the words of their ids) or says "new?".
_CONCEPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("killed", ("killed", "died", "dead", "death", "lost their lives", "casualt", "загин", "погиб", "gefallen",
                "getötet", "мъртв", "загина", "смерт")),
    ("missing", ("missing", "зникл", "пропал", "безвіст", "vermisst", "изчезнал")),
    ("hospitalised", ("hospitali", "госпітал", "госпитал", "болниц")),
    ("discharged", ("discharge", "звільн", "уволен")),
    ("returned", ("returned", "repatriat", "повернул", "вернул", "завърна")),
    ("pows-held", ("prisoner", "captured", "captivity", "полон", "плен", "gefangen", "пленени")),
    ("contracts-signed", ("signed", "contract", "підписал", "подписал", "контракт", "договор")),
    ("recruited", ("recruit", "enlist", "volunteer", "joined", "завербов", "вербув", "вербов", "набира",
                   "вступил", "вступив", "rekrutiert", "вербува")),
    ("identified", ("identified", "ідентиф", "встановил", "підтвердил", "identifiziert", "установил")),
    ("troops", ("troops", "soldiers", "військов", "военнослужащ", "soldaten", "войници")),
    ("fighters", ("fight", "воюють", "воюют", "воює", "воюва", "kämpf", "front", "воюват", "бойов", "боях")),
    ("listed", ("list", "names", "імена", "список", "спис", "liste")),
)  # fmt: skip

# Nationals and countries as the texts name them (lower-case stems), by area id: an ISO 3166-1 alpha-3
# code or a region id of areas.csv. A stem matches the start of a word.
AREA_WORDS: dict[str, tuple[str, ...]] = {
    "africa": ("africa", "african", "африк", "afrika", "afrikan"),
    "central-asia": ("central asia", "центральної азії", "центральной азии", "zentralasien", "централна азия"),
    "KEN": ("kenya", "kenyan", "кені", "кенія", "кения", "кении", "кенийц", "кенійц", "кенийск"),
    "IND": ("india", "indian", "індії", "індійц", "индии", "индийц", "indien", "индия", "индийц"),
    "NPL": ("nepal", "непал"),
    "CUB": ("cuba", "cuban", "куб"),
    "IRQ": ("iraq", "ірак", "ирак", "irak"),
    "GHA": ("ghana", "гана", "гани", "ганы", "ганц"),
    "CMR": ("cameroon", "камерун", "kamerun"),
    "EGY": ("egypt", "єгипт", "египт", "ägypt"),
    "TJK": ("tajik", "таджик", "tadschik"),
    "TKM": ("turkmen", "туркмен"),
    "UZB": ("uzbek", "узбек", "usbek"),
    "PRK": ("north korea", "північнокорей", "північної кореї", "северокорей", "северной кореи", "nordkorea"),
    "YEM": ("yemen", "ємен", "йемен", "jemen"),
    "MLI": ("mali",),
    "TGO": ("togo", "того"),
    "DZA": ("algeria", "алжир", "algerien"),
    "GMB": ("gambia", "гамбі", "гамби"),
    "NGA": ("nigeria", "нігері", "нигери"),
    "ZAF": ("south africa", "південно-афр", "юар", "южноафр", "südafrika"),
    "MAR": ("morocc", "марокко", "marokko"),
    "SEN": ("senegal", "сенегал"),
    "CIV": ("ivory coast", "côte d", "кот-д", "elfenbeinküste"),
    "PAK": ("pakistan", "пакистан"),
    "BGD": ("bangladesh", "бангладеш"),
    "LKA": ("sri lanka", "шрі-ланк", "шри-ланк"),
    "BLR": ("belarus", "білорус", "беларус", "белорус"),
    "KAZ": ("kazakh", "казах"),
    "KGZ": ("kyrgyz", "киргиз", "кыргыз"),
    "SOM": ("somali", "сомал"),
    "LBY": ("libya", "лівії", "ливи"),
    "COL": ("colombia", "колумбі", "колумби"),
    "ARG": ("argentin", "аргентин"),
}

_CSV_FIELDS = (
    "line", "number", "value", "value_max", "qualifier", "qualifier_words", "unit", "indicator", "area",
    "as_of", "as_of_basis", "dates", "kind", "excerpt",
)  # fmt: skip


@dataclass(frozen=True)
class Proposal:
    """One number in a text and what it may be: a candidate row for a maintainer to confirm or discard.

    ``kind`` is ``figure`` (a count, share or payment: a candidate observation), or what
    else the number looks like (``date``, ``time`` for a duration or a clock time):
    those go to the not-data list with a reason if they are not figures.
    """

    number: str
    value: float
    value_max: float | None
    qualifier: str
    qualifier_words: str
    unit: str
    indicator: str
    area: str
    dates: str
    kind: str
    excerpt: str
    start: int
    line: int
    end: int = field(default=0, compare=False)
    as_of: str = ""
    as_of_basis: str = ""

    def row(self) -> dict[str, Any]:
        """The proposal as a CSV row (see `to_csv`)."""
        d = asdict(self)
        d["value"] = _plain(self.value)
        d["value_max"] = "" if self.value_max is None else _plain(self.value_max)
        return {k: d[k] for k in _CSV_FIELDS}


def _plain(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _style(language: str) -> dict[str, tuple[str, ...]]:
    lang = language.split("-", 1)[0].lower()
    style = NUMBER_STYLES.get(lang)
    if style is None:
        msg = f"language {language!r}: expected one of {', '.join(LANGUAGES)}"
        raise ArgumentError(msg)
    return style


# --- numbers -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A number as a text writes it: where it is, its value (and the upper end of a range)."""

    start: int
    end: int
    value: float
    value_max: float | None = None
    words: bool = False
    rank: bool = False


@lru_cache(maxsize=8)
def _digits_pattern(lang: str) -> re.Pattern[str]:
    seps = "".join(re.escape(s) for s in _style(lang)["separators"])
    dec = re.escape(_style(lang)["decimal"][0])
    mult = sorted([*_style(lang)["thousands"], *_style(lang)["millions"]], key=len, reverse=True)
    mult_alt = "|".join(re.escape(m) for m in mult)
    one = rf"\d{{1,3}}(?:[{seps}]\d{{3}})+(?![\d])|\d+(?:{dec}\d+)?"
    return re.compile(
        rf"(?<![\w.,:/])(?P<a>{one})(?:\s?[-–—]\s?(?P<b>{one}))?"
        rf"(?:\s?(?P<mult>{mult_alt})(?!\w))?(?![\w:])(?!,\d)",
        re.IGNORECASE,
    )


def _to_float(digits: str, lang: str) -> float:
    dec = _style(lang)["decimal"][0]
    body = digits
    for sep in _style(lang)["separators"]:
        if sep != dec:
            body = re.sub(rf"(?<=\d){re.escape(sep)}(?=\d{{3}}(?!\d))", "", body)
    return float(body.replace(dec, "."))


@lru_cache(maxsize=8)
def _word_values(lang: str) -> dict[str, int]:
    """Every number word of ``lang``: number-parser's CLDR vocabulary, plus `_EXTRA_WORDS`."""
    words: dict[str, int] = {}
    try:
        import importlib

        data = importlib.import_module(f"number_parser.data.{lang}").info
        for key in ("UNIT_NUMBERS", "DIRECT_NUMBERS", "TENS", "HUNDREDS", "BIG_POWERS_OF_TEN"):
            words.update({w.lower(): int(v) for w, v in data.get(key, {}).items()})
    except ImportError:  # no vocabulary for this language: only the words listed here
        pass
    words.update(_EXTRA_WORDS.get(lang, {}))
    return words


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TOKEN = re.compile(r"\w+", re.UNICODE)
_CLAUSE_MARK = re.compile(r"[,;.]\s")


def _word_value(tokens: Sequence[str], lang: str) -> float | None:
    """The value of a run of number words: number-parser where it reads the language, else composed here."""
    lowered = [t.lower() for t in tokens]
    if lowered[-1] in _MULTIPLIER_WORDS and len(lowered) > 1:  # "two dozen"
        head = _word_value(tokens[:-1], lang)
        return None if head is None else head * 12
    if lang in ("en", "uk", "ru"):
        try:
            from number_parser import parse_number
        except ImportError:
            parse_number = None
        if parse_number is not None:
            got = parse_number(" ".join(lowered), language=lang)
            if got is not None:
                return float(got)
    values = _word_values(lang)
    total, group = 0, 0
    for t in lowered:
        v = values.get(t)
        if v is None:
            return None
        if v >= 1000:
            total += max(group, 1) * v
            group = 0
        elif v == 100 and group:
            group *= 100
        else:
            group += v
    return float(total + group)


def _find_word_numbers(text: str, lang: str) -> list[Number]:
    values = _word_values(lang)
    joiners = {"and", "і", "и", "und", "-"}
    out: list[Number] = []
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        w = words[i]
        if w.group().lower() not in values:
            i += 1
            continue
        j = i
        while j + 1 < len(words):
            gap = text[words[j].end() : words[j + 1].start()]
            nxt = words[j + 1].group().lower()
            if gap in (" ", "-") and nxt in values:
                j += 1
            elif gap == " " and nxt in joiners and j + 2 < len(words) and words[j + 2].group().lower() in values:
                j += 2
            else:
                break
        tokens = [words[k].group() for k in range(i, j + 1) if words[k].group().lower() not in joiners]
        lone_one = len(tokens) == 1 and values.get(tokens[0].lower()) == 1
        lone_big = len(tokens) == 1 and values.get(tokens[0].lower(), 0) >= 1000  # "thousands of": not a count
        value = None if lone_one or lone_big else _word_value(tokens, lang)
        if value is not None and not _inside_number(text, w.start()):
            out.append(Number(w.start(), words[j].end(), value, None, True))
        i = j + 1
    return out


def _inside_number(text: str, at: int) -> bool:
    """True where a word continues digits ("18 тисяч" is read with its digits)."""
    return bool(re.search(r"\d\s?$", text[max(0, at - 2) : at]))


def find_numbers(text: str, language: str) -> list[Number]:
    """Every number in ``text`` as ``language`` writes it, in order: digits (grouped, ranges, "18 тисяч") and words."""
    lang = language.split("-", 1)[0].lower()
    _style(lang)
    out = []
    for m in _digits_pattern(lang).finditer(text):
        factor = 1.0
        if m.group("mult"):
            factor = 1e6 if m.group("mult").lower() in {w.lower() for w in _style(lang)["millions"]} else 1000.0
        a = _to_float(m.group("a"), lang) * factor
        b = _to_float(m.group("b"), lang) * factor if m.group("b") else None
        if b is not None and b <= a:  # "2025-2026"? keep; "18-25"? keep; a falling pair is not a range
            out.append(Number(m.start("a"), m.end("a"), a))
            out.append(Number(m.start("b"), m.end(), b))
            continue
        out.append(Number(m.start(), m.end(), a, b))
    out += _find_word_numbers(text, lang)
    out += _find_ranks(text, lang)
    return sorted(out, key=lambda n: n.start)


# An ordinal is a rank where the words around it say so: "ranked first", "посідає перше місце", "the second …
# figure". Elsewhere ("the first nine months", "първите четири месеца") it is not proposed.
_RANK_CONTEXT = re.compile(
    r"(?:rank\w*|ranked)\s+$|^(?:\s+[^\W\d_]+){0,3}?\s+(?:place|largest|biggest|highest|figure|місце|место|място)\b",
    re.IGNORECASE,
)


def _find_ranks(text: str, lang: str) -> list[Number]:
    words: dict[str, int] = {}
    if lang == "en":
        words = {w: i for i, w in enumerate(ORDINALS, 1)}
    for rank, forms in ORDINAL_WORDS.get(lang, {}).items():
        words.update(dict.fromkeys(forms, rank))
    out = []
    for m in _WORD.finditer(text):
        if m.group().lower() not in words:
            continue
        rank = words[m.group().lower()]
        before, after = text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 40]
        if _RANK_CONTEXT.search(before) or _RANK_CONTEXT.match(after):
            out.append(Number(m.start(), m.end(), float(rank), None, True, rank=True))
    return out


# --- qualifier, unit, excerpt ----------------------------------------------------------------------------


def qualifier_before(before: str, language: str) -> tuple[str, str]:
    """The qualifier the words right before a number mean, and those words (see `qualifier_phrase`)."""
    return qualifier_phrase(before, language)


def _unit(text: str, num: Number, lang: str) -> str:
    if num.rank:
        return "rank"
    before = text[max(0, num.start - 4) : num.start]
    for sign in CURRENCY_SIGNS:
        if before.rstrip().endswith(sign):
            return _CURRENCY_UNITS[sign]
    after = text[num.end : num.end + 40].lower()
    if after.lstrip().startswith("%"):
        return "percent"
    following = _WORD.findall(after)[:2]
    if " ".join(following) == "per cent":
        return "percent"
    for i, w in enumerate(following):
        for stem, unit in _UNIT_WORDS:
            if w.startswith(stem) and (i == 0 or unit == "countries"):  # "36 African countries": one word between
                return unit
    return "persons"


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"»”]?\s+(?=[\"«„“(]?[A-ZА-ЯІЇЄҐ])|\n+")
_CLAUSE_END = re.compile(r",\s|;\s|(?<!\d)\s[–—]\s|(?<=[^\W\d_])—(?=[^\W\d_])|:\s|\s\(|\)\s")


def _spans(text: str, pattern: re.Pattern[str], lo: int, hi: int) -> list[tuple[int, int]]:
    cuts = [lo] + [m.end() for m in pattern.finditer(text, lo, hi)] + [hi]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Strip spaces, clause punctuation and unbalanced quotes from both ends of text[a:b]."""
    while a < b and text[a] in " \n\t\"'«»„“”(–—-:,;":
        a += 1
    while b > a and text[b - 1] in " \n\t\"'«»„“”)–—-:,;.":
        b -= 1
    return a, b


# Words that join a clause to what comes before; an excerpt does not start with one ("that 104 Nepalis …").
_CONNECTIVES: dict[str, frozenset[str]] = {
    "en": frozenset({"and", "that", "yet", "but", "while", "including", "which", "who", "as", "said", "so"}),
    "uk": frozenset({"що", "і", "й", "та", "а", "але", "які", "який", "яка", "бо"}),
    "ru": frozenset({"что", "и", "а", "но", "которые", "который", "которая"}),
    "de": frozenset({"und", "dass", "aber", "die", "der", "das"}),
    "bg": frozenset({"и", "че", "а", "но", "които", "който"}),
}


def _excerpt(text: str, start: int, end: int, lang: str = "en") -> str:
    """The clause that carries text[start:end] (a number with its qualifier words), ≤ 200 characters.

    The sentence is cut at clause marks (", ", " – ", ": ", "; "); a clause of fewer than three words
    takes the next (or the one before); one longer than 200 characters is cut at word boundaries
    around the number.
    """
    sentences = _spans(text, _SENTENCE_END, 0, len(text))
    s_lo, s_hi = next(((a, b) for a, b in sentences if a <= start < b), (0, len(text)))
    clauses = _spans(text, _CLAUSE_END, s_lo, s_hi)
    k = next(i for i, (a, b) in enumerate(clauses) if a <= start < b or (start < b and i == len(clauses) - 1))
    lo, hi = clauses[k]
    lo, hi = min(lo, start), max(hi, end)
    after, before = k + 1, k - 1
    while len(_TOKEN.findall(text[lo:hi])) < 3 and (after < len(clauses) or before >= 0):
        if after < len(clauses):
            hi = clauses[after][1]
            after += 1
        else:
            lo = clauses[before][0]
            before -= 1
    while not _WORD.search(text[end:hi].replace("[…]", "")) and before >= 0 and len(_WORD.findall(text[lo:hi])) < 6:
        lo = clauses[before][0]  # the number ends its clause: what it counts is said before it
        before -= 1
    lo, hi = _trim(text, lo, hi)
    if text[lo:hi].endswith("[…]"):
        lo, hi = _trim(text, lo, hi - 3)
    while (m := re.match(r"([^\W\d_]+)\s+", text[lo:start])) and m.group(1).lower() in _CONNECTIVES.get(lang, ()):
        lo += m.end()
    if hi - lo > MAX_EXCERPT:  # keep the number and its words; cut the clause around them at word boundaries
        room = MAX_EXCERPT - (end - start)
        lo = max(lo, start - room // 3)
        hi = min(hi, lo + MAX_EXCERPT)
        while lo < start and text[lo - 1 : lo].strip():
            lo += 1
        while hi > end and text[hi : hi + 1].strip():
            hi -= 1
        lo, hi = _trim(text, lo, hi)
    return text[lo:hi]


# --- dates -------------------------------------------------------------------------------------------------


def find_dates(text: str, language: str, published: date | None = None) -> list[tuple[int, int, str]]:
    """The dates a text gives, as (start, end, ISO date at the precision written), with dateparser.

    "25 лютого" → the day, in the year of ``published``; "on Thursday" → the Thursday on or
    before ``published``; "in February" → the month. Bare numbers are not dates here.
    """
    try:
        from dateparser.search import search_dates
    except ImportError as exc:
        msg = "proposing rows reads dates with dateparser: pip install 'powdata[propose]'"
        raise MissingExtraError(msg) from exc
    lang = language.split("-", 1)[0].lower()
    # A weekday in a news story is on or before its publication: "on Thursday" in Thursday's paper is that day.
    base = datetime.combine(published, datetime.min.time()) + timedelta(days=1) if published else datetime.now()
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    out: list[tuple[int, int, str]] = []
    pos = 0
    for part in _SENTENCE_END.split(text):
        pos = text.find(part, pos)
        found = search_dates(part, languages=[lang], settings=settings) or []
        cursor = 0
        for said, when in found:
            at = part.find(said, cursor)
            cursor = max(cursor, at + len(said))
            if at < 0 or said == "may" or not (_is_month(said, lang) or _weekday(said)):  # "may" the verb; "18-25"
                continue
            has_day = bool(re.search(r"\d", said)) and not re.fullmatch(r"\D*\d{4}\D*", said)
            if not has_day and not _weekday(said):
                iso = f"{when.year:04d}-{when.month:02d}" if _is_month(said, lang) else ""
            else:
                iso = when.date().isoformat()
            if iso:
                out.append((pos + at, pos + at + len(said), iso))
    return sorted(out + _months_in(text, lang, published or base.date(), out))


def _months_in(text: str, lang: str, base: date, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Month names dateparser leaves out ("У квітні", "В феврале": inflected forms), by the stems of its locale.

    The year is the publication's (the month before it, else the year before).
    """
    stems = _month_stems(lang)
    out = []
    for m in _WORD.finditer(text):
        if any(a <= m.start() < b for a, b, _ in found):
            continue
        word = m.group().lower()
        month = next((i for stem, i in stems if word.startswith(stem)), None)
        if month is not None and (lang != "en" or (m.group()[0].isupper() and word == _MONTH_KEYS[month - 1])):
            year = base.year if month <= base.month else base.year - 1
            stated = re.match(r"\s(\d{4})(?!\d)", text[m.end() : m.end() + 6])
            if stated:
                year = int(stated.group(1))
            out.append((m.start(), m.end(), f"{year:04d}-{month:02d}"))
    return out


@lru_cache(maxsize=8)
def _month_stems(lang: str) -> tuple[tuple[str, int], ...]:
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale(lang).info
    stems = []
    for i, key in enumerate(_MONTH_KEYS, 1):
        # a 4-letter stem of a full name ("квіт" finds "квітні"); "вер" (an abbreviation) would find "вербування"
        names = [n.lower()[:4] for n in info.get(key, []) if len(n) >= 5 and n.isalpha()]
        if lang == "en":
            names = [key]
        stems += [(n, i) for n in names]
    return tuple(sorted(stems, key=lambda t: -len(t[0])))


def _is_month(word: str, lang: str) -> bool:
    try:
        from dateparser.languages.loader import default_loader
    except ImportError:  # pragma: no cover - find_dates has already checked
        return False
    loc = default_loader.get_locale(lang)
    names = {n.lower() for k, v in loc.info.items() if k in _MONTH_KEYS for n in v}
    return any(w in names for w in re.findall(r"[^\W\d_]+", word.lower()))


_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip


def _weekday(said: str) -> bool:
    return bool(re.search(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday", said, re.IGNORECASE))


# --- indicator and area -------------------------------------------------------------------------------------


def _concept(clause: str) -> str | None:
    low = clause.lower()
    for concept, stems in _CONCEPTS:
        if any(s in low for s in stems):
            return concept
    return None


_CONCEPT_IDS: dict[str, tuple[str, ...]] = {
    "pows-held": ("pows-held", "pow-"),
    "killed": ("killed", "died"),
    "fighters": ("fighters", "fighting"),
    "listed": ("listed",),
}


def _indicator(concept: str | None, unit: str, indicators: Sequence[Mapping[str, str]]) -> str:
    """The package indicator whose id names the concept and whose unit fits, else ``new? (concept, unit)``."""
    if unit in _TIME_UNITS:
        return ""
    if unit in {"USD", "KES", "EUR"}:
        return f"new? (payment, {unit})"
    want = {"percent": "percent", "countries": "countries", "rank": "rank"}.get(unit, "persons")
    fragments = _CONCEPT_IDS.get(concept or "", (concept,) if concept else ())
    for fragment in fragments:
        for ind in indicators:
            iid = ind.get("indicator_id", "")
            if ind.get("unit") == want and fragment in iid:
                return iid
    return f"new? ({concept or 'unclear'}, {want})"


def _area(text: str, lo: int, hi: int, num: Number, areas: Iterable[str]) -> str:
    """The area text[lo:hi] names nearest the number (after it first), else ``all``; ``new? ISO`` if not in areas."""
    low = text[lo:hi].lower()
    best: tuple[int, int, str] | None = None
    for aid, stems in AREA_WORDS.items():
        for stem in stems:
            for m in re.finditer(r"(?<![^\W\d_])" + re.escape(stem), low):
                at = lo + m.start()
                # after the number, in its clause: its distance; before it: a little farther; across a clause mark
                # (", " ";"): much farther ("Kenya 46, Nigeria 36": 46 is Kenya's)
                if at >= num.end:
                    gap = text[num.end : at]
                    distance = len(gap) + (60 if _CLAUSE_MARK.search(gap) else 0)
                else:
                    gap = text[at + len(stem) : num.start]
                    distance = len(gap) + (40 if _CLAUSE_MARK.search(gap) else 10)
                if best is None or (distance, -len(stem)) < best[:2]:
                    best = (distance, -len(stem), aid)
    if best is None:
        return "all"
    return best[2] if best[2] in set(areas) else f"new? {best[2]}"


# --- the command -----------------------------------------------------------------------------------------------


def propose(
    text: str,
    language: str,
    *,
    indicators: Sequence[Mapping[str, str]] = (),
    areas: Iterable[str] = (),
    published: date | None = None,
) -> list[Proposal]:
    """Every number of ``text`` as a candidate row (see the module docstring); nothing is written."""
    lang = language.split("-", 1)[0].lower()
    _style(lang)
    area_ids = list(areas)
    dates = find_dates(text, lang, published)
    date_spans = [(a, b) for a, b, _ in dates]
    out = []
    for num in find_numbers(text, lang):
        qualifier, qwords = qualifier_before(text[: num.start], lang)
        if num.value_max is not None and qualifier == "exact":  # "1000-5000"; "about 2-3" stays approximately
            qualifier = "range"
        q_start = text.rfind(qwords, 0, num.start) if qwords else num.start  # the words as the text writes them
        excerpt = _excerpt(text, q_start, num.end, lang)
        ex_at = text.find(excerpt, max(0, q_start - MAX_EXCERPT))
        unit = _unit(text, num, lang)
        in_date = any(a <= num.start < b for a, b in date_spans)
        clock = bool(re.match(r"\d{1,2}:\d{2}", text[num.start : num.start + 5]))
        year = _is_year(text, num, unit)
        kind = "date" if in_date or year else ("time" if unit in _TIME_UNITS or clock else "figure")
        line_start = text.rfind("\n", 0, num.start) + 1
        sentence_dates = sorted(
            {iso for a, b, iso in dates if _same_sentence(text, a, num.start)}, key=lambda s: (len(s), s)
        )
        as_of, basis = (sentence_dates[-1], "text") if sentence_dates else ("", "")
        if not as_of and published is not None:
            as_of, basis = published.isoformat(), "publication"
        out.append(
            Proposal(
                number=text[num.start : num.end],
                value=num.value,
                value_max=num.value_max,
                qualifier=qualifier,
                qualifier_words=qwords,
                unit=unit,
                indicator=_indicator(_concept(excerpt), unit, indicators) if kind == "figure" else "",
                area=_area(text, ex_at, ex_at + len(excerpt), num, area_ids) if kind == "figure" else "",
                dates="; ".join(sentence_dates),
                kind=kind,
                excerpt=excerpt,
                start=num.start,
                line=text.count("\n", 0, line_start) + 1,
                end=num.end,
                as_of=as_of if kind == "figure" else "",
                as_of_basis=basis if kind == "figure" else "",
            )
        )
    return out


_YEAR_PREPOSITIONS = {
    "of", "in", "since", "by", "until", "from", "to", "з", "із", "в", "у", "до", "від", "по", "с", "со", "от",
    "през", "за", "seit", "im", "bis", "von",
}  # fmt: skip


def _is_year(text: str, num: Number, unit: str) -> bool:
    """A number that is a year: 1900–2100 followed by a year word, or 1990–2039 after a preposition or before "-го"."""
    written = text[num.start : num.end]
    if not re.fullmatch(r"\d{4}", written):
        return False
    if unit == "years":
        return 1900 <= num.value <= 2100
    if not 1990 <= num.value <= 2039 or unit != "persons":
        return False
    words_before = _WORD.findall(text[max(0, num.start - 12) : num.start])
    suffix = re.match(r"-(го|м|ті|х|й)(?!\w)|\s*[.,;)]|\s*$", text[num.end : num.end + 4])
    return bool(suffix) or bool(words_before and words_before[-1].lower() in _YEAR_PREPOSITIONS)


def _same_sentence(text: str, a: int, b: int) -> bool:
    lo, hi = sorted((a, b))
    return not _SENTENCE_END.search(text, lo, hi)


def to_csv(proposals: Iterable[Proposal]) -> str:
    """The proposals as CSV (header: line, number, value, value_max, qualifier, …, excerpt)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for p in proposals:
        writer.writerow(p.row())
    return buf.getvalue()


def to_table(proposals: Iterable[Proposal]) -> str:
    """The proposals as a plain-text table, one block per number, for reading in a terminal."""
    lines = []
    for p in proposals:
        r = p.row()
        head = f"line {r['line']}: {r['number']!r} = {r['value']}" + (f"–{r['value_max']}" if r["value_max"] else "")
        lines.append(
            f"{head}  {r['qualifier']}{' (' + r['qualifier_words'] + ')' if r['qualifier_words'] else ''}"
            f"  {r['unit']}  [{r['kind']}]"
        )
        if r["indicator"] or r["area"]:
            as_of = f"  as_of {r['as_of']} ({r['as_of_basis']})" if r["as_of"] else ""
            lines.append(f"    indicator {r['indicator']}  area {r['area']}{as_of}")
        if r["dates"]:
            lines.append(f"    dates {r['dates']}")
        lines.append(f"    excerpt {r['excerpt']!r}")
    return "\n".join(lines) + ("\n" if lines else "")


MAX_TEXT_BYTES = 1_000_000


def propose_file(
    path: str,
    *,
    language: str | None = None,
    published: str | None = None,
    package: str | None = None,
) -> list[Proposal]:
    """Read one retrieved text (UTF-8) and propose its rows, with the indicators and areas of ``package``.

    ``language`` defaults to the file name's ``.xx.txt``; ``package`` to the package in the
    current folder if there is one, else the installed one.
    """
    from pathlib import Path

    import powdata
    from powdata._io.gate import read_gated

    src = Path(path)
    if language is None:
        m = re.search(r"\.([a-z]{2,3})\.txt$", src.name)
        if m is None:
            msg = f"{path}: say the text's language with --language (one of {', '.join(LANGUAGES)})"
            raise ArgumentError(msg)
        language = m.group(1)
    _style(language)
    when = None
    if published:
        try:
            when = date.fromisoformat(published)
        except ValueError:
            msg = f"--published {published!r}: expected a date YYYY-MM-DD"
            raise ArgumentError(msg) from None
    # a regular file only (a FIFO or /dev/zero is refused at once, never read), at most MAX_TEXT_BYTES:
    # a retrieved text is an article, not a book
    raw = read_gated(src, "text", MAX_TEXT_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8 (byte {exc.start}); save the retrieved text as UTF-8"
        raise ArgumentError(msg) from None
    root = package if package is not None else ("." if Path("datapackage.json").is_file() else None)
    indicators = powdata.load("indicators", path=root)
    areas = powdata.load("areas", path=root)
    rows = [{k: str(v) for k, v in r.items()} for r in indicators[["indicator_id", "unit"]].to_dict("records")]
    return propose(text, language, indicators=rows, areas=[str(a) for a in areas["area_id"]], published=when)


def write_proposals(proposals: Sequence[Proposal], to: str, *, package: str | None = None) -> None:
    """Write the proposals as CSV to ``to`` (atomically), never into a package's ``data/`` folder."""
    from pathlib import Path

    from powdata._io.atomic import write_text_atomic

    target = Path(to).resolve()
    if target.parent.name == "data" and (target.parent.parent / "datapackage.json").is_file():
        msg = f"--to {to}: proposals are for a maintainer to edit, never written into a package's data/ folder"
        raise ArgumentError(msg)
    if target.suffix.lower() != ".csv":
        msg = f"--to {to}: expected a .csv file"
        raise ArgumentError(msg)
    write_text_atomic(target, to_csv(proposals))
