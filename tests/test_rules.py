"""Property tests of the consistency rules on generated packages (composite strategies).

pandera's ``.strategy()`` cannot satisfy cross-row rules, so a composite
strategy builds whole consistent packages: wholes with parts that fit, unique
ranks, as many countries stated as named, cumulative vintages that grow, and
excerpts that write each figure. Every such package passes; each single mutation
fails with the rule it breaks.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from powdata._language import figure_forms
from powdata.intervals import BOUNDS, Interval, add_bounds, interval
from powdata.validation.report import ERROR
from powdata.validation.rules import run_rules

QUALS = ["exact", "more_than", "at_least", "fewer_than", "at_most"]
COUNTRIES = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
SOURCE = "src"
PUBLICATION = "pub"


def _frames(obs: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> dict[str, pd.DataFrame]:
    ind = pd.DataFrame(
        {
            "indicator_id": ["listed", "killed", "share", "rank", "countries"],
            "unit": pd.Categorical(["persons", "persons", "percent", "rank", "countries"]),
            "cumulative": pd.array([True, True, False, False, False], dtype="boolean"),
            "about_indicator_id": pd.array([None, None, None, "listed", "listed"], dtype="string"),
        }
    )
    areas = pd.DataFrame(
        {
            "area_id": ["all", *COUNTRIES, "grp"],
            "name": ["All", *[f"Land {c}" for c in COUNTRIES], "Group"],
            "kind": pd.Categorical(["all"] + ["country"] * len(COUNTRIES) + ["group"]),
        }
    )
    members = pd.DataFrame({"area_id": ["grp", "grp"], "member_id": ["EEE", "FFF"]})
    sources = pd.DataFrame(
        {
            "source_id": [SOURCE, PUBLICATION],
            "published": pd.to_datetime(["2026-06-30", "2026-06-30"]),
            "language": pd.array([None, "en"], dtype="string"),
            "via_source_id": pd.array([None, None], dtype="string"),
        }
    )
    o = pd.DataFrame(obs)
    quotes = pd.DataFrame(
        {
            "quote_id": [f"q-{i}" for i in o["observation_id"]],
            "observation_id": o["observation_id"].astype("string"),
            "source_id": PUBLICATION,
            "excerpt": o.pop("excerpt").astype("string"),
        }
    )
    for col in ("period_start", "period_end"):
        o[col] = pd.to_datetime(o.get(col, pd.Series([None] * len(o))))
    o["as_of"] = o["as_of"].astype("string")
    o["as_of_basis"] = pd.Categorical(["statement"] * len(o), categories=["text", "statement", "publication"])
    for col in ("part_of", "variant_of"):
        o[col] = o.get(col, pd.Series([None] * len(o))).astype("string")
    o["value"] = o["value"].astype("Float64")
    o["value_max"] = o.get("value_max", pd.Series([None] * len(o))).astype("Float64")
    o["qualifier"] = pd.Categorical(o["qualifier"], categories=list(BOUNDS))
    cols = ["mention_id", "indicator_id", "area_id", "as_of", "stated_by", "quoted_in", "excerpt"]
    m = pd.DataFrame(mentions, columns=cols)
    m["as_of"] = m["as_of"].astype("string")
    return {
        "observations": o,
        "quotes": quotes,
        "indicators": ind,
        "areas": areas,
        "area_members": members,
        "mentions": m,
        "sources": sources,
    }


# how an English text bounds a figure (the inverse of the qualifier-matches-words table)
WORDS = {"exact": "", "more_than": "more than ", "at_least": "at least ", "fewer_than": "fewer than "}
WORDS |= {"at_most": "at most ", "approximately": "about "}


def _obs(oid: str, ind: str, area: str, value: float, qual: str, as_of: str, unit: str, **kw: Any) -> dict[str, Any]:
    excerpt = f"text says {WORDS[qual]}{figure_forms(value, unit)[-1 if unit == 'rank' else 0]} here"
    return {
        "observation_id": oid,
        "indicator_id": ind,
        "area_id": area,
        "value": value,
        "qualifier": qual,
        "as_of": as_of,
        "stated_by": SOURCE,
        "excerpt": excerpt,
        **kw,
    }


@st.composite
def packages(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """A small package that satisfies every cross rule."""
    parts = draw(st.lists(st.integers(0, 5_000), min_size=0, max_size=3))
    slack = draw(st.integers(0, 5_000))
    whole = sum(parts) + slack
    obs = [_obs("w-1", "listed", "all", whole, "exact", "2025-07", "persons")]
    part_areas = ["AAA", "BBB", "grp"]
    for i, v in enumerate(parts):
        qual = draw(st.sampled_from(["exact", "at_most", "fewer_than"]))
        obs.append(
            _obs(
                f"p-{i}", "listed", part_areas[i], v + (qual == "fewer_than"), qual, "2025-07", "persons", part_of="w-1"
            )
        )
    killed = draw(st.integers(0, whole))
    obs.append(
        _obs(
            "k-1",
            "killed",
            "all",
            killed,
            draw(st.sampled_from(["exact", "at_least"])),
            "2025-07",
            "persons",
            part_of="w-1",
        )
    )
    # later vintage of the cumulative whole: never smaller
    later = whole + draw(st.integers(0, 1_000))
    obs.append(
        _obs(
            "w-2",
            "listed",
            "all",
            later,
            draw(st.sampled_from(["exact", "at_least", "more_than"])),
            "2025-08",
            "persons",
        )
    )
    n_ranked = draw(st.integers(0, 3))
    for r in range(1, n_ranked + 1):
        obs.append(_obs(f"r-{r}", "rank", COUNTRIES[r - 1], r, "exact", "2025-07", "rank"))
    mentioned = draw(st.lists(st.sampled_from(COUNTRIES[3:5]), unique=True, max_size=2))
    mentions = [
        {
            "mention_id": f"m-{a}",
            "indicator_id": "listed",
            "area_id": a,
            "as_of": "2025-07",
            "stated_by": SOURCE,
            "quoted_in": PUBLICATION,
            "excerpt": f"names Land {a}",
        }
        for a in mentioned
    ]
    named = {*COUNTRIES[:n_ranked], *mentioned, *(["EEE", "FFF"] if len(parts) >= 3 else [])}
    if len(parts) >= 2:
        named.add("BBB")
    if len(parts) >= 1:
        named.add("AAA")
    stated = len(named) + draw(st.integers(0, 100))
    obs.append(
        _obs("c-1", "countries", "all", stated, draw(st.sampled_from(["exact", "at_least"])), "2025-07", "countries")
    )
    share = draw(st.integers(0, 100))
    obs.append(
        _obs(
            "s-1",
            "share",
            "all",
            share,
            "exact",
            "2025-07",
            "percent",
            period_start="2025-07-01",
            period_end="2025-07-31",
        )
    )
    return _frames(obs, mentions)


def errors(frames: dict[str, pd.DataFrame]) -> set[str]:
    return {p.rule for p in run_rules(frames) if p.severity == ERROR}


def csv_rows(frames: dict[str, pd.DataFrame], oid: str) -> Any:
    obs = frames["observations"]
    return obs.index[obs["observation_id"] == oid][0]


def _set(frames: dict[str, pd.DataFrame], oid: str, **values: Any) -> dict[str, pd.DataFrame]:
    obs = frames["observations"].copy()
    i = csv_rows(frames, oid)
    for k, v in values.items():
        obs.loc[i, k] = v
    out = {**frames, "observations": obs}
    if "value" in values:
        unit = {"listed": "persons", "killed": "persons", "share": "percent", "rank": "rank", "countries": "countries"}
        excerpt = f"says {figure_forms(float(values['value']), unit[obs.loc[i, 'indicator_id']])[0]}"
        out = _quote(out, oid, excerpt)
    return out


def _quote(frames: dict[str, pd.DataFrame], oid: str, excerpt: str) -> dict[str, pd.DataFrame]:
    """Replace the excerpt of observation ``oid``'s quote."""
    quotes = frames["quotes"].copy()
    quotes.loc[quotes["observation_id"] == oid, "excerpt"] = excerpt
    return {**frames, "quotes": quotes}


