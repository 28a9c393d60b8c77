"""Warm kernels forked from one process that did the heavy imports once (a zygote).

Every warm kernel otherwise starts a Python process and imports IPython, pandas,
matplotlib and seaborn itself: about 2 CPU-s each, paid by every worker of a run. With
:func:`zygote`, the runner starts one :mod:`kpi.warm.zygote_server` that imports them once;
each worker's kernel is then a fork of it (copy-on-write: its imported modules are shared
pages). The workers learn the server's address through :func:`use` (their initializer) or
``KPI_KERNEL_ZYGOTE`` (a local Dask cluster's workers), and :class:`ZygoteProvisioner`
asks it for a kernel where jupyter_client would start one.

A kernel from the zygote is what ``python -m ipykernel_launcher`` would have started:
same arguments, environment, working folder, ``sys.path``, its own session, fresh random
seeds; it exits when the worker that asked for it exits. What a fork shares with its
siblings: the string hash seed, and whatever the imported modules computed at import time.
When the server refuses (another interpreter, an environment that differs in a variable
modules read on import) or cannot be reached, the kernel is started the usual way and
:attr:`ZygoteProvisioner.fallback` says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Float, Unicode

from kpi.warm.kernel import RESET_MODULE, WarmSettings, install_reset_module, kernel_environ

_SERVER = Path(__file__).with_name("zygote_server.py")
#: Variables read when modules are imported (interpreter start-up, matplotlib, numpy and
#: pyarrow thread pools, locale, time zone): a kernel that needs other values than the
#: zygote had is started the usual way.
SENSITIVE_ENV: tuple[str, ...] = (
    "HOME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "TZ",
    "PYTHONPATH", "PYTHONHOME", "PYTHONHASHSEED", "PYTHONWARNINGS", "PYTHONSAFEPATH",
    "PYTHONDONTWRITEBYTECODE", "PYTHONUTF8", "PYTHONIOENCODING",
    "MPLBACKEND", "MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "ARROW_DEFAULT_MEMORY_POOL",
)
_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
ADDRESS_VARIABLE = "KPI_KERNEL_ZYGOTE"
_ADDRESS: str | None = None


@contextlib.contextmanager
def zygote(
    settings: WarmSettings | None = None,
    environ: dict[str, str] | None = None,
    kernel_name: str = "python3",
) -> Iterator[str | None]:
    """Run a zygote for the duration of the block; yields its address for :func:`use`, or
    ``None`` (with a warning) where none can run: kernels are then launched as usual.
    ``environ``: the environment the workers asking for kernels have (default: this
    process's), which the zygote imports with; ``kernel_name``: the kernelspec whose
    interpreter options it starts with.

    Starting it returns at once: it imports while the workers start, and a kernel asked
    for meanwhile waits for it. It stops when the block ends (or when this process exits:
    it watches its stdin)."""
    if not hasattr(os, "fork") or not hasattr(socket, "AF_UNIX") or not enabled():
        yield None
        return
    try:
        server = _Server.start(settings or WarmSettings.from_env(),
                               dict(os.environ if environ is None else environ),
                               kernel_flags(kernel_name))
    except (OSError, ZygoteRefused) as exc:
        warnings.warn(f"kernel zygote not started, kernels start as processes: {exc}",
                      RuntimeWarning, stacklevel=3)
        yield None
        return
    try:
        yield server.address
    finally:
        server.stop()


@dataclass
class _Server:
    """A running zygote server process, its socket and its private folder."""

    process: subprocess.Popen[str]
    address: str
    folder: str

    @classmethod
    def start(cls, settings: WarmSettings, environ: dict[str, str], flags: list[str]
              ) -> _Server:
        """Start the server; returns once it listens (before it imports)."""
        folder = tempfile.mkdtemp(prefix="kpi-zygote-")
        address = os.path.join(folder, "zygote.sock")
        preload = (
            install_reset_module()
            + f"__import__('sys').modules[{RESET_MODULE!r}].preload("
            f"{list(settings.imports)!r}, {list(settings.project_imports)!r}, "
            f"{list(settings.project_packages)!r})\n"
        )
        config = {"preload": preload, "environ": environ, "sensitive": list(SENSITIVE_ENV)}
        env = kernel_environ(environ)  # what glibc reads at start-up is the kernels' too
        env.setdefault("MPLBACKEND", _INLINE_BACKEND)  # as ipykernel sets it before any import
        process = subprocess.Popen(
            [sys.executable, *flags, str(_SERVER), address], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env, cwd=folder, text=True,
        )
        server = cls(process, address, folder)
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(config) + "\n")
            process.stdin.flush()
            if process.stdout.readline().strip() != "listening":  # a few ms: no import yet
                raise ZygoteRefused(f"zygote server exited with {process.wait()}")
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        """Close its stdin (it stops serving) and wait for it; remove its folder."""
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def enabled() -> bool:
    """False when ``KPI_WARM_ZYGOTE=0``: every warm kernel is then launched as a process."""
    return os.environ.get("KPI_WARM_ZYGOTE", "1").strip().lower() not in {"0", "no", "off"}


def use(address: str | None) -> None:
    """Ask the zygote at ``address`` for this process's warm kernels (``None``: start
    them the usual way). Also read from ``KPI_KERNEL_ZYGOTE``."""
    global _ADDRESS
    _ADDRESS = address


def address() -> str | None:
    """The zygote this process's warm kernels come from, if any."""
    return _ADDRESS or os.environ.get(ADDRESS_VARIABLE) or None


