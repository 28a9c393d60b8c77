"""Number mentions in report prose, and the numbers that are not values.

:class:`Scanner` finds every number with :data:`kpi.numbers.AMOUNT_PATTERN`, reads it
with :func:`kpi.numbers.parse_amount`, attaches the unit word written after it (``85mũi``,
``1.327 suất``, ``600 m``) and decides whether it is a reported quantity. A
:class:`Token` whose ``reason`` is empty is a value; otherwise ``reason`` says what the
number is instead:

``date`` (22/3, 08/12/2021, 04/01/ 2022, tháng 3/2022, đợt 1/2022, 22-3-2022),
``time`` (16:19, 7h30), ``document`` (Số 52-BC/ĐU, Chỉ thị số 11-CT/TW, Quyết định số 52,
kết luận 29, Kế hoạch 45), ``label`` (mũi 1, TDP 8, lần thứ 2, thứ 7, mức độ 3, hạng 1,
Trung ương 4, ngày 22, tháng 3, quý 1, năm 2022 ...), ``list`` (the 14 and 15 of "tổ dân
phố 8, 14 và 15", the 3 of "chi bộ 1, 2A, 3"), ``identifier`` (5K, 2A, Covid-19, Covid 19,
4.0), ``year`` (2022, 2012-2014, trước 1980), ``age`` (70 tuổi, 5 – 11 tuổi), ``duration``
(92 năm Ngày thành lập Đảng, 6 tháng, trước 2 năm), ``footnote`` ([4], (1)),
``enumeration`` (the "1." opening a heading line), ``contact`` (URLs, e-mail, phone
numbers), ``name`` (a number inside a phrase such as "8 loại vắc xin": the catalogue
cues that contain digits, passed as ``names``), ``unreadable`` ("22.3.2022") and
``tally`` (counts of the report's own indicators: "đạt 19/25 chỉ tiêu", "đề ra 23 chỉ
tiêu"; real reports' readers do not take them for quantities of the area) and ``agenda``
(counts of a meeting's own items: "nghe 4 báo cáo và 1 tờ trình", "5 nội dung trọng tâm",
"chia 02 tổ thảo luận").

A label, a date part or a year followed by a count noun is a value after all ("từ đầu
năm 40 hộ", "2000 hộ"). Two numbers joined by a slash where the first is no day or the
second no month, or a count noun follows ("15/17 chỉ tiêu"), are a fraction: the first is
a value, the second its whole (``role="whole"``), both with the unit word after the
second. The whole of a count of places, units or items ("13/14 xã", "53/53 hộ nghèo") is
no value (``reason="whole"``): it is how many there are, not a plan; the whole of a
count of people or households ("480/662 hộ") is kept, as the population it is of
(:data:`POPULATION_UNITS`); the whole of a measured quantity or of money ("140/165 tấn",
"224 tỷ đồng/150 tỷ đồng") is kept, as its plan. Two joined by a dash or "đến" ("50 - 60
hộ", "3 - 5 tỷ đồng") are a range (``role="range"``); the low end takes the high end's
multiplier and unit; two amounts written alike ("từ 0,45% đến 0,54%") are a range too.

Bare numbers listed before an age or a duration share its reason ("Huy hiệu 30, 40, 50
năm tuổi đảng"); a day.month written with a dot after a day word ("Chiều nay 14.4",
"ngày 2.9") is a date; a bare run of eight or more digits with no grouping ("67484690")
is page furniture, "tỷ lệ 1/500" a map scale and "trên 1 vạn dân" a rate's base (all
``identifier``); "tổ" before "chức" is no unit ("khóa 20 tổ chức họp").

Each decision looks only at the token and a few characters around it, so scanning costs
in proportion to the numbers, not to the text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from kpi.errors import NumberParseError
from kpi.extract.cues import fold_case, trie_pattern
from kpi.numbers import AMOUNT_PATTERN, parse_amount

#: Count nouns written after numbers, besides the catalogue's unit words.
GENERAL_UNITS: Final = (
    "người", "lượt người", "lượt", "hộ", "hộ gia đình", "hộ dân", "hộ nghèo", "hộ cận nghèo",
    "suất", "suất quà", "phần quà", "xuất", "đối tượng", "cụ", "cây", "cây xanh", "mũi",
    "mũi tiêm", "liều", "hồ sơ", "bộ hồ sơ", "giấy", "giấy xác nhận", "giấy chứng nhận",
    "đảng viên", "đồng chí", "quần chúng", "nghị quyết", "chỉ thị", "kế hoạch", "hướng dẫn",
    "văn bản", "công văn", "quyết định", "thông báo", "báo cáo", "tờ trình", "công trình",
    "dự án", "lớp", "lớp học", "buổi", "cuộc", "vụ", "vụ việc", "đơn", "đơn thư", "tin",
    "bài", "tin bài", "lao động", "doanh nghiệp", "cơ sở", "hợp tác xã", "htx", "xã",
    "phường", "thị trấn", "thôn", "xóm", "tổ", "tổ dân phố", "tdp", "chi bộ", "hội viên",
    "đoàn viên", "thanh niên", "tân binh", "công dân", "chỉ tiêu", "tiêu chí", "phòng",
    "phòng học", "nhà", "căn", "căn nhà", "ngôi nhà", "km", "m", "mét", "m2", "m3", "ha",
    "héc ta", "hecta", "sào", "tấn", "tạ", "kg", "lít", "chiếc", "cái", "con", "em",
    "học sinh", "trẻ", "trẻ em", "cháu", "bệnh nhân", "ca", "trường hợp", "giường bệnh",
    "lượt khám", "điểm", "trường", "gia đình", "hội nghị", "đợt", "lần", "gói", "túi",
    "thùng", "bao", "học bổng", "xe", "ô tô", "mô hình", "sản phẩm", "ngày công", "giờ công",
    "trạm", "camera", "loa", "cột", "bóng đèn", "cụm", "khu", "câu lạc bộ", "clb",
    "đội", "nhóm", "đơn vị", "cơ quan", "chiến sỹ", "chiến sĩ", "trang trại", "gia trại", "loại",
    "tiểu thương", "hộ kinh doanh", "thí sinh", "giáo viên", "cán bộ", "công chức",
    "làng", "bản", "ấp", "buôn", "khu dân cư",
)  # fmt: skip

#: Nouns whose number is a name or ordinal when written right after them ("mũi 1").
LABEL_WORDS: Final = frozenset((
    "mũi", "đợt", "lần", "lần thứ", "thứ", "tổ", "tổ dân phố", "tổ liên gia", "liên gia",
    "tdp", "thôn", "xóm", "ấp", "khối", "khu", "khu phố", "khu dân cư", "tiểu khu", "bản",
    "buôn", "làng", "cụm", "chi bộ", "chi đoàn", "chi hội", "phường", "quận", "mức",
    "mức độ", "cấp độ", "hạng", "khóa", "khoá", "tầng", "lô", "thửa", "tờ", "tờ bản đồ",
    "kỳ", "kì", "giai đoạn", "tuần", "nhóm", "trung ương", "vùng", "tuyến", "lớp", "đội",
    "loại", "quốc lộ", "ql", "tỉnh lộ", "tl", "đường tỉnh", "đường huyện", "hương lộ", "đt",
    "đh", "km", "điều", "khoản", "điểm", "chương", "mục", "phần", "ngày", "tháng", "năm",
    "quý", "quí", "lúc", "đại hội", "hội nghị",
))  # fmt: skip
#: Document kinds: a number right after them (or after "số") is a document number.
DOCUMENT_WORDS: Final = frozenset((
    "nghị quyết", "chỉ thị", "quyết định", "kết luận", "nghị định", "thông tư", "công văn",
    "thông báo", "tờ trình", "báo cáo", "quy định", "quy chế", "hướng dẫn", "chương trình",
    "đề án", "luật", "pháp lệnh", "văn bản", "nq", "qđ", "ct", "kl", "hd", "tb", "cv",
    "kế hoạch", "kh",
))  # fmt: skip
_PLAN_WORDS: Final = frozenset({"kế hoạch", "kh"})
_YEAR_WORDS: Final = frozenset({"năm", "từ", "đến", "trước", "sau", "cuối", "đầu", "khóa",
                                "khoá", "kỳ", "đoạn"})  # "kế hoạch 5 tỷ" is a plan, not a number

#: What a bare count may be by the word glued or written after it.
_AFTER: Final = re.compile(
    r"(?P<age>\s*tuổi(?!\w))"
    r"|(?P<duration>\s*(?:năm|tháng|tuần|ngày(?!\s+công)|giờ(?!\s+công)|phút|giây|thế\s+kỷ)(?!\w))"
    r"|(?P<hour>[hH](?:[0-9]{2})?(?!\w))"
    r"|(?P<glued>[A-LN-Za-fi-kn-z](?!\w))",  # "5K", "2A" (not m, g, h, l: units, hours)
    re.IGNORECASE,
)
_CODE_AFTER: Final = re.compile(
    r"\s*(?:/\s*(?:19|20)[0-9]{2}\s*)?[-–/]\s*(?:[A-ZĐ]{2,}[a-zđ]?|[A-ZĐ][a-zđ]?\s*[/-]\s*"
    r"[A-ZĐ0-9])"
)
_GLUED_LETTER: Final = re.compile(r"[A-LN-Za-fh-kn-z](?![\w])")  # "2A" in a list
_COVID_BEFORE: Final = re.compile(r"(?:covi?d?|cov)\s*[-–]?\s*$", re.IGNORECASE)
_VERSION_BEFORE: Final = re.compile(r"(?:công\s+nghiệp|cách\s+mạng|cmcn)\s+$", re.IGNORECASE)
_ENUM_AFTER: Final = re.compile(r"[.)](?=\s)")
_SECTION_NUMBER: Final = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,2})+")
_SLASH: Final = re.compile(r"\s*/\s*")
_DATE_SEP: Final = re.compile(r"\s*[/.-]\s*")
_TIME_SEP: Final = re.compile(r":")
_RANGE: Final = re.compile(r"\s*(?:[-–—]|đến|tới)\s*(?:dưới\s+|hơn\s+|trên\s+)?", re.IGNORECASE)
_LIST_GAP: Final = re.compile(r"\s*(?:,|;|&|và|-|–)\s*$", re.IGNORECASE)
_DIGIT: Final = re.compile(r"[0-9]")
#: Units of measured quantities: "A/B" of them is done/planned, B is kept (as a plan).
_MEASURED_UNITS: Final = frozenset((
    "km", "m", "mét", "m2", "m3", "ha", "héc ta", "hecta", "sào", "tấn", "tạ", "kg", "lít",
    "con",
))  # fmt: skip
#: People and households: "A/B" of them is A among a population of B (both values).
POPULATION_UNITS: Final = frozenset((
    "người", "hộ", "hộ gia đình", "hộ dân", "gia đình", "lao động", "đối tượng",
))  # fmt: skip
#: Counts of the report's own indicators: a scorecard, not a quantity of the area.
_TALLY_UNITS: Final = frozenset(("chỉ tiêu",))
#: What follows the count of a meeting's or a plan's own items.
_AGENDA: Final = re.compile(r"\s*(?:báo\s+cáo|tờ\s+trình|nội\s+dung|tổ\s+thảo\s+luận)(?!\w)",
                            re.IGNORECASE)
_NOT_UNIT_AFTER: Final = re.compile(r"(?<=tổ)\s+chức(?!\w)|(?<=Tổ)\s+chức(?!\w)")
#: "bản đồ tỷ lệ 1/500": a map scale; "trên 1 vạn dân", "/1.000 dân": a per-capita base.
_SCALE_BEFORE: Final = re.compile(r"(?<!\w)(?:tỷ|tỉ)\s+lệ\s*:?\s*$", re.IGNORECASE)
_PER_BASE: Final = re.compile(r"\s*(?:vạn\s+|nghìn\s+|ngàn\s+)?(?:người\s+)?dân(?!\w)",
                             re.IGNORECASE)
_PER_BEFORE: Final = re.compile(r"(?:(?<!\w)trên|/)\s*$", re.IGNORECASE)
_ROUND_BASES: Final = frozenset(("1", "10", "100", "1.000", "10.000", "100.000"))
_KEPT_WHOLES: Final = _MEASURED_UNITS | POPULATION_UNITS
#: "Chiều nay 14.4", "ngày 2.9", "sáng 26.7": a day word right before a dotted day.month.
_DAY_BEFORE: Final = re.compile(
    r"(?<!\w)(?:ngày|hôm\s+nay|sáng|chiều|tối|trưa|đêm|nay|hôm)\s*$", re.IGNORECASE)
_DOT_DAY_MONTH: Final = re.compile(r"(?:0?[1-9]|[12][0-9]|3[01])\.(?:0?[1-9]|1[0-2])")
_LIST_TO: Final = re.compile(r"\s*(?:,|và|hoặc)\s*", re.IGNORECASE)


@dataclass(slots=True)
class Token:
    """One number in a text.

    ``start``/``end`` delimit the mention as written: the numeral with its multiplier,
    currency or percent sign and unit word (``"85mũi"``, ``"3,2 tỷ đồng"``, ``"60%"``);
    ``amount_end`` ends the amount before the unit word. ``value`` is in base units, read
    only for values (NaN otherwise). ``kind`` is ``money``, ``percent`` or ``count``;
    ``unit_word`` the lower-case unit word ("" if none).
    ``reason`` is "" for a value, else why it is not one. ``role`` is "" or ``whole`` /
    ``range`` (see the module docstring).
    """

    start: int
    end: int
    amount_end: int
    amount: str
    value: float
    kind: str
    unit_word: str = ""
    unit_start: int = -1
    has_mult: bool = False
    suffix: str = ""
    reason: str = ""
    role: str = ""

    @property
    def is_value(self) -> bool:
        return not self.reason

    @property
    def digits(self) -> str:
        """The numeral as written, when it is a bare integer (else "")."""
        text = self.amount.strip()
        return text if text.isdigit() else ""

    @property
    def plain(self) -> bool:
        """A bare number: no multiplier, currency, percent or unit word."""
        return self.kind == "count" and not self.has_mult and not self.unit_word


def _is_year(t: Token) -> bool:
    return len(t.digits) == 4 and 1900 <= int(t.digits) <= 2100


def _small(t: Token, limit: int) -> bool:
    return 1 <= len(t.digits) <= 2 and 1 <= int(t.digits) <= limit


_INLINE_ITEM_BEFORE: Final = re.compile(r"[.:;)]\s+$")
_INLINE_ITEM_AFTER: Final = re.compile(r"[.)]\s+[A-ZĐÀ-Ỹ]")


def _enumeration(text: str, t: Token) -> bool:
    """A heading's number at the start of its line: "1. CÔNG TÁC", "2) ...", "1.2 Công"."""
    line_start = text.rfind("\n", 0, t.start) + 1
    if text[line_start : t.start].strip(" \t-+•*("):
        # a list item run into one line: "... 25.000 tấn. 3. Tổng sản lượng ..."
        return bool(_INLINE_ITEM_BEFORE.search(text, max(line_start, t.start - 4), t.start)
                    and _INLINE_ITEM_AFTER.match(text, t.amount_end)
                    and len(t.digits) <= 2)
    if _ENUM_AFTER.match(text, t.amount_end):
        return len(t.amount.strip()) <= 5
    rest = text[t.amount_end : t.amount_end + 3].lstrip(" \t")
    return bool(_SECTION_NUMBER.fullmatch(t.amount.strip()) and rest[:1].isupper())


