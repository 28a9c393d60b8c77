"""One (area, notebook) of a quarterly run: execute with papermill, render HTML.

:func:`run_job` is a plain top-level function of a picklable :class:`Job`, so the same
call runs in a local worker process or on a Dask worker. It never raises for a notebook
that fails: it returns a :class:`JobResult` with ``status`` ``ok``, ``failed`` or
``timeout`` and still writes ``<notebook>.ipynb`` and ``<notebook>.html`` (with the error
shown where it happened) into ``job.output_dir``, each atomically.

Faults handled here:

* an exception in a cell → ``failed``, the traceback stays in the page;
* a kernel that dies → retried ``job.retries`` times (default once), then ``failed``
  (the runner sets ``retries=0`` for other engines: they have their own retry policy);
* a cell longer than ``job.cell_timeout`` (papermill's ``execution_timeout``) or a
  notebook longer than ``job.notebook_timeout`` overall → ``timeout``. The overall guard
  is a timer thread that kills the kernel's process group; it relies on the engine
  creating kernels through nbclient's ``kernel_manager_class`` (papermill's default
  engine does), otherwise only the per-cell limit applies.

papermill changes the working directory of the whole process while a notebook runs:
run one job per process at a time (processes, not threads).
"""

from __future__ import annotations

import kpi.util.startup  # noqa: F401 - first: before nbformat is imported (see kpi.util.startup)

# isort: split
import atexit
import contextlib
import datetime as dt
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Final, Literal

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from kpi.core.domains import DOMAIN_NAMES
from kpi.render.exporter import ERROR_CELL_TAG, ReportHeader, render_report
from kpi.util import atomic
from kpi.util.kernel_name import KERNEL_NAME
from kpi.warm.settings import ENGINE_NAME

Status = Literal["ok", "failed", "timeout", "not_run"]

#: Status names for readers, Vietnamese first.
STATUS_TEXT: Final[dict[str, tuple[str, str]]] = {
    "ok": ("hoàn thành", "ok"),
    "failed": ("lỗi", "failed"),
    "timeout": ("quá thời gian", "timed out"),
    "not_run": ("chưa chạy", "not run"),
}
#: Names that select papermill's own nbclient engine.
DEFAULT_ENGINES: Final = ("papermill", "nbclient")
#: Tags of cells papermill adds; they are not counted when naming a cell's position.
_ADDED_TAGS: Final = frozenset({"injected-parameters", "papermill-error-cell-tag"})
#: The kernel's only stderr line on start is a TCP-encryption notice: keep cron logs clean.
_KERNEL_ARGS: Final = ("--IPKernelApp.log_level=ERROR",)
_EVALUE_MAX: Final = 500


@dataclass(frozen=True)
class ErrorSummary:
    """Why a notebook did not finish: exception name and value, where it stopped.

    ``cell_index`` counts the cells of the *input* notebook from 0 (papermill's added
    cells are not counted); ``cell_id`` is the nbformat cell id when there is one.
    """

    ename: str
    evalue: str
    cell_index: int | None = None
    cell_id: str | None = None


@dataclass(frozen=True)
class Job:
    """Everything needed to produce one report; picklable, no open handles."""

    quarter: str
    area: str
    notebook: Path
    output_dir: Path
    parameters: dict[str, object] = field(default_factory=dict)
    cell_timeout: float | None = None
    notebook_timeout: float | None = None
    engine: str = "papermill"
    kernel_name: str = KERNEL_NAME
    lang: str = "vi"
    data_date: str | None = None
    retries: int = 1
    area_name: str = ""
    #: the quarter as readers write it (``Quý I/2022``); made from ``quarter`` when empty
    quarter_text: str = ""

    def __post_init__(self) -> None:
        # Made where the job is built, so a worker never imports pandas to name a quarter.
        if not self.quarter_text:
            from kpi.core.periods import quarter_label

            object.__setattr__(self, "quarter_text", quarter_label(self.quarter))

    @property
    def name(self) -> str:
        """The notebook's name (file stem), also the report's file stem."""
        return self.notebook.stem


