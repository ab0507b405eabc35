"""Charts an editor would print: what is drawn is read back from the figure (marks, labels, boxes), not pixels."""

from __future__ import annotations

import functools
import itertools
import re
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import powdata
from powdata.charts import CHARTS, DPI, PAGE, chart_names, draw, pages, panels, plot, render
from powdata.errors import MissingExtraError, PowdataError
from powdata.package import Package
from tests.conftest import ROOT, by_id, run_cli

DOCS = ROOT / "docs" / "charts"
SHIPPED = Package.open()
"""The shipped package, opened once for the module: its tables are read and joined once, at collection."""
ALL = chart_names(SHIPPED)
OVERVIEW = [name for chart in CHARTS for name in pages(chart, path=SHIPPED)]  # every image of the overview charts
MARKS = ("point:", "open:", "nearly:")  # one of these per statement drawn


@functools.cache
def _panels(chart: str) -> list[Any]:
    """``panels(chart)`` of the shipped package, computed once for the module (the tests only read them)."""
    return panels(chart, path=SHIPPED)


def _by_gid(fig: Any) -> dict[str, Any]:
    return {a.get_gid(): a for a in fig.findobj(lambda a: a.get_gid() is not None)}


def _renderer(fig: Any) -> Any:
    return fig.canvas.get_renderer()


def _texts(fig: Any) -> list[Any]:
    """Every visible, non-empty text of the figure: labels, titles, ticks, legend, note."""
    from matplotlib.text import Text

    undrawn = set()  # matplotlib keeps tick labels for ticks outside the axis's view; it does not draw them
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not lo <= tick.get_loc() <= hi:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    found = fig.findobj(lambda a: isinstance(a, Text) and a.get_visible() and a.get_text().strip() != "")
    return [t for t in found if id(t) not in undrawn]


def _statement_marks(fig: Any) -> list[str]:
    return [g.split(":", 1)[1] for g in _by_gid(fig) if g.startswith(MARKS)]


def _svg_texts(svg: str) -> set[str]:
    return set(re.findall(r"<text[^>]*>([^<]+)</text>", svg))


@pytest.fixture(scope="module")
def drawn() -> dict[str, Any]:
    """Every chart, drawn once for the module from one opened package (its tables read and joined once)."""
    return {c: draw(c, path=SHIPPED) for c in ALL}


@pytest.fixture(scope="module")
def laid_out(drawn: dict[str, Any]) -> Callable[[str], Any]:
    """A drawn chart laid out exactly as written: rendered to PNG once for the module, on first use.

    Rendering the same figure again lays it out the same (the text boxes depend only on the
    figure and the renderer), so the tests that measure boxes share one render per chart.
    """
    rendered: set[str] = set()

    def _fig(chart: str) -> Any:
        fig = drawn[chart]
        if chart not in rendered:
            render(fig, "png")
            rendered.add(chart)
        return fig

    return _fig


