"""kpi.analysis.narration: exact sentences, both languages, qualifiers, gaps and empty quarters."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi.analysis import narrate
from kpi.core.catalog import load_catalog
from tests.conftest import make_obs

CAT = load_catalog()
AREA = "cam-xuyen-town"


def revenue(q1_qualifier: str = "approx", **extra_rows) -> pd.DataFrame:
    return make_obs([
        {"period": "2021Q4", "value": 4_349_000_000.0},
        {"period": "2022Q1", "value": 4_884_100_000.0, "qualifier": q1_qualifier},
    ])


def say(obs: pd.DataFrame, quarter: str = "2022Q1", domain: str = "revenue",
        lang: str = "vi", **kw) -> list[str]:
    return list(narrate(obs, CAT, AREA, quarter, domain, lang=lang, **kw))


@pytest.mark.parametrize(("qualifier", "vi", "en"), [
    ("approx",
     "Tổng thu ngân sách quý I/2022 đạt gần 4,88 tỷ đồng, tăng 12,3% so với quý trước.",
     "Total budget revenue in Q1 2022 reached nearly 4.88 billion VND, "
     "up 12.3% on the previous quarter."),
    ("estimate",
     "Tổng thu ngân sách quý I/2022 ước đạt 4,88 tỷ đồng, tăng 12,3% so với quý trước.",
     "Total budget revenue in Q1 2022 reached an estimated 4.88 billion VND, "
     "up 12.3% on the previous quarter."),
    ("more_than",
     "Tổng thu ngân sách quý I/2022 đạt hơn 4,88 tỷ đồng, tăng 12,3% so với quý trước.",
     "Total budget revenue in Q1 2022 reached more than 4.88 billion VND, "
     "up 12.3% on the previous quarter."),
    ("exact",
     "Tổng thu ngân sách quý I/2022 đạt 4,88 tỷ đồng, tăng 12,3% so với quý trước.",
     "Total budget revenue in Q1 2022 reached 4.88 billion VND, "
     "up 12.3% on the previous quarter."),
])
def test_qualifiers_are_carried_into_the_sentence(qualifier, vi, en):
    obs = revenue(qualifier)
    assert say(obs) == [vi]
    assert say(obs, lang="en") == [en]


def test_a_fall_with_yoy_and_plan():
    obs = make_obs([
        {"indicator": "merit_allowance_amount", "period": "2021Q1", "value": 3.0e9},
        {"indicator": "merit_allowance_amount", "period": "2021Q4", "value": 4.0e9},
        {"indicator": "merit_allowance_amount", "value": 3.6e9, "qualifier": "more_than"},
        {"indicator": "merit_allowance_amount", "period": "2022Q4", "span": "year",
         "measure": "plan", "value": 12e9},
    ])
    assert say(obs, domain="welfare") == [
        "Tiền trợ cấp người có công quý I/2022 đạt hơn 3,6 tỷ đồng, giảm 10% so với quý trước, "
        "tăng 20% so với cùng kỳ năm trước, bằng 30% kế hoạch năm."]
    assert say(obs, domain="welfare", lang="en") == [
        "Allowances paid to people with merit in Q1 2022 reached more than 3.6 billion VND, "
        "down 10% on the previous quarter, up 20% on the same quarter last year, "
        "30% of the annual plan."]


def test_a_precomputed_headline_gives_the_same_sentences():
    from kpi.analysis import headline

    cat = load_catalog()
    obs = make_obs([
        {"indicator": "tet_gifts", "period": "2021Q4", "value": 1000.0},
        {"indicator": "tet_gifts", "value": 1327.0},
        {"indicator": "tet_gifts_amount", "value": 458e6, "qualifier": "approx"},
    ])
    raw = headline(obs, cat, "cam-xuyen-town", "2022Q1", "welfare").raw
    assert list(narrate(obs, cat, "cam-xuyen-town", "2022Q1", "welfare", raw=raw)) == list(
        narrate(obs, cat, "cam-xuyen-town", "2022Q1", "welfare"))
    assert "1.327" in " ".join(narrate(obs, cat, "cam-xuyen-town", "2022Q1", "welfare", raw=raw))


def test_reported_yoy_is_used_when_there_is_no_year_before():
    obs = make_obs([
        {"indicator": "covid_doses_total", "value": 4173.0},
        {"indicator": "covid_doses_total", "measure": "pct_change_yoy", "value": -1.2},
    ])
    assert say(obs, domain="vaccination", indicators=["covid_doses_total"]) == [
        "Tổng số mũi tiêm vắc xin Covid-19 quý I/2022 đạt 4.173 mũi, không có số liệu quý "
        "trước để so sánh, giảm 1,2% so với cùng kỳ năm trước (theo báo cáo)."]


def test_a_gap_says_there_is_nothing_to_compare():
    obs = make_obs([{"period": "2021Q4", "value": 100e6}, {"period": "2022Q2", "value": 150e6}])
    assert say(obs, "2022Q2") == [
        "Tổng thu ngân sách quý II/2022 đạt 150 triệu đồng, "
        "không có số liệu quý trước để so sánh."]
    assert say(obs, "2022Q2", lang="en") == [
        "Total budget revenue in Q2 2022 reached 150 million VND, "
        "no data for the previous quarter to compare."]


def test_unchanged():
    obs = make_obs([{"period": "2021Q4", "value": 5.0e9}, {"value": 5.0e9}])
    assert say(obs)[0].endswith("đạt 5 tỷ đồng, bằng quý trước.")
    assert say(obs, lang="en")[0].endswith("reached 5 billion VND, unchanged on the previous "
                                           "quarter.")


def test_a_quarter_without_data_gets_a_sentence_saying_so():
    obs = revenue()
    assert say(obs, "2022Q2") == ["Không có số liệu thu, chi ngân sách quý II/2022."]
    assert say(obs, "2022Q2", lang="en") == [
        "No budget revenue and spending data for Q2 2022."]
    assert say(obs, "2022Q1", domain="vaccination") == [
        "Không có số liệu tiêm chủng quý I/2022."]


def test_an_indicator_missing_this_quarter_among_others():
    obs = make_obs([{"indicator": "budget_expenditure", "period": "2021Q4", "value": 1e9},
                    {"value": 2e9}])
    sentences = say(obs)
    assert sentences[1] == "Tổng chi ngân sách: không có số liệu quý I/2022."
    assert say(obs, lang="en")[1] == "Total budget expenditure: no data for Q1 2022."


def test_a_partial_figure_is_named_for_what_it_covers():
    obs = make_obs([{"indicator": "housing_tax_revenue", "span": "month", "month": 3,
                     "value": 215e6}])
    assert say(obs) == ["Thu thuế nhà ở tư nhân tháng 3/2022 đạt 215 triệu đồng "
                        "(không có số liệu cả quý I/2022)."]
    assert say(obs, lang="en") == ["Private housing tax collected (March 2022) reached "
                                   "215 million VND (no figure for the whole of Q1 2022)."]


def test_narrative_renders_as_markdown_and_text():
    story = narrate(revenue(), CAT, AREA, "2022Q1", "revenue")
    assert story._repr_markdown_().startswith("- Tổng thu ngân sách quý I/2022")
    assert str(story) == story[0]
    assert len(story) == 1
