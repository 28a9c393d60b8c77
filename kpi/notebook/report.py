"""Glue for the report notebooks: one call per notebook section.

A notebook opens a :class:`Report` once (observations loaded, ingesting ``raw/`` first when
needed; the quarterly series computed once) and then calls one method per section::

    report = open_report(data_dir, area, quarter, lang, domain="revenue")
    report.title()        # heading with area name and quarter; says when data are missing
    report.headline()     # the headline table (value, QoQ, YoY, % of plan, flags)
    report.narrative()    # sentences, in ``lang``
    report.trends()       # 8-quarter bars of the main indicators
    report.qoq_bars()     # change on the previous quarter
    report.small_multiples()  # the same indicator in neighbouring areas of the same level
    report.ranking()      # the areas of the same level ranked, the area highlighted
    report.context()      # real national (and provincial) figures beside the area
    report.context_chart()  # the national series
    report.findings()     # data-quality findings
    report.sources()      # file, line and text behind every number shown

Every method returns an object that displays itself in a notebook (HTML table, Markdown,
``<img>`` charts with alt text) with a deterministic text form, and never raises for
missing data: an empty section says so in one sentence. Every table or chart holding a
sample (synthetic) value carries a visible "dữ liệu mẫu" / "sample data" mark.

``python -m kpi.notebook refresh notebooks/*.ipynb`` re-runs notebooks with their default
parameters and keeps only the outputs nbval checks (see :func:`refresh_checked_outputs`).
"""

from __future__ import annotations

import html
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd

from kpi import analysis
from kpi.analysis.area_index import area_observations
from kpi.analysis.headlines import display as display_headline
from kpi.analysis.records import records
from kpi.analysis.series import Quarterly
from kpi.analysis.series_cache import cached_quarterly
from kpi.core import labels
from kpi.core.areas import AREAS_CSV, read_areas
from kpi.core.areas import resolve as resolve_area
from kpi.core.catalog import Catalog, load_catalog
from kpi.core.domains import REPORT_DOMAINS
from kpi.core.identifiers import check_area
from kpi.core.levels import LEVELS
from kpi.core.periods import parse_quarter
from kpi.errors import KpiError
from kpi.ingest.pipeline import refresh
from kpi.notebook import plots
from kpi.util.kernel_name import KERNEL_NAME

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: The domain notebooks, in the order the overview lists them (file stem = domain code).
DOMAINS: Final = REPORT_DOMAINS
#: First line of a notebook cell whose stored output nbval compares.
CHECK_MARK: Final = "# NBVAL_CHECK_OUTPUT"
#: Quarters shown in the trend charts.
WINDOW: Final = 8
#: Small multiples are drawn for 2..MAX_PANELS areas of the same level.
MAX_PANELS: Final = 9
NATIONAL: Final = "vietnam"
#: Real national series shown beside a local area, per domain (the first is charted).
CONTEXT: Final[dict[str, tuple[str, ...]]] = {
    "vaccination": ("covid_doses_total", "covid_people_fully_vaccinated"),
    "urban_works": ("public_investment", "public_investment_commune_level"),
}
#: Province of the local areas of the shipped data (Cẩm Xuyên district, Hà Tĩnh); an area
#: not listed gets national context only.
PROVINCE_OF: Final[dict[str, str]] = dict.fromkeys(
    ("cam-xuyen-town", "cam-binh-commune", "cam-quang-commune", "cam-thach-commune",
     "cam-thanh-commune", "cam-vinh-commune"), "ha-tinh-province")
#: Names for areas that no report heading names: (Vietnamese, English).
AREA_NAMES: Final[dict[str, tuple[str, str]]] = {NATIONAL: ("Việt Nam", "Vietnam")}

#: Administrative level of a slug suffix → rank (lower is more local); longest first.
_LEVEL_RANK: Final = dict(sorted({slug: rank for slug, _, rank in LEVELS.values()}.items(),
                                 key=lambda kv: -len(kv[0])))