class TestEditorsRules:
    @pytest.mark.parametrize("chart", ALL)
    def test_no_two_texts_intersect(self, laid_out: Callable[[str], Any], chart: str) -> None:
        """No two texts of a chart (labels, titles, dates, legend, source line) have intersecting boxes."""
        fig = laid_out(chart)  # laid out exactly as written
        r = _renderer(fig)
        boxes = [(t.get_text(), t.get_window_extent(r)) for t in _texts(fig)]
        assert len(boxes) > 5
        clashes = [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]
        assert clashes == []

    @pytest.mark.parametrize("chart", ALL)
    def test_every_text_is_inside_the_figure(self, laid_out: Callable[[str], Any], chart: str) -> None:
        """No text runs off the edge of the image: titles, labels, dates, legend and source line are all inside it."""
        fig = laid_out(chart)
        r = _renderer(fig)
        page = fig.bbox
        outside = [t.get_text() for t in _texts(fig) if not page.contains(*t.get_window_extent(r).p0)]
        outside += [t.get_text() for t in _texts(fig) if not page.contains(*t.get_window_extent(r).p1)]
        assert outside == []

    @pytest.mark.parametrize("chart", ALL)
    def test_every_label_stays_off_every_mark(self, laid_out: Callable[[str], Any], chart: str) -> None:
        """A figure's label covers no mark: not its own point, not another statement's."""
        fig = laid_out(chart)
        r = _renderer(fig)
        gids = _by_gid(fig)
        labels = [a.get_window_extent(r) for g, a in gids.items() if g.startswith("label:")]
        marks = [a.get_window_extent(r) for g, a in gids.items() if g.startswith((*MARKS, "bar:", "computed:"))]
        assert labels and marks
        assert not [1 for lab in labels for m in marks if lab.overlaps(m)]

    @pytest.mark.parametrize("chart", ALL)
    def test_source_and_as_of_line(self, drawn: dict[str, Any], chart: str) -> None:
        """Every chart says whose statements it draws, the release and licence, and the latest as_of it shows."""
        note = _by_gid(drawn[chart])["note"].get_text()
        version = powdata.descriptor()["version"]
        assert note.startswith("Source: statements by ") and f"powdata {version} (CC-BY-4.0)" in note
        shown = [p for p in _panels(chart)]
        latest = max(str(a) for p in shown for a in (p.rows["as_of"] if p.kind != "parts" else [p.whole["as_of"]]))
        assert f"As of: the latest figure shown is as of {latest};" in note

    @pytest.mark.parametrize("chart", ALL)
    def test_dates_on_every_panel(self, laid_out: Callable[[str], Any], chart: str) -> None:
        """Every dated panel has its own date labels, each with its year; a parts panel states its date."""
        fig = laid_out(chart)
        for ax, p in zip(fig.axes, _panels(chart), strict=True):
            if p.kind == "parts":
                assert f"as of {p.whole['as_of']}" in ax.get_xlabel()
                continue
            ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
            assert ticks and all(re.search(r"\b(19|20)\d\d\b", t) for t in ticks), ticks

    @pytest.mark.parametrize("chart", ALL)
    def test_legend_explains_every_mark_and_only_those(self, drawn: dict[str, Any], chart: str) -> None:
        """Each kind of mark drawn has a legend entry, and no entry names a mark that is not drawn."""
        fig = drawn[chart]
        gids = _by_gid(fig)
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        kinds = {
            "point:": ("exact figure", "about:", "range:"),
            "open:": ("more than", "at least", "fewer than", "up to"),
            "nearly:": ("nearly",),
            "period:": ("a figure for a period",),
            "bar:": ("a stated part",),
            "computed:": ("computed",),
            "total:": ("the stated whole",),
        }
        for prefix, words in kinds.items():
            present = any(g.startswith(prefix) for g in gids)
            explained = any(entry.startswith(w) for entry in legend for w in words)
            assert present == explained, (prefix, legend)

    @pytest.mark.parametrize("chart", ALL)
    def test_an_open_end_has_its_arrow_in_the_legend_too(self, drawn: dict[str, Any], chart: str) -> None:
        """An entry that says "arrow up" (or down) shows a dot with an arrow pointing that way; no other has one."""
        from matplotlib.offsetbox import DrawingArea
        from matplotlib.path import Path as MPath

        legend = drawn[chart].legends[0]
        entries = [t.get_text() for t in legend.get_texts()]
        keys = legend.findobj(DrawingArea)
        assert len(keys) == len(entries)
        for text, key in zip(entries, keys, strict=True):
            paths = [a.get_marker() for a in key.get_children() if hasattr(a, "get_marker")]
            arrows = [m for m in paths if isinstance(m, MPath)]
            if "arrow up" in text or "arrow down" in text:
                (arrow,) = arrows
                tip = max((float(y) for _, y in np.asarray(arrow.vertices)), key=abs)
                assert (tip > 0) == ("arrow up" in text), text
            else:
                assert arrows == [], text

    def test_one_point_per_statement(self, drawn: dict[str, Any]) -> None:
        """A statement carried by several publications, or worded differently by one, is one mark."""
        for ind in powdata.load("indicators")["indicator_id"]:
            if f"{ind}" not in drawn:
                continue
            expected = sorted(oid for p in _panels(ind) if p.kind != "parts" for oid in p.rows["observation_id"])
            assert sorted(_statement_marks(drawn[ind])) == expected
        figs = powdata.figures()
        variants = figs.loc[figs["variant_of"].notna(), "observation_id"]
        assert len(variants)  # the data have variants: the check above is not empty
        every = {m for fig in drawn.values() for m in _statement_marks(fig)}
        assert not every & set(variants)

    def test_nearly_is_drawn_below_its_number(self, drawn: dict[str, Any]) -> None:
        """'Nearly 200' is a mark at 200 with its line below it, never above."""
        s = powdata.series("foreign-pows-held")
        row = s.loc[s["qualifier"] == "nearly"].iloc[0]
        gids = _by_gid(drawn["vintages"])
        assert list(gids[f"nearly:{row.observation_id}"].get_ydata()) == [float(row.value)]
        span = list(gids[f"nearly-span:{row.observation_id}"].get_ydata())
        assert max(span) == float(row.value) and min(span) < float(row.value)

    def test_more_than_is_an_open_circle_with_an_arrow_up(self, drawn: dict[str, Any]) -> None:
        """'More than 100' is an open circle at 100 with an arrow upward, never a plain point."""
        gids = _by_gid(drawn["vintages"])
        mark = gids["open:foreign-pows-held-2025-08-14"]
        assert list(mark.get_ydata()) == [100.0] and mark.get_markerfacecolor() == "white"
        arrow = gids["arrow:foreign-pows-held-2025-08-14"]
        assert arrow.xy[1] > arrow.xyann[1] == 100.0
        assert "point:foreign-pows-held-2025-08-14" not in gids

    def test_periods_are_never_joined(self, drawn: dict[str, Any]) -> None:
        """Each period's figure is its own two-point segment across its own period; a year is a year wide."""
        fig = drawn["periods"]
        gids = _by_gid(fig)
        segs = {g.split(":", 1)[1]: a for g, a in gids.items() if g.startswith("period:")}
        rows = [r for p in _panels("periods") for r in p.rows.itertuples()]
        assert sorted(segs) == sorted(r.observation_id for r in rows)
        for r in rows:
            xs = segs[r.observation_id].get_xdata()
            assert len(xs) == 2
            assert xs[0].isoformat() == r.period_start.strftime("%Y-%m-%d")
        from matplotlib.lines import Line2D

        for ax in fig.axes:  # no other line passes through two statements' values
            # np.asarray: matplotlib types get_xdata as any ArrayLike (a scalar too), which has no len()
            lines = [ln for ln in ax.get_lines() if isinstance(ln, Line2D) and len(np.asarray(ln.get_xdata())) > 2]
            assert lines == []
        share = {r.as_of: r for r in rows if str(r.as_of) in ("2024", "2025-07")}
        width = {
            k: (segs[v.observation_id].get_xdata()[1] - segs[v.observation_id].get_xdata()[0]).days
            for k, v in share.items()
        }
        assert width == {"2024": 366, "2025-07": 31}

    def test_readings_are_labelled_as_readings(self, drawn: dict[str, Any]) -> None:
        """A figure with a recorded reading is marked † and the chart says what † means; titles state no reading."""
        fig = drawn["periods"]
        gids = _by_gid(fig)
        rows = [r for p in _panels("periods") for r in p.rows.itertuples()]
        with_reading = [r for r in rows if isinstance(r.reading, str) and r.reading]
        assert with_reading
        for r in rows:
            label = gids[f"label:{r.observation_id}"].get_text()
            assert ("†" in label) == (r in with_reading)
        assert "† powdata records a reading of this figure that no text states" in gids["note"].get_text()
        titles = " ".join(ax.get_title(loc="left") for ax in fig.axes)
        assert "taken" not in titles  # the reading 'taken' is not the indicator's name

    def test_parts_and_the_computed_rest(self, drawn: dict[str, Any]) -> None:
        """Each stated part is a bar; what no part accounts for is computed, hatched and labelled so."""
        gids = _by_gid(drawn["parts"])
        (p,) = [p for p in _panels("parts") if p.indicator_id == "foreign-fighters-listed"]
        parts = {r.observation_id: float(r.value) for r in p.rows.itertuples()}
        assert {oid: gids[f"bar:{oid}"].get_width() for oid in parts} == parts
        rest = gids[f"computed:{p.whole['observation_id']}"]
        assert rest.get_width() == float(p.whole["value"]) - sum(parts.values()) and rest.get_hatch() == "//"
        assert gids[f"label:computed:{p.whole['observation_id']}"].get_text().endswith("(computed)")

    def test_at_least_after_an_edit(self, edit_pkg: Any) -> None:
        """'At least' is a filled dot with an arrow up and its words in the label."""
        oid = "foreign-pow-countries-2025-08-14"
        pkg = edit_pkg("observations", lambda rows: by_id(rows, "observation_id", oid).update(qualifier="at_least"))
        gids = _by_gid(draw("vintages", path=pkg))
        assert gids[f"open:{oid}"].get_markerfacecolor() != "white" and f"arrow:{oid}" in gids
        assert gids[f"label:{oid}"].get_text() == "at least 32"


