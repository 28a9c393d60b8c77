"""kpi.analysis.area_index, and the per-area shortcuts built on it, against whole-table
filtering."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kpi import analysis
from kpi.analysis import area_index
from kpi.analysis import comparisons as compare
from kpi.analysis.area_index import area_observations, area_records, for_area
from kpi.analysis.records import frame, records
from kpi.analysis.series import Quarterly
from kpi.core.catalog import load_catalog
from kpi.errors import KpiError
from tests.conftest import make_obs

CAT = load_catalog()
AREAS = ("cam-xuyen-town", "cam-binh-commune", "vietnam")
QUARTERS = ("2021Q4", "2022Q1", "2022Q2", "2023Q1")
DOMAINS = ("revenue", "vaccination", "welfare", "urban_works")


def _area_rows(area: str, shift: float) -> list[dict]:
    """Quarters, months, a to-date figure, ytd, plans, a conflict, a broken rule and an
    unclassified figure, scaled so that areas differ."""
    rows = [
        {"period": "2021Q4", "value": 40e8 * shift},
        {"period": "2022Q1", "value": 45e8 * shift, "qualifier": "approx"},
        {"period": "2022Q1", "value": 60e8 * shift, "source": "other.txt"},  # conflict
        {"period": "2022Q2", "span": "ytd", "value": 99e8 * shift},
        {"period": "2022Q4", "span": "year", "measure": "plan", "value": 200e8 * shift},
        {"period": "2022Q1", "measure": "pct_change_yoy", "value": 3.5},
        {"period": "2022Q1", "measure": "pct_of_plan", "span": "ytd", "value": 22.0},
        {"indicator": "housing_tax_revenue", "span": "month", "month": 2, "value": 2e8},
        {"indicator": "housing_tax_revenue", "span": "month", "month": 3, "value": 3e8},
        {"indicator": "covid_doses_total", "period": "2022Q2", "value": 900 * shift},
        {"indicator": "covid_doses_1", "period": "2022Q2", "value": 800 * shift},
        {"indicator": "covid_doses_2", "period": "2022Q2", "value": 700 * shift},
        {"indicator": "covid_doses_total", "period": "2022Q2", "span": "to_date",
         "as_of": "2022-05-15", "value": 500 * shift},
        {"indicator": "housing_tax_households", "value": 35.0, "synthetic": True,
         "source": "sample.csv"},
        {"indicator": "unclassified", "value": 7.0},
    ]
    return [{"area": area, **r} for r in rows]


@pytest.fixture(scope="module")
def q() -> Quarterly:
    rows = [r for n, a in enumerate(AREAS) for r in _area_rows(a, 1.0 + n / 10)]
    return analysis.quarterly(make_obs(rows), CAT)


def _only(frame: pd.DataFrame, area: str) -> pd.DataFrame:
    return frame[frame["area"] == area]


@pytest.mark.parametrize("area", [*AREAS, "nowhere-commune"])
def test_an_area_view_holds_exactly_the_rows_a_mask_selects(q, area):
    view = for_area(q, area)
    for name in ("table", "cumulative", "findings"):
        assert_frame_equal(getattr(view, name), _only(getattr(q, name), area))
    assert view.observations is q.observations
    assert_frame_equal(area_observations(q, area), _only(q.observations, area))


def test_the_fixture_has_rows_of_every_kind_in_every_area(q):
    for area in AREAS:
        view = for_area(q, area)
        assert {"quarter", "month", "to_date"} <= set(view.table["span"])
        assert len(view.findings) and len(view.cumulative)


def _plain(rows: list[dict]) -> list[dict]:
    """Rows with a missing cell as None, however it came (NA, NaN or None)."""
    return [{k: None if v is None or v is pd.NA or v != v else v for k, v in r.items()}
            for r in rows]


@pytest.mark.parametrize("name", ["table", "cumulative", "findings", "observations"])
def test_area_records_are_the_area_rows_as_dicts(q, name):
    whole = getattr(q, name)
    for area in (*AREAS, "nowhere-commune"):
        assert _plain(area_records(q, area, name)) == _plain(
            _only(whole, area).to_dict("records"))
    with pytest.raises(ValueError, match="not a frame"):
        area_records(q, AREAS[0], "values")


def test_slices_are_made_once_and_do_not_keep_the_series_alive():
    q = analysis.quarterly(make_obs(_area_rows("cam-xuyen-town", 1.0)), CAT)
    assert for_area(q, "cam-xuyen-town") is for_area(q, "cam-xuyen-town")
    assert area_observations(q, "vietnam") is area_observations(q, "vietnam")
    assert area_records(q, "vietnam", "table") is area_records(q, "vietnam", "table")
    ref = weakref.ref(q)
    del q
    gc.collect()
    assert ref() is None


def test_only_the_areas_used_last_keep_their_slices(q, monkeypatch):
    monkeypatch.setattr(area_index, "KEEP", 2)
    first = for_area(q, AREAS[0])
    for area in AREAS[1:]:
        for_area(q, area)
    again = for_area(q, AREAS[0])
    assert again is not first
    assert_frame_equal(again.table, first.table)
    assert for_area(q, AREAS[0]) is again


def test_records_keep_values_and_frame_sets_dtypes_even_with_no_rows():
    table = pd.DataFrame({"a": pd.Series(["x", None], dtype="str"),
                          "m": pd.array([3, None], dtype="Int64"), "v": [1.5, float("nan")]})
    got = records(table)
    assert got[0] == {"a": "x", "m": 3, "v": 1.5}
    assert got[1]["m"] is pd.NA and got[1]["a"] != got[1]["a"]
    assert _plain(records(table, ["v"])) == [{"v": 1.5}, {"v": None}]
    dtypes = {"a": "str", "p": pd.PeriodDtype("Q-DEC"), "v": "float64", "b": "bool"}
    rows = [{"a": float("nan"), "p": pd.Period("2022Q1", freq="Q-DEC"), "v": 1.0, "b": True}]
    for data in (rows, []):
        made = frame(data, dtypes)
        assert list(made.columns) == list(dtypes)
        assert [str(t) for t in made.dtypes] == ["str", "period[Q-DEC]", "float64", "bool"]
        assert isinstance(made.index, pd.RangeIndex) and len(made) == len(data)
    assert frame(rows, dtypes)["a"].isna().all()


@pytest.mark.parametrize("name", ["qoq", "yoy", "attainment"])
def test_record_forms_hold_the_rows_of_the_tables(q, name):
    for area in (None, "vietnam"):
        table = getattr(compare, name)(q, CAT, area=area, quarter="2022Q2", lang="en")
        rows = getattr(compare, f"{name}_records")(q, CAT, area=area, quarter="2022Q2",
                                                    lang="en")
        assert len(rows) == len(table) > 0
        assert _plain([{c: r[c] for c in table.columns} for r in rows]) == _plain(
            table.to_dict("records"))


def _expected(whole: pd.DataFrame, area: str, indicator: str | None,
              quarter: str | None) -> pd.DataFrame:
    keep = whole["area"] == area
    if indicator is not None:
        keep &= whole["indicator"] == indicator
    if quarter is not None:
        keep &= whole["period"] == pd.Period(quarter, freq="Q-DEC")
    return whole[keep].reset_index(drop=True)


@pytest.mark.parametrize("area", [*AREAS, "nowhere-commune"])
def test_comparisons_filtered_early_equal_the_whole_comparison_filtered(q, area):
    """Filters are applied after comparing (a quarter's previous value stays reachable):
    selecting the area, indicator and quarter first must not change a row or a dtype."""
    for lang in ("vi", "en"):
        for comparison in (analysis.qoq, analysis.yoy, analysis.attainment):
            whole = comparison(q, CAT, lang=lang)
            for quarter in (None, *QUARTERS):
                for indicator in (None, "budget_revenue", "covid_doses_total"):
                    assert_frame_equal(
                        comparison(q, CAT, area=area, indicator=indicator, quarter=quarter,
                                   lang=lang),
                        _expected(whole, area, indicator, quarter))
    for plain in (analysis.values, analysis.ytd):
        whole = plain(q, CAT)
        for quarter in (None, *QUARTERS):
            assert_frame_equal(plain(q, CAT, area=area, quarter=quarter),
                               _expected(whole, area, None, quarter))


@pytest.mark.parametrize("quarter", QUARTERS)
def test_headlines_sharing_inputs_equal_headlines_computed_alone(q, quarter):
    for area in AREAS:
        for lang in ("vi", "en"):
            shared = analysis.headline_inputs(q, CAT, area, quarter, lang)
            for domain in DOMAINS:
                alone = analysis.headline(q, CAT, area, quarter, domain, lang=lang)
                both = analysis.headline(q, CAT, area, quarter, domain, lang=lang,
                                         inputs=shared)
                assert_frame_equal(both.raw, alone.raw)
                assert_frame_equal(both.display, alone.display)


def test_headline_inputs_of_another_area_quarter_or_language_are_refused(q):
    shared = analysis.headline_inputs(q, CAT, "vietnam", "2022Q1", "vi")
    for area, quarter, lang in (("cam-xuyen-town", "2022Q1", "vi"),
                                ("vietnam", "2022Q2", "vi"), ("vietnam", "2022Q1", "en")):
        with pytest.raises(KpiError, match="another area"):
            analysis.headline(q, CAT, area, quarter, "revenue", lang=lang, inputs=shared)


@pytest.mark.parametrize("quarter", QUARTERS)
def test_domain_findings_sharing_area_findings_equal_findings_computed_alone(q, quarter):
    for area in AREAS:
        found = analysis.area_findings(q, CAT, area, quarter)
        for lang in ("vi", "en"):
            for domain in (None, *DOMAINS):
                alone = analysis.domain_findings(q, CAT, area, quarter, domain, lang=lang)
                assert_frame_equal(
                    analysis.domain_findings(q, CAT, area, quarter, domain, lang=lang,
                                             found=found), alone)
                assert found.count(CAT, domain) == len(alone)


def test_the_fixture_findings_have_conflicts_rules_and_unclassified(q):
    kinds = set(analysis.domain_findings(q, CAT, "vietnam", "2022Q2")["kind"])
    kinds |= set(analysis.domain_findings(q, CAT, "vietnam", "2022Q1")["kind"])
    assert {"conflict", "rule", "unclassified"} <= kinds


def test_area_findings_of_another_area_or_quarter_are_refused(q):
    found = analysis.area_findings(q, CAT, "vietnam", "2022Q1")
    with pytest.raises(KpiError, match="another area"):
        analysis.domain_findings(q, CAT, "vietnam", "2022Q2", found=found)
    with pytest.raises(KpiError, match="another area"):
        analysis.domain_findings(q, CAT, "cam-xuyen-town", "2022Q1", found=found)
