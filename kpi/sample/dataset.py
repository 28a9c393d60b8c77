"""``kpi sample``: a seeded, synthetic multi-quarter data set in the raw forms real data has.

For the town of Cẩm Xuyên and five communes of Cẩm Xuyên district (Hà Tĩnh), quarters
2021Q1..2022Q4, it writes:

- ``reports/<area>_<quarter>_<number>.txt``: quarterly report texts in the genre of the
  real seed report (Đảng uỷ or UBND headings, quarter, half-year and year reports);
- ``tables/<area>_chi-tieu-chu-yeu.csv`` (+ ``.mapping.yaml``): a wide indicator table per
  area, and ``tables/cam-xuyen-district_tiem-vac-xin-covid.csv``, doses per area
  (:mod:`kpi.sample.tables`);
- ``truth.csv``: every planted number (area, period, span, indicator, measure, value,
  qualifier, where it is), the golden file for the readers;
- ``README.md`` and the marker ``.kpi-sample`` (which lists the files written).

The series are anchored on the real seed (:mod:`kpi.sample.series`); the town's 2022Q1
report is the real one and is never generated. Same seed → byte-identical files. The
generator writes only inside ``out_dir``, atomically, and refuses a non-empty folder
unless the marker says this generator wrote everything in it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pandas as pd

from kpi.core.catalog import load_catalog
from kpi.errors import KpiError, UnsafeParameterError
from kpi.sample.readme import readme
from kpi.sample.report import (
    NFD_REPORT,
    SPAN_OF_STYLE,
    Ctx,
    doc_number,
    report_date,
    write_report,
)
from kpi.sample.series import (
    AREA_BY_SLUG,
    AREAS,
    QUARTERS,
    SEED_AREA,
    SEED_PERIOD,
    Series,
    build_series,
    rng,
)
from kpi.sample.tables import area_table, district_table
from kpi.sample.text import Fact, Say, with_period
from kpi.util import atomic

MARKER: Final = ".kpi-sample"
TRUTH_COLUMNS: Final = ("source", "locator", "area", "period", "span", "month", "as_of",
                        "indicator", "measure", "value", "unit", "qualifier", "text", "note")


@dataclass
class SampleSet:
    """The generated files (relative POSIX path → bytes) and the planted truth."""

    files: dict[str, bytes] = field(default_factory=dict)
    truth: list[dict[str, object]] = field(default_factory=list)
    reports: list[dict[str, str]] = field(default_factory=list)  # name, area, period, style ...


def _check_choice(values: Sequence[str] | None, allowed: Sequence[str], what: str) -> list[str]:
    if values is None:
        return list(allowed)
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise UnsafeParameterError(f"{what} must be among {', '.join(allowed)}",
                                   text=", ".join(map(str, unknown)) or "(none)",
                                   where=f"parameter {what!r}")
    return [v for v in allowed if v in values]


def style_of(area: str, i: int, seed: int) -> str:
    """quarter, half (6 tháng, Q2 only) or year (Q4 only); the town is fixed."""
    q = i % 4 + 1
    if q in (1, 3):
        return "quarter"
    if area == SEED_AREA:
        return "half" if q == 2 else "year"
    draw = rng(seed, area, QUARTERS[i], "style").random()
    return ("half" if draw < 0.6 else "quarter") if q == 2 else ("year" if draw < 0.7
                                                                   else "quarter")


def _report(series: Series, i: int, seed: int,
            units: dict[str, str]) -> tuple[str, str, list, dict[str, str]]:
    """One report: its path, text, truth rows and a description for the README."""
    area = series.area
    period = QUARTERS[i]
    style = style_of(area.slug, i, seed)
    r = rng(seed, area.slug, period, "text")
    quirks = rng(seed, area.slug, period, "quirks")
    space = "\u00a0" if quirks.random() < 0.25 else " "
    crlf = quirks.random() < 0.2
    ctx = Ctx(area, i, style, series, r, Say(r, SPAN_OF_STYLE[style], space, units))
    ctx.date = report_date(i, r, style)
    number = doc_number(area, i, rng(seed, area.slug, period, "number"))
    text = write_report(ctx, number)
    if crlf:
        text = text.replace("\n", "\r\n")
    suffix = "BC-DU" if area.issuer == "party" else "BC-UBND"
    name = f"reports/{area.slug}_{period}_{number}-{suffix}.txt"
    rows = [_truth_row(name, loc, area.slug, with_period(f, period)) for loc, f in ctx.page.placed]
    quirk_list = [q for q, on in (("no-break spaces", space != " "), ("CRLF", crlf),
                                  ("NFD", (area.slug, period) == NFD_REPORT),
                                  ("web page", ctx.web)) if on]
    meta = {"name": name, "area": area.slug, "period": period, "style": style,
            "issuer": area.issuer, "quirks": ", ".join(quirk_list)}
    return name, text, rows, meta


def _truth_row(source: str, locator: str, area: str, f: Fact) -> dict[str, object]:
    return {"source": source, "locator": locator, "area": area, "period": f.period,
            "span": f.span, "month": f.month if f.month else "", "as_of": f.as_of,
            "indicator": f.indicator, "measure": f.measure, "value": f.value, "unit": f.unit,
            "qualifier": f.qualifier, "text": f.text, "note": f.note}


# --- the whole set ------------------------------------------------------------------
def build(seed: int = 2022, quarters: Sequence[str] | None = None,
          areas: Sequence[str] | None = None) -> SampleSet:
    """The sample data set in memory (no files written)."""
    qs = _check_choice(quarters, QUARTERS, "quarters")
    slugs = _check_choice(areas, [a.slug for a in AREAS], "areas")
    units = {i.code: i.unit for i in load_catalog()}
    out = SampleSet()
    report_rows: list[dict[str, object]] = []
    table_rows: list[dict[str, object]] = []
    all_series: list[Series] = []
    for slug in slugs:
        series = build_series(AREA_BY_SLUG[slug], seed)
        for period in qs:
            if (slug, period) == (SEED_AREA, SEED_PERIOD):
                continue
            name, text, rows, meta = _report(series, QUARTERS.index(period), seed, units)
            out.files[name] = text.encode("utf-8")
            out.reports.append(meta)
            report_rows += rows
        files, rows = area_table(series, qs, units)
        out.files.update(files)
        table_rows += rows
        all_series.append(series)
    files, rows = district_table(all_series, qs, units)
    out.files.update(files)
    table_rows += rows
    out.truth = report_rows + table_rows
    truth = pd.DataFrame(out.truth, columns=list(TRUTH_COLUMNS))
    buf = io.StringIO()
    truth.to_csv(buf, index=False, lineterminator="\n")
    out.files["truth.csv"] = buf.getvalue().encode("utf-8")
    out.files["README.md"] = readme(seed, qs, slugs, out).encode("utf-8")
    return out


def _marker_text(seed: int, names: list[str]) -> str:
    lines = ["# kpi sample data set: synthetic, made by `kpi sample`. Files written:",
             f"# seed {seed}", *names]
    return "\n".join(lines) + "\n"


def _listed(marker: Path) -> set[str]:
    return {line.strip() for line in marker.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def _check_target(out_dir: Path) -> set[str]:
    """Files a previous run wrote here; raise if the folder holds anything else."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UnsafeParameterError("the sample output is not a folder", where=str(out_dir))
    if not out_dir.exists():
        return set()
    present = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    if not present:
        return set()
    marker = out_dir / MARKER
    if not marker.is_file():
        raise UnsafeParameterError(
            "refusing to write into a non-empty folder that kpi sample did not make "
            f"(no {MARKER} marker)", text=", ".join(sorted(present)[:5]), where=str(out_dir))
    listed = _listed(marker)
    foreign = sorted(present - listed - {MARKER})
    if foreign:
        raise UnsafeParameterError(
            "refusing to write: the folder holds files kpi sample did not write",
            text=", ".join(foreign[:5]), where=str(out_dir))
    return listed


