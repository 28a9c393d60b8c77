"""Hostile and broken inputs, generated here, through the `kpi` command (in process).

Each case checks the exit code the README states, a message naming the file, no
traceback (an exception would fail the test), and that the good part of a partly bad
input is still processed.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kpi.cli import main
from kpi.core import catalog as catalog_module
from kpi.core import limits
from kpi.errors import SourceError

REPORT = "reports/cam-xuyen-town_2022Q1_x.txt"
HEADING = "ĐẢNG BỘ THỊ TRẤN CẨM XUYÊN\nBÁO CÁO tình hình quý I năm 2022\n\n"
REPORT_TEXT = (HEADING + "Thu ngân sách ước đạt 4.884.100.000 đ.\n"
               "Trồng mới 1.200 cây xanh các loại.\n")


def _project(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    raw = root / "data" / "raw"
    for name, body in {REPORT: REPORT_TEXT, **(files or {})}.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            (raw / name).write_bytes(body)
        else:
            (raw / name).write_text(body, encoding="utf-8")
    return root


def _kpi(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def _quality(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "data" / "processed" / "quality.csv", dtype=str,
                       keep_default_na=False, encoding="utf-8-sig")


def _observations(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "data" / "processed" / "observations.parquet")


def _locator(root: Path, value: float) -> str:
    obs = _observations(root)
    return str(obs.loc[obs["value"] == value, "locator"].iloc[0])


# ---- corrections -----------------------------------------------------------------------
def test_a_bad_corrections_row_is_named_and_skipped_and_the_good_rows_apply(tmp_path, capsys):
    root = _project(tmp_path)
    assert _kpi(root, "ingest") == 0
    where = _locator(root, 4_884_100_000.0)
    (root / "data" / "raw" / "corrections.csv").write_text(
        "source,locator,action,indicator,value,note\n"
        f"{REPORT},{where},set_value,,\"5.000.000.000\",typo\n"
        f"{REPORT},{where},rename,,,\n", encoding="utf-8")

    code = _kpi(root, "ingest")

    assert code == 1
    assert 5_000_000_000.0 in set(_observations(root)["value"])
    bad = _quality(root).query("kind == 'bad_correction'")
    assert len(bad) == 1 and "row 3" in bad["detail"].iloc[0]
    assert "corrections.csv" in capsys.readouterr().err


@pytest.mark.parametrize("body", ["", "source,locator,action\n"])
def test_an_empty_corrections_file_holds_no_corrections(tmp_path, body):
    root = _project(tmp_path, {"corrections.csv": body})
    assert _kpi(root, "ingest") == 0
    assert 4_884_100_000.0 in set(_observations(root)["value"])


def test_a_ragged_corrections_file_is_named_and_its_good_rows_apply(tmp_path, capsys):
    root = _project(tmp_path)
    assert _kpi(root, "ingest") == 0
    where = _locator(root, 4_884_100_000.0)
    (root / "data" / "raw" / "corrections.csv").write_text(
        "source,locator,action,indicator,value,note\n"
        f"{REPORT},{where},set_value,,\"6.000.000.000\"\n"  # short: fine
        f"{REPORT},{where},drop,,,,,extra,fields\n", encoding="utf-8")
    assert _kpi(root, "ingest") == 1
    assert 6_000_000_000.0 in set(_observations(root)["value"])
    assert "more than the header" in capsys.readouterr().err


def test_conflicting_corrections_are_a_finding(tmp_path):
    root = _project(tmp_path)
    assert _kpi(root, "ingest") == 0
    where = _locator(root, 4_884_100_000.0)
    (root / "data" / "raw" / "corrections.csv").write_text(
        "source,locator,action,indicator,value,note\n"
        f"{REPORT},{where},set_value,,\"5\",\n"
        f"{REPORT},{where},set_value,,\"7\",\n", encoding="utf-8")
    assert _kpi(root, "ingest") == 0
    conflict = _quality(root).query("kind == 'correction_conflict'")
    assert len(conflict) == 1 and "row 2" in conflict["detail"].iloc[0]


# ---- unreadable and odd raw files -----------------------------------------------------
def test_a_fifo_in_raw_is_named_and_skipped_and_the_rest_is_read(tmp_path, capsys):
    root = _project(tmp_path)
    os.mkfifo(root / "data" / "raw" / "reports" / "pipe.txt")
    assert _kpi(root, "check") == 1
    assert _kpi(root, "ingest") == 1
    assert "reports/pipe.txt" in capsys.readouterr().err
    assert 4_884_100_000.0 in set(_observations(root)["value"])
    assert "reports/pipe.txt" in set(_quality(root).query("kind == 'unreadable_file'")["source"])


def test_a_symlink_out_of_the_project_is_named_and_never_read(tmp_path):
    outside = tmp_path / "elsewhere" / "secret.csv"
    outside.parent.mkdir()
    outside.write_text("Chỉ tiêu,Quý I/2022\nThu ngân sách,123\n", encoding="utf-8")
    root = _project(tmp_path / "project")
    (root / "data" / "raw" / "tables").mkdir()
    (root / "data" / "raw" / "tables" / "x.csv").symlink_to(outside)
    assert _kpi(root, "ingest") == 1
    row = _quality(root).query("source == 'tables/x.csv'")
    assert row["kind"].tolist() == ["unreadable_file"]
    assert str(outside) in row["detail"].iloc[0] and "outside the project" in row["detail"].iloc[0]
    assert "tables/x.csv" not in set(_observations(root)["source"])


def test_a_symlink_inside_the_project_is_read_and_named(tmp_path):
    root = _project(tmp_path)
    inside = root / "shared" / "r.txt"
    inside.parent.mkdir()
    inside.write_text(REPORT_TEXT, encoding="utf-8")
    (root / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_y.txt").symlink_to(inside)
    assert _kpi(root, "ingest") == 0
    link = _quality(root).query("kind == 'symlink'")
    assert link["source"].tolist() == ["reports/cam-xuyen-town_2022Q1_y.txt"]
    assert str(inside) in link["detail"].iloc[0]
    assert "reports/cam-xuyen-town_2022Q1_y.txt" in set(_observations(root)["source"])


def test_a_mapping_not_in_utf8_is_named(tmp_path, capsys):
    root = _project(tmp_path, {
        "tables/t.csv": "Chỉ tiêu,Quý I/2022\nThu ngân sách,1\n",
        "tables/t.mapping.yaml": "area: cam-xuyên-town\n".encode("cp1258"),
    })
    assert _kpi(root, "ingest") == 1
    err = capsys.readouterr().err
    assert "tables/t" in err and "not UTF-8" in err
    assert 4_884_100_000.0 in set(_observations(root)["value"])


# ---- size limits -------------------------------------------------------------------------
def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_before_it_is_built():
    text = _alias_bomb()
    assert len(text.encode()) < 1000
    with pytest.raises(catalog_module.YamlTooLarge, match="100,000 nodes"):
        catalog_module.load_yaml(text)


def test_yaml_aliases_within_the_limit_still_load():
    assert catalog_module.load_yaml("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_an_alias_bomb_in_a_mapping_is_a_named_file_error(tmp_path, capsys):
    bomb = "area: cam-xuyen-town\nunit:\n" + "".join(
        f"  {line}\n" for line in _alias_bomb().splitlines())
    root = _project(tmp_path, {"tables/t.csv": "Chỉ tiêu,Quý I/2022\nThu ngân sách,1\n",
                               "tables/t.mapping.yaml": bomb})
    assert _kpi(root, "ingest") == 1
    assert "100,000 nodes" in capsys.readouterr().err


def _docx(document_xml_size: int) -> bytes:
    """A .docx whose document.xml inflates to about ``document_xml_size`` bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>')
            chunk = b" " * (1 << 20)
            for _ in range(document_xml_size >> 20):
                part.write(chunk)
            part.write(b"</w:body></w:document>")
    return buf.getvalue()


