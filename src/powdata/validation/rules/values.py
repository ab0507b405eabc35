"""Value and date rules: units' ranges, date order, publication and future dates."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from powdata._package import shown
from powdata._vintages import reduced_date_bounds
from powdata.validation.report import ERROR, Problem
from powdata.validation.rules._common import Context, csv_rows, fmt_date, map_ids, rule

_DATED = (("observations", "observation_id"), ("mentions", "mention_id"))


@rule("unit-range", needs=("observations", "indicators"))
def rule_unit_range(ctx: Context) -> Iterator[Problem]:
    """Percent within [0, 100]; counts whole and not negative; ranks whole and at least 1.

    Held by the rule whatever the Table Schema's constraints say, so a schema
    that drops its minimum does not let a percent of -5 through.
    """
    obs = ctx["observations"]
    unit = ctx.units
    v = obs["value"].astype("float64")
    checks = [
        ((unit == "percent") & ((v > 100) | (v < 0)), "a percent outside [0, 100]"),
        (unit.isin(["persons", "countries"]) & (v < 0), "a negative count"),
        (unit.isin(["persons", "countries", "rank"]) & (v % 1 != 0), "a count or rank that is not a whole number"),
        ((unit == "rank") & (v < 1), "a rank below 1"),
    ]
    present = v.notna()  # a value the typer could not read is reported there, once
    for condition, what in checks:
        mask = (condition & present).fillna(False).to_numpy(dtype=bool)
        for i, row in zip(mask.nonzero()[0], csv_rows(obs, mask), strict=True):
            oid = obs["observation_id"].iloc[i]
            msg = f"observation {oid}: value {v.iloc[i]:g} is {what} (unit {unit.iloc[i]})"
            yield Problem("unit-range", ERROR, msg, "observations", row, "value", (str(oid),))


@rule("as-of-calendar-date", needs=("observations", "mentions"))
def rule_as_of_calendar_date(ctx: Context) -> Iterator[Problem]:
    """An as_of that matches its pattern is a calendar date (2025-06-31 matches but is none)."""
    for name, idcol in _DATED:
        df = ctx[name]
        start, _ = reduced_date_bounds(df["as_of"])
        m = (df["as_of"].notna() & start.isna()).fillna(False).to_numpy(dtype=bool)
        for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
            msg = f"{name[:-1]} {df[idcol].iloc[i]}: as_of {shown(df['as_of'].iloc[i])} is not a calendar date"
            yield Problem("as-of-calendar-date", ERROR, msg, name, row, "as_of")


@rule("date-order", needs=("observations",))
def rule_date_order(ctx: Context) -> Iterator[Problem]:
    """period_start ≤ period_end ≤ as_of (the last day a reduced-precision as_of allows)."""
    df = ctx["observations"]
    _, end = reduced_date_bounds(df["as_of"])
    ids, ps, pe = df["observation_id"], df["period_start"], df["period_end"]
    for mask, col, msg in [
        (ps > pe, "period_end", "period_end {pe} is before period_start {ps}"),
        (pe > end, "as_of", "period_end {pe} is after as_of {asof}"),
        (ps > end, "as_of", "period_start {ps} is after as_of {asof}"),
    ]:
        m = mask.fillna(False).to_numpy()
        for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
            text = msg.format(pe=fmt_date(pe.iloc[i]), ps=fmt_date(ps.iloc[i]), asof=df["as_of"].iloc[i])
            yield Problem("date-order", ERROR, f"observation {ids.iloc[i]}: {text}", "observations", row, col)


@rule("as-of-after-published", needs=("observations", "mentions", "sources"))
def rule_as_of_after_published(ctx: Context) -> Iterator[Problem]:
    """as_of not after the source's publication (or that of the text it was read in)."""
    for name, idcol in _DATED:
        df = ctx[name]
        start, _ = reduced_date_bounds(df["as_of"])
        ids = df[idcol]
        pub = map_ids(df["source_id"], ctx.published, dtype="datetime64")
        m = (start > pub).fillna(False).to_numpy()
        for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
            sid = df["source_id"].iloc[i]
            msg = (
                f"{name[:-1]} {ids.iloc[i]}: as_of {df['as_of'].iloc[i]} is after {fmt_date(pub.iloc[i])}, "
                f"when source {sid} (or the publication it was read through) was published"
            )
            yield Problem("as-of-after-published", ERROR, msg, name, row, "as_of", (str(ids.iloc[i]), str(sid)))


@rule("future-date", needs=("observations", "mentions", "sources"))
def rule_future_date(ctx: Context) -> Iterator[Problem]:
    """No date after today: as_of, the periods, and a source's publication."""
    today = pd.Timestamp(ctx.today)
    for name, idcol in _DATED:
        df = ctx[name]
        start, _ = reduced_date_bounds(df["as_of"])
        ids = df[idcol]
        cols = [("as_of", start)] + [(c, df[c]) for c in ("period_start", "period_end") if c in df.columns]
        for col, values in cols:
            m = (values > today).fillna(False).to_numpy()
            for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
                msg = f"{name[:-1]} {ids.iloc[i]}: {col} {df[col].iloc[i]} is in the future (today is {today.date()})"
                yield Problem("future-date", ERROR, msg, name, row, col)
    src = ctx["sources"]
    m = (src["published"] > today).fillna(False).to_numpy()
    for i, row in zip(m.nonzero()[0], csv_rows(src, m), strict=True):
        msg = f"source {src['source_id'].iloc[i]}: published {fmt_date(src['published'].iloc[i])} is in the future"
        yield Problem("future-date", ERROR, msg, "sources", row, "published")
