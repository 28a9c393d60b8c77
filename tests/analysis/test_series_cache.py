"""kpi.analysis.series_cache: computed once per content, recomputed when anything it depends on
changes, never trusted when the file is bad."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from kpi.analysis import series_cache as quarterly_cache
from kpi.analysis.series import quarterly
from kpi.core import store
from kpi.core.catalog import load_catalog
from kpi.errors import SourceError
from tests.conftest import make_obs

CAT = load_catalog()


def _obs(value: float = 4_884_100_000.0) -> pd.DataFrame:
    return make_obs([{"period": "2021Q4", "value": 4.349e9}, {"value": value}])


def _processed(folder: Path, value: float = 4_884_100_000.0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    store.write_observations(_obs(value), folder)
    return folder


def _expected(folder: Path):
    return quarterly(store.read_observations(folder), CAT)


def _same(a, b) -> None:
    for field in ("table", "cumulative", "findings", "observations"):
        pd.testing.assert_frame_equal(getattr(a, field), getattr(b, field))


@pytest.fixture
def counted(monkeypatch):
    """Counts the real computations made through the cache."""
    calls = []

    def compute(obs, catalog):
        calls.append(len(obs))
        return quarterly(obs, catalog)

    monkeypatch.setattr(quarterly_cache, "quarterly", compute)
    return calls


def test_second_call_reads_what_the_first_computed(tmp_path: Path, counted):
    processed = _processed(tmp_path)
    first = quarterly_cache.cached_quarterly(processed, CAT)
    second = quarterly_cache.cached_quarterly(processed, CAT)
    assert counted == [2]
    _same(first, second)
    _same(second, _expected(processed))
    assert len(list((processed / "cache").glob("quarterly-*.pickle"))) == 1


def test_other_content_or_catalogue_is_computed_again(tmp_path: Path, counted):
    processed = _processed(tmp_path)
    before = store.read_observation_bytes(processed)
    quarterly_cache.cached_quarterly(processed, CAT)
    _processed(tmp_path, value=5e9)
    changed = quarterly_cache.cached_quarterly(processed, CAT)
    assert changed.table["value"].max() == 5e9
    other = dataclasses.replace(CAT, rules=())
    quarterly_cache.cached_quarterly(processed, other)
    assert counted == [2, 2, 2]
    after = store.read_observation_bytes(processed)
    keys = {quarterly_cache.cache_key(before, CAT), quarterly_cache.cache_key(after, CAT),
            quarterly_cache.cache_key(after, other)}
    assert len(keys) == 3


def test_a_bad_cache_file_is_recomputed_and_replaced(tmp_path: Path, counted):
    processed = _processed(tmp_path)
    quarterly_cache.cached_quarterly(processed, CAT)
    (path,) = (processed / "cache").glob("quarterly-*.pickle")
    path.write_bytes(b"\x80\x05truncated")
    again = quarterly_cache.cached_quarterly(processed, CAT)
    _same(again, _expected(processed))
    assert counted == [2, 2]
    quarterly_cache.cached_quarterly(processed, CAT)
    assert counted == [2, 2]  # the replaced file is good


def test_old_keys_are_pruned(tmp_path: Path, counted):
    for i in range(quarterly_cache.KEEP + 3):
        quarterly_cache.cached_quarterly(_processed(tmp_path, value=1e9 + i), CAT)
    assert len(list((tmp_path / "cache").glob("quarterly-*.pickle"))) == quarterly_cache.KEEP


def test_an_unwritable_cache_folder_still_gives_the_result(tmp_path: Path, counted):
    processed = _processed(tmp_path)
    (processed / "cache").write_text("a file where the folder should be")
    result = quarterly_cache.cached_quarterly(processed, CAT)
    _same(result, _expected(processed))
    assert (processed / "cache").read_text() == "a file where the folder should be"


def test_a_missing_or_broken_table_is_a_source_error_naming_the_file(tmp_path: Path):
    with pytest.raises(SourceError, match="run `kpi ingest` first") as missing:
        quarterly_cache.cached_quarterly(tmp_path, CAT)
    assert "observations.parquet" in str(missing.value)
    (tmp_path / store.OBSERVATIONS_PARQUET).write_bytes(b"not parquet")
    with pytest.raises(SourceError, match="cannot read parquet"):
        quarterly_cache.cached_quarterly(tmp_path, CAT)
