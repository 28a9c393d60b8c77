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

from kpi.numbers.vietnamese import (
    AMOUNT_PATTERN,
    Amount,
    ParsedSeries,
    Rejection,
    clean_text,
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
