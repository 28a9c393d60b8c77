"""``reports/index.html``: every quarter × area × notebook report found under ``reports/``.

Per quarter, a matrix: one row per area with its name (``data/processed/areas.csv``),
grouped by district when the area register gives districts, one column per report, the
status in each cell linked to the page. A province (150 communes × 5 reports) is 150
rows, not 750.

Rebuilt from what is on disk after each run: quarter folders (``2022Q1``), area folders
and ``<notebook>.html`` files whose names pass :mod:`kpi.core.identifiers`'s patterns; status and
date come from the quarter's manifest (``không rõ``/unknown without one). Hidden folders
(a run in progress) are skipped. Everything shown is escaped; the page is one
self-contained file with no scripts.
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote

from kpi.core.areas import AreaInfo, read_areas
from kpi.core.identifiers import AREA_RE, NOTEBOOK_RE, QUARTER_RE
from kpi.core.periods import quarter_label
from kpi.render.exporter import CSP, STYLESHEET
from kpi.run import manifest
from kpi.run.jobs import STATUS_TEXT, report_title
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


def render(rows: Iterable[IndexRow], generated: str,
           areas: Mapping[str, AreaInfo] | None = None) -> str:
    """The index page's HTML for ``rows``: per quarter (in the given order) a matrix with
    one row per area (its name, grouped by district when ``areas`` says which) and one
    column per report, each cell the report's status linked to its page. Works without
    scripts: districts are reached through anchor links, the header row stays in view."""
    e = html.escape
    areas = areas or {}
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
        parts.append(_section(quarter, quarter_rows, areas))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _notebook_order(names: Iterable[str]) -> list[str]:
    """The overview first, then the domain reports in their usual order, then others."""
    first = ("overview", "revenue", "vaccination", "welfare", "urban_works")
    names = set(names)
    return [n for n in first if n in names] + sorted(names - set(first))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _section(quarter: str, rows: list[IndexRow], areas: Mapping[str, AreaInfo]) -> str:
    e = html.escape
    notebooks = _notebook_order(r.notebook for r in rows)
    cells: dict[str, dict[str, IndexRow]] = {}
    for row in rows:
        cells.setdefault(row.area, {})[row.notebook] = row
    info = {a: areas.get(a) or AreaInfo(a) for a in cells}
    groups: dict[tuple[str, str], list[str]] = {}
    for a in cells:
        groups.setdefault((info[a].district_name, info[a].district), []).append(a)
    grouped = len(groups) > 1 or any(d for d, _ in groups)
    order = sorted(groups, key=lambda g: (g == ("", ""), _fold(g[0])))
    head = (
        "<thead><tr>"
        '<th>Địa bàn <span class="kpi-en" lang="en">Area</span></th>'
        + "".join(f'<th>{e(_upper(report_title(n)))} <span class="kpi-en" lang="en">'
                  f"{e(_upper(report_title(n, 'en')))}</span></th>" for n in notebooks)
        + "</tr></thead>"
    )
    bodies, nav = [], []
    for n, key in enumerate(order):
        district_name, district = key
        members = sorted(groups[key], key=lambda a: (_fold(info[a].label), a))
        body = []
        if grouped:
            anchor = f"q-{quarter}-d{n}"
            label = district_name or "Khác"
            nav.append(f'<a href="#{e(anchor)}">{e(label)}</a> ({len(members)})')
            body.append(f'<tr class="kpi-group" id="{e(anchor)}"><th colspan="'
                        f'{len(notebooks) + 1}">{e(label)}'
                        + (f' <span class="kpi-en">{e(district)}</span>' if district else "")
                        + "</th></tr>")
        for a in members:
            # the slug (what --area and the notebooks also accept) in the tooltip: one
            # line per area keeps 150 of them on a few screens
            body.append(f'<tr><th scope="row" title="{e(a, quote=True)}">'
                        f"{e(info[a].label)}</th>"
                        + "".join(_cell(cells[a].get(nb)) for nb in notebooks) + "</tr>")
        bodies.append("<tbody>" + "".join(body) + "</tbody>")
    summary = (f'<p class="kpi-nav">{len(cells)} địa bàn <span class="kpi-en" lang="en">'
               f"areas</span>" + (": " + " · ".join(nav) if nav else "") + "</p>"
               + '<p class="kpi-legend">✓ hoàn thành · ✗ lỗi · ⚠ quá thời gian · — chưa có '
               '<span class="kpi-en" lang="en">✓ ok · ✗ failed · ⚠ timed out · — none</span>'
               "</p>")
    return (
        f'<section id="q-{e(quarter)}">'
        f"<h2>{e(quarter_label(quarter))}"
        f' <span class="kpi-en" lang="en">{e(quarter)}</span></h2>'
        f"{summary}"
        f'<table class="kpi-index kpi-matrix">{head}{"".join(bodies)}</table>'
        "</section>"
    )


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cell(row: IndexRow | None) -> str:
    """One report's status, linked to its page; the date in the tooltip."""
    e = html.escape
    if row is None:
        return '<td class="kpi-none">—</td>'
    vi, en = STATUS_TEXT.get(row.status, _UNKNOWN)
    state = row.status if row.status in STATUS_TEXT else "unknown"
    mark = {"ok": "✓", "failed": "✗", "timeout": "⚠"}.get(state, "?")
    tip = e(f"{vi} · {en} · {row.date}", quote=True)
    # a finished report is a plain mark (the legend says what it means); what needs a look
    # says so in words
    text = mark + (f'<span class="kpi-sr"> {e(vi)}</span>' if state == "ok" else f" {e(vi)}")
    inner = f'<a href="{e(row.href)}" title="{tip}">{text}</a>' if row.href else (
        f'<span title="{tip}">{text}</span>')
    return f'<td class="kpi-state kpi-state-{state}">{inner}</td>'


def write_index(reports_dir: Path) -> Path:
    """Rebuild ``reports_dir/index.html`` atomically from the reports on disk."""
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    path = reports_dir / INDEX_NAME
    known = {a.area: a for a in read_areas(reports_dir.parent / "data")}
    atomic.write_text(path, render(collect(reports_dir), generated, known))
    return path
