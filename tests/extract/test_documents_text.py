"""Legacy TCVN3/VNI text, area and period from a report's own text, the sources.csv
sidecar, and `kpi extract` / `kpi ingest` on every input kind, on real report texts."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.extract.context import (
    area_from_text,
    complete_heading,
    first_date,
    period_from_text,
)
from kpi.extract.documents import extract_document, read_document
from kpi.extract.heading import detect_heading
from kpi.extract.legacy_encodings import (
    detect,
    from_unicode_tcvn3,
    from_unicode_vni,
    tcvn3_to_unicode,
    vni_to_unicode,
)

ROOT = Path(__file__).resolve().parents[1]  # tests/
FIXTURES = ROOT / "fixtures" / "documents"
SEED = ROOT.parent / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_52-BC-DU.txt"
PASSAGES = sorted(FIXTURES.glob("*.txt"))
WORKBOOK = ROOT.parent / "data" / "raw" / "tables"

VIET_LOWER = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


# ---- legacy encodings ----------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=VIET_LOWER + "bcdghklmnpqrstvx ,.0123456789", max_size=80))
def test_vni_round_trip(text):
    assert vni_to_unicode(from_unicode_vni(text)) == unicodedata.normalize("NFC", text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=VIET_LOWER + "bcdghklmnpqrstvx ,.0123456789", max_size=80))
def test_tcvn3_round_trip(text):
    assert tcvn3_to_unicode(from_unicode_tcvn3(text)) == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("path", [SEED, *PASSAGES[:3]], ids=lambda p: p.stem[:20])
def test_unicode_text_is_not_taken_for_legacy(path):
    assert detect(path.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize(("encode", "name"), [(from_unicode_tcvn3, "TCVN3"),
                                              (from_unicode_vni, "VNI")])
def test_legacy_text_file_reads_like_unicode(tmp_path, encode, name):
    text = SEED.read_text(encoding="utf-8")
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(encode(text).encode("cp1252", errors="replace"))
    doc = read_document(legacy)
    assert any(name in n for n in doc.notes)
    assert "thu ngân sách" in doc.text
    got = extract_document(legacy, area="cam-xuyen-town", period="2022Q1").observations
    want = extract_document(SEED).observations
    assert sorted(got["value"]) == sorted(want["value"])


def test_legacy_text_in_a_docx_is_converted(tmp_path):
    from tests.document_support import docx_from_text

    text = "\n".join(SEED.read_text(encoding="utf-8").split("\n")[:60])
    path = docx_from_text(from_unicode_vni(text), tmp_path / "vni.docx")
    doc = read_document(path)
    assert any("VNI" in n for n in doc.notes)
    assert "Cẩm Xuyên" in doc.text


# ---- area and period from the text ------------------------------------------------------
@pytest.mark.parametrize(("text", "period", "span"), [
    ("Ngày 12/7/2021, HĐND xã Cẩm Bình tổ chức kỳ họp đánh giá 6 tháng đầu năm 2021.",
     "2021Q2", "ytd"),
    ("Sáng nay 15/12, xã tổng kết công tác năm 2024 và bàn nhiệm vụ năm 2025.", "2024Q4",
     "year"),
    ("Báo cáo tình hình quý III/2016 của UBND xã Tân Lập.", "2016Q3", "quarter"),
    ("Tình hình kinh tế tháng 9/2018 trên địa bàn huyện Hương Khê.", "2018Q3", "month"),
    ("Ngày 5/9/2019 xã họp: trong 8 tháng, thu ngân sách đạt 2 tỷ đồng.", "2019Q3", "ytd"),
    ("Đánh giá công tác quý 1.2022, triển khai nhiệm vụ quý 2.2022.", "2022Q1", "quarter"),
    ("Kỳ họp thứ hai, nhiệm kỳ 2021 - 2026. Ngày 26 tháng 8 năm 2021 HĐND nghe báo cáo "
     "6 tháng đầu năm 2021.", "2021Q2", "ytd"),
])
def test_period_from_text(text, period, span):
    found = period_from_text(text)
    assert found is not None and str(found.period) == period and found.span == span


def test_period_from_a_date_alone():
    found = period_from_text("Chiều ngày 30/12/2022, HĐND phường họp.")
    assert found is not None and str(found.period) == "2022Q4"
    assert first_date("Sáng nay 15/12, ... năm 2021") .isoformat() == "2021-12-15"


@pytest.mark.parametrize(("text", "slug"), [
    ("UBND xã Ia Băng (tỉnh Gia Lai) tổ chức hội nghị", "ia-bang-commune"),
    ("Ngày 12/7/2021, HĐND xã Cẩm Bình khóa XIX tổ chức kỳ họp", "cam-binh-commune"),
    ("Năm 2024, tỉnh Gia Lai đạt tăng trưởng 7,5%", "gia-lai-province"),
    ("Trên địa bàn huyện Hương Khê, xã Hương Trà và xã Hương Trà", "huong-tra-commune"),
    ("HĐND huyện Chư Sê Khóa IX, nhiệm kỳ 2016 – 2021 vừa tổ chức", "chu-se-district"),
])
def test_area_from_text(text, slug):
    found = area_from_text(text)
    assert found is not None and found.slug == slug


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_text_readers_never_raise(text):
    period_from_text(text)
    area_from_text(text)
    first_date(text)
    complete_heading(detect_heading(text), text)


def _labelled() -> list[dict]:
    path = FIXTURES / "passages.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("meta", _labelled(), ids=lambda m: m["id"])
def test_real_excerpts_get_area_and_period(meta):
    result = extract_document(FIXTURES / f"{meta['id']}.txt")
    h = result.heading
    assert h.complete
    from kpi.core.text import slugify

    assert slugify(meta["area_name"].split(" ", 1)[1]) in h.area_slug
    assert str(h.period.year) == meta["period"][:4]


# ---- the commands -------------------------------------------------------------------
def _kpi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpi", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_extract_headingless_files_and_tables(tmp_path):
    headless = tmp_path / "tin.txt"
    headless.write_text("Hội nghị sơ kết công tác quý I.\nTrong quý, tổng thu ngân sách đạt "
                        "1,5 tỷ đồng, bằng 30% dự toán.\n", encoding="utf-8")
    workbook = next(WORKBOOK.glob("*.xlsx"))
    out = tmp_path / "out.csv"
    run = _kpi("extract", str(headless), *map(str, PASSAGES), str(workbook), "-o", str(out),
               cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "tin.txt: the text names no area" in run.stderr and "sources.csv" in run.stderr
    rows = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert set(rows["source"]) == {headless.name, workbook.name, *(p.name for p in PASSAGES)}
    mine = rows[rows["source"] == headless.name]
    assert (mine["area"] == "").all() and len(mine) >= 2
    from kpi.tables import read_source

    table = read_source(workbook, errors="report").observations
    got = rows[rows["source"] == workbook.name]
    assert sorted(got["locator"]) == sorted(table["locator"])


def test_ingest_lists_a_file_without_area_and_takes_sources_csv(tmp_path):
    from kpi.ingest.pipeline import ingest

    raw = tmp_path / "raw"
    (raw / "reports").mkdir(parents=True)
    (raw / "reports" / "tin.txt").write_text(
        "Hội nghị sơ kết quý I năm 2022.\nTrong quý, tổng thu ngân sách đạt 1,5 tỷ đồng.\n",
        encoding="utf-8")
    shutil_copy = (raw / "reports" / "seed.txt")
    shutil_copy.write_bytes(SEED.read_bytes())
    processed = tmp_path / "processed"
    result = ingest(raw, processed, log=lambda m: None)
    review = pd.read_csv(processed / "review.csv", dtype=str, keep_default_na=False,
                         encoding="utf-8-sig")
    first = review.iloc[0]
    assert first["source"] == "reports/tin.txt"
    assert "reports/tin.txt,,2022Q1,quarter," in first["note"]
    assert "reports/tin.txt" not in set(result.observations["source"])
    (raw / "sources.csv").write_text("file,area,period,span,note\n"
                                     "reports/tin.txt,tan-lap-commune,2022Q1,,\n",
                                     encoding="utf-8")
    result = ingest(raw, processed, log=lambda m: None)
    mine = result.observations[result.observations["source"] == "reports/tin.txt"]
    assert len(mine) >= 1 and (mine["area"] == "tan-lap-commune").all()
    assert (mine["period"].astype(str) == "2022Q1").all()


# ---- PDF line locators --------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abc 0123456789", min_size=1, max_size=30), min_size=1,
                max_size=6), st.data())
def test_joined_line_locates_into_its_pieces(pieces, data):
    from kpi.extract.pdf import Line

    text, parts = "", []
    for n, piece in enumerate(pieces):
        if text:
            text += " "
        parts.append((len(text), 1 + n // 3, 10 + n))
        text += piece
    line = Line(text, parts)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    page, number, s, e = line.locate(start, end)
    k = max(i for i, p in enumerate(parts) if p[0] <= start)
    assert (page, number) == parts[k][1:]
    assert text[start:start + (e - s)] == pieces[k][s:e]
    assert 0 <= s < e <= len(pieces[k]) or (s == len(pieces[k]) and e == s)
