"""Shared fixtures: the repository root and small observation tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kpi.core import schema

ROOT = Path(__file__).resolve().parents[1]

# Fixture notebooks (one raises, one kills its kernel) are inputs of tests, not tests.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def make_obs(rows: list[dict]) -> pd.DataFrame:
    """A contract table from partial rows (defaults fill the rest)."""
    base = {"area": "cam-xuyen-town", "period": "2022Q1", "indicator": "budget_revenue",
            "value": 1.0, "source": "r.txt"}
    return schema.conform(pd.DataFrame([{**base, **r} for r in rows]))
