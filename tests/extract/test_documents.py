"""PDFs (text layer and scanned), Word 97 files and tables inside Word, built from real
report texts (the seed report and public commune/district news reports), read against
what the text path reads from the same words."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kpi.extract.documents import extract_document, read_document
from tests.document_support import docx_from_text, recall_precision, scan, soffice_convert

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("tesseract")),
    reason="needs LibreOffice and Tesseract (scripts/install.sh installs them)")

ROOT = Path(__file__).resolve().parents[1]  # tests/
SEED = ROOT.parent / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_52-BC-DU.txt"
PASSAGES = sorted((ROOT / "fixtures" / "documents").glob("*.txt"))
HEADER = "Đảng ủy thị trấn Cẩm Xuyên — Báo cáo quý I/2022"


def _seed_excerpt() -> str:
    """The heading and the paragraphs of the seed report that hold the most numbers
    (about two pages: OCR is slow)."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    body = [ln for ln in lines[16:] if len(re.findall(r"[0-9]+", ln)) >= 3]
    return "\n".join(lines[:16] + body[:14]) + "\n"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Word files of the texts, and from them (one LibreOffice call per format) PDFs and
    Word 97 files; a scan of the seed excerpt."""
    d = tmp_path_factory.mktemp("documents")
    texts = {"seed": SEED.read_text(encoding="utf-8"), "excerpt": _seed_excerpt()}
    texts |= {p.stem: p.read_text(encoding="utf-8") for p in PASSAGES}
    for name, text in texts.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
        docx_from_text(text, d / f"{name}.docx",
                       header=HEADER if name in ("seed", "excerpt") else "")
    two = "\n".join(texts[p.stem] for p in PASSAGES[:2])
    (d / "twocol.txt").write_text(two, encoding="utf-8")
    docx_from_text(two, d / "twocol.docx", header="Tin hoạt động", columns=2)
    docs = sorted(d.glob("*.docx"))
    for fmt in ("pdf", "doc"):
        out = d / fmt
        out.mkdir()
        soffice_convert_many(docs, fmt, out)
    scan(d / "pdf" / "excerpt.pdf", d / "excerpt_scan.pdf", dpi=180, seed=7)
    return d


def soffice_convert_many(docs: list[Path], fmt: str, out: Path) -> None:
    import subprocess
    import tempfile

    profile = Path(tempfile.mkdtemp(prefix="kpi-test-lo-"))
    try:
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--convert-to", fmt, "--outdir", str(out), *map(str, docs)],
                       check=True, capture_output=True, timeout=600)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _rows(path: Path, **kw) -> pd.DataFrame:
    return extract_document(path, **kw).observations


NAMES = ["seed", *[p.stem for p in PASSAGES]]


@pytest.mark.parametrize("name", NAMES)
def test_text_pdf_reads_what_the_text_gives(built, name):
    expected = _rows(built / f"{name}.txt")
    found = _rows(built / "pdf" / f"{name}.pdf")
    recall, precision = recall_precision(expected, found)
    assert len(expected) > 0
    assert recall >= 0.95 and precision >= 0.9, (name, recall, precision)


def test_text_pdf_locators_name_page_and_line(built):
    doc = read_document(built / "pdf" / "seed.pdf")
    rows = _rows(built / "pdf" / "seed.pdf")
    assert rows["locator"].str.fullmatch(r"p[0-9]+:L[0-9]+:[0-9]+-[0-9]+").all()
    pages = {int(m) for m in rows["locator"].str.extract(r"^p([0-9]+)")[0]}
    assert len(pages) >= 4  # the report runs over several pages
    import pdfplumber

    with pdfplumber.open(str(built / "pdf" / "seed.pdf")) as pdf:
        for loc in rows["locator"].head(30):
            page, line, start, end = map(int, re.findall(r"[0-9]+", loc))
            assert any(part[1:] == (page, line) for ln in doc.lines for part in ln.parts)
            assert 0 <= start < end
            assert re.search(r"[0-9]", pdf.pages[page - 1].extract_text() or "")


def test_running_headers_and_page_numbers_are_dropped(built):
    doc = read_document(built / "pdf" / "seed.pdf")
    assert doc.text.count(HEADER) == 0
    assert not any(re.fullmatch(r"\s*[0-9]{1,2}\s*", ln) for ln in doc.text.split("\n"))
    # a sentence broken over a page break reads whole again
    assert "với số tiền 97.200.000đ" in doc.text


def test_two_column_pdf_keeps_reading_order(built):
    expected = _rows(built / "twocol.txt")
    found = _rows(built / "pdf" / "twocol.pdf")
    recall, precision = recall_precision(expected, found)
    assert recall >= 0.95 and precision >= 0.9, (recall, precision)


@pytest.mark.parametrize("name", ["seed", PASSAGES[0].stem, PASSAGES[1].stem])
def test_word97_reads_what_the_text_gives(built, name):
    found = extract_document(built / "doc" / f"{name}.doc")
    recall, precision = recall_precision(_rows(built / f"{name}.txt"), found.observations)
    assert recall >= 0.95 and precision >= 0.9, (name, recall, precision)
    assert "converted from .doc by LibreOffice" in found.notes


def test_word97_keeps_vietnamese_diacritics(built):
    doc = read_document(built / "doc" / "seed.doc")
    assert "ĐẢNG UỶ THỊ TRẤN CẨM XUYÊN" in doc.text
    assert "Tổng thu ngân sách" in doc.text or "thu ngân sách" in doc.text


def test_scanned_pdf_is_read_by_ocr(built, tmp_path, monkeypatch):
    cache = tmp_path / "ocr"
    pages: list[str] = []
    result = extract_document(built / "excerpt_scan.pdf", cache_dir=cache, jobs=2,
                              log=pages.append)
    expected = _rows(built / "excerpt.txt")
    recall, _ = recall_precision(expected, result.observations)
    assert recall >= 0.9, recall
    obs = result.observations
    assert obs["ocr_confidence"].between(0, 100).all()
    assert obs["locator"].str.match(r"p[0-9]+:L").all()
    assert any("read by OCR" in n for n in result.notes)
    assert sum("page" in line for line in pages) >= 2  # progress per page
    # unchanged file: the recognised pages come from the cache, Tesseract is not run
    import kpi.extract.pdf

    def no_ocr(*args, **kwargs):
        raise AssertionError("OCR ran again for an unchanged file")

    monkeypatch.setattr(kpi.extract.pdf, "ocr_image", no_ocr)
    again = extract_document(built / "excerpt_scan.pdf", cache_dir=cache)
    pd.testing.assert_frame_equal(again.observations, obs)


def test_mixed_pdf_ocrs_only_pages_without_text(built, tmp_path):
    import pypdfium2

    mixed = tmp_path / "mixed.pdf"
    out = pypdfium2.PdfDocument.new()
    for part in (built / "pdf" / "seed.pdf", built / "excerpt_scan.pdf"):
        src = pypdfium2.PdfDocument(str(part))
        out.import_pages(src, [0])
        src.close()
    out.save(str(mixed))
    out.close()
    doc = read_document(mixed, cache_dir=tmp_path / "ocr")
    assert doc.ocr_pages == [2]
    rows = _rows(mixed, cache_dir=tmp_path / "ocr")
    on_page = rows.assign(page=rows["locator"].str.extract(r"^p([0-9]+)")[0])
    assert on_page.loc[on_page["page"] == "1", "ocr_confidence"].isna().all()
    assert on_page.loc[on_page["page"] == "2", "ocr_confidence"].notna().all()


def test_word_table_goes_to_the_table_reader(tmp_path):
    text = ("UBND XÃ CẨM BÌNH\nBÁO CÁO KẾT QUẢ QUÝ I NĂM 2022\n"
            "Phụ lục: một số chỉ tiêu chủ yếu\n")
    table = [["Chỉ tiêu", "Đơn vị tính", "Quý I/2022", "Quý I/2021"],
             ["Thu ngân sách", "triệu đồng", "4.884,1", "3.950,0"],
             ["Số hộ nghèo", "hộ", "45", "52"]]
    path = docx_from_text(text, tmp_path / "appendix.docx", table=table)
    result = extract_document(path)
    rows = result.observations
    assert rows["locator"].str.startswith("table1!").all(), rows["locator"].tolist()
    assert len(rows) == 4
    got = dict(zip(rows["locator"], rows["value"], strict=True))
    assert got["table1!C2"] == pytest.approx(4_884_100_000)
    assert got["table1!D3"] == 52
    assert (rows["area"] == "cam-binh-commune").all()
    # the same table exported to PDF is found as a ruled table on page 1
    pdf = soffice_convert(path, "pdf", tmp_path)
    from_pdf = extract_document(pdf).observations
    assert set(from_pdf["locator"]) >= {"p1-table1!C2", "p1-table1!D3"}
    assert sorted(from_pdf["value"]) == sorted(rows["value"])


@pytest.mark.parametrize("fmt", ["odt", "rtf"])
def test_odt_and_rtf_read_what_the_text_gives(built, tmp_path, fmt):
    converted = soffice_convert(built / "excerpt.docx", fmt, tmp_path)
    found = extract_document(converted)
    recall, precision = recall_precision(_rows(built / "excerpt.txt"), found.observations)
    assert recall >= 0.95 and precision >= 0.9, (fmt, recall, precision)


def test_page_image_is_read_by_ocr(built, tmp_path):
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(built / "excerpt_scan.pdf"))
    image = tmp_path / "page1.png"
    pdf[0].render(scale=180 / 72, grayscale=True).to_pil().save(image)
    pdf.close()
    doc = read_document(image, cache_dir=tmp_path / "ocr")
    assert doc.ocr_pages == [1]
    assert "CẨM XUYÊN" in doc.text.upper()
    rows = _rows(image, cache_dir=tmp_path / "ocr")
    assert len(rows) and rows["ocr_confidence"].notna().all()


def test_real_reports_scanned_at_150_dpi(built, tmp_path):
    """The worst resolution analysts receive: two real reports scanned at 150 dpi."""
    hit = expected_n = 0
    for name in ("quangnam-queloc-2022h1", "bariavungtau-chauduc-2020m9"):
        scanned = scan(built / "pdf" / f"{name}.pdf", tmp_path / f"{name}.pdf", dpi=150,
                       seed=11)
        expected = _rows(built / f"{name}.txt")
        found = _rows(scanned, cache_dir=tmp_path / "ocr", jobs=2)
        recall, _ = recall_precision(expected, found)
        hit += recall * len(expected)
        expected_n += len(expected)
    assert hit / expected_n >= 0.9, hit / expected_n
