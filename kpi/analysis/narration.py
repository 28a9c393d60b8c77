"""Short sentences from the headline numbers, in Vietnamese (default) or English.

"Tổng thu ngân sách quý I/2022 đạt gần 4,88 tỷ đồng, tăng 12,3% so với quý trước."
"Total budget revenue in Q1 2022 reached nearly 4.88 billion VND, up 12.3% on the
previous quarter." Qualifiers are carried into the verb (ước đạt / reached an estimated,
đạt gần / reached nearly, đạt hơn / reached more than); a missing previous quarter says
so instead of comparing across the gap.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from kpi.analysis.comparisons import note
from kpi.analysis.headlines import headline_raw
from kpi.analysis.records import records
from kpi.analysis.series import Quarterly
from kpi.core import labels
from kpi.core.catalog import Catalog


@dataclass(frozen=True)
class Narrative(Sequence[str]):
    """Sentences; ``str()`` joins them, a notebook shows them as a bullet list."""

    sentences: tuple[str, ...]

    def __getitem__(self, i):  # type: ignore[override]
        return self.sentences[i]

    def __len__(self) -> int:
        return len(self.sentences)

    def __iter__(self) -> Iterator[str]:
        return iter(self.sentences)

    def __str__(self) -> str:
        return " ".join(self.sentences)

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- {s}" for s in self.sentences)


def _nan(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _reached(qualifier: str, amount: str, lang: str) -> str:
    if lang == "en":
        word = labels.QUALIFIER_WORDS.get(qualifier, ("", ""))[1]
        return f"reached {word} {amount}" if word else f"reached {amount}"
    if qualifier == "estimate":
        return f"ước đạt {amount}"
    word = labels.QUALIFIER_WORDS.get(qualifier, ("", ""))[0]
    return f"đạt {word} {amount}" if word else f"đạt {amount}"


def _direction(pct: float, against: str, lang: str) -> str:
    size = labels.format_pct(abs(pct), lang)
    if lang == "en":
        if pct == 0:
            return f"unchanged on {against}"
        return f"{'up' if pct > 0 else 'down'} {size} on {against}"
    if pct == 0:
        return f"bằng {against}"
    return f"{'tăng' if pct > 0 else 'giảm'} {size} so với {against}"


def _clauses(row: dict, lang: str) -> list[str]:
    en = lang == "en"
    out = []
    if not _nan(row["qoq_pct"]):
        out.append(_direction(row["qoq_pct"], "the previous quarter" if en else "quý trước",
                              lang))
    else:
        out.append(note("qoq", "gap" if _nan(row["previous"]) else "zero", lang))
    last_year = "the same quarter last year" if en else "cùng kỳ năm trước"
    if not _nan(row["yoy_pct"]):
        out.append(_direction(row["yoy_pct"], last_year, lang))
    elif not _nan(row["yoy_reported_pct"]):
        said = "as reported" if en else "theo báo cáo"
        out.append(f"{_direction(row['yoy_reported_pct'], last_year, lang)} ({said})")
    pct_plan = row["pct_of_plan"] if not _nan(row["pct_of_plan"]) else row[
        "pct_of_plan_reported"]
    if not _nan(pct_plan):
        size = labels.format_pct(pct_plan, lang)
        out.append(f"{size} of the annual plan" if en else f"bằng {size} kế hoạch năm")
    return out


def sentence(row: dict, lang: str = "vi") -> str:
    """One sentence for one headline row (a dict with
    :data:`kpi.analysis.headlines.RAW_COLUMNS`)."""
    en = lang == "en"
    quarter = labels.quarter_label(row["period"], lang)
    when = f"in {quarter}" if en else labels.in_sentence(quarter)
    name = row["name"]
    if _nan(row["value"]):
        return f"{name}: no data for {quarter}." if en else (
            f"{name}: không có số liệu {labels.in_sentence(quarter)}.")
    amount = labels.format_value(row["value"], row["unit"], lang)
    if row["span"] != "quarter":
        cell = labels.cell_label(row["period"], row["span"], lang,
                                 month=None if _nan(row["month"]) else int(row["month"]),
                                 as_of=row["as_of"])
        missing = (f"no figure for the whole of {quarter}" if en
                   else f"không có số liệu cả {labels.in_sentence(quarter)}")
        lead = f"{name} ({cell})" if en else f"{name} {cell}"
        return f"{lead} {_reached(row['qualifier'], amount, lang)} ({missing})."
    return ", ".join([f"{name} {when} {_reached(row['qualifier'], amount, lang)}",
                      *_clauses(row, lang)]) + "."


def narrate(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
            quarter: str | pd.Period, domain: str | None = None, *,
            indicators: Sequence[str] | None = None, lang: str = "vi",
            raw: pd.DataFrame | None = None) -> Narrative:
    """Sentences for a domain's headline indicators (or just ``indicators``).

    One sentence per headline row; when nothing has data this quarter, a single sentence
    saying so. ``domain`` defaults to the domain of the first of ``indicators``. ``raw``:
    the same call's :func:`headline_raw` table when the caller already has it.
    """
    if domain is None:
        if not indicators:
            raise ValueError("narrate() needs a domain or indicators")
        domain = catalog[indicators[0]].domain
    if raw is None:
        raw = headline_raw(data, catalog, area, quarter, domain, lang)
    rows = records(raw)
    if indicators is not None:
        wanted = set(indicators)
        rows = [r for r in rows if r["indicator"] in wanted]
    if not any(not _nan(r["value"]) for r in rows):
        label = labels.quarter_label(pd.Period(quarter, freq="Q-DEC"), lang)
        topic = labels.domain_name(domain, lang)
        if lang == "en":
            return Narrative((f"No {topic} data for {label}.",))
        return Narrative((f"Không có số liệu {topic} {labels.in_sentence(label)}.",))
    return Narrative(tuple(sentence(r, lang) for r in rows))
