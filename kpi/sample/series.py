"""The hidden quarterly series behind the synthetic sample data set.

Six areas of Cẩm Xuyên district (the town and five communes), eight quarters
2021Q1..2022Q4. The town's series is written out by hand: its 2022Q1 values are the
real seed report's (budget revenue 4.884.100.000 đ, doses 85/170/3.918, 1.327 Tết
gifts ...), the other quarters continue them with the seasons of such reports
(revenue peaks in Q4, vaccination waves 2021Q3–2022Q1, Tết welfare in Q1, building in
the dry season). Each commune scales the town's series by its own size factors, with
seeded noise: same seed, same numbers. The town's numbers do not depend on the seed.

:func:`build_series` returns a :class:`Series` of exact quarterly values per
indicator; the report and table writers state them (rounded, year-to-date, as a share
of plan ...) and record what they stated.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

QUARTERS: Final = tuple(f"{y}Q{q}" for y in (2021, 2022) for q in (1, 2, 3, 4))
ANCHOR: Final = QUARTERS.index("2022Q1")
SEED_AREA: Final = "cam-xuyen-town"
SEED_PERIOD: Final = "2022Q1"


@dataclass(frozen=True)
class Area:
    """An administrative unit of the sample and the factors that size its series.

    ``scale`` sizes people-counted indicators, ``money`` revenue and output, ``farm``
    rice and livestock, all relative to the town. ``issuer`` is ``party`` (Đảng uỷ
    reports, numbered NN-BC/ĐU) or ``people`` (UBND reports, numbered NN/BC-UBND).
    """

    slug: str
    name: str
    kind: str
    issuer: str
    scale: float
    money: float
    farm: float
    villages: int
    doc_no: int

    @property
    def level(self) -> str:
        return "thị trấn" if self.kind == "town" else "xã"

    @property
    def short(self) -> str:
        """How a report names its own unit: "toàn thị", "UBND xã"."""
        return "thị" if self.kind == "town" else "xã"

    @property
    def village(self) -> str:
        return "TDP" if self.kind == "town" else "thôn"

    @property
    def full_name(self) -> str:
        return f"{self.level} {self.name}"


AREAS: Final = (
    Area("cam-xuyen-town", "Cẩm Xuyên", "town", "party", 1.0, 1.0, 0.35, 16, 52),
    Area("cam-binh-commune", "Cẩm Bình", "commune", "people", 0.62, 0.42, 1.0, 11, 38),
    Area("cam-thanh-commune", "Cẩm Thành", "commune", "party", 0.71, 0.55, 0.9, 12, 45),
    Area("cam-quang-commune", "Cẩm Quang", "commune", "people", 0.44, 0.31, 1.1, 9, 27),
    Area("cam-vinh-commune", "Cẩm Vịnh", "commune", "party", 0.36, 0.26, 0.8, 8, 19),
    Area("cam-thach-commune", "Cẩm Thạch", "commune", "people", 0.52, 0.34, 1.2, 10, 31),
)
AREA_BY_SLUG: Final = {a.slug: a for a in AREAS}


@dataclass(frozen=True)
class Profile:
    """The town's eight quarterly values, how to round them, and how communes scale."""

    town: tuple[float, ...]
    step: float = 1
    by: str = "scale"  # scale | money | farm | pct
    noise: float = 0.08


_B = 1_000_000_000
_M = 1_000_000


def _p(values: tuple[float, ...], unit: float = 1, step: float = 1, by: str = "scale",
       noise: float = 0.08) -> Profile:
    return Profile(tuple(v * unit for v in values), step, by, noise)


