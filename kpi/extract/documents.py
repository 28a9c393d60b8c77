"""Every report file kind → observation rows: text, HTML, Word (.docx, .doc, .rtf, .odt),
PDF (text layer or scanned), page images, and tables inside them.

:func:`read_document` gives a :class:`Document`: the reading text, for PDFs and scans the
page and line of every piece of it (:mod:`kpi.extract.pdf`), the tables found inside
(``.docx`` tables, ruled PDF tables) and notes for the reviewer. :func:`extract_document`
reads its values:

* prose through :class:`kpi.extract.Extractor`; locators of PDF and OCR text name the
  page (``p3:L12:40-52``); OCR'd values carry ``ocr_confidence`` (Tesseract's lowest word
  confidence over the number, 0–100);
* tables through the table reader (:mod:`kpi.tables`), as grids named ``table2`` (Word)
  or ``p3-table1`` (PDF), so locators read ``table2!C4``; a table the reader gets values
  from is not read again as prose;
* area and period from the heading, else from ``sources.csv`` or the text itself
  (:mod:`kpi.extract.context`); when either is still unknown the values are returned with an
  empty ``area`` or ``period`` and :attr:`DocumentResult.complete` is false (never an
  error).

``.doc``, ``.rtf`` and ``.odt`` are converted to ``.docx`` by LibreOffice
(``soffice --headless --convert-to docx``), each call with its own profile folder so
parallel conversions do not collide. Text in the legacy TCVN3/VNI fonts is converted to
Unicode (:mod:`kpi.extract.legacy_encodings`) and noted.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import pandas as pd

from kpi.core import schema
from kpi.errors import SourceError
from kpi.extract.context import Completion, SourceEntry, complete_heading, sources_line
from kpi.extract.heading import Heading, detect_heading
from kpi.extract.legacy_encodings import fix_legacy
from kpi.extract.pdf import IMAGE_SUFFIXES, Line, read_pdf
from kpi.extract.textio import DOCX_SUFFIXES, normalise, read_text, strip_chrome

OFFICE_SUFFIXES: Final = (".doc", ".rtf", ".odt")
PDF_SUFFIXES: Final = (".pdf",)
DOCUMENT_SUFFIXES: Final = (*PDF_SUFFIXES, *IMAGE_SUFFIXES, *OFFICE_SUFFIXES, *DOCX_SUFFIXES)
#: An OCR'd number below this confidence is listed first in review.csv.
LOW_CONFIDENCE: Final = 80.0
CONVERT_TIMEOUT: Final = 180
Log = Callable[[str], None]
_LOCATOR: Final = re.compile(r"^L([0-9]+):([0-9]+)-([0-9]+)$")


@dataclass
class DocTable:
    """A table inside a document: its name in locators, its cell texts, and the text
    lines (0-based) that hold it in :attr:`Document.text`."""

    name: str
    rows: list[list[str]]
    text_lines: frozenset[int] = frozenset()


@dataclass
class Document:
    """A report file's reading text, where each line came from, tables and notes."""

    text: str
    lines: list[Line] | None = None  # PDF/OCR: page and line of each text line
    tables: list[DocTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Reading
def convert_to_docx(path: Path, out_dir: Path) -> Path:
    """``path`` (.doc, .rtf, .odt) converted to .docx in ``out_dir`` by LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SourceError("LibreOffice is not installed (scripts/install.sh installs "
                          "libreoffice-writer-nogui)", where=str(path))
    profile = Path(tempfile.mkdtemp(prefix="kpi-lo-profile-"))
    try:
        run = subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", "docx", "--outdir", str(out_dir), str(path)],
            capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise SourceError(f"LibreOffice did not convert the file in {CONVERT_TIMEOUT} s",
                          where=str(path)) from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = out_dir / (path.stem + ".docx")
    if run.returncode != 0 or not out.is_file():
        raise SourceError(f"LibreOffice could not convert it: "
                          f"{run.stderr.decode(errors='replace').strip()[-300:]}",
                          where=str(path))
    return out


def _docx(path: Path) -> tuple[str, list[DocTable]]:
    """A .docx body's text (paragraphs; table rows tab-separated) and its tables; a file
    past the uncompressed-size limit is refused before anything is inflated."""
    from kpi.core.limits import check_office

    check_office(path, str(path))
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types on bad input
        raise SourceError(f"not a readable .docx ({type(exc).__name__}: {exc})",
                          where=str(path)) from None
    lines: list[str] = []
    tables: list[DocTable] = []

    def table_rows(table: Table, rows: list[list[str]]) -> None:
        for row in table.rows:
            seen: set[int] = set()
            cells: list[str] = []  # one per grid column: the grid for the table reader
            own: list[str] = []  # one per cell, merged cells once: the text line, as
            for cell in row.cells:  # kpi.extract.textio.docx_to_text writes it
                text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                merged = id(cell._tc) in seen
                cells.append("" if merged else text)
                if not merged:
                    own.append(text)
                    for inner in cell.tables:
                        table_rows(inner, [])
                seen.add(id(cell._tc))
            if any(own):
                lines.append("\t".join(own))
                rows.append(cells)

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.extend(Paragraph(child, document).text.split("\n"))
        elif child.tag == qn("w:tbl"):
            first = len(lines)
            rows: list[list[str]] = []
            table_rows(Table(child, document), rows)
            tables.append(DocTable(f"table{len(tables) + 1}", rows,
                                   frozenset(range(first, len(lines)))))
    return "\n".join(lines) + "\n", tables


def _plain(path: Path) -> tuple[str, str | None]:
    """A text or HTML file as :func:`kpi.extract.textio.read_text` reads it, unless its bytes are
    not UTF-8 and read as TCVN3/VNI (as Windows-1252 code points): then that text in
    Unicode. Returns the text and the legacy encoding found (or None). The legacy test
    comes before normalising, which would drop TCVN3's "ư" (the soft hyphen's code)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        text, legacy = fix_legacy(data.decode("cp1252", errors="replace"))
        if legacy:
            return strip_chrome(normalise(text)), legacy
    return read_text(path), None


