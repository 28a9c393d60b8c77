"""Report sections as an analyst reads them: the overview's counts, its links, the sources
table and text alignment (on the shipped data, no kernel)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from kpi.notebook.report import DOMAINS, WINDOW, open_report
from kpi.render.exporter import sibling_links_to_html

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize(("area", "quarter"), [("cam-xuyen-town", "2022Q1"),
                                               ("cam-binh-commune", "2022Q3"),
                                               ("vietnam", "2022Q1")])
def test_overview_counts_add_up_to_its_findings_section(area: str, quarter: str) -> None:
    report = open_report(DATA, area, quarter)
    table = report.overview().frame
    counts = [int(n) for n in table.iloc[:, 2]]
    assert sum(counts) == len(report.findings().frame)
    assert all(n >= 0 for n in counts)


def test_overview_links_to_sibling_notebooks_and_the_page_to_sibling_pages() -> None:
    html = open_report(DATA, "cam-xuyen-town", "2022Q1").overview()._repr_html_()
    assert re.findall(r'href="([^"]+)"', html) == [f"{d}.ipynb" for d in DOMAINS]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("[Thu](revenue.ipynb) · [x](../other/x.ipynb) · "
                                      "[y](https://example.org/y.ipynb)"),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
            "display_data", {"text/html": html})]),
    ])
    sibling_links_to_html(nb)
    assert nb.cells[0].source == ("[Thu](revenue.html) · [x](../other/x.ipynb) · "
                                  "[y](https://example.org/y.ipynb)")
    page = nb.cells[1].outputs[0]["data"]["text/html"]
    assert re.findall(r'href="([^"]+)"', page) == [f"{d}.html" for d in DOMAINS]


def test_sources_are_what_the_report_shows_newest_first() -> None:
    from kpi import analysis

    report = open_report(DATA, "cam-binh-commune", "2022Q1", domain="revenue")
    frame = report.sources().frame
    assert "Địa bàn" not in frame.columns  # one area: no area column
    # the trend chart's quarters are listed for the main indicator
    shown = set(frame.loc[frame["Chỉ tiêu"] == "Tổng thu ngân sách", "Kỳ"])
    assert {"Quý II/2021", "Quý III/2021", "Quý IV/2021", "Quý I/2022"} <= shown
    # nothing of a later quarter but the year plan the attainment uses
    raw = analysis.sources(report.data, report.catalog, report.area, report.quarter,
                           "revenue", charted=report.main_indicators(), window=WINDOW)
    later = raw[raw["period"] > report.quarter]
    assert set(later["measure"]) <= {"plan"} and set(later["span"]) <= {"year"}
    ordinals = [p.ordinal for p in raw["period"]]
    assert ordinals == sorted(ordinals, reverse=True)


def test_text_columns_are_left_aligned_numbers_are_not() -> None:
    report = open_report(DATA, "cam-xuyen-town", "2022Q1", domain="revenue")
    html = report.sources()._repr_html_()
    head = re.search(r"<thead><tr>(.*?)</tr></thead>", html).group(1)
    cells = re.findall(r"<th([^>]*)>([^<]*)</th>", head)
    styles = {name: style for style, name in cells}
    assert "text-align: left" in styles["Trích dẫn"] and "text-align: left" in styles["Kỳ"]
    assert "overflow-wrap: anywhere" in styles["Nguồn"]  # file paths may break