@dataclass(frozen=True)
class JobResult:
    """Outcome of one job. Paths point at the written files (``None`` if not written);
    ``workers``: the Dask workers that ran its attempts, in order (empty for the local
    pool)."""

    quarter: str
    area: str
    notebook: str
    status: Status
    started: str
    finished: str
    duration_s: float
    attempts: int
    error: ErrorSummary | None = None
    ipynb: Path | None = None
    html: Path | None = None
    workers: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class _Outcome:
    status: Status
    error: ErrorSummary | None = None
    kernel_died: bool = False
    #: the executed notebook papermill returned (a run that ended normally); otherwise
    #: what it saved is read back from the file
    nb: nbformat.NotebookNode | None = None


def prepare_process() -> None:
    """Do once what each worker would otherwise do on its first job: compile nbformat's
    schema validators (fastjsonschema) and build the report exporter with its templates.
    Meant for the process workers are forked from
    (:mod:`kpi.run.worker_preload`), where it overlaps the kernel zygote's imports."""
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("**Quý I/2022**"),
        v4.new_code_cell("1", execution_count=1, outputs=[v4.new_output(
            "execute_result", {"text/plain": "1", "text/html": "<b>1</b>"}, execution_count=1,
        )]),
    ])
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # the validators a job uses
    render_report(nb, ReportHeader(params_vi="", params_en=""))


def init_worker(zygote: str | None = None) -> None:
    """Worker-process initializer; ``zygote``: the address warm kernels are forked from
    (see :mod:`kpi.warm.zygote`), ``None`` to start them as processes.

    Ctrl-C is the parent's business (it stops the workers), and papermill's log lines
    ("Kernel died while waiting...") repeat what the job result already reports.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from kpi.util.lifeline import die_with_parent

    die_with_parent()  # a run killed hard takes its workers with it
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    from kpi.warm import register
    from kpi.warm import zygote as kernel_zygote

    register()  # the warm engine, even where the package's entry points are not installed
    kernel_zygote.use(zygote)


def run_job(job: Job) -> JobResult:
    """Execute ``job.notebook`` with papermill and render its report; see module doc."""
    started = timestamp()
    clock = time.monotonic()
    ipynb = job.output_dir / f"{job.name}.ipynb"
    with atomic.scratch_path(ipynb) as part:
        attempts = 0
        while True:
            attempts += 1
            outcome = _execute(job, part)
            if not (outcome.kernel_died and attempts <= job.retries):
                break
        if outcome.nb is not None:  # papermill wrote exactly this notebook to ``part``
            return _finish(job, outcome.nb, outcome, attempts, started, clock, written=part)
        return _finish(job, _read_output(part), outcome, attempts, started, clock)


def report_lost(job: Job, exc: BaseException, attempts: int = 1) -> JobResult:
    """The result of a job that never finished because the process running it was lost
    (crashed, killed) on every attempt: status ``not_run``, and no page is written, so the
    previous run's report of it stays published."""
    now = timestamp()
    detail = _short(f"{str(exc) or 'the worker process was lost'}; the previous report, if "
                    "any, is kept")
    return JobResult(quarter=job.quarter, area=job.area, notebook=job.name, status="not_run",
                     started=now, finished=now, duration_s=0.0, attempts=attempts,
                     error=ErrorSummary(type(exc).__name__, detail))


def scratch_files(job: Job) -> list[Path]:
    """The hidden temp files a job writes while it runs (left behind when its process is
    killed): their presence says the job had started."""
    if not job.output_dir.is_dir():
        return []
    return sorted(job.output_dir.glob(f".{job.name}.*.tmp.*"))


def _finish(
    job: Job,
    nb: nbformat.NotebookNode,
    outcome: _Outcome,
    attempts: int,
    started: str,
    clock: float,
    written: Path | None = None,
) -> JobResult:
    """Write the executed notebook (moving ``written`` into place when that file already
    holds it) and its page; a failing render marks the job failed."""
    ipynb = job.output_dir / f"{job.name}.ipynb"
    html: Path | None = job.output_dir / f"{job.name}.html"
    status, error = outcome.status, outcome.error
    if error is not None:
        error = _locate(nb, error)
    if written is not None:
        atomic.publish(written, ipynb)
    else:
        atomic.write_text(ipynb, nbformat.writes(nb))
    header = _header(job, status, error, attempts, started)
    try:
        atomic.write_text(html, render_report(nb, header))
    except Exception as exc:  # a broken page must not stop the run; the manifest says why
        html = None
        status = "failed"
        error = error or ErrorSummary(type(exc).__name__, _short(f"rendering HTML: {exc}"))
    return JobResult(
        quarter=job.quarter,
        area=job.area,
        notebook=job.name,
        status=status,
        started=started,
        finished=timestamp(),
        duration_s=round(time.monotonic() - clock, 3),
        attempts=attempts,
        error=error,
        ipynb=ipynb,
        html=html,
    )


