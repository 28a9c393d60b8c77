"""Units stated by a table ("Đơn vị tính: Tỷ đồng", "Nghìn người", "%") and exact scaling.

:func:`parse_unit` turns a unit text into a :class:`Unit`: the base unit of the contract
(``VND``, ``USD``, ``percent``, ``person`` ...) and the exact :class:`~decimal.Decimal`
factor from the stated unit to it ("Nghìn tỷ đồng" → VND × 10¹²). :func:`scale` applies
the factor in decimal arithmetic, so 12.234,81 tỷ đồng is 12 234 810 000 000 VND exactly,
not a binary-float product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from kpi.core.text import label_key, one_line


@dataclass(frozen=True)
class Unit:
    """A stated unit: ``base`` unit of the contract, ``factor`` to it, and its ``text``.

    ``share`` is true for structure tables ("Cơ cấu - %"), whose values are shares of a
    total (measure ``share_pct``).
    """

    base: str
    factor: Decimal = Decimal(1)
    text: str = ""
    share: bool = False

    @property
    def is_money(self) -> bool:
        return self.base in ("VND", "USD")


PERCENT: Final = Unit("percent", Decimal(1), "%")

_MULTIPLIERS: Final = (  # longest first
    ("nghìn tỷ", Decimal(10) ** 12), ("ngàn tỷ", Decimal(10) ** 12),
    ("triệu tỷ", Decimal(10) ** 15),
    ("nghìn", Decimal(10) ** 3), ("ngàn", Decimal(10) ** 3), ("triệu", Decimal(10) ** 6),
    ("tỷ", Decimal(10) ** 9), ("tỉ", Decimal(10) ** 9),
)
_MONEY: Final = {
    "đồng": "VND", "đ": "VND", "vnđ": "VND", "vnd": "VND", "đồng việt nam": "VND",
    "usd": "USD", "đô la mỹ": "USD", "đôla mỹ": "USD", "đô-la mỹ": "USD",
}
#: Count nouns → base unit of the catalogue. Unknown nouns keep their own (lower-case) text.
NOUNS: Final = {
    "người": "person", "lao động": "person", "nhân khẩu": "person", "học sinh": "person",
    "lượt người": "visit", "lượt khách": "visit", "lượt": "visit", "khách": "person",
    "hộ": "household", "vụ": "case", "ca": "case", "trường hợp": "case",
    "cái": "piece", "chiếc": "piece", "căn": "dwelling", "ngôi nhà": "house", "nhà": "house",
    "con": "head", "ha": "ha", "héc ta": "ha", "hecta": "ha", "tấn": "tonne", "kg": "kg",
    "km": "km", "m": "m", "mét": "m", "m2": "m2", "m3": "m3", "lít": "litre",
    "doanh nghiệp": "enterprise", "dn": "enterprise", "dự án": "project", "mũi": "dose",
    "liều": "dose", "xã": "commune", "điểm": "point", "cây": "tree", "cây xanh": "tree",
}
_KEYS: Final = {label_key(w): b for w, b in (*_MONEY.items(), *NOUNS.items())}
_PREFIX: Final = re.compile(r"^\s*(đơn\s*vị\s*tính|đơn\s*vị|đvt|unit)\s*[:.\-–]?\s*", re.I)
_SHARE: Final = re.compile(r"^cơ\s*cấu\s*[-–:(]*\s*", re.I)
_PARENS: Final = re.compile(r"^\((.*)\)$")


def _multiplier(text: str) -> tuple[Decimal, str]:
    for word, factor in _MULTIPLIERS:
        if text == word or text.startswith(word + " "):
            return factor, text[len(word):].strip()
    return Decimal(1), text


def parse_unit(text: str, *, strict: bool = True) -> Unit | None:
    """The unit a cell states, or None if the text is not a unit.

    With ``strict`` (the default, for cells that might be labels) a bare word counts
    only if it is a known unit; text after "Đơn vị tính:" / "ĐVT:" is always a unit.
    """
    raw = one_line(text)
    body = _PREFIX.sub("", raw)
    explicit = body != raw
    match = _PARENS.match(body)
    body = (match.group(1) if match else body).strip().rstrip(".").strip()
    share = bool(_SHARE.match(body))
    if share:
        body = _SHARE.sub("", body).rstrip(")").strip()
    low = body.casefold()
    if low in ("%", "phần trăm", "percent") or (share and low in ("", "%")):
        return Unit("percent", Decimal(1), raw, share=share)
    factor, rest = _multiplier(low)
    base = _KEYS.get(label_key(rest))
    if base is not None:
        return Unit(base, factor, raw)
    if (explicit or not strict) and rest and len(rest) <= 30:
        return Unit(rest, factor, raw)
    return None


def to_decimal(value: object) -> Decimal:
    """A number as a Decimal with the digits it was written with (floats: 15 significant
    digits, as spreadsheets keep them)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    # A spreadsheet keeps 15 significant digits; digits beyond are binary noise
    # (130.67000000000002 is 130,67).
    return Decimal(format(float(value), ".15g")).normalize()  # type: ignore[arg-type]


def scale(value: object, factor: Decimal) -> float:
    """``value × factor`` computed in decimal, returned as the nearest float."""
    if factor == 1:
        return float(value)  # type: ignore[arg-type]
    return float(to_decimal(value) * factor)
