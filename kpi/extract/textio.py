"""Report files → clean text: decoding, HTML and .docx, and the site's chrome.

:func:`read_text` is the one entry point. It reads ``.txt`` (and other plain text),
``.html``/``.htm`` (also a text file that turns out to be HTML) and ``.docx``, and returns
NFC text with ``\\n`` line ends in which every Unicode space is a plain space.

Decoding (:func:`decode_bytes`): a byte-order mark first (UTF-8, UTF-16 LE/BE, UTF-32),
then BOM-less UTF-16 recognised by its NUL pattern, then strict UTF-8, then Windows-1258
when it reads as Vietnamese (its combining tone marks compose under NFC), then
charset-normalizer's guess. Empty files, binary files (NUL bytes, control characters,
known binary signatures) and text that decodes to no plausible Vietnamese raise
:class:`~kpi.errors.SourceError` naming the file and the reason.

Website chrome (:func:`strip_chrome`): rating widgets ("Tổng số điểm của bài viết"),
polls ("Thăm dò ý kiến"), visitor counters ("Thống kê truy cập", "Hôm nay292"),
"Ý kiến bạn đọc", login time-out notices and the post's date line are blanked. Lines
are blanked, not removed, so line numbers of a ``.txt`` stay those of the file. In
HTML, ``<script>``, ``<style>`` and form widgets never become text; for HTML and .docx
the line numbers are those of the extracted text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from kpi.core.text import normalise
from kpi.errors import SourceError

HTML_SUFFIXES: Final = (".html", ".htm", ".xhtml", ".shtml")
DOCX_SUFFIXES: Final = (".docx",)

# ---------------------------------------------------------------------------------------
# Decoding
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SIGNATURES: Final = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Office file?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office (OLE) document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
)
_VIET_LOWER: Final = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)
_VIET: Final = frozenset(_VIET_LOWER + _VIET_LOWER.upper())
_CONTROL: Final = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_META_CHARSET: Final = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _fail(reason: str, where: str) -> SourceError:
    return SourceError(reason, where=where)


def _viet_score(text: str) -> float:
    """Share of non-ASCII letters that are Vietnamese letters (1.0 when there are none)."""
    letters = [c for c in unicodedata.normalize("NFC", text) if ord(c) > 127 and c.isalpha()]
    if not letters:
        return 1.0
    return sum(c in _VIET for c in letters) / len(letters)


def _utf16_without_bom(data: bytes) -> str | None:
    """Text of BOM-less UTF-16 (NULs on one byte parity only), else ``None``."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    for nul_share, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nul_share >= 0.3 * half and other <= 0.02 * half:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _check_text(text: str, where: str, codec: str) -> str:
    if not text.strip():
        raise _fail("empty file (only whitespace)", where)
    controls = len(_CONTROL.findall(text))
    if controls and controls > 0.01 * len(text):
        raise _fail(f"binary file: {controls} control characters after decoding as {codec}",
                    where)
    return text


def decode_bytes(data: bytes, *, where: str, html: bool = False) -> str:
    """Decode a report's bytes (see the module docstring for the order of attempts).

    ``where`` names the file in errors. With ``html=True`` a ``<meta charset>`` is
    honoured when the bytes are not UTF-8.
    """
    if not data:
        raise _fail("empty file", where)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data[len(bom):].decode(codec), where, codec)
            except UnicodeDecodeError as exc:
                raise _fail(f"not valid {codec} despite its byte-order mark ({exc.reason} "
                            f"at byte {exc.start + len(bom)})", where) from None
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise _fail(f"binary file: {what}, not text", where)
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise _fail(f"binary file: {data.count(0)} NUL bytes", where)
        return _check_text(text, where, "utf-16")
    try:
        return _check_text(data.decode("utf-8"), where, "utf-8")
    except UnicodeDecodeError:
        pass
    if html:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return _check_text(data.decode(declared[1].decode("ascii")), where, "meta")
            except (LookupError, UnicodeDecodeError):
                pass
    try:
        text = data.decode("cp1258")
        if _viet_score(text) >= 0.9:
            return _check_text(text, where, "cp1258")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise _fail("undecodable: not UTF-8, UTF-16 or Windows-1258 text", where)
    text = str(best)
    if _viet_score(text) < 0.6:
        raise _fail(f"undecodable: no encoding reads it as Vietnamese (best guess "
                    f"{best.encoding} gives {text[:40]!r}); legacy TCVN3/VNI fonts are "
                    "not supported", where)
    return _check_text(text, where, best.encoding)


# ---------------------------------------------------------------------------------------
# HTML
_SKIP_TAGS: Final = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "select",
    "button", "textarea", "nav", "canvas", "math",
})
_BLOCK_TAGS: Final = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "html", "li", "main", "ol", "p", "pre", "section", "table",
    "tbody", "tfoot", "thead", "title", "tr", "ul", "br",
})
_CELL_TAGS: Final = frozenset({"td", "th"})
_WS: Final = re.compile(r"[ \t\r\n\f]+")


