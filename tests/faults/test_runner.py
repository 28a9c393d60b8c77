"""Fault injection on `kpi run`: workers and kernels killed, the run itself killed.

After each fault: the previous reports are intact or fully replaced, a job that never ran
never replaces a published page, nothing hidden is published, and no process is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from kpi.run.runner import run_quarter
from tests.process_support import wait_gone
from tests.runner_support import fixture_notebook, hidden_leftovers, make_root

pytestmark = pytest.mark.slow


def _published(quarter: Path) -> dict[str, bytes]:
    return {p.relative_to(quarter).as_posix(): p.read_bytes()
            for p in quarter.rglob("*") if p.is_file()}


def _first_run(root: Path) -> Path:
    """Reports of a first, good run: hello and kills_worker (spared) for a-b."""
    notebooks = [fixture_notebook("hello"), fixture_notebook("kills_worker")]
    first = run_quarter("2022Q1", root=root, notebooks=notebooks, jobs=1, progress=False)
    assert first.ok, first.summary()
    return first.quarter_dir


def test_a_job_whose_worker_is_killed_every_time_keeps_the_previous_page(tmp_path: Path):
    root = make_root(tmp_path, {"a-b": ["2022Q1"]})
    quarter = _first_run(root)
    before = _published(quarter)
    (root / "data" / "kill-worker-always").write_text("", encoding="utf-8")

    notebooks = [fixture_notebook(n) for n in ("kills_worker", "hello", "charts")]
    result = run_quarter("2022Q1", root=root, notebooks=notebooks, jobs=1, progress=False)

    status = {r.notebook: r.status for r in result.results}
    assert status == {"kills_worker": "not_run", "hello": "ok", "charts": "ok"}
    lost = next(r for r in result.results if r.notebook == "kills_worker")
    assert lost.attempts == 2 and lost.html is None and "previous report" in lost.error.evalue
    assert result.exit_code == 1 and "not_run: a-b/kills_worker" in result.summary()
    after = _published(quarter)
    # the page of the job that never ran is the previous run's, byte for byte
    assert after["a-b/kills_worker.html"] == before["a-b/kills_worker.html"]
    assert after["a-b/kills_worker.ipynb"] == before["a-b/kills_worker.ipynb"]
    assert "a-b/charts.html" in after
    assert hidden_leftovers(root / "reports") == []
    document = json.loads(after["manifest.json"])
    entries = {e["notebook"]: e for e in document["reports"]}
    first_id = json.loads(before["manifest.json"])["run"]["id"]
    assert entries["kills_worker"]["status"] == "ok"  # the kept page's own entry
    assert entries["kills_worker"]["run"] == first_id != entries["hello"]["run"]
    assert document["run"]["counts"]["not_run"] == 1


def test_a_worker_killed_once_is_replaced_and_every_job_runs(tmp_path: Path):
    root = make_root(tmp_path, {"a-b": ["2022Q1"]})
    (root / "data" / "kill-worker-once").write_text("", encoding="utf-8")
    notebooks = [fixture_notebook(n) for n in ("kills_worker", "hello", "charts")]

    result = run_quarter("2022Q1", root=root, notebooks=notebooks, jobs=1, progress=False)

    assert result.ok, result.summary()
    lost = next(r for r in result.results if r.notebook == "kills_worker")
    assert lost.attempts == 1  # run again on a new worker; its first try was lost
    assert "spared" in (result.quarter_dir / "a-b" / "kills_worker.ipynb").read_text("utf-8")
    assert hidden_leftovers(root / "reports") == []


def _workers_and_kernels() -> list[psutil.Process]:
    """This test process's pool workers (children of the forkserver) and kernels (launched,
    or forked by the zygote)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            line = " ".join(child.cmdline())
            parent = child.parent()
            parent_line = " ".join(parent.cmdline()) if parent else ""
        except psutil.Error:
            continue
        if ("ipykernel" in line or "zygote_server" in parent_line
                or ("forkserver" in parent_line and "forkserver" in line)):
            found.append(child)
    return found


@pytest.mark.parametrize(("seed", "engine"), [(11, "papermill"), (12, "kpi-warm"),
                                             (13, "papermill"), (14, "kpi-warm")])
