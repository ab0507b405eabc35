"""Turn a figure and its qualifier into the interval of values it allows — one table, two forms.

"More than 100" is not 100: it is the open interval (100, ∞). Every rule and
view that compares figures works on these intervals, so an error is raised only
for a certain contradiction.

| qualifier         | words (README, "Reading a qualifier")      | interval                         |
|-------------------|--------------------------------------------|----------------------------------|
| ``exact``         | a bare number                              | [v, v]                           |
| ``approximately`` | "about", "around", "близько", "etwa"       | [v·(1 − t), v·(1 + t)]           |
|                   | "about 2–3" (with ``value_max`` w)         | [v·(1 − t), w·(1 + t)]           |
| ``nearly``        | "nearly", "almost", "майже", "почти", "knapp" | [v·(1 − t), v]: never above v |
| ``more_than``     | "more than", "over", "понад", "mehr als"   | (v, ∞)                           |
| ``at_least``      | "at least", "щонайменше", "mindestens"     | [v, ∞)                           |
| ``fewer_than``    | "fewer than", "менш ніж"                   | [0, v)                           |
| ``at_most``       | "up to", "at most", "до", "bis zu"         | [0, v]                           |
| ``range``         | "1,000–5,000" (``value`` v, ``value_max`` w) | [v, w]                         |

t is `APPROX_TOLERANCE` (10 %). Only ``approximately`` and ``range`` take an upper
end ``value_max``; ``range`` needs one.

The table is `BOUNDS`; `interval` (one figure) and `add_bounds` (a column,
vectorised) both read it and compute each bound the same way, ``v * n / d`` with
the coefficient as an exact fraction, so ``interval(100, "approximately").upper``
is exactly 110 and the two forms agree to the bit. `certainly_above` is the one
comparison of intervals, for scalars and arrays alike.

The tolerance for "approximately" and "nearly" is a convention, not a fact of the
source, so a contradiction that involves it is only ever a warning (see
``powdata.validation.rules._common.severity``).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from powdata.errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

APPROX_TOLERANCE = Fraction(1, 10)
_INF = None  # an unbounded upper end


class Bounds(NamedTuple):
    """One qualifier's interval as coefficients (``None``: unbounded above).

    The lower end is ``lower`` × value; the upper end is ``upper`` × value_max
    where the qualifier takes an upper end (``takes_max``) and one is given,
    else ``upper`` × value.
    """

    lower: Fraction
    upper: Fraction | None
    lower_open: bool
    upper_open: bool
    takes_max: bool = False
    needs_max: bool = False


BOUNDS: dict[str, Bounds] = {
    "exact": Bounds(Fraction(1), Fraction(1), False, False),
    "approximately": Bounds(1 - APPROX_TOLERANCE, 1 + APPROX_TOLERANCE, False, False, takes_max=True),
    "nearly": Bounds(1 - APPROX_TOLERANCE, Fraction(1), False, False),
    "more_than": Bounds(Fraction(1), _INF, True, False),
    "at_least": Bounds(Fraction(1), _INF, False, False),
    "fewer_than": Bounds(Fraction(0), Fraction(1), False, True),
    "at_most": Bounds(Fraction(0), Fraction(1), False, False),
    "range": Bounds(Fraction(1), Fraction(1), False, False, takes_max=True, needs_max=True),
}
QUALIFIERS = tuple(BOUNDS)
APPROXIMATE = ("approximately", "nearly")
"""The qualifiers whose bounds depend on the tolerance: a contradiction involving them is a warning."""

T = TypeVar("T")


def certainly_above(lower: T, lower_open: Any, upper: Any, upper_open: Any) -> T:
    """True where an interval starting at ``lower`` lies wholly above one ending at ``upper``.

    Works on scalars and on arrays or Series alike (element-wise): every value of
    the first exceeds every value of the second when ``lower > upper``, or when
    the two ends touch and either of them is open.
    """
    return (lower > upper) | ((lower == upper) & (lower_open | upper_open))


def is_approximate(qualifier: Any) -> Any:
    """True where a qualifier (a scalar or a column) depends on the tolerance: ``approximately`` or ``nearly``."""
    if isinstance(qualifier, str):
        return qualifier in APPROXIMATE
    return qualifier.astype(object).isin(APPROXIMATE).to_numpy(dtype=bool)


def _scale(value: float, c: Fraction | None) -> float:
    if c is None:
        return math.inf
    if c == 1:
        return value
    return value * c.numerator / c.denominator


class Interval(NamedTuple):
    """The values a figure allows: ``lower``..``upper``, each end open or closed."""

    lower: float
    upper: float
    lower_open: bool = False
    upper_open: bool = False

    def __contains__(self, x: object) -> bool:  # a value, not a tuple member
        if not isinstance(x, (int, float)) or isinstance(x, bool) or math.isnan(x):
            return False
        above = x > self.lower or (x == self.lower and not self.lower_open)
        below = x < self.upper or (x == self.upper and not self.upper_open)
        return above and below

    def certainly_above(self, other: Interval) -> bool:
        """True when every value of ``self`` exceeds every value of ``other``."""
        return bool(certainly_above(self.lower, self.lower_open, other.upper, other.upper_open))

    def certainly_below(self, other: Interval) -> bool:
        """True when every value of ``self`` is below every value of ``other``."""
        return other.certainly_above(self)

    def __add__(self, other: object) -> Interval:  # interval sum, not tuple concatenation
        if not isinstance(other, Interval):
            return NotImplemented
        return Interval(
            self.lower + other.lower,
            self.upper + other.upper,
            self.lower_open or other.lower_open,
            self.upper_open or other.upper_open,
        )


def _check_number(value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        msg = f"{what} {value!r}: expected a finite number ≥ 0 (a count, share or rank)"
        raise ArgumentError(msg)


def interval(value: float, qualifier: str, value_max: float | None = None) -> Interval:
    """Return the interval a value and its qualifier (and a stated upper end) allow.

    Examples
    --------
    >>> interval(100, "more_than")
    Interval(lower=100, upper=inf, lower_open=True, upper_open=False)
    >>> interval(678, "at_least").lower
    678
    >>> interval(100, "approximately").upper
    110.0
    >>> interval(200, "nearly")
    Interval(lower=180.0, upper=200, lower_open=False, upper_open=False)
    >>> interval(1000, "range", 5000)
    Interval(lower=1000, upper=5000, lower_open=False, upper_open=False)
    >>> 100 in interval(100, "more_than"), 100.5 in interval(100, "more_than")
    (False, True)

    A negative, infinite or missing value is refused: ``fewer_than`` −5 would
    be the empty, backwards interval [0, −5). So is an upper end where the
    qualifier takes none, or one below the value.
    """
    _check_number(value, "value")
    b = BOUNDS.get(qualifier)
    if b is None:
        msg = f"qualifier {qualifier!r}: expected one of {', '.join(QUALIFIERS)}"
        raise ArgumentError(msg)
    if value_max is None:
        if b.needs_max:
            msg = f"qualifier {qualifier!r} needs value_max, the upper end of the stated range"
            raise ArgumentError(msg)
        top = value
    else:
        _check_number(value_max, "value_max")
        if not b.takes_max:
            takers = ", ".join(q for q, x in BOUNDS.items() if x.takes_max)
            msg = f"qualifier {qualifier!r} takes no value_max (only {takers} do)"
            raise ArgumentError(msg)
        if value_max <= value:
            msg = f"value_max {value_max!r}: expected more than value {value!r} (a range runs upward)"
            raise ArgumentError(msg)
        top = value_max
    return Interval(_scale(value, b.lower), _scale(top, b.upper), b.lower_open, b.upper_open)


def add_bounds(
    df: pd.DataFrame, value: str = "value", qualifier: str = "qualifier", value_max: str = "value_max"
) -> pd.DataFrame:
    """Return ``df`` with columns ``lower``, ``upper``, ``lower_open``, ``upper_open`` (vectorised).

    Each qualifier is a row of `BOUNDS`, looked up by category code, so a million
    rows cost a few array operations; an unknown qualifier gives NaN bounds. The
    upper end is taken from ``value_max`` (when the frame has that column) where
    the qualifier takes one and it is given.
    """
    import numpy as np
    import pandas as pd

    codes = pd.Categorical(df[qualifier], categories=QUALIFIERS).codes
    rows = [*BOUNDS.values(), None]  # the last slot is for code -1 (unknown or missing)

    def column(pick: Any, fill: Any, dtype: str) -> Any:
        return np.array([fill if b is None else pick(b) for b in rows], dtype=dtype)[codes]

    v = df[value].astype("float64").to_numpy()
    top = v
    if value_max in df.columns:
        vmax = df[value_max].astype("float64").to_numpy()
        top = np.where(column(lambda b: b.takes_max, False, "bool") & ~np.isnan(vmax), vmax, v)
    out = df.copy()
    for end, base in (("lower", v), ("upper", top)):
        num = column(lambda b, e=end: 0 if getattr(b, e) is None else getattr(b, e).numerator, np.nan, "float64")
        den = column(lambda b, e=end: 1 if getattr(b, e) is None else getattr(b, e).denominator, np.nan, "float64")
        unbounded = column(lambda b, e=end: getattr(b, e) is None, False, "bool")
        with np.errstate(invalid="ignore"):
            out[end] = np.where(unbounded, np.inf, base * num / den)
    out["lower_open"] = column(lambda b: b.lower_open, False, "bool")
    out["upper_open"] = column(lambda b: b.upper_open, False, "bool")
    return out
