"""The synthetic sample data set: deterministic, complete, anchored, safe to write."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.errors import UnsafeParameterError
from kpi.numbers.vietnamese import parse_amount, parse_number
from kpi.sample.dataset import MARKER, build, generate, sample_command
from kpi.sample.series import AREA_BY_SLUG, build_series
from kpi.sample.text import Say, decimal, digits

ROOT = Path(__file__).resolve().parents[2]
SEED_REPORT = ROOT / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_52-BC-DU.txt"
AREAS = {
    "cam-xuyen-town": "THỊ TRẤN CẨM XUYÊN",
    "cam-binh-commune": "XÃ CẨM BÌNH",
    "cam-thanh-commune": "XÃ CẨM THÀNH",
    "cam-quang-commune": "XÃ CẨM QUANG",
    "cam-vinh-commune": "XÃ CẨM VỊNH",
    "cam-thach-commune": "XÃ CẨM THẠCH",
}
QUARTERS = [f"{y}Q{q}" for y in (2021, 2022) for q in (1, 2, 3, 4)]
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}
# The seed report's own figures for the town, 2022Q1 (checked against its text below).
SEED_REVENUE = 4_884_100_000
SEED_DOSES = {"covid_doses_1": 85, "covid_doses_2": 170, "covid_doses_3": 3918}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "out"
    generate(out, seed=2022)
    return out


@pytest.fixture(scope="module")
def truth(sample: Path) -> list[dict[str, str]]:
    with open(sample / "truth.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _text(path: Path) -> str:
    return unicodedata.normalize("NFC", path.read_bytes().decode("utf-8"))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _table(sample: Path, area: str) -> dict[str, dict[str, str]]:
    raw = (sample / "tables" / f"{area}_chi-tieu-chu-yeu.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    return {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def test_same_seed_same_bytes_other_seed_other_communes(sample: Path, tmp_path: Path):
    again = tmp_path / "again"
    generate(again, seed=2022)
    assert _files(again) == _files(sample)
    other = build(seed=7, areas=["cam-xuyen-town", "cam-binh-commune"]).files
    first = _files(sample)
    commune = "tables/cam-binh-commune_chi-tieu-chu-yeu.csv"
    assert other[commune] != first[commune]
    # the town's series is hand-set: its table does not depend on the seed
    town = "tables/cam-xuyen-town_chi-tieu-chu-yeu.csv"
    assert other[town] == first[town]


def test_every_area_and_quarter_except_the_real_seed(sample: Path):
    names = sorted(p.name for p in (sample / "reports").iterdir())
    got = sorted(tuple(n.split("_")[:2]) for n in names)
    expected = sorted((a, q) for a in AREAS for q in QUARTERS
                      if (a, q) != ("cam-xuyen-town", "2022Q1"))
    assert got == expected
    assert all(re.fullmatch(r"[a-z-]+_\d{4}Q[1-4]_\d+-BC-(DU|UBND)\.txt", n) for n in names)


def test_each_heading_names_its_area_and_period(sample: Path):
    for path in sorted((sample / "reports").iterdir()):
        area, period = path.name.split("_")[:2]
        year, q = period[:4], period[-1]
        lines = _text(path).splitlines()
        head = "\n".join(lines[:16])
        assert re.search(rf"(ĐẢNG UỶ|UBND) {AREAS[area]}\n", head), path.name
        assert f"tháng {3 * int(q)} năm {year}" in head, path.name
        title = next(ln for ln in lines[5:16] if "nhiệm vụ" in ln.lower()).upper()
        first = re.search(r"QUÝ (IV|III|II|I)\b|6 THÁNG ĐẦU NĂM|NHIỆM VỤ CHÍNH TRỊ NĂM|"
                          r"AN NINH NĂM", title)
        assert first, title
        said = first.group(0)
        if said.startswith("QUÝ"):
            assert first.group(1) == ROMAN[q], (path.name, title)
        elif said == "6 THÁNG ĐẦU NĂM":
            assert q == "2", path.name
        else:
            assert q == "4", path.name
        assert year in title, path.name


def test_the_seed_figures_used_as_anchors_are_the_seed_reports():
    seed = _text(SEED_REPORT)
    assert "4.884.100.000đ" in seed
    assert re.search(r"mũi 1: 85\s*mũi, mũi 2: 170 mũi, mũi 3: 3.918 mũi", seed)


def test_town_2022q2_continues_the_real_2022q1(sample: Path, truth: list[dict[str, str]]):
    q2 = float(_table(sample, "cam-xuyen-town")["Tổng thu ngân sách"]["Quý II/2022"]
               .replace(".", ""))
    assert 0.7 < q2 / SEED_REVENUE < 1.4
    town = [t for t in truth if t["area"] == "cam-xuyen-town" and t["period"] == "2022Q2"
            and t["source"].startswith("reports/")]
    ytd = [t for t in town if t["indicator"] == "budget_revenue" and t["span"] == "ytd"
           and t["measure"] == "value"]
    assert len(ytd) == 1
    # the half-year figure is the real Q1 plus the sample's Q2 (stated in tỷ, 1–2 decimals)
    assert float(ytd[0]["value"]) == pytest.approx(SEED_REVENUE + q2, abs=0.05e9)
    for code, q1 in SEED_DOSES.items():
        stated = [float(t["value"]) for t in town if t["indicator"] == code
                  and t["span"] == "ytd"]
        assert stated and stated[0] > q1


def test_reports_agree_with_tables_except_the_planted_problems(truth: list[dict[str, str]]):
    """Doses stated in the reports, for a quarter, 6 months or a year, add up from the
    district table's quarterly totals (and the series' parts); the town's 2022Q1 is the
    seed's."""
    cells = {(t["area"], t["period"], t["indicator"]): float(t["value"])
             for t in truth if t["source"].startswith("tables/")}
    for area in AREAS:
        series = build_series(AREA_BY_SLUG[area], 2022)
        for k, period in enumerate(QUARTERS):
            for code in ("covid_doses_1", "covid_doses_2", "covid_doses_3"):
                cells[(area, period, code)] = series.values[code][k]
    for code, v in SEED_DOSES.items():
        cells[("cam-xuyen-town", "2022Q1", code)] = v
    cells[("cam-xuyen-town", "2022Q1", "covid_doses_total")] = sum(SEED_DOSES.values())
    checked = 0
    for t in truth:
        code, span = t["indicator"], t["span"]
        if not (t["source"].startswith("reports/") and code.startswith("covid_doses")
                and t["measure"] == "value" and span in ("quarter", "ytd", "year")):
            continue
        year, q = t["period"][:4], int(t["period"][-1])
        last = 4 if span == "year" else q
        first = q if span == "quarter" else 1
        # "-" cells (before the campaign) are not in truth: nothing was given
        expected = sum(cells.get((t["area"], f"{year}Q{k}", code), 0.0)
                       for k in range(first, last + 1))
        if t["note"].startswith("dq:"):
            assert float(t["value"]) != expected
        else:
            assert float(t["value"]) == expected, t
        checked += code == "covid_doses_total"
    assert checked > 30