def _last_words(text: str, end: int, n: int = 3) -> list[str]:
    """The lower-case words right before ``end``, back to the first punctuation."""
    out: list[str] = []
    for w in reversed(text[max(0, end - 30) : end].lower().split()[-n:]):
        core = w.lstrip("([{\"'“‘")
        if not core.isalnum():
            break
        out.insert(0, core)
        if core != w:
            break
    return out


def _contact(text: str, t: Token) -> bool:
    """Inside a URL or an e-mail address."""
    word_start = text.rfind(" ", 0, t.start) + 1
    word_end = text.find(" ", t.amount_end)
    word = text[word_start : word_end if word_end >= 0 else len(text)]
    return "@" in word or "://" in word or word.lower().startswith("www.")


def _phrase_before(words: list[str], vocabulary: frozenset[str]) -> str:
    """The longest phrase of ``vocabulary`` ending the ``words``."""
    for k in (3, 2, 1):
        if len(words) >= k:
            phrase = " ".join(words[-k:])
            if phrase in vocabulary:
                return phrase
    return ""


class Scanner:
    """Finds number tokens in text; ``unit_words`` extends :data:`GENERAL_UNITS`."""

    def __init__(self, unit_words: Iterable[str] = (), names: re.Pattern[str] | None = None):
        """``names`` finds, in :func:`~kpi.extract.cues.fold_case` text, phrases whose numbers are
        names ("8 loại vắc xin")."""
        self._names = names
        words = {" ".join(w.lower().split()) for w in (*GENERAL_UNITS, *unit_words)}
        self._unit = re.compile(rf"\s*(?P<u>{trie_pattern(sorted(words))})(?!\w)",
                                re.IGNORECASE)

    def unit_at(self, text: str, pos: int) -> re.Match[str] | None:
        """The unit word starting at ``pos`` (after optional spaces), if any."""
        return self._unit.match(text, pos)

    def scan(self, text: str) -> list[Token]:
        """Every number token of ``text`` in order."""
        if not _DIGIT.search(text):
            return []
        tokens = [self._token(text, m) for m in AMOUNT_PATTERN.finditer(text)]
        for t in tokens:
            if t.plain and _CODE_AFTER.match(text, t.amount_end):
                t.reason = "document"  # 52 -BC/ĐU, 11-CT/TW, 100/2019/NĐ-CP
        self._sequences(text, tokens)
        contacts = "@" in text or "://" in text or "www." in text
        for t in tokens:
            if not t.reason and not t.role:
                t.reason = self._reason(text, t, contacts)
        self._lists(text, tokens)
        self._listed_before(text, tokens)
        for t in tokens:
            if t.is_value:
                self._check_value(text, t)
        return tokens

    def _check_value(self, text: str, t: Token) -> None:
        """Read the value (parsing only the numbers that matter) and test the names."""
        if self._names is not None:
            lo = max(0, t.start - 30)
            window = fold_case(text[lo : t.amount_end + 30])
            for m in self._names.finditer(window):
                if m.start() + lo < t.amount_end and t.start < m.end() + lo:
                    t.reason = "name"
                    return
        if t.value != t.value:  # NaN: not read yet
            try:
                t.value = parse_amount(t.amount).value
            except NumberParseError:
                t.reason = "unreadable"  # "22.3.2022", "1.2.3": never a value

    def _token(self, text: str, m: re.Match[str]) -> Token:
        has_mult = bool(m["mult"])
        unit_word, unit_start, end = "", -1, m.end()
        kind = "percent" if m["pct"] else "money" if m["cur"] else "count"
        if kind == "count":
            u = self.unit_at(text, m.end())
            if u and _NOT_UNIT_AFTER.match(text, u.end()):
                u = None  # "khóa 20 tổ chức họp": "tổ chức" is a verb, not the unit "tổ"
            if u:
                unit_word, unit_start, end = " ".join(u["u"].lower().split()), u.start("u"), u.end()
            elif has_mult:
                kind = "money"  # "45 tỷ" with no noun after is an amount of money
        suffix = m.group()[m.end("num") - m.start() :]
        return Token(m.start("num"), end, m.end(), m.group(), math.nan, kind, unit_word,
                     unit_start, has_mult, suffix)

    # ---- numbers read together --------------------------------------------------------
    def _sequences(self, text: str, tokens: list[Token]) -> None:
        """Dates, times, fractions, ranges and age ranges: decided on neighbouring tokens."""
        i = 0
        while i < len(tokens) - 1:
            a, b = tokens[i], tokens[i + 1]
            if (a.plain and _is_year(a) and not b.reason and _is_year(b) and b.unit_word
                    and not b.has_mult and 0 < int(b.digits) - int(a.digits) <= 30
                    and _RANGE.fullmatch(text[a.amount_end : b.start])):
                a.reason = b.reason = "year"  # "nhiệm kỳ 2021-2026 tổ chức": "tổ" is no unit
                i += 2
                continue
            if a.reason or b.reason:
                i += 1
                continue
            gap = text[a.amount_end : b.start]
            c = tokens[i + 2] if i + 2 < len(tokens) else None
            if (a.plain and b.plain and c is not None and c.kind == "count" and _small(a, 31)
                    and _small(b, 12) and len(c.digits) in (2, 4) and _DATE_SEP.fullmatch(gap)
                    and _DATE_SEP.fullmatch(text[b.amount_end : c.start])):
                a.reason = b.reason = c.reason = "date"  # 08/12/2021, 04/01/ 2022, 22-3-2022
                i += 3
                continue
            if (((a.unit_word and a.unit_word == b.unit_word and a.kind == b.kind == "count")
                 or a.kind == b.kind == "money")
                    and _SLASH.fullmatch(text[a.end : b.start])):
                b.role = "whole"  # "12.500 con/10.000 con", "224 tỷ đồng/150 tỷ đồng": done/plan
                if b.kind == "count" and b.unit_word not in _KEPT_WHOLES:
                    b.reason = "whole"  # "53 hộ/53 hộ": how many there are
                i += 2
                continue
            if _SLASH.fullmatch(gap) and a.plain and b.kind == "count" and not b.has_mult:
                if _is_year(b) and not b.unit_word and 1 <= len(a.digits) <= 2:
                    a.reason = b.reason = "date"  # tháng 3/2022, đợt 1/2022
                elif _small(a, 31) and _small(b, 12) and not b.unit_word:
                    a.reason = b.reason = "date"  # 22/3, (08/3), đợt 3/2
                elif (a.digits == "1" and len(b.digits) >= 3
                      and _SCALE_BEFORE.search(text, max(0, a.start - 12), a.start)):
                    a.reason = b.reason = "identifier"  # tỷ lệ 1/500: a map scale
                else:
                    a.unit_word, b.role = b.unit_word, "whole"  # 15/17 chỉ tiêu
                    if b.unit_word not in _KEPT_WHOLES:
                        b.reason = "whole"  # 13/14 xã: the count of all, no plan
                i += 2
                continue
            if (_TIME_SEP.fullmatch(gap) and a.plain and len(b.digits) == 2
                    and 1 <= len(a.digits) <= 2):
                a.reason = b.reason = "time"
                i += 2
                continue
            rng = _RANGE.fullmatch(gap)
            after = _AFTER.match(text, b.amount_end) if rng and a.plain and b.plain else None
            if after is not None and after.lastgroup in ("age", "duration") and a.digits:
                a.reason = b.reason = after.lastgroup  # 5 – 11 tuổi; từ 30 đến 75 năm
            elif rng and _is_year(a) and _is_year(b) and not b.unit_word:
                a.reason = b.reason = "year"  # 2012-2014, nhiệm kỳ 2022 - 2027
            elif rng and a.plain and not _is_year(a) and (b.unit_word or b.kind != "count"):
                if b.suffix:  # "3 - 5 tỷ đồng", "60 - 70%": the low end shares the suffix
                    try:
                        a.value = parse_amount(a.amount.strip() + b.suffix).value
                    except NumberParseError:
                        i += 1
                        continue
                a.kind, a.unit_word, a.has_mult = b.kind, b.unit_word, b.has_mult
                a.role = b.role = "range"
            elif (rng and a.kind == b.kind and a.suffix.strip() and not a.role
                  and " ".join(a.suffix.split()) == " ".join(b.suffix.split())
                  and a.unit_word == b.unit_word):
                a.role = b.role = "range"  # "từ 0,45% đến 0,54%", "80,4 triệu đến 80,8 triệu"
            else:
                i += 1
                continue
            i += 2

    # ---- one number in its context ----------------------------------------------------
    def _reason(self, text: str, t: Token, contacts: bool) -> str:
        """Why ``t`` is not a value ("" if it is one); cheapest and commonest checks first."""
        start, end = t.start, t.amount_end
        if t.plain and _is_year(t):
            return "year"
        prev = text[start - 1] if start else ""
        nxt = text[end : end + 1]
        if prev == "[" and nxt == "]":
            return "footnote"
        if prev == "(" and nxt == ")" and len(t.digits) in (1, 2):
            return "footnote"
        if t.amount.strip().lstrip("-–") == "19" and _COVID_BEFORE.search(
                text, max(0, start - 8), start + (1 if t.amount.strip()[:1] in "-–" else 0)):
            return "identifier"
        after = _AFTER.match(text, end) if t.kind == "count" and not t.unit_word else None
        if after is not None and not t.has_mult:
            kind = after.lastgroup
            if kind == "glued" or (kind == "hour" and len(t.digits) in (1, 2)):
                return "identifier" if kind == "glued" else "time"  # 5K, 2A; 7h30
            if kind in ("age", "duration"):
                return kind  # 70 tuổi; 92 năm, 6 tháng
        if t.amount.strip() == "4.0" and _VERSION_BEFORE.search(text, max(0, start - 20), start):
            return "identifier"
        if contacts and _contact(text, t):
            return "contact"
        numeral = t.amount.strip()
        if t.plain and numeral.startswith("0") and sum(c.isdigit() for c in numeral) >= 8:
            return "contact"  # a phone number: 0239.3861234
        if (numeral in _ROUND_BASES and _PER_BASE.match(text, end)
                and _PER_BEFORE.search(text, max(0, start - 6), start)):
            return "identifier"  # "trên 1 vạn dân": the base of a rate
        if t.plain and len(t.digits) >= 8:
            return "identifier"  # ungrouped digits: page furniture, codes
        if (t.plain and _DOT_DAY_MONTH.fullmatch(numeral)
                and _DAY_BEFORE.search(text, max(0, start - 12), start)):
            return "date"  # "Chiều nay 14.4", "ngày 2.9"

        if t.kind != "count" or t.has_mult:
            return ""
        if t.unit_word in _TALLY_UNITS:
            return "tally"  # "đạt 19/25 chỉ tiêu", "đề ra 23 chỉ tiêu": the report's own scorecard
        if _AGENDA.match(text, end):
            return "agenda"  # "nghe 4 báo cáo và 1 tờ trình": the meeting's items, no KPI
        if _enumeration(text, t):
            return "enumeration"
        if not prev.isspace():
            return ""  # no word right before the number
        words = _last_words(text, start)
        if _is_year(t) and words and words[-1] in _YEAR_WORDS:
            return "year"  # "năm 2021 tổ chức ...": a year even before a noun
        if words and words[-1] == "số":
            doc = _phrase_before(words[:-1], DOCUMENT_WORDS)
            if doc and not (doc in _PLAN_WORDS and t.unit_word):
                return "document"  # Quyết định số 52
            if len(words) >= 2 and words[-2] == "tổng":
                return ""  # tổng số 352
            return "" if t.unit_word else "document"  # Số 52
        doc = _phrase_before(words, DOCUMENT_WORDS)
        if doc == "luật" and words[-2:-1] == ["kỷ"]:
            doc = ""  # "kỷ luật 6 đảng viên": discipline, not a law
        if doc:
            return "" if t.unit_word and doc in _PLAN_WORDS else "document"
        if _phrase_before(words, LABEL_WORDS):
            return "" if t.unit_word else "label"  # "từ đầu năm 40 hộ" is a count
        return ""

    @staticmethod
    def _listed_before(text: str, tokens: list[Token]) -> None:
        """Bare numbers listed before an age or a duration are ages or durations too:
        "Huy hiệu 30, 40, 50, 55 tuổi đảng", "kỷ niệm 70 và 75 năm"."""
        for n in range(len(tokens) - 2, -1, -1):
            t, nxt = tokens[n], tokens[n + 1]
            if (nxt.reason in ("age", "duration") and t.is_value and t.plain and t.digits
                    and _LIST_TO.fullmatch(text, t.amount_end, nxt.start)):
                t.reason = nxt.reason

    @staticmethod
    def _lists(text: str, tokens: list[Token]) -> None:
        """Numbers continuing a list that began with a label ("TDP 16, 6, 4", "chi bộ 1, 2A,
        3"): small bare integers separated by commas, "và" or a repeated label."""
        prev: Token | None = None
        prev_end = 0
        for t in tokens:
            gap = text[prev_end : t.start]
            listed = prev is not None and prev.reason in ("label", "list") and bool(
                _LIST_GAP.match(gap) or _phrase_before(gap.lower().split(), LABEL_WORDS))
            glued = _GLUED_LETTER.match(text, t.amount_end)
            if listed and t.reason == "identifier" and glued:
                t.reason = "list"  # "2A" inside a list keeps it going
            elif listed and t.is_value and t.plain and 1 <= len(t.digits) <= 3:
                t.reason = "list"
            prev, prev_end = t, (glued.end() if glued and t.reason == "list" else t.end)