def test_an_office_zip_bomb_is_refused_from_its_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(limits, "MAX_OFFICE_UNCOMPRESSED", 4 << 20)
    bomb = _docx(8 << 20)
    assert len(bomb) < 100_000
    root = _project(tmp_path, {"reports/cam-xuyen-town_2022Q1_z.docx": bomb})
    assert _kpi(root, "ingest") == 1
    err = capsys.readouterr().err
    assert "z.docx" in err and "limit for an Office file" in err


def test_a_line_past_the_limit_is_a_named_error(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_LINE_CHARS", 1000)
    path = tmp_path / "cam-xuyen-town_2022Q1_x.txt"
    path.write_text("Thu ngân sách " + "đạt 5 đồng, " * 200 + "\n", encoding="utf-8")
    from kpi.extract.textio import read_text

    with pytest.raises(SourceError, match=r"line 1 is .* characters long"):
        read_text(path)


def test_extraction_work_grows_linearly_with_one_long_line(monkeypatch):
    """Count the cue placements extraction tries: on one run-on line (commas, no full
    stop) twice the text must cost about twice the work, not four times."""
    from kpi import extract

    calls = {"n": 0}
    place = extract.Extractor._place

    def counting(*args):
        calls["n"] += 1
        return place(*args)

    monkeypatch.setattr(extract.Extractor, "_place", staticmethod(counting))
    clause = "thu ngân sách đạt 4.884.100.000 đồng, tăng 12% so với cùng kỳ, "
    work = []
    for copies in (400, 800):
        calls["n"] = 0
        extract.extract_text("Thu " + clause * copies + "\n", source="x.txt",
                             area="cam-xuyen-town", period="2022Q1")
        work.append(calls["n"])
    assert work[1] < 2.5 * work[0], work


# ---- kpi extract -o ---------------------------------------------------------------------
@pytest.fixture
def report(tmp_path) -> Path:
    path = tmp_path / "cam-xuyen-town_2022Q1_x.txt"
    path.write_text(REPORT_TEXT, encoding="utf-8")
    return path


def test_extract_refuses_to_replace_a_symlink(tmp_path, report):
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    assert main(["extract", str(report), "-o", str(link)]) == 2
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep me"


def test_extract_refuses_to_replace_a_fifo_or_its_input(tmp_path, report):
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    assert main(["extract", str(report), "-o", str(fifo)]) == 2
    assert fifo.is_fifo()
    assert main(["extract", str(report), "-o", str(report)]) == 2
    assert report.read_text(encoding="utf-8") == REPORT_TEXT


def test_extract_writes_a_regular_file_or_standard_output(tmp_path, report, capsys):
    out = tmp_path / "out.csv"
    out.write_text("old", encoding="utf-8")
    assert main(["extract", str(report), "-o", str(out)]) == 0
    assert "4884100000" in out.read_text(encoding="utf-8-sig")
    assert main(["extract", str(report), "-o", "-"]) == 0
    assert "4884100000" in capsys.readouterr().out
    assert not (Path.cwd() / "-").exists()


# ---- usage -------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["--timeout", "-5"], ["--timeout", "nan"],
                                  ["--timeout", "inf"], ["--engine", "nosuch"]])
