"""PDF pages and page images → report lines that remember their page and line.

Text layer (pdfplumber, over pdfminer.six): a page's words are grouped into lines;
a vertical gutter that no line crosses splits a page into columns, read left column
first; running headers and footers (a line in the top or bottom band whose text, digits
aside, repeats on at least half the pages) and page numbers ("3", "- 3 -", "Trang 3",
"3/12") are dropped; lines are rejoined into paragraphs (a line after which the next
line's first word would not have fitted continues into it, across columns and page
breaks, unless the next one opens a list item or the gap is a paragraph's). Ruled
tables (pdfplumber's table finder) are taken out of the prose and returned as grids for
the table reader.

Pages without a text layer (scans; a PDF may mix both) are rendered with pypdfium2 and
read by Tesseract with its Vietnamese model (``tesseract … tsv``), page by page in
parallel (``jobs``; each process with ``OMP_THREAD_LIMIT=1``, which is faster on a
loaded machine than one process using every core), keeping each word's confidence. The
recognised pages are cached per file content hash in ``cache_dir``: reading an unchanged
scan again costs a hash and a JSON read.

Every output :class:`Line` keeps, for each piece of it, the page and the line on that
page (counted from the top in reading order, running headers included), so a locator
``L5:40-52`` of the joined text becomes ``p3:L12:40-52``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from kpi.errors import SourceError
from kpi.util import atomic
from kpi.util.digest import file_sha256

IMAGE_SUFFIXES: Final = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
#: Rendering resolution for OCR: Tesseract reads 10–12 pt body text well from 200 dpi up,
#: and its time grows with the pixel count.
OCR_DPI: Final = 240
OCR_LANG: Final = "vie"
#: A page with fewer characters than this in its text layer is OCR'd (so is one whose
#: fonts do not map a tenth of its glyphs to letters: pdfminer's "(cid:12)").
MIN_TEXT_CHARS: Final = 20
_BAND: Final = 0.09  # top and bottom share of a page where running headers live
_PAGE_NUMBER: Final = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:trang\s+)?[0-9]{1,4}(?:\s*/\s*[0-9]{1,4})?(?:\s*[-–—])?\s*$",
    re.IGNORECASE)
_LIST_START: Final = re.compile(
    r"^\s*(?:[-–+•*]\s|[0-9]{1,2}(?:\.[0-9]{1,2})*[.)]\s|[a-zđ]\)\s|[IVX]{1,4}[.)]\s"
    r"|[A-ZĐ][.)]\s)")
Log = Callable[[str], None]
#: A "word" that is a speck of dirt read as a stroke: it would split "Kế _ hoạch".
_SPECK: Final = re.compile(r"[_|~`'‘’.,:;^°]+")
#: Marks alone ("-", ".-", "-_"): a list bullet when read with confidence, else a speck.
_MARKS: Final = re.compile(r"[\W_]+")


@dataclass
class Line:
    """One line of the reading text; ``parts`` are ``(offset in text, page, page line)``
    for each physical line joined into it; ``words`` the ``(start, end, confidence)`` of
    OCR'd words (empty for a text layer)."""

    text: str
    parts: list[tuple[int, int, int]]
    words: list[tuple[int, int, float]] = field(default_factory=list)

    def locate(self, start: int, end: int) -> tuple[int, int, int, int]:
        """``(page, page line, start, end)`` of a character span of this line."""
        part = max((p for p in self.parts if p[0] <= start), default=self.parts[0])
        nxt = [p[0] for p in self.parts if p[0] > part[0]]
        stop = (nxt[0] - 1) if nxt else len(self.text)
        return part[1], part[2], start - part[0], min(end, stop) - part[0]

    def confidence(self, start: int, end: int) -> float | None:
        """Lowest OCR confidence of the words under ``[start, end)``; ``None`` if not OCR'd."""
        found = [c for s, e, c in self.words if s < end and e > start]
        return min(found) if found else None