def read_document(path: str | Path, *, jobs: int = 1, cache_dir: Path | None = None,
                  log: Log | None = None, label: str | None = None) -> Document:
    """The :class:`Document` of a report file of any kind this module reads.

    Raises :class:`SourceError` for a missing, empty, unreadable or unconvertible file.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceError("file not found", where=str(path))
    if path.stat().st_size == 0:
        raise SourceError("empty file", where=str(path))
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES or suffix in IMAGE_SUFFIXES:
        reading = read_pdf(path, jobs=jobs, cache_dir=cache_dir, log=log, label=label)
        lines = reading.lines
        notes = list(reading.notes)
        fixed, legacy = fix_legacy("\n".join(ln.text for ln in lines))
        texts = [normalise(t) for t in fixed.split("\n")]
        if legacy:
            notes.append(f"text in the legacy {legacy.upper()} font encoding, converted "
                         "to Unicode")
        for ln, text in zip(lines, texts, strict=True):
            if len(text) != len(ln.text):  # NFC or legacy conversion moved columns
                ln.parts = [(min(o, len(text)), p, n) for o, p, n in ln.parts]
            ln.text = text
        if reading.ocr_pages:
            notes.append(f"read by OCR (Tesseract): page(s) "
                         f"{', '.join(map(str, reading.ocr_pages))}")
        tables = [DocTable(f"p{t.page}-table{t.index}", t.rows) for t in reading.tables]
        if not any(t.strip() for t in texts) and not tables:
            raise SourceError("no text in the PDF, even by OCR", where=str(path))
        text = strip_chrome("\n".join(texts))
        for ln, clean_text in zip(lines, text.split("\n"), strict=True):
            ln.text = clean_text
        return Document(text + "\n", lines, tables, notes, reading.ocr_pages)
    notes = []
    found: str | None = None
    if suffix in OFFICE_SUFFIXES:
        with tempfile.TemporaryDirectory(prefix="kpi-doc-") as tmp:
            converted = convert_to_docx(path, Path(tmp))
            raw, tables = _docx(converted)
        notes.append(f"converted from {suffix} by LibreOffice")
    elif suffix in DOCX_SUFFIXES:
        raw, tables = _docx(path)
    else:
        raw, found = _plain(path)
        tables = []
    text, legacy = fix_legacy(raw)
    legacy = legacy or found
    if legacy:
        notes.append(f"text in the legacy {legacy.upper()} font encoding, converted to "
                     "Unicode")
        for t in tables:
            t.rows = [[fix_legacy(c)[0] if legacy else c for c in row] for row in t.rows]
    text = strip_chrome(normalise(text))
    if not text.strip():
        raise SourceError("empty file (no text)", where=str(path))
    return Document(text, None, tables, notes)


# ---------------------------------------------------------------------------------------
# Values
@dataclass
class DocumentResult:
    """Rows of one document, its completed heading and notes for the reviewer."""

    observations: pd.DataFrame
    completion: Completion
    notes: list[str]
    table_notes: list[str] = field(default_factory=list)
    text: str = ""  # the document's text, as the extractor read it

    @property
    def heading(self) -> Heading:
        return self.completion.heading

    @property
    def complete(self) -> bool:
        return self.heading.complete

    def missing(self) -> list[str]:
        h = self.heading
        return [w for w, v in (("area", h.area_slug), ("period", h.period)) if not v]


def _relocate(doc: Document, frame: pd.DataFrame) -> pd.DataFrame:
    """PDF/OCR locators with page and line; ``ocr_confidence`` of OCR'd values."""
    if doc.lines is None or frame.empty:
        return frame
    locators, confidence = [], []
    for loc in frame["locator"]:
        m = _LOCATOR.match(str(loc))
        if not m:
            locators.append(loc)
            confidence.append(math.nan)
            continue
        line = doc.lines[int(m[1]) - 1]
        s, e = int(m[2]), int(m[3])
        page, number, ps, pe = line.locate(s, e)
        locators.append(f"p{page}:L{number}:{ps}-{pe}")
        conf = line.confidence(s, e)
        confidence.append(math.nan if conf is None else max(0.0, min(100.0, conf)))
    return frame.assign(locator=locators, ocr_confidence=confidence)


