"""Charts: what is drawn (marks, arrows, bars, labels) is read back from the figure, not from pixels."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

import powdata
from powdata.charts import CHARTS, SHARE, draw, plot, render
from powdata.errors import MissingExtraError, PowdataError
from tests.conftest import ROOT, by_id, run_cli

DOCS = ROOT / "docs" / "charts"


def _by_gid(fig: Any) -> dict[str, Any]:
    return {a.get_gid(): a for a in fig.findobj(lambda a: a.get_gid() is not None)}


def _texts(fig: Any) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def _svg_texts(svg: str) -> set[str]:
    return set(re.findall(r"<text[^>]*>([^<]+)</text>", svg))


class TestVintages:
    def test_more_than_is_an_open_circle_with_an_arrow_up(self) -> None:
        """'More than 100' is an open circle at 100 with an arrow upward, never a plain point."""
        drawn = _by_gid(draw("vintages"))
        mark = drawn["open:foreign-pows-held-2025-08-14"]
        assert list(mark.get_ydata()) == [100.0] and mark.get_markerfacecolor() == "none"
        arrow = drawn["arrow:foreign-pows-held-2025-08-14"]
        assert arrow.xy[1] > arrow.xyann[1] == 100.0  # the arrow starts at 100 and points up
        assert "point:foreign-pows-held-2025-08-14" not in drawn

    def test_exact_figures_are_points(self) -> None:
        """An exact figure is a filled point at its value."""
        drawn = _by_gid(draw("vintages"))
        assert list(drawn["point:foreign-pow-countries-2025-08-14"].get_ydata()) == [32.0]
        assert list(drawn["point:foreign-contracts-signed-2024"].get_ydata()) == [6011.0]

    def test_labels_and_note(self) -> None:
        """Each mark has its worded label; the note counts the undated figures left out."""
        fig = draw("vintages")
        texts = _texts(fig)
        assert "more than 100" in texts and "32" in texts and "6,162" in texts
        f = powdata.figures()
        drawn = f.loc[(f["area_id"] == "all") & (f["unit"] != "rank") & (f["indicator_id"] != SHARE)]
        undated = int(drawn["as_of"].isna().sum())
        note = _by_gid(fig)["note"].get_text()
        assert (f"Not drawn: {undated} undated" in note) if undated else ("Not drawn" not in note)

    def test_undated_figures_are_counted(self, edit_pkg) -> None:  # type: ignore[no-untyped-def]
        """A figure with no as_of cannot be placed in time: it is left out and counted in the note."""
        oid = "foreign-pow-countries-2025-08-14"
        pkg = edit_pkg("observations", lambda rows: by_id(rows, "observation_id", oid).update(as_of=""))
        fig = draw("vintages", path=pkg)
        assert "point:" + oid not in _by_gid(fig)
        before = draw("vintages")
        count = re.search(r"Not drawn: (\d+)", _by_gid(before)["note"].get_text())
        n = int(count.group(1)) if count else 0
        assert f"Not drawn: {n + 1} undated figure" in _by_gid(fig)["note"].get_text()

    @pytest.mark.parametrize(
        ("qualifier", "gid", "label"),
        [("at_least", "open:", "at least 32"), ("approximately", "whisker:", "about 32")],
    )
    def test_each_qualifier_is_drawn_as_its_interval(self, edit_pkg, qualifier: str, gid: str, label: str) -> None:  # type: ignore[no-untyped-def]
        """'At least' is a filled dot with an arrow; 'approximately' a whisker over its tolerance."""
        oid = "foreign-pow-countries-2025-08-14"
        pkg = edit_pkg("observations", lambda rows: by_id(rows, "observation_id", oid).update(qualifier=qualifier))
        fig = draw("vintages", path=pkg)
        drawn = _by_gid(fig)
        assert gid + oid in drawn and label in _texts(fig)
        if qualifier == "at_least":
            assert drawn["open:" + oid].get_markerfacecolor() != "none" and "arrow:" + oid in drawn
        else:
            (seg,) = drawn["whisker:" + oid].get_segments()
            assert sorted(y for _, y in seg) == pytest.approx([32 * 0.9, 32 * 1.1])


class TestForeignShare:
    def test_bars_values_and_periods(self) -> None:
        """One bar per period with its value, labelled by year (or month), in time order."""
        fig = draw("foreign-share")
        drawn = _by_gid(fig)
        heights = [drawn[f"bar:foreign-share-of-pows-{p}"].get_height() for p in ("2022", "2023", "2024", "2025-07")]
        assert heights == [1.0, 9.0, 42.0, 49.0]
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2022", "2023", "2024", "Jul 2025"]
        assert {"1%", "9%", "42%", "49%"} <= set(_texts(fig))


class TestListedByGroup:
    def test_groups_and_the_part_no_group_accounts_for(self) -> None:
        """Each group is a bar; the 1,262 not attributed is a hatched bar labelled computed; the total is a line."""
        fig = draw("listed-by-group")
        drawn = _by_gid(fig)
        assert drawn["bar:foreign-fighters-listed-africa-2025-08"].get_width() == 1013.0
        rest = drawn["computed:not-attributed"]
        assert rest.get_width() == 1262.0 and rest.get_hatch() == "//"
        assert "1,262 (computed, never stated)" in _texts(fig)
        assert list(drawn["total"].get_xdata()) == [16894.0, 16894.0]
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert labels[-1] == "Not attributed to any group (computed)" and len(labels) == 4


class TestFiles:
    def test_svg_keeps_text_and_redraws_the_same(self) -> None:
        """SVG output keeps labels as text, carries no date, and the same chart renders to the same bytes."""
        a = render(draw("foreign-share"), "svg")
        assert a == render(draw("foreign-share"), "svg")
        assert "49%" in _svg_texts(a.decode()) and "<dc:date>" not in a.decode()

    def test_png(self, tmp_path: Path) -> None:
        """PNG output is a PNG file."""
        (target,) = plot(tmp_path, charts=["listed-by-group"], fmt="png")
        assert target.read_bytes().startswith(b"\x89PNG")

    def test_unknown_chart_writes_nothing(self, tmp_path: Path) -> None:
        """A chart name that does not exist is refused before anything is written."""
        with pytest.raises(PowdataError, match="chart 'pie': expected one of vintages"):
            plot(tmp_path, charts=["vintages", "pie"])
        assert not list(tmp_path.iterdir())

    def test_cli(self, tmp_path: Path) -> None:
        """`powdata plot --to DIR --format png` writes every chart."""
        r = run_cli("plot", "--to", str(tmp_path), "--format", "png")
        assert r.returncode == 0, r.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{c}.png" for c in CHARTS)

    def test_missing_matplotlib_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without matplotlib, drawing says which extra to install."""
        for mod in ("matplotlib", "matplotlib.dates", "matplotlib.figure"):
            monkeypatch.setitem(sys.modules, mod, None)
        with pytest.raises(MissingExtraError, match=r"pip install 'powdata\[plot\]'"):
            draw("vintages")

    @pytest.mark.parametrize("chart", CHARTS)
    def test_readme_charts_are_fresh(self, chart: str) -> None:
        """docs/charts/CHART.svg shows what a fresh draw shows (regenerate: powdata plot --to docs/charts)."""
        committed = (DOCS / f"{chart}.svg").read_text(encoding="utf-8")
        assert _svg_texts(committed) == _svg_texts(render(draw(chart), "svg").decode())