class TestConsistentPackages:
    @given(packages())
    def test_consistent_packages_pass(self, frames: dict[str, pd.DataFrame]) -> None:
        """Every generated consistent package passes every cross rule."""
        assert errors(frames) == set()


class TestSingleMutations:
    @given(packages(), st.integers(1, 10_000))
    def test_part_larger_than_whole(self, frames: dict[str, pd.DataFrame], extra: int) -> None:
        """A subset made larger than its whole fails subset-within-whole."""
        whole = frames["observations"].loc[csv_rows(frames, "w-1"), "value"]
        mutated = _set(frames, "k-1", value=float(whole) + extra, qualifier="exact")
        assert "subset-within-whole" in errors(mutated)

    @given(packages())
    def test_qualifier_widening_past_the_whole(self, frames: dict[str, pd.DataFrame]) -> None:
        """'more than' the whole's exact value contradicts it; 'at least' the same value does not."""
        whole = float(frames["observations"].loc[csv_rows(frames, "w-1"), "value"])
        assert "subset-within-whole" in errors(_set(frames, "k-1", value=whole, qualifier="more_than"))
        assert "subset-within-whole" not in errors(_set(frames, "k-1", value=whole, qualifier="at_least"))

    @given(packages(), st.integers(1, 1_000), st.sampled_from(["exact", "at_most", "fewer_than"]))
    def test_cumulative_shrinks(self, frames: dict[str, pd.DataFrame], drop: int, qual: str) -> None:
        """A later vintage certainly below the earlier one fails cumulative-never-shrinks."""
        whole = float(frames["observations"].loc[csv_rows(frames, "w-1"), "value"])
        assume(whole >= drop)
        assert "cumulative-never-shrinks" in errors(_set(frames, "w-2", value=whole - drop, qualifier=qual))

    @given(packages())
    def test_cumulative_may_stay_level(self, frames: dict[str, pd.DataFrame]) -> None:
        """A later vintage 'at most' the earlier exact value is not a certain shrink."""
        whole = float(frames["observations"].loc[csv_rows(frames, "w-1"), "value"])
        assert "cumulative-never-shrinks" not in errors(_set(frames, "w-2", value=whole, qualifier="at_most"))

    @given(packages(), st.integers(101, 10_000))
    def test_percent_past_100(self, frames: dict[str, pd.DataFrame], v: int) -> None:
        """A share above 100% fails unit-range."""
        assert "unit-range" in errors(_set(frames, "s-1", value=float(v)))

    @given(packages())
    def test_duplicate_key(self, frames: dict[str, pd.DataFrame]) -> None:
        """A second value for the same indicator, area, period, as_of and source fails one-value-per-key."""
        obs = frames["observations"]
        dup = obs.loc[[csv_rows(frames, "s-1")]].assign(observation_id="s-2")
        assert "one-value-per-key" in errors({**frames, "observations": pd.concat([obs, dup], ignore_index=True)})

    @given(packages())
    def test_broken_reference(self, frames: dict[str, pd.DataFrame]) -> None:
        """A part_of that names no observation fails foreign-key when the schema declares it (Pandera owns it)."""
        from powdata.validation.tableschema import check_frame, schema_model

        schema = {
            "fields": [{"name": "observation_id"}, {"name": "part_of"}],
            "foreignKeys": [
                {"fields": ["part_of"], "reference": {"resource": "observations", "fields": ["observation_id"]}}
            ],
        }
        mutated = _set(frames, "k-1", part_of="nowhere")
        obs = mutated["observations"][["observation_id", "part_of"]].astype("string")
        model = schema_model(schema, "observations", {"observations": obs})
        assert "foreign-key" in {p.rule for p in check_frame(model, obs, "observations")}

    @given(packages())
    def test_fewer_countries_stated_than_named(self, frames: dict[str, pd.DataFrame]) -> None:
        """Stating fewer countries than are named fails named-within-stated (when any are named)."""
        mutated = _set(frames, "c-1", value=0.0, qualifier="exact")
        named = len(frames["mentions"]) + (frames["observations"]["indicator_id"] == "rank").sum()
        if named:
            assert "named-within-stated" in errors(mutated)