def _execute(job: Job, output: Path) -> _Outcome:
    """One papermill execution into ``output``; classifies what went wrong."""
    deadline = _Deadline(job.notebook_timeout)
    try:
        with deadline:
            executed = papermill.execute_notebook(
                str(job.notebook),
                str(output),
                parameters=dict(job.parameters),
                kernel_name=job.kernel_name,
                cwd=str(job.notebook.parent),
                engine_name=None if job.engine in DEFAULT_ENGINES else job.engine,
                progress_bar=False,
                execution_timeout=job.cell_timeout,
                shutdown_kernel="immediate",
                kernel_manager_class=_GuardedKernelManager,
                extra_arguments=list(_KERNEL_ARGS),
                # The warm engine retries a dead kernel itself only when asked; this job
                # already retries once, and the deadline must see kernels started earlier.
                **({"kernel_retries": 0, "on_kernel": deadline.track}
                   if job.engine == ENGINE_NAME else {}),
            )
    except PapermillExecutionError as exc:
        if deadline.fired:
            return _timed_out(job, overall=True)
        return _Outcome("failed", ErrorSummary(str(exc.ename), _short(str(exc.evalue))))
    except CellTimeoutError:
        return _timed_out(job, overall=deadline.fired)
    except DeadKernelError as exc:
        if deadline.fired:
            return _timed_out(job, overall=True)
        return _Outcome("failed", ErrorSummary("DeadKernelError", _short(str(exc))), True)
    except Exception as exc:
        if deadline.fired:
            return _timed_out(job, overall=True)
        return _Outcome("failed", ErrorSummary(type(exc).__name__, _short(str(exc))))
    return _Outcome("ok", nb=executed)


def _timed_out(job: Job, *, overall: bool) -> _Outcome:
    if overall:
        text = f"the notebook ran longer than {job.notebook_timeout:g} s"
    else:
        text = f"a cell ran longer than {job.cell_timeout:g} s"
    return _Outcome("timeout", ErrorSummary("TimeoutError", text))


def _read_output(path: Path) -> nbformat.NotebookNode:
    """The executed notebook papermill saved, or an empty one if it saved nothing."""
    try:
        if path.stat().st_size > 0:
            return nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        pass  # nothing usable was written (papermill failed before the first save)
    return nbformat.v4.new_notebook()


def _locate(nb: nbformat.NotebookNode, error: ErrorSummary) -> ErrorSummary:
    """Find the cell where execution stopped, tag it, and add its position to ``error``.

    The stopped cell is the one papermill marked as raising, else the last one started
    (a timeout or a dead kernel leaves no mark).
    """
    stopped = None
    position = -1
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _ADDED_TAGS:
            continue
        position += 1
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("exception"):
            stopped = (position, cell)
            break
        if cell.cell_type == "code" and meta.get("start_time"):
            stopped = (position, cell)
    if stopped is None:
        return error
    index, cell = stopped
    cell.metadata.setdefault("tags", []).append(ERROR_CELL_TAG)
    return ErrorSummary(error.ename, error.evalue, index, cell.get("id"))


