"""kpi: quarter-over-quarter KPI analyses from Vietnamese local-government reports.

Raw sources → observations → analyses → reports. See README.md for the tour. The names
below are the whole public API; everything else (``kpi.analysis``, ``kpi.analysis.series`` ...)
is the machinery behind them. In JupyterLab (working folder ``notebooks/`` or the
project root; the data folder is found the way the report notebooks find it)::

    import kpi
    kpi.areas()                                   # every known area, name, district
    r = kpi.open_report("data", "Xã Cẩm Bình", "2022Q1", domain="revenue")
    r.headline()                                  # any section of a report notebook
    kpi.observations(area="cam binh")             # one value per area/period/indicator/measure
    kpi.series(area="cam binh", indicator="budget_revenue")     # a quarterly series
    kpi.ranking("budget_revenue", "2022Q1")       # areas ranked on an indicator
    kpi.catalogue()["budget_revenue"]             # what an indicator means

Areas are given by slug or by name, any case, with or without diacritics; an unknown
area raises :class:`UnknownAreaError` naming the closest ones. ``import kpi`` imports
none of pandas, matplotlib or the notebook glue: each name loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpi.errors import KpiError
from kpi.util.lazy import lazy_exports

if TYPE_CHECKING:
    from kpi.api import areas, catalogue, observations, ranking, series
    from kpi.core.areas import UnknownAreaError
    from kpi.notebook.report import open_report

__version__ = "0.1.0"
__all__ = [
    "KpiError",
    "UnknownAreaError",
    "__version__",
    "areas",
    "catalogue",
    "observations",
    "open_report",
    "ranking",
    "series",
]

#: Public name → module it is loaded from on first use.
_LAZY = {
    "UnknownAreaError": "kpi.core.areas",
    "areas": "kpi.api",
    "catalogue": "kpi.api",
    "observations": "kpi.api",
    "open_report": "kpi.notebook.report",
    "ranking": "kpi.api",
    "series": "kpi.api",
}


__getattr__, __dir__ = lazy_exports("kpi", globals(), _LAZY)
