"""Province-sized samples: ``kpi sample --areas N``.

The shipped sample has six areas of Cẩm Xuyên district. To try the reports at the scale
of a province, :func:`province_areas` adds synthetic communes, grouped into districts
named after Hà Tĩnh's, until there are ``n`` areas in all; each district's communes
share its first syllable, as real ones often do ("Kỳ Tân", "Kỳ Hoa" in Kỳ Anh). Sizes
and issuers are drawn from the seed: same ``n`` and seed, same areas.

:func:`register_yaml` is the ``areas.yaml`` the sample writes beside its reports: every
area's slug, name, district slug and district name, which the ingest copies into
``processed/areas.csv`` (the report index groups areas by district with it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Final

from kpi.sample.series import AREAS, Area, rng

#: The district of the shipped areas.
HOME: Final = ("cam-xuyen-district", "Cẩm Xuyên")
#: Further districts: (name, first syllable of their communes' names).
DISTRICTS: Final = (
    ("Kỳ Anh", "Kỳ"), ("Thạch Hà", "Thạch"), ("Hương Khê", "Hương"), ("Đức Thọ", "Đức"),
    ("Nghi Xuân", "Xuân"), ("Can Lộc", "Thiên"), ("Hương Sơn", "Sơn"), ("Vũ Quang", "Quang"),
    ("Lộc Hà", "Hộ"), ("Hồng Lĩnh", "Trung"),
)
#: Second syllables of commune names.
SYLLABLES: Final = (
    "An", "Bình", "Châu", "Dương", "Điền", "Đông", "Giang", "Hà", "Hải", "Hòa", "Hợp",
    "Hưng", "Lạc", "Lâm", "Liên", "Lĩnh", "Long", "Lộc", "Minh", "Mỹ", "Nam", "Phong",
    "Phú", "Phúc", "Sơn", "Tân", "Thắng", "Thịnh", "Thọ", "Thủy", "Tiến", "Trung",
    "Trường", "Văn", "Vĩnh", "Xá", "Yên",
)
#: Communes per added district.
PER_DISTRICT: Final = 25
MAX_AREAS: Final = len(AREAS) + len(DISTRICTS) * PER_DISTRICT


def slug_of(name: str, level: str = "commune") -> str:
    """"Kỳ Tân" → ``ky-tan-commune`` (as :mod:`kpi.extract.heading` makes slugs from headings)."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return "-".join([*ascii_.split(), level])


def province_areas(n: int, seed: int) -> tuple[list[Area], dict[str, tuple[str, str]]]:
    """``n`` areas (the shipped six first, then added communes) and each one's district
    as (slug, name). Raises ``ValueError`` when ``n`` is below 1 or above
    :data:`MAX_AREAS`."""
    if not 1 <= n <= MAX_AREAS:
        raise ValueError(f"--areas must be between 1 and {MAX_AREAS}")
    areas = list(AREAS[:n])
    district = {a.slug: HOME for a in areas}
    taken = {a.slug for a in AREAS}
    for d_name, first in DISTRICTS:
        if len(areas) >= n:
            break
        d_slug = slug_of(d_name, "district")
        r = rng(seed, "province", d_name)
        names = [s for s in SYLLABLES if slug_of(f"{first} {s}") not in taken]
        r.shuffle(names)
        for second in names[:min(PER_DISTRICT, n - len(areas))]:
            name = f"{first} {second}"
            slug = slug_of(name)
            taken.add(slug)
            a = rng(seed, "province", slug)
            areas.append(Area(slug, name, "commune", a.choice(("party", "people")),
                              round(a.uniform(0.25, 1.2), 2), round(a.uniform(0.15, 1.1), 2),
                              round(a.uniform(0.5, 1.4), 2), a.randint(6, 16), a.randint(12, 60)))
            district[slug] = (d_slug, d_name)
    return areas, district


def register_yaml(areas: Sequence[Area], district: dict[str, tuple[str, str]]) -> str:
    """The ``areas.yaml`` register: one entry per area (YAML written by hand: stable)."""
    lines = ["# Areas of the sample (synthetic): slug, name, district. kpi ingest copies",
             "# them into data/processed/areas.csv.", "areas:"]
    for a in areas:
        d_slug, d_name = district[a.slug]
        lines += [f"  - area: {a.slug}", f'    name: "{a.full_name[0].upper()}{a.full_name[1:]}"',
                  f"    district: {d_slug}", f'    district_name: "Huyện {d_name}"']
    return "\n".join(lines) + "\n"