class TestFiles:
    def test_png_is_readable_at_readme_width(self) -> None:
        """A PNG is 960 pixels wide (a README's or site's text column) with text at least 7.5 points."""
        png = render(draw("vintages"), "png")
        width, _height = struct.unpack(">II", png[16:24])
        assert png.startswith(b"\x89PNG") and width == 8 * DPI == 960
        sizes = [t.get_fontsize() for t in _texts(draw("vintages"))]
        assert min(sizes) >= 7.5

    def test_svg_keeps_text_and_redraws_the_same(self) -> None:
        """SVG output keeps labels as text, carries no date, and the same chart renders to the same bytes."""
        a = render(draw("periods"), "svg")
        assert a == render(draw("periods"), "svg")
        assert {"49% †", "(Jul 2025)"} <= _svg_texts(a.decode()) and "<dc:date>" not in a.decode()

    def test_unknown_chart_writes_nothing(self, tmp_path: Path) -> None:
        """A chart name that does not exist is refused before anything is written, naming what exists."""
        with pytest.raises(
            PowdataError, match="chart 'pie': expected one of vintages, periods, parts, or an indicator"
        ):
            plot(tmp_path, charts=["vintages", "pie"])
        assert not list(tmp_path.iterdir())

    def test_cli(self, tmp_path: Path) -> None:
        """`powdata plot --to DIR --format png` writes every overview chart; an indicator id draws that indicator."""
        r = run_cli("plot", "--to", str(tmp_path), "--format", "png")
        assert r.returncode == 0, r.stderr
        names = sorted(p.name for p in tmp_path.iterdir())
        assert {f"{c}.png" for c in CHARTS} <= set(names)
        assert names == sorted(f"{c}.png" for c in OVERVIEW)  # and the further pages of each
        r = run_cli("plot", "foreign-pows-held", "--to", str(tmp_path))
        assert r.returncode == 0 and (tmp_path / "foreign-pows-held.svg").is_file(), r.stderr

    def test_missing_matplotlib_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without matplotlib, drawing says which extra to install."""
        for mod in ("matplotlib", "matplotlib.dates", "matplotlib.figure"):
            monkeypatch.setitem(sys.modules, mod, None)
        with pytest.raises(MissingExtraError, match=r"pip install 'powdata\[plot\]'"):
            draw("vintages")

    @pytest.mark.parametrize("chart", OVERVIEW)
    def test_readme_charts_are_fresh(self, chart: str) -> None:
        """docs/charts/CHART.svg shows what a fresh draw shows (regenerate: powdata plot --to docs/charts)."""
        committed = (DOCS / f"{chart}.svg").read_text(encoding="utf-8")
        assert _svg_texts(committed) == _svg_texts(render(draw(chart, path=SHIPPED), "svg").decode())


def _contents(name: str) -> str:
    """The README's line for one overview image: its file and what its panels show, read from the data."""
    shown = []
    for p in _panels(name):
        area = "" if p.area_id in ("all", "parts") else f" ({p.area_id})"
        whole = f" (parts of `{p.whole['observation_id']}`)" if p.kind == "parts" else ""
        shown.append(f"`{p.indicator_id}`{area}{whole}")
    return f"- `{name}.svg`: {', '.join(shown)}"


