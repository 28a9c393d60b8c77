"""Who issued a report and which period it covers, read from its heading.

Vietnamese administrative reports open with a letterhead: the parent body, then the
issuing body ("ĐẢNG BỘ HUYỆN CẨM XUYÊN" / "ĐẢNG UỶ THỊ TRẤN CẨM XUYÊN"), the document
number, the place and date ("Cẩm Xuyên, ngày 22 tháng 3 năm 2022") and the title
("BÁO CÁO ... QUÝ I ... NĂM 2022"). :func:`detect_heading` reads them:

* **Area**: issuer lines (Đảng uỷ / UBND / HĐND / Ủy ban MTTQ / Đảng bộ / a web portal's
  "Cổng thông tin điện tử" + level word + name, or "HUYỆN ỦY X", or a bare upper-case
  "XÃ X" line) in the heading zone (the lines
  before the first long paragraph), else in the signature block at the end. The most
  local level wins (the parent body is printed first). Level words map to slugs:
  xã → commune, phường → ward, thị trấn → town, thị xã → district-town, huyện/quận →
  district, thành phố/TP → city, tỉnh → province; slug = ASCII-folded name + level
  (``cam-xuyen-town``), name = "Thị trấn Cẩm Xuyên".
* **Period**: the title (the line with "báo cáo", or the lines after a bare "BÁO CÁO"),
  else any heading line naming a quarter/6 or 9 months/month/year, read with
  :func:`kpi.core.periods.parse_span`; the first period named wins ("QUÝ I ... QUÝ II NĂM 2022"
  is 2022Q1). A title without a year takes the year of the date line; a quarter that
  would start after the issue date belongs to the year before.
* **Span**: what the report's unmarked numbers cover: ``quarter`` for a quarterly
  report, ``ytd`` for 6/9-month reports, ``year`` for annual ones, ``month`` for monthly.

:func:`tasks_section` finds where the closing "NHIỆM VỤ, GIẢI PHÁP QUÝ II" / "PHƯƠNG HƯỚNG
NHIỆM VỤ 6 THÁNG CUỐI NĂM" part begins: the numbers there are targets for that period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

import pandas as pd

from kpi.core.levels import LEVELS
from kpi.core.periods import Span, parse_quarter, parse_span
from kpi.core.text import slugify
from kpi.errors import PeriodError, SourceError

#: "HUYỆN ỦY X": the party committee named after its level.
_COMMITTEE_LEVEL: Final = {"huyện": "huyện", "quận": "quận", "thị": "thị xã",
                           "thành": "thành phố", "tỉnh": "tỉnh"}

_UY: Final = r"(?:ủy|uỷ|uy)"
_ISSUER: Final = (
    rf"(?:ban\s+chấp\s+hành\s+|bch\s+|ban\s+thường\s+vụ\s+)?(?:đảng\s+bộ|đảng\s+{_UY})"
    rf"|{_UY}\s+ban\s+nhân\s+dân|ubnd|hội\s+đồng\s+nhân\s+dân|hđnd"
    rf"|{_UY}\s+ban\s+mặt\s+trận\s+tổ\s+quốc(?:\s+việt\s+nam)?|ubmttq|mttq"
    r"|cổng\s+thông\s+tin(?:\s+điện\s+tử)?|trang\s+thông\s+tin(?:\s+điện\s+tử)?"
)
_LEVEL: Final = r"(?P<level>thị\s+trấn|thị\s+xã|thành\s+phố|tp\.?|xã|phường|huyện|quận|tỉnh)"
_ISSUER_LINE: Final = re.compile(rf"(?:^|[^\w])(?:{_ISSUER})\s+{_LEVEL}\s+(?P<rest>.+)$",
                                 re.IGNORECASE)
_COMMITTEE_LINE: Final = re.compile(
    rf"^\s*(?P<level>huyện|quận|thị|thành|tỉnh)\s+{_UY}\s+(?P<rest>.+)$", re.IGNORECASE
)
_BARE_LINE: Final = re.compile(rf"^\s*{_LEVEL}\s+(?P<rest>.+)$", re.IGNORECASE)
_NAME_STOP: Final = re.compile(
    r"\s{2,}|\t|[,;:*()\[\]–]|\s-\s|\s+(?:cộng\s+hòa|cộng\s+hoà|đảng\s+cộng\s+sản|độc\s+lập|"
    r"huyện|tỉnh|thành\s+phố|quận|số)(?!\w)",
    re.IGNORECASE,
)
_WORD: Final = re.compile(r"\S+")
_NOT_NAMES: Final = frozenset({"hội", "hôi"})  # "XÃ HỘI" in "CỘNG HÒA XÃ HỘI CHỦ NGHĨA"

_DATE_LINE: Final = re.compile(
    r"ngày\s*(?P<d>[0-9]{1,2})\s*tháng\s*(?P<m>[0-9]{1,2})\s*năm\s*(?P<y>(?:19|20)[0-9]{2})"
    r"|ngày\s*(?P<d2>[0-9]{1,2})\s*/\s*(?P<m2>[0-9]{1,2})\s*/\s*(?P<y2>(?:19|20)[0-9]{2})",
    re.IGNORECASE,
)
_DATES: Final = re.compile(
    r"ngày\s*[0-9]{1,2}\s*tháng\s*[0-9]{1,2}(?:\s*năm\s*[0-9]{4})?"
    r"|[0-9]{1,2}\s*/\s*[0-9]{1,2}\s*/\s*[0-9]{4}|[0-9]{1,2}:[0-9]{2}",
    re.IGNORECASE,
)
_PERIOD_WORDS: Final = re.compile(
    r"(?<!\w)(?:qu[ýíy]\s*(?:i{1,3}|iv|[1-4])(?!\w)|[0-9]{1,2}\s*tháng|tháng\s*[0-9]{1,2}"
    r"|năm\s*(?:19|20)[0-9]{2}|sáu\s+tháng|chín\s+tháng)",
    re.IGNORECASE,
)
_WORD_MONTHS: Final = ((re.compile(r"(?<!\w)sáu\s+tháng", re.I), "6 tháng"),
                       (re.compile(r"(?<!\w)chín\s+tháng", re.I), "9 tháng"))
_TITLE: Final = re.compile(r"báo\s+cáo", re.IGNORECASE)
_ZONE_MAX_LINES: Final = 60
_BODY_CHARS: Final = 200
_SIGNATURE_LINES: Final = 30


@dataclass(frozen=True)
class Heading:
    """What a report's heading says.

    ``area_slug``/``area_name``/``level`` are ``""`` and ``period`` is ``None`` when the
    heading does not say; ``issued`` is the date line's date; ``span``, ``months`` (and
    ``month`` for a monthly report) say what the report's unmarked numbers cover
    (``quarter``/3, ``ytd``/6, ``year``/12, ``month``/1).
    """

    area_slug: str
    area_name: str
    level: str
    period: pd.Period | None
    issued: dt.date | None
    span: str = "quarter"
    months: int = 3
    month: int | None = None  # the month of a monthly report

    @property
    def complete(self) -> bool:
        return bool(self.area_slug) and self.period is not None


@dataclass(frozen=True)
class Area:
    """An administrative unit: slug, Vietnamese name and level (commune, town ...)."""

    slug: str
    name: str
    level: str
    rank: int


def area_from(level_word: str, name: str) -> Area | None:
    """The :class:`Area` for a level word ("thị trấn") and a name ("CẨM XUYÊN")."""
    key = " ".join(level_word.lower().split())
    if key not in LEVELS or not name:
        return None
    level, prefix, rank = LEVELS[key]
    display = " ".join(w if w.isdigit() else w[:1].upper() + w[1:].lower() for w in name.split())
    folded = slugify(display)
    if not folded:
        return None
    return Area(f"{folded}-{level}", f"{prefix} {display}", level, rank)


def _name(rest: str) -> str:
    """The place name at the start of ``rest``: capitalised words, up to a stop mark."""
    cut = _NAME_STOP.search(rest)
    rest = rest[: cut.start()] if cut else rest
    words = []
    for w in _WORD.findall(rest):
        w = w.strip(".,")
        if not w or not (w[0].isupper() or w[0].isdigit()):
            break
        words.append(w)
        if len(words) == 5:
            break
    if not words or words[0].lower() in _NOT_NAMES:
        return ""
    return " ".join(words)


def _areas_in(line: str) -> list[Area]:
    found: list[Area] = []
    m = _COMMITTEE_LINE.match(line)
    if m:
        area = area_from(_COMMITTEE_LEVEL[m["level"].lower()], _name(m["rest"]))
        if area:
            found.append(area)
    m = _ISSUER_LINE.search(line)
    if m:
        area = area_from(m["level"], _name(m["rest"]))
        if area:
            found.append(area)
    stripped = line.strip()
    if not found and stripped.isupper() and len(stripped) <= 60:
        m = _BARE_LINE.match(line)
        if m:
            area = area_from(m["level"], _name(m["rest"]))
            if area:
                found.append(area)
    return found


def _zone(lines: list[str]) -> list[str]:
    zone = []
    for line in lines[:_ZONE_MAX_LINES]:
        if len(line.strip()) >= _BODY_CHARS:
            break
        zone.append(line)
    return zone


def detect_area(lines: list[str]) -> Area | None:
    """The issuing area from the heading zone, else from the signature block."""
    for block in (_zone(lines), lines[-_SIGNATURE_LINES:]):
        found = [a for line in block for a in _areas_in(line)]
        if found:
            return min(found, key=lambda a: a.rank)  # min keeps the first of equal rank
    return None


def detect_issued(lines: list[str]) -> dt.date | None:
    """The date of the date line ("Cẩm Xuyên, ngày 22 tháng 3 năm 2022")."""
    for line in _zone(lines) or lines[:_ZONE_MAX_LINES]:
        m = _DATE_LINE.search(line)
        if m:
            d, mo, y = (m["d"], m["m"], m["y"]) if m["d"] else (m["d2"], m["m2"], m["y2"])
            try:
                return dt.date(int(y), int(mo), int(d))
            except ValueError:
                continue
    return None


def _title_texts(zone: list[str]) -> list[str]:
    """Candidate texts naming the report's period, best first."""
    texts = []
    nonblank = [line.strip() for line in zone if line.strip()]
    for i, line in enumerate(nonblank):
        if _TITLE.search(line):
            if _PERIOD_WORDS.search(line):
                texts.append(line)
            texts.append(" ".join(nonblank[i + 1 : i + 4]))
    texts.extend(line for line in nonblank if _PERIOD_WORDS.search(line))
    return texts


