"""The ``kpi-warm`` papermill engine: notebooks run on this process's warm kernel.

``papermill.execute_notebook(..., engine_name="kpi-warm")`` parameterises the notebook as
always, then this engine resets the process's warm kernel (:mod:`kpi.warm.kernel`) and runs
the cells with papermill's own client logic — per-cell metadata, progress, saving the output
after each cell, stopping at the first error so that papermill marks the error cell and
raises ``PapermillExecutionError``. Only the kernel differs from the ``nbclient`` engine.

A kernel that dies or times out is shut down (interrupted first) and the notebook runs once
more from the start on a fresh kernel; the second failure propagates as under the
``nbclient`` engine (``DeadKernelError``, ``CellTimeoutError``). :func:`last_run` says what
happened to the notebook this process ran last (attempts, why it was retried, the kernel).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, NotebookExecutionManager, catch_nb_assignment
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from kpi.warm import kernel as warm_kernel
from kpi.warm.kernel import Launch, WarmKernelError

ENGINE_NAME = "kpi-warm"
#: Failures that cost the kernel: it is replaced and the notebook run once more.
KERNEL_FAILURES = (DeadKernelError, CellTimeoutError, WarmKernelError)


@dataclass
class WarmRun:
    """What happened to one notebook on the warm engine."""

    attempts: int = 0
    retried_after: list[str] = field(default_factory=list)
    kernel_pid: int | None = None
    kernel_notebooks: int = 0  # notebooks this kernel ran, this one included
    kernel_started: bool = False  # a kernel was started (and warmed up) for this notebook
    reset_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_LAST_RUN: WarmRun | None = None


def last_run() -> WarmRun | None:
    """The record of the last notebook this process ran on the warm engine."""
    return _LAST_RUN


class WarmNotebookClient(PapermillNotebookClient):
    """papermill's notebook client driven on an already running kernel and client."""

    async def async_execute_warm(self, kc: Any, language_info: dict[str, Any] | None = None
                                 ) -> Any:
        """papermill's ``execute`` without starting or stopping a kernel: every cell with
        its metadata and saves, then ``language_info`` (asked of the kernel unless given:
        a kernel's answer never changes) and widget state."""
        self.reset_execution_trackers()
        self.kc = kc
        self.log.info(f"Executing notebook with kernel: {self.kernel_name}")
        for index, cell in enumerate(self.nb.cells):
            try:
                self.nb_man.cell_start(cell, index)
                await self.async_execute_cell(cell, index)
            except CellExecutionError as ex:
                self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=ex)
                break
            finally:
                self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)
        if language_info is None:
            info_msg = await self.async_wait_for_reply(await ensure_async(kc.kernel_info()))
            if info_msg is not None:
                language_info = info_msg["content"]["language_info"]
        if language_info is not None:
            self.nb.metadata["language_info"] = copy.deepcopy(language_info)
        self.set_widgets_metadata()
        return self.nb


class ThrottledSaves(NotebookExecutionManager):
    """papermill's execution manager, writing the output notebook at most every
    ``autosave_cell_every`` seconds (papermill's own limit for output saves) and when a run
    ends in an exception, not at the start and end of every cell.

    papermill's default writes a 12-cell report ~26 times, each a JSON encoding and a
    schema validation of the whole notebook with its charts: on the warm engine that was
    most of the worker's CPU time. A long notebook still shows its progress on disk.
    After a normal end (a cell error included) papermill writes the notebook itself, so
    the engine does not. papermill's own ``request_save_on_cell_execute=False`` would also
    drop the save after an exception, which is what keeps the outputs of a notebook stopped
    by a dead kernel or a timeout.
    """

    _finishing = False
    save_at_end = True

    @catch_nb_assignment
    def save(self, **kwargs: Any) -> None:
        every = self.autosave_cell_every
        due = bool(every) and (self.now() - self.last_save_time).total_seconds() >= every
        if (self._finishing and self.save_at_end) or (due and not self._finishing):
            super().save(**kwargs)

    def notebook_complete(self, **kwargs: Any) -> None:
        self._finishing = True
        super().notebook_complete(**kwargs)


class WarmEngine(Engine):
    """papermill engine running notebooks on this process's warm kernel.

    Besides papermill's own arguments it takes ``kernel_retries`` (default 1: a notebook
    whose kernel died or timed out runs once more on a fresh kernel; 0 when the caller
    retries itself) and ``on_kernel`` (called with the kernel manager before each attempt,
    e.g. to let a whole-notebook deadline kill that kernel). ``kernel_manager_class`` and
    ``extra_arguments`` apply when a kernel is started.
    """

    @classmethod
    def execute_notebook(
        cls,
        nb: Any,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool | dict[str, Any] = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> Any:
        """papermill's ``Engine.execute_notebook`` with :class:`ThrottledSaves`."""
        nb_man = ThrottledSaves(nb, output_path=output_path, progress_bar=progress_bar,
                                log_output=log_output, autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        except BaseException:
            nb_man.save_at_end = True  # papermill writes nothing when the engine raises
            raise
        else:
            nb_man.save_at_end = False  # papermill writes the notebook next
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        kernel_retries: int = 1,
        on_kernel: Callable[[Any], object] | None = None,
        **kwargs: Any,
    ) -> Any:
        global _LAST_RUN
        launch = Launch(
            kernel_name=kernel_name,
            manager_class=kwargs.pop("kernel_manager_class", None),
            extra_arguments=tuple(kwargs.get("extra_arguments") or ()),
        )
        # The same argument plumbing as papermill's NBClientEngine.
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        client_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        run = _LAST_RUN = WarmRun()
        cwd = os.getcwd()  # papermill has already entered the notebook's ``cwd``
        while True:
            run.attempts += 1
            before = warm_kernel.current(kernel_name)
            kernel = warm_kernel.acquire(launch, cwd=cwd, startup_timeout=start_timeout)
            run.kernel_started = run.kernel_started or kernel is not before
            run.kernel_pid, run.reset_seconds = kernel.pid, kernel.last_reset_seconds
            if on_kernel is not None:
                on_kernel(kernel.km)
            client = WarmNotebookClient(nb_man, km=kernel.km, **client_kwargs)
            try:
                kernel.run(client.async_execute_warm(kernel.kc, kernel.language_info))
            except KERNEL_FAILURES as exc:
                warm_kernel.discard(kernel)
                if run.attempts > kernel_retries:
                    raise
                logger.warning(f"warm kernel lost ({type(exc).__name__}: {exc}); "
                               "running the notebook again on a fresh kernel")
                run.retried_after.append(f"{type(exc).__name__}: {str(exc)[:500]}")
                nb_man.notebook_start()
                continue
            finally:
                client.kc = None  # the kernel's client outlives this notebook client
            kernel.notebooks += 1
            run.kernel_notebooks = kernel.notebooks
            if run.retried_after:
                nb_man.nb.metadata["kpi_warm"] = run.as_dict()
            return nb_man.nb