@dataclass
class PdfTable:
    """A ruled table found on a page: its cell texts, row by row."""

    page: int
    index: int  # 1-based on its page
    rows: list[list[str]]


@dataclass
class PdfReading:
    """What a PDF (or page image) gave: reading lines, tables, OCR'd pages, notes."""

    lines: list[Line]
    tables: list[PdfTable]
    pages: int
    ocr_pages: list[int]
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Physical lines of one page
@dataclass
class _PLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int
    number: int = 0  # on its page, 1-based, in reading order
    col_left: float = 0.0
    col_right: float = 0.0
    words: list[tuple[int, int, float]] = field(default_factory=list)
    par: int = -1  # OCR paragraph id (block/par), -1 for a text layer
    first_width: float = 0.0  # width of the first word


def _group_lines(words: list[dict], page: int) -> list[_PLine]:
    """Words → lines (same baseline within a third of the text height), left to right."""
    words = sorted(words, key=lambda w: (round(w["bottom"], 1), w["x0"]))
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: w["top"]):
        height = max(w["bottom"] - w["top"], 1.0)
        for row in rows:
            if abs(row[0]["bottom"] - w["bottom"]) <= height / 3:
                row.append(w)
                break
        else:
            rows.append([w])
    out = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        out.append(_PLine(" ".join(w["text"] for w in row), row[0]["x0"],
                          max(w["x1"] for w in row), min(w["top"] for w in row),
                          max(w["bottom"] for w in row), page,
                          first_width=row[0]["x1"] - row[0]["x0"]))
    return sorted(out, key=lambda ln: ln.top)


def _gutter(words: list[dict], width: float) -> tuple[float, float] | None:
    """The widest vertical band in the middle half of the page that at most one word
    crosses (a title over both columns), if at least 12 pt wide with text both sides."""
    if len(words) < 20:
        return None
    bins = [0] * (int(width) + 1)
    for w in words:
        for x in range(max(0, int(w["x0"])), min(len(bins), int(w["x1"]) + 1)):
            bins[x] += 1
    lo, hi = int(width * 0.25), int(width * 0.75)
    best: tuple[int, int] | None = None
    start = None
    for x in range(lo, hi + 1):
        free = x < hi and bins[x] <= 1
        if free and start is None:
            start = x
        elif not free and start is not None:
            if best is None or x - start > best[1] - best[0]:
                best = (start, x)
            start = None
    if best is None or best[1] - best[0] < 12:
        return None
    left = sum(w["x1"] <= best[0] for w in words)
    right = sum(w["x0"] >= best[1] for w in words)
    if min(left, right) < 0.2 * len(words):
        return None
    return float(best[0]), float(best[1])


def _page_lines(page: object, number: int, table_boxes: list[tuple]) -> list[_PLine]:
    """The lines of a text page in reading order (columns left to right)."""
    words = page.extract_words(x_tolerance=1.5, keep_blank_chars=False)  # type: ignore
    words = [w for w in words if not any(
        b[0] <= (w["x0"] + w["x1"]) / 2 <= b[2] and b[1] <= (w["top"] + w["bottom"]) / 2 <= b[3]
        for b in table_boxes)]
    gutter = _gutter(words, float(page.width))  # type: ignore
    if gutter is None:
        lines = _group_lines(words, number)
        left = min((ln.x0 for ln in lines), default=0.0)
        right = max((ln.x1 for ln in lines), default=float(page.width))  # type: ignore
        for ln in lines:
            ln.col_left, ln.col_right = left, right
    else:
        g0, g1 = gutter
        spanning = [w for w in words if w["x0"] < g0 and w["x1"] > g1]
        cols = [[w for w in words if w["x1"] <= g0], [w for w in words if w["x0"] >= g1]]
        col_lines = [_group_lines(c, number) for c in cols]
        top = min((ln.top for c in col_lines for ln in c), default=0.0)
        full = _group_lines(spanning, number)
        lines = [ln for ln in full if ln.top < top]
        for c in col_lines:
            left = min((ln.x0 for ln in c), default=0.0)
            right = max((ln.x1 for ln in c), default=0.0)
            for ln in c:
                ln.col_left, ln.col_right = left, right
            lines.extend(c)
        lines.extend(ln for ln in full if ln.top >= top)
        for ln in lines:
            if not ln.col_right:
                ln.col_left, ln.col_right = ln.x0, ln.x1
    for n, ln in enumerate(lines, 1):
        ln.number = n
    return lines


