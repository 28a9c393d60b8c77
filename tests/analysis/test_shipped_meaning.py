"""On the shipped data: targets do not make a quarter, no report shows a target as an
achieved figure, and a headline resting on a conflict says so where it is shown."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpi.analysis.headlines import headline
from kpi.analysis.narration import narrate
from kpi.analysis.series import quarterly
from kpi.core.catalog import load_catalog
from kpi.ingest.pipeline import ingest
from kpi.run.scope import resolve_quarter

ROOT = Path(__file__).resolve().parents[2]
CAT = load_catalog()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    root = tmp_path_factory.mktemp("shipped")
    result = ingest(ROOT / "data" / "raw", root / "data" / "processed", catalog=CAT,
                    log=lambda _: None)
    return root, result.observations


def test_latest_is_the_last_quarter_with_results(shipped):
    root, obs = shipped
    assert (obs["role"] == "target").any()
    assert str(obs["period"].max()) > "2022Q4"  # targets name later periods ...
    assert resolve_quarter("latest", root, dt.date(2030, 1, 1)) == "2022Q4"  # ... not results


def test_every_planted_target_is_read_as_one(shipped):
    _, obs = shipped
    with open(ROOT / "data" / "raw" / "sample" / "truth.csv", encoding="utf-8") as fh:
        planted = [t for t in csv.DictReader(fh) if t["role"] == "target"]
    assert len(planted) >= 20
    got = {(r.source, r.locator): r for r in obs.itertuples()}
    for t in planted:
        row = got[(f"sample/{t['source']}", t["locator"])]
        assert (row.role, str(row.period), row.span, row.measure) == (
            "target", t["period"], t["span"], t["measure"]), t


def test_no_target_reaches_the_series_or_a_headline(shipped):
    _, obs = shipped
    q = quarterly(obs, CAT)
    targets = obs[obs["role"] == "target"]
    used = {i for inputs in q.table["inputs"] for i in inputs}
    assert not used & set(targets.index)
    # the commune whose reports say "phấn đấu hoàn thành 100% dự toán năm": no 2023 quarter
    assert not (q.table["period"].astype(str) >= "2023Q1").any()


def test_a_conflict_is_a_finding_and_marked_where_the_headline_shows_it(shipped):
    root, obs = shipped
    quality = pd.read_csv(root / "data" / "processed" / "quality.csv", dtype=str)
    conflict = quality[(quality["kind"] == "conflict") & (quality["area"] == "cam-thach-commune")
                       & (quality["period"] == "2021Q3")]
    assert len(conflict) == 1 and "14,84 tỷ" in conflict["detail"].iloc[0]
    q = quarterly(obs, CAT)
    h = headline(q, CAT, "cam-thach-commune", "2021Q4", "revenue")
    row = h.display.iloc[0]
    assert "-86,9%" not in row.to_string()
    assert row.iloc[2].endswith("(cần kiểm tra)")  # the change on the previous quarter
    assert "14,84 tỷ đồng" in row.iloc[-1]
    said = narrate(q, CAT, "cam-thach-commune", "2021Q4", "revenue")[0]
    assert "cần kiểm tra" in said and "14,84 tỷ đồng" in said
    # the quarter itself: the figure most sources agree with, marked, the other named
    q3 = headline(q, CAT, "cam-thach-commune", "2021Q3", "revenue").display.iloc[0]
    assert q3.iloc[1] == "gần 1,5 tỷ đồng (cần kiểm tra)"


def test_the_targets_section_shows_targets_apart_with_attainment(shipped):
    from kpi.notebook.report import open_report

    root, _ = shipped
    report = open_report(root / "data", "cam-thach-commune", "2021Q3", domain="revenue")
    frame = report.targets().frame
    assert len(frame) >= 2 and set(frame["Kỳ"]) == {"năm 2021"}
    # only reports written by then: none of the later quarters' reports
    assert all(q in src for src in frame["Tệp"] for q in ("2021Q",)) and not any(
        "2021Q4" in src or "2022" in src for src in frame["Tệp"])
    amounts = frame[frame["Mục tiêu"].str.contains("tỷ đồng")]
    assert (amounts["% mục tiêu"] != "—").all()
