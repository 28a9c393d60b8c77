"""Warm kernels forked by the zygote: they start as a launched kernel does, and a zygote
that cannot serve a kernel only means the kernel is launched the usual way.

The zygote here imports only pandas (its full list is exercised by the runner tests, whose
warm pool forks every kernel from one).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from kpi.warm import kernel as warm_kernel
from kpi.warm import zygote as kernel_zygote
from kpi.warm.kernel import WarmKernel, WarmSettings
from tests.process_support import wait_gone

LIGHT = WarmSettings(imports=("pandas",), project_imports=())
#: What a notebook could see of how its kernel was started.
PROBE = (
    "(os.getcwd(), sys.path, sys.argv[0], sys.argv[1] == '-f', sys.argv[3:], dict(os.environ),"
    " matplotlib.get_backend(), os.getpgid(0) == os.getpid(),"
    " type(get_ipython()).__name__, sys._xoptions, sys.flags[:], sys.executable,"
    " IPKernelApp.instance().parent_handle, os.getppid())"
)
PROBE_IMPORTS = "import os, sys, matplotlib; from ipykernel.kernelapp import IPKernelApp"


@pytest.fixture
def zygote() -> Iterator[str]:
    warm_kernel.configure(LIGHT)
    try:
        with kernel_zygote.zygote(LIGHT) as address:
            yield address
    finally:
        warm_kernel.shutdown_all()
        kernel_zygote.use(None)
        warm_kernel.configure(None)


def started(address: str | None, cwd: Path) -> WarmKernel:
    """A fresh warm kernel of this process, forked from ``address`` if given."""
    warm_kernel.shutdown_all()
    kernel_zygote.use(address)
    return warm_kernel.acquire("python3", cwd=str(cwd))


def probe(kernel: WarmKernel) -> Any:
    return kernel.run(kernel._call(PROBE_IMPORTS, PROBE))


def test_a_forked_kernel_starts_as_a_launched_one(zygote: str, tmp_path: Path) -> None:
    launched = started(None, tmp_path)
    assert not launched.forked
    seen_launched = probe(launched)
    forked = started(zygote, tmp_path)
    assert forked.forked, forked.zygote_fallback
    seen_forked = probe(forked)
    # all but the last item (the parent) are equal, the environment included
    assert seen_forked[:-1] == seen_launched[:-1]
    assert seen_launched[-1] == os.getpid()
    server = psutil.Process(seen_forked[-1])
    assert any("zygote_server" in part for part in server.cmdline())
    # ipykernel's parent watch sees this process, as with a launched kernel
    assert seen_forked[-2] == os.getpid()
    assert seen_forked[6] == "module://matplotlib_inline.backend_inline"
    assert seen_forked[0] == str(tmp_path)


def test_outputs_equal_those_of_a_launched_kernel(zygote: str, tmp_path: Path) -> None:
    code = ("import pandas as pd, matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(); ax.plot([1, 3, 2]); fig.canvas.draw()\n"
            "import io; buf = io.BytesIO(); fig.savefig(buf, format='png')\n"
            "import hashlib; digest = hashlib.sha256(buf.getvalue()).hexdigest()")
    seen = []
    for address in (None, zygote):
        kernel = started(address, tmp_path)
        assert kernel.forked == (address is not None)
        seen.append(kernel.run(kernel._call(code, "(digest, repr(pd.DataFrame({'a': [1.5]})), "
                                                  "repr(sorted(plt.rcParams.items())))")))
    assert seen[0] == seen[1]


def _start_environ(pid: int) -> dict[str, str]:
    """The environment a process was started with (for a fork: its zygote's)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().partition("=")[::2] for item in raw if item)


def test_kernels_start_without_the_malloc_setting_dask_gives_its_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")  # as in a Dask worker
    monkeypatch.setenv("KPI_TEST_MARK", "kept")
    warm_kernel.configure(LIGHT)
    try:
        with kernel_zygote.zygote(LIGHT) as address:
            for where in (None, address):
                kernel = started(where, tmp_path)
                assert kernel.forked == (where is not None)
                seen = kernel.run(kernel._call("import os", "dict(os.environ)"))
                for environ in (seen, _start_environ(kernel.pid)):  # glibc read the latter
                    assert "MALLOC_TRIM_THRESHOLD_" not in environ
                    assert environ["KPI_TEST_MARK"] == "kept"
    finally:
        warm_kernel.shutdown_all()
        kernel_zygote.use(None)
        warm_kernel.configure(None)


def test_an_environment_the_zygote_did_not_import_with_is_launched(
    zygote: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MPLBACKEND", "agg")  # matplotlib read it when the zygote imported it
    with pytest.warns(RuntimeWarning, match="not forked from the zygote.*MPLBACKEND"):
        kernel = started(zygote, tmp_path)
    assert not kernel.forked
    assert "MPLBACKEND" in kernel.zygote_fallback
    assert kernel.run(kernel._call("import matplotlib", "matplotlib.get_backend()")) == "agg"


def test_an_unreachable_zygote_means_a_launched_kernel(tmp_path: Path) -> None:
    warm_kernel.configure(LIGHT)
    try:
        with pytest.warns(RuntimeWarning, match="not forked from the zygote"):
            kernel = started(str(tmp_path / "no-such.sock"), tmp_path)
        assert not kernel.forked
        assert kernel.zygote_fallback
        assert kernel.run(kernel._call("x = 40 + 2", "x")) == 42
    finally:
        warm_kernel.shutdown_all()
        kernel_zygote.use(None)
        warm_kernel.configure(None)


def test_a_killed_forked_kernel_is_seen_dead_and_replaced(zygote: str, tmp_path: Path) -> None:
    kernel = started(zygote, tmp_path)
    os.kill(kernel.pid, signal.SIGKILL)
    assert wait_gone(kernel.pid)
    process = kernel.km.provisioner.process
    assert process.wait(timeout=10) == -signal.SIGKILL
    assert not kernel.is_alive()
    again = warm_kernel.acquire("python3", cwd=str(tmp_path))
    assert again is not kernel and again.forked and again.pid != kernel.pid
    assert again.run(again._call("y = 6 * 7", "y")) == 42


def test_an_interrupt_reaches_a_forked_kernel(zygote: str, tmp_path: Path) -> None:
    kernel = started(zygote, tmp_path)
    msg_id = kernel.kc.execute("print('running', flush=True)\n"
                               "import time\nfor _ in range(300): time.sleep(0.1)")

    async def running() -> None:  # an interrupt between cells is ignored, as it should be
        while True:
            msg = await kernel.kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                return

    kernel.run(running())
    kernel.run(kernel.km.interrupt_kernel())
    reply = kernel.run(kernel._reply(msg_id))
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"


def test_a_forked_kernel_ends_with_the_process_that_asked_for_it(
    zygote: str, tmp_path: Path
) -> None:
    program = textwrap.dedent(f"""
        import time
        from kpi.warm import zygote as kernel_zygote
        from kpi.warm import kernel as warm_kernel
        from kpi.warm.kernel import WarmSettings
        warm_kernel.configure(WarmSettings(imports=("pandas",), project_imports=()))
        kernel_zygote.use({zygote!r})
        kernel = warm_kernel.acquire("python3", cwd={str(tmp_path)!r})
        print(kernel.pid, kernel.forked, flush=True)
        time.sleep(600)
    """)
    owner = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert owner.stdout is not None
        pid, forked = owner.stdout.readline().split()
        assert forked == "True"
        assert psutil.pid_exists(int(pid))
        owner.kill()  # no finalizer runs: only the kernel's own watch can end it
        owner.wait()
        assert wait_gone(int(pid))
    finally:
        owner.kill()


def test_the_zygote_stops_with_its_block(tmp_path: Path) -> None:
    with kernel_zygote.zygote(LIGHT) as address:
        servers = [p for p in psutil.Process().children()
                   if any("zygote_server" in part for part in p.cmdline())]
        assert len(servers) == 1 and os.path.exists(address)
    assert wait_gone(servers[0].pid)
    assert not os.path.exists(os.path.dirname(address))


def test_a_zygote_that_cannot_start_leaves_kernels_to_launch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "zygote_server.py"
    broken.write_text("import sys\nsys.exit(3)\n")
    monkeypatch.setattr(kernel_zygote, "_SERVER", broken)
    made: list[str] = []
    real_mkdtemp = kernel_zygote.tempfile.mkdtemp
    monkeypatch.setattr(kernel_zygote.tempfile, "mkdtemp",
                        lambda **kw: made.append(real_mkdtemp(**kw)) or made[-1])
    with pytest.warns(RuntimeWarning, match="exited with 3"), \
            kernel_zygote.zygote(LIGHT) as address:
        assert address is None
    assert len(made) == 1 and not os.path.exists(made[0])  # its folder is removed


def test_kpi_warm_zygote_0_turns_the_zygote_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_WARM_ZYGOTE", "0")
    with kernel_zygote.zygote(LIGHT) as address:
        assert address is None
    monkeypatch.setenv("KPI_WARM_ZYGOTE", "1")
    with kernel_zygote.zygote(LIGHT) as address:
        assert address is not None and os.path.exists(address)
