"""kpi.analysis.rules: the catalogue's sum and parts-within-total rules."""

from __future__ import annotations

import math

import pandas as pd

from kpi.analysis import consistency
from kpi.core.catalog import load_catalog
from tests.conftest import make_obs

CAT = load_catalog()
BILLION = 1e9


def statement(values: dict[str, float], **extra) -> pd.DataFrame:
    return make_obs([{"indicator": code, "value": v, **extra} for code, v in values.items()])


def test_parts_exceeding_the_total_are_a_finding_with_the_numbers():
    # the seed report: "TTCN, xây dựng ước đạt 45 tỷ ... TTCN ước đạt 30 tỷ ... xây dựng 50 tỷ"
    obs = statement({"industry_construction_output": 45 * BILLION,
                     "handicraft_output": 30 * BILLION,
                     "construction_output": 50 * BILLION},
                    qualifier="estimate", source="52-BC-DU.txt", locator="L70")
    (finding,) = consistency(obs, CAT).to_dict("records")
    assert finding["kind"] == "rule"
    assert finding["rule"] == "industry_construction_sum"
    assert finding["values"] == (45 * BILLION, 30 * BILLION, 50 * BILLION)
    assert (finding["area"], finding["period"], finding["indicator"]) == (
        "cam-xuyen-town", "2022Q1", "industry_construction_output")
    assert (finding["source"], finding["locator"]) == ("52-BC-DU.txt", "L70")
    assert finding["detail"] == (
        "Giá trị TTCN, xây dựng bằng tiểu thủ công nghiệp + xây dựng: không khớp (quý I/2022): "
        "Giá trị sản xuất TTCN, xây dựng ước 45 tỷ đồng; "
        "Giá trị sản xuất tiểu thủ công nghiệp ước 30 tỷ đồng + Giá trị xây dựng ước 50 tỷ đồng"
        " = 80 tỷ đồng.")
    assert "Handicraft and construction output an estimated 45 billion VND" in (
        finding["detail_en"])


def test_a_total_that_adds_up_is_no_finding():
    obs = statement({"covid_doses_total": 4173.0, "covid_doses_1": 85.0,
                     "covid_doses_2": 170.0, "covid_doses_3": 3918.0})
    assert consistency(obs, CAT).empty


def test_an_exact_total_off_by_more_than_the_tolerance_is_a_finding():
    obs = statement({"covid_doses_total": 4173.0, "covid_doses_1": 85.0,
                     "covid_doses_2": 170.0, "covid_doses_3": 3818.0})  # sums to 4073
    found = consistency(obs, CAT)
    assert found["values"].tolist() == [(4173.0, 85.0, 170.0, 3818.0)]
    assert "4.073 mũi" in found["detail"].iloc[0]


def test_a_lower_bound_total_is_consistent_with_larger_parts():
    obs = make_obs([
        {"indicator": "covid_doses_total", "value": 4000.0, "qualifier": "more_than"},
        {"indicator": "covid_doses_1", "value": 85.0},
        {"indicator": "covid_doses_2", "value": 170.0},
        {"indicator": "covid_doses_3", "value": 3918.0},
    ])
    assert consistency(obs, CAT).empty


def test_some_parts_missing_is_a_finding_only_when_they_already_exceed_the_total():
    over = statement({"covid_doses_total": 100.0, "covid_doses_3": 120.0})
    under = statement({"covid_doses_total": 100.0, "covid_doses_3": 60.0})
    found = consistency(over, CAT)
    assert len(found) == 1
    values = found["values"].iloc[0]
    assert values[0] == 100.0 and values[3] == 120.0
    assert math.isnan(values[1]) and math.isnan(values[2])
    assert consistency(under, CAT).empty


def test_parts_le_total_rule():
    bad = statement({"party_badge_dossiers": 3.0, "party_badge_early": 5.0})
    good = statement({"party_badge_dossiers": 3.0, "party_badge_early": 2.0})
    assert consistency(bad, CAT)["rule"].tolist() == ["party_badge_early_within"]
    assert consistency(good, CAT).empty


def test_figures_of_different_spans_are_not_compared():
    obs = make_obs([
        {"indicator": "covid_doses_total", "value": 100.0, "span": "to_date"},
        {"indicator": "covid_doses_1", "value": 85.0},
        {"indicator": "covid_doses_2", "value": 170.0},
        {"indicator": "covid_doses_3", "value": 3918.0},
    ])
    assert consistency(obs, CAT).empty


def test_filters_by_area_and_quarter():
    bad = {"covid_doses_total": 10.0, "covid_doses_1": 20.0}
    obs = pd.concat([statement(bad), statement(bad, period="2022Q2"),
                     statement(bad, area="xa-khac")], ignore_index=True)
    assert len(consistency(obs, CAT)) == 3
    assert consistency(obs, CAT, area="cam-xuyen-town", quarter="2022Q2")["period"].tolist() == [
        "2022Q2"]


def test_no_findings_is_the_findings_table_with_no_rows():
    from kpi.analysis.agreement import findings_frame

    one = findings_frame([{"area": "cam-xuyen", "indicator": "thu_ngan_sach", "kind": "sum",
                           "values": (1.0, 2.0)}])
    pd.testing.assert_frame_equal(findings_frame([]), one.iloc[:0].reset_index(drop=True),
                                  check_index_type=True)