def _inside(out_dir: Path, rel: str) -> Path:
    path = out_dir / rel
    if not path.resolve().is_relative_to(out_dir.resolve()):
        raise UnsafeParameterError("a sample file would leave the output folder", text=rel,
                                   where=str(out_dir))
    return path


def generate(out_dir: Path, *, seed: int = 2022, quarters: Sequence[str] | None = None,
             areas: Sequence[str] | None = None) -> list[Path]:
    """Write the sample data set into ``out_dir``; return the files written, sorted.

    ``quarters`` and ``areas`` restrict the set (default: all of
    :data:`~kpi.sample.series.QUARTERS` and :data:`~kpi.sample.series.AREAS`). Raises
    :class:`~kpi.errors.UnsafeParameterError` when ``out_dir`` is a file or holds files
    this generator did not write. Files of an earlier run that this run does not make
    are removed; nothing outside ``out_dir`` is touched.
    """
    out_dir = Path(out_dir)
    previous = _check_target(out_dir)
    sample = build(seed, quarters, areas)
    names = sorted(sample.files)
    paths = [_inside(out_dir, rel) for rel in names]  # all checked before anything is written
    for rel, path in zip(names, paths, strict=True):
        atomic.write_bytes(path, sample.files[rel])
    atomic.write_text(out_dir / MARKER, _marker_text(seed, names))
    for stale in sorted(previous - set(names)):
        path = _inside(out_dir, stale)
        path.unlink(missing_ok=True)
        if path.parent != out_dir and path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()
    return paths


def sample_command(out: Path, seed: int = 2022) -> int:
    """``kpi sample --out DIR [--seed N]``: 0 on success, 2 when refused."""
    try:
        paths = generate(Path(out), seed=seed)
    except KpiError as exc:
        print(f"kpi sample: {exc}", file=sys.stderr)
        return 2
    reports = sum(1 for p in paths if p.parent.name == "reports")
    tables = sum(1 for p in paths if p.suffix == ".csv" and p.parent.name == "tables")
    print(f"kpi sample: {reports} reports, {tables} tables, truth.csv and README.md "
          f"(seed {seed}) → {out}", file=sys.stderr)
    return 0
