"""One warm IPython kernel per worker process: started once, reset before every notebook.

A :class:`WarmKernel` owns a kernel process (heavy imports done, garbage collector frozen)
and runs every exchange with it on an asyncio loop in a private thread, so the caller may
be any thread (a pool worker's main thread, a Dask worker's executor thread).
:func:`acquire` hands out this process's kernel reset to the state of a fresh one (see
:mod:`kpi.warm.reset`): it starts one first, or replaces one that died, was started with
other settings, fails its reset, or has run ``max_notebooks`` notebooks. :func:`discard`
interrupts and shuts down a kernel that timed out or died. Kernels are shut down when the
process exits (atexit, multiprocessing finalizers, SIGTERM when the handler is free); a
kernel whose parent process dies exits by itself (ipykernel polls its parent).
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import contextlib
import hashlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from pathlib import Path
from queue import Empty
from typing import Any, TypeVar

from jupyter_core.utils import ensure_async

from kpi.errors import RunError

T = TypeVar("T")

#: Third-party modules imported before the fresh-state snapshot.
DEFAULT_IMPORTS = (
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
)
#: Project modules imported after the snapshot only to load their dependencies.
DEFAULT_PROJECT_IMPORTS = ("kpi", "kpi.notebook.report", "kpi.analysis", "kpi.notebook.plots",
                           "kpi.core.store", "kpi.core.catalog", "kpi.core.schema")
RESET_MODULE = "_kpi_warm_reset"
_RESET_SOURCE = Path(__file__).with_name("reset.py")
_HISTORY_ARGUMENT = "--HistoryManager.hist_file=:memory:"  # as nbclient: no shared sqlite
#: Variables a worker may have that its kernels do not get. Dask's nanny gives its workers
#: ``MALLOC_TRIM_THRESHOLD_`` (to hand freed memory back to the system); setting it also
#: switches off glibc's adaptive mmap threshold, so each large array or image buffer a
#: kernel makes is mapped and zero-filled anew: three times the page faults per notebook.
WORKER_ONLY_ENV = ("MALLOC_TRIM_THRESHOLD_",)


def kernel_environ(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a warm kernel starts with: ``environ`` (default: this process's)
    without :data:`WORKER_ONLY_ENV`."""
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items() if k not in WORKER_ONLY_ENV}


class WarmKernelError(RunError):
    """A warm kernel could not be started, warmed up or reset."""


@dataclass(frozen=True)
class WarmSettings:
    """How this process's warm kernels are made.

    ``max_notebooks``: a kernel is replaced after this many notebooks (memory safety valve:
    the project's reports grew a kernel by ~0.3 MB each; a restart costs ~2 CPU-s).
    ``transport``: ``ipc`` (Unix sockets in a private temp folder: no TCP port races between
    workers starting kernels together) or ``tcp``. ``reset_timeout``: seconds a warm-up or
    reset may take before the kernel counts as hung. ``shutdown_wait``: seconds a kernel
    gets to stop before it is killed. ``kept_modules``: project modules a reset keeps
    (:mod:`kpi.util.process_memo` only: values derived from files, returned as fresh copies).
    """

    imports: tuple[str, ...] = DEFAULT_IMPORTS
    project_imports: tuple[str, ...] = DEFAULT_PROJECT_IMPORTS
    project_packages: tuple[str, ...] = ("kpi",)
    kept_modules: tuple[str, ...] = ("kpi.util.process_memo",)
    max_notebooks: int = 200
    transport: str = "tcp" if sys.platform == "win32" else "ipc"
    reset_timeout: float = 120.0
    shutdown_wait: float = 2.0

    @classmethod
    def from_env(cls) -> WarmSettings:
        """Defaults, overridden by ``KPI_WARM_MAX_NOTEBOOKS`` and ``KPI_WARM_TRANSPORT``
        (environment variables reach pool and Dask workers without extra plumbing)."""
        settings = cls()
        if value := os.environ.get("KPI_WARM_MAX_NOTEBOOKS"):
            settings = replace(settings, max_notebooks=int(value))
        if value := os.environ.get("KPI_WARM_TRANSPORT"):
            settings = replace(settings, transport=value)
        return settings


