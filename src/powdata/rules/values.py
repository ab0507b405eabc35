"""Value and date rules: units' ranges, date order, publication and future dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from powdata._dtypes import reduced_date_bounds
from powdata._package import shown
from powdata.report import ERROR, Problem
from powdata.rules._common import (
    Frames,
    csv_rows,
    fmt_date,
    map_ids,
    published_by_source,
    units_of,
)


def rule_unit_range(frames: Frames) -> list[Problem]:
    """Percent within [0, 100]; counts and ranks whole numbers; ranks at least 1."""
    obs = frames["observations"]
    unit = units_of(frames)
    v = obs["value"].astype("float64")
    out = []
    checks = [
        ((unit == "percent") & (v > 100), "a percent above 100"),
        (unit.isin(["persons", "countries", "rank"]) & (v % 1 != 0), "a count or rank that is not a whole number"),
        ((unit == "rank") & (v < 1), "a rank below 1"),
    ]
    for condition, what in checks:
        mask = condition.fillna(False).to_numpy(dtype=bool)
        for i, row in zip(mask.nonzero()[0], csv_rows(obs, mask), strict=True):
            oid = obs["observation_id"].iloc[i]
            msg = f"observation {oid}: value {v.iloc[i]:g} is {what} (unit {unit.iloc[i]})"
            out.append(Problem("unit-range", ERROR, msg, "observations", row, "value", (str(oid),)))
    return out


def rule_dates(frames: Frames, today: dt.date | None = None) -> list[Problem]:
    """period_start ≤ period_end ≤ as_of; as_of not after publication; no date in the future."""
    today_ts = pd.Timestamp(today or dt.date.today())
    out: list[Problem] = []
    published = published_by_source(frames)
    for name in ("observations", "mentions"):
        df = frames[name]
        idcol = "observation_id" if name == "observations" else "mention_id"
        start, end = reduced_date_bounds(df["as_of"])
        ids = df[idcol]
        m = (df["as_of"].notna() & start.isna()).fillna(False).to_numpy(dtype=bool)
        for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):  # 2025-06-31 matches the pattern
            msg = f"{name[:-1]} {ids.iloc[i]}: as_of {shown(df['as_of'].iloc[i])} is not a calendar date"
            out.append(Problem("type", ERROR, msg, name, row, "as_of"))
        if "period_start" in df.columns:
            ps, pe = df["period_start"], df["period_end"]
            for mask, col, msg in [
                (ps > pe, "period_end", "period_end {pe} is before period_start {ps}"),
                (pe > end, "as_of", "period_end {pe} is after as_of {asof}"),
                (ps > end, "as_of", "period_start {ps} is after as_of {asof}"),
            ]:
                m = mask.fillna(False).to_numpy()
                for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
                    text = msg.format(pe=fmt_date(pe.iloc[i]), ps=fmt_date(ps.iloc[i]), asof=df["as_of"].iloc[i])
                    out.append(Problem("date-order", ERROR, f"{name[:-1]} {ids.iloc[i]}: {text}", name, row, col))
        pub = map_ids(df["source_id"], published, dtype="datetime64")
        m = (start > pub).fillna(False).to_numpy()
        for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
            sid = df["source_id"].iloc[i]
            msg = (
                f"{name[:-1]} {ids.iloc[i]}: as_of {df['as_of'].iloc[i]} is after {fmt_date(pub.iloc[i])}, "
                f"when source {sid} (or the publication it was read through) was published"
            )
            out.append(Problem("as-of-after-published", ERROR, msg, name, row, "as_of", (str(ids.iloc[i]), str(sid))))
        cols = [("as_of", start)] + [(c, df[c]) for c in ("period_start", "period_end") if c in df.columns]
        for col, values in cols:
            m = (values > today_ts).fillna(False).to_numpy()
            for i, row in zip(m.nonzero()[0], csv_rows(df, m), strict=True):
                msg = (
                    f"{name[:-1]} {ids.iloc[i]}: {col} {df[col].iloc[i]} is in the future (today is {today_ts.date()})"
                )
                out.append(Problem("future-date", ERROR, msg, name, row, col))
    src = frames["sources"]
    m = (src["published"] > today_ts).fillna(False).to_numpy()
    for i, row in zip(m.nonzero()[0], csv_rows(src, m), strict=True):
        msg = f"source {src['source_id'].iloc[i]}: published {fmt_date(src['published'].iloc[i])} is in the future"
        out.append(Problem("future-date", ERROR, msg, "sources", row, "published"))
    return out