class TestMoreMutations:
    @given(packages(), st.integers(1, 5_000))
    def test_subtotals_over_the_whole(self, frames: dict[str, pd.DataFrame], extra: int) -> None:
        """Raising one subtotal so the parts certainly exceed the whole fails parts-within-whole."""
        obs = add_bounds(frames["observations"])
        parts = obs.loc[obs["part_of"].eq("w-1").fillna(False) & obs["indicator_id"].eq("listed")]
        assume(len(parts) > 0)
        whole = float(obs.loc[csv_rows(frames, "w-1"), "value"])
        others = float(parts["lower"].iloc[1:].sum())  # "at most" parts may be 0: only lower bounds are certain
        mutated = _set(frames, str(parts["observation_id"].iloc[0]), value=whole - others + extra, qualifier="exact")
        assert "parts-within-whole" in errors(mutated)

    @given(packages())
    def test_shared_rank(self, frames: dict[str, pd.DataFrame]) -> None:
        """Giving the second-ranked area rank 1 fails ranks-unique."""
        assume("r-2" in set(frames["observations"]["observation_id"]))
        assert "ranks-unique" in errors(_set(frames, "r-2", value=1.0))

    @given(packages(), st.integers(1, 3_000))
    def test_period_end_before_start(self, frames: dict[str, pd.DataFrame], days: int) -> None:
        """A period that ends before it starts fails date-order."""
        end = pd.Timestamp("2025-07-01") - pd.Timedelta(days=days)
        assert "date-order" in errors(_set(frames, "s-1", period_end=end))

    @given(packages(), st.integers(1, 10_000))
    def test_excerpt_with_another_figure(self, frames: dict[str, pd.DataFrame], delta: int) -> None:
        """An excerpt that writes another number than the value fails excerpt-carries-figure."""
        value = float(frames["observations"].loc[csv_rows(frames, "w-1"), "value"])
        assert "excerpt-carries-figure" in errors(_quote(frames, "w-1", f"lists {value + delta:,.0f} people"))

    @given(packages())
    def test_whole_made_part_of_its_part(self, frames: dict[str, pd.DataFrame]) -> None:
        """A whole that is made part of its own part closes a loop: part-of-cycle."""
        assert "part-of-cycle" in errors(_set(frames, "w-1", part_of="k-1"))


