"""How each language writes a number and bounds a figure: the one table of each, for every reader of text.

The excerpt rules (`powdata.validation.rules.excerpts`), the assisted update
(`powdata.evidence.propose`) and the evidence check read numbers and qualifier
words in the languages of the sources; they all read them from here. A language
not listed in `NUMBER_STYLES` cannot be read, and says so.
"""

from __future__ import annotations

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


# How each language writes a number: the thousands separators it uses and its words for thousands.
# English keeps exactly the forms of 0.1.0; the others add what their texts print ("3 388",
# "18 тисяч", "18 тысяч", "18 Tausend", "18.000"). A language not listed here cannot be read.
_SPACES = (" ", "\xa0", "\u202f")
NUMBER_STYLES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "separators": (",", "\xa0", " "), "thousands": (), "percent": ("per cent", "percent"),
        "millions": ("million",), "decimal": (".",),
    },
    "uk": {
        "separators": _SPACES, "thousands": ("тисяча", "тисячі", "тисяч", "тис."), "percent": ("відсотків",),
        "millions": ("мільйонів", "мільйони", "мільйон", "млн"), "decimal": (",",),
    },
    "ru": {
        "separators": _SPACES, "thousands": ("тысяча", "тысячи", "тысяч", "тыс."), "percent": ("процентов",),
        "millions": ("миллионов", "миллиона", "миллион", "млн"), "decimal": (",",),
    },
    "de": {
        "separators": (".", *_SPACES), "thousands": ("Tausend", "tausend"), "percent": ("Prozent",),
        "millions": ("Millionen", "Million", "Mio."), "decimal": (",",),
    },
    "bg": {
        "separators": _SPACES, "thousands": ("хиляди", "хил."), "percent": ("процента",),
        "millions": ("милиона", "милион", "млн."), "decimal": (",",),
    },
}  # fmt: skip
# Ordinal words a rank is written with, by language and rank (English: ORDINALS).
ORDINAL_WORDS: dict[str, dict[int, tuple[str, ...]]] = {
    "uk": {
        1: ("перше", "перший", "перша", "першим", "першому", "першої"),
        2: ("друге", "другий", "друга", "другим", "другому", "другої"),
        3: ("третє", "третій", "третя", "третім", "третьому", "третьої"),
    },
    "ru": {
        1: ("первое", "первый", "первая", "первым", "первом", "первой"),
        2: ("второе", "второй", "вторая", "вторым", "втором"),
        3: ("третье", "третий", "третья", "третьим", "третьем", "третьей"),
    },
    "bg": {1: ("първо", "първи", "първа"), 2: ("второ", "втори", "втора"), 3: ("трето", "трети", "трета")},
}
_EN_SMALL = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def english_words(n: int) -> list[str]:
    """How English text writes a whole number from 1 to 999 in words: "twenty-six", "one hundred fifty", "two dozen"."""
    if not 1 <= n <= 999:
        return []
    if n < 100:
        forms = [_EN_SMALL[n] if n < 20 else _EN_TENS[n // 10] + ("" if n % 10 == 0 else "-" + _EN_SMALL[n % 10])]
    else:
        head = f"{_EN_SMALL[n // 100]} hundred"
        rest = english_words(n % 100)
        forms = [head] if n % 100 == 0 else [f"{head} {r}" for r in rest] + [f"{head} and {r}" for r in rest]
    forms += [f.replace("-", " ") for f in forms if "-" in f]
    if n % 12 == 0 and 1 <= n // 12 <= 10:  # "two dozen", "three dozen"
        forms.append(f"{_EN_SMALL[n // 12]} dozen" if n > 12 else "a dozen")
    return forms


LANGUAGES = tuple(NUMBER_STYLES)


def base_language(language: str) -> str:
    """``uk-UA`` → ``uk``: number writing follows the language, not the region."""
    return language.split("-", 1)[0].lower()


def figure_forms(value: float, unit: str, language: str = "en") -> list[str]:
    """Return the ways a text in ``language`` may write ``value`` in ``unit``.

    English: "16,894", "16894", "49%", "first"; Ukrainian and Russian: "3 388" (space or
    no-break space), "18 тисяч" / "18 тысяч"; German: "18.000", "3 388", "18 Tausend".
    An unknown language raises ``ValueError``: an excerpt the rule cannot read is not
    silently passed.
    """
    style = NUMBER_STYLES.get(base_language(language))
    if style is None:
        msg = f"language {language!r}: expected one of {', '.join(LANGUAGES)}"
        raise ValueError(msg)
    import pandas as pd

    if value is None or pd.isna(value):
        return []
    plain = f"{int(value)}" if float(value).is_integer() else f"{value}"
    grouped = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    numbers = [plain] + [grouped.replace(",", sep) for sep in style["separators"]]
    if base_language(language) == "en":
        numbers = [grouped, plain, grouped.replace(",", "\xa0"), grouped.replace(",", " ")]
    if float(value).is_integer() and int(value) % 1000 == 0 and int(value) >= 1000:
        k = int(value) // 1000
        numbers += [f"{k}{sp}{word}" for word in style["thousands"] for sp in _SPACES]
    if value >= 1_000_000 and float(value / 100_000).is_integer():  # "1.2 million", "1,2 млн"
        m = f"{value / 1_000_000:g}".replace(".", style["decimal"][0])
        numbers += [f"{m} {word}" for word in style["millions"]]
    if base_language(language) == "en" and float(value).is_integer() and unit != "rank":
        numbers += english_words(int(value))  # "Twenty-six", "forty", "two dozen"
    numbers = list(dict.fromkeys(numbers))
    if unit == "percent":
        digits = [n for n in numbers if n[-1].isdigit()]
        return [f"{n}{sep}%" for n in digits for sep in ("", " ", "\xa0")] + [
            f"{plain} {word}" for word in style["percent"]
        ]
    if unit == "rank":
        v = int(value)
        if base_language(language) != "en":  # "1-й", "2-ге": the numeral; or a word ("перше місце")
            return [f"{v}-", *ORDINAL_WORDS.get(base_language(language), {}).get(v, ())]
        forms = [f"{v}{'th' if 10 <= v % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(v % 10, 'th')}"]
        if 1 <= v <= len(ORDINALS):
            forms.append(ORDINALS[v - 1])
        return forms
    return numbers


#: How a text joins the two ends of a stated range ("2-3", "1,000–5,000", "from 1,000 to 5,000").
RANGE_JOINS = ("-", "–", "—", " - ", " – ", " — ", " to ", " bis ", " до ", " і ", " и ")


# The words that bound a figure, by language, and the qualifier each means (README: "Reading a
# qualifier"). Longer phrases first, so "більш ніж" is tried before "більш".
QUALIFIER_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "more than": "more_than", "over": "more_than", "at least": "at_least", "nearly": "nearly",
        "almost": "nearly", "about": "approximately", "approximately": "approximately",
        "around": "approximately", "roughly": "approximately", "some": "approximately",
        "fewer than": "fewer_than", "less than": "fewer_than", "at most": "at_most", "up to": "at_most",
    },
    "uk": {
        "більш ніж": "more_than", "більше ніж": "more_than", "понад": "more_than", "більше": "more_than",
        "щонайменше": "at_least", "принаймні": "at_least", "майже": "nearly", "близько": "approximately",
        "приблизно": "approximately", "приблизно в": "approximately", "менш ніж": "fewer_than",
        "менше ніж": "fewer_than", "до": "at_most", "не більше ніж": "at_most",
    },
    "ru": {
        "более": "more_than", "больше": "more_than", "свыше": "more_than", "не менее": "at_least",
        "как минимум": "at_least", "почти": "nearly", "около": "approximately", "примерно": "approximately",
        "менее": "fewer_than", "меньше": "fewer_than", "до": "at_most", "не более": "at_most",
    },
    "de": {
        "mehr als": "more_than", "über": "more_than", "mindestens": "at_least", "fast": "nearly",
        "knapp": "nearly", "etwa": "approximately", "rund": "approximately", "ungefähr": "approximately",
        "weniger als": "fewer_than", "höchstens": "at_most", "bis zu": "at_most",
    },
    "bg": {
        "повече от": "more_than", "над": "more_than", "най-малко": "at_least", "поне": "at_least",
        "почти": "nearly", "близо": "nearly", "около": "approximately",
        "приблизително": "approximately", "по-малко от": "fewer_than", "под": "fewer_than", "най-много": "at_most",
        "до": "at_most",
    },
}  # fmt: skip


#: Currency signs a text may write between a qualifier and its number ("до $18 000", "up to US$9,309").
CURRENCY_SIGNS = ("US$", "$", "€", "£")


def qualifier_phrase(before: str, language: str) -> tuple[str, str]:
    """The qualifier the words ending ``before`` (the text right before a figure) mean, and those words.

    ``("exact", "")`` where no word of the table ends it; a currency sign between the
    words and the number ("до $18 000") is passed over.
    """
    words = QUALIFIER_WORDS.get(base_language(language), {})
    tail = before.rstrip()  # the words as the text writes them ("At\xa0least"), matched with plain spaces
    for sign in CURRENCY_SIGNS:
        if tail.endswith(sign):
            tail = tail[: -len(sign)].rstrip()
            break
    low = tail.replace("\xa0", " ").lower()
    for phrase in sorted(words, key=len, reverse=True):
        if low.endswith(phrase) and (len(low) == len(phrase) or not low[-len(phrase) - 1].isalpha()):
            return words[phrase], tail[-len(phrase) :]
    return "exact", ""


def words_before(before: str, language: str) -> str:
    """The qualifier that the words ending ``before`` (the text right before a figure) mean; ``exact`` for none."""
    return qualifier_phrase(before, language)[0]
