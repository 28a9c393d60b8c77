"""Area and period of a report whose heading does not say, and the ``sources.csv`` sidecar.

News-style reports on commune portals and meeting summaries have no letterhead, yet a
reader finds both in their first lines: "Ngày 12/7/2021 … HĐND xã Cẩm Bình … kỳ họp",
"6 tháng đầu năm 2021", "UBND xã Ia Băng (tỉnh Gia Lai)", "năm 2024".
:func:`complete_heading` fills what :func:`kpi.extract.heading.detect_heading` left empty:

* **Period**: a period phrase ("quý III/2016", "quý 1.2022", "6 tháng đầu năm 2021",
  "tháng 9/2018", "năm 2024", "8 tháng") in the title line, else the first quarter, month
  or months-to-date phrase of the opening text (the first :data:`OPENING_CHARS`
  characters), else its first year, else the same over the whole text. Dates and terms
  of office ("nhiệm kỳ 2021 - 2026") are not periods; phrases after target words
  ("phương hướng … năm 2025", "dự toán năm 2023") are skipped unless results words come
  first ("thực hiện nhiệm vụ … năm 2017"); a period ending months after the text's dated
  day is a plan, taken only when the text names nothing else. A phrase without a year
  takes the year of the text's first date ("Sáng nay 15/12" takes the year written
  nearest to it). With no phrase, the quarter of the first date.
* **Area**: issuer phrases anywhere in the text ("UBND xã Ia Băng", "HĐND xã Cẩm Bình",
  "Đảng ủy thị trấn …"), else administrative names ("xã Tân Lập", "huyện Hương Khê")
  named in the text, the most local level first, the most often named first among equals.
  Provinces resolve through :func:`kpi.tables.areas.area_slug`; local units are named
  from the text with the project's slug scheme (``tan-lap-commune``).

``data/raw/sources.csv`` (columns ``file, area, period, span, note``) overrides both per
file: ``area`` a slug, ``period`` a quarter label ("2021Q2") or a period phrase ("6 tháng
đầu năm 2021"), ``span`` optional (quarter|ytd|year|month).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import pandas as pd

from kpi.core.levels import LEVELS
from kpi.core.periods import Span, parse_quarter, parse_span
from kpi.errors import PeriodError, SourceError
from kpi.extract.heading import Area, Heading, _areas_in, _name, area_from

SOURCES: Final = "sources.csv"
SOURCES_COLUMNS: Final = ("file", "area", "period", "span", "note")
OPENING_CHARS: Final = 1500

_PHRASE: Final = re.compile(
    r"(?<![\w/])(?:qu[ýíy]\s*(?:iv|iii|ii|i|[1-4])(?:\s*(?:/|năm|-|\.)\s*(?:19|20)[0-9]{2})?"
    r"|(?:[0-9]{1,2}|sáu|chín)\s+tháng(?:\s+đầu)?(?:\s+năm)?(?:\s*(?:19|20)[0-9]{2})?"
    r"|tháng\s*[0-9]{1,2}\s*(?:/|năm)\s*(?:19|20)[0-9]{2}"
    r"|năm\s+(?:19|20)[0-9]{2})(?![\w])",
    re.IGNORECASE,
)
_TARGET_BEFORE: Final = re.compile(
    r"(?:phương\s+hướng|nhiệm\s+vụ|kế\s+hoạch|phấn\s+đấu|mục\s+tiêu|dự\s+kiến|dự\s+toán|"
    r"đến\s+năm|giai\s+đoạn)[^.\n]{0,40}$|cùng\s+kỳ\s*$|so\s+với\s*$", re.IGNORECASE)
#: "thực hiện nhiệm vụ … năm 2017", "kết quả thực hiện kế hoạch": results, not targets.
_RESULTS_BEFORE: Final = re.compile(r"(?:thực\s+hiện|kết\s+quả|tình\s+hình|hoàn\s+thành|"
                                    r"đánh\s+giá|sơ\s+kết|tổng\s+kết)\s*$", re.IGNORECASE)
#: A period ending this long after the text's date is a target, not what it reports on.
_FUTURE_DAYS: Final = 92
_FULL_DATE: Final = re.compile(
    r"(?<![0-9/])([0-9]{1,2})\s*/\s*([0-9]{1,2})\s*/\s*((?:19|20)[0-9]{2})(?![0-9])"
    r"|ngày\s+([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\s+năm\s+((?:19|20)[0-9]{2})",
    re.IGNORECASE,
)
_SHORT_DATE: Final = re.compile(
    r"(?:ngày|sáng|chiều|tối|trưa|hôm\s+nay|sáng\s+nay|chiều\s+nay)\s+(?:nay\s+)?(?:\(?)"
    r"([0-9]{1,2})\s*/\s*([0-9]{1,2})(?![0-9/])", re.IGNORECASE)
_YEAR: Final = re.compile(r"(?<![0-9.,/])((?:19|20)[0-9]{2})(?![0-9]|[.,][0-9])")
_WORD_MONTHS: Final = ((re.compile(r"(?<!\w)sáu\s+tháng", re.I), "6 tháng"),
                       (re.compile(r"(?<!\w)chín\s+tháng", re.I), "9 tháng"))
_PLACE: Final = re.compile(
    r"(?<![\w])(?P<level>thị\s+trấn|thị\s+xã|thành\s+phố|xã|phường|huyện|quận|tỉnh)\s+"
    r"(?=(?P<rest>[^\n]{1,60}))", re.IGNORECASE)
#: Years that are not the report's: a term ("nhiệm kỳ 2021 - 2026") and dates.
_TERM: Final = re.compile(r"(?:19|20)[0-9]{2}\s*[-–]\s*(?:19|20)[0-9]{2}")
_NAME_END: Final = frozenset({"khóa", "khoá", "nhiệm", "kỳ", "lần", "năm", "tổ", "đã", "vừa",
                              "huyện", "tỉnh", "thành", "tháng", "quý", "hội", "họp"})
_SPECIFIC: Final = ("quarter", "ytd", "month")


@dataclass(frozen=True)
class Completion:
    """A heading after :func:`complete_heading`, and how each field was found."""

    heading: Heading
    area_from: str  # "heading" | "text" | "sources.csv" | ""
    period_from: str


def _years_near(text: str, pos: int) -> int | None:
    """The year written nearest to ``pos``."""
    best = None
    for m in _YEAR.finditer(text):
        d = abs(m.start() - pos)
        if best is None or d < best[0]:
            best = (d, int(m[1]))
    return best[1] if best else None


def first_full_date(text: str) -> dt.date | None:
    """The first date with its year in ``text`` ("12/7/2021", "ngày 5 tháng 3 năm 2022")."""
    for m in _FULL_DATE.finditer(text):
        d, mo, y = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
        try:
            return dt.date(int(y), int(mo), int(d))
        except ValueError:
            continue
    return None


def first_date(text: str) -> dt.date | None:
    """The first full date in ``text`` ("12/7/2021", "ngày 5 tháng 3 năm 2022"), else the
    first short one ("Sáng nay 15/12") with the year nearest to it."""
    full = first_full_date(text)
    if full is not None:
        return full
    terms = _TERM.sub(lambda m: " " * len(m.group()), text)
    for m in _SHORT_DATE.finditer(text):
        year = _years_near(terms, m.start())
        if year is None:
            continue
        try:
            return dt.date(year, int(m[2]), int(m[1]))
        except ValueError:
            continue
    return None


def _masked(text: str) -> str:
    """``text`` with terms of office and full dates blanked (same length)."""
    text = _TERM.sub(lambda m: " " * len(m.group()), text)
    return _FULL_DATE.sub(lambda m: " " * len(m.group()), text)


def _phrases(part: str, issued: dt.date | None, dated: dt.date | None,
             later: list[Span] | None = None) -> list[Span]:
    """Period phrases of ``part``; ``issued`` gives yearless phrases their year, ``dated``
    (a date written with its year) rules out periods ending long after it (kept in
    ``later``)."""
    spans = []
    years = _masked(part)
    for m in _PHRASE.finditer(years):
        target = _TARGET_BEFORE.search(years, max(0, m.start() - 60), m.start())
        if target and not _RESULTS_BEFORE.search(years, max(0, target.start() - 20),
                                                 target.start()):
            continue
        phrase = re.sub(r"([0-9])\.((?:19|20)[0-9]{2})", r"\1/\2", m.group())
        for pattern, words in _WORD_MONTHS:
            phrase = pattern.sub(words, phrase)
        year = (issued.year if issued else None) or _years_near(years, m.start())
        try:
            span = parse_span(phrase, default_year=year)
        except PeriodError:
            continue
        if span.span == "to_date":
            continue
        if issued and span.period.start_time.date() > issued and year is not None \
                and not _YEAR.search(phrase):
            span = parse_span(phrase, default_year=year - 1)
        if dated and (span.period.end_time.date() - dated).days > _FUTURE_DAYS:
            if later is not None:  # "Nghị quyết … năm 2024" passed in January 2024
                later.append(span)
            continue
        spans.append(span)
    return spans


def period_from_text(text: str, issued: dt.date | None = None) -> Span | None:
    """The period the text reports on (see the module docstring), or ``None``: a phrase in
    the title line first, else the first quarter, month or months-to-date phrase of the
    opening, else its first year, else the same in the whole text, else the first
    period planned (a text that only names periods after its date is about those), else
    the quarter of the first date."""
    dated = issued or first_full_date(text[:OPENING_CHARS])
    issued = issued or first_date(text[:OPENING_CHARS])
    title = next((line for line in text.split("\n") if line.strip()), "")
    later: list[Span] = []
    for span in _phrases(title, issued, dated, later):
        return span
    for part in (text[:OPENING_CHARS], text):
        spans = _phrases(part, issued, dated, later)
        specific = [s for s in spans if s.span in _SPECIFIC]
        if specific or spans:
            return (specific or spans)[0]
    if later:
        return later[0]  # only plans: the text is about the period they plan
    date = issued or first_date(text)
    if date is not None:
        return Span("quarter", pd.Period(date, freq="Q-DEC"), None, 3)
    return None


def _trimmed(area: Area) -> Area | None:
    """An area whose name ran on into the sentence ("Chư Sê Khóa IX", "Hà Giang 6") cut
    back to the name."""
    words = area.name.split()[1:] if area.name.split()[0].lower() != "thị" \
        else area.name.split()[2:]
    if area.name.lower().startswith(("thành phố", "thị trấn", "thị xã")):
        words = area.name.split()[2:]
    kept: list[str] = []
    for w in words:
        if w.lower() in _NAME_END or (w.isdigit() and kept):
            break
        kept.append(w)
    if not kept:
        return None
    level = next(k for k, v in LEVELS.items() if v[0] == area.level)
    return area_from(level, " ".join(kept))


def area_from_text(text: str) -> Area | None:
    """The area the text is about (see the module docstring), or ``None``."""
    lines = text.split("\n")
    issuers = [t for line in lines for a in _areas_in(line) if (t := _trimmed(a))]
    if issuers:
        rank = min(a.rank for a in issuers)
        local = [a for a in issuers if a.rank == rank]
        return Counter(local).most_common(1)[0][0]
    named: list[Area] = []
    for m in _PLACE.finditer(text):
        level = " ".join(m["level"].lower().split())
        area = area_from(level, _name(m["rest"]))
        if area is not None and (area := _trimmed(area)) is not None:
            named.append(area)
    if not named:
        return None
    rank = min(a.rank for a in named)
    counts = Counter(a for a in named if a.rank == rank)
    top = max(counts.values())
    return next(a for a in named if a.rank == rank and counts[a] == top)


def _province(area: Area) -> Area:
    """A province named in the text keeps the area index's slug (``gia-lai-province``)."""
    if area.level not in ("province", "city"):
        return area
    from kpi.tables.areas import AREA_NAMES, area_slug

    slug = area_slug(area.name.split(" ", 1)[-1])
    return replace(area, slug=slug, name=AREA_NAMES.get(slug, area.name)) if slug else area


