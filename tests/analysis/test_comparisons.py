"""kpi.analysis.comparisons: QoQ, YoY, year to date, plan attainment and ranking on
hand-made series."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpi.analysis import attainment, qoq, quarterly, rank_areas, yoy, ytd
from kpi.core.catalog import load_catalog
from tests.conftest import make_obs

CAT = load_catalog()


def series(values: dict[str, float], **extra) -> pd.DataFrame:
    return make_obs([{"period": p, "value": v, **extra} for p, v in values.items()])


def by_period(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(frame["period"].astype(str))


def test_qoq_on_a_known_series():
    got = by_period(qoq(series({"2021Q4": 100.0, "2022Q1": 110.0, "2022Q2": 99.0}), CAT))
    assert got.loc["2022Q1", "pct_change"] == pytest.approx(10.0)
    assert got.loc["2022Q2", "pct_change"] == pytest.approx(-10.0)
    assert got.loc["2022Q2", "change"] == pytest.approx(-11.0)
    assert got.loc["2022Q2", "previous"] == 110.0
    assert got.loc["2022Q2", "note"] == ""


def test_a_gap_gives_nan_and_a_note_not_a_comparison_across_it():
    got = by_period(qoq(series({"2022Q1": 100.0, "2022Q3": 130.0}), CAT))
    row = got.loc["2022Q3"]
    assert str(row["previous_period"]) == "2022Q2"
    assert math.isnan(row["previous"]) and math.isnan(row["pct_change"])
    assert row["note"] == "không có số liệu quý trước để so sánh"
    en = by_period(qoq(series({"2022Q1": 100.0, "2022Q3": 130.0}), CAT, lang="en"))
    assert en.loc["2022Q3", "note"] == "no data for the previous quarter to compare"


def test_a_zero_previous_quarter_gives_no_percentage():
    row = by_period(qoq(series({"2021Q4": 0.0, "2022Q1": 5.0}), CAT)).loc["2022Q1"]
    assert row["change"] == 5.0
    assert math.isnan(row["pct_change"])
    assert row["note"].startswith("quý trước bằng 0")


def test_qoq_filters_after_comparing():
    got = qoq(series({"2021Q4": 100.0, "2022Q1": 120.0}), CAT, quarter="2022Q1")
    assert got["pct_change"].tolist() == pytest.approx([20.0])


def test_approx_flag_when_either_side_is_not_exact():
    obs = make_obs([{"period": "2021Q4", "value": 100.0, "qualifier": "approx"},
                    {"period": "2022Q1", "value": 110.0}])
    assert bool(qoq(obs, CAT, quarter="2022Q1")["approx"].iloc[0])


def test_yoy_recomputed_and_reported_side_by_side():
    obs = make_obs([
        {"period": "2021Q1", "value": 80.0},
        {"period": "2022Q1", "value": 100.0},
        {"period": "2022Q1", "measure": "pct_change_yoy", "value": 20.0},
    ])
    row = by_period(yoy(obs, CAT)).loc["2022Q1"]
    assert row["pct_change"] == pytest.approx(25.0)
    assert row["reported_pct"] == pytest.approx(20.0)
    assert str(row["previous_period"]) == "2021Q1"


def test_yoy_reported_as_percent_of_prior_year():
    obs = make_obs([{"period": "2022Q1", "value": 100.0},
                    {"period": "2022Q1", "measure": "pct_of_prior_year", "value": 112.0}])
    row = by_period(yoy(obs, CAT)).loc["2022Q1"]
    assert row["reported_pct"] == pytest.approx(12.0)
    assert math.isnan(row["pct_change"])
    assert row["note"] == "không có số liệu cùng kỳ năm trước để so sánh"


def test_a_six_month_yoy_is_not_shown_as_a_quarter_yoy():
    obs = make_obs([{"period": "2022Q2", "value": 100.0},
                    {"period": "2022Q2", "span": "ytd", "measure": "pct_change_yoy",
                     "value": 5.0}])
    assert math.isnan(yoy(obs, CAT)["reported_pct"].iloc[0])


def test_ytd_returns_cumulative_values():
    got = by_period(ytd(series({"2022Q1": 4.0, "2022Q2": 6.0}), CAT))
    assert got["value"].to_dict() == {"2022Q1": 4.0, "2022Q2": 10.0}


def test_attainment_against_plan_and_pace():
    obs = make_obs([
        {"period": "2022Q1", "value": 10.0},
        {"period": "2022Q2", "value": 20.0},
        {"period": "2022Q4", "span": "year", "measure": "plan", "value": 100.0},
    ])
    row = by_period(attainment(obs, CAT)).loc["2022Q2"]
    assert row["cumulative"] == 30.0
    assert row["plan"] == 100.0
    assert row["pct_of_plan"] == pytest.approx(30.0)
    assert row["expected_pct"] == 50.0
    assert row["pct_of_pace"] == pytest.approx(60.0)  # 30 % of the plan at half-year


def test_attainment_from_a_stated_percent_of_plan():
    obs = make_obs([{"period": "2022Q2", "span": "ytd", "measure": "pct_of_plan",
                     "value": 30.0}])
    row = attainment(obs, CAT).iloc[0]
    assert math.isnan(row["plan"])
    assert row["reported_pct_of_plan"] == 30.0
    assert row["pct_of_pace"] == pytest.approx(60.0)


def test_attainment_of_a_stock_is_not_paced():
    obs = make_obs([
        {"indicator": "party_members", "value": 1124.0},
        {"indicator": "party_members", "period": "2022Q4", "span": "year", "measure": "plan",
         "value": 1200.0},
    ])
    row = attainment(obs, CAT).iloc[0]
    assert row["pct_of_plan"] == pytest.approx(1124 / 12)
    assert math.isnan(row["expected_pct"]) and math.isnan(row["pct_of_pace"])
    assert row["note"] == "chỉ tiêu thời điểm: không so với tiến độ quý"


def test_rank_areas_best_first_with_qoq():
    obs = make_obs([
        {"area": "xa-a", "period": "2022Q1", "value": 5.0},
        {"area": "xa-b", "period": "2022Q1", "value": 9.0},
        {"area": "xa-b", "period": "2021Q4", "value": 6.0},
        {"area": "xa-c", "period": "2022Q1", "value": 7.0},
        {"area": "xa-d", "period": "2021Q4", "value": 3.0},  # nothing this quarter
    ])
    got = rank_areas(obs, CAT, "budget_revenue", "2022Q1")
    assert got["area"].tolist() == ["xa-b", "xa-c", "xa-a", "xa-d"]
    assert got["rank"].tolist()[:3] == [1, 2, 3]
    assert got["rank"].isna().tolist() == [False, False, False, True]
    assert got["pct_change"].iloc[0] == pytest.approx(50.0)
    assert math.isnan(got["pct_change"].iloc[1])
    assert got["note"].iloc[3] == "không có số liệu quý này"


def test_rank_areas_lower_is_better_when_the_catalogue_says_so():
    obs = make_obs([{"area": a, "indicator": "covid_f0_cases", "value": v}
                    for a, v in (("xa-a", 12.0), ("xa-b", 3.0), ("xa-c", 7.0))])
    got = rank_areas(obs, CAT, "covid_f0_cases", "2022Q1")
    assert got["area"].tolist() == ["xa-b", "xa-c", "xa-a"]


def test_functions_accept_a_precomputed_quarterly_result():
    obs = series({"2021Q4": 100.0, "2022Q1": 110.0})
    pd.testing.assert_frame_equal(qoq(quarterly(obs, CAT), CAT), qoq(obs, CAT))


def test_comparisons_do_not_modify_the_input():
    obs = series({"2021Q1": 80.0, "2021Q4": 100.0, "2022Q1": 110.0})
    before = obs.copy()
    for fn in (qoq, yoy, ytd, attainment):
        fn(obs, CAT)
    rank_areas(obs, CAT, "budget_revenue", "2022Q1")
    pd.testing.assert_frame_equal(obs, before)
