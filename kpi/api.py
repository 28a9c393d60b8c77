"""The analyst's functions behind ``kpi.<name>`` (see :mod:`kpi`).

Each takes the data folder (default ``"data"``, found from the working directory or its
parents as the notebooks find it: :func:`kpi.notebook.resolve_data_dir`), ingests
``raw/`` when the processed files are stale, and reads the quarterly series from the
cache the reports use. Areas may be given by slug or by name (:mod:`kpi.core.areas`); an
unknown area or indicator raises (:class:`~kpi.core.areas.UnknownAreaError`,
:class:`UnknownIndicatorError`), never returns an empty frame.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kpi.core.areas import AREAS_CSV, read_areas, resolve
from kpi.errors import KpiError

if TYPE_CHECKING:
    import pandas as pd

    from kpi.analysis.series import Quarterly
    from kpi.core.catalog import Catalog

__all__ = ["UnknownIndicatorError", "areas", "catalogue", "observations", "ranking", "series"]

#: Columns of :func:`observations`.
TIDY_COLUMNS = ("area", "period", "indicator", "measure", "value", "unit", "qualifier",
                "method", "derived", "synthetic", "alternatives", "source", "locator",
                "evidence")


class UnknownIndicatorError(KpiError, KeyError):
    """An indicator code that is not in the catalogue; names the closest codes."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


def _data(data_dir: str | Path) -> tuple[Path, Catalog, Quarterly]:
    from kpi.analysis.series_cache import cached_quarterly
    from kpi.core.catalog import load_catalog
    from kpi.ingest.pipeline import refresh
    from kpi.notebook.report import resolve_data_dir

    folder = resolve_data_dir(data_dir)
    refresh(folder)
    catalog = load_catalog()
    return folder, catalog, cached_quarterly(folder / "processed", catalog)


def _area(folder: Path, area: str | None) -> str | None:
    if area is None:
        return None
    return resolve(area, read_areas(folder), listed_in=str(folder / AREAS_CSV))


def _indicator(catalog: Catalog, code: str | None) -> str | None:
    if code is None or code in catalog:
        return code
    codes = [i.code for i in catalog]
    near = difflib.get_close_matches(str(code), codes, n=5, cutoff=0.4)
    raise UnknownIndicatorError(
        f"unknown indicator {code!r}: "
        + (f"closest: {', '.join(near)}; " if near else "")
        + f"all {len(codes)} codes: kpi.catalogue() or kpi/core/indicators/*.yaml")


def catalogue() -> Catalog:
    """The indicator catalogue (packaged files plus ``$KPI_CATALOG``).

    >>> cat = kpi.catalogue()
    >>> cat["budget_revenue"].name("en"), [i.code for i in cat.in_domain("revenue")][:3]
    """
    from kpi.core.catalog import load_catalog

    return load_catalog()


def areas(data_dir: str | Path = "data") -> pd.DataFrame:
    """The known areas: ``area`` (slug), ``name`` (Vietnamese, from a report heading),
    ``district``, ``district_name`` (when registered), ``observations`` (rows).

    >>> kpi.areas().head()
    """
    import pandas as pd

    from kpi.ingest.pipeline import refresh
    from kpi.notebook.report import resolve_data_dir

    folder = resolve_data_dir(data_dir)
    refresh(folder)
    path = folder / AREAS_CSV
    if not path.is_file():
        raise KpiError("no list of areas: the data folder has not been ingested",
                       where=str(path))
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in ("district", "district_name"):
        if col not in table:
            table[col] = ""
    if "observations" in table:
        table["observations"] = table["observations"].astype(int)
    return table


