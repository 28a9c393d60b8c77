"""``reports/index.html``: every quarter × area × notebook report found under ``reports/``.

Rebuilt from what is on disk after each run: quarter folders (``2022Q1``), area folders
and ``<notebook>.html`` files whose names pass :mod:`kpi.core.identifiers`'s patterns; status and
date come from the quarter's manifest (``không rõ``/unknown without one). Hidden folders
(a run in progress) are skipped. Everything shown is escaped; the page is one
self-contained file with no scripts.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote

from kpi.core.identifiers import AREA_RE, NOTEBOOK_RE, QUARTER_RE
from kpi.core.periods import quarter_label
from kpi.render.exporter import CSP, STYLESHEET
from kpi.run import manifest
from kpi.run.jobs import STATUS_TEXT
from kpi.util import atomic

INDEX_NAME: Final = "index.html"
TITLE_VI: Final = "Báo cáo KPI theo quý"
TITLE_EN: Final = "Quarterly KPI reports"
_UNKNOWN: Final = ("không rõ", "unknown")


@dataclass(frozen=True)
class IndexRow:
    """One report as listed: ``href`` is relative to ``reports/`` (``None``: no page)."""

    quarter: str
    area: str
    notebook: str
    status: str
    date: str
    href: str | None


def collect(reports_dir: Path) -> list[IndexRow]:
    """All reports under ``reports_dir``, newest quarter first, then area and notebook."""
    rows: list[IndexRow] = []
    quarters = [d for d in reports_dir.iterdir() if d.is_dir() and QUARTER_RE.fullmatch(d.name)]
    for quarter_dir in sorted(quarters, key=lambda d: d.name, reverse=True):
        rows.extend(_quarter_rows(quarter_dir))
    return rows


def _quarter_rows(quarter_dir: Path) -> list[IndexRow]:
    quarter = quarter_dir.name
    document = manifest.read(quarter_dir / manifest.MANIFEST_NAME) or {"reports": []}
    entries = {
        (e.get("area"), e.get("notebook")): e
        for e in document["reports"]
        if isinstance(e, dict)
        and AREA_RE.fullmatch(str(e.get("area")))
        and NOTEBOOK_RE.fullmatch(str(e.get("notebook")))
    }
    pages: dict[tuple[str, str], Path] = {}
    for area_dir in quarter_dir.iterdir():
        if area_dir.is_dir() and AREA_RE.fullmatch(area_dir.name):
            for page in area_dir.glob("*.html"):
                if NOTEBOOK_RE.fullmatch(page.stem):
                    pages[(area_dir.name, page.stem)] = page
    rows = []
    for area, notebook in sorted(set(entries) | set(pages)):
        entry = entries.get((area, notebook), {})
        page = pages.get((area, notebook))
        status = str(entry.get("status", "unknown"))
        when = str(entry.get("finished", "")) or (_mtime(page) if page else "")
        href = quote(f"{quarter}/{area}/{notebook}.html") if page else None
        rows.append(IndexRow(quarter, area, notebook, status, when[:16].replace("T", " "), href))
    return rows


def _mtime(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="minutes")


def render(rows: Iterable[IndexRow], generated: str) -> str:
    """The index page's HTML for ``rows`` (grouped by quarter, in the given order)."""
    e = html.escape
    by_quarter: dict[str, list[IndexRow]] = {}
    for row in rows:
        by_quarter.setdefault(row.quarter, []).append(row)
    count = sum(len(v) for v in by_quarter.values())
    bad = sum(r.status != "ok" for v in by_quarter.values() for r in v)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">',
        f"<title>{e(TITLE_VI)} · {e(TITLE_EN)}</title>",
        f"<style>\n{STYLESHEET.read_text(encoding='utf-8')}</style>",
        "</head>",
        '<body class="kpi-index-page">',
        "<main>",
        '<header class="kpi-header">',
        f"<h1>{e(TITLE_VI)}</h1>",
        f'<p class="kpi-en" lang="en">{e(TITLE_EN)}</p>',
        f"<p>Cập nhật lúc {e(generated)} · {count} báo cáo, {bad} chưa đạt"
        f' <span class="kpi-en" lang="en">· updated {e(generated)} · {count} reports,'
        f" {bad} not ok</span></p>",
        "</header>",
    ]
    if not by_quarter:
        parts.append(
            '<p>Chưa có báo cáo nào. <span class="kpi-en" lang="en">No reports yet.</span></p>'
        )
    for quarter, quarter_rows in by_quarter.items():
        parts.append(_section(quarter, quarter_rows))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _section(quarter: str, rows: list[IndexRow]) -> str:
    e = html.escape
    head = (
        "<thead><tr>"
        '<th>Địa bàn <span class="kpi-en" lang="en">Area</span></th>'
        '<th>Báo cáo <span class="kpi-en" lang="en">Report</span></th>'
        '<th>Trạng thái <span class="kpi-en" lang="en">Status</span></th>'
        '<th>Ngày lập <span class="kpi-en" lang="en">Date</span></th>'
        "</tr></thead>"
    )
    body = []
    for row in rows:
        vi, en = STATUS_TEXT.get(row.status, _UNKNOWN)
        state = row.status if row.status in STATUS_TEXT else "unknown"
        name = e(row.notebook)
        link = f'<a href="{e(row.href)}">{name}</a>' if row.href else name
        body.append(
            f"<tr><td>{e(row.area)}</td><td>{link}</td>"
            f'<td class="kpi-state kpi-state-{state}">{e(vi)}'
            f' <span class="kpi-en" lang="en">{e(en)}</span></td>'
            f"<td>{e(row.date)}</td></tr>"
        )
    return (
        f'<section id="q-{e(quarter)}">'
        f"<h2>{e(quarter_label(quarter))}"
        f' <span class="kpi-en" lang="en">{e(quarter)}</span></h2>'
        f'<table class="kpi-index">{head}<tbody>{"".join(body)}</tbody></table>'
        "</section>"
    )


def write_index(reports_dir: Path) -> Path:
    """Rebuild ``reports_dir/index.html`` atomically from the reports on disk."""
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    path = reports_dir / INDEX_NAME
    atomic.write_text(path, render(collect(reports_dir), generated))
    return path
