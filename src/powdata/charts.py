"""Charts of the series the package holds, drawn with matplotlib (the ``plot`` extra).

Three charts, each from a view, so a chart never computes what the views do not:

- ``vintages``: each indicator's figures over time (by ``as_of``), one panel per
  indicator. A figure is drawn as the interval its qualifier allows: an exact
  figure is a dot; "more than 100" an open circle at 100 with an arrow upward
  (no upper end); "at least" a filled dot with the arrow; "approximately" a
  whisker over its tolerance. Undated figures cannot be placed in time and are
  counted in a note under the chart instead.
- ``foreign-share``: the foreign share of all prisoners in Ukraine, by period, as stated.
- ``listed-by-group``: the I Want to Live list by group, with the part no group
  accounts for drawn hatched and labelled as computed.

Each drawn mark has a ``gid`` naming its observation (``open:<id>`` for an
open-ended one), so a test reads back what was drawn rather than comparing pixels.
matplotlib is imported only here, and only when a chart is drawn.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata.errors import MissingExtraError, PowdataError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHARTS = ("vintages", "foreign-share", "listed-by-group")
FORMATS = ("svg", "png")
SHARE = "foreign-share-of-pows-by-period"
_OPEN_UP = ("more_than", "at_least")


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        msg = "charts need matplotlib; install it with: pip install 'powdata[plot]'"
        raise MissingExtraError(msg) from None
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, and testable
    matplotlib.rcParams["svg.hashsalt"] = "powdata"  # stable ids: a re-drawn chart is the same file
    return matplotlib


def _new_figure(width: float, height: float) -> Figure:
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def as_of_date(as_of: str) -> dt.date:
    """Place an ``as_of`` of any precision in time: the middle of its year or month, or the day itself."""
    parts = [int(p) for p in as_of.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 7, 1)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 15)
    return dt.date(parts[0], parts[1], parts[2])


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def draw_vintages(*, as_of: str | dt.date | None = None, path: str | Path | None = None) -> Figure:
    """Each indicator's figures for all areas over time, each drawn as the interval it states."""
    _matplotlib()  # first: a missing extra is named before any matplotlib submodule is imported
    import pandas as pd
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    from powdata.labelled import figures

    f = figures(as_of=as_of, path=path)
    f = f.loc[f["variant_of"].isna()]  # one point per statement: a variant words another row's statement
    f = f.loc[(f["area_id"] == "all") & (f["unit"].astype(str) != "rank") & (f["indicator_id"] != SHARE)]
    dated = f.loc[f["as_of"].notna()]
    undated = f.loc[f["as_of"].isna()]
    indicators = list(dict.fromkeys(dated["indicator_id"]))
    if not indicators:
        msg = "no dated figure to draw a vintage chart from (every figure lacks as_of)"
        raise PowdataError(msg)
    fig = _new_figure(8, 1.9 * len(indicators) + 0.8)
    axes = fig.subplots(len(indicators), 1, squeeze=False, sharex=True)[:, 0]
    all_dates = [as_of_date(str(a)) for a in dated["as_of"]]
    pad = dt.timedelta(days=60)
    for ax, ind in zip(axes, indicators, strict=True):
        rows = dated.loc[dated["indicator_id"] == ind]
        labelled: list[tuple[dt.date, str]] = []  # one label per value and season: vintages crowd together
        for row in rows.itertuples():
            x = as_of_date(str(row.as_of))
            q = str(row.qualifier)
            v = float(row.value)
            if q in _OPEN_UP:
                (mark,) = ax.plot([x], [v], "o", mfc="none" if q == "more_than" else "C0", mec="C0", ms=8)
                mark.set_gid(f"open:{row.observation_id}")
                arrow = ax.annotate(
                    "",
                    xy=(x, v * 1.35 + 1),
                    xytext=(x, v),
                    arrowprops={"arrowstyle": "-|>", "color": "C0", "lw": 1.5},
                    annotation_clip=False,
                )
                arrow.set_gid(f"arrow:{row.observation_id}")
                label = f"{'more than' if q == 'more_than' else 'at least'} {_fmt(v)}"
            else:
                lo, hi = float(row.lower), float(row.upper)
                (mark,) = ax.plot([x], [v], "o", color="C0", ms=7)
                mark.set_gid(f"point:{row.observation_id}")
                if hi > lo:  # approximately: a whisker over the tolerance
                    ax.vlines([x], lo, hi, color="C0", lw=1.5).set_gid(f"whisker:{row.observation_id}")
                words = {"approximately": "about ", "nearly": "nearly ", "at_most": "up to "}.get(q, "")
                upper_end = "" if pd.isna(row.value_max) else f"–{_fmt(float(row.value_max))}"
                label = f"{words}{_fmt(v)}{upper_end}"
            near = [text for when, text in labelled if abs((when - x).days) < 45]
            if label not in near:
                lift = 8 * len(near)  # a different figure close by: stack its label above
                ax.annotate(label, (x, v), xytext=(6, -4 + lift), textcoords="offset points", fontsize=9)
                labelled.append((x, label))
        top = max(float(v) * 1.5 + 1 for v in rows["value"])
        ax.set_ylim(0, top)
        first = rows.iloc[0]
        ax.set_title(f"{first['indicator']} ({first['unit']})", fontsize=10, loc="left")
        ax.set_ylabel(str(first["unit"]))
        ax.set_xlim(min(all_dates) - pad, max(all_dates) + pad)
        locator = AutoDateLocator(maxticks=6)  # type: ignore[no-untyped-call]  # matplotlib leaves it untyped
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]  # as above
        ax.grid(axis="y", alpha=0.3)
    note = "Open circle with arrow: 'more than' (no upper end); filled with arrow: 'at least'."
    if len(undated):
        note += f" Not drawn: {len(undated)} undated figure{'s' if len(undated) != 1 else ''} (no as_of)."
    fig.supxlabel(note, fontsize=8, gid="note")
    fig.suptitle("Figures by vintage (as_of)", fontsize=12)
    return fig


