"""Dask execution: the same reports as the local pool, lost workers, fsspec outputs.

Uses the warm-kernel fixture notebooks (tests/fixtures/warm/) and LocalClusters of two
one-thread worker processes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest
from distributed import Client, LocalCluster

from kpi.run import manifest
from kpi.run.cluster import ClusterRun, local_cluster, publish_documents, run_on_cluster
from kpi.run.jobs import Job
from kpi.run.runner import run_quarter
from kpi.warm.compare import differences

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "warm"
QUARTER = "2022Q1"
AREAS = ("ba-dinh", "cam-xuyen-town", "hoi-an")
NOTEBOOKS = ("chart", "probe", "raises", "report", "table")
_STAMP = re.compile(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
_NOISE = re.compile(r"T_[0-9a-f]{5}(?=[_\"' >#])|0x[0-9a-f]{6,16}")


def jobs_for(root: Path, out: Path, areas: tuple[str, ...], notebooks: tuple[str, ...],
             **extra: object) -> list[Job]:
    """Jobs as the runner builds them (same parameters), for the warm engine."""
    return [
        Job(quarter=QUARTER, area=area, notebook=FIXTURES / f"{name}.ipynb",
            output_dir=out / area, engine="kpi-warm", cell_timeout=120,
            parameters={"quarter": QUARTER, "area": area, "data_dir": str(root / "data"),
                        "lang": "vi", **extra})
        for area in areas
        for name in notebooks
    ]


def page(path: Path) -> str:
    """A report page without its generation time, Styler ids and object addresses."""
    return _NOISE.sub("<id>", _STAMP.sub("<time>", path.read_text(encoding="utf-8")))


def test_a_local_cluster_gives_the_local_pools_reports(tmp_path: Path) -> None:
    pool = run_quarter(QUARTER, root=tmp_path, areas=list(AREAS),
                       notebooks=[str(FIXTURES / f"{n}.ipynb") for n in NOTEBOOKS],
                       jobs=2, progress=False, engine="papermill")
    jobs = jobs_for(tmp_path, tmp_path / "cluster", AREAS, NOTEBOOKS)
    run = run_on_cluster(jobs, "local", workers=2)

    assert len(run.results) == len(jobs) == 15
    assert len(run.workers) == 2
    expected = {(r.area, r.notebook): r for r in pool.results}
    for job, result in zip(jobs, run.results, strict=True):
        reference = expected[(job.area, job.name)]
        assert (result.area, result.notebook) == (job.area, job.name)
        assert result.status == reference.status == ("failed" if job.name == "raises" else "ok")
        assert result.error == reference.error
        assert reference.ipynb is not None and result.ipynb is not None
        assert differences(nbformat.read(reference.ipynb, as_version=4),
                           nbformat.read(result.ipynb, as_version=4)) == []
        assert result.html is not None and reference.html is not None
        assert page(result.html) == page(reference.html)


@pytest.fixture(scope="module")
def cluster() -> object:
    with local_cluster(2) as local:  # what --scheduler local starts
        yield local


def test_local_cluster_workers_do_not_run_the_statistical_profiler(
    cluster: LocalCluster,
) -> None:
    with Client(cluster) as client:
        running = client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    assert list(running.values()) == [False, False]


def _kernel_origin() -> tuple[bool, str]:
    from kpi.warm import kernel as warm_kernel

    kernel = warm_kernel.acquire("python3")
    return kernel.forked, kernel.zygote_fallback


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")  # the module's own cluster
def test_local_cluster_workers_fork_their_kernels_from_one_zygote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = dict(os.environ)
    with local_cluster(2) as cluster, Client(cluster) as client:
        seen = list(client.run(_kernel_origin).values())
        inside = dict(os.environ)
    assert seen == [(True, ""), (True, "")]
    # the nannies ran here and set their workers' variables; the cluster puts them back
    assert inside.get("OMP_NUM_THREADS") == "1"
    assert dict(os.environ) == before


def test_a_worker_killed_mid_run_has_its_jobs_rerun_elsewhere(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    jobs = jobs_for(tmp_path, tmp_path / "out", AREAS, ("chart",), pause=4.0)
    finished: list[ClusterRun] = []
    runner = threading.Thread(target=lambda: finished.append(
        run_on_cluster(jobs, cluster.scheduler_address)))
    with Client(cluster) as client:
        pids = client.run(os.getpid)
        runner.start()
        victim = busy_worker(client, jobs)
        os.kill(pids[victim], signal.SIGKILL)
        runner.join(timeout=300)
    assert finished, "the cluster run did not finish"
    run = finished[0]
    assert [r.status for r in run.results] == ["ok"] * len(jobs)
    moved = [(r, p) for r, p in zip(run.results, run.placements, strict=True)
             if victim in p.workers]
    assert moved, f"the killed worker ran no attempt: {victim} {run.placements}"
    for result, placement in moved:
        assert placement.attempts == result.attempts == 2
        assert placement.workers[0] == victim and placement.workers[1] != victim
        assert result.workers == placement.workers  # what the manifest entry lists
    for job in jobs:
        written = sorted(p.name for p in job.output_dir.iterdir())
        assert written == ["chart.html", "chart.ipynb"]  # no half-written temp file left
        nb = nbformat.read(job.output_dir / "chart.ipynb", as_version=4)
        assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def busy_worker(client: Client, jobs: list[Job], seconds: float = 180.0) -> str:
    """The address of a worker once it is inside a job's notebook (papermill has saved the
    first cells into the job's hidden scratch file; the notebook then pauses)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for job in jobs:
            if job.output_dir.is_dir() and any(job.output_dir.glob(".*.tmp*")):
                for worker, keys in client.processing().items():
                    if any(f"-{job.area}-{job.name}" in str(k) for k in keys):
                        time.sleep(1.0)  # its attempt event reaches the scheduler
                        return worker
        time.sleep(0.05)
    raise AssertionError("no worker started a job")


def test_reports_manifest_and_index_go_to_an_fsspec_url(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    url = f"file://{site}"
    jobs = jobs_for(tmp_path, tmp_path / "unused", ("hoi-an",), ("table", "raises"))
    run = run_on_cluster(jobs, cluster.scheduler_address, output=url)
    assert [r.status for r in run.results] == ["ok", "failed"]
    entries = [
        manifest.report_entry(r, parameters=j.parameters, notebook=j.notebook, root=tmp_path,
                              run="t") | {"cluster": p.as_dict()}
        for j, r, p in zip(jobs, run.results, run.placements, strict=True)
    ]
    publish_documents(url, QUARTER, manifest.build(QUARTER, {"id": "t"}, entries))

    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == [f"{QUARTER}/hoi-an/raises.html", f"{QUARTER}/hoi-an/raises.ipynb",
                     f"{QUARTER}/hoi-an/table.html", f"{QUARTER}/hoi-an/table.ipynb",
                     f"{QUARTER}/manifest.json", "index.html"]
    assert not (tmp_path / "unused").exists()  # nothing written where the job pointed
    document = json.loads((site / QUARTER / "manifest.json").read_text(encoding="utf-8"))
    statuses = {e["notebook"]: (e["status"], e["cluster"]["attempts"])
                for e in document["reports"]}
    assert statuses == {"raises": ("failed", 1), "table": ("ok", 1)}
    workers = set(cluster.scheduler_info["workers"])
    assert all(len(e["workers"]) == 1 and set(e["workers"]) <= workers
               for e in document["reports"])  # the entry names the worker that ran it
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="{QUARTER}/hoi-an/table.html"' in index
    assert f'href="{QUARTER}/hoi-an/raises.html"' in index
