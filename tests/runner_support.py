"""Helpers for the runner's tests: a throw-away project root and the fixture notebooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
RAW_FILES = {
    "reports/cam-xuyen-town_2022Q1_x.txt": "Thu ngân sách ước đạt 4.884.100.000 đ\n",
    "tables/t.csv": "a,b\n1,2\n",
}


def fixture_notebook(name: str) -> str:
    """Path (as text) of a fixture notebook: charts, raises, sleeps or dies."""
    return str(FIXTURES / f"{name}.ipynb")


def make_root(root: Path, coverage: dict[str, list[str]]) -> Path:
    """A minimal project under ``root``: raw files and an observation table.

    ``coverage`` maps each area to the quarters it has observations for.
    """
    raw = root / "data" / "raw"
    for name, text in RAW_FILES.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(text, encoding="utf-8")
    processed = root / "data" / "processed"
    processed.mkdir(parents=True, exist_ok=True)
    rows = [(area, q) for area, quarters in coverage.items() for q in quarters]
    table = pd.DataFrame(
        {
            "area": [a for a, _ in rows],
            "period": pd.PeriodIndex([q for _, q in rows], freq="Q-DEC"),
            "value": [1.0] * len(rows),
        }
    )
    table.to_parquet(processed / "observations.parquet")
    return root


def hidden_leftovers(folder: Path) -> list[Path]:
    """Temp files and build folders (hidden names) anywhere under ``folder``."""
    return [p for p in folder.rglob(".*") if p.name != ".lock"]