class TestShippedData:
    def test_every_chart_plots(self, tmp_path: Path, drawn: dict[str, Any], laid_out: Callable[[str], Any]) -> None:
        """Every chart of the shipped data is written (no label left without room), with its source and as-of line."""
        written = plot(tmp_path, charts=ALL, fmt="svg")
        assert [p.stem for p in written] == ALL and set(drawn) == set(ALL)
        for target in written:
            svg = target.read_text(encoding="utf-8")
            assert "Source: statements by " in svg and "As of: the latest figure shown is as of " in svg, target.name
        for chart in drawn:  # the same charts, read back: no two texts' boxes intersect
            fig = laid_out(chart)
            r = _renderer(fig)
            boxes = [t.get_window_extent(r) for t in _texts(fig)]
            assert not [1 for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)], chart

    def test_vintages_holds_every_series(self) -> None:
        """The vintages pages show every indicator that has two or more dated statements for one area, once each."""
        st = powdata.statements()
        st = st.loc[st["as_of"].notna() & st["period_start"].isna()]
        counts = st.groupby(["indicator_id", "area_id"]).size()
        inds = powdata.load("indicators")
        ranks = set(inds.loc[inds["unit"] == "rank", "indicator_id"])  # an order, not a quantity: never drawn
        series = {k for k, n in counts.items() if n >= 2 and k[0] not in ranks}
        shown = [(p.indicator_id, p.area_id) for name in pages("vintages", path=SHIPPED) for p in _panels(name)]
        assert len(shown) == len(set(shown)) and set(shown) == series
        assert len(series) > 4  # more than one page's worth: the split is exercised

    @pytest.mark.parametrize("chart", OVERVIEW)
    def test_each_page_stays_readable(self, drawn: dict[str, Any], chart: str) -> None:
        """An overview image holds at most PAGE inches of panels, so it stays at most 1,500 px tall at 960 px wide."""
        fig = drawn[chart]
        assert sum(ax.get_position().height for ax in fig.axes) * fig.get_figheight() <= PAGE
        assert fig.get_figwidth() * DPI == 960 and fig.get_figheight() * DPI <= 1500

    @pytest.mark.parametrize("chart", OVERVIEW)
    def test_readme_says_what_each_image_shows(self, chart: str) -> None:
        """The README embeds every overview image and lists the indicators it shows, as the data give them."""
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert f"(docs/charts/{chart}.svg)" in readme
        assert _contents(chart) in readme.splitlines()

    def test_crowded_labels_take_a_leader_or_a_number(self, edit_pkg: Any) -> None:
        """Ten statements of one figure at one date get ten labels that still meet no other label and no mark."""

        def crowd(rows: list[dict[str, str]]) -> None:
            mine = [r for r in rows if r["indicator_id"] == "foreign-pow-countries"]
            for row in mine:
                row.update(as_of="2025-11-25", value="37")
            rows += [{**r, "observation_id": f"{r['observation_id']}-again"} for r in mine]

        pkg = edit_pkg("observations", crowd)
        fig = draw("foreign-pow-countries", path=pkg)
        render(fig, "png")
        r = _renderer(fig)
        gids = _by_gid(fig)
        labels = {g: a for g, a in gids.items() if g.startswith("label:")}
        assert len(labels) == 10
        boxes = [a.get_window_extent(r) for a in labels.values()]
        assert not [1 for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
        marks = [a.get_window_extent(r) for g, a in gids.items() if g.startswith(MARKS)]
        assert not [1 for lab in boxes for m in marks if lab.overlaps(m)]
        leaders = [g for g in gids if g.startswith("leader:")]
        numbered = [a.get_text() for a in labels.values() if a.get_text().startswith("[")]
        assert leaders or numbered
        note = gids["note"].get_text()
        for n in numbered:  # a label drawn as a number has its words in the key
            assert f"{n.split()[0]} 37" in note