@dataclass(frozen=True)
class Launch:
    """How a kernel is started: kernelspec name, kernel manager class (``None``: jupyter
    client's ``AsyncKernelManager``), extra kernel command-line arguments."""

    kernel_name: str = "python3"
    manager_class: type | None = None
    extra_arguments: tuple[str, ...] = ()


class _LoopThread:
    """An asyncio loop on a daemon thread; :meth:`run` blocks the caller until done."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kpi-warm-loop",
                                       daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()


@dataclass
class WarmKernel:
    """A started, warmed-up kernel and its client. Use :func:`acquire`, not the constructor."""

    launch: Launch
    settings: WarmSettings
    loop: _LoopThread
    km: Any = None
    kc: Any = None
    pid: int | None = None
    notebooks: int = 0
    warmup_seconds: float = 0.0
    last_reset_seconds: float = 0.0
    failed_imports: list[str] = field(default_factory=list)
    language_info: dict[str, Any] | None = None  # from the kernel's kernel_info reply
    forked: bool = False  # forked by this process's zygote (see kpi.warm.zygote)
    zygote_fallback: str = ""  # why a zygote did not fork it, if one was asked
    _ipc_dir: str | None = None

    @property
    def kernel_name(self) -> str:
        return self.launch.kernel_name

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on this kernel's loop (where its client's sockets live)."""
        return self.loop.run(coro)

    def start(self, cwd: str, startup_timeout: float) -> None:
        self.run(self._start(cwd, startup_timeout))

    async def _start(self, cwd: str, startup_timeout: float) -> None:
        manager_class = self.launch.manager_class
        if manager_class is None:
            from jupyter_client.manager import AsyncKernelManager as manager_class
        km = manager_class(kernel_name=self.kernel_name)
        km.shutdown_wait_time = self.settings.shutdown_wait
        zygote = self._use_zygote(km)
        if self.settings.transport == "ipc":
            self._ipc_dir = tempfile.mkdtemp(prefix="kpi-warm-")
            km.transport = "ipc"
            km.ip = os.path.join(self._ipc_dir, "kernel")
        self.km = km
        started = time.perf_counter()
        arguments = [_HISTORY_ARGUMENT, *self.launch.extra_arguments]
        await ensure_async(km.start_kernel(cwd=cwd, extra_arguments=arguments,
                                           env=kernel_environ()))
        self.zygote_fallback = zygote.fallback if zygote is not None else ""
        self.forked = zygote is not None and not zygote.fallback
        if self.zygote_fallback:  # slower, not wrong: say so once per kernel, in the run's log
            warnings.warn(f"warm kernel started as its own process, not forked from the "
                          f"zygote: {self.zygote_fallback}", RuntimeWarning, stacklevel=2)
        kc = km.client()
        kc.start_channels()
        try:
            info = await wait_for_ready(km, kc, startup_timeout)
        except RuntimeError as exc:
            raise WarmKernelError(f"kernel {self.kernel_name!r} did not start: {exc}") from exc
        kc.allow_stdin = False
        self.kc = kc
        self.language_info = info.get("language_info")
        await self._call(install_reset_module(), "None")
        s = self.settings
        result = await self._call_reset_module(
            f"warm_up({list(s.imports)!r}, {list(s.project_imports)!r}, "
            f"{list(s.project_packages)!r}, {list(s.kept_modules)!r})"
        )
        self.pid = int(result["pid"])
        self.failed_imports = list(result["failed"])
        self.warmup_seconds = time.perf_counter() - started

    def _use_zygote(self, km: Any) -> Any:
        """Have ``km`` fork its kernel from this process's zygote, if it has one (see
        :mod:`kpi.warm.zygote`) and ``km`` is a jupyter_client kernel manager (they all
        take the provisioner they find set); returns that provisioner, else ``None``."""
        from jupyter_client.manager import KernelManager

        from kpi.warm import zygote as kernel_zygote

        where = kernel_zygote.address()
        if where is None or not isinstance(km, KernelManager) or km.provisioner is not None:
            return None
        km.kernel_id = km.kernel_id or str(uuid.uuid4())
        km.provisioner = kernel_zygote.ZygoteProvisioner(
            kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km, address=where
        )
        return km.provisioner

    async def _call_reset_module(self, call: str) -> Any:
        """Call ``_kpi_warm_reset.<call>`` in the kernel and return its (literal) result."""
        module = f"__import__('sys').modules[{RESET_MODULE!r}]"
        return await self._call(f"{module}.__dict__['LAST'] = {module}.{call}",
                                f"{module}.LAST")

    async def _call(self, code: str, expression: str) -> Any:
        """Execute ``code`` silently in the kernel; return ``expression`` evaluated after.

        Silent requests leave the execution count, ``_`` and the history alone, and bind no
        name in the user namespace (hence the ``__import__`` spelling). ``aborted`` replies
        (ipykernel drops requests that arrive just after a cell's error) are sent again.
        """
        for _ in range(5):
            msg_id = self.kc.execute(code, silent=True, store_history=False,
                                     user_expressions={"r": expression}, allow_stdin=False,
                                     stop_on_error=False)
            content = (await self._reply(msg_id))["content"]
            if content["status"] == "ok":
                value = content["user_expressions"]["r"]
                if value.get("status") != "ok":
                    raise WarmKernelError(
                        f"warm kernel: {value.get('ename')}: {value.get('evalue')}",
                        where=expression,
                    )
                return ast.literal_eval(value["data"]["text/plain"])
            if content["status"] == "error":
                raise WarmKernelError(
                    f"warm kernel: {content['ename']}: {content['evalue']}",
                    text="\n".join(content.get("traceback", [])),
                    where=code[:200],
                )
        raise WarmKernelError("warm kernel: request aborted five times", where=code[:200])

    async def _reply(self, msg_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.settings.reset_timeout
        while True:
            try:
                msg = await ensure_async(self.kc.get_shell_msg(timeout=1.0))
            except Empty:
                if not await ensure_async(self.km.is_alive()):
                    raise WarmKernelError("warm kernel died while being reset") from None
                if time.monotonic() > deadline:
                    raise WarmKernelError(
                        f"warm kernel: no reply in {self.settings.reset_timeout:g} s"
                    ) from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def reset(self, cwd: str) -> float:
        """Bring the kernel to a fresh kernel's state, working in ``cwd``; return seconds."""
        seconds = self.run(self._call_reset_module(f"restore({cwd!r})"))
        self.last_reset_seconds = float(seconds)
        return self.last_reset_seconds

    def is_alive(self) -> bool:
        return self.km is not None and bool(self.run(ensure_async(self.km.is_alive())))

    def shutdown(self, interrupt: bool = False) -> None:
        """Stop the kernel (interrupting a running cell first if asked); never raises."""
        with contextlib.suppress(Exception):
            self.run(self._shutdown(interrupt))
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
        self.km = self.kc = None

    async def _shutdown(self, interrupt: bool) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is None:
            return
        try:
            if await ensure_async(self.km.is_alive()):
                if interrupt:
                    with contextlib.suppress(Exception):
                        await ensure_async(self.km.interrupt_kernel())
                await ensure_async(self.km.shutdown_kernel(now=False))
        finally:
            with contextlib.suppress(Exception):
                await ensure_async(self.km.cleanup_resources())


def install_reset_module() -> str:
    """Code that makes :mod:`kpi.warm.reset` the module ``_kpi_warm_reset`` of the process
    it runs in, unless that process already has this very source (a kernel forked from a
    zygote that installed it: its code cache and module registry are kept)."""
    source = _RESET_SOURCE.read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode()).hexdigest()
    return (
        f"__m = __import__('sys').modules.setdefault({RESET_MODULE!r}, "
        f"__import__('types').ModuleType({RESET_MODULE!r}))\n"
        f"if __m.__dict__.get('SOURCE_DIGEST') != {digest!r}:\n"
        f"    exec(compile({source!r}, '<kpi.warm.reset>', 'exec'), __m.__dict__)\n"
        f"    __m.SOURCE_DIGEST = {digest!r}\n"
        f"del __m\n"
    )


