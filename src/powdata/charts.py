"""Charts of the statements the package holds, drawn with matplotlib (the ``plot`` extra).

Every chart is drawn from `powdata.series` (one point per statement, however many
publications carry it) and the indicator list is read from the data, never written here:

- ``vintages``: each indicator that has two or more dated statements of a figure at a
  date (a stock or a running count), one panel each, the statements by ``as_of``;
- ``periods``: each indicator whose statements are for a period (a flow: a year, a
  month, "January to June"), one panel each; a figure is drawn across its period, so a
  year is a year wide and a month a month wide, and figures of different periods are
  never joined into one line;
- ``parts``: each stated whole that has stated parts (``part_of``), as bars, with the part no
  stated part accounts for computed, hatched and labelled as computed;
- any ``indicator_id``: that indicator alone (the site draws one per indicator page).

A figure is drawn as the interval its words allow: exact, a filled dot; "more than", an
open circle with an arrow up; "at least", a filled dot with an arrow up; "fewer than" and
"up to", the same with the arrow down; "nearly", a down-pointing triangle at the number
with a line below it (close to the number and below it, never above); "approximately", a
dot with a whisker; a stated range, a line between its ends. The legend explains every
mark drawn and only those. Every chart carries its source and "as of" lines, every panel
its own dated axis, and no two labels overlap (labels are placed against the measured
extents of the labels and marks already drawn). A figure that carries a reading powdata
recorded (``reading``: what no text states) is marked † and the chart says so.

Each drawn mark has a ``gid`` naming its statement (``point:<id>``, ``open:<id>``,
``nearly:<id>``, ``period:<id>``, ``bar:<id>``, ``label:<id>``), so a test reads back
what was drawn rather than comparing pixels. matplotlib is imported only here, only when
a chart is drawn.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from powdata._schema import figure_words, format_number
from powdata.errors import MissingExtraError, PowdataError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from powdata.package import Package

CHARTS = ("vintages", "periods", "parts")
FORMATS = ("svg", "png")
DPI = 120
WIDTH = 8.0  # inches: 960 px at DPI, the width of a README or a site's text column
_LEFT, _RIGHT = 0.85, 0.25  # inches of margin beside the panels
_PANEL, _GAP = 1.55, 0.95  # a panel's height, and the room for its title above and dates below
_BAR = 0.24  # inches per bar of a parts panel, so a whole with many parts gets a taller panel
PAGE = 4 * (_PANEL + _GAP)  # inches of panels in one image at most: a chart with more is split into pages
_BLUE, _GREY, _GREEN = "#1f5fa8", "#8a8a8a", "#2e7d4f"
_UP, _DOWN = ("more_than", "at_least"), ("fewer_than", "at_most")


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        msg = "charts need matplotlib; install it with: pip install 'powdata[plot]'"
        raise MissingExtraError(msg) from None
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, and testable
    matplotlib.rcParams["svg.hashsalt"] = "powdata"  # stable ids: a re-drawn chart is the same file
    matplotlib.rcParams["font.size"] = 9
    return matplotlib


def figure_label(row: Any, unit: str, *, dagger: bool = True) -> str:
    """The words of a statement as a chart or page prints them: qualifier, number, range end, unit sign.

    With ``dagger``, a statement that carries a recorded reading is marked ``†``.
    """
    reading = getattr(row, "reading", None)
    mark = " †" if dagger and isinstance(reading, str) and reading.strip() else ""
    return figure_words(row.value, getattr(row, "value_max", None), row.qualifier, unit) + mark


def _date(value: Any) -> dt.date:
    return dt.date(value.year, value.month, value.day)


# ---------------------------------------------------------------- data


def _opened(path: Any) -> Package:
    """The package ``path`` names, opened once at a public function so every panel reads each table once."""
    from powdata.package import open_package

    return open_package(path)


def _indicators(path: Package) -> pd.DataFrame:
    from powdata.loader import load

    return load("indicators", path=path)


def _series(indicator_id: str, area_id: str, as_of: Any, path: Any) -> pd.DataFrame:
    from powdata.views import series

    return series(indicator_id, area_id, as_of=as_of, path=path)


def _statements(as_of: Any, path: Any) -> pd.DataFrame:
    from powdata.views import statements

    return statements(as_of=as_of, path=path)


@dataclass
class _Panel:
    """One panel to draw: an indicator for one area, its statements, and how to draw them."""

    indicator_id: str
    area_id: str
    title: str
    unit: str
    kind: str  # "dates" (a figure at a date), "periods" (a figure for a period), "parts"
    rows: Any
    whole: Any = None  # for "parts": the whole's row
    grow: float = 1.0  # how many times its usual height: a panel too crowded to label is drawn again taller


def _has_periods(rows: pd.DataFrame) -> bool:
    return bool(rows["period_start"].notna().any())


def _panel(ind: Any, area_id: str, as_of: Any, path: Any, area_name: str = "") -> _Panel | None:
    rows = _series(str(ind.indicator_id), area_id, as_of, path)
    rows = rows.loc[rows["as_of_start"].notna()]
    if rows.empty:
        return None
    title = str(ind.name) + (f" — {area_name}" if area_id != "all" and area_name else "")
    kind = "periods" if _has_periods(rows) else "dates"
    return _Panel(str(ind.indicator_id), area_id, title, str(ind.unit), kind, rows.reset_index(drop=True))


def _area_names(path: Any) -> dict[str, str]:
    from powdata.loader import load

    areas = load("areas", path=path)
    return dict(zip(areas["area_id"].astype(str), areas["name"].astype(str), strict=True))


def panels(chart: str, *, as_of: Any = None, path: Any = None) -> list[_Panel]:
    """Return the panels of ``chart``, each from the data: which indicators a chart holds is never listed here."""
    path = _opened(path)
    inds = _indicators(path)
    inds = inds.loc[inds["unit"].astype(str) != "rank"]  # a rank is an order, not a quantity on an axis
    if chart in set(inds["indicator_id"]):
        ind = next(inds.loc[inds["indicator_id"] == chart].itertuples())
        st = _statements(as_of, path)
        st = st.loc[st["indicator_id"] == chart]
        names = _area_names(path)
        # an area whose every statement is a stated part is drawn in its whole's parts panel instead
        own = st.loc[st["part_of"].isna() | ~st["part_of"].isin(set(st["observation_id"]))]
        areas = sorted(dict.fromkeys(own["area_id"].astype(str)), key=lambda a: (a != "all", a))
        out = [p for a in areas if (p := _panel(ind, a, as_of, path, names.get(a, a))) is not None]
        return out + [p for p in _overview("parts", inds, as_of, path) if p.indicator_id == chart]
    base, page = _page_name(chart)
    if base in CHARTS:
        pages = _pages(_overview(base, inds, as_of, path))
        if page <= len(pages):
            return pages[page - 1]
    known = ", ".join(CHARTS)
    msg = f"chart {chart!r}: expected one of {known}, or an indicator_id (powdata.load('indicators'))"
    raise PowdataError(msg)


def _page_name(chart: str) -> tuple[str, int]:
    """``vintages-2`` is page 2 of ``vintages``; any other name is its own page 1."""
    base, _, number = chart.rpartition("-")
    if base in CHARTS and number.isdigit() and int(number) >= 2:
        return base, int(number)
    return chart, 1


def _pages(ps: list[_Panel]) -> list[list[_Panel]]:
    """Split a chart's panels, in order, into pages of at most `PAGE` inches of panels (one panel at least)."""
    pages: list[list[_Panel]] = []
    used = PAGE
    for p in ps:
        h = _panel_height(p) + _GAP
        if used + h > PAGE + 1e-9:
            pages.append([])
            used = 0.0
        pages[-1].append(p)
        used += h
    return pages


