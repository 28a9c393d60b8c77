"""Benchmark: the analysis sections of the report notebooks (no charts).

For each area and each notebook (overview and the four domains) a fresh report is opened
as a notebook opens it (``open_report(data_dir, area, quarter, lang, domain)``) and every
non-chart section is called once, in notebook order: title, headline, narrative,
main_indicators (what the trend charts show), context, findings, sources; the overview
notebook: title, overview, findings. Each repeat wraps the same quarterly series in a new
``Quarterly`` and a new ``Report`` (so no cache built for one notebook serves the next, as
in a run where each notebook has its own kernel); the figure kept is the best of the
repeats (the machine may be shared).

With ``--before REV`` the same measurement also runs on the ``kpi`` package of git
revision ``REV`` (extracted read-only with ``git archive`` into a temporary folder) in
the same run, the ratios are printed, and every section's text, HTML and Markdown forms
must be identical in both (exit code 1 otherwise). Target: the analysis of a notebook
(all its non-chart sections) >= 5x faster than ``REV``.

    python benchmarks/bench_sections.py [--before HEAD] [--quarter 2022Q2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AREAS = ("cam-binh-commune", "cam-xuyen-town", "ha-tinh-province", "vietnam")
NOTEBOOKS = ("overview", "revenue", "vaccination", "welfare", "urban_works")
TARGET = 5.0


def _sections(notebook: str) -> tuple[str, ...]:
    if notebook == "overview":
        return ("title", "overview", "findings")
    context = ("context",) if notebook in ("vaccination", "urban_works") else ()
    return ("title", "headline", "narrative", "main_indicators", *context, "findings",
            "sources")


def _shown(obj: object) -> str:
    """Every form a notebook displays of a section's result."""
    forms = [repr(obj)]
    for method in ("_repr_html_", "_repr_markdown_"):
        if hasattr(obj, method):
            forms.append(repr(getattr(obj, method)()))
    return "\n".join(forms)


def _child(quarter: str, langs: list[str], repeat: int) -> None:
    """Measure with whatever ``kpi`` is importable; print JSON on stdout."""
    import contextlib

    from kpi.analysis.series import Quarterly
    from kpi.notebook.report import open_report

    times: dict[str, dict[str, float]] = {}
    digest = hashlib.sha256()
    for area in AREAS:
        for lang in langs:
            for nb in NOTEBOOKS:
                with contextlib.redirect_stderr(io.StringIO()):
                    opened = open_report(ROOT / "data", area, quarter, lang,
                                         None if nb == "overview" else nb)
                best: dict[str, float] = {}
                for n in range(repeat + 1):  # the first round warms up, not counted
                    q = opened.data
                    report = replace(opened, data=Quarterly(q.table, q.cumulative, q.findings,
                                                            q.observations), _headlines={})
                    for section in _sections(nb):
                        start = time.perf_counter()
                        result = getattr(report, section)()
                        spent = time.perf_counter() - start
                        if n:
                            best[section] = min(best.get(section, spent), spent)
                        else:
                            digest.update(f"{area} {lang} {nb} {section}\n".encode())
                            digest.update(_shown(result).encode())
                times[f"{area} {lang} {nb}"] = best
    json.dump({"times": times, "digest": digest.hexdigest()}, sys.stdout)


def _run(kpi_path: Path, args: argparse.Namespace) -> dict:
    env = {**os.environ, "PYTHONPATH": str(kpi_path)}
    cmd = [sys.executable, __file__, "--child", "--quarter", args.quarter,
           "--repeat", str(args.repeat), "--lang", *args.lang]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        sys.exit(f"measurement under {kpi_path} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


def _extract(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", "--format=tar", rev, "kpi"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _per_section(result: dict) -> dict[tuple[str, str], float]:
    """Mean seconds per (notebook, section) over areas and languages."""
    sums: dict[tuple[str, str], list[float]] = {}
    for key, sections in result["times"].items():
        nb = key.rsplit(" ", 1)[1]
        for section, t in sections.items():
            sums.setdefault((nb, section), []).append(t)
    return {k: sum(v) / len(v) for k, v in sums.items()}


def _per_notebook(result: dict) -> dict[str, float]:
    totals: dict[str, list[float]] = {}
    for key, sections in result["times"].items():
        totals.setdefault(key.rsplit(" ", 1)[1], []).append(sum(sections.values()))
    return {nb: sum(v) / len(v) for nb, v in totals.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quarter", default="2022Q2")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lang", nargs="+", default=["vi"])
    parser.add_argument("--before", metavar="REV", help="git revision to compare with")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.quarter, args.lang, args.repeat)
        return 0

    now = _run(ROOT, args)
    before = None
    if args.before:
        with tempfile.TemporaryDirectory() as tmp:
            before = _run(_extract(args.before, Path(tmp)), args)

    print(f"quarter {args.quarter}, areas {', '.join(AREAS)}, lang {' '.join(args.lang)}; "
          f"best of {args.repeat}, mean over areas (ms)")
    head = f"{'notebook':<12} {'section':<16} {'now':>9}"
    print(head + (f" {'before':>9} {'ratio':>7}" if before else ""))
    sections, old = _per_section(now), _per_section(before) if before else {}
    for (nb, section), t in sections.items():
        line = f"{nb:<12} {section:<16} {t * 1000:9.1f}"
        if before:
            b = old[(nb, section)]
            line += f" {b * 1000:9.1f} {b / t:7.1f}x"
        print(line)
    print()
    totals, old_totals = _per_notebook(now), _per_notebook(before) if before else {}
    worst = None
    for nb, t in totals.items():
        line = f"{nb:<12} {'(all sections)':<16} {t * 1000:9.1f}"
        if before:
            ratio = old_totals[nb] / t
            worst = ratio if worst is None else min(worst, ratio)
            line += f" {old_totals[nb] * 1000:9.1f} {ratio:7.1f}x"
        print(line)
    if before is None:
        return 0
    same = before["digest"] == now["digest"]
    print(f"\noutputs identical to {args.before}: {'yes' if same else 'NO'}")
    print(f"slowest notebook speed-up {worst:.1f}x (target >= {TARGET:.0f}x): "
          f"{'met' if worst is not None and worst >= TARGET else 'NOT met'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