def _table_rows(doc: Document, heading: Heading, source: str) -> tuple[list[pd.DataFrame],
                                                                       set[int], list[str]]:
    """Observations of the document's tables, the text lines they cover, notes."""
    from kpi.core.catalog import load_catalog
    from kpi.core.text import clean
    from kpi.errors import KpiError
    from kpi.tables.grid import Cell, Grid
    from kpi.tables.mapping import SheetSpec
    from kpi.tables.result import Collector
    from kpi.tables.wide import read_grid

    frames, covered, notes = [], set(), []
    catalog = load_catalog()
    spec = SheetSpec(area=heading.area_slug or None,
                     year=heading.period.year if heading.period is not None else None)
    for table in doc.tables:
        width = max((len(r) for r in table.rows), default=0)
        cells = [[Cell(clean(c) or None) for c in row] + [Cell()] * (width - len(row))
                 for row in table.rows]
        out = Collector("report")
        try:
            read_grid(Grid(source, cells, table.name), spec, out, catalog)
        except KpiError as exc:
            notes.append(f"{table.name}: not read as a table ({exc.reason})")
            continue
        result = out.result()
        notes.extend(result.notes)
        if len(result.observations):
            frames.append(result.observations)
            covered |= table.text_lines
    return frames, covered, notes


def extract_document(path: str | Path, *, source: str | None = None,
                     area: str | None = None, period: pd.Period | str | None = None,
                     entry: SourceEntry | None = None, jobs: int = 1,
                     cache_dir: Path | None = None, log: Log | None = None,
                     extractor: object | None = None) -> DocumentResult:
    """The values of a report file of any kind (see the module docstring).

    ``area``/``period`` override everything else; ``entry`` is the file's
    ``sources.csv`` row. Never raises for an unknown area or period: those rows carry an
    empty ``area`` or a missing ``period`` (the frame is then not validated).
    """
    from kpi.extract.extractor import Extractor, _default
    from kpi.extract.heading import with_overrides

    path = Path(path)
    source = source or path.name
    doc = read_document(path, jobs=jobs, cache_dir=cache_dir, log=log, label=source)
    found = detect_heading(doc.text)
    completion = complete_heading(found, doc.text, entry=entry, where=source)
    heading = completion.heading
    if area is not None or period is not None:
        stand_in = replace(heading, area_slug=heading.area_slug or "unknown-area",
                           period=heading.period or pd.Period("2000Q1", freq="Q-DEC"))
        forced = with_overrides(stand_in, area=area, period=period, where=source)
        heading = replace(forced, area_slug=forced.area_slug if area else heading.area_slug,
                          period=forced.period if period is not None else heading.period)
        completion = Completion(heading, "option" if area else completion.area_from,
                                "option" if period is not None else completion.period_from)
    reader = extractor if isinstance(extractor, Extractor) else _default()
    # unknown area or period: read with stand-ins, then blank them
    working = replace(heading, area_slug=heading.area_slug or "unknown-area",
                      period=heading.period or pd.Period("2000Q1", freq="Q-DEC"))
    rows = list(reader.rows(doc.text, working, source))
    prose = pd.DataFrame(rows) if rows else schema.empty()
    prose = schema.conform(prose)
    tables, covered, table_notes = _table_rows(doc, working, source)
    if covered and len(prose):
        line_no = prose["locator"].str.extract(r"^L([0-9]+):")[0].astype(float) - 1
        prose = prose[~line_no.isin(covered)].reset_index(drop=True)
    prose = _relocate(doc, prose)
    frame = schema.conform(pd.concat([prose, *tables], ignore_index=True)) \
        if tables else prose
    if heading.complete:
        frame = schema.validate(frame)
    else:
        if not heading.area_slug:
            frame = frame.assign(area="")
        if heading.period is None:
            frame = frame.assign(period=pd.Series([pd.NaT] * len(frame), dtype=object))
    return DocumentResult(frame, completion, doc.notes, table_notes, doc.text)


def missing_message(rel: str, result: DocumentResult) -> str:
    """What the reviewer reads for a file whose area or period is unknown: what is
    missing and the exact ``sources.csv`` line to add."""
    missing = " and ".join(result.missing())
    return (f"the text names no {missing}: add this line to data/raw/sources.csv "
            f"(file,area,period,span,note) and fill in the {missing}: "
            f"{sources_line(rel, result.heading)}")
