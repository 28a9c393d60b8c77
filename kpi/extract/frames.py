"""Whether a number is a result or a target, and which period a target is for.

A *target* is a figure committed or planned for a later period than the one the report
accounts for ("phấn đấu thu 6 tỷ đồng", "chỉ tiêu năm 2023: ...", "dự kiến quý II ...");
everything else is a *result* (achieved, estimated, or the current state, including a
plan already assigned for the current year). The decision reads the frame, not the
number's position, in this order:

1. **Cues in the number's sentence, before it; the nearest one wins.** Commitment cues
   (phấn đấu, đặt/đề ra mục tiêu, quyết tâm, cố gắng, sẽ, phải đạt, dự kiến, nâng … lên,
   hạ/giảm … xuống (còn), đến năm 2025, trở lên/ít nhất right after the number ...) and a
   period *after* the report's (năm 2023 in a 2022 report, quý II in a Q1 report, năm tới,
   nhiệm kỳ 2020–2025) make a target; result cues (đã, ước thực hiện, ước đạt, kết thúc
   năm, trong năm qua, vừa qua, đến nay, lũy kế, hiện có, a period before the report's)
   make a result. Weak words (đạt, được, hoàn thành) are not cues: "phấn đấu thu đạt 6 tỷ"
   is a target.
2. **The section** (:func:`target_sections`): a heading that opens a target list
   ("PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ II", "Các chỉ tiêu chủ yếu năm 2023", "Mục tiêu", "Kế
   hoạch năm 2023") makes its numbers targets unless a result cue says otherwise; it
   ends at the next heading of its rank or a results heading ("Kết quả ...").
3. Otherwise a result.

A target's period (:func:`target_span`): the period its own words name (nearest before
it in the sentence, after the last result cue), else its section's, else the period after
the report's (the next quarter for a quarterly report, the year's end for a 6- or 9-month
report, the next year for an annual one); a quarter becomes its year when the words speak
of the year's plan ("dự toán năm", "kế hoạch năm", "cả năm"). A term ("nhiệm kỳ
2020–2025", "giai đoạn 2021-2025", "đến năm 2025") is its last year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import pandas as pd

from kpi.core.periods import Span

_Y: Final = r"((?:19|20)[0-9]{2})"
_Q: Final = r"(iv|iii|ii|i|[1-4])"

#: Periods, each a named group ``p_*`` (future or past is decided by the caller).
_PERIOD_PART: Final = (
    r"(?P<p_term>(?:nhiệm\s+kỳ|giai\s+đoạn|thời\s+kỳ)\s+" + _Y + r"\s*[-–—]\s*" + _Y + r")"
    r"|(?P<p_by>(?:đến|tới)\s+(?:hết\s+|cuối\s+)?năm\s+" + _Y + r")"
    r"|(?P<p_quarter>(?:quý|quí)\s+" + _Q + r"(?!\w)(?:\s*(?:/|năm)\s*" + _Y + r")?)"
    r"|(?P<p_half>(?:(?:6|sáu)|những|các)\s+tháng\s+cuối\s+năm(?:\s+" + _Y + r")?)"
    r"|(?P<p_ytd>([0-9]{1,2}|sáu|chín)\s+tháng(?:\s+đầu)?\s+năm\s+" + _Y + r")"
    r"|(?P<p_year>năm\s+" + _Y + r")"
    r"|(?P<p_next_year>năm\s+(?:tới|sau|kế\s+tiếp))"
    r"|(?P<p_next_quarter>(?:quý|quí)\s+(?:tới|sau|kế\s+tiếp)|thời\s+gian\s+tới)"
)
#: Cues, searched on lower-case text. Each alternative is a named group: ``c_*``
#: commitment (``c_list``: a noun opening a list of targets), ``r_*`` result, ``p_*`` a
#: period.
_CUES: Final = re.compile(
    r"(?<!\w)(?:"
    r"(?P<c_verb>phấn\s+đấu|đặt(?:\s+ra)?\s+(?:mục\s+tiêu|chỉ\s+tiêu)|giao\s+chỉ\s+tiêu"
    r"|đề\s+ra(?:\s+mục\s+tiêu|\s+chỉ\s+tiêu)?"
    r"|(?:đã\s+)?(?:thống\s+nhất|thông\s+qua|quyết\s+nghị|biểu\s+quyết)(?!\s+[0-9])"
    r"(?=[^.;]{0,120}?"
    r"(?:chỉ\s+tiêu|mục\s+tiêu|nhiệm\s+vụ|kế\s+hoạch))"
    r"|(?<!chương\strình\s)mục\s+tiêu(?!\s+(?:đề\s+ra|đã|quốc\s+gia))|quyết\s+tâm|cố\s+gắng|sẽ|phải\s+đạt"
    r"|dự\s+kiến|kế\s+hoạch\s+(?:năm|quý)\s+tới|định\s+hướng|chỉ\s+tiêu\s+(?:năm|quý)\s+tới"
    r"|nâng(?:\s+cao)?(?=[^.;]{0,80}?\slên(?:\s|$))|cần\s+đạt"
    r"|tối\s+thiểu|không\s+(?:dưới|thấp\s+hơn)"
    r"|(?:giảm|hạ)(?=[^.;]{0,80}?\sxuống\s+(?:còn\s+)?(?:dưới|mức\s+dưới)(?:\s|$)))"
    r"|(?P<r_verb>đã|(?:đạt|hoàn\s+thành)\s+và\s+vượt(?!\s*(?:mức\s+)?[0-9])"
    r"|vượt\s+(?:so\s+với\s+)?(?:kế\s+hoạch|kh|chỉ\s+tiêu|dự\s+toán|nghị\s+quyết)"
    r"|ước\s+thực\s+hiện|ước\s+đạt|ước\s+tính|ước\s+cả\s+năm|ước(?=\s+[0-9])"
    r"|kết\s+thúc\s+năm|trong\s+năm\s+qua|năm\s+qua|vừa\s+qua|đến\s+nay|tới\s+nay|hiện\s+nay"
    r"|hiện\s+có|hiện\s+còn|lũy\s+kế|luỹ\s+kế|từ\s+đầu\s+năm|kết\s+quả|thực\s+hiện\s+được"
    r"|so\s+với\s+cùng\s+kỳ|cùng\s+kỳ)"
    r"|(?P<c_list>(?<!chương\strình\s)(?:chỉ\s+tiêu|mục\s+tiêu(?!\s+quốc\s+gia)|nhiệm\s+vụ"
    r"|phương\s+hướng|kế\s+hoạch)(?!\w)"
    r"[^.;:]{0,100}?(?::|(?<!\w)(?:gồm|như\s+sau|như|cụ\s+thể(?:\s+là)?)(?!\w)))"
    r"|" + _PERIOD_PART + r")(?!\w)"
)
_PERIODS: Final = re.compile(r"(?<!\w)(?:" + _PERIOD_PART + r")(?!\w)")
#: Right after a number: a floor or ceiling, the language of targets.
_AFTER_TARGET: Final = re.compile(r"\s*(?:trở\s+lên|trở\s+xuống|ít\s+nhất)(?!\w)")
#: The year's plan named in the words before a number.
_YEAR_PLAN: Final = re.compile(
    r"(?<!\w)(?:(?:dự\s+toán|kế\s+hoạch|chỉ\s+tiêu|nhiệm\s+vụ)(?:\s+\S+){0,3}?\s+năm"
    r"|cả\s+năm|hết\s+năm|cuối\s+năm)(?!\w)")

#: Before a commitment or a list of targets: the words of an account ("đạt và vượt 12/12
#: chỉ tiêu", "được nâng lên", "so với mục tiêu").
_ACHIEVED_BEFORE: Final = re.compile(
    r"(?<!\w)(?:đạt|vượt|hoàn\s+thành|thực\s+hiện\s+được|đã(?!\s+(?:thống\s+nhất|thông\s+qua"
    r"|quyết\s+nghị|biểu\s+quyết|đề\s+ra|giao))|được|so\s+với)(?:\s+[^\s.;]+){0,3}\s*$")
#: A comparison with an estimate: the figure is for the period after the one estimated.
_VS_ESTIMATE: Final = re.compile(r"(?<!\w)so(?:\s+với)?\s+(?:số\s+)?ước(?:\s+thực\s+hiện|\s+tính)?"
                                 r"(?:\s+cả)?\s+năm(?!\w)")
#: A sentence that opens with a list noun.
_LIST_START: Final = re.compile(
    r"\s*(?:[-+*•]\s*)?(?:một\s+số\s+|các\s+|những\s+)?(?:chỉ\s+tiêu|mục\s+tiêu|nhiệm\s+vụ"
    r"|phương\s+hướng)(?!\w)")
#: Before a list opener: the list is an account.
_RESULT_LIST: Final = re.compile(r"(?<!\w)(?:kết\s+quả|đánh\s+giá|tình\s+hình)(?!\w)")
#: Inside a list opener: a list of what was achieved ("các chỉ tiêu đạt và vượt như:").
_ACHIEVED_IN: Final = re.compile(r"(?<!\w)(?:đạt|vượt|hoàn\s+thành|đã|kết\s+quả)(?!\w)")
#: After a commitment word: used as a noun ("sự quyết tâm của", "mục tiêu của Nghị quyết").
_NOUN_AFTER: Final = re.compile(r"\s+(?:của|cao|chính\s+trị|đã)(?!\w)")

#: Before a term: it names a body or a document, it frames nothing.
_NAMING_BEFORE: Final = re.compile(
    r"(?:khóa|khoá|kỳ\s+họp|đại\s+hội|nghị\s+quyết|hđnd|ubnd|ban\s+chấp\s+hành|bch)[^.;]*$")

_ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@lru_cache(maxsize=1024)
def _quarter(year: int, q: int) -> pd.Period:
    return pd.Period(year=year, quarter=q, freq="Q-DEC")


def _year_span(year: int) -> Span:
    return Span("year", _quarter(year, 4), None, 12)


@dataclass(frozen=True, slots=True)
class Frame:
    """The reading of a number's frame: ``role`` and, for a target, the span named in
    its own words (``None``: take the section's or the default)."""

    role: str
    span: Span | None = None


def _period_span(m: re.Match[str], report: pd.Period) -> Span | None:
    kind = m.lastgroup
    g = [x for x in m.groups() if x is not None]
    if kind == "p_term" or kind == "p_by":
        return _year_span(int(g[-1]))
    if kind == "p_ytd":  # "6 tháng đầu năm 2022": an account of that year so far
        n = {"sáu": 6, "chín": 9}.get(g[1]) or int(g[1])
        return Span("ytd", _quarter(int(g[-1]), max(1, min(4, (n + 2) // 3))), None, n)
    if kind == "p_year":
        return _year_span(int(g[-1]))
    if kind == "p_next_year":
        return _year_span(report.year + 1)
    if kind == "p_next_quarter":
        nxt = report + 1
        return Span("quarter", nxt, None, 3)
    if kind == "p_half":
        year = int(g[-1]) if len(g) > 1 else report.year
        return _year_span(year)
    if kind == "p_quarter":
        q = _ROMAN.get(g[1]) or int(g[1])
        # "quý II" without a year: the report's year (an earlier quarter is an account)
        year = int(g[2]) if len(g) > 2 else report.year
        return Span("quarter", _quarter(year, q), None, 3)
    return None


def _compare(span: Span, report: pd.Period, report_span: str) -> int:
    """-1: the span ended before the report's period, 0: it is (or holds) the report's
    period, 1: it lies after it."""
    if span.span == "year":
        # the report's own year is no evidence either way ("6 tháng đầu năm 2022", "dự
        # toán năm 2022" in a Q2 report): only another year is
        return (span.period.year > report.year) - (span.period.year < report.year)
    if span.period < report:
        return -1
    return 1 if span.period > report else 0


def cues_of(low: str, s: int, e: int) -> list[re.Match[str]]:
    """The cues of the sentence ``low[s:e]``, once for all its numbers."""
    return list(_CUES.finditer(low, s, e))


def read_frame(low: str, s: int, start: int, end: int, report: pd.Period,
               report_span: str, in_section: bool, after_target: bool = False,
               cues: list[re.Match[str]] | None = None) -> Frame:
    """The frame of the number at ``low[start:end]`` in the sentence starting at ``s``.

    ``low`` is the lower-cased text; ``in_section``: the number is in a target section;
    ``after_target``: the sentence before ended on a commitment ("... đề ra 23 chỉ tiêu.
    Trong đó có một số chỉ tiêu quan trọng như: ...").
    ``cues``: :func:`cues_of` the sentence, when the caller has them.
    """
    role = ""
    span: Span | None = None
    own_year: Span | None = None
    found_cues = (_CUES.finditer(low, s, start) if cues is None
                  else (m for m in cues if m.end() <= start))
    for m in found_cues:
        kind = m.lastgroup or ""
        if kind in ("c_verb", "c_list"):
            if kind == "c_verb" and _NOUN_AFTER.match(low, m.end()):
                continue
            before = _ACHIEVED_BEFORE.search(low, max(s, m.start() - 30), m.start())
            if (before and (kind == "c_list" or before.group().split()[0] in ("đã", "được", "so"))
                    ) or (kind == "c_list" and _ACHIEVED_IN.search(m.group())):
                role, span = "result", None  # "đạt 12/12 chỉ tiêu, cụ thể:", "được nâng lên"
            elif kind == "c_list" and _RESULT_LIST.search(low, max(s, m.start() - 80),
                                                          m.start()):
                role, span = "result", None  # "kết quả thực hiện các chỉ tiêu như sau:"
            elif (kind == "c_list" and m.group().startswith("chỉ") and not after_target
                  and role != "target" and not _names_later(low, s, m.end(), report,
                                                            report_span)):
                continue  # "2. Các chỉ tiêu văn hóa - xã hội:" in an account: no frame
            else:
                role = "target"
                if kind == "c_list":  # "Các chỉ tiêu chủ yếu năm 2023 gồm:": its period
                    named = _later_period(low, m.start(), m.end(), report, report_span)
                    if named is not None and _compare(named, report, report_span) > 0:
                        span = named
        elif kind == "r_verb":
            role, span = "result", None
        else:
            found = _period_span(m, report)
            if found is None:
                continue
            if low[max(s, m.start() - 12) : m.start()].rstrip().endswith(
                    ("so với", "với", "so sánh", "giá", "từ")):
                continue  # "so với năm 2021": a comparison, not a frame
            if kind == "p_term" and _NAMING_BEFORE.search(low, max(s, m.start() - 60), m.start()):
                continue  # "HĐND xã khóa XII, nhiệm kỳ 2021-2026": a name, not a frame
            where = _compare(found, report, report_span)
            if where > 0:
                role, span = "target", found
            elif where < 0:
                role, span = "result", None
            elif found.span == "year":
                own_year = found  # "(năm 2022) phấn đấu ... (năm 2022)" in a Q2 report
    if _AFTER_TARGET.match(low, end):
        role = "target"
    if not role:
        role = "target" if in_section else "result"
    return Frame(role, (span or own_year) if role == "target" else None)


def _names_later(low: str, s: int, e: int, report: pd.Period, report_span: str) -> bool:
    """Whether ``low[s:e]`` names a period that is not past (the report's own or later)."""
    return _later_period(low, s, e, report, report_span) is not None


def _later_period(low: str, s: int, e: int, report: pd.Period, report_span: str
                  ) -> Span | None:
    """The last period named in ``low[s:e]`` that is not past, if any."""
    out = None
    for m in _PERIODS.finditer(low, s, e):
        found = _period_span(m, report)
        if found is not None and _compare(found, report, report_span) >= 0:
            out = found
    return out


def sentence_mode(low: str, s: int, e: int, report: pd.Period, report_span: str,
                  mode: Frame | None, after_target: bool = False,
                  cues: list[re.Match[str]] | None = None) -> tuple[Frame | None, str]:
    """The mode after a sentence: a target list opened by it ("Các mục tiêu, nhiệm vụ cụ
    thể gồm: ...", "CÁC CHỈ TIÊU CHỦ YẾU TRONG NHIỆM KỲ 2020-2025") carries on to the
    next sentences as a target section would; an account (a result cue, a list of results)
    ends it. ``mode``: the mode before the sentence. Returns the mode after it and the
    role its last words read as."""
    # a list noun opening the sentence with a period that is not past ("Một số chỉ tiêu
    # chủ yếu (nhiệm kỳ 2020 - 2025) Tốc độ ...", "Các chỉ tiêu kinh tế - xã hội năm 2018"):
    # a heading run into the text; a comparison with an estimate of a period ("so với ước
    # thực hiện năm 2017"): written before that period closed, about the one after it
    opened = bool(_VS_ESTIMATE.search(low, s, e)) or (
        _LIST_START.match(low, s) is not None and _names_later(low, s, e, report, report_span))
    cues = cues_of(low, s, e) if cues is None else cues
    last = read_frame(low, s, e, e, report, report_span, opened or mode is not None,
                      after_target, cues)
    for m in cues:
        if (m.lastgroup == "c_list" and last.role == "target") or (
                m.lastgroup == "p_term" and e - s < 100  # a heading run into the text
                and not _NAMING_BEFORE.search(low, max(s, m.start() - 60), m.start())):
            opened = True
        elif (m.lastgroup in ("p_by", "p_term", "p_year", "p_next_year")
              and low.startswith(":", m.end())):
            opened = True  # "Đến năm 2025: 100% các trường ..."
        elif m.lastgroup == "r_verb":
            opened = False
    if last.role == "result":
        return None, last.role
    return (last if opened else mode), last.role


def vs_estimate(low: str, s: int, e: int) -> bool:
    """Whether the sentence compares with an estimate of a year ("so với ước thực hiện năm
    2017"): its figures are planned for the year after, read as in a target list."""
    return _VS_ESTIMATE.search(low, s, e) is not None


def default_target_span(report: pd.Period, report_span: str) -> Span:
    """The period after the report's: the next year for an annual (or fourth-quarter
    year-to-date) report, the year's end for a 6- or 9-month one, else the next quarter."""
    if report_span == "year" or (report_span == "ytd" and report.quarter == 4):
        return _year_span(report.year + 1)
    if report_span == "ytd":
        return _year_span(report.year)
    nxt = report + 1
    return Span("quarter", nxt, None, 3)


def target_span(own: Span | None, section: Span | None, report: pd.Period, report_span: str,
                words: str) -> Span:
    """The span a target is for (see the module docstring); ``words``: the number's own
    segments, lower case."""
    span = own or section or default_target_span(report, report_span)
    if span.span != "year" and _YEAR_PLAN.search(words):
        return _year_span(span.period.year)
    return span


# --- sections ------------------------------------------------------------------------
_ENUM: Final = r"(?:[A-ZĐ]|[IVX]{1,4}|[0-9]{1,2}(?:\.[0-9]{1,2})*|[a-zđ])\s*[.)/]"
_HEADING_ENUM: Final = re.compile(rf"^\s*(?P<enum>{_ENUM})\s*")
_TARGET_HEADING: Final = re.compile(
    r"^(?:về\s+|một\s+số\s+|các\s+|những\s+)?(?:"
    r"phương\s+hướng|nhiệm\s+vụ(?!\s+đã)|mục\s+tiêu|(?:các\s+|một\s+số\s+)?chỉ\s+tiêu\s+chủ\s+yếu"
    r"|chỉ\s+tiêu|kế\s+hoạch\s+(?:năm|quý|\d)|định\s+hướng|giải\s+pháp|dự\s+kiến"
    r"|chương\s+trình\s+công\s+tác)", re.IGNORECASE)
#: A heading that only names indicators: a target list only with a later period.
_BARE_HEADING: Final = re.compile(
    r"^(?:về\s+|một\s+số\s+|các\s+|những\s+)?chỉ\s+tiêu(?!\s+(?:phấn\s+đấu|kế\s+hoạch))",
    re.IGNORECASE)
_RESULT_HEADING: Final = re.compile(
    r"kết\s+quả|tình\s+hình|đánh\s+giá|đã\s+(?:thực\s+hiện|đạt)|thực\s+hiện\s+nhiệm\s+vụ"
    r"|khó\s+khăn|hạn\s+chế|tồn\s+tại|nguyên\s+nhân|bài\s+học|kiến\s+nghị|đề\s+xuất"
    r"|trên\s+đây", re.IGNORECASE)
_NOT_HEADING: Final = re.compile(r"[0-9](?:[.,][0-9]{3})*(?:[,.][0-9]+)?\s*(?:%|tỷ|triệu|đồng|ha|hộ"
                                 r"|người|tấn|con|km)", re.IGNORECASE)


def _style(enum: str) -> str:
    e = enum.rstrip(".)/ ").strip()
    if re.fullmatch(r"[IVX]{1,4}", e):
        return "roman"
    if re.fullmatch(r"[A-ZĐ]", e):
        return "letter"
    if re.fullmatch(r"[a-zđ]", e):
        return "small"
    return "number" + str(e.count("."))


def _heading(line: str) -> tuple[str, str] | None:
    """``(style, words)`` of a heading line, or None: short, no figures, enumerated or in
    capitals or ending with ":"."""
    stripped = line.strip()
    if not stripped or len(stripped) > 160 or _NOT_HEADING.search(stripped):
        return None
    m = _HEADING_ENUM.match(stripped)
    words = stripped[m.end():] if m else stripped
    words = words.lstrip("-+*•– ").strip()
    if not words:
        return None
    if m:
        return _style(m["enum"]), words
    letters = [c for c in words if c.isalpha()]
    if letters and words.upper() == words and len(letters) > 4:
        return "caps", words
    if words.endswith(":") and len(words) < 100:
        return "colon", words
    return None


def heading_lines(lines: list[str]) -> list[int]:
    """Indices of the heading lines that do not open a target list (they end one)."""
    out = []
    for i, line in enumerate(lines):
        if len(line) > 160:
            continue
        head = _heading(line)
        if head is not None and not _TARGET_HEADING.match(head[1]):
            out.append(i)
    return out


def target_sections(lines: list[str], report: pd.Period, report_span: str
                    ) -> list[tuple[int, int, Span | None]]:
    """``(first line, end line (exclusive), span named in the heading or None)`` of every
    part that lists targets: from a target heading to the next heading of the same style
    (or a results heading of any style)."""
    out: list[tuple[int, int, Span | None]] = []
    i = 0
    n = len(lines)
    while i < n:
        head = _heading(lines[i])
        if head is None or not _TARGET_HEADING.match(head[1]) or _RESULT_HEADING.search(head[1]):
            i += 1
            continue
        bare = _BARE_HEADING.match(head[1]) is not None
        style, words = head
        low = words.lower()
        span: Span | None = None
        past = False
        for m in _CUES.finditer(low):
            if m.lastgroup and m.lastgroup.startswith("p_"):
                found = _period_span(m, report)
                if found is not None:
                    where = _compare(found, report, report_span)
                    if where >= 0 or span is None:
                        span, past = found, where < 0
        if past or (bare and (span is None or _compare(span, report, report_span) <= 0)):
            # "Nhiệm vụ năm 2021" in a 2022 report, "1. Các chỉ tiêu kinh tế" under a
            # results part: an account, not a plan
            i += 1
            continue
        if span is not None and _compare(span, report, report_span) == 0:
            span = None if report_span == "year" else span
        j = i + 1
        while j < n:
            other = _heading(lines[j])
            if other is not None and (_RESULT_HEADING.search(other[1]) or (
                    other[0] == style and style != "colon"
                    and not _TARGET_HEADING.match(other[1]))):
                break
            if other is not None and style in ("roman", "letter") and other[0] in (
                    "roman", "letter") and other[0] != style and _order(other[0]) < _order(style):
                break
            j += 1
        out.append((i, j, span))
        i = j
    return out


def _order(style: str) -> int:
    return {"letter": 0, "roman": 1}.get(style, 2)
