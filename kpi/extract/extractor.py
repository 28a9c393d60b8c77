"""Report text → observation rows (the contract of :mod:`kpi.core.schema`).

Public API: :func:`extract_text`, :func:`extract_file`, :func:`extract_report` (rows and
the :class:`~kpi.extract.heading.Heading`, for the areas table), :func:`read_text` and
:func:`detect_heading` (re-exported from :mod:`kpi.extract.textio` and :mod:`kpi.extract.heading`).

How a report is read, line by line (a line hard-wrapped in the middle of a sentence is
joined to the next one when that one starts in lower case):

1. Numbers are found and the non-values set aside by :class:`kpi.extract.mentions.Scanner`
   (dates, document numbers, labels, years, ages, footnotes ...).
2. Each sentence is cut into the numbers' own segments: from the previous number (or the
   clause start after ";") to the number, and from the number to the next number or the
   next ``, ; :``. The words there give the measure, qualifier and span
   (:mod:`kpi.extract.wording`).
3. The indicator: among the catalogue indicators that can take the number (money, percent
   or count with a matching unit word), the one whose cue is nearest, preferring cues in
   the number's own segments (a cue right after "số"/"tổng số" counts as nearest), then
   the rest of the sentence; a longer cue wins a tie. After "trong đó"/"bao gồm" the
   total's indicator is not chosen again for its parts. A relative figure (% of plan, %
   change, share) or a plan with no cue of its own belongs to the value before it in the
   sentence and shares its span (and its "ước" estimate). No candidate with a cue →
   ``unclassified``, with the noun phrase as ``subject``.
4. Counts paired with amounts ("1.327 suất, với số tiền là: 458.000.000đ", "3,2 tỷ
   đồng/665 đối tượng") are both rows, each classified to its own indicator, and they
   share context for classification. The pairing is recorded in ``subject``: each row's
   subject ends with ``"; kèm L49:300-312"`` (:data:`PAIR_MARK` + the other row's
   locator); :func:`paired_locator` reads it back.

Numbers in the closing tasks section ("C. NHIỆM VỤ, GIẢI PHÁP QUÝ II NĂM 2022") are
targets: measure ``plan``, span the period that section names
(:func:`kpi.extract.heading.tasks_section`).

Row conventions: ``locator`` is ``L<line>:<start>-<end>`` (line 1-based, character
columns 0-based, end exclusive) over the mention as written, unit word included
("85mũi", "3,2 tỷ đồng", "60%"). ``evidence`` is the sentence (at most 300 characters,
cut around the number with "…"). ``unit`` is the indicator's unit for values and plans,
``percent`` for relative measures, and for unclassified rows ``VND``, ``percent`` or the
unit word. Plans ("kế hoạch giao 8 tỷ", "dự toán năm 2022") cover the year unless their
words say otherwise. "15/17 chỉ tiêu" is a value 15 and its whole 17 as ``plan``, both
with subject "chỉ tiêu". A change in an amount ("tăng 3 tỷ đồng") or a percentage against
a base the contract has no measure for ("so với đầu năm") is kept as an unclassified value
whose subject says so. ``derived`` and ``synthetic`` are ``False``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

import pandas as pd

from kpi.core import schema
from kpi.core.catalog import UNCLASSIFIED, Catalog, load_catalog
from kpi.core.periods import Span, parse_span, quarter_end
from kpi.errors import PeriodError
from kpi.extract.cues import RELATIVE, CueIndex, Hit, fold_case
from kpi.extract.frames import (
    Frame,
    cues_of,
    heading_lines,
    read_frame,
    sentence_mode,
    target_sections,
    target_span,
    vs_estimate,
)
from kpi.extract.heading import Heading, detect_heading, with_overrides
from kpi.extract.mentions import POPULATION_UNITS, Scanner, Token
from kpi.extract.textio import normalise, read_text, strip_chrome
from kpi.extract.wording import (
    Marker,
    is_change_amount,
    is_plan_amount,
    percent_measure,
    qualifier,
    span_markers,
)

__all__ = [
    "PAIR_MARK",
    "Extractor",
    "Heading",
    "detect_heading",
    "extract_file",
    "extract_report",
    "extract_text",
    "paired_locator",
    "read_text",
]

#: Separates a row's subject from the locator of the number it is paired with.
PAIR_MARK: Final = "; kèm "
EVIDENCE_CHARS: Final = 300

_DIGIT: Final = re.compile(r"[0-9]")
_UPPER: Final = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
#: A sentence ends at . ! ? … before a space or the end, or at a dot glued to a capital
#: ("bệnh nhân.Tổ chức"); each alternative starts with its punctuation, for speed.
_SENTENCE_END: Final = re.compile(rf"[.!?…]+(?=\s|$)|\.(?<=[^\W\d_]{{2}}\.)(?=[{_UPPER}])")
_ABBREVIATIONS: Final = frozenset({"tp", "tx", "tt", "ths", "ts", "pgs", "gs", "bs", "ks", "đ/c"})
_CLAUSE: Final = re.compile(r";")
_RIGHT_STOP: Final = re.compile(r"[,;:]|(?<!\w)và(?!\w)", re.IGNORECASE)
#: Where the words trailing one number end and those leading to the next begin.
_BOUNDARY: Final = re.compile(r"[,;]|(?<!\w)và(?!\w)", re.IGNORECASE)
_PARTS: Final = re.compile(r"(?<!\w)(?:trong\s+đó|trong\s+số\s+đó|bao\s+gồm|gồm\s+có|gồm)(?!\w)",
                           re.IGNORECASE)
_REACHED: Final = re.compile(r"(?<!\w)(?:đạt|bằng)(?:\s+(?:khoảng|gần|hơn|trên))?\s*$",
                           re.IGNORECASE)
#: Words without which a sentence with no number opens no list of targets.
_OPENER_HINT: Final = re.compile(
    r"chỉ\s+tiêu|mục\s+tiêu|nhiệm\s+vụ|phương\s+hướng|kế\s+hoạch|nhiệm\s+kỳ|giai\s+đoạn"
    r"|thời\s+kỳ|ước|phấn\s+đấu|đề\s+ra")
_PLAN_NAMED: Final = re.compile(
    r"(?<!\w)(?:kế\s+hoạch|kh|dự\s+toán|chỉ\s+tiêu|nghị\s+quyết)(?!\w)", re.IGNORECASE)
_GROWTH: Final = re.compile(
    r"(?<!\w)(?:tăng\s+trưởng|tốc\s+độ|(?:tỷ|tỉ)\s+lệ\s+tăng(?!\s+dân\s+số))(?!\w)",
    re.IGNORECASE)
_RATE: Final = re.compile(r"(?<!\w)(?:(?:tỷ|tỉ)\s+(?:lệ|trọng)|cơ\s+cấu|công\s+suất)(?!\w)",
                          re.IGNORECASE)
_HEAD_BEFORE: Final = re.compile(r"(?:tổng\s+số|tổng|số)\s+$")
_PAIR_AFTER_COUNT: Final = re.compile(
    r"(?:số\s+tiền|trị\s+giá|kinh\s+phí|thành\s+tiền|tương\s+ứng|giá\s+trị)[^,;.]{0,24}$"
    r"|^\s*[/(]\s*$", re.IGNORECASE)
_PAIR_AFTER_MONEY: Final = re.compile(r"^\s*(?:/|\(|cho|cho\s+tổng\s+số|hỗ\s+trợ\s+cho)\s*$",
                                      re.IGNORECASE)
_WORDS: Final = re.compile(r"[^\W_]+(?:[-/][^\W_]+)*")
#: A paragraph that is one bare number: a table cell laid out one per line.
_LONE_NUMBER: Final = re.compile(r"\s*[0-9]{1,3}(?:,[0-9]{1,3})?\s*")
_CAPTION_REACH: Final = 60
_INDEX_CAPTION: Final = re.compile(
    r"so\s+(?:với\s+)?(?:cùng\s+kỳ|cùng\s+kì|năm\s+trước)[^\n]*(?:\(%\)|%)", re.IGNORECASE)
_GROWTH_CAPTION: Final = re.compile(
    r"(?<!\w)(?:tốc\s+độ\s+tăng|tăng\s+trưởng|tăng\s*/\s*giảm|tăng(?!\s+trưởng))(?!\w)",
    re.IGNORECASE)
_CHANGE_FROM: Final = re.compile(r"(?<!\w)(?P<dir>tăng|giảm)\s+từ\s*$", re.IGNORECASE)
#: "tăng 7,7% tương đương 1,6 triệu đồng": the same change as an amount.
_EQUIVALENT: Final = re.compile(
    r"\s*,?\s*(?:tương\s+đương|tương\s+ứng|tức\s+là|tức)(?:\s+(?:với|là))?\s*:?\s*",
    re.IGNORECASE)
#: Between two counts of a list: the first one's own words, then a comma or "và".
_LIST_STEP: Final = re.compile(r"^\s+[^\W\d_][^;.:()]*(?:,|(?<!\w)và(?!\w))[^;.:()]*$",
                               re.IGNORECASE)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split(" "))


_SUBJECT_STOP: Final = _word_set(
    "với cho trong và đạt tại của là được từ đến theo để nhằm bằng so trên thì nhưng đã "
    "gồm chiếm tăng giảm")
_FILLER: Final = _word_set(
    "đạt được gần hơn trên dưới khoảng ước tính là có với số tiền tổng thu bằng chiếm tăng "
    "giảm cho cộng xấp xỉ chừng vượt ngoài chưa đến tới thực hiện dự kiến lên mới")
_MONEY_HEAD: Final = re.compile(r"(?<!\w)(?:số\s+tiền|trị\s+giá|kinh\s+phí|thành\s+tiền)(?!\w)",
                              re.IGNORECASE)
_LEADING: Final = _word_set("trong đó số của và với cho riêng")
_CHANGE_WORD: Final = re.compile(r"(?<!\w)(?:tăng|giảm|vượt)(?!\w)", re.IGNORECASE)
_PAIR_LOCATOR: Final = re.compile(re.escape(PAIR_MARK) + r"(L[0-9]+:[0-9]+-[0-9]+)$")


def paired_locator(subject: str) -> str | None:
    """The locator of the number a row is paired with, read from its ``subject``."""
    m = _PAIR_LOCATOR.search(subject)
    return m[1] if m else None


@dataclass
class _Item:
    """One value token being read, with what the extractor decided about it."""

    tok: Token
    index: int
    measure: str = "value"
    value: float = 0.0
    qualifier: str = "exact"
    base: str = ""  # comparison phrase of a percentage, change direction of an amount
    marker: Marker | None = None
    own_marker: bool = False
    span: Span | None = None
    indicator: str = UNCLASSIFIED
    cue: str = ""
    inherited: bool = False
    pair: int = -1
    left: tuple[int, int] = (0, 0)
    right: tuple[int, int] = (0, 0)
    clause: int = 0  # where the number's clause (after ";") starts
    own_words: bool = False  # the number's own left segment has words of its own
    target: Span | None = None  # the target section's period, when the number is in it
    in_section: bool = False  # the number is in a part that lists targets
    role: str = "result"
    target_span: Span | None = None  # the period a target is for
    extra: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _State:
    """What one paragraph hands the next: an open inline target list."""

    mode: Frame | None = None
    next_line: int = 0
    last_target: bool = False  # the last sentence ended on a commitment


@dataclass(frozen=True)
class _Paragraph:
    first_line: int
    text: str
    starts: tuple[int, ...]  # offset of each physical line in ``text``

    def locate(self, start: int, end: int) -> str:
        k = bisect.bisect_right(self.starts, start) - 1
        line_start = self.starts[k]
        line_end = self.starts[k + 1] - 1 if k + 1 < len(self.starts) else len(self.text)
        return f"L{self.first_line + k}:{start - line_start}-{min(end, line_end) - line_start}"


def _paragraphs(lines: list[str]) -> Iterator[_Paragraph]:
    """Lines with digits, each joined with the lines that continue its sentence."""
    i = 0
    while i < len(lines):
        group = [lines[i]]
        while (i + len(group) < len(lines) and len(group[-1].strip()) >= 40
               and group[-1].rstrip()[-1:] not in ".;:!?"
               and lines[i + len(group)].lstrip()[:1].islower()):
            group.append(lines[i + len(group)])
        text = "\n".join(group)
        if _DIGIT.search(text):
            starts, pos = [], 0
            for line in group:
                starts.append(pos)
                pos += len(line) + 1
            yield _Paragraph(i + 1, text, tuple(starts))
        i += len(group)


def _table_caption(lines: list[str], line: int) -> str:
    """The measure a table's caption gives its bare cells ("Tốc độ phát triển GRDP so với
    cùng kỳ năm trước (%)": ``pct_of_prior_year``; "Tốc độ tăng ... so với cùng kỳ (%)":
    ``pct_change_yoy``), when one heads the table that line ``line`` (0-based) is in; "" if
    none does (prose, a long line, ends the look back)."""
    for k in range(line - 1, max(-1, line - _CAPTION_REACH), -1):
        row = lines[k]
        if len(row) > 160:
            return ""
        if _INDEX_CAPTION.search(row):
            return ("pct_change_yoy" if _GROWTH_CAPTION.search(row)
                    else "pct_of_prior_year")
    return ""


def _as_index(row: dict, measure: str) -> dict:
    """A bare table cell under an index caption is that percentage."""
    if row["measure"] == "value" and row["unit"] == "" and 0 < row["value"] < 1000:
        row["measure"], row["unit"] = measure, "percent"
    return row


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        word = text[max(0, m.start() - 4) : m.start()].split()[-1:] or [""]
        if m.group() == "." and word[0].lower() in _ABBREVIATIONS:
            continue
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    if any(e - s > _MAX_SENTENCE for s, e in out):
        out = [piece for s, e in out for piece in _split_long(text, s, e)]
    return out


#: A "sentence" longer than this (no full stop in 1,000 characters: a run-on line or a
#: list flattened into one line) is read in pieces cut after a comma, semicolon or space;
#: reading a sentence compares each of its numbers with the others before it.
_MAX_SENTENCE: Final = 1000


def _split_long(text: str, s: int, e: int) -> Iterator[tuple[int, int]]:
    while e - s > _MAX_SENTENCE:
        limit = s + _MAX_SENTENCE
        cut = max(text.rfind(",", s, limit), text.rfind(";", s, limit))
        if cut <= s:
            cut = text.rfind(" ", s, limit)
        cut = cut + 1 if cut > s else limit
        yield s, cut
        s = cut
    yield s, e


@lru_cache(maxsize=4096)
def _span(phrase: str, year: int) -> Span | None:
    try:
        return parse_span(phrase, default_year=year)
    except PeriodError:
        return None


def _last_marker(markers: list[Marker]) -> Marker | None:
    """The last span marker; "tính đến 31/12, toàn xã có ...": the dated one of two."""
    if not markers:
        return None
    last = markers[-1]
    if last.kind == "to_date" and last.day is None:
        dated = [m for m in markers if m.kind == "to_date" and m.day is not None]
        if dated:
            return dated[-1]
    return last


def _nearest_year(day: int, month: int, end: dt.date) -> int:
    """The year that puts day/month nearest the end of the report's quarter ("31/12" in a
    first-quarter report is last December; "15/1" in a fourth-quarter one next January)."""
    def distance(year: int) -> int:
        try:
            return abs((dt.date(year, month, day) - end).days)
        except ValueError:
            return 10**6
    return min((end.year, end.year - 1, end.year + 1), key=distance)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


class Extractor:
    """Reads reports against one catalogue (build once, reuse: compiling cues costs)."""

    def __init__(self, catalog: Catalog | None = None):
        self.catalog = catalog or load_catalog()
        self.cues = CueIndex(self.catalog)
        self.scanner = Scanner(self.cues.unit_words, self.cues.names)
        self._order = {ind.code: n for n, ind in enumerate(self.catalog)}

    # ---- public -----------------------------------------------------------------------
    def extract(self, text: str, *, source: str, area: str | None = None,
                period: pd.Period | str | None = None, prepared: bool = False
                ) -> tuple[pd.DataFrame, Heading]:
        """Rows of ``text`` (validated) and its heading, after ``area``/``period``
        overrides. Raises :class:`~kpi.errors.SourceError` when area or period is unknown.
        ``prepared``: the text comes from :func:`read_text` (already normalised)."""
        if not prepared:
            text = strip_chrome(normalise(text))
        heading = with_overrides(detect_heading(text), area=area, period=period,
                                 where=source)
        rows = list(self.rows(text, heading, source))
        frame = pd.DataFrame(rows) if rows else schema.empty()
        return schema.validate(schema.conform(frame)), heading

    def rows(self, text: str, heading: Heading, source: str) -> Iterator[dict]:
        """Observation rows as dicts (not yet conformed)."""
        assert heading.period is not None
        lines = text.split("\n")
        sections = target_sections(lines, heading.period, heading.span)
        if heading.issued is not None and heading.issued < heading.period.start_time.date():
            # written before its period began ("Kế hoạch năm 2024" dated 12/2023): a plan
            sections = [(-1, len(lines) + 1, None)]
        breaks = heading_lines(lines)
        state = _State()
        for para in _paragraphs(lines):
            line = para.first_line - 1
            k = bisect.bisect_right(breaks, line)
            if k and breaks[k - 1] >= state.next_line:
                state.mode = None  # a heading since the last paragraph ends an inline list
            state.next_line = line + len(para.starts)
            inside = next((sec for sec in sections if sec[0] < line < sec[1]), None)
            rows = self._paragraph_rows(para, heading, source,
                                        None if inside is None else (inside[2],), state)
            if _LONE_NUMBER.fullmatch(para.text) and (caption := _table_caption(lines, line)):
                rows = (_as_index(row, caption) for row in rows)
            yield from rows

    # ---- one paragraph ----------------------------------------------------------------
    def _paragraph_rows(self, para: _Paragraph, heading: Heading, source: str,
                        target: tuple[Span | None] | None, state: _State) -> Iterator[dict]:
        """Rows of one paragraph; ``target``: ``(span named by its heading or None,)`` when
        the paragraph is in a part that lists targets; ``state`` carries an inline target
        list from one sentence to the next (:func:`kpi.extract.frames.sentence_mode`)."""
        assert heading.period is not None
        text = para.text
        tokens = self.scanner.scan(text)
        values = [t for t in tokens if t.is_value]
        folded = fold_case(text)
        units = [(t.unit_start, t.end, t.unit_word) for t in values if t.unit_word]
        # Each sentence looks only at its own numbers and units (found by bisection): a
        # scan of the whole paragraph per sentence is quadratic on one long line.
        value_starts = [t.start for t in values]
        unit_starts = [u[0] for u in units]
        for s, e in _sentences(text):
            inside = values[bisect.bisect_left(value_starts, s):
                            bisect.bisect_left(value_starts, e)]
            frame = target if target is not None or state.mode is None else (state.mode.span,)
            after = state.last_target
            if not inside and (target is not None or (
                    state.mode is None and not _OPENER_HINT.search(folded, s, e))):
                state.last_target = target is not None
                continue  # no number, and nothing that could open a list of targets
            cues = cues_of(folded, s, e)
            if target is None:
                state.mode, last = sentence_mode(folded, s, e, heading.period, heading.span,
                                                 state.mode, after, cues)
                state.last_target = last == "target"
            else:
                state.last_target = True
            if not inside:
                continue
            near = units[bisect.bisect_left(unit_starts, s):bisect.bisect_left(unit_starts, e)]
            hits = self._unit_cues(self.cues.hits(folded, s, e), near)
            markers = span_markers(folded, s, inside[-1].start)
            items = self._read_sentence(text, s, e, inside, hits, markers, heading, frame,
                                        folded, after, cues)
            for item in items:
                yield self._row(para, s, e, item, items, heading, source)

    def _unit_cues(self, hits: list[Hit], units: list[tuple[int, int, str]]) -> list[Hit]:
        """A cue that is only a number's unit word ("đảng viên" in "31 đảng viên") names
        the unit, not the indicator: dropped, unless the word is the unit of one or two
        indicators only ("31 giấy xác nhận"): then kept as weak evidence."""
        out = []
        for h in hits:
            unit = next((w for us, ue, w in units if us <= h.start and h.end <= ue), None)
            if unit is None:
                out.append(h)
            elif fold_case(unit) in self.cues.distinctive_units:
                out.append(Hit(h.start, h.end, h.cue, h.codes, weak=True))
        return out

    def _read_sentence(self, text: str, s: int, e: int, toks: list[Token], hits: list[Hit],
                       markers: list[Marker], heading: Heading,
                       target: tuple[Span | None] | None, folded: str,
                       after_target: bool = False, cues: list | None = None) -> list[_Item]:
        assert heading.period is not None
        section = target[0] if target is not None else None
        items = [_Item(t, n, target=section, in_section=target is not None)
                 for n, t in enumerate(toks)]
        low = folded
        planned = vs_estimate(low, s, e)  # "tăng 1,19% so với ước thực hiện năm 2017"
        clause_starts = [s] + [m.end() for m in _CLAUSE.finditer(text, s, e)]
        for n, item in enumerate(items):
            t = item.tok
            clause = clause_starts[bisect.bisect_right(clause_starts, t.start) - 1]
            left_start = clause
            if n and items[n - 1].tok.end > clause:
                prev_end = items[n - 1].tok.end
                boundary = _BOUNDARY.search(text, prev_end, t.start)
                left_start = boundary.end() if boundary else prev_end
            stop = _RIGHT_STOP.search(text, t.end, e)
            right_end = min(stop.start() if stop else e,
                            items[n + 1].tok.start if n + 1 < len(items) else e)
            item.left, item.right = (left_start, t.start), (t.end, max(t.end, right_end))
            item.clause = clause
            before = text[left_start : t.start]
            item.own_words = any(w.lower() not in _FILLER and w.lower() not in _LEADING
                                 and not w.isdigit() for w in _words(before))
            self._measure(item, before, text[t.amount_end : min(e, t.amount_end + 80)],
                          heading)
            frame = read_frame(low, s, t.start, t.end, heading.period, heading.span,
                               item.in_section or planned, after_target, cues)
            item.role = frame.role
            if frame.role == "target":
                item.target_span = target_span(frame.span, section, heading.period,
                                               heading.span, low[item.left[0] : item.right[1]])
            item.qualifier = qualifier(before)
            if t.role == "range":
                first = not (n and items[n - 1].tok.role == "range"
                             and items[n - 1].qualifier == "range_low")
                item.qualifier = "range_low" if first else "range_high"
            prefix = [m for m in markers if m.start < t.start]
            own = [m for m in prefix if m.start >= left_start]
            item.own_marker = bool(own)
            chosen = own or ([] if item.measure == "plan" else prefix)
            item.marker = _last_marker(chosen)
        self._reached_share(text, s, items)
        self._ranges(text, items)
        self._rate_changes(text, items)
        self._ranges(text, items)
        self._listed_changes(text, items)
        self._pair(text, items)
        self._classify(text, s, e, items, hits)
        for item in items:
            ref = self._reference(items, item) if item.inherited else None
            if item.target_span is not None:
                item.span = item.target_span
            elif ref is not None and item.measure in RELATIVE and not item.own_marker:
                item.span = ref.span
            elif item.tok.role == "whole" and item.index > 0:
                item.span = items[item.index - 1].span  # "15/17 chỉ tiêu": as its part
            else:
                item.span = self._resolve_span(item, heading)
        return items

    # ---- measure ----------------------------------------------------------------------
    @staticmethod
    def _measure(item: _Item, before: str, after: str, heading: Heading) -> None:
        t = item.tok
        item.value = t.value
        if t.kind == "percent":
            quarter = heading.period.quarter if heading.period is not None else None
            reading = percent_measure(before, after, t.value, quarter)
            item.measure, item.value, item.base = reading.measure, reading.value, reading.base
        elif t.role == "whole" and t.unit_word in POPULATION_UNITS:
            pass  # "480/662 hộ": the population, a value
        elif t.role == "whole" or is_plan_amount(before):
            item.measure = "plan"
        elif is_change_amount(before):
            item.measure = "change"
            item.base = "giảm" if re.search(r"giảm\s*\S*\s*$", before, re.I) else "tăng"

    @staticmethod
    def _rate_changes(text: str, items: list[_Item]) -> None:
        """"Tỷ lệ hộ nghèo còn 16,22%, giảm 6,16%": a change of a rate is in points (an
        absolute change), when a rate level or a rate word comes before it in its clause
        with no amount or count between."""
        for n, item in enumerate(items):
            if item.tok.kind != "percent" or item.measure not in ("pct_change_yoy",
                                                                    "pct_change_qoq"):
                continue
            prev = items[n - 1] if n else None
            if prev is not None and prev.tok.kind != "percent" and prev.tok.start >= item.clause:
                continue
            if _GROWTH.search(text, item.clause, item.tok.start):
                continue  # "...; tốc độ tăng trưởng 7,5%": a growth rate, whatever came before
            if prev is not None and prev.tok.start < item.clause:
                prev = None  # a rate in an earlier clause is not this clause's level
            if (prev is not None and prev.tok.kind == "percent"
                    and prev.measure in ("value", "share_pct")) or (
                    _RATE.search(text, item.clause, item.tok.start)
                    and not _GROWTH.search(text, item.clause, item.tok.start)):
                item.measure = "change"

    @staticmethod
    def _ranges(text: str, items: list[_Item]) -> None:
        """The two ends of a range are read alike: "tăng từ 0,45% đến 0,54%" is a range of
        growth rates, "(KH tăng từ 12-13%)" a range of plans; the low end, which has the
        words, gives the high end its measure (and its direction)."""
        for low, high in itertools.pairwise(items):
            if low.qualifier != "range_low" or high.qualifier != "range_high":
                continue
            if (low.tok.kind == "percent" and low.measure in ("value", "share_pct")
                    and (m := _CHANGE_FROM.search(text, low.left[0], low.tok.start))):
                low.measure = "pct_change_yoy"
                if m["dir"].lower() == "giảm":
                    low.value = -abs(low.value)
            if high.measure != low.measure and high.tok.kind == low.tok.kind:
                high.measure, high.base = low.measure, low.base
                high.value = -abs(high.value) if low.value < 0 else abs(high.value)

    @staticmethod
    def _listed_changes(text: str, items: list[_Item]) -> None:
        """Changes carried along: "tăng 7,7% tương đương 1,6 triệu đồng" (the amount of the
        change), "có thêm 4 xã đạt chuẩn, 6 xã đạt chuẩn nâng cao" (a list of counts with the
        same unit after a change count, each described after it and with no words of its own
        before it; not "tăng 52.000 con, trên 6.500 con lợn")."""
        for prev, item in itertools.pairwise(items):
            if item.measure != "value" or item.tok.kind == "percent":
                continue
            gap = text[prev.tok.end : item.tok.start]
            if (prev.measure in ("pct_change_yoy", "pct_change_qoq", "change")
                    and _EQUIVALENT.fullmatch(gap)):
                item.measure = "change"
                item.base = "giảm" if prev.value < 0 or prev.base == "giảm" else "tăng"
            elif (prev.measure == "change" and prev.tok.kind == item.tok.kind == "count"
                    and prev.tok.unit_word and prev.tok.unit_word == item.tok.unit_word
                    and not item.own_words and _LIST_STEP.search(gap)):
                item.measure, item.base = "change", prev.base

    @staticmethod
    def _reached_share(text: str, s: int, items: list[_Item]) -> None:
        """"thực hiện 3,5 tỷ đồng, đạt 43,75%": a bare percentage reached by an amount or
        count before it, or once a plan is named in the sentence ("các chỉ tiêu kế hoạch
        ...: xây dựng NTM đạt 200%"), is a share of the plan (a rate would be a percent
        indicator)."""
        for n, item in enumerate(items):
            if (item.tok.kind == "percent" and item.measure == "value"
                    and _REACHED.search(text, item.left[0], item.tok.start)
                    and not _RATE.search(text, item.left[0], item.tok.start)
                    and (any(o.measure == "value" and o.tok.kind != "percent"
                             for o in items[:n])
                         or _PLAN_NAMED.search(text, s, item.tok.start))):
                item.measure = "pct_of_plan"

    # ---- pairs ------------------------------------------------------------------------
    @staticmethod
    def _pair(text: str, items: list[_Item]) -> None:
        for a, b in itertools.pairwise(items):
            if a.measure != "value" or b.measure != "value" or a.pair >= 0:
                continue
            gap = text[a.tok.end : b.tok.start]
            if len(gap) > 120:
                continue
            kinds = (a.tok.kind, b.tok.kind)
            if (kinds == ("count", "money") and _PAIR_AFTER_COUNT.search(gap)) or (
                    kinds == ("money", "count") and _PAIR_AFTER_MONEY.match(gap)):
                a.pair, b.pair = b.index, a.index
                a.extra.append(b.left)
                b.extra.append(a.left)

    # ---- indicators -------------------------------------------------------------------
    def _classify(self, text: str, s: int, e: int, items: list[_Item], hits: list[Hit]
                  ) -> None:
        sentence_hits = [h for h in hits if s <= h.start and h.end <= e]
        parts_at = next((m.start() for m in _PARTS.finditer(text, s, e)), None)
        for item in items:
            if item.measure == "other":
                continue
            totals: set[str] = set()
            if parts_at is not None and parts_at < item.tok.start:
                # after "trong đó" come the parts: not the total's indicator again
                totals = {o.indicator for o in items
                          if o.tok.start < parts_at and o.measure == "value"}
            code, cue, tier = self._choose(text, item, sentence_hits, totals)
            ref = self._reference(items, item)
            if ref is not None and item.measure == "plan" and ref.indicator != UNCLASSIFIED:
                ind = self.catalog.indicators[ref.indicator]
                if not self.cues.compatible(ind, item.tok.kind, "plan", item.tok.unit_word):
                    ref = None  # a money plan is not the plan of a count before it
            if ref is not None and tier > 0:
                item.indicator, item.cue, item.inherited = ref.indicator, ref.cue, True
                if ref.qualifier == "estimate" and item.measure in RELATIVE:
                    item.qualifier = "estimate"
            else:
                item.indicator, item.cue = code, cue
        if parts_at is not None:
            self._total_from_parts(items, parts_at)
            self._plan_parts(items, parts_at)
            self._parts_comparison(items, parts_at)

    def _total_from_parts(self, items: list[_Item], parts_at: int) -> None:
        """"45.678 mũi, trong đó: mũi 1 ..., mũi 2 ...": an unclassified total whose parts
        are parts of a catalogue sum rule is that rule's total."""
        before = [o for o in items if o.tok.start < parts_at and o.measure == "value"]
        if not before or before[-1].indicator != UNCLASSIFIED:
            return
        total = before[-1]
        parts = {o.indicator for o in items if o.tok.start > parts_at and o.measure == "value"
                 and o.indicator != UNCLASSIFIED}
        for rule in self.catalog.rules:
            ind = self.catalog.indicators[rule.total]
            if (rule.kind == "sum" and parts and parts <= set(rule.parts)
                    and self.cues.compatible(ind, total.tok.kind, "value", total.tok.unit_word)):
                total.indicator, total.cue = rule.total, ""
                return

    @staticmethod
    def _parts_comparison(items: list[_Item], parts_at: int) -> None:
        """"tăng 1,34% so với tháng trước, trong đó ngành khai khoáng tăng 1,75%": a part's
        bare change is against what the total's was compared with."""
        total = next((o for o in reversed(items) if o.tok.start < parts_at
                      and o.measure in ("pct_change_yoy", "pct_change_qoq") and o.base), None)
        if total is None or total.measure == "pct_change_yoy":
            return  # a bare change is read year-on-year already
        for o in items:
            if o.tok.start > parts_at and o.measure == "pct_change_yoy" and not o.base:
                o.measure, o.base = total.measure, total.base

    @staticmethod
    def _plan_parts(items: list[_Item], parts_at: int) -> None:
        """"dự toán thu 10.764 tỷ đồng; trong đó, thu nội địa 5.184 tỷ đồng": the parts of
        a plan are plans."""
        before = [o for o in items if o.tok.start < parts_at and o.measure in ("value", "plan")]
        if not before or before[-1].measure != "plan" or before[-1].tok.role == "whole":
            return  # "17.919 con/14.066 con, trong đó ...": the parts are of what was done
        kind = before[-1].tok.kind
        for o in items:
            if o.tok.start > parts_at and o.measure == "value" and o.tok.kind == kind:
                o.measure = "plan"

    @staticmethod
    def _reference(items: list[_Item], item: _Item) -> _Item | None:
        """The value a relative figure or plan is about: the nearest value before it."""
        if item.measure not in RELATIVE and item.measure != "plan":
            return None
        for other in reversed(items[: item.index]):
            if other.measure == "value" and other.tok.kind != "percent":
                return other
        return None

    def _choose(self, text: str, item: _Item, hits: list[Hit], excluded: set[str]
                ) -> tuple[str, str, int]:
        """Best ``(code, cue, tier)``: tier 0 = a cue in the number's own segments, 1 = an
        earlier cue in the sentence; cues after the number's own words belong to the
        numbers after it."""
        t = item.tok
        best: tuple | None = None
        for hit in hits:
            tier, dist = self._place(text, item, hit)
            if tier > 1:
                continue
            for code in hit.codes:
                ind = self.catalog.indicators[code]
                if code in excluded or not self.cues.compatible(ind, t.kind, item.measure,
                                                                 t.unit_word):
                    continue
                rank = (tier, dist, -len(hit.cue), self._order[code])
                if best is None or rank < best[0]:
                    best = (rank, code, hit.cue)
        if best is None:
            return UNCLASSIFIED, "", 99
        return best[1], best[2], best[0][0]

    @staticmethod
    def _place(text: str, item: _Item, hit: Hit) -> tuple[int, int]:
        """``(tier, distance)`` of a cue relative to the number."""
        t = item.tok
        (ls, le), (rs, re_) = item.left, item.right
        if hit.weak:
            return (1, 10_000) if t.start <= hit.start < t.end else (2, 0)
        if item.measure in RELATIVE and hit.start >= t.start:
            return 2, 0  # a percentage's subject comes before it; after it is the base
        if ls <= hit.start and hit.end <= le:
            head = _HEAD_BEFORE.search(text, max(0, hit.start - 8), hit.start)
            return 0, 0 if head else le - hit.end
        if t.start <= hit.start < t.end and hit.end <= max(re_, t.end):
            return 0, 0  # begins with the unit word: "256 giấy chứng nhận quyền sử dụng đất"
        if rs <= hit.start and hit.end <= re_:
            return 0, hit.start - rs
        for xs, xe in item.extra:
            if xs <= hit.start and hit.end <= xe:
                return 0, 50 + abs(t.start - hit.start)
        if hit.end <= item.clause and item.own_words:
            return 2, 0  # "...; hộ cận nghèo 4,5%": its own words, no cue, another clause
        if hit.end <= t.start:
            return 1, t.start - hit.end
        return 2, hit.start - t.end

    # ---- spans ------------------------------------------------------------------------
    def _resolve_span(self, item: _Item, heading: Heading) -> Span:
        assert heading.period is not None
        p = heading.period
        year = p.year
        default = Span(heading.span, p, heading.month, heading.months)  # type: ignore[arg-type]
        m = item.marker
        if m is None:
            if item.measure == "plan":
                return _span(f"năm {year}", year) or default
            return default
        found: Span | None = None
        if m.kind == "month" and m.month:
            y = m.year or (year - 1 if m.month > p.quarter * 3 else year)
            found = _span(f"tháng {m.month}/{y}", y)
        elif m.kind == "to_date":
            if m.day and m.month:
                y = m.year or _nearest_year(m.day, m.month, quarter_end(p))
                found = _span(f"{m.day}/{m.month}/{y}", y)
            else:
                found = Span("to_date", p, None, 0, None)  # "đến nay": as of no stated date
        elif m.kind == "ytd":
            months = m.months or p.quarter * 3
            y = m.year or year
            found = _span(f"{months} tháng đầu năm {y}", y)
            if found is not None and months % 3 == 0 and months <= 3:
                found = _span(f"quý 1/{y}", y)
            elif found is not None and months == 12:
                found = _span(f"năm {y}", y)
        elif m.kind == "quarter" and m.quarter:
            y = m.year or year
            found = _span(f"quý {m.quarter}/{y}", y)
        elif m.kind == "year":
            y = m.year or year
            found = _span(f"năm {y}", y)
        return found or default

    # ---- rows -------------------------------------------------------------------------
    def _row(self, para: _Paragraph, s: int, e: int, item: _Item, items: list[_Item],
             heading: Heading, source: str) -> dict:
        text = para.text
        t = item.tok
        span = item.span
        assert span is not None
        indicator = item.indicator
        measure = item.measure
        value = item.value
        subject = self._subject(text, item, items)
        if measure == "other":
            indicator, measure = UNCLASSIFIED, "value"
            subject = " ".join(w for w in (subject, item.base) if w)
        elif measure == "change":
            subject = " ".join(w for w in (item.base, subject) if w)
            if item.base == "giảm":
                value = -value
        if indicator == UNCLASSIFIED:
            unit = ("VND" if t.kind == "money" else "percent" if t.kind == "percent"
                    else t.unit_word)
            if t.kind == "percent" and measure == "value" and item.measure == "value":
                measure = "share_pct"  # a rate or share with no catalogue indicator
        else:
            ind = self.catalog.indicators[indicator]
            unit = "percent" if measure in RELATIVE else ind.unit
            if ind.unit == "m" and t.unit_word == "km":
                value *= 1000
        if item.pair >= 0:
            other = items[item.pair].tok
            subject = f"{subject}{PAIR_MARK}{para.locate(other.start, other.end)}"
        return {
            "area": heading.area_slug,
            "period": span.period,
            "span": span.span,
            "month": span.month if span.span == "month" else pd.NA,
            "as_of": span.as_of.isoformat() if span.span == "to_date" and span.as_of else "",
            "indicator": indicator,
            "measure": measure,
            "role": item.role,
            "value": float(value),
            "unit": unit,
            "qualifier": item.qualifier,
            "subject": subject,
            "source": source,
            "locator": para.locate(t.start, t.end),
            "evidence": _evidence(text, s, e, t.start, t.end),
            "derived": False,
            "synthetic": False,
        }

    @staticmethod
    def _subject(text: str, item: _Item, items: list[_Item]) -> str:
        """The noun phrase a number belongs to: its unit word and the words after it, or
        the words before it without verbs and qualifiers (see the module docstring)."""
        t = item.tok
        if t.unit_word and t.unit_start < 0:  # the part of a fraction: "15/17 chỉ tiêu"
            whole = items[item.index + 1] if item.index + 1 < len(items) else None
            return Extractor._subject(text, whole, items) if whole else t.unit_word
        if t.unit_word:
            words = _words(text[t.unit_start : item.right[1]])
            n_unit = len(t.unit_word.split())
            tail = []
            for w in words[n_unit : n_unit + 4]:
                if w.lower() in _SUBJECT_STOP or w.isdigit():
                    break
                tail.append(w)
            return " ".join(words[:n_unit] + tail)
        lo, hi = item.left
        found = [m for m in _WORDS.finditer(text, lo, hi) if not m.group().isdigit()]
        while found and found[-1].group().lower() in _FILLER:
            found.pop()
        while found and found[0].group().lower() in _LEADING:
            found.pop(0)
        phrase = " ".join(text[found[-8:][0].start() : found[-1].end()].split()) if found else ""
        if t.kind == "money" and _MONEY_HEAD.search(text, lo, hi):
            if item.pair >= 0:
                return f"số tiền cho {Extractor._subject(text, items[item.pair], items)}"
            return item.cue or "số tiền"
        if (item.measure in RELATIVE or item.measure == "other") and not phrase:
            verb = _CHANGE_WORD.search(text, lo, hi)
            phrase = " ".join(w for w in (verb.group().lower() if verb else "",
                                          "" if item.measure == "other" else item.base) if w)
        if not phrase and not item.cue:  # "100% hồ sơ giải quyết đúng hạn"
            after = []
            for w in _words(text[t.end : item.right[1]]):
                if w.lower() in _SUBJECT_STOP or w.isdigit() or len(after) == 5:
                    break
                after.append(w)
            phrase = " ".join(after)
        return phrase or item.cue


