"""Throughput of a quarterly run: plain papermill vs warm kernels vs Dask vs plain Python.

One run on one machine, ``--areas`` areas × 5 notebooks (HTML included where a report is
made), each way:

(a) plain papermill (a kernel per notebook), ``--jobs`` pool workers;
(b) the ``kpi-warm`` engine, ``--jobs`` pool workers (one warm kernel each);
(c) the ``kpi-warm`` engine on a LocalCluster of ``--jobs`` one-thread workers;
(d) the ceiling without kernels: the same notebook code run as plain Python (cells turned
    into Python as nbconvert does, parameters injected, last expressions rendered as rich
    HTML, figures rendered to PNG as the inline backend does) in ``--jobs`` processes that
    import the heavy modules once.

(a)-(c) run the same :func:`kpi.run.jobs.run_job`; (b) and (c) are checked against (a) cell by
cell. Printed: notebooks per minute, CPU-seconds per notebook (workers, kernels and this
process), peak memory per worker (all processes together, divided by workers), and ratios
to (d). Then one area × 5 notebooks end to end from cold (a new forkserver, new workers)
with (b) against (d).

With ``--rounds N`` (b), (c), (d) and the one-area run are repeated N times in turn and the
best of each is kept: on a shared machine one run's ratios move by tens of percent.

Targets: (b) ≥ 3 × (a) and ≥ 0.7 × (d); (c) within 15 % of (b); one area end to end within
1.5 × (d). Notebooks: the real ones in notebooks/ when the processed data exist, else the
fixture notebooks of the warm-kernel tests.

    .venv/bin/python benchmarks/bench_scale.py --areas 20 --rounds 2
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kpi.util.startup  # noqa: E402, F401 - before nbformat, as in the runner (see kpi.util.startup)

# isort: split
import nbformat  # noqa: E402

if TYPE_CHECKING:
    # Not imported at run time: every worker imports this module (multiprocessing's
    # __mp_main__), and (d)'s plain workers must not pay for papermill and nbconvert.
    from kpi.run.jobs import Job, JobResult

from kpi.warm import ENGINE_NAME  # noqa: E402
from kpi.warm.compare import differences  # noqa: E402

REAL_NOTEBOOKS = ("overview", "revenue", "vaccination", "welfare", "urban_works")
FIXTURE_NOTEBOOKS = ("report", "chart", "table", "trend", "summary")
FIXTURES = ROOT / "tests" / "fixtures" / "warm"
PLAIN_IMPORTS = ("numpy", "pandas", "pyarrow.parquet", "matplotlib.pyplot", "seaborn")


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Usage:
    """CPU and memory of a set of worker processes, helpers (a kernel zygote) and
    everything they start. Memory: the peak of all their resident sets together, per
    worker (a zygote and the kernels it forks are shared among the workers)."""

    workers: Callable[[], Iterable[int]]
    helpers: Callable[[], Iterable[int]] = list
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> own cpu seconds (last seen)
    reaped_in: dict[int, float] = field(default_factory=dict)  # worker -> reaped children cpu
    alive: set[int] = field(default_factory=set)
    seen_workers: set[int] = field(default_factory=set)
    peak_total_rss: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        self.alive = set()
        workers = list(self.workers())
        self.seen_workers.update(workers)
        total = 0
        for pid in [*workers, *self.helpers()]:
            try:
                top = psutil.Process(pid)
                tree = [top, *top.children(recursive=True)]
                times = top.cpu_times()
                self.reaped_in[pid] = times.children_user + times.children_system
                for proc in tree:
                    with contextlib.suppress(psutil.Error):
                        t = proc.cpu_times()
                        self.cpu[proc.pid] = t.user + t.system
                        total += proc.memory_info().rss
                        self.alive.add(proc.pid)
            except psutil.Error:
                continue
        self.peak_total_rss = max(self.peak_total_rss, total)

    @property
    def peak_per_worker(self) -> float:
        return self.peak_total_rss / max(1, len(self.seen_workers))

    def run(self) -> None:
        while not self._stop.wait(0.25):
            self.sample()

    def __enter__(self) -> Usage:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def total_cpu(self) -> float:
        """Live processes' own time plus what workers reaped (finished kernels); a kernel
        seen alive and reaped since is counted once, in its worker."""
        workers = set(self.reaped_in)
        own = sum(c for pid, c in self.cpu.items() if pid in self.alive or pid in workers)
        return own + sum(self.reaped_in.values())


@dataclass
class Result:
    label: str
    notebooks: int
    wall: float
    cpu: float
    peak_mb: float
    ok: int
    mismatches: int | None = None

    @property
    def per_minute(self) -> float:
        return self.notebooks / self.wall * 60

    @property
    def cpu_per_notebook(self) -> float:
        return self.cpu / self.notebooks


def own_cpu() -> float:
    t = psutil.Process().cpu_times()
    return t.user + t.system


# -- (a), (b): the local pool ---------------------------------------------------------------


def run_pool(jobs: list[Job], workers: int) -> tuple[list[JobResult], Usage, float, float]:
    """``kpi run``'s local pool (with its kernel zygote for warm jobs), timed from its start."""
    from kpi.run.jobs import run_job
    from kpi.run.runner import worker_pool  # imported here: see the TYPE_CHECKING imports

    warm = any(job.engine == ENGINE_NAME for job in jobs)
    cpu0, start = own_cpu(), time.perf_counter()
    with worker_pool(workers, warm) as pool:
        usage = Usage(lambda: list((getattr(pool, "_processes", None) or {}).keys()),
                      _zygote_pids)
        with usage:
            results = list(pool.map(run_job, jobs))
            wall = time.perf_counter() - start
            usage.sample()
    return results, usage, wall, own_cpu() - cpu0