def test_bad_run_options_are_usage_errors_before_anything_runs(tmp_path, args, capsys):
    root = _project(tmp_path)
    assert _kpi(root, "run", "--quarter", "2022Q1", *args) == 2
    assert not (root / "data" / "processed").exists()
    assert "kpi run:" in capsys.readouterr().err


def test_a_missing_root_is_a_usage_error_and_is_not_created(tmp_path):
    missing = tmp_path / "nowhere"
    for command in (["check"], ["ingest"], ["run", "--quarter", "2022Q1"]):
        assert _kpi(missing, *command) == 2
    assert not missing.exists()


def test_an_unknown_area_is_a_usage_error_naming_the_known_ones(tmp_path, capsys):
    root = _project(tmp_path)
    (root / "notebooks").mkdir()
    code = _kpi(root, "run", "--quarter", "2022Q1", "--area", "nosuch-commune")
    assert code == 2
    err = capsys.readouterr().err
    assert "nosuch-commune" in err and "cam-xuyen-town" in err
    assert not (root / "reports" / "2022Q1").exists()


def test_ingest_takes_the_run_lock(tmp_path, capsys):
    import filelock

    root = _project(tmp_path)
    (root / "reports").mkdir()
    with filelock.FileLock(str(root / "reports" / ".lock")):
        assert _kpi(root, "ingest") == 2
    assert "another run" in capsys.readouterr().err
    assert not (root / "data" / "processed").exists()


def test_a_corrupt_processed_table_is_ingested_again(tmp_path):
    root = _project(tmp_path)
    assert _kpi(root, "ingest") == 0
    parquet = root / "data" / "processed" / "observations.parquet"
    parquet.write_bytes(parquet.read_bytes()[:100])
    assert _kpi(root, "ingest") == 0
    assert 4_884_100_000.0 in set(_observations(root)["value"])


def test_catalog_option_reaches_table_mappings(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "indicators:\n  - code: koi_count\n    domain: economy\n    name_vi: Số cá koi\n"
        "    name_en: Koi\n    unit: head\n    aggregation: stock\n    good: up\n",
        encoding="utf-8")
    root = _project(tmp_path / "p", {
        "tables/t.csv": "Chỉ tiêu,Quý I/2022\nSố cá koi,12\n",
        "tables/t.mapping.yaml": "area: cam-xuyen-town\nrows:\n  Số cá koi: koi_count\n",
    })
    try:
        assert _kpi(root, "--catalog", str(extra), "ingest") == 0
    finally:
        os.environ.pop("KPI_CATALOG", None)
    assert "koi_count" in set(_observations(root)["indicator"])