_WORDS: Final[dict[str, tuple[str, str]]] = {
    "overview": ("Tổng quan", "Overview"),
    "no_quarter": ("Không có số liệu nào của {area} {when}: các phần dưới đây để trống.",
                   "There are no figures for {area} in {when}: the sections below are empty."),
    "no_domain": ("Không có số liệu {topic} của {area} {when}.",
                  "There are no {topic} figures for {area} in {when}."),
    "sample_banner": ("**Dữ liệu mẫu:** một phần số liệu dưới đây là dữ liệu mẫu (tổng hợp), "
                      "không phải báo cáo thật; bảng và biểu đồ có số liệu mẫu đều được đánh "
                      "dấu.",
                      "**Sample data:** some figures below are sample (synthetic) data, not a "
                      "real report; every table and chart holding them is marked."),
    "sample_table": ("⚠ Dữ liệu mẫu: bảng có số liệu mẫu (tổng hợp), không phải báo cáo thật.",
                     "⚠ Sample data: this table holds synthetic figures, not a real report."),
    "sample": ("dữ liệu mẫu", "sample data"),
    "derived": ("số suy ra", "derived"),
    "no_chart": ("Không có số liệu {topic} của {area} trong {n} quý đến {when} để vẽ biểu đồ.",
                 "No {topic} figures for {area} in the {n} quarters to {when} to chart."),
    "no_qoq": ("Không có chỉ tiêu {topic} nào có số liệu {when} để so với quý trước.",
               "No {topic} indicator has a figure for {when} to compare with the previous "
               "quarter."),
    "no_peers": ("Không đủ địa bàn cùng cấp có số liệu {name} để so sánh "
                 "(cần từ 2 đến {max} địa bàn, có {n}).",
                 "Not enough areas of the same level with {name} figures to compare "
                 "(2 to {max} areas needed, {n} found)."),
    "no_rank": ("Không đủ địa bàn cùng cấp có số liệu {name} để xếp hạng (có {n}).",
                "Not enough areas of the same level with {name} figures to rank ({n} found)."),
    "other_domains": ("Khác", "Other"),
    "other_summary": ("Chỉ tiêu không thuộc báo cáo nào ở trên, và số liệu chưa gán chỉ tiêu "
                      "(xem mục Chất lượng dữ liệu).",
                      "Indicators no report above covers, and figures not assigned to an "
                      "indicator (see Data quality)."),
    "no_findings": ("Không phát hiện vấn đề dữ liệu nào.", "No data-quality findings."),
    "no_targets": ("Báo cáo không nêu mục tiêu nào cho năm này.",
                   "The reports state no target for this year."),
    "no_sources": ("Không có số liệu nào được hiển thị, nên không có nguồn.",
                   "No figure is shown, so there are no sources."),
    "no_context": ("Không có số liệu của cả nước hoặc của tỉnh để đặt bên cạnh địa bàn này.",
                   "No national or provincial figures to show beside this area."),
    "real": ("số liệu thật", "real data"),
    "national": ("cả nước", "national"),
    "province": ("tỉnh", "province"),
}
_FINDINGS_HEADS: Final = {
    "vi": ("Loại", "Kỳ", "Chỉ tiêu", "Chi tiết", "Tệp", "Vị trí", "Ghi chú"),
    "en": ("Kind", "Period", "Indicator", "Detail", "File", "Location", "Notes"),
}
_KINDS: Final[dict[str, tuple[str, str]]] = {
    "conflict": ("số liệu vênh nhau", "figures disagree"),
    "rule": ("sai quy tắc kiểm tra", "rule broken"),
    "unclassified": ("chưa gán chỉ tiêu", "not assigned"),
    "implausible": ("cần kiểm tra", "to be checked"),
}
_SOURCES_HEADS: Final = {
    "vi": ("Địa bàn", "Kỳ", "Chỉ tiêu", "Số liệu", "Giá trị", "Nguồn", "Trích dẫn", "Ghi chú"),
    "en": ("Area", "Period", "Indicator", "Figure", "Value", "Source", "Evidence", "Notes"),
}
_SPANS: Final[dict[str, tuple[str, str]]] = {
    "quarter": ("quý", "quarter"),
    "month": ("tháng", "month"),
    "ytd": ("lũy kế", "year to date"),
    "year": ("năm", "year"),
    "to_date": ("đến ngày", "to date"),
}
_OVERVIEW_HEADS: Final = {
    "vi": ("Lĩnh vực", "Tóm tắt", "Vấn đề dữ liệu", "Ghi chú"),
    "en": ("Domain", "Summary", "Data findings", "Notes"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- what a section displays -----------------------------------------------------------------
@dataclass(frozen=True)
class Note:
    """Markdown text; its plain text is the same string."""

    markdown: str

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.markdown


@dataclass(frozen=True, eq=False)
class Table:
    """A table of display strings, shown as plain HTML (no ids, no classes per cell: the
    HTML is the same on every run; text columns carry an inline left alignment, see
    :func:`_column_style`). ``caption`` is shown above it (the sample-data mark); ``links``
    gives an ``href`` per row for the first column; an empty table shows ``empty``."""

    frame: pd.DataFrame
    caption: str = ""
    empty: str = ""
    links: tuple[str, ...] = ()

    def _repr_html_(self) -> str | None:
        if self.frame.empty:
            return None
        styles = [_column_style(n, [str(v) for v in self.frame[c]])
                  for n, c in enumerate(self.frame.columns)]
        # headers may wrap where their cells do not
        heads = [st.replace("; white-space: nowrap", "").replace(' style="white-space: nowrap"',
                                                                   "") for st in styles]
        head = "".join(f"<th{st}>{html.escape(str(c))}</th>"
                       for c, st in zip(self.frame.columns, heads, strict=True))
        rows = []
        for n, row in enumerate(self.frame.itertuples(index=False)):
            cells = [html.escape(str(v)) for v in row]
            if n < len(self.links) and self.links[n]:
                cells[0] = f'<a href="{html.escape(self.links[n], quote=True)}">{cells[0]}</a>'
            rows.append("<tr>" + "".join(f"<td{st}>{c}</td>"
                                         for c, st in zip(cells, styles, strict=True)) + "</tr>")
        caption = (f'<p class="kpi-sample-mark"><strong>{html.escape(self.caption)}</strong></p>\n'
                   if self.caption else "")
        return (f'{caption}<table class="kpi-table">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
                + "\n".join(rows) + "\n</tbody>\n</table>")

    def _repr_markdown_(self) -> str | None:
        return self.empty if self.frame.empty else None

    def __repr__(self) -> str:
        if self.frame.empty:
            return self.empty
        text = self.frame.to_string(index=False)
        return f"{self.caption}\n{text}" if self.caption else text


#: A column whose longest cell is longer than this reads as text (left-aligned, since
#: JupyterLab right-aligns table cells); a word longer than this (a file path) may break.
TEXT_CELL: Final = 24


#: A column whose cells are all this short does not wrap ("dữ liệu mẫu", "Quý I/2022").
SHORT_CELL: Final = 16
_NUMBER_CELL: Final = re.compile(
    r"^(?:(?:gần|hơn|ước|dưới|khoảng|nearly|more than|less than|an estimated|about) )?"
    r"(?:[+\-−]?\d|gấp \d|[—–-]$)")


def _column_style(position: int, cells: Sequence[str]) -> str:
    """The ``style`` attribute of a column's cells: text columns (the first one, and any
    cell not a number, an amount or a change) are left-aligned; columns with a long
    unbroken word (a file path) may wrap anywhere, columns of short cells never wrap;
    numbers keep the right alignment."""
    rules = []
    filled = [c for c in cells if c.strip()]
    if position == 0 or not all(_NUMBER_CELL.match(c) for c in filled):
        rules.append("text-align: left")
    if any(len(w) > TEXT_CELL for c in cells for w in c.split()):
        rules.append("overflow-wrap: anywhere")
    elif all(len(c) <= SHORT_CELL for c in cells):
        rules.append("white-space: nowrap")
    return f' style="{"; ".join(rules)}"' if rules else ""


@dataclass(frozen=True, eq=False)
class Charts:
    """Charts shown one after the other as ``<img>`` (base64 PNG, alt text); the plain text
    is their alt texts. No chart: the ``empty`` sentence."""

    charts: tuple[plots.Chart, ...]
    empty: str = ""

    def _repr_html_(self) -> str | None:
        return "\n".join(c.html() for c in self.charts) if self.charts else None

    def _repr_markdown_(self) -> str | None:
        return None if self.charts else self.empty

    def __repr__(self) -> str:
        return "\n".join(c.alt for c in self.charts) if self.charts else self.empty


# -- the report ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Report:
    """One area, one quarter, one language and (for a domain notebook) one domain, over a
    :class:`~kpi.analysis.series.Quarterly` computed once. Build it with :func:`open_report`."""

    area: str
    quarter: pd.Period
    lang: str
    domain: str | None
    catalog: Catalog
    data: Quarterly
    names: dict[str, str]
    _headlines: dict[str, analysis.Headline] = field(default_factory=dict, repr=False)

    def _headline(self, domain: str) -> analysis.Headline:
        """The area's headline for ``domain`` (raw and display), computed once."""
        if domain not in self._headlines:
            raw = self._raw(domain)
            self._headlines[domain] = analysis.Headline(raw, display_headline(raw, self.lang))
        return self._headlines[domain]

    def _raw(self, domain: str, area: str | None = None) -> pd.DataFrame:
        """The raw headline rows of ``area`` (the report's by default) for ``domain``,
        computed once (table, sentences, overview, context); the domains of one area
        share their comparisons (:func:`kpi.analysis.headline_inputs`)."""
        area = area or self.area
        if (area, domain) not in self._raws:
            if area not in self._headline_inputs:
                self._headline_inputs[area] = analysis.headline_inputs(
                    self.data, self.catalog, area, self.quarter, self.lang)
            self._raws[(area, domain)] = analysis.headline_raw(
                self.data, self.catalog, area, self.quarter, domain, lang=self.lang,
                inputs=self._headline_inputs[area])
        return self._raws[(area, domain)]

    @cached_property
    def _raws(self) -> dict[tuple[str, str], pd.DataFrame]:
        """Raw headline rows by (area, domain) (see :meth:`_raw`)."""
        return {}

    @cached_property
    def _headline_inputs(self) -> dict[str, analysis.HeadlineInputs]:
        """Headline inputs by area (see :meth:`_raw`)."""
        return {}

    @cached_property
    def _findings(self) -> analysis.AreaFindings:
        """The area's findings of the quarter, all domains, narrowed per section."""
        return analysis.area_findings(self.data, self.catalog, self.area, self.quarter)

    @cached_property
    def _sample_sources(self) -> set[str]:
        """The files holding sample (synthetic) observations."""
        obs = self.data.observations
        return set(obs.loc[obs["synthetic"], "source"])

    # -- small helpers -----------------------------------------------------------------
    def name(self, area: str | None = None) -> str:
        """An area's name (from a report heading; the slug when none gave one)."""
        area = area or self.area
        if self.names.get(area):
            return self.names[area]
        return _pick(AREA_NAMES[area], self.lang) if area in AREA_NAMES else area

    def _names(self, *areas: str) -> dict[str, str]:
        """Slug → shown name, for chart titles."""
        return {a: self.name(a) for a in areas}

    @property
    def area_name(self) -> str:
        return self.name()

    def _w(self, key: str, **fields: object) -> str:
        return _pick(_WORDS[key], self.lang).format(**fields)

    @property
    def _when(self) -> str:
        label = labels.quarter_label(self.quarter, self.lang)
        return label if self.lang == "en" else labels.in_sentence(label)

    def _topic(self, domain: str | None = None) -> str:
        return labels.domain_name(domain or self._domain, self.lang)

    @property
    def _domain(self) -> str:
        if self.domain is None:
            raise KpiError("this section needs a domain; open the report with domain=...",
                           where="kpi.notebook.open_report")
        return self.domain

    def _codes(self, domain: str | None = None) -> list[str]:
        return [i.code for i in self.catalog.in_domain(domain or self._domain)]

    @cached_property
    def _values(self) -> pd.DataFrame:
        """Quarter values of every area in the chart window."""
        v = analysis.values(self.data, self.catalog)
        return v[(v["period"] > self.quarter - WINDOW) & (v["period"] <= self.quarter)]

    def _has_sample(self, area: str, codes: Sequence[str], quarters: int = 1) -> bool:
        """Whether any observation of ``area`` for ``codes`` in the last ``quarters``
        quarters to the report's quarter is sample data."""
        wanted, now = set(codes), self.quarter.ordinal
        return any(synthetic for period, code, synthetic in self._observed(area)
                   if now - quarters < period <= now and code in wanted)

    def _observed(self, area: str) -> list[tuple[int, str, bool]]:
        """(period ordinal, indicator, synthetic) of each observation of ``area``, read
        once (ordinals compare much faster than Periods)."""
        if area not in self._observations:
            obs = area_observations(self.data, area)
            self._observations[area] = list(zip(
                [p.ordinal for p in obs["period"].tolist()], obs["indicator"].tolist(),
                obs["synthetic"].tolist(), strict=True))
        return self._observations[area]

    @cached_property
    def _observations(self) -> dict[str, list[tuple[int, str, bool]]]:
        """By area: see :meth:`_observed`."""
        return {}

    # -- sections ----------------------------------------------------------------------
    def title(self) -> Note:
        """The heading (area name and quarter), then a sentence when the area has no data
        this quarter (or none for the domain), and the sample-data banner when needed."""
        head = (_upper_first(self._topic()) if self.domain else
                _pick(_WORDS["overview"], self.lang))
        label = labels.quarter_label(self.quarter, self.lang)
        lines = [f"# {head} — {self.area_name}, {label if self.lang == 'en' else self._when}"]
        here = [code for period, code, _ in self._observed(self.area)
                if period == self.quarter.ordinal]
        codes = self._codes() if self.domain else list(self.catalog.indicators)
        if not here:
            lines.append(self._w("no_quarter", area=self.area_name, when=self._when))
        elif self.domain and not set(here) & set(codes):
            lines.append(self._w("no_domain", topic=self._topic(), area=self.area_name,
                                 when=self._when))
        if self._has_sample(self.area, codes, WINDOW):
            lines.append(self._w("sample_banner"))
        return Note("\n\n".join(lines))

    def headline(self) -> Table:
        """The domain's headline table (see :func:`kpi.analysis.headline`), captioned with
        the sample-data mark when a row uses sample data; a sentence when it is empty."""
        h = self._headline(self._domain)
        caption = self._w("sample_table") if bool(h.raw["synthetic"].any()) else ""
        return Table(h.display, caption=caption,
                     empty=self._w("no_domain", topic=self._topic(), area=self.area_name,
                                   when=self._when))

    def targets(self) -> Table:
        """The targets reports set for the quarter's year or later (never shown as
        achieved figures), and for a quantity set for this year the year-to-date figure
        against it (see :func:`kpi.analysis.targets`)."""
        codes = set(self._codes())
        t = analysis.targets(self.data, self.catalog, area=self.area)
        obs = self.data.observations
        done = obs[(obs["area"] == self.area) & (obs["role"] == "result")
                   & (obs["span"] != "year")]  # a year's plan is no sign of a late report
        written = done.groupby("source")["period"].max()  # a report is as late as its results
        known = {src for src, p in written.items() if p <= self.quarter}
        t = t[t["indicator"].isin(codes) & t["source"].isin(known)
              & (t["period"].map(lambda p: p.qyear) >= self.quarter.qyear)]
        cum = {(r["indicator"], r["period"].qyear): r["value"] for r in records(
            analysis.ytd(self.data, self.catalog, area=self.area, quarter=self.quarter))}
        rows = []
        for r in records(t):
            unit = "percent" if r["measure"] != "value" and r["measure"] != "plan" else (
                self.catalog[r["indicator"]].unit)
            amount = labels.qualified(labels.format_value(r["value"], unit, self.lang),
                                      r["qualifier"], self.lang)
            measure = _pick(labels.MEASURE_NAMES.get(r["measure"], ("", "")), self.lang)
            measure = measure.removeprefix("% ")  # "100% kế hoạch", not "100% % kế hoạch"
            got = cum.get((r["indicator"], r["period"].qyear)) if (
                r["span"] == "year" and r["measure"] in ("value", "plan")) else None
            share = (labels.format_pct(got / r["value"] * 100, self.lang)
                     if got is not None and r["value"] else "—")
            rows.append((self.catalog[r["indicator"]].name(self.lang),
                         labels.cell_label(r["period"], r["span"], self.lang),
                         f"{amount} {measure}".strip(),
                         labels.format_value(got, self.catalog[r["indicator"]].unit, self.lang)
                         if got is not None else "—", share, r["source"], r["locator"]))
        heads = (("Chỉ tiêu", "Kỳ", "Mục tiêu", "Lũy kế đến quý này", "% mục tiêu", "Tệp",
                  "Vị trí") if self.lang != "en" else
                 ("Indicator", "For", "Target", "Year to date", "% of target", "File",
                  "Location"))
        frame = pd.DataFrame(rows, columns=list(heads))
        return Table(frame, empty=self._w("no_targets"))

    def narrative(self) -> analysis.Narrative:
        """Sentences for the domain's headline figures (see :func:`kpi.analysis.narrate`)."""
        return analysis.narrate(self.data, self.catalog, self.area, self.quarter,
                                self._domain, lang=self.lang,
                                raw=self._raw(self._domain))

    def main_indicators(self, n: int = 2) -> list[str]:
        """The indicators the trend charts show: those of the domain with quarter values
        for the area in the chart window (parts of a catalogue sum excluded), with a
        value this quarter first, then the longest series, then catalogue order; one
        money indicator and one other when both exist."""
        parts = {p for r in self.catalog.rules for p in r.parts}
        codes = [c for c in self._codes() if c not in parts]
        last = self.quarter.ordinal
        window = [r for r in analysis.values_records(self.data, self.catalog, area=self.area)
                  if last - WINDOW < r["period"].ordinal <= last]
        counts = Counter(r["indicator"] for r in window)
        now = {r["indicator"] for r in window if r["period"].ordinal == last}
        ranked = sorted((c for c in codes if c in counts),
                        key=lambda c: (c not in now, -counts[c], codes.index(c)))
        money = [c for c in ranked if self.catalog[c].is_money]
        other = [c for c in ranked if not self.catalog[c].is_money]
        chosen = money[:1] + other[:1]
        chosen += [c for c in ranked if c not in chosen]
        return sorted(chosen[:n], key=codes.index)

    def trends(self) -> Charts:
        """Bars of the last :data:`WINDOW` quarters of each main indicator, the current
        quarter highlighted (see :func:`kpi.notebook.plots.trend`)."""
        charts = tuple(plots.trend(self.data, self.catalog, self.area, code, self.quarter,
                                   n=WINDOW, lang=self.lang, names=self._names(self.area))
                       for code in self.main_indicators())
        return Charts(charts, self._w("no_chart", topic=self._topic(), area=self.area_name,
                                      n=WINDOW, when=self._when))

    def qoq_bars(self) -> Charts:
        """The QoQ change of every domain indicator with a value this quarter."""
        ch = analysis.qoq(self.data, self.catalog, area=self.area, quarter=self.quarter,
                          lang=self.lang)
        empty = self._w("no_qoq", topic=self._topic(), when=self._when)
        if not ch["indicator"].isin(self._codes()).any():
            return Charts((), empty)
        return Charts((plots.qoq_bars(self.data, self.catalog, self.area, self.quarter,
                                      self._domain, lang=self.lang,
                                      names=self._names(self.area)),), empty)

    def peers(self, indicator: str) -> list[str]:
        """Areas of the same administrative level as the area (by slug suffix: commune,
        ward and town are one level) with quarter values of ``indicator`` in the chart
        window; the area itself first."""
        rank = _rank(self.area)
        if rank is None:
            return []
        v = analysis.values(self.data, self.catalog, indicator=indicator)
        v = v[(v["period"] > self.quarter - WINDOW) & (v["period"] <= self.quarter)]
        others = sorted(a for a in set(v["area"]) if a != self.area and _rank(a) == rank)
        return [self.area, *others]

    def small_multiples(self) -> Charts:
        """The first main indicator (see :meth:`main_indicators`) in each area of the same
        level, one panel per area, when 2 to :data:`MAX_PANELS` such areas have data."""
        main = self.main_indicators()
        if not main:
            return Charts((), self._w("no_chart", topic=self._topic(), area=self.area_name,
                                      n=WINDOW, when=self._when))
        areas = self.peers(main[0])
        if not 2 <= len(areas) <= MAX_PANELS:
            return Charts((), self._w("no_peers", name=self.catalog[main[0]].name(self.lang),
                                      max=MAX_PANELS, n=len(areas)))
        return Charts((plots.small_multiples(self.data, self.catalog, main[0], self.quarter,
                                             areas=areas, n=WINDOW, lang=self.lang,
                                             names=self._names(*areas)),))

    def ranking(self) -> Charts:
        """The first main indicator (see :meth:`main_indicators`) in every area of the same
        level with a value this quarter, ranked, the area highlighted with its rank; the
        best and worst areas named (:func:`kpi.notebook.plots.ranking`), readable at any number of
        areas (a province has 100 to 250 communes)."""
        main = self.main_indicators()
        if not main:
            return Charts((), self._w("no_chart", topic=self._topic(), area=self.area_name,
                                      n=WINDOW, when=self._when))
        areas = self.peers(main[0])
        if len(areas) < 2:
            return Charts((), self._w("no_rank", name=self.catalog[main[0]].name(self.lang),
                                      n=len(areas)))
        return Charts((plots.ranking(self.data, self.catalog, main[0], self.quarter,
                                     self.area, areas=areas, lang=self.lang,
                                     names=self._names(*areas)),))

    def context_areas(self) -> list[str]:
        """The national area and the area's province (when known), without the area and
        without areas that have no value of the domain's context indicators at all."""
        out = [NATIONAL, *([PROVINCE_OF[self.area]] if self.area in PROVINCE_OF else [])]
        codes = CONTEXT.get(self._domain, ())
        return [a for a in out if a != self.area and any(
            r["indicator"] in codes
            for r in analysis.values_records(self.data, self.catalog, area=a))]

    def context(self) -> Note:
        """Real national (and provincial) figures of the domain's context indicators
        (:data:`CONTEXT`): one paragraph of sentences per area, saying whether the
        figures are real or sample data."""
        codes = CONTEXT.get(self._domain, ())
        areas = self.context_areas() if codes else []
        if not areas:
            return Note(self._w("no_context"))
        parts = []
        for a in areas:
            said = analysis.narrate(self.data, self.catalog, a, self.quarter, self._domain,
                                    indicators=list(codes), lang=self.lang,
                                    raw=self._raw(self._domain, a))
            level = "national" if a == NATIONAL else "province"
            mark = self._w("sample") if self._has_sample(a, codes) else self._w("real")
            parts.append(f"**{self.name(a)}** ({self._w(level)}, {mark})\n\n"
                         + said._repr_markdown_())
        return Note("\n\n".join(parts))

    def context_chart(self) -> Charts:
        """The trend of the first context indicator nationally (when it has data)."""
        codes = CONTEXT.get(self._domain, ())
        v = self._values
        if (not codes or NATIONAL not in self.context_areas()
                or v[(v["area"] == NATIONAL) & (v["indicator"] == codes[0])].empty):
            return Charts((), self._w("no_context"))
        return Charts((plots.trend(self.data, self.catalog, NATIONAL, codes[0], self.quarter,
                                   n=WINDOW, lang=self.lang, names=self._names(NATIONAL)),))

    def findings(self) -> Table:
        """Data-quality findings of the domain (all domains in the overview), see
        :func:`kpi.analysis.domain_findings`; findings from sample files are marked."""
        f = analysis.domain_findings(self.data, self.catalog, self.area, self.quarter,
                                     self.domain, lang=self.lang, found=self._findings)
        sample = self._sample_sources
        marks = [self._w("sample") if set(str(s).split(" | ")) & sample else ""
                 for s in f["source"]]
        frame = pd.DataFrame(
            list(zip(
                [_pick(_KINDS.get(k, (k, k)), self.lang) for k in f["kind"]],
                [labels.quarter_label(p, self.lang) if pd.notna(p) and str(p) else ""
                 for p in f["period"]],
                f["name"].fillna(""), f["detail"].fillna(""), f["source"].fillna(""),
                f["locator"].fillna(""), marks, strict=True)),
            columns=list(_FINDINGS_HEADS[self.lang]))
        caption = self._w("sample_table") if any(marks) else ""
        return Table(frame, caption=caption, empty=self._w("no_findings"))

    def sources(self) -> Table:
        """Every observation behind a number shown (headline, sentences, trend charts,
        context), newest first (see :func:`kpi.analysis.sources`): period, indicator,
        figure, value as written, file and location in one column, evidence and a
        "dữ liệu mẫu" / "số suy ra" note; the area column only when context areas are
        listed too. The ranking's other areas are in their own reports."""
        frames = [analysis.sources(self.data, self.catalog, self.area, self.quarter,
                                   self._domain, lang=self.lang,
                                   charted=self.main_indicators(), window=WINDOW
                                   ).assign(_area=self.area)]
        codes = list(CONTEXT.get(self._domain, ()))
        context = self.context_areas() if codes else []
        frames += [analysis.sources(self.data, self.catalog, a, self.quarter, self._domain,
                                    indicators=codes, lang=self.lang,
                                    charted=codes[:1] if a == NATIONAL else (),
                                    window=WINDOW).assign(_area=a)
                   for a in context]
        s = pd.concat(frames, ignore_index=True)
        notes = [
            "; ".join(w for w, on in ((self._w("sample"), syn), (self._w("derived"), der)) if on)
            for syn, der in zip(s["synthetic"].astype(bool), s["derived"].astype(bool),
                                strict=True)]
        figure = [
            ", ".join(x for x in (_pick(_SPANS.get(sp, (sp, sp)), self.lang),
                                  _pick(labels.MEASURE_NAMES.get(m, (m, m)), self.lang)) if x)
            for sp, m in zip(s["span"], s["measure"], strict=True)]
        where = [f"{src} {loc}".strip() for src, loc in zip(s["source"], s["locator"],
                                                             strict=True)]
        heads = list(_SOURCES_HEADS[self.lang])
        columns = [
            [self.name(a) for a in s["_area"]],
            [(f"Year {p.qyear}" if self.lang == "en" else f"Năm {p.qyear}") if sp == "year"
             else labels.quarter_label(p, self.lang)
             for p, sp in zip(s["period"], s["span"], strict=True)], s["name"], figure,
            s["value_text"], where, s["evidence"].fillna(""), notes]
        if not context:
            heads, columns = heads[1:], columns[1:]
        frame = pd.DataFrame(list(zip(*columns, strict=True)), columns=heads)
        caption = self._w("sample_table") if bool(s["synthetic"].any()) else ""
        return Table(frame, caption=caption, empty=self._w("no_sources"))

    def overview(self) -> Table:
        """One row per domain notebook: a link to it (``revenue.ipynb``: JupyterLab opens
        the notebook beside this one; the HTML page links ``revenue.html``, see
        :func:`kpi.render.sibling_links_to_html`), the lead sentence of its narrative, its
        count of data-quality findings and the sample-data mark when the domain's figures
        in the chart window (those the comparisons use) include sample data. The counts
        add up to the rows of :meth:`findings` (the overview's own findings section): a
        last row counts the findings of indicators no domain report covers and the
        figures not assigned to any indicator, when there are any."""
        rows, links, sample = [], [], False
        loose = 1 if len(self._findings.loose) else 0
        counted = 0
        for d in DOMAINS:
            said = analysis.narrate(self.data, self.catalog, self.area, self.quarter, d,
                                    lang=self.lang, raw=self._raw(d))
            syn = self._has_sample(self.area, self._codes(d), WINDOW)
            sample |= syn
            n = self._findings.count(self.catalog, d) - loose
            counted += n
            rows.append((_upper_first(self._topic(d)), said[0], str(n),
                         self._w("sample") if syn else ""))
            links.append(f"{d}.ipynb")
        other = self._findings.count(self.catalog) - counted
        if other:
            rows.append((self._w("other_domains"), self._w("other_summary"), str(other), ""))
            links.append("")
        frame = pd.DataFrame(rows, columns=list(_OVERVIEW_HEADS[self.lang]))
        return Table(frame, caption=self._w("sample_table") if sample else "",
                     links=tuple(links))


def _rank(area: str) -> int | None:
    return next((r for s, r in _LEVEL_RANK.items() if area.endswith("-" + s)), None)


def _area_names(data_dir: Path) -> dict[str, str]:
    path = data_dir / "processed" / "areas.csv"
    if not path.exists():
        return {}
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return dict(zip(table["area"], table["name"], strict=True))


def resolve_data_dir(data_dir: str | Path) -> Path:
    """``data_dir`` when it holds ``raw/`` or ``processed/`` (or is absolute); otherwise a
    folder of the same name holding them in the working directory or the nearest parent.

    So the default ``../data`` works where the notebook lives (JupyterLab, nbval: the
    working directory is ``notebooks/``) and also from the repository root, where plain
    ``papermill notebooks/x.ipynb out.ipynb`` runs the kernel without ``--cwd``.
    """
    path = Path(data_dir)
    if path.is_absolute() or _holds_data(path):
        return path
    here = Path.cwd()
    found = next((b / path.name for b in (here, *here.parents) if _holds_data(b / path.name)),
                 None)
    return found or path


def _holds_data(path: Path) -> bool:
    return (path / "raw").is_dir() or (path / "processed").is_dir()


def open_report(data_dir: str | Path, area: str, quarter: str | pd.Period, lang: str = "vi",
                domain: str | None = None) -> Report:
    """Load the observations under ``data_dir`` (ingesting ``data_dir/raw`` first when the
    processed files are missing or stale; a relative ``data_dir`` is found as
    :func:`resolve_data_dir` says), compute the quarterly series once (or read them from
    ``processed/cache``, see :mod:`kpi.analysis.series_cache`), apply the
    chart theme and return the :class:`Report` the notebook's sections read.

    ``quarter`` may arrive as any label :func:`kpi.core.periods.parse_quarter` reads
    ("2022Q1", "Quý I/2022"); papermill's ``-p quarter 2022`` arrives as an int and is
    refused with :class:`~kpi.errors.PeriodError`. ``area`` is a slug or a name as
    :func:`kpi.core.areas.resolve` reads it ("Xã Cẩm Bình", "cam binh"); an area not in
    ``processed/areas.csv`` raises :class:`~kpi.core.areas.UnknownAreaError` naming the
    closest ones. ``lang`` is "vi" or "en", ``domain`` one of :data:`DOMAINS` or None (the
    overview).

    >>> report = open_report("data", "Xã Cẩm Bình", "2022Q1", domain="revenue")
    >>> report.headline()
    """
    period = parse_quarter(quarter if isinstance(quarter, pd.Period) else str(quarter))
    if lang not in ("vi", "en"):
        raise KpiError("lang must be 'vi' or 'en'", text=str(lang), where="parameter 'lang'")
    if domain is not None and domain not in DOMAINS:
        raise KpiError(f"domain must be one of {', '.join(DOMAINS)}", text=str(domain),
                       where="parameter 'domain'")
    data_dir = resolve_data_dir(data_dir)
    refresh(data_dir)
    known = read_areas(data_dir)
    area = (resolve_area(area, known, listed_in=str(data_dir / AREAS_CSV)) if known
            else check_area(area))
    catalog = load_catalog()
    plots.use_theme()
    return Report(area, period, lang, domain, catalog,
                  cached_quarterly(data_dir / "processed", catalog), _area_names(data_dir))


# -- stored outputs --------------------------------------------------------------------------
def keep_checked_outputs(nb: NotebookNode) -> NotebookNode:
    """Clear a notebook's outputs except those of cells whose first line is
    :data:`CHECK_MARK`; clear execution counts, number the cell ids and keep no metadata
    but the kernelspec, the kernel's ``language_info`` (JupyterLab writes it on open: a
    notebook stored without it is marked changed as soon as it is opened), the jupytext
    pairing and cell tags, so the committed file changes only when a source or a checked
    output changes. Returns ``nb`` (modified)."""
    # papermill/execution timings would change the file on every run
    nb.metadata = {k: v for k, v in nb.metadata.items()
                   if k in ("kernelspec", "language_info", "jupytext")}
    count = 0
    for n, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{n:02d}"
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = {"tags": tags} if tags else {}
        if cell["cell_type"] != "code":
            continue
        count += 1
        checked = cell["source"].lstrip().startswith(CHECK_MARK)
        # nbval skips a cell whose execution_count is None ("unrun"): a checked cell keeps
        # a count, its position among the code cells, which is the same on every run
        cell["execution_count"] = count if checked else None
        cell["outputs"] = cell["outputs"] if checked else []
        for out in cell["outputs"]:
            if "execution_count" in out:
                out["execution_count"] = count
            if "metadata" in out:
                out["metadata"] = {}
    return nb


def refresh_checked_outputs(path: str | Path, *, timeout: int = 300) -> None:
    """Execute the notebook at ``path`` with its default parameters (working directory:
    its folder, as nbval and papermill use) and rewrite it atomically with only the
    outputs nbval checks (see :func:`keep_checked_outputs`)."""
    import nbformat
    from nbclient import NotebookClient

    from kpi.util import atomic

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name=KERNEL_NAME,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    atomic.write_text(path, nbformat.writes(keep_checked_outputs(nb)) + "\n")


def main(argv: Sequence[str]) -> int:
    """The ``python -m kpi.notebook`` command; returns its exit code."""
    if len(argv) < 2 or argv[0] != "refresh":
        print("usage: python -m kpi.notebook refresh NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    for p in argv[1:]:
        refresh_checked_outputs(p)
        print(f"refreshed {p}")
    return 0


