"""kpi: quarter-over-quarter KPI analyses from Vietnamese local-government reports.

Raw sources → observations → analyses → reports. See README.md for the tour.
"""

from kpi.errors import KpiError

__version__ = "0.1.0"
__all__ = ["KpiError", "__version__"]