def _overview(chart: str, inds: pd.DataFrame, as_of: Any, path: Any) -> list[_Panel]:
    """Every panel of an overview chart, before it is split into pages."""
    if chart in ("vintages", "periods"):
        st = _statements(as_of, path)
        st = st.loc[st["as_of"].notna()]
        names = _area_names(path)
        out = []
        for ind in inds.itertuples():
            mine = st.loc[st["indicator_id"] == ind.indicator_id]
            if chart == "periods":
                areas = ["all"] if (mine["area_id"] == "all").any() else []
            else:  # a series: two or more statements of the indicator for one area, "all" first
                counts = mine["area_id"].astype(str).value_counts()
                areas = sorted((a for a, n in counts.items() if n >= 2), key=lambda a: (a != "all", a))
            for area in areas:
                p = _panel(ind, area, as_of, path, names.get(area, area))
                if p is None:
                    continue
                wanted = p.kind == "periods" if chart == "periods" else (p.kind == "dates" and len(p.rows) >= 2)
                if wanted:
                    out.append(p)
        return out
    st = _statements(as_of, path)  # "parts"
    names = _area_names(path)
    out = []
    for whole_id in dict.fromkeys(st["part_of"].dropna().astype(str)):
        whole = st.loc[st["observation_id"] == whole_id]
        if whole.empty:
            continue
        w = whole.iloc[0]
        parts = st.loc[(st["part_of"] == whole_id) & (st["indicator_id"] == w["indicator_id"])]
        if parts.empty:
            continue  # a subset of another kind (e.g. the killed among the listed) is not a part
        ind = inds.loc[inds["indicator_id"] == w["indicator_id"]].iloc[0]
        parts = parts.assign(area=[names.get(str(a), str(a)) for a in parts["area_id"]])
        title = str(ind["name"]) + (f" — {names.get(str(w['area_id']), w['area_id'])}" if w["area_id"] != "all" else "")
        out.append(_Panel(str(w["indicator_id"]), "parts", title, str(ind["unit"]), "parts", parts, w))
    return out


def pages(chart: str, *, as_of: Any = None, path: Any = None) -> list[str]:
    """The images an overview chart is drawn in: ``chart``, then ``chart-2``, ``chart-3``... as its panels need.

    A page holds at most `PAGE` inches of panels, so every image stays readable at the README's width
    however many series the data hold; which panels fall on which page is read from the data.
    """
    path = _opened(path)
    inds = _indicators(path)
    inds = inds.loc[inds["unit"].astype(str) != "rank"]
    n = len(_pages(_overview(chart, inds, as_of, path)))
    return [chart] + [f"{chart}-{k}" for k in range(2, n + 1)]


