"""The three real datasets shipped in data/raw/tables/, read as the ingest reads them."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from kpi.core import schema
from kpi.core.catalog import load_catalog
from kpi.tables import read_source
from kpi.tables.grid import read_xlsx_grids
from kpi.tables.mapping import SheetSpec
from kpi.tables.result import Collector
from kpi.tables.wide import read_grid

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
TABLES = RAW / "tables"
GSO = TABLES / "gso_socio_economic_tables_2022_6m.xlsx"
OWID = TABLES / "owid_vietnam_vaccinations.csv"
MOF = TABLES / "vn_provincial_budget_mof_2006_2015.csv"
Q = "Q-DEC"


def _rel(path: Path) -> str:
    return path.relative_to(RAW).as_posix()


def _one(obs: pd.DataFrame, **where: object) -> pd.Series:
    mask = pd.Series(True, index=obs.index)
    for col, val in where.items():
        mask &= obs[col].astype(str) == str(val)
    rows = obs[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows.iloc[0]


# --- OWID vaccinations -------------------------------------------------------------------

@pytest.fixture(scope="module")
def owid() -> pd.DataFrame:
    return read_source(OWID, source=_rel(OWID)).observations


def test_owid_quarter_end_cumulative_doses(owid) -> None:
    q1 = _one(owid, indicator="covid_doses_cumulative", period="2022Q1")
    assert (q1["value"], q1["span"], q1["as_of"]) == (206_338_189, "to_date", "2022-03-31")
    q4 = _one(owid, indicator="covid_doses_cumulative", period="2021Q4")
    assert (q4["value"], q4["as_of"]) == (150_935_915, "2021-12-30")
    q3 = _one(owid, indicator="covid_doses_cumulative", period="2022Q3")
    assert (q3["value"], q3["as_of"]) == (259_794_452, "2022-09-22")
    assert (owid["area"] == "vietnam").all()
    # the file ends on 2022-10-02: 2022Q4 is not over and gives nothing
    assert pd.Period("2022Q4", Q) not in set(owid["period"])


def test_owid_derived_quarterly_doses_name_both_rows(owid) -> None:
    q1 = _one(owid, indicator="covid_doses_total", period="2022Q1")
    assert q1["value"] == 206_338_189 - 150_935_915 == 55_402_274
    assert (q1["span"], q1["derived"], q1["as_of"]) == ("quarter", True, "")
    assert "2022-03-31" in q1["evidence"] and "2021-12-30" in q1["evidence"]
    assert "150935915" in q1["evidence"] and "206338189" in q1["evidence"]
    first = _one(owid, indicator="covid_doses_total", period="2021Q1")
    assert first["value"] == 49_743  # the series starts at 0 on 2021-03-07
    doses = owid[owid["indicator"] == "covid_doses_total"].sort_values("period")
    cumul = owid[owid["indicator"] == "covid_doses_cumulative"].sort_values("period")
    assert doses["value"].sum() == cumul["value"].iloc[-1]


def test_owid_stock_series_and_units(owid) -> None:
    cat = load_catalog()
    for code in ("covid_people_vaccinated", "covid_people_fully_vaccinated",
                 "covid_boosters_cumulative", "covid_doses_cumulative"):
        series = owid[owid["indicator"] == code].sort_values("period")
        assert len(series) > 0 and cat[code].aggregation == "stock"
        assert series["value"].is_monotonic_increasing
        assert (series["unit"] == cat[code].unit).all()
    schema.validate(owid)


# --- Ministry of Finance provincial budget plans -----------------------------------------

@pytest.fixture(scope="module")
def mof() -> pd.DataFrame:
    return read_source(MOF, source=_rel(MOF)).observations


def test_mof_plans_in_vnd_exactly(mof) -> None:
    ha_noi = _one(mof, area="ha-noi-city", period="2015Q4", indicator="budget_revenue")
    assert ha_noi["value"] == 141_690_000 * 10**6 == 141_690_000_000_000
    assert (ha_noi["measure"], ha_noi["span"], ha_noi["unit"]) == ("plan", "year", "VND")
    assert ha_noi["locator"] == 'row 586, column "total.rev"'
    ha_tinh = _one(mof, area="ha-tinh-province", period="2015Q4", indicator="budget_revenue")
    assert ha_tinh["value"] == 9_760_000_000_000
    exp = _one(mof, area="ha-tinh-province", period="2015Q4", indicator="budget_expenditure")
    assert exp["value"] == 8_199_037_400_000  # 8199037.4 triệu, no float drift


def test_mof_scientific_notation_and_all_provinces(mof) -> None:
    hau_giang = _one(mof, area="hau-giang-province", period="2006Q4", indicator="budget_revenue")
    assert hau_giang["value"] == 300_000_000_000  # written "3.00E+05"
    rev = mof[mof["indicator"] == "budget_revenue"]
    assert len(rev) == 633
    assert rev.groupby("period").size().to_dict()[pd.Period("2015Q4", Q)] == 63
    assert "ha-tay-province" in set(rev["area"])  # merged into Hà Nội in 2008
    assert set(mof["indicator"]) == {"budget_revenue", "budget_expenditure",
                                     "budget_transfer_balancing", "budget_transfer_targeted"}
    assert (mof["measure"] == "plan").all()


# --- Statistical office workbook ---------------------------------------------------------

@pytest.fixture(scope="module")
def gso():
    return read_source(GSO, source=_rel(GSO))


def test_gso_reads_only_the_mapped_sheets(gso) -> None:
    sheets = set(gso.observations["locator"].str.split("!").str[0])
    assert sheets == {"3.VonNSNNquy", "2.VonNSNNthang", "42.XHMT"}
    assert gso.rejected == []
    assert "unclassified" not in set(gso.observations["indicator"])
    schema.validate(gso.observations)


def test_gso_quarterly_investment_cells(gso) -> None:
    obs = gso.observations
    c8 = _one(obs, locator="3.VonNSNNquy!C8")  # TỔNG SỐ, Thực hiện quý I: 76.095,25 tỷ
    assert (c8["indicator"], c8["value"], c8["qualifier"], str(c8["period"])) == \
        ("public_investment", 76_095_250_000_000, "exact", "2022Q1")
    d8 = _one(obs, locator="3.VonNSNNquy!D8")  # Ước tính quý II: 116.139,589 tỷ
    assert (d8["value"], d8["qualifier"], str(d8["period"])) == \
        (116_139_589_000_000, "estimate", "2022Q2")
    e8 = _one(obs, locator="3.VonNSNNquy!E8")
    assert e8["measure"] == "pct_of_prior_year" and math.isclose(e8["value"], 110.2847052015)
    ha_noi = _one(obs, locator="3.VonNSNNquy!C26")
    assert (ha_noi["area"], ha_noi["indicator"], ha_noi["value"]) == \
        ("ha-noi-city", "public_investment", 8_493_716_000_000)
    health = _one(obs, locator="3.VonNSNNquy!C15")
    assert (health["indicator"], health["value"]) == \
        ("public_investment_ministry_health", 130_670_000_000)


@pytest.mark.parametrize("period", ["2022Q1", "2022Q2"])
def test_gso_total_equals_central_plus_local_levels(gso, period) -> None:
    obs = gso.observations
    v = obs[(obs["locator"].str.startswith("3.VonNSNNquy")) & (obs["area"] == "vietnam")
            & (obs["measure"] == "value") & (obs["period"] == pd.Period(period, Q))]
    v = v.set_index("indicator")["value"]
    levels = ["public_investment_central", "public_investment_province_level",
              "public_investment_district_level", "public_investment_commune_level"]
    assert math.isclose(v["public_investment"], v[levels].sum(), rel_tol=1e-9)
    ministries = [i for i in v.index if i.startswith("public_investment_ministry_")]
    assert len(ministries) == 10 and v[ministries].sum() <= v["public_investment_central"]


def test_gso_structure_rules_match_the_catalogue(gso) -> None:
    catalogue = {r.id: r for r in load_catalog().rules}
    wanted = catalogue["public_investment_levels_sum"]
    found = [r for r in gso.rules if r.kind == "sum" and r.total == "public_investment"]
    assert found and all(set(r.parts) == set(wanted.parts) for r in found)
    within = [r for r in gso.rules if r.total == "public_investment_central"]
    assert within and all(r.kind == "parts_le_total" and len(r.parts) == 10 for r in within)


def test_gso_monthly_sheet_spans(gso) -> None:
    obs = gso.observations
    may = _one(obs, locator="2.VonNSNNthang!C9")
    assert (may["span"], may["month"], may["value"]) == ("month", 5, 38_181_200_000_000)
    ytd = _one(obs, locator="2.VonNSNNthang!E9")
    assert (ytd["span"], str(ytd["period"]), ytd["qualifier"]) == ("ytd", "2022Q2", "estimate")
    q1 = _one(obs, locator="3.VonNSNNquy!C8")["value"]
    q2 = _one(obs, locator="3.VonNSNNquy!D8")["value"]
    assert math.isclose(ytd["value"], q1 + q2)  # 6 tháng = quý I + quý II
    plan = _one(obs, locator="2.VonNSNNthang!F9")
    assert (plan["measure"], plan["unit"]) == ("pct_of_plan", "percent")


def test_gso_social_sheet(gso) -> None:
    obs = gso.observations
    x = obs[obs["locator"].str.startswith("42.XHMT")]
    assert not x["locator"].str.match(r"42\.XHMT![GH]").any()  # the mislabelled columns
    acc = _one(x, indicator="traffic_accidents", period="2022Q1", span="quarter")
    assert (acc["value"], acc["unit"]) == (2762, "case")
    assert _one(x, indicator="traffic_accidents", span="ytd")["value"] == 5684
    assert _one(x, indicator="fire_deaths", period="2022Q2", span="quarter")["value"] == 25
    assert _one(x, indicator="traffic_deaths", period="2022Q2", span="quarter")["value"] == 1610
    dmg = _one(x, indicator="disaster_damage_value", period="2022Q1", span="quarter")
    assert dmg["value"] == 836_125_520_000  # 836,12552 tỷ đồng
    houses = _one(x, indicator="disaster_houses_destroyed", period="2022Q2", span="quarter")
    assert (houses["value"], houses["unit"]) == (176, "house")
    serious = _one(x, indicator="traffic_accidents_serious", period="2022Q1", span="quarter")
    collisions = _one(x, indicator="traffic_collisions", period="2022Q1", span="quarter")
    assert serious["value"] + collisions["value"] == acc["value"]


def test_general_reader_reads_every_sheet_without_a_mapping() -> None:
    """No mapping: every sheet of the workbook still gives valid, unclassified rows."""
    catalog = load_catalog()
    out = Collector(errors="report")
    for grid in read_xlsx_grids(GSO, "gso.xlsx"):
        read_grid(grid, SheetSpec(), out, catalog)
    result = out.result()
    obs = schema.validate(result.observations)
    assert result.rejected == []
    sheets = set(obs["locator"].str.split("!").str[0])
    # two sheets have no period in any column header ("Thực hiện kỳ này", "Số dự án"):
    # their columns are noted as not read, not given a guessed period
    assert len(sheets) == 44 and not sheets & {"1.Nong nghiep", "4.DTNN"}
    assert any("4.DTNN!C4" in n and "no period" in n for n in result.notes)
    assert len(obs) > 4000
    # comparisons with the previous month or a base period are noted and not read
    assert any("so với tháng trước" in n for n in result.notes)
    assert not obs["locator"].str.match(r"CPI!G").any()
    lam = obs[obs["locator"] == "4-5.Channuoi-Lam nghiep!B31"].iloc[0]  # 2nd block
    assert (str(lam["period"]), lam["value"], lam["unit"]) == ("2022Q1", 3_185_460, "m3")