class TestFigureForms:
    @given(st.integers(0, 10**9))
    def test_counts_are_found_as_written(self, v: int) -> None:
        """Any count written with thousands commas is found; the next integer is not."""
        from powdata.validation.rules import figure_pattern

        text = f"the report lists {v:,} people"
        assert figure_pattern(float(v), "persons").search(text)
        assert not figure_pattern(float(v + 1), "persons").search(text)

    @given(st.integers(0, 100))
    def test_percent_needs_its_sign_and_exact_digits(self, v: int) -> None:
        """'49%' matches 49 percent but neither 4 nor 149 percent."""
        from powdata.validation.rules import figure_pattern

        assert figure_pattern(float(v), "percent").search(f"up to {v}% of all")
        assert not figure_pattern(float(v), "percent").search(f"up to 1{v}% of all")

    def test_a_text_longer_than_the_scan_is_searched_by_the_pattern(self) -> None:
        """Past `_SCAN_MAX` characters the compiled pattern searches (linear), with the same answer."""
        from powdata.validation.rules.excerpts import _SCAN_MAX, figure_pattern

        text = "1,0 " * (_SCAN_MAX // 4) + "in all 16,894 people"
        assert len(text) > _SCAN_MAX
        found = figure_pattern(16894.0, "persons").search(text)
        assert found is not None and found.span() == (len(text) - len("16,894 people"), len(text) - len(" people"))
        assert figure_pattern(1.0, "persons").search(text) is None  # "1,0" is the head of a longer number

    @given(st.text(alphabet="0123456789.,- \xa0\u202f\u2009x%", max_size=8))
    def test_the_space_written_as_branches_is_the_class(self, text: str) -> None:
        """The tails and unit words write a space as two branches; they accept what the one class accepted."""
        import re

        from powdata.validation.rules.excerpts import _DIGIT_TAIL, _SP

        one_class = "[ \xa0\u202f]"
        for new, old in [(_DIGIT_TAIL, r"(?!\d|[.,]\d|[ \xa0\u202f]\d{3}(?!\d))"), (f"{_SP}+x", f"{one_class}+x")]:
            assert (re.match(new, text, re.I) is None) == (re.match(old, text, re.I) is None)

    @given(
        st.integers(0, 20_000),
        st.sampled_from(["persons", "countries", "percent", "rank", "contracts"]),
        st.sampled_from(["en", "uk", "ru", "de", "bg"]),
        st.data(),
    )
    def test_the_split_search_finds_what_one_alternation_finds(
        self, v: int, unit: str, lang: str, data: st.DataObject
    ) -> None:
        """The figure's forms and the unit words searched apart give the match one compiled alternation gives.

        Texts start with a form, a form in capitals, title case or with letters that case-fold into
        ASCII, or a unit word: the grouped forms (`_grouped`) and the string lookups (`_scan`) are
        held to the alternation of every form with its own tail.
        """
        import re

        from powdata.validation.rules.excerpts import _alternatives, _another_unit, figure_pattern

        words = [
            "",
            " ",
            "\xa0",
            "%",
            " per cent",
            " тисяч",
            " thousand",
            " countries",
            " країн",
            " people",
            " осіб",
            " foreign nationals",
            " іноземних громадян",
            ",000",
            ".5",
            "0",
            " 000",
            "-",
            "x",
        ]
        forms = figure_forms(float(v), unit, lang) or [str(v)]
        cased = [f.upper() for f in forms] + [f.title() for f in forms]
        # letters IGNORECASE folds into ASCII ones (dotless ı, long ſ, dotted İ, the Kelvin sign): the string
        # lookups must give way to the compiled pattern for these
        folded = [f.replace("i", "ı").replace("s", "ſ") for f in forms] + [f.replace("i", "İ") for f in forms]
        cased += folded + [f.upper().replace("K", "\u212a") for f in forms]
        pieces = data.draw(st.lists(st.sampled_from([*forms, *cased, *words]), min_size=1, max_size=6))
        text = data.draw(st.sampled_from([*forms, *cased, *words])) + "".join(pieces)
        refuse = _another_unit(unit)
        tail = "" if refuse is None else f"(?!{refuse.pattern})"
        one = re.compile(r"(?<![\d.,])(?:" + "|".join(_alternatives(float(v), unit, lang)) + ")" + tail, re.I)
        want, got = one.search(text), figure_pattern(float(v), unit, lang).search(text)
        assert (want and want.span()) == (got and got.span())


class TestIntervals:
    @given(st.floats(0, 1e9, allow_nan=False), st.sampled_from([*QUALS, "approximately"]))
    def test_value_lies_in_its_closure(self, v: float, q: str) -> None:
        """The stated value always lies in the closure of its interval."""
        iv = interval(v, q)
        assert iv.lower <= v <= iv.upper

    @given(
        st.floats(0, 1e9, allow_nan=False),
        st.sampled_from(QUALS),
        st.floats(0, 1e9, allow_nan=False),
        st.sampled_from(QUALS),
    )
    def test_certainly_above_is_asymmetric(self, a: float, qa: str, b: float, qb: str) -> None:
        """Two intervals cannot each lie certainly above the other."""
        x, y = interval(a, qa), interval(b, qb)
        assert not (x.certainly_above(y) and y.certainly_above(x))

    def test_sum_of_intervals(self) -> None:
        """Adding intervals adds bounds and keeps open ends open."""
        s = interval(1, "more_than") + interval(2, "exact")
        assert s == Interval(3, math.inf, True, False)

    @given(st.floats(0, 1e12, allow_nan=False), st.sampled_from([*QUALS, "approximately"]))
    def test_scalar_and_vectorised_forms_agree(self, v: float, q: str) -> None:
        """interval() and add_bounds() read one table: the same bounds and open ends, to the bit."""
        row = add_bounds(pd.DataFrame({"value": [v], "qualifier": [q]})).iloc[0]
        iv = interval(v, q)
        assert (row["lower"], row["upper"], bool(row["lower_open"]), bool(row["upper_open"])) == tuple(iv)

    @given(
        st.floats(0, 1e9, allow_nan=False),
        st.sampled_from([*QUALS, "approximately"]),
        st.floats(0, 1e9, allow_nan=False),
        st.sampled_from([*QUALS, "approximately"]),
    )
    def test_certainly_above_scalar_and_vectorised_agree(self, a: float, qa: str, b: float, qb: str) -> None:
        """The one certainly_above answers the same for two intervals and for their columns."""
        from powdata.intervals import certainly_above

        x, y = interval(a, qa), interval(b, qb)
        bx = add_bounds(pd.DataFrame({"value": [a], "qualifier": [qa]}))
        by = add_bounds(pd.DataFrame({"value": [b], "qualifier": [qb]}))
        vec = certainly_above(bx["lower"], bx["lower_open"], by["upper"], by["upper_open"])
        assert bool(vec.iloc[0]) == x.certainly_above(y)
        # certainly above means no value of x is in y: check on x's lower end when it is in x
        if x.certainly_above(y) and x.lower in x:
            assert x.lower not in y

    def test_membership(self) -> None:
        """`in` follows the open and closed ends: 100 is not more than 100, 100.5 is."""
        assert 100 not in interval(100, "more_than")
        assert 100.5 in interval(100, "more_than")
        assert 100 in interval(100, "at_least") and 100 in interval(100, "exact")
        assert 100 not in interval(100, "fewer_than") and 99.5 in interval(100, "fewer_than")
        assert 0 in interval(100, "at_most") and -1 not in interval(100, "at_most")
        assert float("nan") not in interval(100, "at_least")

    def test_approximately_is_exact_to_the_bit(self) -> None:
        """interval(100, 'approximately') is [90, 110] exactly, not 110.00000000000001."""
        iv = interval(100, "approximately")
        assert iv.upper == 110 and iv.lower == 90
        assert 110 in iv and 110.0000001 not in iv

    def test_severity_of_approximately(self) -> None:
        """One helper: a warning where any figure involved is approximately, else an error."""
        import numpy as np

        from powdata.validation.report import WARNING
        from powdata.validation.rules._common import severity

        assert severity(False, False) == ERROR and severity(False, True) == WARNING
        assert list(severity(np.array([True, False]), np.array([False, False]))) == [WARNING, ERROR]


class TestRuleContract:
    def test_readme_lists_exactly_the_registered_rules(self) -> None:
        """The README's rule list and the registry hold the same ids."""
        import re

        from powdata.validation.rules import RULES

        readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
        section = readme.split("The rules (each with a stable id):", 1)[1].split("Rows are", 1)[0]
        listed = re.findall(r"`([a-z-]+)`", section.split("Each rule is one function", 1)[0])
        assert sorted(listed) == sorted(RULES)
        assert len(listed) == len(set(listed))

    def test_registry_is_keyed_by_the_id_each_rule_yields(self) -> None:
        """On the shipped package broken in many ways, every problem of a rule carries the rule's own id."""
        import powdata
        from powdata import ResourceName
        from powdata.validation.rules import RULES

        names: list[ResourceName] = ["observations", "quotes", "indicators", "areas", "area_members", "mentions"]
        frames: dict[str, pd.DataFrame] = {n: powdata.load(n) for n in names}
        frames["sources"] = powdata.load("sources").assign(published=pd.Timestamp("2999-01-01"))
        obs = frames["observations"].copy()
        obs["value"] = obs["value"] * 1000 + 0.5
        obs["period_start"] = pd.Timestamp("2999-01-01")
        frames["observations"] = obs
        from powdata.validation.rules import Context

        ctx = Context(frames)
        fired = set()
        for rid, r in RULES.items():
            ids = {p.rule for p in r.check(ctx)}
            assert ids <= {rid}, (rid, ids)
            fired |= ids
        # the broken copy does trip rules, so the check above is not vacuous
        assert {"future-date", "unit-range", "date-order", "excerpt-carries-figure"} <= fired

    def test_a_rule_yielding_another_id_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """run_rules refuses a rule that yields a problem of another id (the contract is enforced)."""
        from powdata.validation.report import Problem
        from powdata.validation.rules import RULES, Rule, run_rules

        bad = Rule("bad-rule", (), lambda ctx: [Problem("other-id", ERROR, "x")])
        monkeypatch.setitem(RULES, "bad-rule", bad)
        with pytest.raises(AssertionError, match="bad-rule"):
            run_rules({})


class TestNumbersInLanguages:
    @given(st.integers(1_000, 10_000_000), st.sampled_from(["uk", "ru", "de"]), st.sampled_from([" ", "\xa0"]))
    def test_space_grouped_numbers_are_read(self, v: int, lang: str, space: str) -> None:
        """'3 388' (space or no-break space) carries 3388 in Ukrainian, Russian and German, but not 3389."""
        from powdata.validation.rules import figure_pattern

        text = f"щонайменше {v:,} осіб".replace(",", space)
        assert figure_pattern(float(v), "persons", lang).search(text)
        assert not figure_pattern(float(v + 1), "persons", lang).search(text)

    @given(st.integers(1, 999), st.sampled_from([("uk", "тисяч"), ("ru", "тысяч"), ("de", "Tausend")]))
    def test_thousands_words_are_read(self, k: int, lang_word: tuple[str, str]) -> None:
        """'18 тисяч', '18 тысяч' and '18 Tausend' carry 18000, and not 180000 or 1800."""
        from powdata.validation.rules import figure_pattern

        lang, word = lang_word
        text = f"понад {k} {word} іноземців"
        assert figure_pattern(float(k * 1000), "persons", lang).search(text)
        assert not figure_pattern(float(k * 10_000), "persons", lang).search(text)
        assert not figure_pattern(float(k * 100 + 1), "persons", lang).search(text)

    @given(st.integers(1, 999))
    def test_english_is_not_looser(self, k: int) -> None:
        """English keeps exactly its 0.1.0 forms: '18 тисяч' or '18 thousand' do not carry 18000."""
        from powdata.validation.rules import figure_pattern

        for text in (f"{k} тисяч", f"{k} thousand", f"{k} Tausend"):
            assert not figure_pattern(float(k * 1000), "persons", "en").search(text)
        assert figure_forms(float(k * 1000), "persons", "en") == figure_forms(float(k * 1000), "persons")

    def test_german_dot_grouping_and_not_english_comma(self) -> None:
        """German writes 18.000; Ukrainian does not write 3,388 (the comma is its decimal mark)."""
        from powdata.validation.rules import figure_pattern

        assert figure_pattern(18000.0, "persons", "de").search("mehr als 18.000 Söldner")
        assert not figure_pattern(3388.0, "persons", "uk").search("щонайменше 3,388")

    def test_unknown_language_is_an_error_not_a_skip(self) -> None:
        """An excerpt whose language the rule cannot read fails excerpt-carries-figure."""
        import pytest

        with pytest.raises(ValueError, match="language 'fr'"):
            figure_forms(100.0, "persons", "fr")


class TestQualifierWords:
    @given(
        st.integers(1, 100_000),
        st.sampled_from(
            [
                ("en", "more than", "more_than"),
                ("en", "at least", "at_least"),
                ("en", "nearly", "nearly"),
                ("en", "about", "approximately"),
                ("en", "up to", "at_most"),
                ("uk", "майже", "nearly"),
                ("uk", "до", "at_most"),
                ("ru", "почти", "nearly"),
                ("de", "knapp", "nearly"),
                ("uk", "понад", "more_than"),
                ("uk", "більш ніж", "more_than"),
                ("uk", "щонайменше", "at_least"),
                ("ru", "более", "more_than"),
                ("de", "mehr als", "more_than"),
                ("de", "mindestens", "at_least"),
            ]
        ),
    )
    def test_the_word_before_the_figure_decides(self, v: int, case: tuple[str, str, str]) -> None:
        """'понад 18 тисяч' is more_than; a plain figure after it in the same excerpt is exact."""
        from powdata.validation.rules.excerpts import qualifier_of_words

        lang, word, qualifier = case
        text = f"{word} {figure_forms(float(v), 'persons', lang)[0]} із 37 країн"
        assert qualifier_of_words(text, float(v), "persons", lang) == qualifier
        if v != 37:
            assert qualifier_of_words(text, 37.0, "countries", lang) == "exact"

    @given(packages(), st.sampled_from(["more_than", "at_least", "approximately"]))
    def test_a_qualifier_its_words_do_not_say_fails(self, frames: dict[str, pd.DataFrame], qual: str) -> None:
        """An exact figure given a qualifier its excerpt does not state breaks qualifier-matches-words."""
        obs = frames["observations"].copy()
        i = obs.index[obs["qualifier"] == "exact"][0]
        obs.loc[i, "qualifier"] = qual
        assert "qualifier-matches-words" in errors({**frames, "observations": obs})


class TestStatements:
    @given(packages())
    def test_a_statement_stored_twice_fails(self, frames: dict[str, pd.DataFrame]) -> None:
        """A twin of an observation (same stater, figure, indicator, area, period, date) fails statement-stored-once."""
        obs = frames["observations"]
        twin = obs.loc[obs["observation_id"] == "w-2"].assign(observation_id="w-2-again")
        quotes = frames["quotes"]
        q = quotes.loc[quotes["observation_id"] == "w-2"].assign(quote_id="q-again", observation_id="w-2-again")
        mutated = {**frames, "observations": pd.concat([obs, twin], ignore_index=True)}
        mutated["quotes"] = pd.concat([quotes, q], ignore_index=True)
        problems = [p for p in run_rules(mutated) if p.rule == "statement-stored-once" and p.severity == ERROR]
        assert problems and "w-2-again" in problems[0].ids

    @given(packages())
    def test_one_publication_quoted_twice_for_one_statement_fails(self, frames: dict[str, pd.DataFrame]) -> None:
        """Two quotes of one observation from one publication fail statement-stored-once, naming the quotes row."""
        quotes = frames["quotes"]
        extra = quotes.iloc[[0]].assign(quote_id="q-extra")
        problems = [
            p
            for p in run_rules({**frames, "quotes": pd.concat([quotes, extra], ignore_index=True)})
            if p.rule == "statement-stored-once" and p.resource == "quotes"
        ]
        assert [(p.severity, p.row, p.ids) for p in problems] == [(ERROR, len(quotes) + 2, ("q-w-1", "q-extra"))]

    @given(packages())
    def test_a_variant_is_not_a_second_statement(self, frames: dict[str, pd.DataFrame]) -> None:
        """A publication's different wording (variant_of) of a statement passes and is not counted again."""
        obs = frames["observations"]
        base = obs.loc[obs["observation_id"] == "w-2"].iloc[0]
        variant = obs.loc[obs["observation_id"] == "w-2"].assign(
            observation_id="w-2-lead", variant_of="w-2", value=float(base["value"]) + 1, qualifier="exact"
        )
        variant["qualifier"] = pd.Categorical(["exact"], categories=list(BOUNDS))
        quotes = pd.concat(
            [
                frames["quotes"],
                pd.DataFrame(
                    {
                        "quote_id": ["q-lead"],
                        "observation_id": ["w-2-lead"],
                        "source_id": [PUBLICATION],
                        "excerpt": [f"lists {figure_forms(float(base['value']) + 1, 'persons')[0]} people"],
                    }
                ),
            ],
            ignore_index=True,
        )
        mutated = {**frames, "observations": pd.concat([obs, variant], ignore_index=True), "quotes": quotes}
        assert errors(mutated) == set()

    @given(packages())
    def test_a_variant_of_another_statement_fails(self, frames: dict[str, pd.DataFrame]) -> None:
        """A variant naming an observation of another indicator fails variant-of-statement."""
        assert "variant-of-statement" in errors(_set(frames, "w-2", variant_of="s-1"))

    @given(packages())
    def test_an_unquoted_observation_fails(self, frames: dict[str, pd.DataFrame]) -> None:
        """An observation with no row in quotes fails observation-quoted."""
        quotes = frames["quotes"]
        assert "observation-quoted" in errors({**frames, "quotes": quotes.loc[quotes["observation_id"] != "w-1"]})


class TestCumulativeAcrossPrecisions:
    """Issue 17 item 8: statements are compared whatever the precision of their dates."""

    def _three(self, middle_as_of: str) -> dict[str, pd.DataFrame]:
        obs = [
            _obs("a", "listed", "all", 18000, "more_than", "2025-11-19", "persons"),
            _obs("b", "listed", "all", 10000, "more_than", middle_as_of, "persons"),
            _obs("c", "listed", "all", 17000, "exact", "2026-01-05", "persons"),
        ]
        return _frames(obs, [])

    def test_a_month_vintage_between_does_not_hide_the_fall(self) -> None:
        """'>18,000', then a month-precision '>10,000', then 17,000 exact fails cumulative-never-shrinks on a and c."""
        problems = [p for p in run_rules(self._three("2025-12")) if p.rule == "cumulative-never-shrinks"]
        assert [(p.ids, p.severity, p.row) for p in problems] == [(("a", "c"), ERROR, 4)]

    def test_a_year_vintage_spanning_both_does_not_hide_the_fall(self) -> None:
        """A year-precision statement that covers both dates is not ordered, and the fall from a to c still fails."""
        problems = [p for p in run_rules(self._three("2025")) if p.rule == "cumulative-never-shrinks"]
        assert [p.ids for p in problems] == [("a", "c")]

    def test_two_figures_of_one_day_are_compared(self) -> None:
        """Two statements of one cumulative indicator on one day, one certainly below the other, fail."""
        obs = [
            _obs("a", "listed", "all", 18000, "more_than", "2025-11-19", "persons"),
            _obs("b", "listed", "all", 17000, "exact", "2025-11-19", "persons", stated_by="other"),
        ]
        frames = _frames(obs, [])
        frames["sources"] = pd.concat(
            [frames["sources"], frames["sources"].iloc[[0]].assign(source_id="other")], ignore_index=True
        )
        problems = [p for p in run_rules(frames) if p.rule == "cumulative-never-shrinks"]
        assert [p.ids for p in problems] == [("a", "b")]

    def test_growth_across_precisions_passes(self) -> None:
        """16,894 (day), more than 18,000 (month), 20,000 (year after) never shrink: no problem."""
        obs = [
            _obs("a", "listed", "all", 16894, "exact", "2025-08-14", "persons"),
            _obs("b", "listed", "all", 18000, "more_than", "2025-11", "persons"),
            _obs("c", "listed", "all", 20000, "exact", "2026", "persons"),
        ]
        assert [p for p in run_rules(_frames(obs, [])) if p.rule == "cumulative-never-shrinks"] == []


class TestValueMax:
    def test_a_range_needs_its_upper_end(self) -> None:
        """qualifier range without value_max fails value-max-matches-qualifier."""
        frames = _frames([_obs("r", "listed", "all", 1000, "exact", "2025-10", "persons")], [])
        frames["observations"]["qualifier"] = pd.Categorical(["range"], categories=list(BOUNDS))
        assert "value-max-matches-qualifier" in errors(frames)

    def test_an_upper_end_where_the_words_give_none_fails(self) -> None:
        """A value_max on an at_least figure fails value-max-matches-qualifier."""
        frames = _frames([_obs("r", "listed", "all", 1000, "at_least", "2025-10", "persons", value_max=5000)], [])
        assert "value-max-matches-qualifier" in errors(frames)

    def test_a_stated_range_passes_and_carries_both_ends(self) -> None:
        """'1,000–5,000' as range [1000, 5000] and 'about 2-3' as approximately pass every rule."""
        obs = [_obs("r", "listed", "all", 1000, "exact", "2025-10", "persons", value_max=5000)]
        obs += [_obs("w", "share", "all", 2, "exact", "2025-10", "percent", value_max=3)]
        frames = _frames(obs, [])
        frames["observations"]["qualifier"] = pd.Categorical(["range", "approximately"], categories=list(BOUNDS))
        frames = _quote(_quote(frames, "r", "up to 1,000–5,000 Cubans"), "w", "about 2-3% of them")
        # "up to" before a range is at_most, not range: the words decide
        assert {p.rule for p in run_rules(frames) if p.severity == ERROR} == {"qualifier-matches-words"}
        frames = _quote(frames, "r", "from 1,000–5,000 Cubans")
        assert errors(frames) == set()


class TestAsOfBasis:
    def _basis(self, as_of: str | None, basis: str | None) -> set[str | None]:
        frames = _frames([_obs("d", "listed", "all", 1000, "exact", "2025-10", "persons")], [])
        frames["observations"]["as_of"] = pd.array([as_of], dtype="string")
        frames["observations"]["as_of_basis"] = pd.Categorical([basis], categories=["text", "statement", "publication"])
        return {p.column for p in run_rules(frames) if p.rule == "as-of-basis" and p.severity == ERROR}

    def test_a_basis_without_a_date_is_refused(self) -> None:
        """An empty as_of with as_of_basis 'statement' fails as-of-basis on the basis column."""
        assert self._basis(None, "statement") == {"as_of_basis"}

    def test_a_date_without_a_basis_is_refused(self) -> None:
        """An as_of with an empty as_of_basis fails as-of-basis: where the date comes from must be said."""
        assert self._basis("2025-10", None) == {"as_of_basis"}

    def test_neither_or_both_pass(self) -> None:
        """No date and no basis, or a date with its basis, raise no as-of-basis problem."""
        assert self._basis(None, None) == set()
        assert self._basis("2025-10", "text") == set()


class TestMentionNamesArea:
    def _problems(self, written: str | None) -> list[str]:
        obs = [_obs("w", "listed", "all", 1000, "exact", "2025-10", "persons")]
        mention = {"mention_id": "m", "indicator_id": "listed", "area_id": "AAA", "as_of": "2025-10"}
        mention |= {"stated_by": SOURCE, "quoted_in": PUBLICATION, "excerpt": "новобранців з Країни А"}
        frames = _frames(obs, [mention])
        frames["mentions"]["name_in_text"] = pd.array([written], dtype="string")
        return [p.rule for p in run_rules(frames) if p.rule == "mention-names-area"]

    def test_the_name_as_the_text_writes_it_is_matched(self) -> None:
        """A mention whose name_in_text is in its excerpt passes mention-names-area."""
        assert self._problems("Країни А") == []

    def test_a_name_the_excerpt_does_not_write_fails(self) -> None:
        """A name_in_text absent from the excerpt, or no name_in_text and no English name, fails."""
        assert self._problems("Країни Б") == ["mention-names-area"]
        assert self._problems(None) == ["mention-names-area"]


def _bounds_by_pandas(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The reference: the same bounds by pandas' own parser of each of the three formats (the 1.1.0 code)."""
    from powdata._schema import DATETIME_DTYPE

    s = values.astype("string")
    n = s.str.len()
    day, month, year = s.where(n == 10), s.where(n == 7), s.where(n == 4)
    start = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    start = start.fillna(pd.to_datetime(month, format="%Y-%m", errors="coerce"))
    start = start.fillna(pd.to_datetime(year, format="%Y", errors="coerce"))
    end = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    end = end.fillna(pd.to_datetime(month, format="%Y-%m", errors="coerce") + pd.offsets.MonthEnd(0))
    end = end.fillna(pd.to_datetime(year, format="%Y", errors="coerce") + pd.offsets.YearEnd(0))
    return start.astype(DATETIME_DTYPE), end.astype(DATETIME_DTYPE)


class TestReducedDates:
    @given(
        st.lists(
            st.one_of(
                st.none(),
                st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(
                    lambda d: d.isoformat()[: 4 + 3 * (d.day % 3)]  # YYYY, YYYY-MM or YYYY-MM-DD
                ),
                st.text(alphabet="0123456789- x", min_size=3, max_size=11),
                st.sampled_from(["2025-02-30", "2025-13", "0000", "2024-02", "2025-00", "2025-1-1", "２０２５"]),
            ),
            max_size=12,
        )
    )
    def test_bounds_are_those_pandas_parses(self, values: list[str | None]) -> None:
        """The first and last day of each reduced-precision date, NaT for anything else, as pandas parses them."""
        import re

        from powdata._vintages import REDUCED_DATE, reduced_date_bounds

        # pandas 2 parses at nanoseconds, so years before 1678 or after 2261 are NaT there: the
        # reference holds for the years both pandas 2 and 3 parse (the others: the test below)
        values = [v for v in values if v is None or not v[:4].isdigit() or 1678 < int(v[:4]) < 2262]
        column = pd.Series(values, dtype="string")
        shaped = [v is not None and re.fullmatch(REDUCED_DATE, v) is not None for v in values]
        got, want = reduced_date_bounds(column), _bounds_by_pandas(column)
        for g, w in zip(got, want, strict=True):
            # of the date's shape: what pandas parses; any other value (the pattern's to report): NaT
            expected = [x if ok else pd.NaT for x, ok in zip(w.astype(object), shaped, strict=True)]
            assert g.astype(object).tolist() == expected, (values, g.tolist(), w.tolist())

    @pytest.mark.parametrize(
        ("as_of", "first", "last"),
        [
            ("0000", "0000-01-01", "0000-12-31"),
            ("0001-02", "0001-02-01", "0001-02-28"),
            ("1500-06-30", "1500-06-30", "1500-06-30"),
            ("2024-02", "2024-02-01", "2024-02-29"),
            ("9999-12", "9999-12-01", "9999-12-31"),
        ],
    )
    def test_bounds_of_any_year_the_pattern_allows(self, as_of: str, first: str, last: str) -> None:
        """Years outside pandas' nanosecond range (before 1678, after 2261) have their days too."""
        import numpy as np

        from powdata._vintages import reduced_date_bounds

        start, end = reduced_date_bounds(pd.Series([as_of], dtype="string"))
        assert start.to_numpy()[0] == np.datetime64(first) and end.to_numpy()[0] == np.datetime64(last)

    def test_the_shape_is_the_schemas_as_of_pattern(self) -> None:
        """The shape the bounds are read from is the as_of pattern of every schema that has an as_of."""
        import json

        from powdata._vintages import REDUCED_DATE
        from tests.conftest import ROOT

        patterns = {
            f["constraints"]["pattern"]
            for path in sorted((ROOT / "schemas").glob("*.json"))
            for f in json.loads(path.read_text(encoding="utf-8"))["fields"]
            if f["name"] == "as_of"
        }
        assert patterns == {REDUCED_DATE}
