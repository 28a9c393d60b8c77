"""The observation contract and its atomic, deterministic storage."""

from __future__ import annotations

import hashlib
import os

import pandas as pd
import pytest

from kpi.core import schema, store
from kpi.errors import SchemaError, SourceError
from kpi.util import atomic
from tests.conftest import make_obs


def _digest(folder):
    return {f: hashlib.sha256((folder / f).read_bytes()).hexdigest()
            for f in (store.OBSERVATIONS_PARQUET, store.OBSERVATIONS_CSV)}


def test_conform_fills_defaults_and_orders_columns():
    df = make_obs([{"value": 4884100000.0}])
    assert list(df.columns) == list(schema.COLUMNS)
    row = df.iloc[0]
    assert (row["span"], row["measure"], row["qualifier"]) == ("quarter", "value", "exact")
    assert df["period"].dtype == schema.QUARTER and str(row["period"]) == "2022Q1"


def test_conform_requires_core_columns():
    with pytest.raises(SchemaError, match="value"):
        schema.conform(pd.DataFrame({"area": ["a"], "period": ["2022Q1"], "indicator": ["x"],
                                     "source": ["s"]}))


@pytest.mark.parametrize(("column", "bad"), [
    ("span", "week"), ("measure", "guess"), ("qualifier", "maybe"), ("area", "Cẩm Xuyên"),
    ("area", "../x"), ("value", float("inf")),
])
def test_validate_rejects_values_outside_the_contract(column, bad):
    df = make_obs([{}])
    df[column] = [bad]
    with pytest.raises(SchemaError):
        schema.validate(df)


def test_month_span_needs_its_month():
    with pytest.raises(SchemaError, match="month"):
        schema.validate(make_obs([{"span": "month"}]))
    assert len(schema.validate(make_obs([{"span": "month", "month": 3}]))) == 1


def test_monthly_period_is_rejected():
    df = make_obs([{}])
    df["period"] = pd.Series(pd.PeriodIndex(["2022-03"], freq="M"))
    with pytest.raises(SchemaError):
        schema.validate(df)


def test_round_trip_keeps_dtypes_and_values(tmp_path):
    df = make_obs([
        {"value": 65_100_000_000.0, "evidence": "ước đạt 65,1 tỷ đồng", "qualifier": "estimate"},
        {"period": "2021Q4", "span": "month", "month": 12, "indicator": "unclassified"},
    ])
    store.write_observations(df, tmp_path)
    back = store.read_observations(tmp_path)
    assert back["period"].dtype == schema.QUARTER
    assert back["month"].dtype == "Int64"
    assert sorted(back["value"]) == [1.0, 65_100_000_000.0]
    assert "ước đạt 65,1 tỷ đồng" in set(back["evidence"])
    raw = pd.read_parquet(tmp_path / store.OBSERVATIONS_PARQUET)
    assert set(raw["period_label"]) == {"2022Q1", "2021Q4"}


def test_same_input_gives_identical_bytes_whatever_the_row_order(tmp_path):
    df = make_obs([{"value": float(v), "locator": f"L{v}:0-1"} for v in range(20)])
    store.write_observations(df, tmp_path)
    first = _digest(tmp_path)
    store.write_observations(df.sample(frac=1, random_state=1), tmp_path)
    assert _digest(tmp_path) == first


def test_csv_has_bom_and_vietnamese(tmp_path):
    store.write_observations(make_obs([{"evidence": "Tổng thu ngân sách"}]), tmp_path)
    data = (tmp_path / store.OBSERVATIONS_CSV).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Tổng thu ngân sách" in data.decode("utf-8-sig")


def test_invalid_table_is_not_written(tmp_path):
    store.write_observations(make_obs([{}]), tmp_path)
    before = _digest(tmp_path)
    bad = make_obs([{}])
    bad["span"] = ["fortnight"]
    with pytest.raises(SchemaError):
        store.write_observations(bad, tmp_path)
    assert _digest(tmp_path) == before


def test_failed_write_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "x.csv"
    atomic.write_text(target, "old")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["x.csv"]


def test_written_files_follow_the_umask_not_0600(tmp_path):
    atomic.write_text(tmp_path / "x.csv", "a")
    assert (tmp_path / "x.csv").stat().st_mode & 0o044 == 0o044


def test_reading_missing_or_corrupt_store_is_a_typed_error(tmp_path):
    with pytest.raises(SourceError, match="kpi ingest"):
        store.read_observations(tmp_path)
    (tmp_path / store.OBSERVATIONS_PARQUET).write_bytes(b"not parquet")
    with pytest.raises(SourceError, match="parquet"):
        store.read_observations(tmp_path)
