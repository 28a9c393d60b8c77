"""kpi ingest end to end on a copy of real raw files, and the CLI around it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kpi.cli import main
from kpi.ingest.pipeline import ingest, load_observations

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_52-BC-DU.txt"
OWID = ROOT / "data" / "raw" / "tables" / "owid_vietnam_vaccinations.csv"
OUTPUTS = ("observations.parquet", "observations.csv", "review.csv", "quality.csv", "areas.csv")


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    (folder / "reports").mkdir(parents=True)
    (folder / "tables").mkdir()
    shutil.copy(SEED, folder / "reports" / SEED.name)
    shutil.copy(OWID, folder / "tables" / OWID.name)
    shutil.copy(OWID.with_suffix(".mapping.yaml"), folder / "tables")
    return folder


def _quiet(_: str) -> None:
    pass


def test_ingest_writes_every_output_and_finds_the_seed_inconsistency(raw, tmp_path):
    out = tmp_path / "processed"
    result = ingest(raw, out, log=_quiet)
    assert result.ok and not result.skipped
    assert all((out / name).is_file() for name in OUTPUTS)
    obs = result.observations
    assert {"cam-xuyen-town", "vietnam"} <= set(obs["area"])
    revenue = obs[(obs["indicator"] == "budget_revenue") & (obs["area"] == "cam-xuyen-town")]
    assert list(revenue["value"]) == [4_884_100_000.0]
    assert list(revenue["qualifier"]) == ["approx"]
    # TTCN 30 tỷ + xây dựng 50 tỷ against a total of 45 tỷ: a finding, not a crash.
    rules = result.findings[result.findings["indicator"] == "industry_construction_output"]
    assert len(rules) == 1 and "45 tỷ" in rules.iloc[0]["detail"]
    review = pd.read_csv(out / "review.csv", encoding="utf-8-sig")
    assert len(review) == len(obs) and review["evidence"].str.len().gt(0).all()
    areas = pd.read_csv(out / "areas.csv", encoding="utf-8-sig")
    assert "Thị trấn Cẩm Xuyên" in set(areas["name"])


def test_rerun_is_idempotent_and_skipped_when_unchanged(raw, tmp_path):
    out = tmp_path / "processed"
    ingest(raw, out, log=_quiet)
    first = _hashes(out)
    again = ingest(raw, out, log=_quiet)
    assert again.skipped and _hashes(out) == first
    forced = ingest(raw, out, force=True, log=_quiet)
    assert not forced.skipped and _hashes(out) == first


def test_changed_input_is_reingested(raw, tmp_path):
    out = tmp_path / "processed"
    ingest(raw, out, log=_quiet)
    text = SEED.read_text(encoding="utf-8").replace("4.884.100.000đ", "5.000.000.000đ")
    (raw / "reports" / SEED.name).write_text(text, encoding="utf-8")
    result = ingest(raw, out, log=_quiet)
    assert not result.skipped
    assert 5e9 in set(result.observations["value"])


def test_unreadable_file_is_named_and_the_rest_still_ingests(raw, tmp_path):
    (raw / "reports" / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (raw / "reports" / "empty.txt").write_bytes(b"")
    lines: list[str] = []
    result = ingest(raw, tmp_path / "processed", log=lines.append)
    assert not result.ok
    assert sorted(rel for rel, _ in result.failed) == ["reports/broken.txt", "reports/empty.txt"]
    assert "budget_revenue" in set(result.observations["indicator"])
    assert any("broken.txt: FAILED" in line for line in lines)
    errors = result.findings[result.findings["kind"] == "unreadable_file"]
    assert set(errors["source"]) == {"reports/broken.txt", "reports/empty.txt"}
    # A failed ingest is not remembered as done: the next run reads again.
    assert not ingest(raw, tmp_path / "processed", log=_quiet).skipped


def test_raw_folder_is_never_written(raw, tmp_path):
    before = _hashes(raw)
    ingest(raw, tmp_path / "processed", log=_quiet)
    assert _hashes(raw) == before


def test_corrections_are_applied(raw, tmp_path):
    first = ingest(raw, tmp_path / "p1", log=_quiet).observations
    trees = first[first["indicator"] == "trees_planted"].iloc[0]
    (raw / "corrections.csv").write_text(
        "source,locator,action,indicator,value,note\n"
        f"{trees['source']},{trees['locator']},set_value,,30,báo cáo ghi nhầm\n",
        encoding="utf-8")
    obs = ingest(raw, tmp_path / "p2", log=_quiet).observations
    fixed = obs[(obs["locator"] == trees["locator"]) & (obs["source"] == trees["source"])]
    assert list(fixed["value"]) == [30.0]
    assert "báo cáo ghi nhầm" in fixed.iloc[0]["evidence"]


def test_load_observations_ingests_a_fresh_clone(raw, tmp_path):
    data = raw.parent
    obs = load_observations(data, log=_quiet)
    assert (data / "processed" / "observations.parquet").is_file()
    assert len(obs) > 40


def test_cli_check_lists_raw_files(capsys, raw):
    (raw.parent / "data").mkdir()
    shutil.move(str(raw), raw.parent / "data" / "raw")
    assert main(["--root", str(raw.parent), "check"]) == 0
    out = capsys.readouterr().out
    assert "indicators" in out and SEED.name in out and "report" in out


def test_cli_ingest_exit_code_names_the_bad_file(raw, tmp_path, capsys):
    (raw / "reports" / "broken.txt").write_bytes(b"\x00\x00")
    code = main(["ingest", "--raw", str(raw), "--out", str(tmp_path / "p")])
    assert code == 1
    assert "broken.txt" in capsys.readouterr().err


def test_cli_extract_several_files_to_csv(tmp_path):
    other = tmp_path / "xa.txt"
    other.write_text("UBND XÃ CẨM BÌNH\nBÁO CÁO QUÝ II NĂM 2022\n"
                     "Tổng thu ngân sách quý II đạt 1.250.000.000 đồng.\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    subprocess.run([sys.executable, "-m", "kpi", "extract", str(SEED), str(other), "-o", str(out)],
                   check=True, capture_output=True)
    table = pd.read_csv(out, encoding="utf-8-sig")
    for column in ("source", "value", "measure", "qualifier", "span", "indicator", "evidence"):
        assert column in table
    assert set(table["source"]) == {SEED.name, "xa.txt"}
    assert 1_250_000_000.0 in set(table["value"])