def _read_span(text: str, issued: dt.date | None, fallback_year: int | None) -> Span | None:
    text = _DATES.sub(" ", text)
    for pattern, words in _WORD_MONTHS:
        text = pattern.sub(words, text)
    if not _PERIOD_WORDS.search(text):
        return None
    try:
        return parse_span(text)
    except PeriodError:
        pass
    year = issued.year if issued else fallback_year
    if year is None:
        return None
    try:
        span = parse_span(text, default_year=year)
    except PeriodError:
        return None
    if issued and span.period.start_time.date() > issued:
        span = parse_span(text, default_year=year - 1)
    return span


_ANY_YEAR: Final = re.compile(r"(?<![0-9])năm\s*((?:19|20)[0-9]{2})(?![0-9])", re.IGNORECASE)


def detect_period(lines: list[str], issued: dt.date | None = None) -> Span | None:
    """The report's period as a :class:`kpi.core.periods.Span`, or ``None``."""
    zone = _zone(lines)
    years = [int(m[1]) for line in zone for m in _ANY_YEAR.finditer(line)]
    fallback = years[0] if years else None
    for text in _title_texts(zone):
        span = _read_span(text, issued, fallback)
        if span is not None and span.span != "to_date":
            return span
    return None


def detect_heading(text: str) -> Heading:
    """Area, period, issue date and default span from a report's text.

    Never raises for a missing piece: the field is ``""``/``None`` (see
    :attr:`Heading.complete`); :func:`require` raises when the caller needs them.
    """
    lines = text.split("\n")
    area = detect_area(lines)
    issued = detect_issued(lines)
    span = detect_period(lines, issued)
    return Heading(
        area_slug=area.slug if area else "",
        area_name=area.name if area else "",
        level=area.level if area else "",
        period=span.period if span else None,
        issued=issued,
        span=span.span if span else "quarter",
        months=span.months if span else 3,
        month=span.month if span else None,
    )