def chart_names(path: str | Path | Package | None = None) -> list[str]:
    """Every chart that can be drawn: the overview charts' pages, then every indicator that is not a rank.

    An indicator is drawn where it has a dated statement: a figure no text dates has no place on a time axis.
    """
    from powdata.loader import load

    path = _opened(path)

    inds = _indicators(path)
    obs = load("observations", path=path)
    dated = set(obs.loc[obs["as_of"].notna().to_numpy(), "indicator_id"].astype(str))
    drawable = inds.loc[(inds["unit"].astype(str) != "rank").to_numpy() & inds["indicator_id"].isin(dated).to_numpy()]
    overview = [name for chart in CHARTS for name in pages(chart, path=path)]
    return [*overview, *(str(i) for i in drawable["indicator_id"])]


# ---------------------------------------------------------------- drawing


@dataclass
class _Canvas:
    """A figure being drawn: its renderer, the extents already taken, the marks used (for the legend)."""

    fig: Any
    renderer: Any
    taken: list[Any] = field(default_factory=list)
    marks: dict[str, Any] = field(default_factory=dict)  # legend label -> handle, in first-drawn order
    readings: int = 0
    sources: list[str] = field(default_factory=list)
    latest: str = ""
    key: list[str] = field(default_factory=list)  # the words of labels drawn as a number [n]


def _panel_height(p: _Panel) -> float:
    """A panel's height in inches: a parts panel grows with its bars, every other panel is `_PANEL` high."""
    if p.kind == "parts":
        return max(_PANEL, _BAR * (len(p.rows) + 1) + 0.2) * p.grow
    return _PANEL * p.grow


def _new_canvas(heights: list[float], header: float, footer: float) -> tuple[_Canvas, list[Axes]]:
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = header + sum(h + _GAP for h in heights) + footer
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    axes = []
    top = height - header
    for h in heights:
        rect = (_LEFT / WIDTH, (top - 0.35 - h) / height, 1 - (_LEFT + _RIGHT) / WIDTH, h / height)  # 0.35: its title
        axes.append(fig.add_axes(rect))
        top -= h + _GAP
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]  # matplotlib leaves it untyped
    return _Canvas(fig, renderer), axes


def _extent(artist: Any, renderer: Any) -> Any:
    return artist.get_window_extent(renderer)


def _overlaps(box: Any, others: list[Any]) -> bool:
    return any(box.overlaps(o) for o in others)


_OFFSETS = [
    (7, 0, "left", "center"),
    (0, 9, "center", "bottom"),
    (-7, 0, "right", "center"),
    (0, -9, "center", "top"),
    (7, 11, "left", "bottom"),
    (7, -11, "left", "top"),
    (-7, 11, "right", "bottom"),
    (-7, -11, "right", "top"),
]


def _leader_offsets() -> list[tuple[float, float, str, str]]:
    """Offsets (points) farther from the mark, all round it, for a label joined to its mark by a leader line."""
    out = []
    for r in (24, 36, 50, 66, 84, 104, 128):
        for a in (90, 60, 120, 30, 150, 0, 180, -30, -150, -60, -120, -90, 75, 105, 45, 135, 15, 165, -15, -165):
            c, s = math.cos(math.radians(a)), math.sin(math.radians(a))
            ha = "left" if c > 0.3 else "right" if c < -0.3 else "center"
            va = "bottom" if s > 0.3 else "top" if s < -0.3 else "center"
            out.append((r * c, r * s, ha, va))
    return out


_LEADERS = _leader_offsets()


def _num(x: Any) -> float:
    from matplotlib.dates import date2num

    return float(date2num(x)) if isinstance(x, dt.date) else float(x)  # type: ignore[no-untyped-call]  # untyped upstream


def _try_label(
    cv: _Canvas, ax: Axes, x: Any, y: float, text: str, gid: str, offsets: list[Any], *, leader: bool
) -> Any:
    """Put ``text`` at the first offset whose box (and leader line) meets no label or mark and stays in the panel."""
    inside = _extent(ax, cv.renderer).padded(-1)
    px = cv.fig.dpi / 72
    x0, y0 = ax.transData.transform((_num(x), y))
    for dx, dy, ha, va in offsets:
        label = ax.annotate(
            text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, ma="center", fontsize=9
        )
        box = _extent(label, cv.renderer).padded(1.5)
        fits = inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
        if fits and not _overlaps(box, cv.taken):
            if not leader:
                label.set_gid(gid)
                cv.taken.append(box)
                return label
            # the line runs from just off the mark to the label's nearest edge, crossing no label or mark
            length = math.hypot(dx, dy) * px
            ux, uy = dx * px / length, dy * px / length
            ex = min(max(x0 + dx * px, box.x0 + 1.5), box.x1 - 1.5)
            ey = min(max(y0 + dy * px, box.y0 + 1.5), box.y1 - 1.5)
            start = (x0 + 9 * ux, y0 + 9 * uy)
            steps = [(start[0] + (ex - start[0]) * t / 16, start[1] + (ey - start[1]) * t / 16) for t in range(16)]
            if not any(o.contains(*pt) for pt in steps for o in cv.taken):
                inv = ax.transData.inverted()
                (a, b), (c, d) = inv.transform(start), inv.transform((ex, ey))
                (line,) = ax.plot([a, c], [b, d], color="#555555", lw=0.7, zorder=1)
                line.set_gid(f"leader:{gid.split(':', 1)[1]}")
                label.set_gid(gid)
                cv.taken.append(box)
                return label
        label.remove()
    return None


