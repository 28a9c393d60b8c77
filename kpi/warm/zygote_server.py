"""A process that imports a kernel's heavy modules once, then forks ready kernels on request.

Run by :mod:`kpi.warm.zygote` as ``python zygote_server.py SOCKET`` with a JSON
configuration on stdin (``preload``: Python code to run before serving, ``environ``: the
environment it was started with, ``sensitive``: names of the variables modules read when
they are imported); it prints ``listening`` once clients may connect. Standard library only
at the top: this file is not part of the ``kpi`` package when it runs, so a kernel it forks
holds no project module.

Protocol, one Unix-socket connection per kernel: the client sends one JSON line (``argv``:
the kernel's arguments after ``python -m ipykernel_launcher``, ``env``, ``cwd``, ``owner``:
the pid whose exit ends the kernel, ``executable`` and ``flags``, its interpreter options)
with its stdout and stderr descriptors attached (``SCM_RIGHTS``). The server answers
``{"pid": N}`` or ``{"error": "..."}``, keeps the connection, and writes ``{"exit": CODE}``
when that kernel ends (negative: killed by that signal). The server stops when its stdin
closes (its parent exited or let it go).

A forked kernel starts where ``python -m ipykernel_launcher`` would: in ``cwd``, with
exactly ``env``, ``sys.argv`` and ``sys.path`` as that command sets them, in its own
session (as jupyter_client starts kernels), with random generators reseeded. A request whose
``env`` differs from the server's in a sensitive variable, or for another interpreter or
other interpreter options (the server is started with the kernelspec's), is refused:
modules imported here already read those.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import random
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
from typing import Any

_SCRIPT_DIR = os.path.dirname(os.path.realpath(__file__))
if sys.path and os.path.realpath(sys.path[0] or ".") == _SCRIPT_DIR:
    del sys.path[0]  # the script's folder (kpi/) must not shadow anything
_BASE_PATH = list(sys.path)
_MAX_REQUEST = 1 << 20


class Refused(Exception):
    """A request this server must not serve (the client then starts a kernel itself)."""


def main(address: str) -> int:
    config = json.loads(sys.stdin.readline())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)  # clients may connect now; they wait until the preload is done
    print("listening", flush=True)
    os.dup2(2, 1)  # nothing else goes to the pipe the parent read that from
    try:
        exec(compile(config["preload"], "<kpi.zygote preload>", "exec"), {"__name__": "_zygote"})
        import ipykernel.kernelapp  # noqa: F401 - IPython, ZeroMQ, tornado: shared too
    except BaseException:
        traceback.print_exc()
        return 1
    Server(listener, config).serve()
    return 0


class Server:
    def __init__(self, listener: socket.socket, config: dict[str, Any]) -> None:
        self.listener = listener
        self.environ: dict[str, str] = config["environ"]
        self.sensitive: list[str] = config["sensitive"]
        self.flags = _interpreter_flags()  # fixed for this process: read once
        self.selector = selectors.DefaultSelector()
        self.children: dict[int, socket.socket] = {}
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the selector through the fd
        self.selector.register(listener, selectors.EVENT_READ, "accept")
        self.selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")

    def serve(self) -> None:
        while True:
            for key, _ in self.selector.select(timeout=5.0):
                if key.data == "stdin" and not sys.stdin.readline():
                    return  # the parent is gone or done with us
                if key.data == "wake":
                    os.read(self.wake_r, 4096)
                if key.data == "accept":
                    self.accept()
            self.reap()

    def accept(self) -> None:
        conn, _ = self.listener.accept()
        fds: list[int] = []
        try:
            request, fds = _receive(conn)
            self.check(request)
            pid = os.fork()
            if pid == 0:
                self.become_kernel(request, fds)  # never returns
            _send(conn, {"pid": pid})
            self.children[pid] = conn
        except Exception as exc:  # a refused or broken request must not stop the server
            reason = str(exc) if isinstance(exc, Refused) else f"{type(exc).__name__}: {exc}"
            with contextlib.suppress(OSError):
                _send(conn, {"error": reason})
            conn.close()
        finally:
            for fd in fds:
                os.close(fd)

    def check(self, request: dict[str, Any]) -> None:
        if os.path.realpath(request["executable"]) != os.path.realpath(sys.executable):
            raise Refused(f"kernel interpreter {request['executable']} is not this one")
        if list(request["flags"]) != self.flags:
            raise Refused(f"kernel interpreter options {request['flags']} are not "
                          f"this one's {self.flags}")
        env = request["env"]
        differ = [n for n in self.sensitive if env.get(n) != self.environ.get(n)]
        if differ:
            raise Refused("environment differs in " + ", ".join(sorted(differ)))

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is not None:
                with contextlib.suppress(OSError):
                    _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                conn.close()

    def become_kernel(self, request: dict[str, Any], fds: list[int]) -> None:
        """In the forked child: become ``python -m ipykernel_launcher ARGV`` and exit."""
        code = 1
        try:
            os.setsid()
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self.selector.close()
            for conn in self.children.values():
                conn.close()
            self.listener.close()
            os.close(self.wake_r)
            os.close(self.wake_w)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            for target, fd in zip((1, 2), fds, strict=True):
                os.dup2(fd, target)
                os.close(fd)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            if hasattr(time, "tzset"):
                time.tzset()
            launcher = importlib.util.find_spec("ipykernel_launcher")
            sys.argv = [launcher.origin, *request["argv"]]
            # ``python -m`` puts the working folder first and ipykernel_launcher takes it
            # out again (IPython adds '' later): what is left is the interpreter's own path.
            sys.path[:] = _BASE_PATH
            random.seed()
            numpy = sys.modules.get("numpy")
            if numpy is not None:
                numpy.random.seed()
            _watch_owner(int(request["owner"]))
            from ipykernel import kernelapp

            # ipykernel reads two trait defaults from the environment when it is imported,
            # which here was before this kernel's environment was known.
            defaults = {name: int(os.environ.get(variable) or 0) for name, variable in
                        (("parent_handle", "JPY_PARENT_PID"), ("interrupt", "JPY_INTERRUPT_EVENT"))}
            try:
                kernelapp.IPKernelApp.launch_instance(**defaults)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            atexit._run_exitfuncs()
        except BaseException:
            traceback.print_exc()
        finally:
            with contextlib.suppress(OSError):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)


def _interpreter_flags() -> list[str]:
    """The options this interpreter was started with, before the script (``-X ...``)."""
    argv = list(getattr(sys, "orig_argv", []))
    script = [i for i, a in enumerate(argv) if os.path.realpath(a) == os.path.realpath(__file__)]
    return argv[1:script[0]] if script else []


def _watch_owner(pid: int) -> None:
    """End this kernel when ``pid`` (the worker that asked for it) exits, as a kernel
    started by that worker does when its parent goes (ipykernel polls its parent)."""

    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:  # readable once the process has exited
            sel = selectors.DefaultSelector()
            sel.register(fd, selectors.EVENT_READ)
            sel.select()
        else:
            while True:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="kpi-zygote-owner", daemon=True).start()


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    conn.settimeout(10)
    data, fds, _, _ = socket.recv_fds(conn, _MAX_REQUEST, 2)
    while not data.endswith(b"\n"):
        more = conn.recv(_MAX_REQUEST)
        if not more:
            raise Refused("request cut short")
        data += more
    conn.settimeout(None)
    return json.loads(data), list(fds)


def _send(conn: socket.socket, message: dict[str, Any]) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
