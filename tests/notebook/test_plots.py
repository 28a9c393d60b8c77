"""kpi.notebook.plots: charts render with Vietnamese labels, alt text and the sample-data mark."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from kpi.analysis import quarterly
from kpi.core.catalog import load_catalog
from kpi.notebook import plots
from tests.conftest import make_obs

CAT = load_catalog()
AREA = "cam-xuyen-town"
PNG = b"\x89PNG\r\n\x1a\n"


def revenue_obs(synthetic: bool = False) -> pd.DataFrame:
    rows = [{"period": p, "value": v} for p, v in
            (("2021Q1", 3.1e9), ("2021Q3", 3.9e9), ("2021Q4", 4.349e9))]
    rows.append({"period": "2022Q1", "value": 4_884_100_000.0, "qualifier": "approx",
                 "synthetic": synthetic})
    rows += [{"area": "cam-xuyen-xa", "period": p, "value": v}
             for p, v in (("2021Q4", 2.0e9), ("2022Q1", 2.5e9))]
    rows += [{"indicator": "budget_expenditure", "period": p, "value": v}
             for p, v in (("2021Q4", 3.0e9), ("2022Q1", 2.7e9))]
    rows += [{"indicator": "housing_tax_revenue", "value": 215e6}]
    return make_obs(rows)


@pytest.fixture(autouse=True)
def no_open_figures():
    yield
    assert plt.get_fignums() == []  # charts never leave pyplot figures behind


def texts(chart: plots.Chart) -> list[str]:
    fig = chart.figure
    return [t.get_text() for t in fig.texts] + [
        t.get_text() for ax in fig.axes for t in (*ax.texts, ax.title, *ax.get_xticklabels())]


def test_use_theme_is_idempotent_and_sets_the_font():
    plots.use_theme()
    first = {k: str(v) for k, v in matplotlib.rcParams.items()}
    plots.use_theme()
    assert {k: str(v) for k, v in matplotlib.rcParams.items()} == first
    assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"


def test_trend_renders_with_alt_text_and_the_current_quarter_labelled():
    chart = plots.trend(revenue_obs(), CAT, AREA, "budget_revenue", "2022Q1")
    assert chart.png().startswith(PNG)
    (ax,) = chart.figure.axes
    assert len(ax.patches) == 8  # eight quarters, gaps as empty bars
    assert to_hex(ax.patches[-1].get_facecolor()) == plots.CURRENT
    shown = texts(chart)
    assert "gần 4,88 tỷ đồng" in shown
    assert "Quý I\n2022" in shown
    assert shown.count("không có\nsố liệu") == 4  # 2020Q2, 2020Q3, 2020Q4, 2021Q2
    assert ax.get_ylabel() == "tỷ đồng"
    assert ax.yaxis.get_major_formatter()(2.5, 0) == "2,5"
    assert chart.alt.startswith("Biểu đồ cột Tổng thu ngân sách của cam-xuyen-town, 8 quý "
                                "từ Quý II/2020 đến Quý I/2022.")
    assert "Quý I/2022: gần 4,88 tỷ đồng" in chart.alt
    assert "Quý II/2021: không có số liệu" in chart.alt
    assert plots.SAMPLE_MARK["vi"] not in shown


def test_chart_html_is_a_self_contained_img_with_alt():
    chart = plots.trend(revenue_obs(), CAT, AREA, "budget_revenue", "2022Q1")
    html = chart._repr_html_()
    assert html.startswith('<img src="data:image/png;base64,')
    assert 'alt="Biểu đồ cột Tổng thu ngân sách' in html


def test_sample_data_is_marked_on_every_chart_kind():
    obs = revenue_obs(synthetic=True)
    charts = [plots.trend(obs, CAT, AREA, "budget_revenue", "2022Q1"),
              plots.qoq_bars(obs, CAT, AREA, "2022Q1", "revenue"),
              plots.small_multiples(obs, CAT, "budget_revenue", "2022Q1")]
    for chart in charts:
        assert plots.SAMPLE_MARK["vi"] in texts(chart)
        assert chart.alt.endswith("Dữ liệu mẫu, không phải báo cáo thật.")
    en = plots.trend(obs, CAT, AREA, "budget_revenue", "2022Q1", lang="en")
    assert plots.SAMPLE_MARK["en"] in texts(en)


def test_qoq_bars_colour_by_the_catalogue_direction():
    obs = pd.concat([revenue_obs(), make_obs([
        {"indicator": "covid_f0_cases", "period": "2021Q4", "value": 10.0},
        {"indicator": "covid_f0_cases", "value": 12.0},
    ])], ignore_index=True)
    chart = plots.qoq_bars(obs, CAT, AREA, "2022Q1", "revenue")
    (ax,) = chart.figure.axes
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    # revenue up (good), expenditure down (neutral indicator), housing tax: no previous
    assert colours == [plots.GOOD, plots.NEUTRAL, plots.NEUTRAL]
    assert chart.alt == ("Thay đổi so với quý trước, quý I/2022 — cam-xuyen-town. "
                         "Tổng thu ngân sách: +12,3%; Tổng chi ngân sách: -10%; "
                         "Thu thuế nhà ở tư nhân: không có số liệu quý trước.")
    health = plots.qoq_bars(obs, CAT, AREA, "2022Q1", "health")
    assert [to_hex(p.get_facecolor()) for p in health.figure.axes[0].patches] == [plots.BAD]


def test_small_multiples_one_panel_per_area():
    chart = plots.small_multiples(quarterly(revenue_obs(), CAT), CAT, "budget_revenue",
                                  "2022Q1", lang="en")
    visible = [ax for ax in chart.figure.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["cam-xuyen-town", "cam-xuyen-xa"]
    assert "cam-xuyen-town: nearly 4.88 billion VND; cam-xuyen-xa: 2.5 billion VND" in chart.alt
    assert "Q1\n2022" in texts(chart)
    assert chart.png().startswith(PNG)


def test_vietnamese_labels_render_without_missing_glyph_warnings():
    obs = revenue_obs(synthetic=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for chart in (plots.trend(obs, CAT, AREA, "budget_revenue", "2022Q1"),
                      plots.qoq_bars(obs, CAT, AREA, "2022Q1", "revenue"),
                      plots.small_multiples(obs, CAT, "budget_revenue", "2022Q1")):
            chart.png()