def _place_label(cv: _Canvas, ax: Axes, x: Any, y: float, text: str, gid: str, *, prefer_above: bool = False) -> Any:
    """Label the mark at (x, y) with ``text`` in the first way that keeps it off every other label and every mark.

    Next to the mark; else farther off, joined to it by a leader line; else a number ``[n]`` next to
    the mark (or on a leader line) whose words the chart's key under the source line gives.
    """
    above = [(dx, 9 * k, ha, "bottom") for k in (1, 2) for dx, ha in ((0, "center"), (12, "right"), (-12, "left"))]
    above = above if prefer_above else []
    near = above + [(dx * k, dy * k, ha, va) for k in (1, 2) for dx, dy, ha, va in _OFFSETS]
    label = _try_label(cv, ax, x, y, text, gid, near, leader=False)
    if label is None:
        label = _try_label(cv, ax, x, y, text, gid, _LEADERS, leader=True)
    if label is None:
        number = f"[{len(cv.key) + 1}]" + (" †" if "†" in text else "")
        label = _try_label(cv, ax, x, y, number, gid, near, leader=False)
        if label is None:
            label = _try_label(cv, ax, x, y, number, gid, _LEADERS, leader=True)
        if label is not None:
            cv.key.append(f"[{len(cv.key) + 1}] {' '.join(text.split())}")
    if label is None:
        raise _CrowdedError(ax, text, gid)
    return label


class _CrowdedError(PowdataError):
    """No room for a label in a panel, even as a number on a leader line: `_draw` draws that panel taller."""

    def __init__(self, ax: Axes, text: str, gid: str) -> None:
        super().__init__(
            f"no room for the label {text!r} of {gid}, even as a number: the panel is too crowded to print"
        )
        self.ax = ax


def _mark(cv: _Canvas, key: str, handle: Any) -> None:
    cv.marks.setdefault(key, handle)


def _arrow_marker(up: bool) -> Any:
    """A marker that is an arrow starting just off the centre, for the legend key of an open-ended figure.

    A path marker keeps its offsets from the origin (matplotlib only scales it), so the arrow
    stands above (or below) the dot drawn at the same place, as it does on the chart.
    """
    from matplotlib.path import Path as MPath

    sign = 1 if up else -1
    verts = [(0, 0.45 * sign), (0, 1.0 * sign), (-0.25, 0.68 * sign), (0, 1.0 * sign), (0.25, 0.68 * sign)]
    codes = [MPath.MOVETO, MPath.LINETO, MPath.MOVETO, MPath.LINETO, MPath.LINETO]
    return MPath(verts, codes)


def _draw_interval(cv: _Canvas, ax: Axes, x: Any, row: Any, color: str = _BLUE) -> list[Any]:
    """Draw one statement at (x, value) as its interval; return the artists drawn (to keep labels off them)."""
    from matplotlib.lines import Line2D

    q, v, oid = str(row.qualifier), float(row.value), str(row.observation_id)
    lo, hi = float(row.lower), float(row.upper)
    drawn: list[Any] = []
    if q in _UP or q in _DOWN:
        filled = q in ("at_least", "at_most")
        (m,) = ax.plot([x], [v], "o", mfc=color if filled else "white", mec=color, mew=1.5, ms=7, zorder=3)
        m.set_gid(f"open:{oid}")
        top = ax.get_ylim()[1]
        tip = v + (0.14 * top if q in _UP else -min(0.14 * top, v))
        arrow = ax.annotate(
            "", xy=(x, tip), xytext=(x, v), arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.3}, zorder=2
        )
        arrow.set_gid(f"arrow:{oid}")
        drawn += [m, arrow]
        words = {"more_than": "more than", "at_least": "at least", "fewer_than": "fewer than", "at_most": "up to"}
        up = "up" if q in _UP else "down"  # the arrow points to where the figure's open end is
        _mark(
            cv,
            f"{words[q]}: {'filled' if filled else 'open'} dot, arrow {up} (no {'upper' if q in _UP else 'lower'} end)",
            (
                Line2D([], [], marker="o", mfc=color if filled else "white", mec=color, mew=1.5, ls="", ms=7),
                Line2D([], [], marker=_arrow_marker(up == "up"), color=color, mew=1.3, ls="", ms=18),
            ),  # the legend draws the dot and its arrow as one key (a tuple: `HandlerTuple`)
        )
    elif q == "nearly":
        (line,) = ax.plot([x, x], [lo, v], color=color, lw=2, solid_capstyle="butt", zorder=2)
        line.set_gid(f"nearly-span:{oid}")
        (m,) = ax.plot([x], [v], "v", color=color, ms=8, zorder=3)
        m.set_gid(f"nearly:{oid}")
        drawn += [line, m]
        _mark(
            cv,
            "nearly: ▼ at the number, line below it (close to it, not above)",
            Line2D([], [], marker="v", color=color, ls="", ms=8),
        )
    elif hi > lo:  # approximately, or a stated range
        (caps,) = ax.plot([x, x], [lo, hi], color=color, lw=1.5, zorder=2)
        caps.set_gid(f"whisker:{oid}")
        (m,) = ax.plot([x], [v], "o", color=color, ms=6, zorder=3)
        m.set_gid(f"point:{oid}")
        drawn += [caps, m]
        what = (
            "about: dot with a whisker over the tolerance" if q == "approximately" else "range: line between its ends"
        )
        _mark(cv, what, Line2D([], [], marker="o", color=color, ms=6))
    else:
        (m,) = ax.plot([x], [v], "o", color=color, ms=7, zorder=3)
        m.set_gid(f"point:{oid}")
        drawn.append(m)
        _mark(cv, "exact figure: filled dot", Line2D([], [], marker="o", color=color, ls="", ms=7))
    return drawn


