"""kpi.extract.evaluate: scoring against labelled real passages, and the thresholds the extractor
must meet on the two labelled sets in tests/fixtures/extract/labelled/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpi.extract.evaluate import Scores, evaluate, held_out

SETS = Path(__file__).resolve().parents[1] / "fixtures" / "extract" / "labelled"
NAMES = ("labels15", "excerpts16")


@pytest.fixture(scope="module")
def scores() -> dict[tuple[str, str | None], Scores]:
    out = {}
    for name in NAMES:
        out[(name, None)] = evaluate(SETS / name)
        out[(name, "mixed")] = evaluate(SETS / name, kinds=("mixed",))
    return out


def test_the_sets_are_large_and_well_formed():
    labels = 0
    for name in NAMES:
        folder = SETS / name
        passages = [json.loads(line) for line in (folder / "passages.jsonl").open()]
        texts = {p["id"]: (folder / "passages" / f"{p['id']}.txt").read_text() for p in passages}
        for line in (folder / "labels.jsonl").open():
            lab = json.loads(line)
            assert texts[lab["passage"]].count(lab["surface"]) >= lab["occurrence"], lab
            labels += 1
        assert {p["level"] for p in passages} >= {"commune", "district", "province"}
        assert len({p["province"] for p in passages}) >= 5
    assert labels >= 150


@pytest.mark.parametrize("name", NAMES)
def test_values_found(scores, name):
    assert scores[(name, None)].recall >= 0.95


@pytest.mark.parametrize("name", NAMES)
def test_rows_are_labelled_numbers(scores, name):
    assert scores[(name, None)].precision >= 0.95


@pytest.mark.parametrize("name", NAMES)
def test_measures_on_passages_mixing_results_and_targets(scores, name):
    assert scores[(name, "mixed")].measure_agreement >= 0.9
    assert scores[(name, None)].measure_agreement >= 0.95


@pytest.mark.parametrize("name", NAMES)
def test_results_read_as_results(scores, name):
    assert scores[(name, None)].result_specificity >= 0.95


@pytest.mark.parametrize("name", NAMES)
def test_targets_read_as_targets(scores, name):
    assert scores[(name, None)].target_detection >= 0.85


def test_enough_targets_to_tell():
    """The excerpts hold few targets (28 of 530 numbers): the sets together hold many."""
    pooled = Scores()
    for name in NAMES:
        pooled.add(evaluate(SETS / name))
    assert pooled.targets >= 150


def test_the_held_out_third_is_fixed_and_about_a_third():
    ids = [json.loads(line)["id"] for name in NAMES
           for line in (SETS / name / "passages.jsonl").open()]
    held = [i for i in ids if held_out(i)]
    assert 0.2 <= len(held) / len(ids) <= 0.45
    assert held == [i for i in ids if held_out(i)]


def test_scoring_matches_by_place_then_value(tmp_path: Path):
    folder = tmp_path / "set"
    (folder / "passages").mkdir(parents=True)
    text = ("Năm 2022 xã đã thu ngân sách 4,5 tỷ đồng, đạt 90% kế hoạch. "
            "Năm 2023 phấn đấu thu ngân sách 5 tỷ đồng.")
    (folder / "passages" / "p1.txt").write_text(text)
    meta = {"id": "p1", "area_name": "xã Cẩm Bình", "level": "commune", "period": "2022",
            "date": "", "kind": "mixed", "province": "Hà Tĩnh"}
    (folder / "passages.jsonl").write_text(json.dumps(meta, ensure_ascii=False) + "\n")
    labels = [
        {"passage": "p1", "surface": "4,5 tỷ đồng", "occurrence": 1, "value": 4.5e9,
         "measure": "value", "role": "result"},
        {"passage": "p1", "surface": "90%", "occurrence": 1, "value": 90,
         "measure": "pct_of_plan", "role": "result"},
        {"passage": "p1", "surface": "5 tỷ đồng", "occurrence": 2, "value": 5e9,  # 1: in 4,5
         "measure": "value", "role": "target"},
        {"passage": "p1", "surface": "4,5 tỷ đồng", "occurrence": 1, "value": 7,  # wrong value
         "measure": "value", "role": "result"},
    ]
    (folder / "labels.jsonl").write_text(
        "".join(json.dumps(lab, ensure_ascii=False) + "\n" for lab in labels))
    sc = evaluate(folder)
    assert (sc.labels, sc.found, sc.rows, sc.rows_matched) == (4, 3, 3, 3)
    assert (sc.targets, sc.targets_read, sc.results, sc.results_read) == (1, 1, 2, 2)
    assert sc.measure_same == 3