def _zygote_pids() -> list[int]:
    """The kernel zygote (a child of this process): its CPU and its forks' count too."""
    found = []
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error):
            if any("zygote_server" in part for part in child.cmdline()):
                found.append(child.pid)
    return found


# -- (c): Dask ------------------------------------------------------------------------------


def run_dask(jobs: list[Job], workers: int) -> tuple[list[JobResult], Usage, float, float]:
    from distributed import Client

    from kpi.run.cluster import local_cluster, run_on_cluster

    with local_cluster(workers) as cluster, Client(cluster) as client:  # as --scheduler local
        pids = list(client.run(os.getpid).values())
        usage = Usage(lambda: pids, _zygote_pids)  # the workers' kernels are its forks
        cpu0, start = own_cpu(), time.perf_counter()
        with usage:
            run = run_on_cluster(jobs, cluster.scheduler_address)
            wall = time.perf_counter() - start
            usage.sample()
        cpu = own_cpu() - cpu0
    return list(run.results), usage, wall, cpu


# -- (d): plain Python ----------------------------------------------------------------------


def _init_plain_worker(imports: tuple[str, ...]) -> None:
    import importlib

    import matplotlib

    matplotlib.use("agg")
    sys.path.insert(0, "")  # as in a kernel: the working folder's modules import
    for name in imports:
        importlib.import_module(name)


def _show(value: object) -> None:
    """What IPython's display hook would compute for a cell's last value."""
    if value is None:
        return
    html = getattr(value, "_repr_html_", None)
    text = html() if callable(html) else repr(value)
    assert text is None or isinstance(text, str)


def _flush_figures() -> None:
    """What the inline backend does after a cell: every open figure to PNG, then closed."""
    import matplotlib.pyplot as plt

    for number in plt.get_fignums():
        plt.figure(number).savefig(io.BytesIO(), format="png", bbox_inches="tight")
    plt.close("all")


def run_plain_notebook(path: str, parameters: dict[str, object]) -> float:
    """Execute a notebook's code cells as plain Python; returns seconds."""
    from IPython.core.inputtransformer2 import TransformerManager
    from IPython.display import display  # noqa: F401 - notebooks import it themselves

    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    transform = TransformerManager().transform_cell
    namespace: dict[str, Any] = {"__name__": "__main__"}
    os.chdir(Path(path).parent)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    injected = "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
    first = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if first:
        cells.insert(1, injected)
    else:
        cells.insert(0, injected)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for source in cells:
            tree = ast.parse(transform(source))
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, path, "exec"), namespace)
            if last is not None:
                _show(eval(compile(ast.Expression(last.value), path, "eval"), namespace))
            _flush_figures()
    return time.perf_counter() - start


def run_plain(jobs: list[Job], workers: int, imports: tuple[str, ...]
              ) -> tuple[list[float], Usage, float, float]:
    pool = ProcessPoolExecutor(workers, mp_context=get_context("forkserver"),
                               initializer=_init_plain_worker, initargs=(imports,))
    usage = Usage(lambda: list((getattr(pool, "_processes", None) or {}).keys()))
    cpu0, start = own_cpu(), time.perf_counter()
    with usage:
        times = list(pool.map(run_plain_notebook, [str(j.notebook) for j in jobs],
                              [dict(j.parameters) for j in jobs]))
        wall = time.perf_counter() - start
        usage.sample()
    pool.shutdown(wait=True)
    return times, usage, wall, own_cpu() - cpu0