# The town, 2021Q1..2022Q4. Index 4 (2022Q1) holds the real seed's values where it states
# them; a 0 means nothing of the kind happened (or was reported) that quarter.
PROFILES: Final[dict[str, Profile]] = {
    "budget_revenue": _p((4200.3, 3907.3, 3711.9, 5470.2, 4884.1, 4932.9, 4542.2, 6349.3),
                         _M, 100_000, "money", 0.07),
    "budget_expenditure": _p((3.8, 4.0, 3.7, 5.7, 4.15, 4.4, 3.95, 6.0), _B, _M, "money", 0.06),
    # the housing tax of the quarter's last month ("Riêng trong tháng 3 thu được 35 hộ ...")
    "housing_tax_revenue": _p((172, 198, 160, 236, 215, 241, 181, 260), _M, _M, "money", 0.15),
    "housing_tax_households": _p((28, 32, 26, 38, 35, 39, 29, 42), noise=0.15),
    "industry_construction_output": _p((45.55, 49.5, 51.3, 57.6, 45.0, 50.4, 53.6, 61.2), _B,
                                       10 * _M, "money", 0.06),
    "public_investment": _p((0.6, 1.4, 1.9, 2.6, 0.5, 1.8, 2.4, 3.1), _B, 10 * _M, "money", 0.2),
    "covid_doses_1": _p((0, 150, 8600, 1900, 85, 1350, 260, 60), noise=0.12),
    "covid_doses_2": _p((0, 0, 4100, 6300, 170, 720, 830, 140), noise=0.12),
    "covid_doses_3": _p((0, 0, 0, 520, 3918, 2450, 980, 410), noise=0.12),
    "child_full_immunisation": _p((28, 23, 21, 26, 25, 27, 22, 24), noise=0.15),
    "measles_rubella_polio_vaccination": _p((305, 0, 318, 0, 332, 0, 341, 0), noise=0.1),
    "health_declarations": _p((1900, 1200, 3800, 2600, 5412, 900, 0, 0), noise=0.15),
    # new F0 cases each quarter; the reports state the running total ("tính đến 23/3 có ...")
    "covid_f0_new": _p((0, 2, 7, 22, 1846, 533, 55, 25), noise=0.2),
    "outpatients": _p((322, 301, 287, 331, 340, 316, 298, 329), noise=0.08),
    "patients_referred": _p((11, 9, 8, 12, 12, 10, 9, 11), noise=0.25),
    "tet_gifts": _p((1180, 0, 0, 0, 1327, 0, 0, 0), noise=0.06),
    "longevity_gifts": _p((281, 0, 0, 0, 296, 0, 0, 0), noise=0.06),
    "development_loans_households": _p((9, 14, 11, 15, 12, 10, 13, 16), noise=0.2),
    "merit_allowance_amount": _p((2710, 2690, 2980, 3240, 3236, 3222, 3214, 3251), _M, _M,
                                 "scale", 0.02),
    "merit_beneficiaries": _p((684, 680, 676, 671, 665, 662, 658, 654), noise=0.0),
    "disability_benefit_proposals": _p((2, 4, 3, 2, 3, 5, 2, 3), noise=0.35),
    "age80_benefit_proposals": _p((4, 2, 3, 5, 3, 2, 4, 3), noise=0.35),
    "poor_household_certificates": _p((31, 0, 58, 0, 35, 0, 62, 0), noise=0.15),
    "war_invalid_gifts": _p((0, 0, 398, 0, 4, 0, 412, 0), noise=0.08),
    "scholarships_proposed": _p((5, 0, 9, 0, 6, 0, 11, 0), noise=0.25),
    "trees_planted": _p((40, 12, 0, 18, 25, 30, 15, 60), noise=0.25),
    "green_fence_m": _p((450, 300, 120, 250, 600, 820, 400, 500), step=10, noise=0.2),
    "roads_built_m": _p((0, 650, 900, 300, 0, 1250, 1600, 700), step=5, noise=0.2),
    "drains_built_m": _p((0, 320, 480, 150, 0, 560, 740, 300), step=5, noise=0.2),
    "land_certificate_dossiers": _p((24, 31, 33, 28, 27, 34, 30, 26), noise=0.15),
    "pre1980_land_dossiers": _p((15, 21, 24, 18, 19, 23, 20, 17), noise=0.15),
    # percent of the season's plan (đạt 60% so với kế hoạch)
    "crop_restructuring": _p((100, 0, 0, 0, 100, 0, 0, 0), by="pct", noise=0.0),
    "livestock_vaccination": _p((55, 100, 62, 98, 60, 100, 65, 100), by="pct", noise=6.0),
    "livestock_head": _p((11800, 12100, 12400, 12250, 11900, 12350, 12600, 12500), step=50,
                         by="farm", noise=0.03),
    "rice_area_ha": _p((185, 120, 0, 0, 182, 118, 0, 0), by="farm", noise=0.04),
    "party_new_members": _p((4, 6, 3, 7, 5, 6, 4, 8), noise=0.3),
    "party_leavers": _p((2, 1, 3, 2, 2, 1, 2, 3), noise=0.4),
    "party_candidates_introduced": _p((9, 14, 8, 12, 21, 11, 9, 15), noise=0.25),
    "party_badges_awarded": _p((15, 22, 18, 20, 17, 24, 19, 21), noise=0.2),
    "party_badge_dossiers": _p((28, 19, 24, 33, 31, 22, 26, 35), noise=0.2),
    "party_badge_early": _p((9, 5, 8, 11, 12, 6, 7, 12), noise=0.2),
    "party_resolutions_issued": _p((1, 1, 2, 1, 1, 2, 1, 2), noise=0.0),
    "party_directives_issued": _p((2, 1, 1, 1, 2, 1, 1, 1), noise=0.0),
    "party_plans_issued": _p((8, 10, 7, 9, 9, 11, 8, 10), noise=0.2),
    "party_guidelines_issued": _p((2, 1, 1, 2, 2, 1, 1, 1), noise=0.0),
}

