"""What a column (or row) header says about its numbers, apart from the period.

Statistical-office tables label value columns with a kind and a period, often over
several header rows: ``Thực hiện quý I năm 2022``, ``Ước tính quý II``, ``Cộng dồn 6 tháng``,
``So với cùng kỳ năm trước (%)``, ``6 tháng năm 2022 so với kế hoạch năm 2022 (%)``.
:func:`header_kind` separates the kind (measure, qualifier, year-to-date) from the
period text that remains.

Choices:

- ``Thực hiện`` / ``Chính thức`` → qualifier ``exact``; ``Ước tính`` / ``Ước`` → ``estimate``.
- ``Sơ bộ`` (preliminary) → ``estimate``: the figure is not final and a later table
  revises it, so a final (exact) figure for the same period is preferred over it.
- ``Cộng dồn`` / ``Lũy kế`` / ``6 tháng`` → span ``ytd`` (the period parser reads "6 tháng").
- ``So với cùng kỳ năm trước (%)`` → ``pct_of_prior_year``: 105,3 means 105,3 % of the
  same period last year (an index, not the change). Only a header that says it is a
  change (``Tăng/giảm so với cùng kỳ (%)``, ``Tốc độ tăng``) gives ``pct_change_yoy``.
- ``So với kế hoạch`` / ``So với dự toán`` (%) → ``pct_of_plan``; ``Kế hoạch`` / ``Dự toán``
  alone → ``plan``; ``Cơ cấu`` → ``share_pct``.
- ``Tăng/giảm so với quý trước (%)`` → ``pct_change_qoq``. An index against the previous
  month or quarter (``So với tháng trước (%)``) has no measure in the contract: such a
  column is skipped and reported, never read as something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from kpi.core.text import one_line


@dataclass(frozen=True)
class Kind:
    """The kind of a header: ``measure``, ``qualifier`` (None: not stated), ``ytd``
    (cumulative), ``skip`` (a reason when the column holds no contract measure) and
    ``rest``, the text left for the period parser."""

    measure: str = "value"
    qualifier: str | None = None
    ytd: bool = False
    skip: str = ""
    rest: str = ""
    ref: str = ""  # the period compared with, when the header names it ("so với: Quý II
    #                năm 2021"); the reader keeps the column only if it is a year earlier

    @property
    def is_percent(self) -> bool:
        return self.measure in ("pct_of_plan", "pct_change_yoy", "pct_change_qoq",
                                "pct_of_prior_year", "share_pct")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_CHANGE: Final = r"(tăng\s*/?\s*(giảm)?|giảm\s*/?\s*tăng|tốc\s*độ\s*tăng(\s*trưởng)?|mức\s*tăng)"
_PCT: Final = r"(\s*\(\s*%\s*\)|\s*%)?"
_YEAR_REF: Final = r"(\s*(của\s*)?(năm\s*(trước|\d{4})))?"
_VS: Final = r"so\s*(với|sánh\s*với)?\s*"
_PRIOR_YEAR: Final = _rx(
    rf"({_CHANGE}\s*)?{_VS}(cùng\s*(thời\s*)?(kỳ|kì|điểm))"
    rf"(?!\s*(tháng|quý|quí|kỳ|kì)\s*trước){_YEAR_REF}{_PCT}")
_PLAN: Final = _rx(rf"{_VS}(kế\s*hoạch|dự\s*toán|kh|dt)\b{_YEAR_REF}{_PCT}")
_SAME_POINT: Final = r"(cùng\s*(thời\s*)?(kỳ|kì|điểm)\s*)?"
_PREV_QUARTER: Final = _rx(rf"({_CHANGE}\s*)?{_VS}{_SAME_POINT}(quý|quí)\s*trước{_PCT}")
_PREV_OTHER: Final = _rx(rf"({_CHANGE}\s*)?{_VS}{_SAME_POINT}(tháng|kỳ|kì)\s*trước{_PCT}")
_CHANGE_ONLY: Final = _rx(rf"^{_CHANGE}{_PCT}")
_VS_ANY: Final = _rx(r"(?<![^\W\d_])so\s*(với|sánh\s*với|sánh)?\s*:?\s*(?P<ref>.*)$")
_WORDS: Final = (
    ("ytd", _rx(r"\b(cộng\s*dồn|lũy\s*kế|luỹ\s*kế|tích\s*lũy|tích\s*luỹ)\b")),
    ("share", _rx(r"\bcơ\s*cấu\b")),
    ("estimate", _rx(r"\b(ước\s*tính|ước\s*thực\s*hiện|ước\s*tính\s*thực\s*hiện|ước\s*th|ước)\b")),
    ("preliminary", _rx(r"\bsơ\s*bộ\b")),
    ("exact", _rx(r"\b(thực\s*hiện|chính\s*thức|th)\b")),
    ("plan", _rx(r"\b(kế\s*hoạch|dự\s*toán)\b")),
)
_LEFTOVER: Final = _rx(r"\(\s*%\s*\)|%|\(\s*\)|^\s*[-–:,;/]+|[-–:,;/]+\s*$")
#: A year in a header or title.
YEAR: Final = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
#: Words that only say a period (what is left after removing them is a breakdown label).
PERIOD_WORDS: Final = _rx(
    r"\d{1,2}/\d{1,2}/\d{4}|thời\s*điểm|(quý|quí)\s*[ivx\d]+|\d+\s*tháng(\s*(đầu|cuối))?"
    r"(\s*năm)?|tháng\s*\d+|năm\s*\d{4}|\d{4}|\bnăm\b|\bđầu\b|[/,.\-–:;()]")
#: Headers of columns that are not values.
UNIT_HEADER: Final = _rx(r"^(đơn\s*vị(\s*tính)?|đvt|unit)\s*:?$")
NOTE_HEADER: Final = _rx(r"^(ghi\s*chú|chú\s*thích|nguồn(\s*số\s*liệu)?|note|source)\s*:?$")


def header_kind(header: str) -> Kind:
    """Split a (combined) header into its :class:`Kind` and the period text left over."""
    text = one_line(header)
    measure, skip = "value", ""
    for pattern, name in ((_PRIOR_YEAR, "yoy"), (_PLAN, "plan"), (_PREV_QUARTER, "qoq"),
                          (_PREV_OTHER, "other")):
        match = pattern.search(text)
        if not match:
            continue
        change = bool(match.group(1)) if name != "plan" else False
        if name == "yoy":
            measure = "pct_change_yoy" if change else "pct_of_prior_year"
        elif name == "plan":
            measure = "pct_of_plan"
        elif name == "qoq" and change:
            measure = "pct_change_qoq"
        else:
            skip = f"an index against the previous period ({match.group(0).strip()!r}) " \
                   "has no measure in the contract"
        text = (text[:match.start()] + " " + text[match.end():]).strip()
        break
    else:
        match = _VS_ANY.search(text)
        if match:  # "so với: Quý II năm 2021", "so với vụ đông xuân 2021 (%)"
            measure = "pct_of_prior_year"
            ref = one_line(_LEFTOVER.sub(" ", match["ref"]))
            text = text[:match.start()].strip()
            kind = header_kind(text)
            return Kind(measure, kind.qualifier, kind.ytd, kind.skip, kind.rest, ref or "?")
    qualifier: str | None = None
    ytd = False
    for name, pattern in _WORDS:
        if not pattern.search(text):
            continue
        text = pattern.sub(" ", text)
        if name == "ytd":
            ytd = True
        elif name == "share" and measure == "value":
            measure = "share_pct"
        elif name in ("estimate", "preliminary"):
            qualifier = "estimate"
        elif name == "exact":
            qualifier = qualifier or "exact"
        elif name == "plan" and measure == "value":
            measure = "plan"
    if measure == "value" and _CHANGE_ONLY.search(text):
        skip = f"a change without its reference period ({one_line(header)!r})"
    text = _LEFTOVER.sub(" ", text)
    return Kind(measure, qualifier, ytd, skip, one_line(text))


def is_comparison(header: str) -> bool:
    """True when the text compares with another period or the plan ("So với ...")."""
    text = one_line(header)
    return any(p.search(text) for p in (_PRIOR_YEAR, _PLAN, _PREV_QUARTER, _PREV_OTHER))