def _note_row(cv: _Canvas, row: Any) -> None:
    who = (
        str(row.stated_by_publisher) if str(row.stated_by_publisher) not in ("", "<NA>", "nan") else str(row.stated_by)
    )
    if who not in cv.sources:
        cv.sources.append(who)
    as_of = str(row.as_of)
    if as_of and as_of not in ("<NA>", "nan") and as_of > cv.latest:
        cv.latest = as_of
    reading = getattr(row, "reading", None)
    if isinstance(reading, str) and reading.strip():
        cv.readings += 1


def _date_axis(ax: Axes, start: dt.date, end: dt.date) -> None:
    from matplotlib.dates import DateFormatter, MonthLocator, YearLocator

    span = (end - start).days
    ax.set_xlim(start, end)  # type: ignore[arg-type]  # matplotlib takes dates on a date axis
    if span > 3 * 365:
        ax.xaxis.set_major_locator(YearLocator())  # type: ignore[no-untyped-call]  # matplotlib leaves it untyped
        ax.xaxis.set_major_formatter(DateFormatter("%Y"))  # type: ignore[no-untyped-call]  # as above
    else:
        step = 1 if span <= 200 else 2 if span <= 420 else 3
        months = list(range(1, 13, step))  # ticks on January and every step-th month after it
        ax.xaxis.set_major_locator(MonthLocator(bymonth=months))  # type: ignore[no-untyped-call]  # as above
        ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))  # type: ignore[no-untyped-call]  # as above
    ax.tick_params(axis="x", labelsize=8)


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}" if float(v).is_integer() else f"{v:,}")


def _ylim(ax: Axes, rows: Any, unit: str, headroom: float = 1.45) -> None:
    tops = [float(v) for v in rows["value"]]
    tops += [float(u) for u in rows["upper"] if math.isfinite(float(u))]
    top = max(tops) * headroom if tops else 1.0
    if unit == "percent":
        top = min(max(top, 10.0), 100.0) if max(tops) <= 100 else top
    ax.set_ylim(0, top)
    ax.yaxis.set_major_formatter(_thousands())
    ax.set_ylabel(unit.replace("_", " "), fontsize=8)
    ax.grid(axis="y", alpha=0.25)
    ax.spines[["top", "right"]].set_visible(False)


def _fit_left(cv: _Canvas, ax: Axes) -> None:
    """Move the panel's left edge right if its widest number and its unit would not fit the left margin."""
    widest = max((_extent(t, cv.renderer).width for t in ax.get_yticklabels() if t.get_text()), default=0.0)
    need = widest + 36  # pixels: tick and pad, then the unit's line beside the numbers
    pos = ax.get_position()
    have = pos.x0 * cv.fig.bbox.width
    if need > have:
        shift = (need - have) / cv.fig.bbox.width
        ax.set_position((pos.x0 + shift, pos.y0, pos.width - shift, pos.height))


def _panel_title(cv: _Canvas, ax: Axes, p: _Panel) -> None:
    """Title the panel with its indicator's name and id; the id is left out, then the name wrapped, to fit the width."""
    for text in (f"{p.title}  ({p.indicator_id})", p.title, textwrap.fill(p.title, 60)):
        title = ax.set_title(text, fontsize=9.5, loc="left", pad=6)
        if _extent(title, cv.renderer).x1 <= cv.fig.bbox.x1 - 4:
            return


def _draw_dates(cv: _Canvas, ax: Axes, p: _Panel, start: dt.date, end: dt.date) -> None:
    _ylim(ax, p.rows, p.unit)
    _date_axis(ax, start, end)
    _fit_left(cv, ax)
    _panel_title(cv, ax, p)
    queued = []
    for row in p.rows.itertuples():
        x = _date(row.as_of_start) + (_date(row.as_of_end) - _date(row.as_of_start)) / 2
        for artist in _draw_interval(cv, ax, x, row):
            cv.taken.append(_extent(artist, cv.renderer).padded(1))
        queued.append((x, row))
        _note_row(cv, row)
    for x, row in queued:
        _place_label(cv, ax, x, float(row.value), figure_label(row, p.unit), f"label:{row.observation_id}")


def _period_end(row: Any) -> tuple[dt.date, bool]:
    """The last day a figure's period covers, and whether that end is stated (else: the end of its as_of)."""
    if not _isna(row.period_end):
        return _date(row.period_end), True
    return _date(row.as_of_end), False


