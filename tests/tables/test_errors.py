"""Bad table inputs: each gives a typed error naming where, or a reported rejected cell."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from kpi.core import schema
from kpi.errors import KpiError, SourceError, TableError
from kpi.tables import read_source, read_table

TONES = "\u0300\u0301\u0303\u0309\u0323"
WIDE = "Chỉ tiêu,Quý I/2022,Quý II/2022\nSố hộ nghèo,120,{cell}\nSố hộ cận nghèo,80,75\n"


def to_cp1258(text: str) -> bytes:
    """Text in the Vietnamese Windows code page: vowels precomposed, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in nfd if c in TONES)
            out.append(unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONES))
                       + tones)
    return "".join(out).encode("cp1258")


def _csv(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_text_where_a_number_belongs_raises_naming_file_row_column_and_text(tmp_path) -> None:
    path = _csv(tmp_path, WIDE.format(cell="khoảng 130"))
    with pytest.raises(TableError) as info:
        read_table(path, source="tables/t.csv")
    err = info.value
    assert err.text == "khoảng 130"
    assert err.where == 'tables/t.csv row 2, column "Quý II/2022"'
    assert "not a number" in str(err) and "tables/t.csv" in str(err)


def test_lenient_mode_reports_the_cell_and_keeps_the_others(tmp_path) -> None:
    path = _csv(tmp_path, WIDE.format(cell="1.2.3"))
    result = read_table(path, errors="report")
    [bad] = result.rejected
    assert (bad.text, bad.row, bad.column) == ("1.2.3", 2, "Quý II/2022")
    assert bad.locator == 'row 2, column "Quý II/2022"'
    assert len(result.observations) == 3  # the three good cells, nothing for the bad one
    assert 1.23 not in set(result.observations["value"])


def test_xlsx_bad_cell_names_sheet_and_cell(tmp_path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bieu 1"
    for row in (["Chỉ tiêu", "Quý I năm 2022"], ["Số vụ cháy", 12], ["Số người chết", "n.a"]):
        ws.append(row)
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(TableError) as info:
        read_table(tmp_path / "b.xlsx")
    assert info.value.where == "b.xlsx Bieu 1!B3"
    assert info.value.text == "n.a"


def test_empty_file(tmp_path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(TableError, match="empty") as info:
        read_table(path, source="tables/empty.csv")
    assert info.value.where == "tables/empty.csv"


def test_header_only_table_gives_no_rows(tmp_path) -> None:
    result = read_table(_csv(tmp_path, "Chỉ tiêu,Quý I/2022,Quý II/2022\n"))
    assert len(result.observations) == 0
    assert list(result.observations.columns) == list(schema.COLUMNS)
    assert any("no data rows" in n for n in result.notes)


def test_csv_with_bom(tmp_path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + WIDE.format(cell="130").encode("utf-8"))
    obs = read_table(path).observations
    assert obs["subject"].iloc[0] == "Số hộ nghèo"  # no BOM glued to the first label
    assert list(obs["value"]) == [120, 130, 80, 75]


def test_csv_in_cp1258_with_decomposed_tones_reads_as_nfc(tmp_path) -> None:
    path = tmp_path / "legacy.csv"
    text = "Chỉ tiêu;Quý I/2022\nSố hộ nghèo;1.250,5\nThu thuế nhà ở;15\n"
    path.write_bytes(to_cp1258(text))
    assert b"\xd2" in path.read_bytes()  # the hook tone of "Chỉ" as a combining mark
    obs = read_table(path).observations
    assert list(obs["subject"]) == ["Số hộ nghèo", "Thu thuế nhà ở"]
    assert list(obs["value"]) == [1250.5, 15.0]


def test_cp1258_file_with_a_mapping_naming_the_encoding(tmp_path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes(to_cp1258("Chỉ tiêu,Quý I/2022\nSố hộ nghèo,12\n"))
    obs = read_table(path, mapping={"encoding": "cp1258", "rows": {"Số hộ nghèo": "skip"}})
    assert len(obs.observations) == 0


def test_not_a_workbook(tmp_path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(SourceError):
        read_table(path)


def test_unknown_indicator_in_a_mapping(tmp_path) -> None:
    path = _csv(tmp_path, WIDE.format(cell="1"))
    with pytest.raises(TableError, match="unknown indicator") as info:
        read_table(path, mapping={"rows": {"Số hộ nghèo": "no_such_code"}})
    assert info.value.text == "no_such_code"


def test_unknown_mapping_key(tmp_path) -> None:
    path = _csv(tmp_path, WIDE.format(cell="1"))
    with pytest.raises(TableError, match="unknown keys"):
        read_table(path, mapping={"rowz": {}})


def test_mapping_file_beside_the_table_is_validated(tmp_path) -> None:
    path = _csv(tmp_path, WIDE.format(cell="1"))
    (tmp_path / "t.mapping.yaml").write_text("rows: [not, a, mapping]\n", encoding="utf-8")
    with pytest.raises(TableError, match="mapping"):
        read_source(path)


def test_money_indicator_without_a_unit_is_an_error(tmp_path) -> None:
    path = _csv(tmp_path, "Chỉ tiêu,Quý I/2022\nTổng thu ngân sách,1.250\n")
    with pytest.raises(TableError, match="no unit"):
        read_table(path, mapping={"rows": {"Tổng thu ngân sách": "budget_revenue"}})


def test_unit_that_does_not_fit_the_indicator(tmp_path) -> None:
    path = _csv(tmp_path, "Đơn vị tính: Tỷ đồng\nChỉ tiêu,Quý I/2022\nSố người chết,12\n")
    with pytest.raises(TableError, match="not the unit"):
        read_table(path, mapping={"rows": {"Số người chết": "traffic_deaths"}})


def test_a_mapping_key_matching_two_rows_is_reported(tmp_path) -> None:
    path = _csv(tmp_path, "Chỉ tiêu,Quý I/2022\nTai nạn giao thông\n  Số người chết,10\n"
                          "Cháy nổ\n  Số người chết,3\n")
    with pytest.raises(TableError, match="more specific"):
        read_table(path, mapping={"rows": {"Số người chết": "traffic_deaths"}})
    ok = read_table(path, mapping={"rows": {"Tai nạn giao thông > Số người chết":
                                            "traffic_deaths"}}).observations
    assert ok.set_index("indicator")["value"].to_dict() == {"traffic_deaths": 10.0,
                                                            "unclassified": 3.0}


def test_not_a_table_file(tmp_path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(SourceError):
        read_table(path)


def test_errors_are_kpi_errors(tmp_path) -> None:
    path = _csv(tmp_path, WIDE.format(cell="abc"))
    with pytest.raises(KpiError):
        read_table(path)
    with pytest.raises(ValueError, match="errors must be"):
        read_table(path, errors="ignore")  # type: ignore[arg-type]