class ZygoteProvisioner(LocalProvisioner):  # type: ignore[misc]
    """jupyter_client's local provisioner, with the kernel process forked by a zygote."""

    address = Unicode("", help="the zygote's Unix socket").tag(config=True)
    wait_seconds = Float(120.0, help="how long to wait for the zygote's answer").tag(config=True)
    fallback = Unicode("", help="why the kernel was started the usual way ('' if it was not)")

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        try:
            process = self._fork(cmd, kwargs)
        except (OSError, ValueError, ZygoteRefused) as exc:
            self.fallback = str(exc) or type(exc).__name__
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process
        self.pid = process.pid
        self.pgid = process.pid  # the child starts its own session first thing
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info

    def _fork(self, cmd: list[str], kwargs: dict[str, Any]) -> ForkedKernel:
        flags, argv = split_kernel_command(cmd)
        env = dict(kwargs.get("env") or os.environ)
        if not kwargs.get("independent"):
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher does
        request = {
            "executable": cmd[0],
            "flags": flags,
            "argv": argv,
            "env": env,
            "cwd": str(kwargs.get("cwd") or os.getcwd()),
            "owner": os.getpid(),
        }
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.settimeout(self.wait_seconds)
            conn.connect(self.address)
            fds = [_fileno(kwargs.get("stdout"), 1), _fileno(kwargs.get("stderr"), 2)]
            socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], fds)
            answer = _read_line(conn)
        except BaseException:
            conn.close()
            raise
        if "pid" not in answer:
            conn.close()
            raise ZygoteRefused(answer.get("error", "no answer"))
        return ForkedKernel(int(answer["pid"]), conn)


def split_kernel_command(cmd: list[str]) -> tuple[list[str], list[str]]:
    """``[python, *flags, "-m", "ipykernel_launcher", *argv]`` → ``(flags, argv)``;
    :class:`ZygoteRefused` for any other command."""
    for i in range(1, len(cmd) - 1):
        if cmd[i] == "-m":
            if cmd[i + 1] == "ipykernel_launcher" and all(f.startswith("-") for f in cmd[1:i]):
                return cmd[1:i], cmd[i + 2:]
            break
    raise ZygoteRefused(f"not an ipykernel command: {cmd[:4]}")


def kernel_flags(kernel_name: str) -> list[str]:
    """The interpreter options of kernelspec ``kernel_name`` (``-Xfrozen_modules=off``,
    which ``ipykernel install`` writes on Python 3.11+); ``[]`` if it has none or is not
    an ipykernel spec."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
        return split_kernel_command(list(argv))[0]
    except (NoSuchKernel, ZygoteRefused, OSError, ValueError):
        return []


class ZygoteRefused(Exception):
    """The zygote would not fork this kernel (the reason is the message)."""


class ForkedKernel:
    """The parts of ``subprocess.Popen`` jupyter_client uses, for a kernel the zygote
    forked: its exit status arrives on the connection the kernel was asked on."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, conn: socket.socket) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._conn = conn
        conn.setblocking(False)
        self._buffer = b""

    def poll(self) -> int | None:
        if self.returncode is None:
            self._read_status()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _read_status(self) -> None:
        try:
            data = self._conn.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            self._buffer += data
            if self._buffer.endswith(b"\n"):
                self.returncode = int(json.loads(self._buffer)["exit"])
                self._conn.close()
            return
        # The zygote is gone without a word: the kernel lives on (reparented) or not.
        self._conn.close()
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            self.returncode = -signal.SIGKILL
        except PermissionError:
            pass


def _fileno(stream: Any, default: int) -> int:
    if isinstance(stream, int) and stream >= 0:
        return stream
    if stream is not None and hasattr(stream, "fileno"):
        return int(stream.fileno())
    return default


def _read_line(conn: socket.socket) -> dict[str, Any]:
    data = b""
    while not data.endswith(b"\n"):
        more = conn.recv(4096)
        if not more:
            raise ZygoteRefused("the zygote closed the connection")
        data += more
    return dict(json.loads(data))
