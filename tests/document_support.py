"""Build the documents analysts receive from real report texts: Word files with running
headers and page numbers, PDFs exported from them, scans of those PDFs (slight rotation,
noise, greyish paper, 150–200 dpi) and Word 97 files; and compare the values read from
them with the values read from the text itself."""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd


def soffice_convert(src: Path, fmt: str, out_dir: Path) -> Path:
    """``src`` converted by LibreOffice to ``fmt`` (pdf, doc, docx) in ``out_dir``."""
    profile = Path(tempfile.mkdtemp(prefix="kpi-test-lo-"))
    try:
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--convert-to", fmt, "--outdir", str(out_dir), str(src)],
                       check=True, capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = out_dir / f"{src.stem}.{fmt}"
    assert out.is_file(), f"LibreOffice wrote no {out}"
    return out


def _page_field(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def docx_from_text(text: str, path: Path, *, header: str = "", columns: int = 1,
                   table: list[list[str]] | None = None) -> Path:
    """A Word file holding ``text`` one paragraph per line, 12 pt, with a running
    ``header`` and page numbers in the footer; ``columns`` text columns; ``table`` added
    after the text as a Word table."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Serif"
    style.font.size = Pt(11 if columns > 1 else 12)
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    _page_field(section.footer.paragraphs[0])
    if columns > 1:
        cols = OxmlElement("w:cols")
        cols.set(qn("w:num"), str(columns))
        cols.set(qn("w:space"), "720")
        section._sectPr.append(cols)
    for line in text.split("\n"):
        if line.strip():
            document.add_paragraph(" ".join(line.split()))
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        grid.style = "Table Grid"
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def scan(pdf: Path, out: Path, *, dpi: int = 180, seed: int = 1,
         pages: list[int] | None = None) -> Path:
    """A scanned copy of ``pdf``: each page rendered at ``dpi``, turned by up to 0.8°,
    on greyish paper with noise and specks, saved as an image-only PDF."""
    import numpy as np
    import pypdfium2
    from PIL import Image

    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    doc = pypdfium2.PdfDocument(str(pdf))
    images = []
    try:
        for i in pages if pages is not None else range(len(doc)):
            img = doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            img = img.rotate(rng.uniform(-0.8, 0.8), resample=Image.Resampling.BICUBIC,
                             expand=False, fillcolor=255)
            a = np.asarray(img, dtype=np.float32)
            paper = 232 + noise.normal(0, 5, a.shape)
            a = np.where(a > 200, np.minimum(a, paper), a * 0.85)
            a += noise.normal(0, 9, a.shape)
            specks = noise.random(a.shape) < 0.0008
            a[specks] = 40
            images.append(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L"))
    finally:
        doc.close()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out


def value_keys(frame: pd.DataFrame) -> Counter:
    """What a value is, wherever it was read: indicator, measure and value."""
    return Counter(zip(frame["indicator"], frame["measure"], frame["value"].round(2),
                       strict=True))


def recall_precision(expected: pd.DataFrame, found: pd.DataFrame) -> tuple[float, float]:
    """Share of ``expected`` values found, and of ``found`` values expected."""
    a, b = value_keys(expected), value_keys(found)
    hit = sum((a & b).values())
    return (hit / max(1, sum(a.values())), hit / max(1, sum(b.values())))
