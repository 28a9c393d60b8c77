"""The warm engine's packaging and process life: cheap import, entry point, kernel shutdown.

Each shutdown test runs a small Python program that starts a warm kernel and reports its
pid, then ends that program the way a worker ends (pool shutdown, SIGTERM, SIGKILL) and
checks the kernel process is gone too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

from tests.process_support import wait_gone

ROOT = Path(__file__).resolve().parents[2]
LIGHT = "WarmSettings(imports=('pandas',), project_imports=())"


def python(code: str, *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_entry_point_module_loads_nothing_heavy(tmp_path: Path) -> None:
    out = python("import sys, kpi.warm\n"
                 "print(sorted(m for m in ('papermill', 'nbclient', 'jupyter_client', "
                 "'pandas', 'distributed') if m in sys.modules))", cwd=tmp_path)
    assert out.strip() == "[]"


@pytest.mark.parametrize("first", ["papermill", "kpi.warm.engine"])
def test_the_entry_point_loads_whatever_is_imported_first(tmp_path: Path, first: str) -> None:
    """papermill loads entry points while it is being imported; ours must not loop back."""
    dist = tmp_path / "kpi_warm_entry-0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kpi-warm-entry\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text('[papermill.engine]\nkpi-warm = kpi.warm:WarmEngine\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    out = python(f"import {first}\n"
                 "from papermill.engines import papermill_engines\n"
                 "engine = papermill_engines.get_engine('kpi-warm')\n"
                 "from kpi.warm.engine import WarmEngine\n"
                 "print(engine.__module__, engine.nb_kernel_name.__func__ is not None)\n",
                 cwd=tmp_path, env=env)
    assert out.split() == ["kpi.warm", "True"]


PROGRAM = textwrap.dedent(f"""
    import sys, time
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    def start_kernel():
        from kpi.warm import kernel as warm_kernel
        warm_kernel.configure(warm_kernel.{LIGHT})
        return warm_kernel.acquire("python3").pid

    if __name__ == "__main__":
        how = sys.argv[1]
        if how == "pool":
            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(1, mp_context=context) as pool:
                print(pool.submit(start_kernel).result(), flush=True)
        else:
            print(start_kernel(), flush=True)
            time.sleep(120)
""")


@pytest.mark.slow
def test_a_pool_workers_kernel_stops_when_the_pool_shuts_down(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(PROGRAM)
    done = subprocess.run([sys.executable, str(script), "pool"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert wait_gone(int(done.stdout.split()[0]), 15.0)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_kernel_stops_when_its_process_is_terminated_or_killed(
    tmp_path: Path, sig: signal.Signals
) -> None:
    script = tmp_path / "worker.py"
    script.write_text(PROGRAM)
    proc = subprocess.Popen([sys.executable, str(script), "hold"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        kernel_pid = int(proc.stdout.readline())
        assert psutil.pid_exists(kernel_pid)
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert wait_gone(kernel_pid, 15.0)
