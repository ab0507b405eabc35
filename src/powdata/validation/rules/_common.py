"""The rule contract (one context in, problems of one id out; one registry) and the rules' shared helpers.

A rule is a function of one `Context` that yields `Problem`s of exactly one id;
``@rule("the-id")`` files it in `RULES` under that id. Adding a rule is one
function and one test: nothing else names it (the README's list is checked
against `RULES` by a test).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from powdata._schema import DATETIME_DTYPE, DATETIME_UNIT, csv_row, format_number
from powdata.validation.report import ERROR, WARNING, Problem

Frames = dict[str, pd.DataFrame]


@dataclass
class Context:
    """What every rule reads: the typed tables, the date taken as today, and values derived once per run."""

    frames: Frames
    today: dt.date = field(default_factory=dt.date.today)
    texts: dict[str, str] | None = None  # archived texts of a package older than 1.0.0; no rule reads them
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    @cached_property
    def units(self) -> pd.Series:
        """The unit of each observation, from its indicator."""
        ind = self.frames["indicators"]
        unit = dict(zip(ind["indicator_id"], ind["unit"].astype(object), strict=True))
        return map_ids(self.frames["observations"]["indicator_id"], unit)

    @cached_property
    def statements(self) -> pd.DataFrame:
        """The observations that are statements of their own: every row with no ``variant_of``."""
        obs = self.frames["observations"]
        return obs.loc[obs["variant_of"].isna().to_numpy()]

    @cached_property
    def quoted(self) -> pd.DataFrame:
        """Each quote with its observation's indicator, value, value_max, qualifier and unit, and its language."""
        from powdata._vintages import quote_languages

        quotes, obs = self.frames["quotes"], self.frames["observations"]
        cols = ["observation_id", "indicator_id", "value", "value_max", "qualifier"]
        first = obs[cols].drop_duplicates("observation_id")  # a duplicate id is the unique constraint's
        joined = quotes.merge(first, on="observation_id", how="left", sort=False).set_index(quotes.index)
        ind = self.frames["indicators"]
        unit = dict(zip(ind["indicator_id"], ind["unit"].astype(object), strict=True))
        joined["unit"] = map_ids(joined["indicator_id"], unit)
        joined["language"] = quote_languages(quotes, self.frames["sources"])
        return joined

    @cached_property
    def published(self) -> pd.Series:
        """Map source_id to the first known date along its via chain (an upper bound on its publication)."""
        from powdata._vintages import publication_dates

        return pd.Series(publication_dates(self.frames["sources"]), dtype="object")

    def as_of_bounds(self, name: str) -> tuple[pd.Series, pd.Series]:
        """The first and last day each row's ``as_of`` allows in table ``name``, parsed once per run.

        Five rules read the observations' bounds and two the mentions'; each parse
        of a column costs a few milliseconds of pandas calls however short it is.
        """
        from powdata._vintages import reduced_date_bounds

        return self.memo(f"as_of_bounds:{name}", lambda: reduced_date_bounds(self.frames[name]["as_of"]))

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute a value shared by several rules once per run (for example the parts joined to their wholes)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