def _evidence(text: str, s: int, e: int, start: int, end: int) -> str:
    sentence = " ".join(text[s:e].split())
    if len(sentence) <= EVIDENCE_CHARS:
        return sentence
    budget = EVIDENCE_CHARS - 2
    lo = max(s, start - (budget - (end - start)) // 2)
    hi = min(e, lo + budget)
    lo = max(s, hi - budget)
    chunk = text[lo:hi]
    if lo > s:
        chunk = chunk.split(" ", 1)[-1] if " " in chunk[:20] else chunk
    if hi < e:
        chunk = chunk.rsplit(" ", 1)[0] if " " in chunk[-20:] else chunk
    chunk = " ".join(chunk.split())
    return ("…" if lo > s else "") + chunk[: EVIDENCE_CHARS - 2] + ("…" if hi < e else "")


@lru_cache(maxsize=1)
def _default() -> Extractor:
    return Extractor()


def extract_report(path: str | Path, *, source: str | None = None, area: str | None = None,
                   period: pd.Period | str | None = None,
                   extractor: Extractor | None = None) -> tuple[pd.DataFrame, Heading]:
    """Rows and heading of a report file (``.txt``, ``.html``, ``.docx``).

    ``source`` defaults to the file name. Raises :class:`~kpi.errors.SourceError` for an
    unreadable file or a report whose area or period is unknown (pass ``area``/``period``).
    """
    path = Path(path)
    text = read_text(path)
    return (extractor or _default()).extract(text, source=source or path.name, area=area,
                                             period=period, prepared=True)


def extract_file(path: str | Path, *, source: str | None = None, area: str | None = None,
                 period: pd.Period | str | None = None) -> pd.DataFrame:
    """The observation rows of a report file (see :func:`extract_report`)."""
    return extract_report(path, source=source, area=area, period=period)[0]


def extract_text(text: str, *, source: str, area: str | None = None,
                 period: pd.Period | str | None = None) -> pd.DataFrame:
    """The observation rows of a report's text, conformed and validated.

    ``area`` (a slug) and ``period`` (``pd.Period`` or a label such as ``"2022Q1"``)
    override what the heading says; without them a heading that names no area or period
    raises :class:`~kpi.errors.SourceError`.
    """
    return _default().extract(text, source=source, area=area, period=period)[0]
