"""Administrative levels of Vietnamese local government, as report headings name them.

Kept apart from :mod:`kpi.extract.heading` (which reads report headings and imports the table
readers) so the report notebooks can rank areas without importing the ingest side.
"""

from __future__ import annotations

from typing import Final

#: Level word (lower case) → (slug level, display prefix, rank: lower is more local).
LEVELS: Final[dict[str, tuple[str, str, int]]] = {
    "xã": ("commune", "Xã", 0),
    "phường": ("ward", "Phường", 0),
    "thị trấn": ("town", "Thị trấn", 0),
    "thị xã": ("district-town", "Thị xã", 1),
    "huyện": ("district", "Huyện", 1),
    "quận": ("district", "Quận", 1),
    "thành phố": ("city", "Thành phố", 2),
    "tp": ("city", "Thành phố", 2),
    "tp.": ("city", "Thành phố", 2),
    "tỉnh": ("province", "Tỉnh", 3),
}
