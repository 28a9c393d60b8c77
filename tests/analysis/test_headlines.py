"""kpi.analysis.headlines, kpi.analysis.provenance and domain_findings on a small
hand-made quarter."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpi.analysis import Headline, domain_findings, headline, quarterly, sources
from kpi.core.catalog import load_catalog
from tests.conftest import make_obs

CAT = load_catalog()
AREA = "cam-xuyen-town"


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return make_obs([
        {"period": "2021Q4", "value": 4_349_000_000.0, "source": "q4.txt", "locator": "L10",
         "evidence": "thu 4.349.000.000 đ"},
        {"value": 4_884_100_000.0, "qualifier": "approx", "source": "52.txt", "locator": "L72",
         "evidence": "đạt gần Đạt 4.884.100.000đ"},
        {"measure": "pct_change_yoy", "value": -1.2, "source": "52.txt", "locator": "L72"},
        {"period": "2022Q4", "span": "year", "measure": "plan", "value": 20e9,
         "source": "52.txt", "locator": "L5"},
        {"indicator": "housing_tax_revenue", "span": "month", "month": 3, "value": 215e6,
         "source": "52.txt", "locator": "L72"},
        {"indicator": "budget_expenditure", "period": "2021Q4", "value": 3e9,
         "source": "q4.txt"},
        {"indicator": "housing_tax_households", "value": 35.0, "synthetic": True,
         "source": "sample.csv"},
        {"indicator": "unclassified", "value": 7.0, "source": "52.txt"},
        {"indicator": "industry_construction_output", "value": 45e9, "qualifier": "estimate",
         "source": "52.txt", "locator": "L70"},
        {"indicator": "handicraft_output", "value": 30e9, "qualifier": "estimate",
         "source": "52.txt", "locator": "L70"},
        {"indicator": "construction_output", "value": 50e9, "qualifier": "estimate",
         "source": "52.txt", "locator": "L70"},
        {"indicator": "construction_output", "value": 60e9, "source": "other.txt"},
    ])


@pytest.fixture(scope="module")
def head(obs) -> Headline:
    return headline(obs, CAT, AREA, "2022Q1", "revenue")


def test_one_row_per_indicator_in_catalogue_order(head):
    assert head.raw["indicator"].tolist() == [
        "budget_revenue", "budget_expenditure", "housing_tax_revenue", "housing_tax_households"]


def test_raw_numbers(head):
    row = head.raw.set_index("indicator").loc["budget_revenue"]
    assert row["value"] == 4_884_100_000.0
    assert row["qoq_pct"] == pytest.approx((4_884_100_000 / 4_349_000_000 - 1) * 100)
    assert math.isnan(row["yoy_pct"])
    assert row["yoy_reported_pct"] == -1.2
    assert row["pct_of_plan"] == pytest.approx(4_884_100_000 / 20e9 * 100)
    assert row["pct_of_pace"] == pytest.approx(4_884_100_000 / 20e9 * 100 / 25 * 100)
    assert row["flags"] == "gần"


def test_display_is_vietnamese_formatted(head):
    first = head.display.iloc[0].to_dict()
    assert first == {
        "Chỉ tiêu": "Tổng thu ngân sách",
        "Giá trị": "gần 4,88 tỷ đồng",
        "So với quý trước": "+12,3%",
        "So với cùng kỳ": "—",
        "So với cùng kỳ (báo cáo)": "-1,2%",
        "% kế hoạch năm": "24,4%",
        "% tiến độ": "97,7%",
        "Ghi chú": "không có số liệu cùng kỳ năm trước để so sánh",
    }


def test_gap_partial_figure_and_sample_data_are_labelled(head):
    notes = dict(zip(head.raw["indicator"], head.display["Ghi chú"], strict=True))
    assert notes["budget_expenditure"] == "không có số liệu quý này"
    assert notes["housing_tax_revenue"] == "tháng 3/2022; không có số liệu cả quý"
    assert notes["housing_tax_households"].startswith("dữ liệu mẫu; ")
    values = dict(zip(head.raw["indicator"], head.display["Giá trị"], strict=True))
    assert values == {"budget_revenue": "gần 4,88 tỷ đồng", "budget_expenditure": "—",
                      "housing_tax_revenue": "215 triệu đồng",
                      "housing_tax_households": "35 hộ"}
    assert head.raw.set_index("indicator")["synthetic"].to_dict() == {
        "budget_revenue": False, "budget_expenditure": False, "housing_tax_revenue": False,
        "housing_tax_households": True}


def test_english_display(obs):
    first = headline(obs, CAT, AREA, "2022Q1", "revenue", lang="en").display.iloc[0]
    assert (first["Indicator"], first["Value"], first["QoQ"]) == (
        "Total budget revenue", "nearly 4.88 billion VND", "+12.3%")


def test_headline_shows_in_a_notebook_as_its_display_table(head):
    html = head._repr_html_()
    assert "gần 4,88 tỷ đồng" in html and "<table" in html


def test_sources_lists_every_row_behind_the_numbers(obs):
    src = sources(obs, CAT, AREA, "2022Q1", "revenue")
    assert list(zip(src["indicator"], src["period"].astype(str), src["measure"],
                    src["source"], src["locator"], strict=True)) == [
        ("budget_revenue", "2021Q4", "value", "q4.txt", "L10"),
        ("budget_revenue", "2022Q1", "pct_change_yoy", "52.txt", "L72"),
        ("budget_revenue", "2022Q1", "value", "52.txt", "L72"),
        ("budget_revenue", "2022Q4", "plan", "52.txt", "L5"),
        ("budget_expenditure", "2021Q4", "value", "q4.txt", ""),
        ("housing_tax_revenue", "2022Q1", "value", "52.txt", "L72"),
        ("housing_tax_households", "2022Q1", "value", "sample.csv", ""),
    ]
    row = src[src["evidence"] != ""].iloc[1]
    assert (row["value_text"], row["evidence"]) == ("gần 4.884.100.000 đ",
                                                    "đạt gần Đạt 4.884.100.000đ")


def test_domain_findings_gathers_rules_conflicts_and_unclassified(obs):
    found = domain_findings(obs, CAT, AREA, "2022Q1", "economy")
    assert sorted(found["kind"]) == ["conflict", "rule", "unclassified"]
    unclassified = found[found["kind"] == "unclassified"].iloc[0]
    assert unclassified["detail"] == "1 số liệu quý I/2022 chưa gán chỉ tiêu nào"
    conflict = found[found["kind"] == "conflict"].iloc[0]
    assert conflict["indicator"] == "construction_output"
    assert conflict["values"] == (60e9, 50e9)  # exact preferred over ước
    assert "ước 50 tỷ đồng (52.txt L70)" in conflict["detail"]
    revenue = domain_findings(obs, CAT, AREA, "2022Q1", "revenue")
    assert revenue["kind"].tolist() == ["unclassified"]


def test_domain_findings_in_english(obs):
    found = domain_findings(quarterly(obs, CAT), CAT, AREA, "2022Q1", "economy", lang="en")
    assert "1 figure of Q1 2022 is not assigned to any indicator" in found["detail"].tolist()
