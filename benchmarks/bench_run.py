"""Benchmark: a quarterly run with kpi.run.runner against papermill + nbconvert CLIs.

Runs the project's notebooks (``notebooks/*.ipynb``; the fixture notebooks that succeed
when there are none) for

  (1) one area × N notebooks and
  (2) ten areas × N notebooks,

with :func:`kpi.run.runner.run_quarter` (worker processes, in-process HTML export), and as the
baseline, for one area, ``papermill`` CLI then ``jupyter nbconvert --to html`` CLI per
notebook, one after another. The ten-area baseline is extrapolated from the one-area one
unless ``--full-baseline`` is given (it takes ten times as long).

Targets: (1) at least 2× the baseline's notebooks per minute; (2) at least 60 notebooks
per minute on 2 cores. Reports are written to a temporary project that links to the real
``data/`` (read only); the real ``reports/`` is not touched.

    python benchmarks/bench_run.py [--jobs J] [--engine NAME] [--full-baseline]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from kpi.run.runner import RunResult, run_quarter
from kpi.run.scope import LOCAL_LEVELS

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
FIXTURE_NOTEBOOKS = ("charts", "hello")  # the fixtures that run to the end
BATCH_AREAS = 10
TARGET_RATIO, TARGET_PER_MINUTE = 2.0, 60.0
BIN = Path(sys.executable).parent


def notebooks() -> tuple[list[Path], str]:
    real = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if not p.name.startswith("_"))
    if real:
        return real, "notebooks/*.ipynb"
    return [FIXTURES / f"{n}.ipynb" for n in FIXTURE_NOTEBOOKS], "fixture notebooks"


def areas_and_quarter(real: bool) -> tuple[list[str], str]:
    """Ten areas with reported values in the quarter most areas report (real notebooks),
    local areas first; or made-up slugs for the fixture notebooks."""
    table = ROOT / "data" / "processed" / "observations.parquet"
    if real and table.is_file():
        obs = pd.read_parquet(table, columns=["area", "period", "measure"])
        obs = obs[obs["measure"] != "plan"]
        quarter = obs.groupby("period")["area"].nunique().idxmax()
        areas = sorted(obs.loc[obs["period"] == quarter, "area"].astype(str).unique(),
                       key=lambda a: (not a.endswith(LOCAL_LEVELS), a))
        return areas[:BATCH_AREAS], f"{quarter.year}Q{quarter.quarter}"
    return [f"area-{i:02d}" for i in range(1, BATCH_AREAS + 1)], "2022Q1"


def project(tmp: Path) -> Path:
    """A scratch project whose ``data`` is the real one (linked, only read)."""
    root = tmp / "project"
    root.mkdir()
    (root / "data").symlink_to(ROOT / "data", target_is_directory=True)
    return root


def timed_run(root: Path, quarter: str, areas: list[str], books: list[Path], args) -> float:
    start = time.perf_counter()
    result: RunResult = run_quarter(
        quarter,
        root=root,
        areas=areas,
        notebooks=[str(p) for p in books],
        jobs=args.jobs,
        engine=args.engine,
        progress=False,
    )
    wall = time.perf_counter() - start
    if not result.ok:
        print(f"  warning: {len(result.failed)} reports not ok: {result.failed[0].error}")
    return wall


def baseline(root: Path, quarter: str, areas: list[str], books: list[Path]) -> float:
    """papermill CLI then nbconvert CLI for each (area, notebook), one after another."""
    out = root / "baseline"
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    for area in areas:
        for book in books:
            executed = out / f"{area}_{book.stem}.ipynb"
            subprocess.run(
                [str(BIN / "papermill"), str(book), str(executed), "--cwd", str(book.parent),
                 "-k", "python3", "--no-progress-bar", "--log-level", "ERROR",
                 "-r", "quarter", quarter, "-r", "area", area,
                 "-r", "data_dir", str(root / "data"), "-r", "lang", "vi"],
                check=False, capture_output=True,
            )  # fmt: skip
            subprocess.run(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--log-level", "ERROR",
                 str(executed)],
                check=False, capture_output=True,
            )  # fmt: skip
    return time.perf_counter() - start


def per_minute(count: int, seconds: float) -> float:
    return 60.0 * count / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--engine", default="papermill")
    parser.add_argument("--full-baseline", action="store_true")
    args = parser.parse_args()

    books, kind = notebooks()
    areas, quarter = areas_and_quarter(kind != "fixture notebooks")
    n = len(books)
    print(f"{n} notebooks ({kind}), quarter {quarter}, {len(areas)} areas for the batch, "
          f"{os.cpu_count()} cores, jobs={args.jobs}, engine={args.engine}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="kpi-bench-") as tmp:
        root = project(Path(tmp))
        base_one = baseline(root, quarter, areas[:1], books)
        one = timed_run(root, quarter, areas[:1], books, args)
        batch = timed_run(root, quarter, areas, books, args)
        largest = max(p.stat().st_size for p in (root / "reports").rglob("*.html"))
        count = len(areas) * n
        if args.full_baseline:
            base_batch, how = baseline(root, quarter, areas, books), "measured"
        else:
            base_batch, how = base_one * len(areas), "extrapolated ×" + str(len(areas))
        shutil.rmtree(root / "baseline", ignore_errors=True)

    rate_base = per_minute(n, base_one)
    rate_one, rate_batch = per_minute(n, one), per_minute(count, batch)
    ratio_one, ratio_batch = base_one / one, base_batch / batch
    ok_one, ok_batch = ratio_one >= TARGET_RATIO, rate_batch >= TARGET_PER_MINUTE
    print(f"baseline  1 area × {n}: {base_one:6.1f} s  {rate_base:6.1f} notebooks/min")
    print(f"runner    1 area × {n}: {one:6.1f} s  {rate_one:6.1f} notebooks/min  "
          f"{ratio_one:4.2f}× baseline (target ≥ {TARGET_RATIO:g}×) "
          f"{'PASS' if ok_one else 'FAIL'}")  # fmt: skip
    print(f"runner   {len(areas)} areas × {n}: {batch:6.1f} s  {rate_batch:6.1f} notebooks/min "
          f"(target ≥ {TARGET_PER_MINUTE:g}) {'PASS' if ok_batch else 'FAIL'}; "
          f"{ratio_batch:4.2f}× baseline ({how}: {base_batch:.1f} s)")  # fmt: skip
    print(f"largest report: {largest / 1000:.0f} KB (limit 300 KB)")
    return 0 if ok_one and ok_batch else 1


if __name__ == "__main__":
    sys.exit(main())
