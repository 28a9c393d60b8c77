"""The report index at province scale: one row per area with its name, grouped by
district, one column per report, the status linked in each cell; no scripts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kpi.run.index_page import collect, render, write_index

NOTEBOOKS = ("overview", "revenue", "vaccination", "welfare", "urban_works")


def _province(tmp_path: Path, n: int) -> Path:
    reports = tmp_path / "reports"
    areas = [f"xa-{i:03d}-commune" for i in range(n)]
    entries = []
    for a in areas:
        for nb in NOTEBOOKS:
            page = reports / "2022Q1" / a / f"{nb}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text("<html></html>", encoding="utf-8")
            status = "failed" if (a, nb) == ("xa-007-commune", "welfare") else "ok"
            entries.append({"area": a, "notebook": nb, "status": status,
                            "finished": "2022-04-05T03:10:00"})
    (reports / "2022Q1" / "manifest.json").write_text(json.dumps({"reports": entries}))
    lines = ["area,name,observations,district,district_name"]
    for i, a in enumerate(areas):
        district = ("ky-anh-district", "Huyện Kỳ Anh") if i % 3 else ("cam-xuyen-district",
                                                                      "Huyện Cẩm Xuyên")
        lines.append(f"{a},Xã Số {i:03d},10,{district[0]},{district[1]}")
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "areas.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return reports


def test_one_row_per_area_grouped_by_district(tmp_path: Path) -> None:
    reports = _province(tmp_path, 150)
    page = write_index(reports).read_text(encoding="utf-8")
    body_rows = re.findall(r'<tr><th scope="row" title="xa-\d+-commune">([^<]*)', page)
    assert len(body_rows) == 150 and len(set(body_rows)) == 150
    assert all(name.startswith("Xã Số ") for name in body_rows)  # names, not slugs
    groups = re.findall(r'<tr class="kpi-group" id="([^"]+)"><th colspan="6">([^<]+)', page)
    assert [g[1].strip() for g in groups] == ["Huyện Cẩm Xuyên", "Huyện Kỳ Anh"]
    for anchor, _ in groups:  # the district list links to each group without a script
        assert f'href="#{anchor}"' in page
    assert page.count("<a href=") == 150 * 5 + len(groups)
    assert "<script" not in page
    cell = re.search(r'<td class="kpi-state kpi-state-failed"><a href="([^"]+)"', page)
    assert cell and cell.group(1) == "2022Q1/xa-007-commune/welfare.html"


def test_columns_follow_the_report_order_and_missing_reports_show_a_dash(tmp_path: Path):
    reports = _province(tmp_path, 2)
    (reports / "2022Q1" / "xa-001-commune" / "welfare.html").unlink()
    rows = [r for r in collect(reports) if not (r.area == "xa-001-commune"
                                                and r.notebook == "urban_works")]
    page = render(rows, "2026-12-08 03:00")
    head = re.search(r"<thead>(.*?)</thead>", page).group(1)
    titles = re.findall(r"<th>([^<]+) <span", head)
    assert titles == ["Địa bàn", "Tổng quan", "Thu, chi ngân sách", "Tiêm chủng",
                      "An sinh xã hội", "Đô thị, xây dựng"]
    assert '<td class="kpi-none">—</td>' in page
