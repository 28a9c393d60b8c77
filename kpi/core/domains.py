"""The domains indicators belong to, their reader-facing names (Vietnamese, English), and
the domains that have a report notebook.

A module of its own, without pandas: the runner's workers name each report with it and
never otherwise load pandas (a worker's kernel does the analysis).
"""

from __future__ import annotations

from typing import Final

DOMAIN_NAMES: Final[dict[str, tuple[str, str]]] = {
    "revenue": ("thu, chi ngân sách", "budget revenue and spending"),
    "vaccination": ("tiêm chủng", "vaccination"),
    "welfare": ("an sinh xã hội", "social welfare"),
    "urban_works": ("đô thị, xây dựng", "urban works"),
    "health": ("y tế", "health"),
    "party": ("công tác xây dựng Đảng", "party work"),
    "agriculture": ("nông nghiệp", "agriculture"),
    "economy": ("kinh tế", "economy"),
    "social": ("văn hóa - xã hội", "social affairs"),
}

#: Every domain the catalogue may name, in reading order.
DOMAINS: Final = tuple(DOMAIN_NAMES)
#: Domains with a report notebook of their own (the overview covers them all).
REPORT_DOMAINS: Final = ("revenue", "vaccination", "welfare", "urban_works")