_SLUG: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def with_overrides(heading: Heading, *, area: str | None, period: pd.Period | str | None,
                   where: str) -> Heading:
    """``heading`` with the caller's area slug and/or period; raises :class:`SourceError`
    when the area or period is still unknown, or an override is malformed."""
    slug, name, level = heading.area_slug, heading.area_name, heading.level
    if area is not None:
        if not _SLUG.match(area):
            raise SourceError("area override must be a slug like 'cam-xuyen-town'",
                              text=area, where=where)
        if area != slug:
            slug, name = area, ""
            level = next((lv for lv, _, _ in LEVELS.values() if area.endswith("-" + lv)), "")
    quarter = heading.period
    span, months, month = heading.span, heading.months, heading.month
    if period is not None:
        try:
            quarter = parse_quarter(period if isinstance(period, pd.Period) else str(period))
        except PeriodError as exc:
            raise SourceError(f"period override is not a quarter ({exc.reason})",
                              text=str(period), where=where) from None
        if heading.period is None or quarter != heading.period:
            span, months, month = "quarter", 3, None
    missing = [w for w, v in (("area", slug), ("period", quarter)) if not v]
    if missing:
        raise SourceError(f"the heading names no {' and no '.join(missing)}; pass "
                          f"{' and '.join(missing)}= to say it", where=where)
    return Heading(slug, name, level, quarter, heading.issued, span, months, month)