async def wait_for_ready(km: Any, kc: Any, timeout: float) -> dict[str, Any]:
    """jupyter_client's ``wait_for_ready`` without its last step, which listens for 0.2 s
    of silence on IOPub to drop what came before: here no reader takes a message meant for
    another request, so that wait would only delay every kernel start.

    Ready means a ``kernel_info`` reply on the shell channel and then any message on IOPub
    (the kernel's welcome or its status), which shows IOPub is connected: a subscriber
    that joins late would lose the first outputs. Returns the reply's content; raises
    ``RuntimeError`` as jupyter_client does for a kernel that dies or does not answer
    within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = await ensure_async(kc.get_shell_msg(timeout=1))
        except Empty:
            reply = None
        if reply is not None and reply["msg_type"] == "kernel_info_reply":
            try:
                await ensure_async(kc.get_iopub_msg(timeout=0.2))
            except Empty:
                pass
            else:
                kc._handle_kernel_info_reply(reply)
                return dict(reply["content"])
        if not await ensure_async(km.is_alive()):
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


# -- this process's kernels ---------------------------------------------------------------

_KERNELS: dict[str, WarmKernel] = {}
_LOOP: _LoopThread | None = None
_SETTINGS: WarmSettings | None = None
_HOOKS_INSTALLED = False
_LOCK = threading.Lock()


def configure(new: WarmSettings | None) -> None:
    """Use ``new`` for kernels started from now on in this process (``None``: defaults)."""
    global _SETTINGS
    _SETTINGS = new


def settings() -> WarmSettings:
    """The settings new kernels of this process get."""
    return _SETTINGS if _SETTINGS is not None else WarmSettings.from_env()


def acquire(
    launch: Launch | str = "python3", cwd: str | None = None, startup_timeout: float = 60
) -> WarmKernel:
    """This process's kernel for ``launch``, reset and working in ``cwd`` (default: the
    current folder). Starts one if there is none, or replaces one that died, was started
    differently or with other settings, has run ``max_notebooks`` notebooks or fails its
    reset (a fresh kernel failing too raises :class:`WarmKernelError`)."""
    if isinstance(launch, str):
        launch = Launch(launch)
    cwd = os.path.abspath(cwd or os.getcwd())
    with _LOCK:
        kernel = _KERNELS.get(launch.kernel_name)
        if kernel is not None and (
            kernel.launch != launch
            or kernel.settings != settings()
            or kernel.notebooks >= kernel.settings.max_notebooks
            or not kernel.is_alive()
        ):
            discard(kernel)
            kernel = None
        if kernel is not None:
            try:
                kernel.reset(cwd)
                return kernel
            except WarmKernelError:
                discard(kernel)
        kernel = _start(launch, cwd, startup_timeout)
        try:
            kernel.reset(cwd)
        except WarmKernelError:
            discard(kernel)
            raise
        return kernel


def _start(launch: Launch, cwd: str, startup_timeout: float) -> WarmKernel:
    global _LOOP
    _install_exit_hooks()
    if _LOOP is None:
        _LOOP = _LoopThread()
    kernel = WarmKernel(launch=launch, settings=settings(), loop=_LOOP)
    _KERNELS[launch.kernel_name] = kernel
    try:
        kernel.start(cwd, startup_timeout)
    except BaseException:
        discard(kernel)
        raise
    return kernel


def discard(kernel: WarmKernel, interrupt: bool = True) -> None:
    """Shut ``kernel`` down (interrupting what it runs) and forget it."""
    if _KERNELS.get(kernel.kernel_name) is kernel:
        del _KERNELS[kernel.kernel_name]
    kernel.shutdown(interrupt=interrupt)


def current(kernel_name: str = "python3") -> WarmKernel | None:
    """This process's kernel for ``kernel_name`` if one is running (no reset, no start)."""
    return _KERNELS.get(kernel_name)


def shutdown_all() -> None:
    """Shut down every kernel this process started. Safe to call more than once."""
    for kernel in list(_KERNELS.values()):
        discard(kernel, interrupt=False)


def _forget_after_fork() -> None:
    # A forked child inherits the parent's table but neither its loop thread nor the right
    # to stop the parent's kernels.
    global _LOOP, _HOOKS_INSTALLED, _LOCK
    _KERNELS.clear()
    _LOOP = None
    _HOOKS_INSTALLED = False
    _LOCK = threading.Lock()


def _install_exit_hooks() -> None:
    global _HOOKS_INSTALLED
    if _HOOKS_INSTALLED:
        return
    _HOOKS_INSTALLED = True
    atexit.register(shutdown_all)
    # multiprocessing children leave through os._exit: atexit does not run there, its
    # finalizers do.
    from multiprocessing import util

    util.Finalize(None, shutdown_all, exitpriority=100)
    if threading.current_thread() is threading.main_thread():
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
                signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, frame: Any) -> None:
    shutdown_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
