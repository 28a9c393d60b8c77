"""kpi.analysis.plausibility: which headline values and changes must be checked."""

from __future__ import annotations

import math

from kpi.analysis.headlines import headline
from kpi.analysis.plausibility import change_check, suspects
from kpi.analysis.series import quarterly
from kpi.core.catalog import load_catalog
from tests.conftest import make_obs

CAT = load_catalog()
QUARTERS = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1"]


def _series(values: list[float]) -> list[dict]:
    return [{"period": p, "value": v, "source": f"r{p}.txt"}
            for p, v in zip(QUARTERS, values, strict=True)]


def test_a_value_five_times_the_areas_median_is_suspect_and_marked():
    q = quarterly(make_obs(_series([2e9, 2.1e9, 1.9e9, 2e9, 20e9])), CAT)
    found = suspects(q, CAT, "cam-xuyen-town")
    assert list(found) == [("budget_revenue", q.table["period"].max().ordinal)]
    row = headline(q, CAT, "cam-xuyen-town", "2022Q1", "revenue").display.iloc[0]
    assert row.iloc[1].endswith("(cần kiểm tra)") and row.iloc[2].endswith("(cần kiểm tra)")
    assert "2 tỷ đồng" in row.iloc[-1]  # the usual level is named


def test_an_ordinary_series_is_not_marked():
    q = quarterly(make_obs(_series([2e9, 2.1e9, 1.9e9, 2e9, 2.2e9])), CAT)
    assert suspects(q, CAT, "cam-xuyen-town") == {}
    row = headline(q, CAT, "cam-xuyen-town", "2022Q1", "revenue").display.iloc[0]
    assert "cần kiểm tra" not in row.to_string()


def test_a_change_beyond_300_percent_is_marked_even_on_plausible_values():
    assert change_check(350.0, None, None)
    assert change_check(-10.0, None, None) == ""
    assert change_check(math.nan, None, None) == ""


def test_a_conflict_names_the_other_figure():
    rows = _series([2e9, 2.1e9, 1.9e9, 2e9, 2.2e9])
    rows.append({"period": "2022Q1", "value": 22e9, "source": "table.csv", "locator": "C7"})
    q = quarterly(make_obs(rows), CAT)
    found = suspects(q, CAT, "cam-xuyen-town")
    (reason,) = [s.reason for s in found.values()]
    assert "nguồn khác ghi" in reason