def _strip_running(pages: list[list[_PLine]], heights: list[float]) -> list[list[_PLine]]:
    """Drop running headers/footers and page numbers (see the module docstring)."""
    def key(ln: _PLine) -> str:  # letters only, and none OCR confuses with digits
        return re.sub(r"[^\w]|[0-9_ilI|]", "", ln.text.lower())

    def banded(ln: _PLine, h: float) -> bool:
        return ln.top < h * _BAND or ln.bottom > h * (1 - _BAND)

    counts: Counter[str] = Counter()
    for lines, h in zip(pages, heights, strict=True):
        counts.update({key(ln) for ln in lines if banded(ln, h)})
    repeated = {k for k, n in counts.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    out = []
    for lines, h in zip(pages, heights, strict=True):
        out.append([ln for ln in lines if not (banded(ln, h) and (
            key(ln) in repeated or _PAGE_NUMBER.match(ln.text)))])
    return out


def _join(lines: list[_PLine]) -> list[Line]:
    """Physical lines → reading lines: a line that fills its column continues into the
    next (also across a column or page break) unless that one opens a list item or
    the gap between them is a paragraph break."""
    out: list[Line] = []
    gaps = [b.top - a.bottom for a, b in itertools.pairwise(lines)
            if b.page == a.page and b.col_left == a.col_left and b.top > a.top]
    usual = statistics.median(gaps) if gaps else 0.0
    current: Line | None = None
    prev: _PLine | None = None
    for ln in lines:
        joined = False
        if current is not None and prev is not None:
            width = max(prev.col_right - prev.col_left, 1.0)
            listed = bool(_LIST_START.match(ln.text))
            if prev.par >= 0 and ln.par >= 0 and prev.page == ln.page:
                # Tesseract's own paragraphs, and a full line it split from the next
                room = prev.col_right - prev.x1
                full = prev.par // 1000 == ln.par // 1000 and (
                    room < ln.first_width + 0.02 * width or room < 0.03 * width)
                joined = (prev.par == ln.par or full) and not listed
            else:
                # full: the next line's first word would not have fitted after it
                room = prev.col_right - prev.x1
                full = room < ln.first_width + 0.02 * width or room < 0.03 * width
                same_flow = prev.page != ln.page or prev.col_left != ln.col_left or \
                    ln.top - prev.bottom <= max(usual * 1.8, usual + 4)
                joined = full and same_flow and not listed
        if joined and current is not None:
            offset = len(current.text) + 1
            current.text += " " + ln.text
            current.parts.append((offset, ln.page, ln.number))
            current.words.extend((s + offset, e + offset, c) for s, e, c in ln.words)
        else:
            current = Line(ln.text, [(0, ln.page, ln.number)], list(ln.words))
            out.append(current)
        prev = ln
    return out


# ---------------------------------------------------------------------------------------
# OCR
def _tesseract() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise SourceError("Tesseract is not installed (scripts/install.sh installs "
                          "tesseract-ocr and tesseract-ocr-vie)", where="tesseract")
    return exe


@functools.cache
def tesseract_version() -> str:
    """Tesseract's version line (part of the OCR cache key)."""
    out = subprocess.run([_tesseract(), "--version"], capture_output=True, text=True,
                         check=False)
    return (out.stdout or out.stderr).split("\n", 1)[0].strip()