def _isna(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def _period_text(start: dt.date, end: dt.date, stated: bool) -> str:
    if not stated:
        return f"from {start:%b %Y}, end not stated"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year}"
    if start.day == 1 and start.year == end.year and start.month == end.month:
        return f"{start:%b %Y}"
    return f"{start:%-d %b %Y}–{end:%-d %b %Y}"


def _draw_periods(cv: _Canvas, ax: Axes, p: _Panel, start: dt.date, end: dt.date) -> None:
    from matplotlib.lines import Line2D

    _ylim(ax, p.rows, p.unit, headroom=1.75)  # room for the labels above the bars
    _date_axis(ax, start, end)
    _fit_left(cv, ax)
    _panel_title(cv, ax, p)
    queued = []
    for row in p.rows.itertuples():
        s = _date(row.period_start)
        e, stated = _period_end(row)
        v = float(row.value)
        ends: Any = [s, e + dt.timedelta(days=1)]  # matplotlib's date axis takes dates; its stubs say floats
        (seg,) = ax.plot(ends, [v, v], color=_GREEN, lw=3.5, ls="-" if stated else (0, (2, 1.5)), zorder=2)
        seg.set_gid(f"period:{row.observation_id}")
        cv.taken.append(_extent(seg, cv.renderer).padded(1))
        mid = s + (e - s) / 2
        for artist in _draw_interval(cv, ax, mid, row, color=_GREEN):
            cv.taken.append(_extent(artist, cv.renderer).padded(1))
        queued.append((mid, row, f"{figure_label(row, p.unit)}\n({_period_text(s, e, stated)})"))  # two short lines
        _mark(
            cv,
            "a figure for a period: a bar across its period (never joined to another)",
            Line2D([], [], color=_GREEN, lw=3.5),
        )
        if not stated:
            _mark(
                cv,
                "period whose end is not stated: dashed, to the date it is given for",
                Line2D([], [], color=_GREEN, lw=3.5, ls=(0, (2, 1.5))),
            )
        _note_row(cv, row)
    for mid, row, text in queued:
        _place_label(cv, ax, mid, float(row.value), text, f"label:{row.observation_id}", prefer_above=True)


def _draw_parts(cv: _Canvas, ax: Axes, p: _Panel) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    w = p.whole
    total = float(w["value"])
    parts = p.rows.sort_values("value", ascending=False)
    names = [str(a) for a in parts["area"]]
    values = [float(v) for v in parts["value"]]
    exact = str(w["qualifier"]) == "exact" and all(str(q) == "exact" for q in parts["qualifier"])
    rest = total - sum(values)
    if exact and rest > 0:
        names.append("no stated group (computed)")
        values.append(rest)
    ys = list(range(len(names)))
    bars = ax.barh(ys, values, color=[_BLUE] * len(parts) + [_GREY] * (len(names) - len(parts)), height=0.6)
    ax.set_yticks(ys, [textwrap.fill(n, 34) for n in names], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, total * 1.32)
    ax.xaxis.set_major_formatter(_thousands())
    ax.set_xlabel(
        f"{p.unit.replace('_', ' ')}; dashed line: {figure_label(w, p.unit)} in all, as of {w['as_of']}", fontsize=8
    )
    ax.spines[["top", "right"]].set_visible(False)
    widest = max(_extent(t, cv.renderer).width for t in ax.get_yticklabels()) / cv.fig.dpi
    pos = ax.get_position()
    left = (widest + 0.2) / WIDTH  # the group names fit to the left of the bars
    ax.set_position((left, pos.y0, pos.x1 - left, pos.height))
    _panel_title(cv, ax, p)  # after the panel has moved: its title must fit the width from there
    _mark(cv, "a stated part", Patch(color=_BLUE))
    for bar in bars:
        cv.taken.append(_extent(bar, cv.renderer).padded(1))
    line = ax.axvline(total, color="black", lw=1, ls="--")
    line.set_gid(f"total:{w['observation_id']}")
    _mark(cv, "the stated whole (dashed line)", Line2D([], [], color="black", lw=1, ls="--"))
    _note_row(cv, w)
    for bar, row in zip(bars, parts.itertuples(), strict=False):
        bar.set_gid(f"bar:{row.observation_id}")
        _note_row(cv, row)
    for i, (bar, v) in enumerate(zip(bars, values, strict=True)):
        y = bar.get_y() + bar.get_height() / 2
        if i >= len(parts):
            bar.set_hatch("//")
            bar.set_gid(f"computed:{w['observation_id']}")
            _mark(cv, "computed: the whole minus the stated parts (never stated)", Patch(facecolor=_GREY, hatch="//"))
            text, gid = f"{format_number(v, grouped=True)} (computed)", f"label:computed:{w['observation_id']}"
        else:
            row = next(r for j, r in enumerate(parts.itertuples()) if j == i)
            text, gid = figure_label(row, p.unit), f"label:{row.observation_id}"
        _place_label(cv, ax, v, y, text, gid)


