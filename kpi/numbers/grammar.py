"""Vocabulary and grammar of Vietnamese number mentions (private to :mod:`kpi.numbers.vietnamese`).

One place defines which characters are spaces, which words are multipliers or currency
marks, and how a numeral such as ``4.884.100,5`` is read. :func:`read_amount` is the
scalar reader every public function builds on; it raises :class:`Unreadable` (a light
internal exception) that the public layer turns into :class:`kpi.errors.NumberParseError`
with the text and its location.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

Unit = Literal["VND", "percent", ""]

#: Characters read as a plain space: ASCII whitespace and every Unicode space separator
#: (no-break U+00A0, narrow no-break U+202F, thin U+2009, ideographic U+3000 ...).
SPACE_CHARS: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u202f\u205f\u3000"
)
#: Invisible characters dropped outright (zero-width space, byte-order mark).
DROPPED_CHARS: Final = "\u200b\ufeff"

_CLEAN_TABLE: Final = str.maketrans(
    {**{c: " " for c in SPACE_CHARS}, **dict.fromkeys(DROPPED_CHARS)}
)

#: Multiplier words and their power of ten.
MULTIPLIER_EXPONENTS: Final = {"nghìn": 3, "ngàn": 3, "triệu": 6, "tỷ": 9, "tỉ": 9}
#: Currency marks (lower case), all meaning Vietnamese đồng.
CURRENCY_WORDS: Final = ("đồng", "vnđ", "vnd", "đ", "₫")
#: Words that turn "đồng" into something else than money ("17 đồng chí" are 17 comrades).
NOT_CURRENCY_AFTER_DONG: Final = (
    "chí", "bào", "thời", "ý", "bộ", "loạt", "hồ", "tình", "đều", "nghiệp", "hương",
    "ruộng", "lúa", "bằng", "phục", "ca", "thuận", "sức", "hành", "tâm", "minh", "khởi",
    "nhất", "lòng", "đội", "chủ", "trách", "hóa", "hoá", "dạng", "cảm", "đẳng", "thau",
    "nai", "tháp", "hới", "xoài", "văn", "hỷ",
)  # fmt: skip

EMPTY: Final = "empty text"  # the reason given for a blank text
MAX_DIGITS: Final = 1000  # longer numerals are not amounts (and are slow to convert)


def clean_text(text: str) -> str:
    """NFC-normalise, turn every Unicode space into ``" "``, drop zero-width marks, strip."""
    return unicodedata.normalize("NFC", text).translate(_CLEAN_TABLE).strip(" ")


# ---------------------------------------------------------------------------------------
# Regex fragments. ``sp`` is the space class: a literal " " for cleaned text, the full
# SPACE_CHARS class for raw prose, so both readers agree on what a space is.
_LETTER: Final = r"[^\W\d_]"
NUMERAL: Final = r"[0-9](?:[0-9.,]*[0-9])?"


def _alt(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


def multiplier_fragment(sp: str) -> str:
    """One or more multiplier words ("nghìn tỷ"), not the "tỷ" of "tỷ lệ", not glued to a
    following word unless that word is a currency mark ("5 tỷđồng")."""
    word = rf"(?:{_alt(MULTIPLIER_EXPONENTS)})(?!{sp}+lệ(?!{_LETTER}))"
    return (
        rf"{word}(?:{sp}*{word})*"
        rf"(?=(?:{_alt(CURRENCY_WORDS[:-1])})?(?!{_LETTER}))"
    )


def currency_fragment(sp: str) -> str:
    """A currency mark as a whole word; "đồng" not when it starts "đồng chí", "đồng thời"..."""
    not_money = _alt(NOT_CURRENCY_AFTER_DONG)
    return rf"(?:đồng(?!{sp}+(?:{not_money})(?!{_LETTER}))|vnđ|vnd|đ|₫)(?!{_LETTER})"


def percent_fragment(sp: str) -> str:
    return rf"%|phần{sp}+trăm(?!{_LETTER})"


def compound_fragment(sp: str) -> str:
    """Multiplier words plus further ``number multiplier`` parts: "triệu 700 nghìn"."""
    mult = multiplier_fragment(sp)
    return rf"{mult}(?:{sp}*{NUMERAL}{sp}*{mult})*"


_SP = " "
_PREFIX: Final = re.compile(
    rf"(?P<sign>[-−+])?(?P<num>{NUMERAL})"
    rf"(?:{_SP}*(?P<mult>{compound_fragment(_SP)}))?"
    rf"(?:{_SP}*(?:(?P<cur>{currency_fragment(_SP)})|(?P<pct>{percent_fragment(_SP)})))?"
)
_PART: Final = re.compile(rf"(?P<num>{NUMERAL}) *(?P<mult>{multiplier_fragment(_SP)})")
_MULT_WORD: Final = re.compile(_alt(MULTIPLIER_EXPONENTS))
# Unit words after the amount ("85mũi", "105.301 con", "100%KH", "20 người/km2"), then
# sentence punctuation. Words start with a letter; a bare number there is not a unit.
# Exactly one way to split words and separators, so a failing match cannot backtrack long.
_WORD: Final = rf"{_LETTER}\w*"
_TAIL: Final = re.compile(rf"(?: *{_WORD})?(?:(?: +| */ *){_WORD})* *[.,;:!?)\]]*")
# A word glued to the digits is a unit ("85mũi", "1.200m2"), but not an exponent or a hex
# prefix: "5e3", "0x1f" are not numbers of this grammar.
_GLUED_NON_UNIT: Final = re.compile(r"e[-+]?[0-9]|x[0-9a-f]")
_EXPONENT_TAIL: Final = re.compile(r"e[-+]?[0-9]+")


class Unreadable(Exception):
    """Internal: why a text is not a number, and a plausible reading if there is one."""

    def __init__(self, reason: str, suggestion: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.suggestion = suggestion


@dataclass(frozen=True, slots=True)
class Amount:
    """A number mention read: ``value`` in base units (VND, not tỷ; percent points; count),
    ``unit`` ("VND" when a currency mark is attached, "percent" for ``%``, "" for a plain
    count or an amount whose currency the text does not say) and ``multiplier``, the power
    of ten the leading multiplier words applied (``3,2 tỷ`` -> 10**9; 1 when none).
    """

    value: float
    unit: Unit
    multiplier: int


# ---------------------------------------------------------------------------------------
# Numerals: "1.124" "98.4" "1.124,5" "4,884,100,000" -> (mantissa, exponent) exact integers.
def _is_thousands(groups: list[str]) -> bool:
    head = groups[0]
    return (
        len(groups) >= 2
        and 1 <= len(head) <= 3
        and (head[0] != "0")
        and all(len(g) == 3 for g in groups[1:])
    )


def _decimal(head: str, frac: str) -> tuple[int, int]:
    return int(head + frac), -len(frac)


def read_numeral(tok: str, *, strict: bool = True) -> tuple[int, int]:
    """Read one numeral token as ``(m, e)`` meaning ``m * 10**e``.

    With ``strict=False`` return the plausible reading of a malformed token instead of
    raising (used to build suggestions); raise :class:`Unreadable` when there is none.
    """
    if len(tok) > MAX_DIGITS:
        raise Unreadable(f"more than {MAX_DIGITS} characters in one number")
    dots, commas = tok.count("."), tok.count(",")
    if not dots and not commas:
        return int(tok), 0
    if not commas:
        groups = tok.split(".")
        if _is_thousands(groups):
            return int("".join(groups)), 0
        if dots == 1 and len(groups[1]) != 3:
            return _decimal(*groups)  # "98.4", "1234.5678": a dot used as decimal mark
        if not strict:
            if dots == 1:
                return _decimal(*groups)
            if len(groups[-1]) == 3:
                return int("".join(groups)), 0
            raise Unreadable("no plausible reading")
        if dots == 1:
            raise Unreadable(
                f"'.' before 3 digits groups thousands, but {groups[0]!r} is not a "
                "thousands group (1-3 digits, no leading zero)"
            )
        raise Unreadable("thousands groups after '.' must have exactly 3 digits")
    if not dots:
        groups = tok.split(",")
        if commas == 1:
            return _decimal(*groups)
        if _is_thousands(groups):
            return int("".join(groups)), 0  # English-style "4,884,100,000"
        if not strict and len(groups[-1]) == 3:
            return int("".join(groups)), 0
        raise Unreadable("several ',' but the groups are not thousands of 3 digits")
    last_dot, last_comma = tok.rfind("."), tok.rfind(",")
    if commas == 1 and last_comma > last_dot:  # Vietnamese "1.234,5"
        head, frac = tok.split(",")
        groups = head.split(".")
        if _is_thousands(groups) or not strict:
            return _decimal("".join(groups), frac)
        raise Unreadable("thousands groups after '.' must have exactly 3 digits")
    if dots == 1 and last_dot > last_comma:  # English "1,234.5"
        head, frac = tok.split(".")
        if not strict and _is_thousands(head.split(",")):
            return _decimal(head.replace(",", ""), frac)
        raise Unreadable("English-style number: ',' groups thousands and '.' is the decimal mark")
    if not strict:
        raise Unreadable("no plausible reading")
    raise Unreadable("'.' and ',' mixed in a way that forms no number")


# ---------------------------------------------------------------------------------------
def _to_float(parts: list[tuple[int, int]]) -> float:
    """Sum of ``m * 10**e`` parts as the correctly rounded float (integer arithmetic)."""
    low = min(e for _, e in parts)
    total = sum(m * 10 ** (e - low) for m, e in parts)
    try:
        value = total * 10**low if low >= 0 else total / 10**-low
        value = float(value)
    except OverflowError:
        raise Unreadable("too large for a number") from None
    if not math.isfinite(value):
        raise Unreadable("too large for a number")
    return value


def _less_than_power(m: int, e: int, p: int) -> bool:
    """``m * 10**e < 10**p`` in exact integer arithmetic."""
    shift = min(e, p)
    return m * 10 ** (e - shift) < 10 ** (p - shift)


def _parts(match: re.Match[str], strict: bool) -> tuple[list[tuple[int, int]], int]:
    """The ``(m, e)`` parts of a matched amount and the leading multiplier exponent."""
    first_m, first_e = read_numeral(match["num"], strict=strict)
    mult = match["mult"]
    if not mult:
        return [(first_m, first_e)], 0
    # The first part's multiplier words are those before the first digit.
    head = re.split(r"[0-9]", mult, maxsplit=1)[0]
    scale = sum(MULTIPLIER_EXPONENTS[w] for w in _MULT_WORD.findall(head))
    parts = [(first_m, first_e + scale)]
    rest = mult[len(head) :]
    prev_scale, lead_scale = scale, scale
    for part in _PART.finditer(rest):
        m, e = read_numeral(part["num"], strict=strict)
        s = sum(MULTIPLIER_EXPONENTS[w] for w in _MULT_WORD.findall(part["mult"]))
        if s >= prev_scale:
            raise Unreadable("parts of a compound amount must have decreasing multipliers")
        if not _less_than_power(m, e + s, prev_scale):
            raise Unreadable("a later part of a compound amount exceeds the part before it")
        parts.append((m, e + s))
        prev_scale = s
    return parts, lead_scale


def read_amount(text: str) -> Amount:
    """Read a cleaned or raw text as an amount; raise :class:`Unreadable` with the reason."""
    s = clean_text(text).lower()
    if not s:
        raise Unreadable(EMPTY)
    match = _PREFIX.match(s)
    if match is None:
        if not any(c in "0123456789" for c in s):
            raise Unreadable("no digits")
        raise Unreadable("text does not start with a number")
    rest = s[match.end() :]
    tail = _TAIL.fullmatch(rest)
    if tail is None or _GLUED_NON_UNIT.match(rest):
        if _EXPONENT_TAIL.match(rest) and not (match["mult"] or match["cur"] or match["pct"]):
            raise Unreadable("scientific notation is not read", _float_or_none(s))
        shown = rest.strip()
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        raise Unreadable(f"unexpected {shown!r} after the number")
    if match["pct"] and match["mult"]:
        raise Unreadable("a percentage cannot carry a multiplier")
    try:
        parts, scale = _parts(match, strict=True)
    except Unreadable as err:
        if err.suggestion is None:
            err.suggestion = _suggest_from(match)
        raise
    value = _to_float(parts)
    if match["sign"] in ("-", "−"):
        value = -value
    unit: Unit = "VND" if match["cur"] else "percent" if match["pct"] else ""
    return Amount(value, unit, 10**scale)


def _suggest_from(match: re.Match[str]) -> float | None:
    try:
        parts, _ = _parts(match, strict=False)
        value = _to_float(parts)
    except Unreadable:
        return None
    return -value if match["sign"] in ("-", "−") else value


def _float_or_none(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace("−", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
