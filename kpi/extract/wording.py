"""What the words around a number say about it: measure, qualifier and span.

All functions take plain strings (the text before or after a number, already cut to the
number's own clause by the caller) and are case-insensitive.

Measure of a percentage (:func:`percent_measure`):

=====================================  ========================  ===================
words                                   measure                   value
=====================================  ========================  ===================
chiếm (tỷ lệ) X%                        share_pct                 X
X% (so với) KH / kế hoạch / dự toán     pct_of_plan               X
X% xã / huyện / tỉnh giao               pct_of_plan               X
tăng / vượt X% so với KH                pct_over_plan             +X
vượt kế hoạch / dự toán X%              pct_over_plan             +X
giảm X% so với KH                       pct_over_plan             −X
so với cùng kỳ ... bằng / đạt X%        pct_of_prior_year         X
tăng X% (so với cùng kỳ) / tăng X%      pct_change_yoy            +X
giảm X% (so với cùng kỳ) / giảm X%      pct_change_yoy            −X
bằng / đạt X% so với cùng kỳ            pct_of_prior_year         X
tăng / giảm X% so với quý trước         pct_change_qoq            ±X
tăng / giảm X% so với tháng trước       pct_change_qoq            ±X
kế hoạch ... đạt X%                     pct_of_plan               X
anything else (tỷ lệ ... đạt X%)        value (a rate)            X
tỷ lệ tăng dân số (tự nhiên) X%         value (a rate)            X
X% so với đầu năm; bằng X% tháng trước  ``other``: no contract measure (caller: unclassified)
=====================================  ========================  ===================

A bare "tăng X%" is read as year-on-year: Vietnamese reports compare with the same
period of the year before ("cùng kỳ") unless they say otherwise.

Qualifier (:func:`qualifier`): ``estimate`` (ước, ước đạt, ước tính, ước thực hiện, dự
kiến) anywhere in the number's own clause before it; ``more_than`` (hơn, trên, vượt,
ngoài), ``less_than`` (dưới, chưa đến) and ``approx`` (gần, khoảng, xấp xỉ, trên dưới)
right before it. When several apply, estimate wins ("ước đạt hơn 2.400 tỷ đồng" is an
estimate: the figure is provisional, and that is what an analysis must know first),
then a bound, then approx.

Span markers (:func:`span_markers`): "trong tháng 3" (month), "tính đến 23/3", "đến nay",
"hiện có", "toàn xã có" (to_date), "6 tháng đầu năm", "9 tháng", "lũy kế", "từ đầu năm"
(ytd), "quý II" (quarter), "cả năm", "trong năm 2021" (year). Markers inside a comparison
("so với cùng kỳ năm 2021") do not count.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from typing import Final

_I = re.IGNORECASE

# --- measures --------------------------------------------------------------------------
_PLAN_NOUN: Final = r"(?:kế\s+hoạch|kh|dự\s+toán|chỉ\s+tiêu|nhiệm\s+vụ\s+kế\s+hoạch|mục\s+tiêu)"
_PLAN_AFTER: Final = re.compile(
    rf"\s*(?:so\s+(?:với\s+)?|của\s+|trên\s+)?(?:{_PLAN_NOUN}|nghị\s+quyết"
    r"|(?:xã|phường|thị\s+trấn|huyện|quận|thị\s+xã|thành\s+phố|tỉnh|cấp\s+trên)\s+giao)(?!\w)",
    _I)
_YOY_AFTER: Final = re.compile(
    r"\s*(?:so\s+(?:với\s+)?)?(?:cùng\s+kỳ|cùng\s+kì|ck(?!\w)|năm\s+trước|năm\s+ngoái"
    r"|năm\s+(?P<y>(?:19|20)[0-9]{2}))", _I)
_QOQ_AFTER: Final = re.compile(
    r"\s*so\s+(?:với\s+)?(?:quý|quí)\s+(?:trước|liền\s+kề|liền\s+trước"
    r"|(?P<q>iv|iii|ii|i|[1-4])(?!\w))", _I)
#: The previous period of a month's account: a change against it is period-on-period.
_MOM_AFTER: Final = re.compile(
    r"\s*so\s+(?:với\s+)?tháng\s+(?:trước|liền\s+kề|liền\s+trước)(?!\w)", _I)
_OTHER_AFTER: Final = re.compile(
    r"\s*so\s+(?:với\s+)?(?:đầu\s+năm|cuối\s+năm|tháng\s+trước|tháng\s+liền\s+kề|cùng\s+thời"
    r"|năm\s+học|bình\s+quân|trung\s+bình|toàn\s+(?:huyện|tỉnh|quốc))", _I)
_FILL: Final = r"(?:\s+(?:thêm|trưởng|mạnh|nhẹ|được|khoảng|gần|hơn|trên|là|đạt|bình\s+quân))*"
_CHANGE_BEFORE: Final = re.compile(rf"(?<!\w)(?P<dir>tăng|giảm){_FILL}\s*:?\s*$", _I)
_EXCEED_BEFORE: Final = re.compile(rf"(?<!\w)vượt{_FILL}\s*:?\s*$", _I)
_SHARE_BEFORE: Final = re.compile(
    r"(?<!\w)chiếm(?:\s+(?:tỷ|tỉ)\s+(?:lệ|trọng))?(?:\s+(?:khoảng|gần|hơn|trên))?\s*:?\s*$", _I)
_PLAN_THEN_REACH: Final = re.compile(
    rf"(?<!\w){_PLAN_NOUN}(?:\s+\S+){{0,3}}?\s+(?:đạt|bằng)(?:\s+(?:khoảng|gần|hơn|trên))?\s*$",
    _I)
_RATE_WORD: Final = re.compile(r"(?<!\w)(?:tỷ|tỉ)\s+lệ(?!\w)", _I)
#: A rate or share named before a change: its change is in points ("change").
_RATE_CONTEXT: Final = re.compile(
    r"(?<!\w)(?:(?:tỷ|tỉ)\s+(?:lệ|trọng)(?!\s+tăng)|cơ\s+cấu|chiếm)(?!\w)", _I)
#: A growth rate named before the figure: "tốc độ tăng trưởng đạt 8,5%", "tăng trưởng
#: kinh tế ước đạt 3,98%", "tỷ lệ tăng thu ngân sách bình quân hàng năm: 12%".
_GROWTH_BEFORE: Final = re.compile(
    r"(?<!\w)(?:tăng\s+trưởng|tốc\s+độ\s+tăng|(?:tỷ|tỉ)\s+lệ\s+tăng(?!\s+dân\s+số)"
    r"|tăng\s+bình\s+quân)"
    r"[^;:%]{0,70}?(?:(?<!\w)(?:đạt|là|khoảng|trên|dưới|hơn|từ|bình\s+quân)\s*:?|:)?\s*$",
    _I)
#: "vượt kế hoạch 12%", "vượt dự toán huyện giao 12%": the excess over the plan.
_EXCEED_PLAN_BEFORE: Final = re.compile(
    rf"(?<!\w)vượt\s+(?:so\s+với\s+)?{_PLAN_NOUN}(?:\s+[^\W\d_]+){{0,4}}?\s*:?\s*$", _I)
#: "so với cùng kỳ năm trước bằng 106%": the comparison before the figure.
_YOY_THEN_REACH: Final = re.compile(
    r"(?<!\w)so\s+(?:với\s+)?(?:cùng\s+kỳ|cùng\s+kì|năm\s+trước)(?:\s+[^\W\d_]+){0,3}?"
    r"\s+(?:bằng|đạt)\s*:?\s*$", _I)

#: Plan words before an amount ("kế hoạch giao 5 tỷ", "dự toán năm 2022: 8 tỷ").
_PLAN_NOUN_RE: Final = re.compile(rf"(?<!\w){_PLAN_NOUN}(?!\w)", _I)
#: A percentage that is the plan itself: "(KH tăng 10 - 11%)", "kế hoạch đề ra 8,5%".
_PLAN_PCT_BEFORE: Final = re.compile(
    rf"(?<!\w){_PLAN_NOUN}(?:\s+(?:giao|đề\s+ra|đặt\s+ra|là|năm|[0-9]{{4}}))*\s*:?"
    r"(?:\s*(?:tăng|giảm))?(?:\s*(?:từ|khoảng|trên|dưới))?\s*$", _I)
#: An assigned quota: "chỉ tiêu giao trồng mới 500 cây", "chỉ tiêu huyện giao".
_ASSIGNED_BEFORE: Final = re.compile(r"(?<!\w)chỉ\s+tiêu(?:\s+[^\W\d_]+){0,2}\s+giao(?!\w)", _I)
_PLAN_FILL_WORDS: Final = frozenset((
    "giao", "năm", "cả", "huyện", "tỉnh", "xã", "thị", "phường", "thành", "phố", "cấp", "trên",
    "hđnd", "ubnd", "được", "đã", "đề", "ra", "là", "của", "thu", "chi", "ngân", "sách", "nhà",
    "nước", "vốn", "trung", "ương", "mới", "điều", "chỉnh", "bổ", "sung", "với", "tổng",
))  # fmt: skip
_CHANGE_AMOUNT_BEFORE: Final = re.compile(
    rf"(?<!\w)(?<!gia\s)(?:(?:tăng|giảm){_FILL}|(?:có|được)?\s*thêm(?:\s+(?:là|được))?)\s*:?\s*$",
    _I)


@dataclass(frozen=True, slots=True)
class PercentReading:
    """How a percentage reads: ``measure`` (a contract measure, or ``other``) and its
    value from the written number ``x``."""

    measure: str
    value: float
    base: str  # the comparison phrase for subjects: "so với cùng kỳ", "" ...


def percent_measure(before: str, after: str, x: float, quarter: int | None = None
                    ) -> PercentReading:
    """The measure of a percentage ``x`` written between ``before`` and ``after``."""
    before = before[-80:]
    change = _CHANGE_BEFORE.search(before)
    sign = -1.0 if change and change["dir"].lower() == "giảm" else 1.0
    if _SHARE_BEFORE.search(before):
        return PercentReading("share_pct", x, "")
    if _PLAN_PCT_BEFORE.search(before):
        return PercentReading("plan", x, "")
    if change and _RATE_CONTEXT.search(before):
        # "tỷ lệ hộ nghèo còn 3,2%, giảm 0,5%": a rate moves by points, an absolute change
        return PercentReading("change", sign * x, "")
    if m := _PLAN_AFTER.match(after):
        if change or _EXCEED_BEFORE.search(before):
            return PercentReading("pct_over_plan", sign * x, m.group().strip())
        return PercentReading("pct_of_plan", x, m.group().strip())
    if _EXCEED_PLAN_BEFORE.search(before):
        return PercentReading("pct_over_plan", x, "")
    if m := _QOQ_AFTER.match(after):
        same_quarter = m["q"] is not None and quarter is not None and _roman(m["q"]) == quarter
        measure = "pct_change_yoy" if same_quarter else "pct_change_qoq"
        if change:
            return PercentReading(measure, sign * x, m.group().strip())
        if same_quarter:
            return PercentReading("pct_of_prior_year", x, m.group().strip())
        return PercentReading("other", x, m.group().strip())
    if change and (m := _MOM_AFTER.match(after)):
        return PercentReading("pct_change_qoq", sign * x, m.group().strip())
    if _OTHER_AFTER.match(after):
        return PercentReading("other", x, _OTHER_AFTER.match(after).group().strip())  # type: ignore[union-attr]
    if m := _YOY_AFTER.match(after):
        if change:
            return PercentReading("pct_change_yoy", sign * x, m.group().strip())
        return PercentReading("pct_of_prior_year", x, m.group().strip())
    if change:
        return PercentReading("pct_change_yoy", sign * x, "")
    if _GROWTH_BEFORE.search(before):
        return PercentReading("pct_change_yoy", x, "")
    if _YOY_THEN_REACH.search(before):
        return PercentReading("pct_of_prior_year", x, "so với cùng kỳ")
    if _PLAN_THEN_REACH.search(before) and not _RATE_WORD.search(before):
        return PercentReading("pct_of_plan", x, "")
    return PercentReading("value", x, "")


def _roman(q: str) -> int:
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(q.lower()) or int(q)


def is_plan_amount(before: str) -> bool:
    """Whether an amount or count is the plan itself: a plan noun, then only filler words
    (giao, năm 2022, huyện, là, ":" ...) before the number. A commitment ("phấn đấu thu 12
    tỷ đồng") is a target's value, not a plan: its role says so (:mod:`kpi.extract.frames`)."""
    if _ASSIGNED_BEFORE.search(before[-60:]):
        return True
    tail = before[-60:]
    nouns = list(_PLAN_NOUN_RE.finditer(tail))
    if not nouns:
        return False
    # the nearest plan noun: "bằng 113% dự toán (KH giao 66,5 tỷ đồng)" is KH's amount
    fill = tail[nouns[-1].end():]
    if re.search(r"[.;]", fill):
        return False
    words = re.findall(r"[^\W_]+", fill)
    return all(w.lower() in _PLAN_FILL_WORDS or (w.isdigit() and len(w) == 4) for w in words)


def is_change_amount(before: str) -> bool:
    """Whether a non-percent number is a change ("tăng 3 tỷ đồng"), not a level."""
    return bool(_CHANGE_AMOUNT_BEFORE.search(before[-60:]))


# --- qualifiers ------------------------------------------------------------------------
_ESTIMATE: Final = re.compile(
    r"(?<!\w)(?:ước(?!\s+(?:mơ|nguyện|vọng|muốn|ao)(?!\w))|dự\s+kiến|dự\s+ước)(?!\w)", _I)
_NOT_ESTIMATE_BEFORE: Final = re.compile(
    r"(?<!\w)(?:hương|quy|công|hiệp|giao|điều|mong|cam|khế|thề|nguyện)\s*$", _I)
_LEAD: Final = r"(?:\s+(?:đạt|được|là|bằng|có|thu|thu\s+được|đạt\s+được|với))?"
_APPROX_BEFORE: Final = re.compile(
    rf"(?<!\w)(?:gần|khoảng|xấp\s+xỉ|trên\s+dưới|chừng|ước\s+khoảng){_LEAD}\s*:?\s*$", _I)
_BOTH_WAYS_BEFORE: Final = re.compile(rf"(?<!\w)trên\s+dưới{_LEAD}\s*:?\s*$", _I)
_MORE_BEFORE: Final = re.compile(
    rf"(?<!\w)(?:hơn|trên|vượt|ngoài|vượt\s+trên|cao\s+hơn|nhiều\s+hơn){_LEAD}"
    r"\s*:?\s*$", _I)
_LESS_BEFORE: Final = re.compile(
    rf"(?<!\w)(?:dưới|chưa\s+(?:đến|tới|đầy|được)|không\s+quá|ít\s+hơn|thấp\s+hơn){_LEAD}"
    r"\s*:?\s*$", _I)


def is_estimate(before: str) -> bool:
    """Whether the clause before a number calls it an estimate (ước ..., dự kiến)."""
    return any(not _NOT_ESTIMATE_BEFORE.search(before[: m.start()])
               for m in _ESTIMATE.finditer(before))


def qualifier(before: str) -> str:
    """``estimate``, ``more_than``, ``less_than``, ``approx`` or ``exact`` (see the module
    docstring for the precedence)."""
    if is_estimate(before):
        return "estimate"
    tail = before[-40:]
    if _BOTH_WAYS_BEFORE.search(tail):
        return "approx"
    if _MORE_BEFORE.search(tail):
        return "more_than"
    if _LESS_BEFORE.search(tail):
        return "less_than"
    if _APPROX_BEFORE.search(tail):
        return "approx"
    return "exact"


# --- span markers ----------------------------------------------------------------------
# These run on lower-case text without IGNORECASE: much faster, and markers are scanned
# for every sentence that holds a number.
_COMPARISON: Final = re.compile(r"(?<!\w)so\s+(?:với\s+)?[^,;.]*")
_DATE_WORDS: Final = re.compile(
    r"(?<!đến\s)(?<!tới\s)(?<!hết\s)ngày\s*[0-9]{1,2}\s*tháng\s*[0-9]{1,2}")
_YEAR: Final = r"(?:19|20)[0-9]{2}"
_ANCHOR: Final = re.compile(
    r"tính|đến|tới|lũy|luỹ|từ|hiện|toàn|sáu|chín|tháng|quý|quí|cả|trong|suốt|[0-9]")
_MARKERS: Final = re.compile(
    rf"""(?P<todate>(?:tính\s+)?(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+)?
            (?P<td>[0-9]{{1,2}})\s*(?:/|tháng)\s*(?P<tm>[0-9]{{1,2}})
            (?:\s*(?:/|năm)\s*(?P<ty>{_YEAR}))?)
      | (?P<ytdword>(?:lũy|luỹ)\s+kế(?:\s+từ\s+đầu\s+năm)?(?:\s+(?:đến|tới)\s+(?:nay|hiện\s+nay))?
            |từ\s+đầu\s+năm(?:\s+(?:đến|tới)\s+(?:nay|hiện\s+nay|nay))?)
      | (?P<now>(?:tính\s+)?(?:đến|tới)\s+(?:nay|hiện\s+nay|hiện\s+tại
            |thời\s+điểm\s+(?:này|hiện\s+tại|báo\s+cáo))
            |(?<!thực\s)hiện\s+(?:có|còn|nay|đang\s+có)
            |toàn\s+(?:thị\s+trấn|thị\s+xã|thị|xã|phường|huyện|tỉnh|thành\s+phố|đảng\s+bộ)
              \s+(?:hiện\s+)?(?:có|còn))
      | (?P<range>từ\s+tháng\s+(?P<r1>[0-9]{{1,2}})\s+(?:đến|tới|-)\s+(?:hết\s+)?tháng\s+
            (?P<r2>[0-9]{{1,2}}))
      | (?P<ytd>(?P<n>[0-9]{{1,2}}|sáu|chín)\s+tháng(?!\s+cuối)(?:\s+đầu\s+năm)?
            (?:\s+(?:năm\s+)?(?P<ny>{_YEAR}))?)
      | (?P<month>tháng\s+(?P<m>[0-9]{{1,2}})(?![0-9])(?:\s*(?:/|năm)\s*(?P<my>{_YEAR}))?)
      | (?P<quarter>(?:quý|quí)\s+(?P<q>iv|iii|ii|i|[1-4])(?!\w)
            (?:\s*(?:/|năm)\s*(?P<qy>{_YEAR}))?)
      | (?P<year>(?:cả|trong|suốt)\s+năm(?:\s+(?P<y>{_YEAR}))?(?![0-9]))
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Marker:
    """A span marker: ``kind`` (month, to_date, ytd, quarter, year), the phrase, where it
    starts, and the numbers it states (``None`` when not said)."""

    kind: str
    text: str
    start: int
    month: int | None = None
    months: int | None = None
    quarter: int | None = None
    year: int | None = None
    day: int | None = None


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def _marker(m: re.Match[str]) -> Marker | None:
    kind = m.lastgroup
    phrase, start = m.group().strip(), m.start()
    if kind == "todate":
        return Marker("to_date", phrase, start, month=_int(m["tm"]), year=_int(m["ty"]),
                      day=_int(m["td"]))
    if kind == "now":
        return Marker("to_date", phrase, start)
    if kind == "ytdword":
        return Marker("ytd", phrase, start)
    if kind == "range":
        first, last = int(m["r1"]), int(m["r2"])
        if first == 1:
            return Marker("ytd", phrase, start, months=last)
        if last - first == 2 and first % 3 == 1:
            return Marker("quarter", phrase, start, quarter=(first + 2) // 3)
        return None
    if kind == "ytd":
        n = {"sáu": 6, "chín": 9}.get(m["n"]) or int(m["n"])
        return Marker("ytd", phrase, start, months=n, year=_int(m["ny"])) if 1 <= n <= 12 else None
    if kind == "month":
        month = int(m["m"])
        return Marker("month", phrase, start, month=month, year=_int(m["my"])) if (
            1 <= month <= 12) else None
    if kind == "quarter":
        return Marker("quarter", phrase, start, quarter=_roman(m["q"]), year=_int(m["qy"]))
    return Marker("year", phrase, start, year=_int(m["y"]))


def span_markers(low: str, start: int = 0, end: int | None = None) -> list[Marker]:
    """Span markers in lower-case ``low[start:end]``, in order, outside comparisons ("so
    với cùng kỳ năm 2021") and dates ("ngày 22 tháng 3"). Positions index ``low``."""
    end = len(low) if end is None else end
    skip = sorted((m.start(), m.end()) for p in (_COMPARISON, _DATE_WORDS)
                  for m in p.finditer(low, start, end))
    # the furthest end among the skipped spans starting at or before each one: a position
    # is skipped when the spans starting before it reach past it (bisection, not a scan)
    reach = list(itertools.accumulate((e for _, e in skip), max))
    starts = [s for s, _ in skip]
    out: list[Marker] = []
    pos = start
    while (a := _ANCHOR.search(low, pos, end)) is not None:
        p = a.start()
        k = bisect.bisect_right(starts, p)
        if (p and low[p - 1].isalnum() and not low[p].isdigit()) or (k and reach[k - 1] > p):
            pos = a.end()
            continue
        m = _MARKERS.match(low, p, end)
        if m is None:
            pos = a.end()
            continue
        found = _marker(m)
        if found is not None:
            out.append(found)
        pos = m.end()
    return out