# -- the run ----------------------------------------------------------------------------------


def choose(kind: str, quarter: str, count: int, work: Path
           ) -> tuple[list[Path], list[str], str]:
    """Notebooks, ``count`` areas (repeated if the data has fewer) and what was chosen.

    The real notebooks read a copy of data/ made now (``work/data``): an ingest running
    meanwhile must not change the reports between two modes."""
    data = ROOT / "data" / "processed" / "observations.parquet"
    real = [ROOT / "notebooks" / f"{n}.ipynb" for n in REAL_NOTEBOOKS]
    if kind == "real" or (kind == "auto" and data.is_file() and all(p.is_file() for p in real)):
        from kpi.run.scope import read_coverage

        shutil.copytree(ROOT / "data", work / "data")
        coverage = read_coverage(work)
        areas = sorted(coverage.loc[coverage["quarter"] == quarter, "area"].unique())
        if not areas:
            raise SystemExit(f"no area has data for {quarter}")
        chosen = list(itertools.islice(itertools.cycle(areas), count))
        return real, chosen, f"notebooks/ ({len(set(chosen))} areas with data in {quarter})"
    notebooks = [FIXTURES / f"{n}.ipynb" for n in FIXTURE_NOTEBOOKS]
    return notebooks, [f"area-{i:02d}" for i in range(count)], "tests/fixtures/warm"


def make_jobs(notebooks: list[Path], areas: list[str], quarter: str, out: Path,
              engine: str) -> list[Job]:
    """Jobs as the runner makes them; outputs under ``out``, data from ``out/../data``."""
    from kpi.run.jobs import Job

    data = out.parent / "data"
    return [
        Job(quarter=quarter, area=area, notebook=nb, output_dir=out / f"{i:02d}-{area}",
            engine=engine, cell_timeout=600,
            parameters={"quarter": quarter, "area": area, "data_dir": str(data),
                        "lang": "vi"})
        for i, area in enumerate(areas)
        for nb in notebooks
    ]


def mismatches(reference: list[JobResult], other: list[JobResult]) -> int:
    """Notebooks whose outputs differ from the reference run's; the first few are shown."""
    count = 0
    for a, b in zip(reference, other, strict=True):
        if a.ipynb is None or b.ipynb is None:
            found = ["missing notebook"]
        else:
            found = differences(nbformat.read(a.ipynb, as_version=4),
                                nbformat.read(b.ipynb, as_version=4))
        if found:
            count += 1
            if count <= 3:
                print(f"    differs: {b.area}/{b.notebook}: {found[0][:400]}")
    return count


