"""Label placement on the extreme cases: every bar falling, one huge outlier, 1 and 250
areas. Nothing drawn may leave the figure, and every label is drawn whole."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from kpi.analysis.series import quarterly
from kpi.core import labels
from kpi.core.catalog import load_catalog
from kpi.notebook import plots
from tests.conftest import make_obs

CAT = load_catalog()
AREA = "cam-xuyen-town"


def _inside(chart: plots.Chart) -> list[str]:
    """The texts of the chart, after checking that everything drawn (tick labels in view,
    labels, titles, header) lies inside the figure."""
    fig = chart.figure
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    drawn = fig.get_tightbbox(canvas.get_renderer())
    width, height = fig.get_size_inches()
    assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, chart.alt
    assert drawn.x1 <= width + 0.01 and drawn.y1 <= height + 0.01, (drawn, width, chart.alt)
    return [t.get_text() for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_qoq_all_negative_with_a_missing_previous_quarter(lang: str) -> None:
    obs = make_obs([
        {"period": "2021Q4", "value": 9e9}, {"period": "2022Q1", "value": 1e9},
        {"indicator": "budget_expenditure", "period": "2021Q4", "value": 5e9},
        {"indicator": "budget_expenditure", "period": "2022Q1", "value": 4.9e9},
        {"indicator": "housing_tax_revenue", "period": "2022Q1", "value": 2e8},
    ])
    chart = plots.qoq_bars(quarterly(obs, CAT), CAT, AREA, "2022Q1", "revenue", lang=lang)
    shown = _inside(chart)
    assert plots._NO_PREVIOUS[lang] in shown  # whole, not cut to "k"
    assert labels.format_change((1e9 / 9e9 - 1) * 100, lang) in shown  # -88,9%


def test_qoq_one_huge_rise_reads_as_a_multiple() -> None:
    obs = make_obs([
        {"period": "2021Q4", "value": 4.4e6}, {"period": "2022Q1", "value": 4.88e9},
        {"indicator": "budget_expenditure", "period": "2021Q4", "value": 5e9},
        {"indicator": "budget_expenditure", "period": "2022Q1", "value": 4.5e9},
    ])
    shown = _inside(plots.qoq_bars(quarterly(obs, CAT), CAT, AREA, "2022Q1", "revenue"))
    assert "gấp 1.109 lần" in shown  # 4,88 tỷ / 4,4 triệu and "-10%" in shown


def _areas(n: int, outlier: bool = False) -> pd.DataFrame:
    rows = []
    for i in range(n):
        area = AREA if i == 0 else f"xa-{i:03d}-commune"
        value = 2e9 + i * 1.3e7
        if outlier and i == n - 1:
            value = 4e12
        rows += [{"area": area, "period": "2021Q4", "value": value * 0.9},
                 {"area": area, "period": "2022Q1", "value": value}]
    return make_obs(rows)


@pytest.mark.parametrize(("n", "outlier"), [(1, False), (2, False), (17, True), (250, False),
                                            (250, True)])
def test_ranking_fits_at_any_number_of_areas(n: int, outlier: bool) -> None:
    names = {AREA: "Thị trấn Cẩm Xuyên"} | {f"xa-{i:03d}-commune": f"Xã Số {i} Rất Dài Tên Để "
                                             "Thử Cắt Chữ" for i in range(1, n)}
    chart = plots.ranking(quarterly(_areas(n, outlier), CAT), CAT, "budget_revenue", "2022Q1",
                          AREA, names=names)
    shown = _inside(chart)
    rank = n  # the reported area has the smallest value: last
    assert f"xếp thứ {rank}/{n}" in chart.alt
    labelled = [s for s in shown if s[:1].isdigit() and ". " in s]
    assert len(labelled) == (n if n <= 16 else 15)  # all, or top 10 and bottom 5 (own among them)
    assert any(s.startswith(f"{rank}. Thị trấn Cẩm Xuyên") for s in labelled)
    assert ("»" in shown) == outlier  # the outlier's bar is cut, not the others flattened
    height = chart.figure.get_size_inches()[1]
    assert height < 9  # a province does not make a poster


def test_ranking_shows_the_own_row_between_top_and_bottom() -> None:
    obs = _areas(150)
    q = quarterly(obs, CAT)
    own = "xa-070-commune"
    chart = plots.ranking(q, CAT, "budget_revenue", "2022Q1", own)
    shown = _inside(chart)
    labelled = [s for s in shown if s[:1].isdigit() and ". " in s]
    assert len(labelled) == 16 and "…" in shown
    assert any(s.startswith(f"{150 - 70}. {own}") for s in labelled)
    assert "xếp thứ 80/150" in chart.alt


@pytest.mark.parametrize(("pct", "vi", "en"), [
    (12.34, "+12,3%", "+12.3%"), (-45.0, "-45%", "-45%"), (300.0, "+300%", "+300%"),
    (320.0, "gấp 4,2 lần", "4.2 times"), (111_277.0, "gấp 1.114 lần", "1,114 times"),
    (-400.0, "-400%", "-400%"),
])
def test_changes_beyond_300_percent_read_as_multiples(pct: float, vi: str, en: str) -> None:
    assert labels.format_change(pct) == vi and labels.format_change(pct, "en") == en