def _header(
    job: Job, status: Status, error: ErrorSummary | None, attempts: int, started: str
) -> ReportHeader:
    """The reader's first lines: parameters and data date, then what went wrong."""
    when = dt.datetime.fromisoformat(started)
    data = dt.date.fromisoformat(job.data_date) if job.data_date else None
    place = f"{job.area_name} ({job.area})" if job.area_name else job.area
    params_vi = " · ".join(
        [
            job.quarter_text,
            f"Địa bàn: {place}",
            f"Báo cáo: {report_title(job.name)}",
            f"Số liệu cập nhật: {data.strftime('%d/%m/%Y') if data else 'chưa rõ'}",
            f"Lập lúc: {when.strftime('%H:%M %d/%m/%Y')}",
        ]
    )
    params_en = " · ".join(
        [
            f"Quarter {job.quarter}",
            f"Area: {place}",
            f"Report: {report_title(job.name, 'en')}",
            f"Data as of: {data.isoformat() if data else 'unknown'}",
            f"Generated: {when.strftime('%Y-%m-%d %H:%M')}",
        ]
    )
    problem_vi = problem_en = anchor = ""
    if error is not None:
        number = None if error.cell_index is None else error.cell_index + 1  # readers count from 1
        cell_vi = f" ở ô số {number}" if number else ""
        cell_en = f" at cell {number}" if number else ""
        detail = f"{error.ename}: {error.evalue}"
        if status == "timeout":
            problem_vi = f"Quá thời gian{cell_vi}, đã dừng. {detail}"
            problem_en = f"Timed out{cell_en} and stopped. {detail}"
        elif error.ename == "DeadKernelError":
            problem_vi = f"Nhân Python dừng đột ngột{cell_vi} (đã chạy {attempts} lần). {detail}"
            problem_en = f"The kernel died{cell_en} ({attempts} attempts). {detail}"
        else:
            problem_vi = f"Lỗi khi chạy{cell_vi}. {detail}"
            problem_en = f"Failed{cell_en}. {detail}"
        anchor = f"cell-id={error.cell_id}" if error.cell_id else ""
    return ReportHeader(
        params_vi=params_vi,
        params_en=params_en,
        status=status,
        problem_vi=problem_vi,
        problem_en=problem_en,
        anchor=anchor,
        title=f"{job.name} · {job.area} · {job.quarter}",
        lang=job.lang,
    )


def report_title(notebook: str, lang: str = "vi") -> str:
    """A notebook's name for readers: its domain's label, "tổng quan" for the overview."""
    names = {"overview": ("tổng quan", "overview"), **DOMAIN_NAMES}
    vi, en = names.get(notebook, (notebook, notebook))
    return en if lang == "en" else vi


def timestamp() -> str:
    """Local time with its UTC offset, to the second (ISO 8601)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _EVALUE_MAX else text[: _EVALUE_MAX - 1] + "…"


class _Deadline:
    """While active, kills every kernel this process starts once ``seconds`` have passed."""

    active: ClassVar[_Deadline | None] = None

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.fired = False
        self._kernels: list[AsyncKernelManager] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> _Deadline:
        _Deadline.active = self
        if self.seconds:
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        _Deadline.active = None

    def track(self, km: AsyncKernelManager) -> None:
        with self._lock:
            self._kernels.append(km)
            if self.fired:
                _kill(km)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for km in self._kernels:
                _kill(km)


def _kill(km: AsyncKernelManager) -> None:
    """Kill a kernel's process group now (it may run subprocesses of its own)."""
    provisioner = km.provisioner
    pgid = getattr(provisioner, "pgid", None)
    pid = getattr(provisioner, "pid", None)
    sig = getattr(signal, "SIGKILL", signal.SIGTERM)
    with contextlib.suppress(ProcessLookupError, PermissionError, TypeError):
        if pgid and hasattr(os, "killpg"):
            os.killpg(pgid, sig)
        elif pid:
            os.kill(pid, sig)


class _GuardedKernelManager(AsyncKernelManager):
    """nbclient's default kernel manager, registering each kernel with the deadline.

    Kernels talk over Unix sockets in a private folder, not TCP: two workers picking
    ports at once sometimes collide ("Address already in use").
    """

    _socket_folder: str | None = None

    async def start_kernel(self, **kw: object) -> None:
        if sys.platform != "win32":
            self._socket_folder = folder = tempfile.mkdtemp(prefix="kpi-kernel-")
            # a worker that dies before the kernel is shut down still removes it on exit
            atexit.register(shutil.rmtree, folder, True)
            self.transport = "ipc"
            self.ip = os.path.join(folder, "kernel")
        await super().start_kernel(**kw)
        deadline = _Deadline.active
        if deadline is not None:
            deadline.track(self)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        # pool workers leave through os._exit, where atexit never runs: remove the
        # socket folder with the kernel, or each notebook leaves one in the temp folder
        if not restart and self._socket_folder:
            shutil.rmtree(self._socket_folder, ignore_errors=True)
            self._socket_folder = None
