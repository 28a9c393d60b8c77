"""Executed notebook → one self-contained, offline, inert HTML page.

- :mod:`kpi.render.exporter` the nbconvert exporter and its template (``templates/``);
- :mod:`kpi.render.page_scan` one pass over a page: is it inert, what must be added.
"""

from kpi.render.exporter import ReportHeader, exporter, render_report

__all__ = ["ReportHeader", "exporter", "render_report"]