def draw_foreign_share(*, as_of: str | dt.date | None = None, path: str | Path | None = None) -> Figure:
    """The foreign share of all prisoners in Ukraine as stated for each period, one bar each, labelled."""
    import pandas as pd

    from powdata.views import foreign_share_by_year

    df = foreign_share_by_year(as_of=as_of, path=path)
    if df.empty:
        msg = f"no foreign-share figure to draw ({SHARE} has no rows)"
        raise PowdataError(msg)
    labels = []
    for start, end, as_of_text in zip(df["period_start"], df["period_end"], df["as_of"], strict=True):
        if isinstance(start, pd.Timestamp) and isinstance(end, pd.Timestamp) and not pd.isna(end):
            whole_year = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
            labels.append(str(start.year) if whole_year else start.strftime("%b %Y"))
        else:
            labels.append(str(as_of_text))
    fig = _new_figure(6.5, 3.8)
    ax = fig.subplots()
    values = [float(v) for v in df["value"]]
    bars = ax.bar(labels, values, color="C1")
    for bar, obs_id, v, q in zip(bars, df["observation_id"], values, df["qualifier"], strict=True):
        bar.set_gid(f"bar:{obs_id}")
        prefix = {"more_than": "> ", "at_least": "≥ ", "approximately": "~", "nearly": "nearly "}.get(str(q), "")
        ax.annotate(f"{prefix}{_fmt(v)}%", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom")
    ax.set_ylim(0, max(values) * 1.2)
    ax.set_ylabel("percent of all prisoners, as stated")
    ax.set_title("Foreign nationals (excluding Russians) as a share of all prisoners in Ukraine", fontsize=10)
    source = str(df["stated_by_publisher"].iloc[-1])
    fig.supxlabel(f"Source: {source}", fontsize=8, gid="note")
    return fig


def draw_listed_by_group(*, as_of: str | dt.date | None = None, path: str | Path | None = None) -> Figure:
    """The I Want to Live list by group, with the computed part no group accounts for, hatched."""
    from powdata.views import listed_fighters_by_group

    df = listed_fighters_by_group(as_of=as_of, path=path)
    if df.empty:
        msg = "no listed-fighters figure to draw (foreign-fighters-listed has no rows)"
        raise PowdataError(msg)
    total = df.loc[df["role"] == "total"].iloc[0]
    rest = df.loc[df["role"] != "total"]
    fig = _new_figure(7.5, 0.6 * len(rest) + 1.8)
    ax = fig.subplots()
    names = [str(n) for n in rest["area_name"]]
    values = [float(v) for v in rest["lower"]]
    bars = ax.barh(names, values, color=["C7" if c else "C2" for c in rest["computed"]])
    for bar, row, v in zip(bars, rest.itertuples(), values, strict=True):
        if row.computed:
            bar.set_hatch("//")
            bar.set_gid("computed:not-attributed")
            label = f"{_fmt(v)} (computed, never stated)"
        else:
            bar.set_gid(f"bar:{row.observation_id}")
            label = _fmt(v)
        ax.annotate(
            label, (v, bar.get_y() + bar.get_height() / 2), xytext=(4, 0), textcoords="offset points", va="center"
        )
    ax.invert_yaxis()
    ax.axvline(float(total["value"]), color="k", lw=1, ls="--", gid="total")
    ax.set_xlim(0, float(total["value"]) * 1.35)
    ax.set_xlabel("persons")
    fig.suptitle(f"Foreign fighters listed by I Want to Live: {_fmt(float(total['value']))} in all, by group")
    fig.supxlabel(f"Dashed line: the stated total. Source: {total['stated_by_publisher']}", fontsize=8, gid="note")
    return fig


_DRAW = {"vintages": draw_vintages, "foreign-share": draw_foreign_share, "listed-by-group": draw_listed_by_group}


def draw(chart: str, *, as_of: str | dt.date | None = None, path: str | Path | None = None) -> Figure:
    """Return the matplotlib Figure of ``chart`` (one of `CHARTS`)."""
    if chart not in _DRAW:
        msg = f"chart {chart!r}: expected one of {', '.join(CHARTS)}"
        raise PowdataError(msg)
    return _DRAW[chart](as_of=as_of, path=path)


def render(fig: Figure, fmt: str) -> bytes:
    """Return the bytes of ``fig`` as SVG or PNG, without a date or version stamp (so it re-draws the same)."""
    if fmt not in FORMATS:
        msg = f"format {fmt!r}: expected one of {', '.join(FORMATS)}"
        raise PowdataError(msg)
    buf = io.BytesIO()
    meta: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, dpi=120, metadata=meta)
    return buf.getvalue()