def _footer_lines(cv: _Canvas, version: str, licence: str) -> list[str]:
    who = "; ".join(cv.sources)
    keep = f"powdata {version} ({licence})".replace(" ", "\u00a0")  # one unbroken phrase: release and licence
    source = textwrap.wrap(f"Source: statements by {who}; compiled by {keep}.", 125, break_on_hyphens=False)
    lines = [line.replace("\u00a0", " ") for line in source]
    lines.append(
        f"As of: the latest figure shown is as of {cv.latest or 'an unknown date'}; each is placed at its own date."
    )
    if cv.key:
        lines += textwrap.wrap(
            "Key (labels with no room beside their mark): " + "; ".join(cv.key) + ".", 125, break_on_hyphens=False
        )
    if cv.readings:
        lines += textwrap.wrap(
            "† powdata records a reading of this figure that no text states (the field `reading`); "
            "the chart shows only what the texts state.",
            125,
        )
    return lines


def _descriptor_bits(path: Any) -> tuple[str, str]:
    from powdata.package import open_package

    desc = open_package(path).descriptor
    lic = (desc.get("licenses") or [{}])[0].get("name", "")
    return str(desc.get("version", "")), str(lic)


_GROW, _TRIES = 1.6, 6  # a crowded panel is drawn again this many times taller, up to this many times


def _ticks_inside(fig: Figure) -> Figure:
    """Hide a date tick label that would run off the image (matplotlib versions place end ticks differently)."""
    fig.draw_without_rendering()  # lays out every text (ticks included) without rasterising the page
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # the Agg canvas has one
    page = fig.bbox
    for ax in fig.axes:
        for tick in ax.xaxis.get_major_ticks():
            for label in (tick.label1, tick.label2):
                box = label.get_window_extent(renderer)
                if label.get_visible() and label.get_text() and not (page.contains(*box.p0) and page.contains(*box.p1)):
                    label.set_visible(False)
    return fig


def _draw(chart: str, title: str, as_of: Any, path: Any) -> Figure:
    ps = panels(chart, as_of=as_of, path=path)
    if not ps:
        msg = f"chart {chart!r}: no statement to draw (no dated figure of this kind in the data)"
        raise PowdataError(msg)
    for attempt in range(_TRIES + 1):
        try:
            return _ticks_inside(_draw_panels(ps, title, path))
        except _CrowdedError as crowded:
            if attempt == _TRIES:
                raise
            (p,) = [p for ax, p in zip(crowded.ax.figure.axes, ps, strict=True) if ax is crowded.ax]
            p.grow *= _GROW  # more height: more room above and below each mark for labels and leader lines
    raise AssertionError  # unreachable: the loop returns or raises


