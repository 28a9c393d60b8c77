"""Report files as they arrive: encodings, HTML pages, .docx, and files that are not text."""

from __future__ import annotations

import codecs
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from kpi.errors import SourceError
from kpi.extract.extractor import extract_file, extract_report, extract_text
from kpi.extract.textio import read_text

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data/raw/reports/cam-xuyen-town_2022Q1_52-BC-DU.txt"
FIXTURES = ROOT / "tests/fixtures/extract"
SEED_TEXT = SEED.read_text(encoding="utf-8")
KEY = ["locator", "indicator", "measure", "value", "qualifier", "span", "subject"]

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes of Vietnamese text.

    Python's cp1258 codec cannot encode precomposed letters with tone marks, and a plain NFD
    does not help for "ệ" (cp1258 has no combining circumflex): keep the base letter
    composed ("ê") and write only the tone mark as a combining character, as the code page
    does.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_MARKS))
            out.append((base + "".join(c for c in nfd if c in _TONE_MARKS)).encode("cp1258"))
    return b"".join(out)


@pytest.fixture(scope="module")
def seed_rows() -> pd.DataFrame:
    return extract_file(SEED)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_cp1258_helper_really_writes_combining_marks():
    data = to_cp1258("Tổng thu ngân sách")
    assert data.decode("cp1258") != "Tổng thu ngân sách"  # decomposed on the page
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == "Tổng thu ngân sách"


@pytest.mark.parametrize("encoding", [
    "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "cp1258", "nfd",
])
def test_encodings_give_the_same_rows(tmp_path, seed_rows, encoding):
    if encoding == "cp1258":
        data = to_cp1258(SEED_TEXT)
    elif encoding == "nfd":
        data = unicodedata.normalize("NFD", SEED_TEXT).encode("utf-8")
    elif encoding == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + SEED_TEXT.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + SEED_TEXT.encode("utf-16-be")
    else:
        data = SEED_TEXT.encode(encoding)  # utf-16-le: no byte-order mark at all
    path = write(tmp_path, "report.txt", data)
    text = read_text(path)
    assert unicodedata.is_normalized("NFC", text)
    assert "ĐẢNG UỶ THỊ TRẤN CẨM XUYÊN" in text
    got = extract_file(path)
    pd.testing.assert_frame_equal(got[KEY], seed_rows[KEY])


def test_crlf_and_no_break_spaces(tmp_path, seed_rows):
    text = SEED_TEXT.replace("\n", "\r\n").replace("4.884.100.000đ", "4.884.100.000\u00a0đ")
    got = extract_file(write(tmp_path, "r.txt", text.encode("utf-8")))
    row = got[got["indicator"] == "budget_revenue"].iloc[0]
    assert row["value"] == 4_884_100_000
    assert len(got) == len(seed_rows)


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file"),
    (b"  \r\n\t \n", "empty"),
    (codecs.BOM_UTF8, "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(256)) * 40, "binary"),
    (b"%PDF-1.7\n1 0 obj", "PDF"),
    (bytes(range(0x80, 0x100)) * 20, "undecodable"),
])
def test_unreadable_files(tmp_path, data, reason):
    path = write(tmp_path, "bad.txt", data)
    with pytest.raises(SourceError, match=reason) as err:
        read_text(path)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="cannot read"):
        extract_file(tmp_path / "nope.txt")


def test_utf16_bom_with_broken_body(tmp_path):
    path = write(tmp_path, "r.txt", codecs.BOM_UTF16_LE + b"\x00\xd8\x41")
    with pytest.raises(SourceError, match="utf-16"):
        read_text(path)


