"""A district's (or a province's) communes ranked on each headline indicator.

The overview notebook ``notebooks/explore/district_ranking.ipynb`` calls this::

    view = open_district(data_dir, "Huyện Kỳ Anh", "2022Q1")
    view.title()       # the district, the quarter, how many communes
    view.table()       # one row per commune: value and rank on each headline indicator
    view.charts()      # one ranking chart per headline indicator

The group is the communes (wards, towns) whose district the area register names (``kpi
sample --areas N`` writes one; see :mod:`kpi.ingest.pipeline`): ``area`` names a district, or one
of its communes (its district then), or a province or ``""`` (every commune). A headline
indicator is, per domain report, the indicator most communes of the group have a value of
in the quarter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kpi.analysis.comparisons import rank_areas, values
from kpi.analysis.series import Quarterly
from kpi.analysis.series_cache import cached_quarterly
from kpi.core import labels
from kpi.core.areas import AREAS_CSV, AreaInfo, UnknownAreaError, fold, read_areas, resolve
from kpi.core.catalog import Catalog, load_catalog
from kpi.core.periods import parse_quarter
from kpi.ingest.pipeline import refresh
from kpi.notebook import plots
from kpi.notebook.report import DOMAINS, Charts, Note, Table, resolve_data_dir

__all__ = ["District", "open_district"]

_LOCAL = ("-commune", "-ward", "-town")


@dataclass(frozen=True, eq=False)
class District:
    """The communes of one group in one quarter. Build it with :func:`open_district`."""

    name: str
    members: tuple[str, ...]
    quarter: pd.Period
    lang: str
    catalog: Catalog
    data: Quarterly
    areas: dict[str, AreaInfo]

    def _label(self, area: str) -> str:
        return self.areas[area].label if area in self.areas else area

    def headline_indicators(self) -> list[str]:
        """Per domain report, the indicator most members have a value of this quarter."""
        v = values(self.data, self.catalog, quarter=self.quarter)
        v = v[v["area"].isin(self.members)]
        counts = v.groupby("indicator")["area"].nunique()
        out = []
        for d in DOMAINS:
            codes = [i.code for i in self.catalog.in_domain(d) if counts.get(i.code, 0) > 0]
            if codes:
                out.append(max(codes, key=lambda c: (counts[c], -codes.index(c))))
        return out

    def title(self) -> Note:
        when = labels.quarter_label(self.quarter, self.lang)
        if self.lang == "en":
            return Note(f"# {self.name} — {when}\n\n{len(self.members)} communes ranked on "
                        "each headline indicator (best first).")
        return Note(f"# {self.name} — {when}\n\nXếp hạng {len(self.members)} xã, phường, "
                    "thị trấn theo từng chỉ tiêu chính (tốt nhất đứng đầu).")

    def table(self) -> Table:
        """One row per member (by name): value and rank on each headline indicator."""
        codes = self.headline_indicators()
        frame = pd.DataFrame({"area": sorted(self.members, key=lambda a: fold(self._label(a)))})
        heads = ["Địa bàn" if self.lang == "vi" else "Area"]
        columns = [[self._label(a) for a in frame["area"]]]
        for code in codes:
            ranked = rank_areas(self.data, self.catalog, code, self.quarter, lang=self.lang)
            ranked = ranked[ranked["area"].isin(self.members) & ranked["rank"].notna()]
            ranked = ranked.assign(rank=range(1, len(ranked) + 1))
            by_area = {a: (v, q, r) for a, v, q, r in zip(ranked["area"], ranked["value"],
                                                           ranked["qualifier"], ranked["rank"],
                                                           strict=True)}
            unit = self.catalog[code].unit
            heads.append(self.catalog[code].name(self.lang))
            columns.append([self._cell(by_area.get(a), unit, len(by_area))
                            for a in frame["area"]])
        out = pd.DataFrame(list(zip(*columns, strict=True)), columns=heads)
        empty = ("No commune of the group has figures this quarter." if self.lang == "en"
                 else "Không xã nào của nhóm có số liệu trong quý.")
        return Table(out if codes else out.iloc[0:0], empty=empty)

    def _cell(self, got: tuple | None, unit: str, count: int) -> str:
        if got is None:
            return "—"
        value, qualifier, rank = got
        shown = labels.qualified(labels.format_value(value, unit, self.lang), qualifier,
                                 self.lang)
        return f"{shown} ({rank}/{count})"

    def charts(self) -> Charts:
        """A ranking chart (:func:`kpi.notebook.plots.ranking`) per headline indicator."""
        names = {a: self._label(a) for a in self.members}
        charts = tuple(plots.ranking(self.data, self.catalog, code, self.quarter, None,
                                     areas=list(self.members), lang=self.lang, names=names)
                       for code in self.headline_indicators())
        empty = "No figures to rank." if self.lang == "en" else "Không có số liệu để xếp hạng."
        return Charts(charts, empty)


def open_district(data_dir: str | Path, area: str, quarter: str, lang: str = "vi"
                  ) -> District:
    """The group ``area`` names (see the module docstring) in ``quarter``. Raises
    :class:`~kpi.core.areas.UnknownAreaError` for an area that is not known."""
    period = parse_quarter(str(quarter))
    folder = resolve_data_dir(data_dir)
    refresh(folder)
    known = read_areas(folder)
    info = {a.area: a for a in known}
    local = [a.area for a in known if a.area.endswith(_LOCAL)]
    districts = {a.district: a.district_name for a in known if a.district}
    listed_in = str(folder / AREAS_CSV)
    if not str(area).strip():
        name, members = ("Tất cả các xã" if lang == "vi" else "All communes"), local
    else:
        choices = [*known, *(AreaInfo(d, n) for d, n in districts.items() if d not in info)]
        slug = resolve(area, choices, listed_in=listed_in)
        district = slug if slug in districts else info[slug].district if slug in info else ""
        if district:
            name = districts.get(district) or district
            members = [a.area for a in known if a.district == district]
        elif slug.endswith(("-province", "-city")) or slug == "vietnam":
            name, members = info[slug].label, local
        else:
            raise UnknownAreaError(f"{area!r} is not a district and belongs to none in "
                                   f"{listed_in}", closest=sorted(districts)[:5],
                                   listed_in=listed_in)
    catalog = load_catalog()
    plots.use_theme()
    return District(name, tuple(sorted(members)), period, lang, catalog,
                    cached_quarterly(folder / "processed", catalog), info)