#: Hand-set values of the town that follow from the seed report.
TOWN_FIXED: Final[dict[str, tuple[float, ...]]] = {
    # amounts that go with counts: gifts × a unit value that rises a little each year
    "tet_gifts_amount": (395 * _M, 0, 0, 0, 458 * _M, 0, 0, 0),
    "longevity_gifts_amount": (84.3 * _M, 0, 0, 0, 97.2 * _M, 0, 0, 0),
    "war_invalid_gifts_amount": (0, 0, 119.4 * _M, 0, 60 * _M, 0, 123.6 * _M, 0),
    "development_loans_amount": (351.2 * _M, 590.5 * _M, 447.8 * _M, 655 * _M, 499.64 * _M,
                                 431.2 * _M, 562.9 * _M, 702.4 * _M),
    "handicraft_output": (30.4 * _B, 32.1 * _B, 33.6 * _B, 37.9 * _B, 30 * _B, 33.3 * _B,
                          35.2 * _B, 40.1 * _B),
}
TOWN_PARTY_MEMBERS_2022Q1: Final = 1124
#: Budget revenue plans (dự toán) of the town; communes get theirs from their own totals.
TOWN_PLAN: Final = {2021: 16.5 * _B, 2022: 19.0 * _B}


def rng(seed: int, *key: str) -> random.Random:
    """A generator for one purpose: the same (seed, key) always draws the same numbers."""
    return random.Random(f"kpi.sample.dataset|{seed}|" + "|".join(key))


@dataclass(frozen=True)
class Series:
    """Exact quarterly values of one area: ``values[indicator][i]`` for ``QUARTERS[i]``."""

    area: Area
    values: dict[str, tuple[float, ...]]
    plan: dict[int, float]  # budget revenue plan per year
    prior_growth: dict[str, tuple[float, ...]]  # 2021 vs 2020 growth (%), per quarter

    def q(self, indicator: str, i: int) -> float:
        return self.values[indicator][i]

    def ytd(self, indicator: str, i: int) -> float:
        """Sum from the year's first quarter to quarter ``i`` (flows)."""
        return sum(self.values[indicator][i - i % 4: i + 1])

    def year(self, indicator: str, i: int) -> float:
        start = i - i % 4
        return sum(self.values[indicator][start: start + 4])

    def yoy(self, indicator: str, i: int, span: str = "quarter") -> float:
        """Growth (%) on the same span a year earlier; 2021 uses the hidden 2020 growth."""
        if i < 4:
            return self.prior_growth[indicator][i if span == "quarter" else i % 4]
        pick = {"quarter": self.q, "ytd": self.ytd, "year": self.year}[span]
        return (pick(indicator, i) / pick(indicator, i - 4) - 1) * 100


def _round(value: float, step: float) -> float:
    return float(round(value / step) * step)


def _commune_values(area: Area, code: str, prof: Profile, seed: int) -> tuple[float, ...]:
    r = rng(seed, area.slug, code)
    if prof.by == "pct":
        out = []
        for v in prof.town:
            if v == 0:
                out.append(0.0)
            elif v >= 98:
                out.append(float(min(100, round(v - abs(r.gauss(0, 1.5))))))
            else:
                out.append(float(min(100, max(35, round(v + r.gauss(0, prof.noise))))))
        return tuple(out)
    factor = {"scale": area.scale, "money": area.money, "farm": area.farm}[prof.by]
    level = factor * math.exp(r.gauss(0, 0.15))
    out = []
    for v in prof.town:
        if v == 0:
            out.append(0.0)
            continue
        x = _round(v * level * math.exp(r.gauss(0, prof.noise)), prof.step)
        out.append(max(x, prof.step))
    return tuple(out)


