"""Province-level units, regions and the whole country: names → area slugs.

Slugs are the ASCII-folded name plus the kind of unit, as for every area in the
project (``cam-xuyen-town``): the 58 provinces give ``<name>-province``
(``ha-tinh-province``), the five centrally-run cities ``<name>-city`` (``ha-noi-city``,
``ho-chi-minh-city``), the six statistical regions ``<name>-region`` and the whole
country ``vietnam``. Names match with or without diacritics, hyphens, "Tỉnh"/"TP."
prefixes and common variant spellings ("Đắc Lắc", "Thua Thien - Hue", "Ho Chi Minh City").
"""

from __future__ import annotations

import re
from typing import Final

from kpi.core.text import fold, slugify

COUNTRY: Final = "vietnam"

_CITIES: Final = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ")
_PROVINCES: Final = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh",
    "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình",
    "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh",
    "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)
#: Provinces merged away, still present in older tables (Hà Tây joined Hà Nội in 2008).
_FORMER_PROVINCES: Final = ("Hà Tây",)
_REGIONS: Final = (
    "Đồng bằng sông Hồng", "Trung du và miền núi phía Bắc",
    "Bắc Trung Bộ và duyên hải miền Trung", "Tây Nguyên", "Đông Nam Bộ",
    "Đồng bằng sông Cửu Long",
)
_COUNTRY_NAMES: Final = ("Cả nước", "Toàn quốc", "Việt Nam", "Vietnam", "Toàn quốc (cả nước)")
#: Variant spellings → the canonical name above.
_ALIASES: Final = {
    "Bắc Cạn": "Bắc Kạn", "Đắc Lắc": "Đắk Lắk", "Dac Lac": "Đắk Lắk", "Đắk Lắc": "Đắk Lắk",
    "Đắc Nông": "Đắk Nông", "Huế": "Thừa Thiên Huế", "Sài Gòn": "Hồ Chí Minh",
    "HCM": "Hồ Chí Minh", "HCMC": "Hồ Chí Minh", "Kontum": "Kon Tum",
}
_PREFIX: Final = re.compile(r"^(tinh|thanh pho|tp\.?|t\.p\.?)\s+")
_SUFFIX: Final = re.compile(r"\s+(city|province)$")


def _key(name: str) -> str:
    text = _SUFFIX.sub("", _PREFIX.sub("", fold(name)))
    return re.sub(r"[^a-z0-9]", "", text)


def _build() -> tuple[dict[str, str], dict[str, str]]:
    slugs: dict[str, str] = {}
    names: dict[str, str] = {COUNTRY: "Việt Nam"}
    for group, kind in ((_CITIES, "city"), (_PROVINCES, "province"),
                        (_FORMER_PROVINCES, "province"), (_REGIONS, "region")):
        for name in group:
            slug = f"{slugify(name)}-{kind}"
            slugs[_key(name)] = slug
            names[slug] = name
    for name in _COUNTRY_NAMES:
        slugs[_key(name)] = COUNTRY
    for alias, name in _ALIASES.items():
        slugs[_key(alias)] = slugs[_key(name)]
    return slugs, names


_SLUGS, AREA_NAMES = _build()
#: Slugs of the 63 province-level units in force since 2008.
PROVINCE_SLUGS: Final = frozenset(
    f"{slugify(n)}-{'city' if n in _CITIES else 'province'}" for n in (*_CITIES, *_PROVINCES)
)


def area_slug(name: str) -> str | None:
    """The slug of a province, centrally-run city, region or the country; None if unknown."""
    key = _key(name)
    return _SLUGS.get(key) if key else None
