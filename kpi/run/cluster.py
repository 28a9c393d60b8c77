"""Run a quarter's jobs on a Dask cluster: the same job function as the local pool.

:func:`run_on_cluster` sends each (area, notebook) :class:`~kpi.run.jobs.Job` to a Dask cluster
— a :class:`~distributed.LocalCluster` of one-thread worker processes for ``"local"``, or
the scheduler at ``tcp://HOST:PORT`` — where :func:`kpi.run.jobs.run_job` runs it, exactly as a
local pool worker would. With the ``kpi-warm`` engine each Dask worker process keeps its
own warm kernel (:mod:`kpi.warm.kernel`'s per-process table).

Outputs: with ``output=None`` each job writes into its ``output_dir`` (a folder every worker
sees, e.g. the run's build folder under ``reports/`` for a local cluster). With an fsspec
URL (``file:///srv/reports``, ``s3://bucket/reports``) a worker renders into a private
scratch folder and uploads ``<quarter>/<area>/<notebook>.{ipynb,html}`` under the URL,
each under a temporary name then moved into place. :func:`publish_documents` then writes the
manifest and the index there once, from the client.

A worker lost mid-run: Dask reschedules its running jobs on other workers (up to its
``distributed.scheduler.allowed-failures``); a job that still cannot finish comes back as a
``failed`` report naming the error. Each job's :class:`Placement` lists the worker of every
attempt, and its result's ``attempts`` counts them, so the manifest says what happened.
Writes are atomic, so a killed attempt leaves no half-written report (its hidden temp files
are swept at the end).

Dask is optional (``pip install "kpi[cluster]"``): it is imported inside the functions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from kpi.run.jobs import Job, JobResult, report_lost, run_job

LOCAL = "local"
_EVENT_TOPIC = "kpi-job-attempt"
# papermill changes the whole process's working directory: one job at a time per process,
# even on a worker started with several threads.
_PROCESS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Placement:
    """The Dask workers a job ran on, one per attempt, in order."""

    workers: tuple[str, ...]

    @property
    def attempts(self) -> int:
        return max(len(self.workers), 1)

    def as_dict(self) -> dict[str, Any]:
        return {"workers": list(self.workers), "attempts": self.attempts}


@dataclass(frozen=True)
class ClusterRun:
    """Results in the order of the jobs given, with where each ran."""

    results: tuple[JobResult, ...]
    placements: tuple[Placement, ...]
    scheduler: str

    @property
    def workers(self) -> tuple[str, ...]:
        """Every worker that ran an attempt."""
        return tuple(sorted({w for p in self.placements for w in p.workers}))


def run_on_cluster(
    jobs: Sequence[Job],
    scheduler: str = LOCAL,
    *,
    workers: int | None = None,
    output: str | None = None,
    on_result: Callable[[JobResult], object] | None = None,
) -> ClusterRun:
    """Run ``jobs`` on a Dask cluster and return every result (see module doc).

    ``scheduler``: ``"local"`` starts a LocalCluster of ``workers`` one-thread processes
    (default: CPU count) for this call; otherwise a scheduler address to connect to.
    ``output``: ``None`` (jobs write to their ``output_dir``) or an fsspec URL.
    ``on_result`` is called on the calling thread as each job finishes (progress).
    Never raises for a failing notebook or a lost worker: those are ``failed`` results.
    """
    from distributed import as_completed

    run = uuid.uuid4().hex[:12]
    topic = f"{_EVENT_TOPIC}-{run}"
    results: dict[int, JobResult] = {}
    last_worker: dict[int, str] = {}
    with _client(scheduler, workers) as client:
        futures = {
            client.submit(_run_on_worker, job, output, topic, i,
                          key=f"kpi-{run}-{i}-{job.area}-{job.name}", pure=False): i
            for i, job in enumerate(jobs)
        }
        try:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    result, last_worker[i] = future.result()
                except Exception as exc:  # KilledWorker, a task lost for good, ...
                    result = _lost(jobs[i], exc, output)
                results[i] = result
                if on_result is not None:
                    on_result(result)
        except BaseException:
            client.cancel(list(futures))
            raise
        attempts = _attempts(client.get_events(topic))
    placements = tuple(_placement(attempts.get(i, []), last_worker.get(i))
                       for i in range(len(jobs)))
    if output is None:
        _sweep_scratch(jobs)
    counted = tuple(
        replace(results[i], attempts=results[i].attempts + placements[i].attempts - 1,
                workers=placements[i].workers)
        for i in range(len(jobs))
    )
    return ClusterRun(results=counted, placements=placements, scheduler=scheduler)


#: Dask settings for workers that run notebooks: the statistical profiler samples every
#: thread's stack each 10 ms, which on a worker waiting for its kernel is pure overhead
#: (about half of an idle worker's CPU time here). ``dask worker`` takes the same through
#: ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``.
WORKER_CONFIG: Final = {"distributed.worker.profile.enabled": False}


@contextlib.contextmanager
def local_cluster(workers: int | None = None) -> Iterator[Any]:
    """A LocalCluster of ``workers`` one-thread worker processes (default: CPU count),
    configured with :data:`WORKER_CONFIG`. This process's environment is as it was after
    the block (the nannies, which run here, set theirs in ``os.environ``)."""
    import dask
    from distributed import LocalCluster

    from kpi.warm.zygote import ADDRESS_VARIABLE, zygote

    with _environ_kept(), dask.config.set(WORKER_CONFIG), \
            zygote(environ=_local_worker_environ()) as address:
        environ = dict(dask.config.get("distributed.nanny.environ"))
        if address is not None:  # the workers' warm kernels are forked from it
            environ[ADDRESS_VARIABLE] = address
        with dask.config.set({"distributed.nanny.environ": environ}), LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster:
            yield cluster


@contextlib.contextmanager
def _environ_kept() -> Iterator[None]:
    """Put ``os.environ`` back as it was: Dask's nannies leave the variables they give their
    workers (``OMP_NUM_THREADS=1``, ``PYTHONHASHSEED`` ...) in the process that ran them,
    where they would then reach every process started later (a local pool's zygote)."""
    before = dict(os.environ)
    try:
        yield
    finally:
        for name in [name for name in os.environ if name not in before]:
            del os.environ[name]
        os.environ.update(before)


def _local_worker_environ() -> dict[str, str]:
    """The environment Dask's nanny gives a local worker process, and so its kernels: this
    process's, with the nanny's ``pre-spawn-environ`` and ``environ`` settings (a variable
    already set here wins) and the fixed hash seed the nanny adds (distributed/nanny.py)."""
    import dask

    extra: dict[str, str] = {}
    for key in ("distributed.nanny.pre-spawn-environ", "distributed.nanny.environ"):
        settings = dask.config.get(key) or {}
        extra.update({k: os.environ.get(k, str(v)) for k, v in settings.items() if v is not None})
        if key.endswith("pre-spawn-environ") and extra.get("PYTHONHASHSEED") in (None, "0"):
            extra["PYTHONHASHSEED"] = "6640"
    return {**os.environ, **extra}


@contextlib.contextmanager
def _client(scheduler: str, workers: int | None) -> Iterator[Any]:
    from distributed import Client

    if scheduler != LOCAL:
        with Client(scheduler) as client:
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        yield client


def _run_on_worker(
    job: Job, output: str | None, topic: str, index: int
) -> tuple[JobResult, str]:
    """The Dask task: record the attempt, run the job, upload when writing to a URL.
    Returns the result and this worker's address."""
    from distributed import get_worker

    from kpi.warm import register

    worker = get_worker()
    worker.log_event(topic, {"index": index, "worker": worker.address, "pid": os.getpid(),
                             "time": time.time()})
    register()
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    with _PROCESS_LOCK:
        if output is None:
            return run_job(job), worker.address
        with tempfile.TemporaryDirectory(prefix="kpi-job-") as scratch:
            result = run_job(replace(job, output_dir=Path(scratch) / job.area))
            return _upload(result, output), worker.address


def _lost(job: Job, exc: BaseException, output: str | None) -> JobResult:
    """The result of a job the cluster could not run: not run, nothing written."""
    return report_lost(job, exc)  # no page: the previous report stays published


def _attempts(events: Sequence[tuple[float, Mapping[str, Any]]]) -> dict[int, list[str]]:
    by_job: dict[int, list[tuple[float, str]]] = {}
    for _, msg in events:
        by_job.setdefault(int(msg["index"]), []).append((float(msg["time"]), str(msg["worker"])))
    return {i: [w for _, w in sorted(found)] for i, found in by_job.items()}


def _placement(recorded: list[str], last: str | None) -> Placement:
    """Attempts as the workers' events recorded them; an event lost with its worker still
    leaves the worker that returned the result."""
    if last is not None and (not recorded or recorded[-1] != last):
        recorded = [*recorded, last]
    return Placement(tuple(recorded))


def _upload(result: JobResult, output: str) -> JobResult:
    """Move a job's local files under ``output``; paths become relative to ``output``."""
    moved: dict[str, Path | None] = {}
    for attr in ("ipynb", "html"):
        local = getattr(result, attr)
        if local is None:
            moved[attr] = None
            continue
        relative = f"{result.quarter}/{result.area}/{local.name}"
        put_atomic(output, relative, Path(local).read_bytes())
        moved[attr] = Path(relative)
    return replace(result, **moved)


def put_atomic(output: str, relative: str, data: bytes) -> str:
    """Write ``data`` to ``output/relative`` through fsspec: a hidden temporary name in the
    same folder, then a move (a rename on local and network file systems; object stores
    show an object only once it is complete anyway). Returns the full path written."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(output)
    target = f"{root.rstrip('/')}/{relative}"
    folder, _, name = target.rpartition("/")
    fs.makedirs(folder, exist_ok=True)
    temp = f"{folder}/.{name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with fs.open(temp, "wb") as handle:
            handle.write(data)
        fs.mv(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError, OSError):
            if fs.exists(temp):
                fs.rm(temp)
    return target


def publish_documents(output: str, quarter: str, document: Mapping[str, Any]) -> None:
    """Write the quarter's manifest (``document``, from :func:`kpi.run.manifest.build`) under
    ``output`` and rebuild ``output/index.html`` from every quarter's manifest there."""
    import fsspec

    from kpi.run import index_page, manifest

    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    put_atomic(output, f"{quarter}/{manifest.MANIFEST_NAME}", text.encode("utf-8"))
    fs, root = fsspec.core.url_to_fs(output)
    rows: list[index_page.IndexRow] = []
    found = fs.glob(f"{root.rstrip('/')}/*/{manifest.MANIFEST_NAME}")
    for path in sorted(found, reverse=True):
        with fs.open(path, "rb") as handle:
            doc = json.loads(handle.read().decode("utf-8"))
        rows.extend(_index_rows(doc))
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    put_atomic(output, index_page.INDEX_NAME, index_page.render(rows, generated).encode("utf-8"))


def _index_rows(document: Mapping[str, Any]) -> list[Any]:
    from urllib.parse import quote

    from kpi.core.identifiers import AREA_RE, NOTEBOOK_RE, QUARTER_RE
    from kpi.run.index_page import IndexRow

    quarter = str(document.get("quarter"))
    if not QUARTER_RE.fullmatch(quarter):
        return []
    rows = []
    for entry in document.get("reports", []):
        area, name = str(entry.get("area")), str(entry.get("notebook"))
        if not (AREA_RE.fullmatch(area) and NOTEBOOK_RE.fullmatch(name)):
            continue
        href = quote(f"{quarter}/{area}/{name}.html") if entry.get("html") else None
        when = str(entry.get("finished", ""))[:16].replace("T", " ")
        rows.append(IndexRow(quarter, area, name, str(entry.get("status", "unknown")), when,
                             href))
    return sorted(rows, key=lambda r: (r.area, r.notebook))


def _sweep_scratch(jobs: Sequence[Job]) -> None:
    """Remove hidden temp files that attempts killed mid-write left in the output folders."""
    for job in jobs:
        if job.output_dir.is_dir():
            for leftover in job.output_dir.glob(f".{job.name}.*.tmp*"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