def test_html_page_without_chrome_or_scripts():
    path = FIXTURES / "commune_page.html"
    text = read_text(path)
    for chrome in ("12345", "77 tỷ", "99 tỷ", "4567", "Tổng số điểm", "Thăm dò", "Hôm nay",
                   "187.200", "Tốt 15", "Trang chủ", "23/06/2022"):
        assert chrome not in text, chrome
    assert "2,5 tỷ đồng, đạt 45% dự toán" in text  # &nbsp; became a space
    df, heading = extract_report(path)
    assert (heading.area_slug, heading.period) == ("cam-binh-commune",
                                                   pd.Period("2022Q2", freq="Q-DEC"))
    got = {(r.indicator, r.measure, r.value) for r in df.itertuples()}
    assert got == {
        ("budget_revenue", "value", 2.5e9),
        ("budget_revenue", "pct_of_plan", 45.0),
        ("trees_planted", "value", 120.0),
        ("covid_doses_total", "value", 1250.0),
    }
    assert set(df["source"]) == {"commune_page.html"}


def test_html_saved_as_txt_is_read_as_html(tmp_path):
    html = (FIXTURES / "commune_page.html").read_bytes()
    text = read_text(write(tmp_path, "page.txt", html))
    assert "trackVisit" not in text and "Tổng số mũi tiêm" in text


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    document = docx.Document()
    for line in ("ĐẢNG BỘ HUYỆN CẨM XUYÊN", "ĐẢNG ỦY XÃ CẨM BÌNH",
                 "Cẩm Bình, ngày 22 tháng 9 năm 2022", "BÁO CÁO",
                 "Kết quả thực hiện nhiệm vụ quý III năm 2022",
                 "Tổng thu ngân sách đạt gần 3,2 tỷ đồng."):
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Chỉ tiêu", "Kết quả"
    table.cell(1, 0).text, table.cell(1, 1).text = "Tổng số mũi tiêm vắc xin", "4.173 mũi"
    document.add_paragraph("Đến nay toàn xã có 1.124 đảng viên.")
    path = tmp_path / "report.docx"
    document.save(str(path))
    df, heading = extract_report(path, source="bc/report.docx")
    assert (heading.area_slug, heading.period) == ("cam-binh-commune",
                                                   pd.Period("2022Q3", freq="Q-DEC"))
    got = {(r.indicator, r.value, r.qualifier) for r in df.itertuples()}
    assert got == {("budget_revenue", 3.2e9, "approx"), ("covid_doses_total", 4173.0, "exact"),
                   ("party_members", 1124.0, "exact")}
    assert set(df["source"]) == {"bc/report.docx"}


@pytest.mark.parametrize("data", [b"", b"plain text, not a zip", b"PK\x03\x04broken"])
def test_bad_docx(tmp_path, data):
    with pytest.raises(SourceError, match=r"docx|empty"):
        read_text(write(tmp_path, "report.docx", data))


def test_text_chrome_is_blanked_keeping_line_numbers():
    text = read_text(SEED)
    lines = text.split("\n")
    assert len(lines) == len(SEED_TEXT.split("\n"))
    assert lines[2] == ""  # "Thứ sáu - 25/03/2022 16:19 141 0"
    assert all(not line for line in lines[132:])  # rating, poll, counters, login notice
    assert lines[128] == "Đặng Đình Chúc"  # the signature is not chrome


def test_extract_text_accepts_raw_text_with_chrome(seed_rows):
    got = extract_text(unicodedata.normalize("NFD", SEED_TEXT), source=SEED.name)
    pd.testing.assert_frame_equal(got[KEY], seed_rows[KEY])


@pytest.mark.slow
def test_fifty_megabytes(tmp_path):
    """A 50 MB report finishes (no catastrophic backtracking); the time is printed."""
    copies = 50_000_000 // len(SEED_TEXT.encode("utf-8")) + 1
    path = tmp_path / "big.txt"
    with path.open("w", encoding="utf-8") as f:
        for _ in range(copies):
            f.write(SEED_TEXT + "\n")
    size = path.stat().st_size
    wall, cpu = time.perf_counter(), time.process_time()
    df = extract_file(path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"\n50 MB test: {size / 1e6:.1f} MB, {len(df)} rows in {wall:.1f} s wall "
          f"({cpu:.1f} s CPU) = {size / 1e6 / wall:.2f} MB/s")
    assert size >= 50_000_000
    assert len(df) == 48 * copies  # the seed's 48 values, once per copy