def test_planted_problems_are_there(sample: Path, truth: list[dict[str, str]]):
    dq = [t for t in truth if t["note"].startswith("dq:")]
    assert {(t["area"], t["period"], t["indicator"]) for t in dq} == {
        ("cam-quang-commune", "2021Q4", "covid_doses_total"),
        ("cam-thach-commune", "2021Q3", "budget_revenue"),
    }
    doses = {t["indicator"]: float(t["value"]) for t in truth
             if (t["area"], t["period"]) == ("cam-quang-commune", "2021Q4")
             and t["source"].startswith("reports/") and t["indicator"].startswith("covid_doses")
             and t["span"] != "to_date"}
    parts = doses["covid_doses_1"] + doses["covid_doses_2"] + doses["covid_doses_3"]
    assert doses["covid_doses_total"] != parts
    said = [float(t["value"]) for t in truth if t["source"].startswith("reports/")
            and (t["area"], t["period"], t["indicator"], t["span"], t["measure"])
            == ("cam-thach-commune", "2021Q3", "budget_revenue", "quarter", "value")]
    cell = next(float(t["value"]) for t in dq if t["indicator"] == "budget_revenue")
    assert said and all(8 < cell / s < 12 for s in said)
    readme = (sample / "README.md").read_text(encoding="utf-8")
    assert "cam-quang-commune" in readme and "cam-thach-commune" in readme