def _draw_panels(ps: list[_Panel], title: str, path: Any) -> Figure:
    header = 1.2  # the legend's rows are known only after drawing: `_fit` gives it the room it needs
    footer = 0.75 + 0.17 * 2
    cv, axes = _new_canvas([_panel_height(p) for p in ps], header, footer)
    fig = cv.fig
    dated = [p for p in ps if p.kind != "parts"]
    if dated:
        starts, ends = [], []
        for p in dated:
            starts += [
                _date(d) for d in (p.rows["period_start"].dropna() if p.kind == "periods" else p.rows["as_of_start"])
            ]
            ends += [_date(d) for d in p.rows["as_of_end"]]
            ends += [_date(d) for d in p.rows["period_end"].dropna()]
        pad = dt.timedelta(days=max(46, (max(ends) - min(starts)).days // 12))  # a lone date still gets two ticks
        start, end = min(starts) - pad, max(ends) + pad
    for ax, p in zip(axes, ps, strict=True):
        if p.kind == "parts":
            _draw_parts(cv, ax, p)
        elif p.kind == "periods":
            _draw_periods(cv, ax, p, start, end)
        else:
            _draw_dates(cv, ax, p, start, end)
    height = fig.get_figheight()
    title = textwrap.fill(title, 68)  # 12 pt bold: about 68 characters fit the figure's width
    fig.text(_LEFT / WIDTH, 1 - 0.12 / height, title, fontsize=12, weight="bold", va="top", gid="title")
    from matplotlib.legend_handler import HandlerTuple

    handles, labels = list(cv.marks.values()), list(cv.marks)
    fig.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(_LEFT / WIDTH, 1 - 0.42 / height),
        ncol=1,
        fontsize=8,
        frameon=False,
        handlelength=1.8,
        columnspacing=1.2,
        handler_map={tuple: HandlerTuple(ndivide=1)},  # a dot and its arrow: one key
    ).set_gid("legend")
    version, licence = _descriptor_bits(path)
    lines = _footer_lines(cv, version, licence)
    fig.text(_LEFT / WIDTH, 0.1 / height, "\n".join(lines), fontsize=7.5, va="bottom", color="#333333", gid="note")
    return _fit(fig, cv, len(lines))


def _fit(fig: Figure, cv: _Canvas, n_lines: int) -> Figure:
    """Grow the figure so the legend and the footer have exactly the room they need (axes keep their size)."""
    renderer = cv.renderer
    legend = fig.legends[0]
    title = next(t for t in fig.texts if t.get_gid() == "title")
    title_h = _extent(title, renderer).height / fig.dpi  # one line or two
    below_title = 0.12 + title_h + 0.1
    need_top = below_title + _extent(legend, renderer).height / fig.dpi + 0.1
    note = next(t for t in fig.texts if t.get_gid() == "note")
    need_bottom = _extent(note, renderer).height / fig.dpi + 0.15
    old_h = fig.get_figheight()
    axes_top = max(ax.get_position().y1 for ax in fig.axes) * old_h + 0.35
    axes_bottom = min(ax.get_position().y0 for ax in fig.axes) * old_h - 0.45  # the lowest panel's dates
    new_h = need_top + (axes_top - axes_bottom) + need_bottom
    shift = need_bottom - axes_bottom
    positions = [(ax, ax.get_position()) for ax in fig.axes]
    fig.set_figheight(new_h)
    for ax, pos in positions:
        y0 = (pos.y0 * old_h + shift) / new_h
        ax.set_position((pos.x0, y0, pos.width, pos.height * old_h / new_h))
    title.set_y(1 - 0.12 / new_h)
    legend.set_bbox_to_anchor((_LEFT / WIDTH, 1 - below_title / new_h), transform=fig.transFigure)
    note.set_y(0.1 / new_h)
    return fig


_TITLES = {
    "vintages": "Figures as stated, by the date they hold for",
    "periods": "Figures stated for a period (a year, a month, part of a year)",
    "parts": "Stated wholes and their stated parts",
}


def _draw_overview(chart: str, as_of: Any, path: Package) -> Figure:
    base, page = _page_name(chart)
    n = len(pages(base, as_of=as_of, path=path))
    title = _TITLES[base] + (f" (page {page} of {n})" if n > 1 else "")
    return _draw(chart, title, as_of, path)


def draw_vintages(*, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> Figure:
    """Each series (two or more dated statements of an indicator for one area): one panel each; page 1."""
    return _draw_overview("vintages", as_of, _opened(path))


def draw_periods(*, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> Figure:
    """Each indicator stated for periods: each figure drawn across its own period, never joined to another; page 1."""
    return _draw_overview("periods", as_of, _opened(path))


def draw_parts(*, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> Figure:
    """Each stated whole with its stated parts, and the computed part no stated part accounts for; page 1."""
    return _draw_overview("parts", as_of, _opened(path))


def draw_indicator(
    indicator_id: str, *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None
) -> Figure:
    """One indicator's statements, a panel per area (the site's chart on each indicator page)."""
    path = _opened(path)
    inds = _indicators(path)
    name = inds.loc[inds["indicator_id"] == indicator_id, "name"]
    title = str(name.iloc[0]) if len(name) else indicator_id
    return _draw(indicator_id, title, as_of, path)


def draw(chart: str, *, as_of: str | dt.date | None = None, path: str | Path | Package | None = None) -> Figure:
    """Return the Figure of ``chart``: an overview chart or one of its pages (`pages`), or an indicator_id."""
    path = _opened(path)
    if _page_name(chart)[0] in CHARTS:
        return _draw_overview(chart, as_of, path)
    return draw_indicator(chart, as_of=as_of, path=path)


def render(fig: Figure, fmt: str) -> bytes:
    """Return the bytes of ``fig`` as SVG or PNG, without a date or version stamp (so it re-draws the same)."""
    if fmt not in FORMATS:
        msg = f"format {fmt!r}: expected one of {', '.join(FORMATS)}"
        raise PowdataError(msg)
    buf = io.BytesIO()
    meta: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta, facecolor="white")
    return buf.getvalue()


def plot(
    out_dir: str | Path,
    *,
    charts: tuple[str, ...] | list[str] = CHARTS,
    fmt: str = "svg",
    as_of: str | dt.date | None = None,
    path: str | Path | Package | None = None,
) -> list[Path]:
    """Draw ``charts`` into ``out_dir`` as ``<chart>.<fmt>``, each written atomically; return the files.

    An overview chart is written as all its pages (`pages`): ``vintages.svg``, ``vintages-2.svg``...

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in plot(tempfile.mkdtemp(), charts=["periods"])]
    ['periods.svg']
    """
    from powdata._io.atomic import write_bytes_atomic

    out = Path(out_dir)
    if not out.is_dir():
        msg = f"--to {out}: expected an existing folder; create it first"
        raise PowdataError(msg)
    if fmt not in FORMATS:
        msg = f"format {fmt!r}: expected one of {', '.join(FORMATS)}"
        raise PowdataError(msg)
    path = _opened(path)
    known = chart_names(path)
    unknown = [c for c in charts if c not in known]
    if unknown:  # checked before anything is drawn, so a typo writes nothing
        inds = [k for k in known if _page_name(k)[0] not in CHARTS]
        msg = f"chart {unknown[0]!r}: expected one of {', '.join(CHARTS)}, or an indicator_id: {', '.join(inds)}"
        raise PowdataError(msg)
    expanded = [page for c in charts for page in (pages(c, as_of=as_of, path=path) if c in CHARTS else [c])]
    written = []
    for chart in dict.fromkeys(expanded):
        data = render(draw(chart, as_of=as_of, path=path), fmt)
        target = out / f"{chart}.{fmt}"
        write_bytes_atomic(target, data)
        written.append(target)
    return written


__all__ = ["CHARTS", "chart_names", "draw", "draw_indicator", "figure_label", "pages", "panels", "plot", "render"]
