"""Reading PDFs and scans: text-PDF pages per second, OCR pages per minute against the
plain ``tesseract`` command, and a re-ingest of unchanged scanned files.

Run: ``.venv/bin/python benchmarks/bench_documents.py [--pages N] [--jobs N]``. Builds its
inputs from the shipped seed report (a Word file with running headers and page numbers,
exported to PDF by LibreOffice; a scan of its first ``--pages`` pages at 180 dpi with
slight rotation and noise) and prints, each with a baseline measured in the same run:

1. text-PDF pages/s of :func:`kpi.extract.pdf.read_pdf` (reading order, headers, joins,
   tables) against pdfplumber's bare ``page.extract_text()`` over the same pages;
2. OCR pages/min of ``read_pdf`` on the scan (render + Tesseract, pages in parallel,
   one thread each) against the plain command most guides give: ``pdftoppm -r 300``
   then ``tesseract page.png out -l vie`` page after page (its default threads), the
   rendering not counted; and the same plain command at ``read_pdf``'s resolution, which
   separates what the resolution gives from what the parallelism gives;
3. ``kpi ingest --force`` of a raw folder holding the scan, first with an empty OCR
   cache and then again with the files unchanged (target ≤ 5 % of the first), and a
   plain re-ingest (skipped by the input fingerprint).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from document_support import docx_from_text, scan, soffice_convert  # noqa: E402

from kpi.extract.pdf import OCR_DPI, read_pdf  # noqa: E402

SEED = ROOT / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_52-BC-DU.txt"


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def text_pdf(pdf: Path) -> None:
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        pages = len(doc.pages)

    def bare() -> None:
        with pdfplumber.open(str(pdf)) as doc:
            for page in doc.pages:
                page.extract_text()

    ours, base = best(lambda: read_pdf(pdf)), best(bare)
    print(f"text PDF, {pages} pages: kpi {pages / ours:6.1f} pages/s   "
          f"pdfplumber extract_text {pages / base:6.1f} pages/s   time ratio {ours / base:.2f}")


def _plain_tesseract(scanned: Path, dpi: int, folder: Path) -> float:
    """Seconds of ``tesseract page.png out -l vie`` over the pages rendered by
    ``pdftoppm -r dpi`` (the rendering not counted), one page after another."""
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(scanned),
                    str(folder / "p")], check=True)
    start = time.perf_counter()
    for png in sorted(folder.glob("*.png")):
        subprocess.run(["tesseract", str(png), str(png.with_suffix("")), "-l", "vie"],
                       check=True, capture_output=True)
    return time.perf_counter() - start


def ocr(scanned: Path, pages: int, jobs: int, tmp: Path) -> None:
    base = _plain_tesseract(scanned, 300, tmp / "png300")
    same_dpi = _plain_tesseract(scanned, OCR_DPI, tmp / f"png{OCR_DPI}")
    start = time.perf_counter()
    read_pdf(scanned, jobs=jobs)
    ours = time.perf_counter() - start
    print(f"OCR, {pages} pages: kpi (jobs={jobs}, {OCR_DPI} dpi) {pages * 60 / ours:5.1f} "
          f"pages/min   plain tesseract, one page after another: 300 dpi "
          f"{pages * 60 / base:5.1f} pages/min (speed-up {base / ours:.2f}x), {OCR_DPI} dpi "
          f"{pages * 60 / same_dpi:5.1f} pages/min (speed-up {same_dpi / ours:.2f}x)")


def reingest(scanned: Path, jobs: int, tmp: Path) -> None:
    from kpi.ingest.pipeline import ingest

    raw, processed = tmp / "raw", tmp / "processed"
    (raw / "reports").mkdir(parents=True)
    shutil.copy(scanned, raw / "reports" / "cam-xuyen-town_2022Q1_scan.pdf")
    quiet = lambda msg: None  # noqa: E731
    start = time.perf_counter()
    ingest(raw, processed, force=True, jobs=jobs, log=quiet)
    first = time.perf_counter() - start
    forced = best(lambda: ingest(raw, processed, force=True, jobs=jobs, log=quiet))
    skipped = best(lambda: ingest(raw, processed, jobs=jobs, log=quiet))
    print(f"ingest of the scan: first {first:6.2f}s   forced re-read, files unchanged "
          f"{forced:5.2f}s ({100 * forced / first:4.1f} % of the first)   plain re-ingest "
          f"{skipped:5.2f}s ({100 * skipped / first:4.1f} %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3, help="scanned pages (default 3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kpi-bench-docs-") as name:
        tmp = Path(name)
        docx = docx_from_text(SEED.read_text(encoding="utf-8"), tmp / "seed.docx",
                              header="Đảng ủy thị trấn Cẩm Xuyên — Báo cáo quý I/2022")
        pdf = soffice_convert(docx, "pdf", tmp)
        scanned = scan(pdf, tmp / "scan.pdf", dpi=180, seed=3, pages=list(range(args.pages)))
        text_pdf(pdf)
        ocr(scanned, args.pages, args.jobs, tmp)
        reingest(scanned, args.jobs, tmp)


if __name__ == "__main__":
    main()
