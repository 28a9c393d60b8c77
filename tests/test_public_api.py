"""The public API of ``import kpi``: its exact surface, its laziness, and what it returns
for the shipped data (areas by name, tidy observations, series, ranking)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kpi
from kpi.core.areas import UnknownAreaError
from kpi.errors import KpiError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

EXPORTED = {
    "KpiError", "UnknownAreaError", "__version__", "areas", "catalogue", "observations",
    "open_report", "ranking", "series",
}


def test_the_exported_surface_is_exactly_this() -> None:
    assert set(kpi.__all__) == EXPORTED
    assert len(kpi.__all__) == len(EXPORTED)  # no duplicates
    for name in kpi.__all__:
        assert hasattr(kpi, name), name
        if name != "__version__":
            assert getattr(kpi, name).__doc__, f"kpi.{name} has no docstring"
    assert set(dir(kpi)) >= EXPORTED


def test_no_submodule_shadows_a_public_name() -> None:
    # importing kpi.<x> binds the attribute kpi.<x>: a module named like a function would
    # replace it (hence the names series and ranking, not quarterly and compare)
    for info in pkgutil.iter_modules(kpi.__path__):
        assert info.name not in EXPORTED, info.name
    importlib.import_module("kpi.api")
    importlib.import_module("kpi.notebook.report")
    assert callable(kpi.areas) and callable(kpi.series) and callable(kpi.ranking)


def test_import_kpi_is_light() -> None:
    code = ("import sys, kpi; print(sorted(m for m in ('pandas', 'matplotlib', "
            "'kpi.notebook.report', 'kpi.api', 'numpy') if m in sys.modules)); "
            "kpi.UnknownAreaError; "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "False"


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        kpi.nothing_here  # noqa: B018


# -- against the shipped data ------------------------------------------------------------
@pytest.fixture(scope="module")
def data() -> Path:
    return DATA


def test_areas_lists_slugs_and_names(data: Path) -> None:
    table = kpi.areas(data)
    assert {"area", "name", "district", "district_name"} <= set(table.columns)
    row = table[table["area"] == "cam-binh-commune"].iloc[0]
    assert row["name"] == "Xã Cẩm Bình"


@pytest.mark.parametrize("given", ["Xã Cẩm Bình", "cam binh", "CAM-BINH-COMMUNE", "Cam Binh",
                                   "xa cam binh"])
def test_observations_take_an_area_by_name(data: Path, given: str) -> None:
    obs = kpi.observations(data, area=given, indicator="budget_revenue")
    assert set(obs["area"]) == {"cam-binh-commune"} and len(obs)


def test_observations_are_one_value_per_cell_with_alternatives_beside(data: Path) -> None:
    obs = kpi.observations(data)
    key = ["area", "period", "indicator", "measure"]
    assert not obs.duplicated(key).any()
    # the raw table has more rows than cells (a figure read from a report and a table)
    from kpi.core import store
    raw = store.read_observations(data / "processed")
    raw = raw[raw["span"] == "quarter"]
    assert raw.duplicated(key).any()
    with_alt = obs[obs["alternatives"].map(len) > 0]
    assert len(with_alt), "the shipped sample plants disagreeing figures"
    for value, alts in zip(with_alt["value"], with_alt["alternatives"], strict=True):
        assert value not in alts


def test_unknown_area_and_indicator_raise_instead_of_an_empty_frame(data: Path) -> None:
    with pytest.raises(UnknownAreaError) as caught:
        kpi.observations(data, area="cam-hoa-commune")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, KpiError)
    assert "cam-" in str(caught.value) and "areas.csv" in str(caught.value)
    with pytest.raises(KeyError, match="budget_revenue"):
        kpi.series(data, area="cam binh", indicator="budget_revenu")


def test_series_and_ranking(data: Path) -> None:
    s = kpi.series(data, area="Xã Cẩm Bình", indicator="budget_revenue")
    assert list(s.columns) == ["cam-binh-commune"] and len(s) >= 4
    assert s.index.is_monotonic_increasing
    r = kpi.ranking("budget_revenue", "2022Q1", data)
    assert list(r["rank"].dropna()) == sorted(r["rank"].dropna())
    assert r["value"].is_monotonic_decreasing
    assert r.loc[r["area"] == "cam-binh-commune", "name"].item() == "Xã Cẩm Bình"


def test_catalogue() -> None:
    cat = kpi.catalogue()
    assert "budget_revenue" in cat and cat["budget_revenue"].domain == "revenue"