def ocr_image(image: Path, *, lang: str = OCR_LANG, dpi: int = OCR_DPI) -> list[dict]:
    """Tesseract's words of one page image: ``{text, conf, left, top, width, height,
    block, par, line}`` dicts (one process, ``OMP_THREAD_LIMIT=1``)."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    run = subprocess.run([_tesseract(), str(image), "stdout", "-l", lang, "--dpi", str(dpi),
                          "--psm", "3", "tsv"], capture_output=True, env=env, check=False)
    if run.returncode != 0:
        raise SourceError(f"tesseract failed: {run.stderr.decode(errors='replace')[-300:]}",
                          where=str(image))
    words = []
    rows = run.stdout.decode("utf-8", errors="replace").split("\n")
    for row in rows[1:]:
        cells = row.split("\t")
        text = cells[11].strip() if len(cells) >= 12 else ""
        if cells[0] != "5" or not text or _SPECK.fullmatch(text) or (
                _MARKS.fullmatch(text) and float(cells[10]) < 60):
            continue
        words.append({"text": cells[11].strip(), "conf": float(cells[10]),
                      "left": int(cells[6]), "top": int(cells[7]), "width": int(cells[8]),
                      "height": int(cells[9]), "block": int(cells[2]), "par": int(cells[3]),
                      "line": int(cells[4])})
    return words


def _ocr_lines(words: list[dict], page: int) -> tuple[list[_PLine], float]:
    """Tesseract words → physical lines (its own line and paragraph grouping)."""
    groups: dict[tuple[int, int, int], list[dict]] = {}
    for w in words:
        groups.setdefault((w["block"], w["par"], w["line"]), []).append(w)
    lines: list[_PLine] = []
    for (block, par, _), ws in groups.items():
        ws.sort(key=lambda w: w["left"])
        text, spans = "", []
        for w in ws:
            if text:
                text += " "
            spans.append((len(text), len(text) + len(w["text"]), w["conf"]))
            text += w["text"]
        lines.append(_PLine(text, ws[0]["left"], max(w["left"] + w["width"] for w in ws),
                            min(w["top"] for w in ws),
                            max(w["top"] + w["height"] for w in ws), page,
                            words=spans, par=block * 1000 + par,
                            first_width=float(ws[0]["width"])))
    height = max((ln.bottom for ln in lines), default=1.0)
    if lines:
        by_par: dict[int, list[_PLine]] = {}  # by Tesseract block: its column's bounds
        for ln in lines:
            by_par.setdefault(ln.par // 1000, []).append(ln)
        for group in by_par.values():
            left, right = min(ln.x0 for ln in group), max(ln.x1 for ln in group)
            for ln in group:
                ln.col_left, ln.col_right = left, right
    for n, ln in enumerate(lines, 1):
        ln.number = n
    return lines, height



def _render(pdf: object, index: int, out: Path, dpi: int) -> None:
    page = pdf[index]  # type: ignore[index]
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    bitmap.to_pil().save(out)


def _ocr_pages(path: Path, todo: list[int], *, jobs: int, dpi: int, lang: str,
               log: Log | None, label: str, is_image: bool) -> dict[int, list[dict]]:
    """Tesseract words of the pages ``todo`` (0-based) of a PDF or of an image."""
    results: dict[int, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="kpi-ocr-") as tmp:
        images = {}
        if is_image:
            images[0] = path
        else:
            import pypdfium2

            pdf = pypdfium2.PdfDocument(str(path))
            try:  # pdfium is not thread-safe: render every page here, then OCR in parallel
                for i in todo:
                    images[i] = Path(tmp) / f"p{i + 1}.png"
                    _render(pdf, i, images[i], dpi)
            finally:
                pdf.close()
        done = 0

        def one(i: int) -> tuple[int, list[dict]]:
            return i, ocr_image(images[i], lang=lang, dpi=dpi)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for i, words in pool.map(one, todo):
                results[i] = words
                done += 1
                if log:
                    log(f"ocr: {label} page {i + 1} ({done}/{len(todo)}), {len(words)} words")
    return results


# ---------------------------------------------------------------------------------------
def read_pdf(path: str | Path, *, jobs: int = 1, cache_dir: Path | None = None,
             dpi: int = OCR_DPI, lang: str = OCR_LANG, log: Log | None = None,
             label: str | None = None) -> PdfReading:
    """Read a PDF or a page image (see the module docstring).

    ``cache_dir``: where recognised pages are kept, per file content hash (none: no
    cache); ``log``: called with one line per OCR'd page. Raises :class:`SourceError` for
    a file that is not a readable PDF, or when OCR is needed and Tesseract is missing.
    """
    path = Path(path)
    label = label or path.name
    is_image = path.suffix.lower() in IMAGE_SUFFIXES
    page_lines: list[list[_PLine]] = []
    heights: list[float] = []
    tables: list[PdfTable] = []
    need_ocr: list[int] = []
    if is_image:
        page_lines, heights, need_ocr = [[]], [1.0], [0]
    else:
        import pdfplumber
        from pdfminer.pdfparser import PDFSyntaxError

        try:
            pdf = pdfplumber.open(str(path))
        except (PDFSyntaxError, ValueError, TypeError, OSError) as exc:
            raise SourceError(f"not a readable PDF ({type(exc).__name__}: {exc})",
                              where=str(path)) from None
        with pdf:
            for i, page in enumerate(pdf.pages):
                heights.append(float(page.height))
                unmapped = sum(c["text"].startswith("(cid:") for c in page.chars)
                if len(page.chars) - unmapped < MIN_TEXT_CHARS or \
                        unmapped > 0.1 * len(page.chars):  # glyphs without their letters
                    need_ocr.append(i)
                    page_lines.append([])
                    continue
                boxes = []
                for n, table in enumerate(page.find_tables(), 1):
                    rows = [[" ".join((c or "").split()) for c in row]
                            for row in table.extract()]
                    if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                        tables.append(PdfTable(i + 1, n, rows))
                        boxes.append(table.bbox)
                page_lines.append(_page_lines(page, i + 1, boxes))
    notes: list[str] = []
    if need_ocr:
        ocr = _cached_ocr(path, need_ocr, jobs=jobs, dpi=dpi, lang=lang, log=log, label=label,
                          is_image=is_image, cache_dir=cache_dir)
        ocr_lines: dict[int, list[_PLine]] = {}
        for i in need_ocr:
            lines, height = _ocr_lines(ocr[i], i + 1)
            ocr_lines[i] = lines
            heights[i] = height
        for i in need_ocr:
            page_lines[i] = ocr_lines[i]
        empty = [i + 1 for i in need_ocr if not ocr_lines[i]]
        if empty:
            notes.append(f"no text recognised on page(s) {', '.join(map(str, empty))}")
    page_lines = _strip_running(page_lines, heights)
    flat = [ln for lines in page_lines for ln in lines]
    return PdfReading(_join(flat), tables, len(page_lines), [i + 1 for i in need_ocr], notes)


def _cached_ocr(path: Path, todo: list[int], *, jobs: int, dpi: int, lang: str,
                log: Log | None, label: str, is_image: bool, cache_dir: Path | None
                ) -> dict[int, list[dict]]:
    """OCR words per page, read from ``cache_dir`` when this file's content was seen."""
    cache: Path | None = None
    if cache_dir is not None:
        key = hashlib.sha256(f"{file_sha256(path)}|{dpi}|{lang}|{tesseract_version()}"
                             .encode()).hexdigest()
        cache = Path(cache_dir) / f"{key}.json"
        if cache.is_file():
            try:
                stored = json.loads(cache.read_text(encoding="utf-8"))
                pages = {int(k): v for k, v in stored["pages"].items()}
                if all(i in pages for i in todo):
                    if log:
                        log(f"ocr: {label}: {len(todo)} page(s) from the cache")
                    return pages
            except (OSError, ValueError, KeyError):
                pass
    pages = _ocr_pages(path, todo, jobs=jobs, dpi=dpi, lang=lang, log=log, label=label,
                       is_image=is_image)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(cache, json.dumps({"file": label, "pages": pages},
                                            ensure_ascii=False))
    return pages