def plot(
    out_dir: str | Path,
    *,
    charts: tuple[str, ...] | list[str] = CHARTS,
    fmt: str = "svg",
    as_of: str | dt.date | None = None,
    path: str | Path | None = None,
) -> list[Path]:
    """Draw ``charts`` into ``out_dir`` as ``<chart>.<fmt>``, each written atomically; return the files.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in plot(tempfile.mkdtemp(), charts=["foreign-share"])]
    ['foreign-share.svg']
    """
    from powdata._atomic import write_bytes_atomic

    out = Path(out_dir)
    if not out.is_dir():
        msg = f"--to {out}: expected an existing folder; create it first"
        raise PowdataError(msg)
    if fmt not in FORMATS:
        msg = f"format {fmt!r}: expected one of {', '.join(FORMATS)}"
        raise PowdataError(msg)
    unknown = [c for c in charts if c not in CHARTS]
    if unknown:  # checked before anything is drawn, so a typo writes nothing
        msg = f"chart {unknown[0]!r}: expected one of {', '.join(CHARTS)}"
        raise PowdataError(msg)
    written = []
    for chart in charts:
        data = render(draw(chart, as_of=as_of, path=path), fmt)
        target = out / f"{chart}.{fmt}"
        write_bytes_atomic(target, data)
        written.append(target)
    return written


__all__ = ["CHARTS", "draw", "plot", "render"]