_ENUMERATED: Final = re.compile(r"^\s*(?:[A-ZĐ]|[IVX]{1,4}|[0-9]{1,2}(?:\.[0-9]{1,2})*)\s*[.)]\s")
_TASKS: Final = re.compile(
    r"^\s*(?:(?:[A-ZĐ]|[IVX]{1,4}|[0-9]{1,2}(?:\.[0-9]{1,2})*)\s*[.)]\s*)?"
    r"(?:về\s+|một\s+số\s+|các\s+)?(?:phương\s+hướng|nhiệm\s+vụ)[^\n]{0,90}?"
    r"(?:qu[ýí]\s*(?:i{1,3}|iv|[1-4])|[0-9]{1,2}\s+tháng|tháng\s+[0-9]{1,2}|năm\s+[0-9]{4}"
    r"|thời\s+gian\s+tới)",
    re.IGNORECASE,
)
_NOT_TASKS: Final = re.compile(r"kết\s+quả|đã\s+thực\s+hiện|báo\s+cáo", re.IGNORECASE)


def tasks_section(lines: list[str], period: pd.Period) -> tuple[int, Span] | None:
    """``(first line index, target span)`` of the report's closing tasks part, if any.

    Its heading is a short enumerated or capitalised line after the report's title that
    starts with tasks or directions and names a period ("C. NHIỆM VỤ, GIẢI PHÁP QUÝ II NĂM
    2022", "III. PHƯƠNG HƯỚNG ... 6 THÁNG CUỐI NĂM"); the span is that period (the next
    quarter for "thời gian tới", the rest of the year for "6 tháng cuối năm").
    """
    zone = _zone(lines)
    titles = [i for i, line in enumerate(zone) if _TITLE.search(line)]
    start = titles[-1] + 1 if titles else len(zone)  # after the title, or after the heading
    for i in range(start, len(lines)):
        line = lines[i]
        if len(line) > 150 or not _TASKS.match(line) or _NOT_TASKS.search(line):
            continue
        if not (_ENUMERATED.match(line) or line.upper() == line):
            continue  # a heading: enumerated ("C.", "III.", "2.") or in capitals
        if re.search(r"thời\s+gian\s+tới", line, re.IGNORECASE):
            nxt = period + 1
            return i, Span("quarter", nxt, None, 3)
        text = _DATES.sub(" ", line)
        try:
            return i, parse_span(text, default_year=period.year)
        except PeriodError:
            year_end = pd.Period(year=period.year, quarter=4, freq="Q-DEC")
            return i, Span("year", year_end, None, 12)  # "6 tháng cuối năm": to the year end
    return None
