"""Turn a figure and its qualifier into the interval of values it allows.

"More than 100" is not 100: it is the open interval (100, ∞). Every rule and
view that compares figures works on these intervals, so an error is raised only
for a certain contradiction.

| qualifier       | interval                                   |
|-----------------|--------------------------------------------|
| ``exact``       | [v, v]                                     |
| ``more_than``   | (v, ∞)                                     |
| ``at_least``    | [v, ∞)                                     |
| ``fewer_than``  | [0, v)                                     |
| ``at_most``     | [0, v]                                     |
| ``approximately`` | [v·(1 − t), v·(1 + t)] with t = `APPROX_TOLERANCE` |

The tolerance for "approximately" is a convention, not a fact of the source, so
a contradiction that depends on it is only ever a warning.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import pandas as pd

APPROX_TOLERANCE = 0.10
QUALIFIERS = ("exact", "approximately", "more_than", "at_least", "fewer_than", "at_most")


class Interval(NamedTuple):
    """The values a figure allows: ``lower``..``upper``, each end open or closed."""

    lower: float
    upper: float
    lower_open: bool = False
    upper_open: bool = False

    def certainly_above(self, other: Interval) -> bool:
        """True when every value of ``self`` exceeds every value of ``other``."""
        if self.lower > other.upper:
            return True
        return self.lower == other.upper and (self.lower_open or other.upper_open)

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


def interval(value: float, qualifier: str) -> Interval:
    """Return the interval a value and its qualifier allow.

    Examples
    --------
    >>> interval(100, "more_than")
    Interval(lower=100, upper=inf, lower_open=True, upper_open=False)
    >>> interval(678, "at_least").lower
    678

    A negative, infinite or missing value is refused: ``fewer_than`` −5 would
    be the empty, backwards interval [0, −5).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        msg = f"value {value!r}: expected a finite number ≥ 0 (a count, share or rank)"
        raise ValueError(msg)
    if qualifier == "exact":
        return Interval(value, value)
    if qualifier == "more_than":
        return Interval(value, math.inf, lower_open=True)
    if qualifier == "at_least":
        return Interval(value, math.inf)
    if qualifier == "fewer_than":
        return Interval(0, value, upper_open=True)
    if qualifier == "at_most":
        return Interval(0, value)
    if qualifier == "approximately":
        return Interval(value * (1 - APPROX_TOLERANCE), value * (1 + APPROX_TOLERANCE))
    msg = f"qualifier {qualifier!r}: expected one of {', '.join(QUALIFIERS)}"
    raise ValueError(msg)


def add_bounds(df: pd.DataFrame, value: str = "value", qualifier: str = "qualifier") -> pd.DataFrame:
    """Return ``df`` with columns ``lower``, ``upper``, ``lower_open``, ``upper_open`` (vectorised).

    Each qualifier is a row of coefficients applied to the value, so a million
    rows cost a few array operations; an unknown qualifier gives NaN bounds.
    """
    import numpy as np
    import pandas as pd

    codes = pd.Categorical(df[qualifier], categories=QUALIFIERS).codes
    # exact, approximately, more_than, at_least, fewer_than, at_most; the last slot is for code -1
    low = np.array([1.0, 1 - APPROX_TOLERANCE, 1.0, 1.0, 0.0, 0.0, np.nan])
    high = np.array([1.0, 1 + APPROX_TOLERANCE, np.inf, np.inf, 1.0, 1.0, np.nan])
    v = df[value].astype("float64").to_numpy()
    with np.errstate(invalid="ignore"):  # inf * 0 never happens: value is finite, coefficients are
        upper = np.where(np.isinf(high[codes]), np.inf, v * high[codes])
    out = df.copy()
    out["lower"] = v * low[codes]
    out["upper"] = upper
    out["lower_open"] = codes == QUALIFIERS.index("more_than")
    out["upper_open"] = codes == QUALIFIERS.index("fewer_than")
    return out