def summarise(label: str, jobs: list[Job], usage: Usage, wall: float, cpu_self: float,
              ok: int, reference: list[JobResult] | None = None,
              results: list[JobResult] | None = None) -> Result:
    peak = usage.peak_per_worker / 2**20
    result = Result(label, len(jobs), wall, usage.total_cpu() + cpu_self, peak, ok)
    if reference is not None and results is not None:
        result.mismatches = mismatches(reference, results)
    print(f"  {label}: {result.notebooks} notebooks in {wall:.1f} s", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--areas", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quarter", default="2022Q2")
    parser.add_argument("--notebooks", choices=("auto", "real", "fixtures"), default="auto")
    parser.add_argument("--skip", default="", help="modes to skip, e.g. 'a' or 'ac'")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run (b), (c), (d) and the one-area test this many times in "
                             "turn and keep each one's best (a shared machine's load moves "
                             "single runs by tens of percent)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="kpi-bench-"))
    results: dict[str, Result] = {}
    try:
        notebooks, areas, what = choose(args.notebooks, args.quarter, args.areas, work)
        print(f"{len(areas)} areas × {len(notebooks)} notebooks from {what}, "
              f"--jobs {args.jobs}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        reference = None
        if "a" not in args.skip:  # once: slow, and far from every other mode
            jobs = make_jobs(notebooks, areas, args.quarter, work / "a", "papermill")
            done, usage, wall, cpu = run_pool(jobs, args.jobs)
            reference = done
            results["a"] = summarise("(a) papermill", jobs, usage, wall, cpu,
                                     sum(r.ok for r in done))
        for n in range(args.rounds):  # the other modes in turn; each keeps its best round
            if "d" not in args.skip:
                jobs = make_jobs(notebooks, areas, args.quarter, work / f"d-{n}", "none")
                times, usage, wall, cpu = run_plain(jobs, args.jobs,
                                                    (*PLAIN_IMPORTS, "kpi.notebook.report"))
                keep_best(results, "d", summarise("(d) plain Python", jobs, usage, wall, cpu,
                                                  len(times)))
            if "b" not in args.skip:
                jobs = make_jobs(notebooks, areas, args.quarter, work / f"b-{n}", "kpi-warm")
                done, usage, wall, cpu = run_pool(jobs, args.jobs)
                keep_best(results, "b", summarise("(b) warm kernels", jobs, usage, wall, cpu,
                                                  sum(r.ok for r in done), reference, done))
            if "c" not in args.skip:
                jobs = make_jobs(notebooks, areas, args.quarter, work / f"c-{n}", "kpi-warm")
                done, usage, wall, cpu = run_dask(jobs, args.jobs)
                keep_best(results, "c", summarise("(c) warm kernels, Dask", jobs, usage, wall,
                                                  cpu, sum(r.ok for r in done), reference, done))
        one: dict[str, float] = {}
        for n in range(args.rounds if "e" not in args.skip else 0):
            jobs = make_jobs(notebooks, areas[:1], args.quarter, work / f"e-{n}", "kpi-warm")
            _restart_forkserver([])  # (b) starts it as `kpi run` does, with its preload
            _, _, warm_wall, _ = run_pool(jobs, args.jobs)
            _restart_forkserver([])  # (d) imports in its two processes, in parallel
            _, _, plain_wall, _ = run_plain(jobs, args.jobs,
                                            (*PLAIN_IMPORTS, "kpi.notebook.report"))
            one["b"] = min(one.get("b", warm_wall), warm_wall)
            one["d"] = min(one.get("d", plain_wall), plain_wall)
        report(results, one)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _restart_forkserver(preload: list[str]) -> None:
    """Stop multiprocessing's forkserver, so that the next pool starts one from cold with
    ``preload`` (unless that pool sets its own). ``_stop`` is private, and the only way."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()
    get_context("forkserver").set_forkserver_preload(preload)


def keep_best(results: dict[str, Result], mode: str, result: Result) -> None:
    """Keep the fastest round of ``mode``; its mismatch count is the largest any round had."""
    best = results.get(mode)
    if best is not None:
        counts = [r.mismatches for r in (best, result) if r.mismatches is not None]
        result.mismatches = best.mismatches = max(counts) if counts else None
        if best.per_minute >= result.per_minute:
            return
    results[mode] = result


def report(results: dict[str, Result], one: dict[str, float]) -> None:
    base = results.get("d")
    print()
    # "÷ (d)": throughput against the ceiling; "(d) CPU ÷": the ceiling's CPU per notebook
    # over this mode's (steadier than wall time on a machine shared with other work).
    print(f"{'mode':<26}{'nb/min':>8}{'CPU s/nb':>10}{'peak MB/worker':>16}"
          f"{'ok':>6}{'≠ (a)':>7}{'÷ (d)':>8}{'(d) CPU ÷':>11}")
    for r in results.values():
        ratio = f"{r.per_minute / base.per_minute:.2f}" if base else "-"
        cpu_ratio = f"{base.cpu_per_notebook / r.cpu_per_notebook:.2f}" if base else "-"
        diff = "-" if r.mismatches is None else str(r.mismatches)
        print(f"{r.label:<26}{r.per_minute:>8.1f}{r.cpu_per_notebook:>10.2f}{r.peak_mb:>16.0f}"
              f"{r.ok:>6}{diff:>7}{ratio:>8}{cpu_ratio:>11}")
    print()
    checks = []
    a, b, c = results.get("a"), results.get("b"), results.get("c")
    if a and b:
        checks.append(("(b) ≥ 3 × (a)", b.per_minute / a.per_minute, 3.0, True))
    if b and base:
        checks.append(("(b) ≥ 0.7 × (d)", b.per_minute / base.per_minute, 0.7, True))
    if b and c:
        checks.append(("(c) at most 15 % slower than (b)", c.per_minute / b.per_minute, 0.85, True))
    if one:
        checks.append(("one area end to end ≤ 1.5 × (d)", one["b"] / one["d"], 1.5, False))
        print(f"one area × 5 from cold: warm {one['b']:.1f} s, plain Python {one['d']:.1f} s")
    for name, value, target, at_least in checks:
        met = value >= target if at_least else value <= target
        print(f"  {'met ' if met else 'MISS'} {name}: {value:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