def observations(data_dir: str | Path = "data", *, area: str | None = None,
                 indicator: str | None = None, quarter: str | None = None) -> pd.DataFrame:
    """The tidy view: one value per area × period × indicator × measure (quarter figures),
    the one the reports show, chosen by the rule of :mod:`kpi.analysis.series` (a stated quarter
    figure before one computed from months, real before sample, exact before "gần" ...).
    ``alternatives`` holds the other figures stated for the same cell when they disagree
    (empty tuple otherwise); the raw rows, two or more per cell, are
    ``data/processed/observations.parquet``. Columns :data:`TIDY_COLUMNS`.

    >>> obs = kpi.observations(area="Xã Cẩm Bình", indicator="budget_revenue")
    >>> obs[["period", "measure", "value", "alternatives"]]
    """
    import pandas as pd

    folder, catalog, q = _data(data_dir)
    slug, code = _area(folder, area), _indicator(catalog, indicator)
    t = q.table
    keep = t["span"] == "quarter"
    if slug is not None:
        keep &= t["area"] == slug
    if code is not None:
        keep &= t["indicator"] == code
    if quarter is not None:
        from kpi.core.periods import parse_quarter

        keep &= t["period"] == parse_quarter(str(quarter))
    out = t[keep].copy()
    f = q.findings
    f = f[f["kind"] == "conflict"]
    others: dict[tuple[str, str, str], tuple[float, ...]] = {}
    for a, p, i, vals in zip(f["area"], f["period"], f["indicator"], f["values"], strict=True):
        others[(str(a), str(p), str(i))] = tuple(float(v) for v in vals)
    alternatives = []
    for a, p, i, m, v in zip(out["area"], out["period"], out["indicator"], out["measure"],
                             out["value"], strict=True):
        vals = others.get((str(a), str(p), str(i)), ()) if m == "value" else ()
        alternatives.append(tuple(x for x in vals if x != v))
    out["alternatives"] = pd.Series(alternatives, index=out.index, dtype=object)
    return out.reindex(columns=list(TIDY_COLUMNS)).sort_values(
        ["area", "indicator", "measure", "period"], kind="mergesort").reset_index(drop=True)


def series(data_dir: str | Path = "data", *, area: str | None = None,
              indicator: str | None = None) -> pd.DataFrame:
    """Quarter values as a wide series: one row per quarter, one column per indicator
    (``area`` given) or per area (``indicator`` given); at least one of the two.

    >>> kpi.series(area="cam binh", indicator="budget_revenue").tail()
    >>> kpi.series(indicator="covid_doses_total")     # every area side by side
    """
    from kpi.analysis.comparisons import values

    if area is None and indicator is None:
        raise KpiError("give an area, an indicator or both", where="kpi.series")
    folder, catalog, q = _data(data_dir)
    slug, code = _area(folder, area), _indicator(catalog, indicator)
    v = values(q, catalog, area=slug, indicator=code)
    columns = "indicator" if code is None else "area"
    wide = v.pivot_table(index="period", columns=columns, values="value", aggfunc="first")
    wide.columns.name = columns
    return wide.sort_index()


def ranking(indicator: str, quarter: str = "latest", data_dir: str | Path = "data", *,
            areas: Sequence[str] | None = None, lang: str = "vi") -> pd.DataFrame:
    """Areas ranked on ``indicator`` in ``quarter`` (best first, by the catalogue's good
    direction) with the change on the previous quarter: rank, area, name, value,
    previous, pct_change ... (:func:`kpi.analysis.comparisons.rank_areas`).
    ``quarter="latest"``: the newest quarter with a value. ``areas`` (slugs or names)
    narrows the ranking.

    >>> kpi.ranking("budget_revenue", "2022Q1").head(10)
    """
    from kpi.analysis.comparisons import rank_areas, values
    from kpi.core.periods import parse_quarter

    folder, catalog, q = _data(data_dir)
    code = _indicator(catalog, indicator)
    assert code is not None
    if quarter == "latest":
        v = values(q, catalog, indicator=code)
        if v.empty:
            raise KpiError(f"no quarter has a value of {code}", where="kpi.ranking")
        period = v["period"].max()
    else:
        period = parse_quarter(str(quarter))
    ranked = rank_areas(q, catalog, code, period, lang=lang)
    known = read_areas(folder)
    if areas is not None:
        wanted = {resolve(a, known, listed_in=str(folder / AREAS_CSV)) for a in areas}
        ranked = ranked[ranked["area"].isin(wanted)].reset_index(drop=True)
    names = {i.area: i.label for i in known}
    ranked.insert(2, "name", [names.get(a, a) for a in ranked["area"]])
    return ranked
