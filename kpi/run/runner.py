"""The scheduled quarterly job: every (area, notebook) → report, index and manifest.

:func:`run_quarter` is the whole of ``kpi run``: the CLI parses arguments and calls it.

Order of a run:

1. explicit quarter, areas and notebook names are checked (:mod:`kpi.core.identifiers`) before
   anything is read or written;
2. the ``reports/.lock`` file lock is taken (wait up to ``lock_timeout`` seconds, then
   :class:`~kpi.errors.RunError`); SIGTERM now raises ``KeyboardInterrupt``;
3. the ``ingest`` hook runs, then ``latest``/``previous`` and the default areas are
   resolved from ``data/processed/observations.parquet``;
4. jobs (:func:`kpi.run.jobs.run_job`) run in worker processes (forkserver, else spawn; or on
   Dask when a ``scheduler`` is given) and write into a hidden build folder
   ``reports/.<quarter>.tmp-xxxx``;
5. reports of the quarter that this run did not produce (other areas or notebooks) are
   carried over from the previous run with their manifest entries; the manifest is
   written; the build folder replaces ``reports/<quarter>`` (two renames with signals
   blocked, the old folder is deleted afterwards);
6. ``reports/index.html`` is rebuilt from what is on disk.

So a rerun replaces exactly the reports it produces, and ``reports/<quarter>`` never holds
a half-written run: an interrupted run (Ctrl-C, SIGTERM, an exception) stops the workers,
deletes its build folder and leaves the previous reports as they were. A run killed hard
(SIGKILL) leaves a hidden build folder that the next run of that quarter removes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from kpi.core.identifiers import AREA_RE, NOTEBOOK_RE, inside
from kpi.errors import RunError
from kpi.run import manifest
from kpi.run.index_page import write_index
from kpi.run.jobs import (
    DEFAULT_ENGINES,
    Job,
    JobResult,
    init_worker,
    report_lost,
    run_job,
    scratch_files,
    timestamp,
)
from kpi.run.lock import locked
from kpi.run.progress import Progress
from kpi.run.scope import (
    AreaChoice,
    area_names,
    check_requested,
    data_date,
    resolve_areas,
    resolve_notebooks,
    resolve_quarter,
)
from kpi.util.kernel_name import KERNEL_NAME
from kpi.util.staging import folder_mode, replace_folder
from kpi.warm import ENGINE_NAME
from kpi.warm.zygote import zygote

REPORTS_DIR: Final = Path("reports")
LOCK_NAME: Final = ".lock"
#: Per-cell limit in seconds when the caller does not give one.
DEFAULT_CELL_TIMEOUT: Final = 600.0
#: Whole-notebook limit, as a multiple of the per-cell limit, when not given.
NOTEBOOK_TIMEOUT_FACTOR: Final = 3
_KILL_WAIT: Final = 10.0
#: Times a job whose worker process died while running it is run again on a new worker.
LOST_RETRIES: Final = 1


@dataclass(frozen=True)
class RunResult:
    """What a run produced. Paths point into ``reports/<quarter>``."""

    quarter: str
    areas: tuple[str, ...]
    notebooks: tuple[str, ...]
    results: tuple[JobResult, ...]
    quarter_dir: Path
    manifest_path: Path
    index_path: Path
    started: str
    finished: str
    duration_s: float

    @property
    def failed(self) -> tuple[JobResult, ...]:
        """Reports whose status is not ``ok`` (failed or timed out)."""
        return tuple(r for r in self.results if not r.ok)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_code(self) -> int:
        """0 when every report is ok, 1 otherwise (for the CLI)."""
        return 0 if self.ok else 1

    def summary(self) -> str:
        """A few lines for the terminal, Vietnamese first."""
        done = len(self.results) - len(self.failed)
        lines = [
            f"{self.quarter}: {done}/{len(self.results)} báo cáo hoàn thành "
            f"({done}/{len(self.results)} reports ok) trong {self.duration_s:.1f}s",
            f"Mục lục / index: {self.index_path}",
        ]
        for r in self.failed:
            detail = f"{r.error.ename}: {r.error.evalue}" if r.error else ""
            lines.append(f"  {r.status}: {r.area}/{r.notebook} {detail}".rstrip())
        return "\n".join(lines)


def run_quarter(
    quarter: str,
    *,
    root: Path,
    areas: AreaChoice = None,
    notebooks: Sequence[str | Path] | None = None,
    jobs: int | None = None,
    timeout: float | None = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float | None = None,
    engine: str = "papermill",
    progress: bool | None = None,
    ingest: Callable[[Path], object] | None = None,
    lock_timeout: float | None = 0.0,
    lang: str = "vi",
    kernel_name: str = KERNEL_NAME,
    today: dt.date | None = None,
    scheduler: str | None = None,
) -> RunResult:
    """Run every (area, notebook) of a quarter and publish the reports (see module doc).

    ``quarter``: ``2022Q1``, ``latest`` or ``previous``. ``areas``: slugs, ``"all"`` (every
    area in the observation table) or ``None`` (areas with data in the quarter).
    ``notebooks``: names (``revenue``) or ``.ipynb`` paths; ``None`` = ``notebooks/*.ipynb``.
    ``jobs``: worker processes (default: CPU count). ``timeout``: seconds per cell (``None``:
    no limit); ``notebook_timeout``: seconds per notebook (default 3 × ``timeout``).
    ``engine``: papermill engine name (``papermill`` = papermill's default).
    ``progress``: ``None`` auto (bar on a terminal, lines otherwise), ``True`` bar,
    ``False`` silent. ``ingest(root)`` runs first, under the lock. ``lock_timeout``:
    seconds to wait for another run (``None``: wait for ever). ``scheduler``: run the jobs on
    Dask (:func:`kpi.run.cluster.run_on_cluster`): ``"local"`` or ``tcp://HOST:PORT``, whose
    workers must see ``reports/`` at the same path; ``None`` (default): local processes.

    Raises :class:`~kpi.errors.UnsafeParameterError` for a bad quarter/area/notebook name,
    :class:`~kpi.errors.RunError` when the run cannot start, ``KeyboardInterrupt`` when
    interrupted. Failing notebooks do not raise: see :attr:`RunResult.failed`.
    """
    root = Path(root).resolve()
    check_requested(quarter, areas, notebooks)
    if jobs is not None and jobs < 1:
        raise RunError("jobs must be at least 1", text=str(jobs), where="parameter 'jobs'")
    if not re.fullmatch(r"[a-z]{2}", lang):
        raise RunError(
            "lang must be a two-letter code such as vi", text=lang, where="parameter 'lang'"
        )
    for name, seconds in (("timeout", timeout), ("notebook_timeout", notebook_timeout)):
        if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
            raise RunError(f"{name} must be a positive number of seconds",
                           text=str(seconds), where=f"parameter '{name}'")
    _check_engine(engine)
    if notebook_timeout is None and timeout is not None:
        notebook_timeout = timeout * NOTEBOOK_TIMEOUT_FACTOR
    reports = root / REPORTS_DIR
    reports.mkdir(parents=True, exist_ok=True)
    with _locked(reports, lock_timeout), _sigterm_as_interrupt():
        if ingest is not None:
            ingest(root)
        resolved = resolve_quarter(quarter, root, today)
        plan = _Plan(
            root=root,
            reports=reports,
            quarter=resolved,
            requested=quarter,
            areas=tuple(resolve_areas(areas, resolved, root)),
            notebooks=tuple(resolve_notebooks(notebooks, root)),
            workers=jobs or os.cpu_count() or 1,
            timeout=timeout,
            notebook_timeout=notebook_timeout,
            engine=engine,
            kernel_name=kernel_name,
            lang=lang,
            scheduler=scheduler,
        )
        return _run(plan, progress)


def _check_engine(engine: str) -> None:
    """Refuse an engine papermill does not know before anything runs."""
    if engine in (*DEFAULT_ENGINES, ENGINE_NAME):
        return
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    try:
        papermill_engines.get_engine(engine)
    except PapermillException:
        known = sorted({*DEFAULT_ENGINES, ENGINE_NAME, *papermill_engines._engines} - {None})
        raise RunError(f"unknown engine (known: {', '.join(map(str, known))})", text=engine,
                       where="parameter 'engine'") from None


@dataclass(frozen=True)
class _Plan:
    root: Path
    reports: Path
    quarter: str
    requested: str
    areas: tuple[str, ...]
    notebooks: tuple[Path, ...]
    workers: int
    timeout: float | None
    notebook_timeout: float | None
    engine: str
    kernel_name: str
    lang: str
    scheduler: str | None

    def parameters(self, area: str) -> dict[str, object]:
        """Notebook parameters; all strings (papermill would turn ``2022`` into an int)."""
        return {
            "quarter": self.quarter,
            "area": area,
            "data_dir": str(self.root / "data"),
            "lang": self.lang,
        }


def _run(plan: _Plan, progress: bool | None) -> RunResult:
    """Build the quarter in a hidden folder beside the published one, then swap it in:
    a run that fails or is stopped leaves the previous reports as they were."""
    started = timestamp()
    clock = time.monotonic()
    run_id = uuid.uuid4().hex[:12]
    _sweep_leftovers(plan.reports, plan.quarter)
    build = Path(tempfile.mkdtemp(prefix=f".{plan.quarter}.tmp-", dir=plan.reports))
    os.chmod(build, folder_mode())  # mkdtemp makes 0700; publish with the umask's mode
    final = inside(plan.reports, plan.quarter)
    try:
        when = data_date(plan.root)
        inputs = manifest.input_hashes(plan.root)  # what the notebooks are about to read
        jobs = _jobs(plan, build, when)
        results = _execute(jobs, plan, progress)
        _remove_hidden(build)  # temp files of killed workers are never published
        entries, kept, earlier = _entries(plan, jobs, results, run_id, final, build)
        finished = timestamp()
        run_info = {
            "id": run_id,
            "started": started,
            "finished": finished,
            "duration_s": round(time.monotonic() - clock, 3),
            "parameters": _run_parameters(plan),
            "data_date": when,
            "inputs": inputs,
            "versions": manifest.package_versions(),
            "git_commit": manifest.git_commit(plan.root),
            "counts": {s: n for s in ("ok", "failed", "timeout", "not_run")
                       if (n := sum(r.status == s for r in results)) or s != "not_run"},
        }
        document = manifest.build(plan.quarter, run_info, [*entries, *kept], earlier)
        manifest.write(build / manifest.MANIFEST_NAME, document)
        _swap(build, final)
    finally:
        shutil.rmtree(build, ignore_errors=True)  # gone already after a successful swap
    index = write_index(plan.reports)
    return RunResult(
        quarter=plan.quarter,
        areas=plan.areas,
        notebooks=tuple(n.stem for n in plan.notebooks),
        results=tuple(_moved(r, final) for r in results),
        quarter_dir=final,
        manifest_path=final / manifest.MANIFEST_NAME,
        index_path=index,
        started=started,
        finished=finished,
        duration_s=round(time.monotonic() - clock, 3),
    )


def _jobs(plan: _Plan, build: Path, when: str | None) -> list[Job]:
    """One job per (area, notebook) of the plan, writing under ``build``."""
    names = area_names(plan.root)
    return [
        Job(
            quarter=plan.quarter,
            area=area,
            notebook=notebook,
            output_dir=inside(build, area),
            parameters=plan.parameters(area),
            cell_timeout=plan.timeout,
            notebook_timeout=plan.notebook_timeout,
            engine=plan.engine,
            kernel_name=plan.kernel_name,
            lang=plan.lang,
            data_date=when,
            retries=1,
            area_name=names.get(area, ""),
        )
        for area in plan.areas
        for notebook in plan.notebooks
    ]


def _entries(plan: _Plan, jobs: list[Job], results: list[JobResult], run_id: str,
             final: Path, build: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """The manifest entries of this run's reports, the previous run's entries kept for
    jobs that never ran (their pages are carried over into ``build``), and the previous
    manifest's own record."""
    def entry(job: Job, result: JobResult) -> dict:
        return manifest.report_entry(result, parameters=job.parameters,
                                     notebook=job.notebook, root=plan.root, run=run_id)

    pairs = list(zip(jobs, results, strict=True))
    ran = [(j, r) for j, r in pairs if r.status != "not_run"]
    entries = [entry(j, r) for j, r in ran]
    # a job that never ran keeps the previous run's page and entry, if there is one
    kept, earlier = _carry_over(final, build, {(j.area, j.name) for j, _ in ran})
    have = {(e.get("area"), e.get("notebook")) for e in kept}
    entries += [entry(j, r) for j, r in pairs
                if r.status == "not_run" and (j.area, j.name) not in have]
    return entries, kept, earlier


def _run_parameters(plan: _Plan) -> dict[str, object]:
    """The run's parameters as the manifest records them."""
    return {
        "quarter": plan.requested,
        "resolved_quarter": plan.quarter,
        "areas": list(plan.areas),
        "notebooks": [n.stem for n in plan.notebooks],
        "jobs": plan.workers,
        "timeout": plan.timeout,
        "notebook_timeout": plan.notebook_timeout,
        "engine": plan.engine,
        "kernel": plan.kernel_name,
        "lang": plan.lang,
        "scheduler": plan.scheduler,
    }


def _execute(jobs: list[Job], plan: _Plan, progress: bool | None) -> list[JobResult]:
    """Run ``jobs`` (local worker processes, or Dask); results in the order of ``jobs``."""
    with Progress(len(jobs), mode=progress, label=plan.quarter) as bar:
        if plan.scheduler is not None:
            from kpi.run.cluster import run_on_cluster  # Dask is optional

            run = run_on_cluster(jobs, plan.scheduler, workers=plan.workers, on_result=bar.update)
            return list(run.results)
        return _execute_locally(jobs, plan.workers, bar)


def _execute_locally(jobs: list[Job], workers: int, bar: Progress) -> list[JobResult]:
    """Run ``jobs`` on a local pool. A worker that dies breaks the pool and every job not
    finished with it: those are run again on a new pool. A job that was running when its
    worker died (it left its temp files) counts an attempt; after :data:`LOST_RETRIES`
    retries it is reported ``not_run`` and no page of it is written."""
    warm = any(job.engine == ENGINE_NAME for job in jobs)
    results: dict[int, JobResult] = {}
    lost_attempts = [0] * len(jobs)
    pending = list(range(len(jobs)))
    for round_ in range(len(jobs) + LOST_RETRIES + 1):  # each round finishes or counts one
        if not pending:
            break
        with worker_pool(min(workers, len(pending)), warm, jobs[0].kernel_name) as pool:
            lost = _collect(pool, jobs, pending, results, bar)
        pending = []
        for i, exc in lost:
            if scratch_files(jobs[i]):
                lost_attempts[i] += 1
            for leftover in scratch_files(jobs[i]):
                leftover.unlink(missing_ok=True)
            last_round = round_ == len(jobs) + LOST_RETRIES
            if lost_attempts[i] > LOST_RETRIES or last_round:
                results[i] = report_lost(jobs[i], exc, max(lost_attempts[i], 1))
                bar.update(results[i])
            else:
                pending.append(i)
    return [results[i] for i in range(len(jobs))]


@contextlib.contextmanager
def worker_pool(
    workers: int, warm: bool, kernel_name: str = KERNEL_NAME
) -> Iterator[ProcessPoolExecutor]:
    """The local pool ``kpi run`` uses: ``workers`` processes started from a preloaded
    forkserver; with ``warm``, also a zygote their warm ``kernel_name`` kernels are forked
    from (started first: it imports while the workers start). Waits for the workers when the
    block ends, kills them if it raised."""
    with (zygote(kernel_name=kernel_name) if warm else contextlib.nullcontext()) as address:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(),
                                   initializer=init_worker, initargs=(address,))
        try:
            yield pool
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown(wait=True)


def _collect(
    pool: ProcessPoolExecutor,
    jobs: list[Job],
    pending: list[int],
    results: dict[int, JobResult],
    bar: Progress,
) -> list[tuple[int, BaseException]]:
    """Run ``jobs[i]`` for each ``i`` in ``pending`` into ``results``; return the jobs lost
    with their worker (BrokenProcessPool) and why."""
    futures: dict[Future[JobResult], int] = {pool.submit(run_job, jobs[i]): i for i in pending}
    lost = []
    for future in as_completed(futures):
        i = futures[future]
        try:
            results[i] = future.result()
        except Exception as exc:  # the worker died (BrokenProcessPool) or similar
            lost.append((i, exc))
            continue
        bar.update(results[i])
    return lost


def _mp_context() -> Any:
    """forkserver where available (workers start from a clean, preloaded process), else spawn.

    Not fork: the parent may hold threads and locks, and papermill changes the cwd.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["kpi.run.forkserver_lifeline", "kpi.run.worker_preload"])
        return context
    return multiprocessing.get_context("spawn")


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now; their kernels exit when they see their parent gone."""
    # ProcessPoolExecutor has no public "kill the workers" before Python 3.14
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    for process in workers:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(_KILL_WAIT)


def _carry_over(
    final: Path, build: Path, produced: set[tuple[str, str]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Link the previous run's other reports into ``build``; their entries and runs."""
    old = manifest.read(final / manifest.MANIFEST_NAME)
    if old is None:
        return [], []
    kept = []
    for entry in old["reports"]:
        if not isinstance(entry, dict):
            continue
        area, name = str(entry.get("area")), str(entry.get("notebook"))
        if (area, name) in produced or not (
            AREA_RE.fullmatch(area) and NOTEBOOK_RE.fullmatch(name)
        ):
            continue
        for suffix in ("ipynb", "html"):
            source = final / area / f"{name}.{suffix}"
            if source.is_file():
                _link_or_copy(source, inside(build, area, f"{name}.{suffix}"))
        kept.append(entry)
    used = {e.get("run") for e in kept}
    runs = [old.get("run"), *old.get("earlier_runs", [])]
    earlier = [r for r in runs if isinstance(r, dict) and r.get("id") in used]
    return kept, earlier


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap(build: Path, final: Path) -> None:
    """Put ``build`` in place of ``final`` with SIGINT/SIGTERM held back; ``build`` then
    holds the previous reports, which the caller removes."""
    with _signals_deferred():
        replace_folder(build, final)


def _remove_hidden(build: Path) -> None:
    """Delete hidden entries under the build folder's area folders (temp files a killed
    worker left): nothing hidden is published."""
    for area in build.iterdir():
        if area.is_dir() and not area.name.startswith("."):
            for entry in area.iterdir():
                if entry.name.startswith("."):
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)


def _sweep_leftovers(reports: Path, quarter: str) -> None:
    """Remove build and old folders of this quarter left by a run that was killed hard."""
    for pattern in (f".{quarter}.tmp-*", f".{quarter}.old-*"):
        for folder in reports.glob(pattern):
            shutil.rmtree(folder, ignore_errors=True)


def _moved(result: JobResult, final: Path) -> JobResult:
    folder = final / result.area
    return replace(
        result,
        ipynb=folder / result.ipynb.name if result.ipynb else None,
        html=folder / result.html.name if result.html else None,
    )


def _locked(reports: Path, wait: float | None) -> contextlib.AbstractContextManager[None]:
    return locked(reports, wait)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises ``KeyboardInterrupt`` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block is done, then raise ``KeyboardInterrupt``.

    Keeps a swap from being cut in two. Handlers, not a signal mask: a mask only covers
    the calling thread, and another thread may be the one the signal is delivered to.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def note(signum: int, frame: object) -> None:
        caught.append(signum)

    previous = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if caught:
        raise KeyboardInterrupt(f"signal {caught[0]}")