RuleFunction = Callable[[Context], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its id, the resources it reads, and the function."""

    id: str
    needs: tuple[str, ...]
    check: RuleFunction

    @property
    def summary(self) -> str:
        """The first line of the rule's docstring."""
        return (self.check.__doc__ or "").strip().splitlines()[0]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, *, needs: tuple[str, ...] = ("observations",)) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule under ``rule_id``; it runs when the resources it ``needs`` are present."""

    def register(check: RuleFunction) -> RuleFunction:
        if rule_id in RULES:
            msg = f"rule id {rule_id!r} is registered twice"
            raise ValueError(msg)
        RULES[rule_id] = Rule(rule_id, needs, check)
        return check

    return register


VALUE_KEY = ["indicator_id", "area_id", "period_start", "period_end", "as_of", "stated_by"]


def severity(*approximate: Any) -> Any:
    """The severity a contradiction has: a warning where any figure involved is ``approximately``, else an error.

    The tolerance given to "approximately" is a convention, not a fact of the
    source, so a contradiction that involves it is never certain. Takes scalars
    (returns a string) or boolean arrays (returns an array of strings).
    """
    flags = [np.asarray(a, dtype=bool) for a in approximate]
    anywhere = np.logical_or.reduce(flags) if flags else np.asarray(False)
    out = np.where(anywhere, WARNING, ERROR)
    return str(out) if out.ndim == 0 else out


def per_distinct(keys: pd.DataFrame, judge: Callable[..., Any]) -> np.ndarray:
    """Call ``judge(*row)`` once per distinct row of ``keys`` and spread the answers back to every row.

    A million observations hold few distinct (excerpt, value, unit, language)
    combinations; per-row Python would cost seconds. Each column is factorised
    on its own (fast on arrow-backed text) and the codes are combined pairwise,
    so no row is ever turned into Python objects but the distinct ones.
    """
    codes = np.zeros(len(keys), dtype=np.int64)
    for col in keys.columns:
        c, uniques = pd.factorize(keys[col], use_na_sentinel=False)
        codes, _ = pd.factorize(codes * max(len(uniques), 1) + c)
    _, first = np.unique(codes, return_index=True)  # codes count up in order of first appearance
    answers = np.empty(len(first), dtype=object)
    answers[:] = [judge(*row) for row in keys.iloc[first].itertuples(index=False, name=None)]
    return answers[codes]


def csv_rows(df: pd.DataFrame, mask: Any) -> list[int]:
    """Return the CSV line numbers (header = 1) of the rows selected by ``mask``."""
    return [csv_row(i) for i in df.index[np.asarray(mask, dtype=bool)]]


def map_ids(values: pd.Series, mapping: dict[Any, Any] | pd.Series, dtype: str | None = None) -> pd.Series:
    """Map a column of ids through ``mapping``, looking up each distinct id once.

    A million rows usually hold a few distinct ids, and converting every
    arrow-backed string to a Python object costs more than the lookup.
    """
    codes, uniques = pd.factorize(values)
    if (
        dtype == "datetime64"
        and isinstance(mapping, pd.Series)
        and pd.api.types.is_datetime64_dtype(mapping.dtype)
        and mapping.index.is_unique
    ):  # dates looked up as dates: a million distinct ids cost no Python object each
        looked_up = mapping.reindex(pd.Index(uniques, dtype=object)).astype(DATETIME_DTYPE).array
        return pd.Series(pd.api.extensions.take(looked_up, codes, allow_fill=True), index=values.index)
    if isinstance(mapping, pd.Series):  # a dict: pandas cannot map through an empty datetime Series
        mapping = dict(zip(mapping.index, mapping.to_numpy(dtype=object), strict=True))
    looked = pd.Series(uniques, dtype=object).map(mapping)
    if dtype == "datetime64":  # at the one datetime unit of powdata._schema
        nat = np.datetime64("NaT", DATETIME_UNIT)
        days = [nat if pd.isna(x) else np.datetime64(pd.Timestamp(x).date(), DATETIME_UNIT) for x in looked]
        source: Any = pd.array(np.array(days, dtype=DATETIME_DTYPE))
    else:
        source = looked.to_numpy(dtype=object)
    taken = pd.api.extensions.take(source, codes, allow_fill=True)
    return pd.Series(taken, index=values.index)


def list_ids(ids: tuple[str, ...] | list[str], limit: int = 10) -> str:
    """List ids for a message, at most ``limit`` of them."""
    shown = ", ".join(map(str, ids[:limit]))
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def fmt_number(x: float) -> str:
    return format_number(x, grouped=True)


def fmt_date(x: Any) -> str:
    return "?" if pd.isna(x) else str(pd.Timestamp(x).date())