def test_random_kills_of_workers_and_kernels_never_publish_a_lost_job(
    tmp_path: Path, seed: int, engine: str
):
    rng = random.Random(seed)
    root = make_root(tmp_path, {"a-b": ["2022Q1"], "c-d": ["2022Q1"]})
    notebooks = [fixture_notebook(n) for n in ("hello", "charts")]
    first = run_quarter("2022Q1", root=root, notebooks=notebooks, jobs=2, progress=False,
                        engine=engine)
    assert first.ok
    before = _published(first.quarter_dir)
    killed: list[str] = []

    def kill_later() -> None:
        time.sleep(rng.uniform(0.5, 4.0))
        deadline = time.monotonic() + 20
        while not killed and time.monotonic() < deadline:
            targets = _workers_and_kernels()
            if targets:
                victim = rng.choice(targets)
                with contextlib.suppress(psutil.Error):
                    killed.append(" ".join(victim.cmdline())[:80])
                    victim.kill()
            time.sleep(0.1)

    killer = threading.Thread(target=kill_later)
    killer.start()
    result = run_quarter("2022Q1", root=root, notebooks=notebooks, jobs=2, progress=False,
                         engine=engine)
    killer.join()
    assert killed, "a worker or kernel was killed during the run"

    after = _published(result.quarter_dir)
    runs = {(e["area"], e["notebook"]): e["run"]
            for e in json.loads(after["manifest.json"])["reports"]}
    this_run = json.loads(after["manifest.json"])["run"]["id"]
    for r in result.results:
        page = f"{r.area}/{r.notebook}.html"
        assert r.status in ("ok", "not_run", "failed"), (seed, killed, r)
        if r.status == "not_run":  # never ran: the previous page stays
            assert after[page] == before[page], (seed, killed)
            assert runs[(r.area, r.notebook)] != this_run
        else:
            assert runs[(r.area, r.notebook)] == this_run, (seed, killed)
    assert result.exit_code == (0 if result.ok else 1)
    assert hidden_leftovers(root / "reports") == []


@pytest.mark.parametrize("engine", ["papermill", "kpi-warm"])
def test_sigkill_of_the_run_leaves_no_process_and_the_previous_reports(tmp_path: Path, engine):
    root = make_root(tmp_path, {"a-b": ["2022Q1"], "c-d": ["2022Q1"]})
    old = root / "reports" / "2022Q1" / "a-b"
    old.mkdir(parents=True)
    (old / "sleeps.html").write_text("previous report", encoding="utf-8")
    pids = root / "data" / "kernel-pids"
    pids.mkdir()
    command = [sys.executable, "-c", _RUN_WITHOUT_INGEST, str(root),
               fixture_notebook("sleeps"), engine]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(list(pids.iterdir())) == 2, "both kernels started"
    started = psutil.Process(run.pid).children(recursive=True)
    assert started

    run.send_signal(signal.SIGKILL)
    run.wait()

    left = [p for p in started if not wait_gone(p.pid, 15)]
    assert not left, [" ".join(p.cmdline())[:80] for p in left if p.is_running()]
    assert (old / "sleeps.html").read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in (root / "reports").iterdir()
                  if not p.name.startswith(".")) == ["2022Q1"]


_RUN_WITHOUT_INGEST = """
import sys
from pathlib import Path
from kpi.run.runner import run_quarter
run_quarter("2022Q1", root=Path(sys.argv[1]), notebooks=[sys.argv[2]], jobs=2,
            timeout=300, progress=False, engine=sys.argv[3])
"""


def test_published_quarter_folders_follow_the_umask(tmp_path: Path):
    root = make_root(tmp_path, {"a-b": ["2022Q1"]})
    old = os.umask(0o022)
    try:
        result = run_quarter("2022Q1", root=root, notebooks=[fixture_notebook("hello")],
                             jobs=1, progress=False)
    finally:
        os.umask(old)
    assert result.ok
    assert result.quarter_dir.stat().st_mode & 0o777 == 0o755
    assert (result.quarter_dir / "a-b").stat().st_mode & 0o777 == 0o755
