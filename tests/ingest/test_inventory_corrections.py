"""What data/raw holds, and analysts' corrections."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi.core.catalog import load_catalog
from kpi.errors import CorrectionError
from kpi.ingest.corrections import apply_corrections, read_corrections
from kpi.ingest.inventory import fingerprint, inventory
from tests.conftest import make_obs


def _tree(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "t.xlsx").write_bytes(b"PK")
    (tmp_path / "t.mapping.yaml").write_text("{}", encoding="utf-8")
    (tmp_path / "README.md").write_text("#", encoding="utf-8")
    (tmp_path / "notes.bin").write_bytes(b"\0")
    (tmp_path / ".hidden").write_text("x", encoding="utf-8")
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / ".kpi-sample").write_text("", encoding="utf-8")
    (tmp_path / "sample" / "b.txt").write_text("y", encoding="utf-8")
    (tmp_path / "corrections.csv").write_text("source,locator,action\n", encoding="utf-8")


def test_inventory_kinds_and_sample_marks(tmp_path):
    _tree(tmp_path)
    files = {f.rel: f for f in inventory(tmp_path)}
    assert {rel: f.kind for rel, f in files.items()} == {
        "README.md": "doc", "corrections.csv": "corrections", "notes.bin": "unknown",
        "reports/a.txt": "report", "sample/b.txt": "report", "t.mapping.yaml": "config",
        "t.xlsx": "table",
    }
    assert files["sample/b.txt"].synthetic and not files["reports/a.txt"].synthetic


def test_fingerprint_changes_with_content_only(tmp_path):
    _tree(tmp_path)
    first = fingerprint(inventory(tmp_path))
    assert fingerprint(inventory(tmp_path)) == first
    (tmp_path / "reports" / "a.txt").write_text("changed", encoding="utf-8")
    assert fingerprint(inventory(tmp_path)) != first


def _corrections(tmp_path, body: str):
    path = tmp_path / "corrections.csv"
    path.write_text("source,locator,action,indicator,value,note\n" + body, encoding="utf-8")
    return path


def test_corrections_set_drop_and_report_unmatched(tmp_path):
    obs = make_obs([
        {"locator": "L1:0-5", "indicator": "unclassified", "value": 25.0},
        {"locator": "L2:0-5", "value": 1.0},
        {"locator": "L3:0-5", "value": 4884100000.0},
    ])
    path = _corrections(tmp_path, "r.txt,L1:0-5,set_indicator,trees_planted,,cây xanh\n"
                                  "r.txt,L2:0-5,drop,,,\n"
                                  "r.txt,L3:0-5,set_value,,\"4.884.100.000\",\n"
                                  "r.txt,L9:0-1,drop,,,\n")
    out, findings = apply_corrections(obs, read_corrections(path), load_catalog())
    assert list(out["locator"]) == ["L1:0-5", "L3:0-5"]
    assert out.loc[0, "indicator"] == "trees_planted" and out.loc[0, "unit"] == "tree"
    assert "sửa: set_indicator — cây xanh" in out.loc[0, "evidence"]
    assert out.loc[1, "value"] == 4884100000.0
    assert [(f.kind, f.locator) for f in findings] == [("correction_unmatched", "L9:0-1")]


def test_unknown_indicator_in_correction_is_a_finding(tmp_path):
    path = _corrections(tmp_path, "r.txt,L1:0-5,set_indicator,nope,,\n")
    obs = make_obs([{"locator": "L1:0-5"}])
    out, findings = apply_corrections(obs, read_corrections(path), load_catalog())
    assert out.loc[0, "indicator"] == "budget_revenue"
    assert findings[0].kind == "correction_unknown_indicator"


@pytest.mark.parametrize(("body", "message"), [
    ("r.txt,L1,rename,,,\n", "action"),
    ("r.txt,L1,set_indicator,,,\n", "needs an indicator"),
    ("r.txt,L1,set_value,,abc,\n", "number"),
    ("r.txt,,set_value,,5,\n", "locator"),
])
def test_malformed_corrections_name_the_row(tmp_path, body, message):
    path = _corrections(tmp_path, body)
    with pytest.raises(CorrectionError, match=message) as info:
        read_corrections(path)
    assert "row 2" in str(info.value)


def test_corrections_without_required_columns(tmp_path):
    path = tmp_path / "corrections.csv"
    pd.DataFrame({"source": ["a"]}).to_csv(path, index=False)
    with pytest.raises(CorrectionError, match="locator"):
        read_corrections(path)