# ---- silent losses -----------------------------------------------------------------------
def test_implausible_values_are_findings_marked_for_checking(tmp_path):
    root = _project(tmp_path, {REPORT: HEADING + (
        "Thu ngân sách ước đạt 1.000.000.000.000.000.000.000.000.000 đồng.\n"
        "Trồng mới 1.200 cây xanh các loại.\n")})
    assert _kpi(root, "ingest") == 0
    found = _quality(root).query("kind == 'implausible_value'")
    assert len(found) == 1 and found["detail"].iloc[0].startswith("cần kiểm tra")
    review = pd.read_csv(root / "data" / "processed" / "review.csv", dtype=str,
                         keep_default_na=False, encoding="utf-8-sig")
    flagged = review.query("check == 'cần kiểm tra'")
    assert len(flagged) == 1
    assert flagged["value_vi"].iloc[0] == "1.000.000.000.000.000.000.000.000.000,00"


def test_a_number_too_long_to_read_is_a_finding(tmp_path):
    root = _project(tmp_path, {REPORT: REPORT_TEXT + "Mã số " + "7" * 400 + " đồng.\n"})
    assert _kpi(root, "ingest") == 0
    found = _quality(root).query("kind == 'unreadable_number'")
    assert len(found) == 1 and "400 digits" in found["detail"].iloc[0]


def test_money_is_shown_without_float_noise():
    from kpi.numbers import format_number, format_vnd

    assert format_vnd(1e27, short=True) == "1.000.000.000.000.000.000 tỷ đồng"
    assert format_number(1e27, decimals=2) == "1.000.000.000.000.000.000.000.000.000,00"
    assert format_vnd(4_884_100_000.0) == "4.884.100.000 đ"


def test_formula_cells_without_a_saved_value_are_a_finding(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Thu chi"
    sheet.append(["Chỉ tiêu", "Quý I/2022"])
    sheet.append(["Thu ngân sách", 5])
    sheet.append(["Chi ngân sách", "=B2*2"])  # openpyxl saves no computed value
    root = _project(tmp_path)
    (root / "data" / "raw" / "tables").mkdir()
    book.save(root / "data" / "raw" / "tables" / "t.xlsx")
    assert _kpi(root, "ingest") == 0
    found = _quality(root).query("kind == 'formula_without_value'")
    assert found["source"].tolist() == ["tables/t.xlsx"]
    assert "'Thu chi' B3" in found["detail"].iloc[0]


def test_implausible_values_are_shown_for_checking_in_the_reports_findings():
    from kpi import analysis
    from kpi.core.catalog import load_catalog
    from tests.conftest import make_obs

    obs = make_obs([{"area": "a-commune", "value": 1e27, "unit": "VND"},
                    {"area": "a-commune", "value": -5.0, "unit": "VND", "locator": "L2:0-1"},
                    {"area": "a-commune", "value": 3e9, "unit": "VND", "locator": "L3:0-1"}])
    catalog = load_catalog()
    found = analysis.domain_findings(obs, catalog, "a-commune", "2022Q1", "revenue")
    odd = found[found["kind"] == "implausible"]
    assert len(odd) == 2 and all(d.startswith("cần kiểm tra") for d in odd["detail"])
    assert "1.000.000.000.000.000.000 tỷ đồng" in " ".join(odd["detail"])
    count = analysis.area_findings(obs, catalog, "a-commune", "2022Q1").count(catalog, "revenue")
    assert count == len(found)


def test_run_exits_1_when_its_ingest_could_not_read_an_input(tmp_path, monkeypatch, capsys):
    """`kpi run` with every notebook ok but an unreadable raw file: exit 1, as the README
    says (the notebooks are stood in for: only the ingest and the exit code matter here)."""
    import kpi.run.runner

    class Done:
        exit_code = 0

        @staticmethod
        def summary() -> str:
            return "2022Q1: 1/1 reports ok"

    def fake_run(quarter, *, root, ingest, **options):
        ingest(root)
        return Done()

    monkeypatch.setattr(kpi.run.runner, "run_quarter", fake_run)
    root = _project(tmp_path)
    assert _kpi(root, "run", "--quarter", "2022Q1") == 0
    os.mkfifo(root / "data" / "raw" / "reports" / "pipe.txt")
    assert _kpi(root, "run", "--quarter", "2022Q1") == 1
    assert "reports/pipe.txt" in capsys.readouterr().err
