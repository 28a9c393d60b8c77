"""Targets are not results: the contract's role, the frames that tell them apart, and what
the analysis does with them (no series, no "latest", attainment against them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.analysis.comparisons import attainment, targets
from kpi.analysis.series import quarterly
from kpi.core import schema
from kpi.core.catalog import load_catalog
from kpi.errors import SchemaError
from kpi.extract.extractor import extract_text
from kpi.extract.frames import read_frame, target_sections
from kpi.run.scope import OBSERVATIONS, resolve_quarter
from tests.conftest import make_obs

CAT = load_catalog()
Q3 = pd.Period("2022Q3", freq="Q-DEC")


def rows(body: str, title: str = "Kết quả thực hiện nhiệm vụ quí III năm 2022") -> pd.DataFrame:
    return extract_text(f"UBND XÃ CẨM BÌNH\nBÁO CÁO\n{title}\n{body}", source="t.txt")


def at(df: pd.DataFrame, needle_value: float) -> pd.Series:
    hit = df[df["value"].abs() == needle_value]
    assert len(hit) >= 1, (needle_value, df[["value", "evidence"]])
    return hit.iloc[0]


# --- the contract ------------------------------------------------------------------------
def test_role_defaults_to_result_and_is_checked():
    obs = make_obs([{"value": 1.0}])
    assert obs["role"].tolist() == ["result"]
    bad = make_obs([{"value": 1.0}]).assign(role="goal")
    with pytest.raises(SchemaError):
        schema.validate(bad)
    assert {"pct_over_plan", "change"} <= set(schema.MEASURES)
    assert {"range_low", "range_high"} <= set(schema.QUALIFIERS)


# --- frames --------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "value", "role", "period", "span"), [
    # commitment verbs, with the period they name or the next one
    ("Phấn đấu thu ngân sách năm 2023 đạt 9 tỷ đồng.", 9e9, "target", "2023Q4", "year"),
    ("Quyết tâm hoàn thành tiêm 1.500 mũi vắc xin trong quý IV.", 1500, "target", "2022Q4",
     "quarter"),
    ("Dự kiến năm 2023 giải quyết việc làm cho 400 lao động.", 400, "target", "2023Q4", "year"),
    ("Đến năm 2025 toàn xã có 12 thôn đạt chuẩn văn hóa.", 12, "target", "2025Q4", "year"),
    ("Nhiệm kỳ 2020 - 2025, thu nhập bình quân đạt 60 triệu đồng/người.", 6e7, "target",
     "2025Q4", "year"),
    ("Nâng tỷ lệ bao phủ bảo hiểm y tế lên 95%.", 95, "target", "2022Q4", "quarter"),
    # results: past frames, current states, comparisons with the past
    ("Trong quý đã thu ngân sách 4,9 tỷ đồng.", 4.9e9, "result", "2022Q3", "quarter"),
    ("Ước thực hiện cả năm thu ngân sách 19 tỷ đồng.", 19e9, "result", "2022Q4", "year"),
    ("Thu ngân sách 6 tháng đầu năm 2022 đạt 12 tỷ đồng.", 12e9, "result", "2022Q2", "ytd"),
    ("Thu ngân sách quý II đạt 7 tỷ đồng.", 7e9, "result", "2022Q2", "quarter"),
    ("Tổng thu ngân sách tăng 5% so với năm 2021.", 5, "result", "2022Q3", "quarter"),
    # a commitment with the account after it: the nearest frame wins
    ("Phấn đấu thu 20 tỷ đồng, đến nay đã thu được 15 tỷ đồng.", 15e9, "result", "2022Q3",
     "to_date"),
    # a word that looks like a commitment but is a noun or an account
    ("Với quyết tâm của cả hệ thống chính trị, xã đạt 19/19 tiêu chí.", 19, "result", "2022Q3",
     "quarter"),
    ("Đời sống được nâng lên, thu nhập bình quân đạt 42 triệu đồng/người.", 4.2e7, "result",
     "2022Q3", "quarter"),
])
def test_frames(body, value, role, period, span):
    row = at(rows(body), value)
    assert (row["role"], str(row["period"]), row["span"]) == (role, period, span)


def test_a_list_opened_by_a_sentence_carries_on_until_an_account():
    body = ("Các chỉ tiêu chủ yếu năm 2023 gồm: tổng thu ngân sách 9 tỷ đồng; giải quyết việc "
            "làm cho 400 lao động.\n"
            "Tỷ lệ hộ nghèo giảm còn 2,5%.\n"
            "II. KẾT QUẢ THỰC HIỆN\n"
            "Trong quý tiêm được 850 mũi vắc xin.")
    df = rows(body, title="Kết quả thực hiện nhiệm vụ năm 2022")
    assert [at(df, v)["role"] for v in (9e9, 400, 2.5, 850)] == [
        "target", "target", "target", "result"]
    assert str(at(df, 400)["period"]) == "2023Q4"


def test_a_list_of_achieved_figures_is_no_target_list():
    body = "Năm 2022 có 10/12 chỉ tiêu đạt và vượt kế hoạch, cụ thể: thu ngân sách 9 tỷ đồng."
    df = rows(body, title="Kết quả thực hiện nhiệm vụ năm 2022")
    assert at(df, 9e9)["role"] == "result"


def test_target_sections_come_first_as_often_as_last():
    body = ("I. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2023\n"
            "- Thu ngân sách 9 tỷ đồng.\n"
            "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2022\n"
            "- Thu ngân sách 8 tỷ đồng.\n")
    df = rows(body, title="Báo cáo tổng kết năm 2022")
    first, second = at(df, 9e9), at(df, 8e9)
    assert (first["role"], str(first["period"]), first["span"]) == ("target", "2023Q4", "year")
    assert second["role"] == "result"
    lines = body.split("\n")
    assert target_sections(lines, pd.Period("2022Q4", freq="Q-DEC"), "year")[0][:2] == (0, 2)


def test_pct_of_the_year_plan_targets_the_year():
    body = ("C. NHIỆM VỤ, GIẢI PHÁP QUÝ IV NĂM 2022\n"
            "- Phấn đấu hoàn thành 100% dự toán năm.")
    row = at(rows(body), 100)
    assert (row["role"], row["measure"], row["span"], str(row["period"])) == (
        "target", "pct_of_plan", "year", "2022Q4")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="phấn đấu đã ước năm 2023 quý II kế hoạch chỉ tiêu, ;:.0123456789%",
               max_size=120))
def test_read_frame_always_answers_a_role(text):
    low = text.lower()
    frame = read_frame(low, 0, len(low), len(low), Q3, "quarter", False)
    assert frame.role in schema.ROLES
    assert frame.span is None or frame.role == "target"


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["phấn đấu", "quyết tâm", "sẽ", "đặt mục tiêu"]),
       st.sampled_from(["thu ngân sách", "tiêm", "trồng mới", "giải quyết việc làm cho"]),
       st.integers(1, 999))
def test_a_commitment_makes_a_target_and_a_past_frame_after_it_a_result(verb, what, n):
    body = f"{verb} {what} {n} "
    low = body.lower()
    assert read_frame(low, 0, len(low), len(low), Q3, "quarter", False).role == "target"
    low2 = f"{low}, đến nay đã {what} "
    assert read_frame(low2, 0, len(low2), len(low2), Q3, "quarter", False).role == "result"


# --- measures ----------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "value", "measure", "got"), [
    ("Đàn gia súc 12.500 con/10.000 con, đạt 125% KH.", 10000, "plan", 10000),
    ("Thu ngân sách 4,05 tỷ đồng, bằng 40,5% dự toán tỉnh giao.", 40.5, "pct_of_plan", 40.5),
    ("Thu ngân sách 4,05 tỷ đồng, so với cùng kỳ năm trước bằng 106%.", 106,
     "pct_of_prior_year", 106),
    ("Công suất sử dụng giường bệnh đạt 112%.", 112, "share_pct", 112),
    ("Thu ngân sách 9 tỷ đồng, vượt 12% dự toán.", 12, "pct_over_plan", 12),
    ("Số hộ nghèo giảm 5 hộ so với đầu năm.", 5, "change", -5),
    ("Tỷ lệ hộ nghèo còn 3,2%, giảm 0,8%.", 0.8, "change", -0.8),
    ("Tốc độ tăng trưởng kinh tế đạt 8,5%.", 8.5, "pct_change_yoy", 8.5),
])
def test_measures(body, value, measure, got):
    row = at(rows(body), value)
    assert (row["measure"], row["value"]) == (measure, got)


# --- analysis ------------------------------------------------------------------------------
def _series_with_a_target() -> pd.DataFrame:
    base = [{"period": f"2022Q{q}", "value": 2e9, "source": f"r{q}.txt"} for q in (1, 2, 3)]
    goal = {"period": "2023Q4", "span": "year", "value": 10e9, "role": "target",
            "source": "r3.txt", "locator": "L40"}
    year_goal = {"period": "2022Q4", "span": "year", "value": 8e9, "role": "target",
                 "source": "r1.txt", "locator": "L41"}
    return make_obs([*base, goal, year_goal])


def test_targets_stay_out_of_the_series_and_are_listed_apart():
    q = quarterly(_series_with_a_target(), CAT)
    assert set(q.table["period"].astype(str)) == {"2022Q1", "2022Q2", "2022Q3"}
    listed = targets(q, CAT, quarter="2022Q3")
    assert listed["value"].tolist() == [8e9]  # the year's target counts for its quarters
    assert targets(q, CAT)["value"].tolist() == [8e9, 10e9]


def test_attainment_against_the_target_when_no_plan_is_stated():
    q = quarterly(_series_with_a_target(), CAT)
    row = attainment(q, CAT, quarter="2022Q3").iloc[0]
    assert row["plan"] == 8e9
    assert row["pct_of_plan"] == pytest.approx(6e9 / 8e9 * 100)


def test_latest_ignores_targets(tmp_path: Path):
    path = tmp_path / OBSERVATIONS
    path.parent.mkdir(parents=True)
    _series_with_a_target().to_parquet(path)
    assert resolve_quarter("latest", tmp_path, dt.date(2024, 1, 1)) == "2022Q3"
