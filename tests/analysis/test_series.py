"""kpi.analysis.series: quarter values from quarters, months, year-to-date figures and parts."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.analysis import quarterly
from kpi.analysis.qualifiers import combine
from kpi.core.catalog import load_catalog
from tests.conftest import make_obs

CAT = load_catalog()
AREA = "cam-xuyen-town"


def quarter_rows(result, indicator: str = "budget_revenue") -> pd.DataFrame:
    t = result.table
    t = t[(t["indicator"] == indicator) & (t["measure"] == "value") & (t["span"] == "quarter")]
    return t.set_index(t["period"].astype(str))


def test_reported_quarter_passes_through_with_provenance():
    obs = make_obs([{"value": 4_884_100_000.0, "qualifier": "approx", "locator": "L72",
                     "evidence": "đạt gần Đạt 4.884.100.000đ"}])
    table, findings = quarterly(obs, CAT)
    row = quarter_rows(quarterly(obs, CAT)).loc["2022Q1"]
    assert row["value"] == 4_884_100_000.0
    assert row["qualifier"] == "approx"
    assert row["method"] == "reported"
    assert not row["derived"]
    assert (row["source"], row["locator"], row["evidence"]) == (
        "r.txt", "L72", "đạt gần Đạt 4.884.100.000đ")
    assert row["inputs"] == (0,)
    assert findings.empty
    assert len(table) == 1


def test_three_months_sum_to_the_quarter():
    obs = make_obs([
        {"span": "month", "month": 1, "value": 10.0, "locator": "L1", "evidence": "tháng 1"},
        {"span": "month", "month": 2, "value": 20.0, "locator": "L2", "evidence": "tháng 2"},
        {"span": "month", "month": 3, "value": 30.0, "locator": "L3", "evidence": "tháng 3"},
    ])
    row = quarter_rows(quarterly(obs, CAT)).loc["2022Q1"]
    assert row["value"] == 60.0
    assert row["method"] == "sum_of_months"
    assert row["derived"]
    assert row["inputs"] == (0, 1, 2)
    assert row["locator"] == "L1 | L2 | L3"
    assert row["evidence"] == "tháng 1 | tháng 2 | tháng 3"


def test_two_months_make_no_quarter_but_stay_visible_as_months():
    obs = make_obs([{"span": "month", "month": 1, "value": 10.0},
                    {"span": "month", "month": 3, "value": 30.0}])
    result = quarterly(obs, CAT)
    assert quarter_rows(result).empty
    months = result.table[result.table["span"] == "month"]
    assert months["month"].tolist() == [1, 3]
    assert months["value"].tolist() == [10.0, 30.0]


def test_year_to_date_differences():
    obs = make_obs([
        {"period": "2022Q1", "span": "quarter", "value": 4.0},
        {"period": "2022Q2", "span": "ytd", "value": 10.0},  # 6 tháng đầu năm
        {"period": "2022Q3", "span": "ytd", "value": 15.0},  # 9 tháng
        {"period": "2022Q4", "span": "year", "value": 22.0},  # cả năm
    ])
    result = quarterly(obs, CAT)
    rows = quarter_rows(result)
    assert rows["value"].to_dict() == {"2022Q1": 4.0, "2022Q2": 6.0, "2022Q3": 5.0,
                                       "2022Q4": 7.0}
    assert rows.loc["2022Q2", "method"] == "ytd_difference"
    assert rows.loc["2022Q2", "inputs"] == (1, 0)  # 6 months minus Q1
    assert rows.loc["2022Q2", "derived"]
    assert result.findings.empty


def test_first_quarter_from_a_three_month_cumulative_figure():
    obs = make_obs([{"period": "2022Q1", "span": "ytd", "value": 4.0}])
    row = quarter_rows(quarterly(obs, CAT)).loc["2022Q1"]
    assert (row["value"], row["method"]) == (4.0, "ytd_q1")


def test_ytd_difference_needs_the_earlier_cumulative():
    obs = make_obs([{"period": "2022Q3", "span": "ytd", "value": 15.0}])
    result = quarterly(obs, CAT)
    assert quarter_rows(result).empty
    assert result.cumulative["value"].tolist() == [15.0]


def test_cumulative_is_the_sum_of_quarters_when_not_stated():
    obs = make_obs([{"period": "2022Q1", "value": 4.0}, {"period": "2022Q2", "value": 6.0},
                    {"period": "2022Q4", "value": 9.0}])
    cum = quarterly(obs, CAT).cumulative.set_index("period")
    assert cum["value"].to_dict() == {pd.Period("2022Q1", "Q"): 4.0,
                                      pd.Period("2022Q2", "Q"): 10.0}  # Q3 gap: no Q4 total
    assert cum.loc[pd.Period("2022Q2", "Q"), "method"] == "sum_of_quarters"


@pytest.mark.parametrize(("ytd_q", "q1_q", "expected"), [
    ("approx", "exact", "approx"),
    ("more_than", "exact", "more_than"),  # hơn 10 − 4 = hơn 6
    ("exact", "more_than", "less_than"),  # 10 − hơn 4 = dưới 6
    ("estimate", "exact", "estimate"),
])
def test_qualifiers_carry_into_derived_values(ytd_q, q1_q, expected):
    obs = make_obs([{"period": "2022Q1", "value": 4.0, "qualifier": q1_q},
                    {"period": "2022Q2", "span": "ytd", "value": 10.0, "qualifier": ytd_q}])
    assert quarter_rows(quarterly(obs, CAT)).loc["2022Q2", "qualifier"] == expected


def test_combine_rules():
    assert combine(["exact", "exact"]) == "exact"
    assert combine(["more_than", "more_than"]) == "more_than"
    assert combine(["more_than", "less_than"]) == "approx"
    assert combine(["more_than", "estimate"]) == "approx"
    assert combine(["less_than", "exact"], [-1, 1]) == "more_than"


def test_synthetic_input_makes_a_synthetic_sum():
    obs = make_obs([{"span": "month", "month": m, "value": 1.0, "synthetic": m == 2}
                    for m in (1, 2, 3)])
    assert bool(quarter_rows(quarterly(obs, CAT)).loc["2022Q1", "synthetic"])


def test_conflicting_sources_give_a_finding_and_the_documented_pick():
    obs = make_obs([
        {"value": 4_884_100_000.0, "source": "a.txt", "locator": "L72"},
        {"value": 5_200_000_000.0, "source": "b.txt", "locator": "L3"},
        # b.txt also reports 2022Q2: it is the later report, so its figure is preferred
        {"period": "2022Q2", "value": 6e9, "source": "b.txt", "locator": "L9"},
    ])
    result = quarterly(obs, CAT)
    assert quarter_rows(result).loc["2022Q1", "value"] == 5_200_000_000.0
    (finding,) = result.findings.to_dict("records")
    assert finding["kind"] == "conflict"
    assert (finding["area"], finding["period"], finding["indicator"]) == (
        AREA, "2022Q1", "budget_revenue")
    assert finding["values"] == (5_200_000_000.0, 4_884_100_000.0)
    assert finding["source"] == "b.txt | a.txt"
    assert "5,2 tỷ đồng (b.txt L3)" in finding["detail"]
    assert "4,88 tỷ đồng (a.txt L72)" in finding["detail"]
    assert finding["detail"].endswith("Dùng 5,2 tỷ đồng (b.txt L3).")
    assert "figures disagree" in finding["detail_en"]


def test_exact_is_preferred_over_approx_whatever_the_order():
    obs = make_obs([{"value": 5e9, "qualifier": "approx", "source": "a.txt"},
                    {"value": 4e9, "source": "b.txt"}])
    result = quarterly(obs, CAT)
    assert quarter_rows(result).loc["2022Q1", "value"] == 4e9
    assert len(result.findings) == 1


def test_sample_data_is_not_preferred_over_a_real_report():
    obs = make_obs([{"value": 5e9, "synthetic": True, "source": "sample.csv"},
                    {"value": 4e9, "qualifier": "approx", "source": "r.txt"}])
    assert quarter_rows(quarterly(obs, CAT)).loc["2022Q1", "value"] == 4e9


def test_values_equal_within_rounding_are_no_conflict():
    obs = make_obs([{"value": 4_884_100_000.0, "source": "a.txt"},
                    {"value": 4_880_000_000.0, "source": "b.txt"},  # "4,88 tỷ"
                    {"value": 4_900_000_000.0, "qualifier": "approx", "source": "c.txt"}])
    assert quarterly(obs, CAT).findings.empty


def test_a_stated_quarter_disagreeing_with_its_months_is_a_finding():
    obs = make_obs([{"value": 100.0}] + [{"span": "month", "month": m, "value": 10.0}
                                          for m in (1, 2, 3)])
    result = quarterly(obs, CAT)
    assert quarter_rows(result).loc["2022Q1", "value"] == 100.0
    assert result.findings["values"].tolist() == [(100.0, 30.0)]
    assert "tổng 3 tháng" in result.findings["detail"].iloc[0]


def test_stock_takes_the_latest_to_date_value():
    obs = make_obs([
        {"indicator": "party_members", "span": "to_date", "as_of": "2022-02-15", "value": 1100.0},
        {"indicator": "party_members", "span": "to_date", "as_of": "2022-03-20", "value": 1124.0},
        {"indicator": "party_members", "period": "2022Q2", "value": 1130.0},
    ])
    rows = quarter_rows(quarterly(obs, CAT), "party_members")
    assert rows["value"].to_dict() == {"2022Q1": 1124.0, "2022Q2": 1130.0}
    assert rows.loc["2022Q1", "method"] == "last_as_of"
    assert not rows.loc["2022Q1", "derived"]


def test_flow_running_totals_are_not_quarter_values():
    obs = make_obs([{"indicator": "covid_doses_total", "span": "to_date", "value": 4173.0}])
    result = quarterly(obs, CAT)
    assert quarter_rows(result, "covid_doses_total").empty
    assert result.table["span"].tolist() == ["to_date"]


@pytest.fixture
def rate_catalog(tmp_path: Path):
    extra = tmp_path / "rate.yaml"
    extra.write_text(
        "indicators:\n"
        "  - {code: test_population, domain: vaccination, name_vi: Dân số, name_en: Population,\n"
        "     unit: person, aggregation: stock, good: neutral}\n"
        "  - {code: test_coverage, domain: vaccination, name_vi: Tỷ lệ tiêm,\n"
        "     name_en: Coverage, unit: percent, aggregation: rate, good: up,\n"
        "     parts: {numerator: covid_doses_total, denominator: test_population}}\n",
        encoding="utf-8")
    return load_catalog(extra=[extra])


def test_rate_is_recomputed_from_its_parts(rate_catalog):
    obs = make_obs([
        {"indicator": "covid_doses_total", "value": 900.0},
        {"indicator": "test_population", "span": "to_date", "value": 1000.0},
        {"indicator": "test_coverage", "value": 90.2},  # agrees within rounding
    ])
    result = quarterly(obs, rate_catalog)
    row = quarter_rows(result, "test_coverage").loc["2022Q1"]
    assert row["value"] == pytest.approx(90.0)
    assert (row["method"], bool(row["derived"])) == ("parts", True)
    assert result.findings.empty


def test_rate_disagreeing_with_its_parts_is_a_finding(rate_catalog):
    obs = make_obs([
        {"indicator": "covid_doses_total", "value": 900.0},
        {"indicator": "test_population", "value": 1000.0},
        {"indicator": "test_coverage", "value": 95.0},
    ])
    result = quarterly(obs, rate_catalog)
    assert quarter_rows(result, "test_coverage").loc["2022Q1", "value"] == pytest.approx(90.0)
    assert result.findings["values"].iloc[0] == pytest.approx((90.0, 95.0))


def test_rate_without_parts_reads_like_a_stock(rate_catalog):
    obs = make_obs([{"indicator": "test_coverage", "span": "to_date", "value": 87.5}])
    row = quarter_rows(quarterly(obs, rate_catalog), "test_coverage").loc["2022Q1"]
    assert (row["value"], row["method"]) == (87.5, "last_as_of")


def test_other_measures_pass_through_and_unclassified_rows_are_skipped():
    obs = make_obs([
        {"measure": "pct_change_yoy", "value": -1.2},
        {"measure": "plan", "span": "year", "period": "2022Q4", "value": 20e9},
        {"indicator": "unclassified", "value": 7.0},
    ])
    t = quarterly(obs, CAT).table
    assert sorted(zip(t["measure"], t["span"], t["value"], strict=True)) == [
        ("pct_change_yoy", "quarter", -1.2), ("plan", "year", 20e9)]
    assert set(t["unit"]) == {"percent", "VND"}


def test_input_is_not_modified():
    obs = make_obs([{"span": "month", "month": m, "value": float(m)} for m in (1, 2, 3)])
    before = obs.copy()
    quarterly(obs, CAT)
    pd.testing.assert_frame_equal(obs, before)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=4, max_size=4))
def test_quarters_are_recovered_from_cumulative_figures(quarters):
    cumulative = [sum(quarters[: i + 1]) for i in range(4)]
    obs = make_obs([
        {"period": f"2022Q{i + 1}", "span": "ytd" if i < 3 else "year", "value": float(c)}
        for i, c in enumerate(cumulative)])
    got = quarter_rows(quarterly(obs, CAT))["value"].tolist()
    assert [math.isclose(g, q, abs_tol=1e-3) for g, q in zip(got, quarters, strict=True)] == [
        True] * 4