def _amounts(counts: tuple[float, ...], town_counts: tuple[float, ...],
             town_amounts: tuple[float, ...], r: random.Random, step: float) -> tuple[float, ...]:
    """Amounts for a commune's counts at the town's unit value (± 10 %)."""
    out = []
    for n, tn, ta in zip(counts, town_counts, town_amounts, strict=True):
        unit = ta / tn if tn else 0.0
        out.append(_round(n * unit * r.uniform(0.9, 1.1), step) if n else 0.0)
    return tuple(out)


def build_series(area: Area, seed: int) -> Series:
    """The exact quarterly values of ``area``; the town's do not depend on ``seed``."""
    town = area.kind == "town"
    values: dict[str, tuple[float, ...]] = {}
    for code, prof in PROFILES.items():
        values[code] = prof.town if town else _commune_values(area, code, prof, seed)
    r = rng(seed, area.slug, "amounts")
    for code, fixed in TOWN_FIXED.items():
        if town:
            values[code] = fixed
            continue
        count = {"tet_gifts_amount": "tet_gifts", "longevity_gifts_amount": "longevity_gifts",
                 "war_invalid_gifts_amount": "war_invalid_gifts",
                 "development_loans_amount": "development_loans_households"}.get(code)
        if count:
            values[code] = _amounts(values[count], PROFILES[count].town, fixed, r, 100_000)
        else:  # handicraft: the town's share of the total, varied
            total = values["industry_construction_output"]
            values[code] = tuple(_round(t * f / tt * r.uniform(0.85, 1.1), 10 * _M)
                                 for t, f, tt in zip(total, fixed,
                                                     PROFILES["industry_construction_output"].town,
                                                     strict=True))
    _derive(values, area, seed)
    plan = dict(TOWN_PLAN) if town else _plans(values["budget_revenue"], rng(seed, area.slug,
                                                                             "plan"))
    growth = rng(seed, area.slug, "growth")
    prior = {code: tuple(round(growth.uniform(-4, 16), 1) for _ in range(4))
             for code in ("budget_revenue", "industry_construction_output")}
    return Series(area, values, plan, prior)


def _derive(values: dict[str, tuple[float, ...]], area: Area, seed: int) -> None:
    """Totals from parts, running totals, and the stock of party members."""
    values["covid_doses_total"] = tuple(map(sum, zip(
        values["covid_doses_1"], values["covid_doses_2"], values["covid_doses_3"], strict=True)))
    values["patients_examined"] = tuple(a + b for a, b in zip(
        values["outpatients"], values["patients_referred"], strict=True))
    values["construction_output"] = tuple(t - h for t, h in zip(
        values["industry_construction_output"], values["handicraft_output"], strict=True))
    running, f0 = 0.0, []
    for new in values["covid_f0_new"]:
        running += new
        f0.append(running)
    values["covid_f0_cases"] = tuple(f0)
    early = [min(e, d) for e, d in zip(values["party_badge_early"],
                                       values["party_badge_dossiers"], strict=True)]
    values["party_badge_early"] = tuple(early)
    net = [n - gone for n, gone in zip(values["party_new_members"], values["party_leavers"],
                                      strict=True)]
    if area.kind == "town":
        at_anchor = float(TOWN_PARTY_MEMBERS_2022Q1)
    else:
        r = rng(seed, area.slug, "party_members")
        at_anchor = float(round(TOWN_PARTY_MEMBERS_2022Q1 * area.scale * r.uniform(0.85, 1.15)))
    members = [at_anchor + sum(net[ANCHOR + 1: i + 1]) - sum(net[i + 1: ANCHOR + 1])
               for i in range(len(QUARTERS))]
    values["party_members"] = tuple(members)


def _plans(revenue: tuple[float, ...], r: random.Random) -> dict[int, float]:
    """A plan a little under each year's total, rounded as a district sets it (0,5 tỷ)."""
    out = {}
    for k, year in enumerate((2021, 2022)):
        total = sum(revenue[4 * k: 4 * k + 4])
        out[year] = max(_round(total / r.uniform(0.98, 1.12), 500 * _M), 500 * _M)
    return out
