"""What a report notebook's kernel uses: one call per notebook section.

- :func:`open_report` → :class:`Report`, whose methods return display objects (tables,
  charts, notes) for each section; :mod:`kpi.notebook.report`;
- :mod:`kpi.notebook.plots` the charts (one seaborn theme, Vietnamese labels, alt text) and
  :mod:`kpi.notebook.chart_layout` their fixed layout;
- ``python -m kpi.notebook refresh NOTEBOOK.ipynb ...`` refreshes the outputs nbval checks.
"""

from kpi.notebook.report import (
    CHECK_MARK,
    CONTEXT,
    DOMAINS,
    Charts,
    Note,
    Report,
    Table,
    keep_checked_outputs,
    open_report,
    refresh_checked_outputs,
    resolve_data_dir,
)

__all__ = [
    "CHECK_MARK",
    "CONTEXT",
    "DOMAINS",
    "Charts",
    "Note",
    "Report",
    "Table",
    "keep_checked_outputs",
    "open_report",
    "refresh_checked_outputs",
    "resolve_data_dir",
]
