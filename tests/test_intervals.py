"""The one interval table: what the words of each qualifier allow, and nothing they exclude (property tests)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powdata.errors import ArgumentError
from powdata.intervals import APPROX_TOLERANCE, BOUNDS, QUALIFIERS, add_bounds, interval

T = float(APPROX_TOLERANCE)
values = st.floats(0, 1e9, allow_nan=False, allow_infinity=False)
points = st.floats(-1e10, 1e10, allow_nan=False, allow_infinity=False)


def words_allow(q: str, v: float, x: float, w: float | None = None) -> bool | None:
    """What the words say of x, written out here independently of the table: True, False, or None (tolerance)."""
    if x < 0:
        return False  # a count or share is never negative
    if q == "exact":
        return x == v
    if q == "more_than":
        return x > v
    if q == "at_least":
        return x >= v
    if q == "fewer_than":
        return x < v
    if q == "at_most":  # "up to", "до"
        return x <= v
    if q == "range":  # "1,000–5,000"
        assert w is not None
        return v <= x <= w
    if q == "nearly":  # "nearly", "almost", "майже", "почти", "knapp": close below, never above
        return False if x > v else (True if x == v else None)
    if q == "approximately":  # "about v" or "about v–w": the stated numbers themselves are allowed
        top = v if w is None else w
        return True if v <= x <= top else None
    raise AssertionError(q)


class TestWordsAndIntervals:
    @given(st.sampled_from([q for q in QUALIFIERS if not BOUNDS[q].needs_max]), values, points)
    def test_single_value_qualifiers(self, q: str, v: float, x: float) -> None:
        """For every qualifier and value, the interval holds what the words allow and nothing they exclude."""
        said = words_allow(q, v, x)
        if said is not None:
            assert (x in interval(v, q)) == said, (q, v, x)

    @given(st.sampled_from(["range", "approximately"]), values, st.floats(1e-6, 1e9), points)
    def test_stated_ranges(self, q: str, v: float, width: float, x: float) -> None:
        """A stated range, and 'about v–w', hold both ends and everything between; a range nothing outside."""
        w = v + width
        if w <= v:  # too close to add at this magnitude
            return
        said = words_allow(q, v, x, w)
        if said is not None:
            assert (x in interval(v, q, w)) == said, (q, v, w, x)
        assert v in interval(v, q, w) and w in interval(v, q, w)

    @given(values)
    def test_nearly_is_never_above(self, v: float) -> None:
        """'Nearly v' reaches v and the tolerance below it, and never a value above v."""
        iv = interval(v, "nearly")
        assert iv.upper == v and not iv.upper_open
        assert math.isclose(iv.lower, v * (1 - T))
        assert math.nextafter(v, math.inf) not in iv

    def test_the_cases_of_the_issue(self) -> None:
        """Nearly 200 is [180, 200]; nearly 7 tops at 7, not 7.7; 1,000–5,000 is [1000, 5000]; about 2-3 holds 2..3."""
        assert tuple(interval(200, "nearly"))[:2] == (180, 200)
        assert interval(7, "nearly").upper == 7 and 7.7 not in interval(7, "nearly")
        assert tuple(interval(1000, "range", 5000))[:2] == (1000, 5000) and 5001 not in interval(1000, "range", 5000)
        about = interval(2, "approximately", 3)
        assert 2 in about and 2.5 in about and 3 in about and 4 not in about
        assert 0 in interval(5000, "at_most") and 5001 not in interval(5000, "at_most")

    @given(st.sampled_from(QUALIFIERS), values, st.one_of(st.none(), st.floats(1e-3, 1e6)))
    def test_scalar_and_vectorised_forms_agree(self, q: str, v: float, width: float | None) -> None:
        """interval() and add_bounds() give the same bounds for every qualifier, with or without value_max."""
        b = BOUNDS[q]
        w = None if width is None or not b.takes_max else v + width
        if (b.needs_max and w is None) or (w is not None and w <= v):
            return
        iv = interval(v, q, w)
        df = add_bounds(pd.DataFrame({"value": [v], "qualifier": [q], "value_max": pd.array([w], dtype="Float64")}))
        row = df.iloc[0]
        assert (row.lower, row.upper, bool(row.lower_open), bool(row.upper_open)) == tuple(iv)


class TestRefusals:
    def test_a_range_without_its_upper_end(self) -> None:
        """'range' without value_max is refused with the reason."""
        with pytest.raises(ArgumentError, match="needs value_max"):
            interval(1000, "range")

    def test_an_upper_end_the_words_do_not_give(self) -> None:
        """value_max on a qualifier that takes none is refused, naming those that do."""
        with pytest.raises(ArgumentError, match="takes no value_max"):
            interval(1000, "at_least", 5000)

    def test_a_backwards_range(self) -> None:
        """A value_max not above the value is refused."""
        with pytest.raises(ArgumentError, match="expected more than value"):
            interval(5000, "range", 1000)
