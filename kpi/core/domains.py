"""Reader-facing names of the report domains: (Vietnamese, English).

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