@dataclass(frozen=True)
class SourceEntry:
    """One ``sources.csv`` row."""

    file: str
    area: str
    period: str
    span: str
    note: str


def read_sources(path: Path) -> dict[str, SourceEntry]:
    """``sources.csv`` keyed by ``file`` (a path relative to the raw folder or a file name);
    :class:`SourceError` for a file without a ``file`` column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", where=str(path)) from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and "file" not in rows[0]:
        raise SourceError("sources.csv needs a 'file' column", where=str(path))
    out = {}
    for row in rows:
        entry = SourceEntry(*((row.get(c) or "").strip() for c in SOURCES_COLUMNS))
        if entry.file:
            out[entry.file] = entry
    return out


def entry_for(sources: dict[str, SourceEntry], rel: str) -> SourceEntry | None:
    """The sidecar row for the file ``rel`` (matched by relative path, then by name)."""
    return sources.get(rel) or sources.get(Path(rel).name)


def _entry_span(entry: SourceEntry, where: str) -> Span | None:
    if not entry.period:
        return None
    try:
        if re.fullmatch(r"\s*(?:19|20)[0-9]{2}\s*-?\s*q[1-4]\s*", entry.period, re.IGNORECASE):
            span = Span("quarter", parse_quarter(entry.period), None, 3)
        else:
            span = parse_span(entry.period)
    except PeriodError as exc:
        raise SourceError(f"sources.csv: period not understood ({exc.reason})",
                          text=entry.period, where=where) from None
    if entry.span:
        months = {"quarter": 3, "year": 12, "month": 1}.get(entry.span, span.months)
        span = Span(entry.span, span.period, span.month, months)  # type: ignore[arg-type]
    return span


def complete_heading(heading: Heading, text: str, *, entry: SourceEntry | None = None,
                     where: str = "") -> Completion:
    """``heading`` with area and period filled from ``sources.csv`` (first) or the text."""
    area_src = "heading" if heading.area_slug else ""
    period_src = "heading" if heading.period is not None else ""
    slug, name, level = heading.area_slug, heading.area_name, heading.level
    span: Span | None = (Span(heading.span, heading.period, heading.month,  # type: ignore
                              heading.months) if heading.period is not None else None)
    if entry is not None and entry.area:
        slug, name, area_src = entry.area, "", "sources.csv"
        level = next((lv for lv in ("commune", "ward", "town", "district-town", "district",
                                    "city", "province") if slug.endswith("-" + lv)), "")
    elif not slug:
        found = area_from_text(text)
        if found is not None:
            found = _province(found)
            slug, name, level, area_src = found.slug, found.name, found.level, "text"
    issued = heading.issued or first_date(text[:OPENING_CHARS])
    if entry is not None and entry.period:
        span, period_src = _entry_span(entry, where), "sources.csv"
    elif span is None:
        span = period_from_text(text, heading.issued)
        period_src = "text" if span is not None else ""
    out = Heading(slug, name, level, span.period if span else None, issued,
                  span.span if span else "quarter", span.months if span else 3,
                  span.month if span else None)
    return Completion(out, area_src, period_src)


def sources_line(rel: str, heading: Heading) -> str:
    """The ``sources.csv`` line an analyst adds to say what ``rel`` covers (what could be
    read is filled in; the rest is left for the analyst)."""
    period = str(heading.period) if heading.period is not None else ""
    cells = [rel, heading.area_slug, period, heading.span if period else "", ""]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    return buf.getvalue()
