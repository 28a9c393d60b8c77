"""The README written into the sample folder: what is synthetic, how it was made, what to find.

The text is the template ``templates/README.md.j2``; this module computes what it shows.

Deterministic like the rest of the sample (no dates of generation, no machine paths).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import jinja2

from kpi.sample.report import DOSES_TYPO, NFD_REPORT
from kpi.sample.series import (
    ANCHOR,
    AREA_BY_SLUG,
    PROFILES,
    SEED_AREA,
    SEED_PERIOD,
    TOWN_PLAN,
    Area,
)
from kpi.sample.text import BILLION, decimal, digits

_TEMPLATES: Final = Path(__file__).with_name("templates")


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)
    return env.get_template("README.md.j2")


def readme(seed: int, quarters: list[str], areas: list[str], truth: list[dict[str, object]],
           reports: list[dict[str, str]], by_slug: Mapping[str, Area] = AREA_BY_SLUG) -> str:
    """The sample folder's README.md for this run (``by_slug``: the areas by slug), from
    ``templates/README.md.j2``."""
    facts = sum(str(t["source"]).startswith("reports/") for t in truth)
    per_area = Counter(r["area"] for r in reports)
    rev = PROFILES["budget_revenue"].town
    half = rev[ANCHOR] + rev[ANCHOR + 1]
    return _template().render(
        seed=seed,
        quarters=quarters,
        areas=[{"slug": slug, "name": by_slug[slug].full_name,
                "issuer": "Đảng uỷ (NN-BC/ĐU)" if by_slug[slug].issuer == "party"
                else "UBND (NN/BC-UBND)", "reports": per_area[slug]} for slug in areas],
        seed_area=SEED_AREA,
        seed_period=SEED_PERIOD,
        reports=reports,
        styles=Counter(r["style"] for r in reports),
        facts=facts,
        cells=len(truth) - facts,
        revenue={"q1": digits(rev[ANCHOR]), "q2": digits(rev[ANCHOR + 1]),
                 "half": decimal(half / BILLION, 1),
                 "pct_of_plan": decimal(half / TOWN_PLAN[2022] * 100, 0),
                 "plan_2021": decimal(TOWN_PLAN[2021] / BILLION, 1),
                 "plan_2022": decimal(TOWN_PLAN[2022] / BILLION, 1)},
        doses_typo=DOSES_TYPO,
        quirky=[r for r in reports if r["quirks"]],
        nfd_report=NFD_REPORT if NFD_REPORT[0] in areas and NFD_REPORT[1] in quarters else None,
    )
