"""Vietnamese numbers, money and percentages: read them exactly, write them for readers.

Public API (the rest of the package is private to it):

- :func:`parse_number`, :func:`parse_amount` read one mention ("4.884.100.000đ", "3,2 tỷ");
- :func:`parse_series`, :func:`parse_series_report` read a whole column, unique texts once;
- :func:`format_number`, :func:`format_percent`, :func:`format_vnd` write for readers
  (``4.884.100.000 đ``, ``3,2 tỷ đồng``);
- :data:`AMOUNT_PATTERN` finds mentions in prose.

Grammar and vocabulary live in :mod:`kpi.numbers.grammar`, column parsing in
:mod:`kpi.numbers.columns`.
"""

from typing import TYPE_CHECKING

from kpi.util.lazy import lazy_exports

if TYPE_CHECKING:
    from kpi.numbers.columns import ParsedSeries, Rejection
    from kpi.numbers.grammar import Amount, clean_text
    from kpi.numbers.vietnamese import (
        AMOUNT_PATTERN,
        format_number,
        format_percent,
        format_vnd,
        parse_amount,
        parse_number,
        parse_series,
        parse_series_report,
    )

__all__ = [
    "AMOUNT_PATTERN",
    "Amount",
    "ParsedSeries",
    "Rejection",
    "clean_text",
    "format_number",
    "format_percent",
    "format_vnd",
    "parse_amount",
    "parse_number",
    "parse_series",
    "parse_series_report",
]

#: Loaded on first use: the grammar alone (what kpi.core and the text readers use) must not
#: bring pandas in with the column parser.
_WHERE = {name: "kpi.numbers.vietnamese" for name in __all__} | {
    "ParsedSeries": "kpi.numbers.columns",
    "Rejection": "kpi.numbers.columns",
    "Amount": "kpi.numbers.grammar",
    "clean_text": "kpi.numbers.grammar",
}
__getattr__, __dir__ = lazy_exports("kpi.numbers", globals(), _WHERE)