class _HtmlText(HTMLParser):
    """Text of an HTML page: blocks as lines, table cells separated by tabs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip.append(tag)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre":
                self.pre += 1
        elif tag in _CELL_TAGS:
            self.parts.append("\t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data if self.pre else _WS.sub(" ", data))


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one block per line; script/style content dropped."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (line.strip(" ") for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line.strip())
    return text + "\n" if text else ""


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:2000].lower()


# ---------------------------------------------------------------------------------------
# .docx
def docx_to_text(path: Path) -> str:
    """Paragraphs and table rows of a .docx body, in document order (cells tab-separated)."""
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types on bad input
        raise _fail(f"not a readable .docx ({type(exc).__name__}: {exc})", str(path)) from None

    lines: list[str] = []

    def table_lines(table: Table) -> None:
        for row in table.rows:
            seen: set[int] = set()
            cells: list[str] = []
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell repeats in row.cells
                    continue
                seen.add(id(cell._tc))
                cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
                for inner in cell.tables:
                    table_lines(inner)
            if any(cells):
                lines.append("\t".join(cells))

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.extend(Paragraph(child, document).text.split("\n"))
        elif child.tag == qn("w:tbl"):
            table_lines(Table(child, document))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# Website chrome
_CHROME_LINE: Final = re.compile(
    r"""^\s*[•·*-]?\s*(?:
        tổng\s+số\s+điểm\s+của\s+bài\s+viết.*
      | (?:click|bấm|nhấn)\s+(?:vào\s+)?(?:đây\s+)?để\s+đánh\s+giá.*
      | ý\s+kiến\s+bạn\s+đọc\s*:?
      | thăm\s+dò\s+ý\s+kiến\s*:?
      | thống\s+kê\s+truy\s+cập\s*:?
      | (?:đang\s+truy\s+cập|đang\s+online|trực\s+tuyến|hôm\s+nay|hôm\s+qua|tuần\s+này
          |tuần\s+trước|tháng\s+này|tháng\s+hiện\s+tại|tháng\s+trước|năm\s+hiện\s+tại|năm\s+nay
          |tổng\s+(?:số\s+)?lượt\s+truy\s+cập|lượt\s+truy\s+cập|số\s+lượt\s+truy\s+cập
          |lượt\s+xem|máy\s+chủ\s+tìm\s+kiếm|khách\s+viếng\s+thăm|thành\s+viên)
        \s*:?\s*[0-9][0-9.,\s]*
      | (?:đăng\s+lúc|đăng\s+ngày|ngày\s+đăng|cập\s+nhật\s*(?:lúc|ngày)?|tác\s+giả)\s*[:,].*
      | [0-9:/|.\s-]*[0-9]{1,2}:[0-9]{2}[0-9:/|.\s-]*(?:\(gmt\s*[+-][0-9]+\))?
      | bạn\s+đã\s+không\s+sử\s+dụng\s+site.*
      | .*thời\s+gian\s+chờ\s*:\s*[0-9]+\s*giây.*
      | (?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật)\s*[-,]\s*[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}
        (?:\s+[0-9]{1,2}:[0-9]{2})?[0-9\s]*
      | (?:chia\s+sẻ|in\s+bài(?:\s+viết)?|gửi\s+bài(?:\s+viết)?|lưu\s+bài(?:\s+viết)?
          |xem\s+thêm|về\s+đầu\s+trang|quay\s+lại|bản\s+in)\s*:?
    )\s*$""",
    re.VERBOSE,
)
_TAIL_MARKER: Final = re.compile(
    r"^\s*(?:tổng\s+số\s+điểm\s+của\s+bài\s+viết|ý\s+kiến\s+bạn\s+đọc|thăm\s+dò\s+ý\s+kiến"
    r"|thống\s+kê\s+truy\s+cập|bài\s+viết\s+liên\s+quan|tin\s+liên\s+quan|các\s+tin\s+khác"
    r"|tin\s+cùng\s+chuyên\s+mục|(?:click|bấm)\s+để\s+đánh\s+giá)",
    re.IGNORECASE,
)
_PROSE_CHARS: Final = 160
_CHROME_CHARS: Final = 150  # chrome lines are short; long lines are never tested


def strip_chrome(text: str) -> str:
    """Blank the website chrome lines (line count unchanged).

    A line matching a chrome pattern is blanked. From a chrome block heading (ratings,
    "Ý kiến bạn đọc", polls, counters, related articles) to the end, everything is
    blanked unless a prose line (≥ 160 characters) follows, which means the heading sat
    in a sidebar before the article rather than after it.
    """
    lines = text.split("\n")
    tail = None
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if len(line) >= _PROSE_CHARS:
            break
        if _TAIL_MARKER.match(line):
            tail = i
    out = []
    for i, line in enumerate(lines):
        chrome = len(line) <= _CHROME_CHARS and _CHROME_LINE.match(line.lower())
        if (tail is not None and i >= tail) or chrome:
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
def read_text(path: str | Path) -> str:
    """The text of a report file: decoded, NFC, spaces normalised, chrome blanked.

    Raises :class:`SourceError` (naming the file) for a missing, empty, binary or
    undecodable file.
    """
    from kpi.core.limits import check_file_size, check_lines, check_office

    path = Path(path)
    where = str(path)
    suffix = path.suffix.lower()
    check_file_size(path, where)
    if suffix in DOCX_SUFFIXES:
        if not path.is_file():
            raise _fail("file not found", where)
        if path.stat().st_size == 0:
            raise _fail("empty file", where)
        check_office(path, where)
        text = docx_to_text(path)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _fail(f"cannot read: {exc.strerror or exc}", where) from None
        text = decode_bytes(data, where=where, html=suffix in HTML_SUFFIXES)
        if suffix in HTML_SUFFIXES or _looks_like_html(text):
            text = html_to_text(text)
    check_lines(text, where)
    text = normalise(text)
    if not text.strip():
        raise _fail("empty file (no text)", where)
    return strip_chrome(text)