def test_truth_locators_point_at_the_stated_text(sample: Path, truth: list[dict[str, str]]):
    cache: dict[str, list[str]] = {}
    for t in truth:
        if not t["source"].startswith("reports/"):
            continue
        lines = cache.setdefault(t["source"], _text(sample / t["source"]).splitlines())
        m = re.fullmatch(r"L(\d+):(\d+)-(\d+)", t["locator"])
        assert m, t["locator"]
        line, start, end = map(int, m.groups())
        assert lines[line - 1][start:end] == t["text"], t
        number = parse_amount(t["text"]).value
        if t["text"].endswith("km"):
            number *= 1000
        if t["measure"].startswith("pct_change"):
            number = abs(number)
            assert abs(float(t["value"])) == pytest.approx(number)
        else:
            assert float(t["value"]) == pytest.approx(number), t


def test_table_cells_match_truth(sample: Path, truth: list[dict[str, str]]):
    grids = {}
    for path in sorted((sample / "tables").glob("*.csv")):
        grid = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert grid[0][1] == "Đơn vị tính" and grid[0][2:] == [
            f"Quý {ROMAN[q[-1]]}/{q[:4]}" for q in QUARTERS]
        grids[f"tables/{path.name}"] = grid
    assert len(grids) == len(AREAS) + 1
    rows = [t for t in truth if t["source"].startswith("tables/")]
    assert {t["source"] for t in rows} == set(grids)
    for t in rows:
        grid = grids[t["source"]]
        m = re.fullmatch(r'row (\d+), column "(.+)"', t["locator"])
        assert m, t["locator"]
        row, col = int(m.group(1)), grid[0].index(m.group(2))
        factor = 1_000_000 if grid[row - 1][1] == "triệu đồng" else 1
        assert parse_number(grid[row - 1][col]) * factor == float(t["value"]), t
    town = _table(sample, "cam-xuyen-town")
    assert all(row["Quý I/2022"] == "" for row in town.values())
    district = grids["tables/cam-xuyen-district_tiem-vac-xin-covid.csv"]
    total = district[-1]
    assert total[0] == "Cộng"
    for col in range(2, len(total)):
        numbers = [r[col] for r in district[1:-1] if r[col] not in ("", "-")]
        if "" not in [r[col] for r in district[1:-1]] and numbers:
            assert parse_number(total[col]) == sum(map(parse_number, numbers))


def test_readme_says_synthetic_and_how_it_was_made(sample: Path):
    readme = (sample / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    assert "kpi sample --out data/raw/sample --seed 2022" in readme
    assert "4.884.100.000" in readme
    assert str(ROOT) not in readme and tempfile.gettempdir() not in readme  # no machine paths


def test_refuses_a_folder_with_foreign_files(tmp_path: Path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UnsafeParameterError, match="did not make"):
        generate(out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert sample_command(out, seed=2022) == 2


def test_refuses_own_folder_once_something_foreign_is_added(tmp_path: Path):
    out = tmp_path / "s"
    generate(out, areas=["cam-vinh-commune"], quarters=["2021Q1"])
    (out / "reports" / "extra.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UnsafeParameterError, match=r"extra\.txt"):
        generate(out, areas=["cam-vinh-commune"], quarters=["2021Q1"])
    (out / "reports" / "extra.txt").unlink()
    generate(out, areas=["cam-vinh-commune"], quarters=["2021Q1"])  # its own files: fine


def test_regenerating_replaces_its_own_files_and_drops_stale_ones(tmp_path: Path):
    out = tmp_path / "s"
    generate(out, areas=["cam-binh-commune", "cam-vinh-commune"], quarters=["2021Q1", "2021Q2"])
    written = generate(out, areas=["cam-binh-commune"], quarters=["2021Q2"])
    present = {p for p in out.rglob("*") if p.is_file()}
    assert present == {*written, out / MARKER}
    names = [p.name for p in (out / "reports").iterdir()]
    assert len(names) == 1 and names[0].startswith("cam-binh-commune_2021Q2")
    listed = (out / MARKER).read_text(encoding="utf-8")
    assert all(p.relative_to(out).as_posix() in listed for p in written)


def test_never_writes_outside_the_output_folder(tmp_path: Path):
    before = {p for p in tmp_path.rglob("*")}
    out = tmp_path / "deep" / "out"
    generate(out, areas=["cam-thach-commune"], quarters=["2022Q3", "2022Q4"])
    new = {p for p in tmp_path.rglob("*")} - before
    assert new and all(p in (out, out.parent) or out in p.parents for p in new)


def test_refuses_a_file_as_output_and_unknown_choices(tmp_path: Path):
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(UnsafeParameterError):
        generate(target)
    with pytest.raises(UnsafeParameterError, match="areas"):
        generate(tmp_path / "a", areas=["../etc"])
    with pytest.raises(UnsafeParameterError, match="quarters"):
        generate(tmp_path / "b", quarters=["2020Q4"])
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_sample_command_writes_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert sample_command(tmp_path / "out", seed=3) == 0
    assert "47 reports, 7 tables" in capsys.readouterr().err
    assert (tmp_path / "out" / "truth.csv").exists()


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=0, max_value=3))
def test_digits_read_back(n: int, pad: int):
    assert parse_number(digits(n, pad)) == n


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False), st.integers(0, 2))
def test_decimals_read_back(x: float, places: int):
    assert parse_number(decimal(x, places)) == pytest.approx(round(x, places), abs=1e-9)


