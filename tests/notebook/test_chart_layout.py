"""Fixed chart layout: measured widths match what Agg draws, nothing is clipped or overlaps."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from kpi.core.catalog import load_catalog
from kpi.notebook import chart_layout as layout
from kpi.notebook import plots
from kpi.util import images
from tests.conftest import make_obs

CAT = load_catalog()
AREA = "cam-xuyen-town"
LONG = "Thị trấn Cẩm Xuyên, huyện Cẩm Xuyên, tỉnh Hà Tĩnh (địa bàn thí điểm chuyển đổi số)"


def _agg_width(text: str, size: float, weight: str = "normal") -> float:
    fig = Figure(figsize=(4, 2), dpi=100)
    t = fig.text(0, 0, text, fontsize=size, fontweight=weight, family=layout.FONT)
    canvas = FigureCanvasAgg(fig)
    return t.get_window_extent(canvas.get_renderer()).width / fig.dpi


@pytest.mark.parametrize(("text", "size", "weight"), [
    ("Tổng thu ngân sách — Thị trấn Cẩm Xuyên", 12, "bold"),
    ("gần 4,88 tỷ đồng", 9, "bold"),
    ("Rãnh, mương thoát nước làm mới", 9, "normal"),
    ("123.456.789", 9, "normal"),
])
def test_text_width_covers_what_agg_draws_and_little_more(text, size, weight):
    drawn = _agg_width(text, size, weight)
    assert drawn <= layout.text_width(text, size, weight) <= drawn * 1.08


words = st.lists(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyýỳỹảạ", min_size=1,
                         max_size=12), min_size=1, max_size=20)


@given(words, st.floats(min_value=0.5, max_value=6.0))
@settings(max_examples=60, deadline=None)
def test_wrap_keeps_every_word_and_lines_fit(ws, width):
    text = " ".join(ws)
    wrapped = layout.wrap(text, 12, width, "bold")
    assert wrapped.replace("\n", " ") == text
    for line in wrapped.split("\n"):
        assert (layout.text_width(line, 12, "bold") <= width + 1e-9) or " " not in line


def test_place_refuses_margins_that_leave_no_room():
    fig = Figure(figsize=(2, 2))
    fig.add_subplot()
    with pytest.raises(ValueError, match="no room"):
        layout.place(fig, layout.Margins(1.5, 0.6, 0.1, 0.1))


def _revenue(synthetic: bool) -> pd.DataFrame:
    rows = [{"period": p, "value": v, "synthetic": synthetic}
            for p, v in (("2021Q3", 3.9e9), ("2021Q4", 4.349e9), ("2022Q1", 123_456_789_000.0))]
    rows += [{"area": a, "period": "2022Q1", "value": 2.5e9}
             for a in ("cam-binh-commune", "cam-quang-commune", "cam-thach-commune",
                       "cam-vinh-commune")]
    rows += [{"indicator": "budget_expenditure", "period": p, "value": v}
             for p, v in (("2021Q4", 3.0e9), ("2022Q1", 2.7e9))]
    return make_obs(rows)


def _charts(lang: str, synthetic: bool) -> list[plots.Chart]:
    obs = _revenue(synthetic)
    names = {AREA: LONG}
    return [plots.trend(obs, CAT, AREA, "budget_revenue", "2022Q1", lang=lang, names=names),
            plots.qoq_bars(obs, CAT, AREA, "2022Q1", "revenue", lang=lang, names=names),
            plots.small_multiples(obs, CAT, "budget_revenue", "2022Q1", lang=lang,
                                  names=names)]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("synthetic", [False, True])
def test_no_text_is_clipped_and_the_header_does_not_touch_the_mark(lang, synthetic):
    for chart in _charts(lang, synthetic):
        fig = chart.figure
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        # everything drawn (tick labels in view, titles, annotations, header) is on the page
        drawn = fig.get_tightbbox(renderer)
        width, height = fig.get_size_inches()
        assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, chart.alt
        assert drawn.x1 <= width + 0.01 and drawn.y1 <= height + 0.01, chart.alt
        header = fig.texts[0].get_window_extent(renderer)
        assert header.y0 > max(ax.get_window_extent(renderer).y1 for ax in fig.axes
                               if ax.get_visible())  # the title sits above every axes
        if synthetic:
            mark = next(t for t in fig.texts if t.get_text() == plots.SAMPLE_MARK[lang])
            assert not header.overlaps(mark.get_window_extent(renderer))
        # the area's name, not its slug: whole in the header, or cut to fit a panel
        shown = [fig.texts[0].get_text().replace("\n", " "),
                 *(ax.get_title(loc="left") for ax in fig.axes)]
        assert any(LONG in t or (t.endswith("…") and LONG.startswith(t[:-1])) for t in shown)
        assert LONG in chart.alt and AREA not in chart.alt


def test_chart_png_is_a_palette_image_that_report_rendering_keeps_as_is():
    chart = _charts("vi", True)[0]
    data = chart.png()
    assert images.is_palette_png(data)
    assert images.shrink_png(data) is data
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.mode == "P"
        width, height = chart.figure.get_size_inches() * plots.DPI
        assert picture.size == (int(width), int(height))


def test_shrink_png_reads_the_header_not_a_lookalike():
    assert not images.is_palette_png(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)
    assert not images.is_palette_png(b"GIF89a" + b"\x03" * 40)