@settings(max_examples=200)
@given(st.integers(min_value=1_000_000, max_value=90_000_000_000).map(lambda v: v * 100),
       st.sampled_from(["full", "ty", "trieu", "ty_trieu"]), st.integers(0, 10**6),
       st.sampled_from([" ", "\u00a0"]))
def test_money_reads_back_with_the_qualifier_its_rounding_implies(exact: int, form: str,
                                                                  seed: int, space: str):
    import random

    lead, fact = Say(random.Random(seed), "quarter", space).money("budget_revenue", exact, form)
    assert parse_amount(fact.text).value == fact.value
    expected = ("approx" if fact.value > exact else "more_than" if fact.value < exact
                else "exact")
    assert fact.qualifier == expected
    assert lead == {"approx": "gần ", "more_than": "hơn ", "exact": ""}[expected]
    assert abs(fact.value - exact) <= 0.05 * exact


def test_the_table_reader_reads_every_planted_cell(sample: Path, truth: list[dict[str, str]]):
    from kpi.tables import read_source

    read = {}
    for path in sorted((sample / "tables").glob("*.csv")):
        result = read_source(path, source=f"tables/{path.name}", errors="report")
        assert not result.rejected, path.name
        for row in result.observations.itertuples():
            read[(row.source, row.locator)] = (row.area, str(row.period), row.indicator,
                                               row.value, row.unit)
    planted = {(t["source"], t["locator"]): (t["area"], t["period"], t["indicator"],
                                             float(t["value"]), t["unit"])
               for t in truth if t["source"].startswith("tables/")}
    assert read == planted


# One report of each kind the extractor must cope with: the town's half-year report (real
# Q1 + sample Q2), a year report with the planted dose typo and no-break spaces, the NFD +
# CRLF report, and a UBND quarter report with a 9-month revenue line.
EXTRACTED = ("cam-xuyen-town_2022Q2_", "cam-quang-commune_2021Q4_", "cam-vinh-commune_2021Q3_",
             "cam-thach-commune_2021Q3_")
KEY = ("budget_revenue", "covid_doses_total", "covid_doses_1", "covid_doses_2", "covid_doses_3")


def test_the_extractor_recovers_the_key_planted_values(sample: Path,
                                                        truth: list[dict[str, str]]):
    from kpi.extract.extractor import extract_file

    checked = 0
    for prefix in EXTRACTED:
        path = next((sample / "reports").glob(f"{prefix}*.txt"))
        source = f"reports/{path.name}"
        obs = extract_file(path, source=source)
        got = {row.locator: row for row in obs.itertuples()}
        planted = [t for t in truth if t["source"] == source and t["indicator"] in KEY]
        assert planted, path.name
        for t in planted:
            row = got.get(t["locator"])
            assert row is not None, (path.name, t["text"])
            assert (row.area, str(row.period), row.indicator, row.measure, row.span) == (
                t["area"], t["period"], t["indicator"], t["measure"], t["span"]), t
            assert row.value == pytest.approx(float(t["value"])), t
            checked += 1
    assert checked >= 20
