"""kpi.run.runner under faults: unsafe parameters, a held lock, reruns, SIGTERM, failed writes."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import filelock
import pandas as pd
import pytest

from kpi.errors import RunError, UnsafeParameterError
from kpi.run import jobs as jobs_module
from kpi.run.jobs import Job, run_job
from kpi.run.runner import Progress, run_quarter
from tests.runner_support import fixture_notebook, hidden_leftovers, make_root


def _job(tmp_path: Path, name: str, **options) -> Job:
    return Job(
        quarter="2022Q1",
        area="a-b",
        notebook=Path(fixture_notebook(name)),
        output_dir=tmp_path / "out" / "a-b",
        parameters={"quarter": "2022Q1", "area": "a-b", "data_dir": str(tmp_path), "lang": "vi"},
        **options,
    )


@pytest.mark.parametrize(
    ("quarter", "areas", "notebooks"),
    [
        ("../../x", None, None),
        ("2022Q1", ["../../x"], None),
        ("2022Q1", "../../x", None),
        ("2022Q1", ["cam-xuyen-town", "a/b"], None),
        ("2022Q1", None, ["Bad Name.ipynb"]),
        ("2022Q1", None, ["../../UPPER.ipynb"]),
    ],
)
def test_unsafe_parameters_are_refused_before_anything_is_written(
    tmp_path: Path, quarter, areas, notebooks
):
    ingested = []
    with pytest.raises(UnsafeParameterError):
        run_quarter(
            quarter, root=tmp_path, areas=areas, notebooks=notebooks, ingest=ingested.append
        )
    assert list(tmp_path.iterdir()) == [] and ingested == []


def test_unsafe_area_in_the_data_is_refused_before_its_folder_exists(tmp_path: Path):
    make_root(tmp_path, {"../../x": ["2022Q1"]})
    with pytest.raises(UnsafeParameterError, match="area"):
        run_quarter("2022Q1", root=tmp_path, notebooks=[fixture_notebook("charts")])
    assert [p.name for p in (tmp_path / "reports").iterdir()] == [".lock"]
    assert not (tmp_path / "x").exists()


def test_a_held_lock_stops_the_second_run_with_a_clear_error(tmp_path: Path):
    (tmp_path / "reports").mkdir()
    other = filelock.FileLock(str(tmp_path / "reports" / ".lock"))
    ingested = []
    with other, pytest.raises(RunError, match=r"another run .*waited 0\.2 s") as caught:
        run_quarter("2022Q1", root=tmp_path, ingest=ingested.append, lock_timeout=0.2)
    assert ".lock" in str(caught.value) and ingested == []


def test_a_second_run_waits_for_the_lock(tmp_path: Path):
    (tmp_path / "reports").mkdir()
    held = threading.Event()

    def other_run() -> None:  # filelock locks belong to the thread that takes them
        with filelock.FileLock(str(tmp_path / "reports" / ".lock")):
            held.set()
            time.sleep(1.0)

    threading.Thread(target=other_run).start()
    assert held.wait(10)
    start = time.monotonic()
    waited = []
    # no observation table: the run stops right after the ingest hook, which proves it got in
    with pytest.raises(RunError, match="no observation table"):
        run_quarter(
            "2022Q1",
            root=tmp_path,
            ingest=lambda root: waited.append(time.monotonic() - start),
            lock_timeout=30,
        )
    assert len(waited) == 1 and waited[0] >= 0.9


@pytest.mark.slow
def test_rerun_replaces_what_it_produces_and_keeps_the_rest(tmp_path: Path):
    root = make_root(tmp_path, {"a-b": ["2022Q1"], "c-d": ["2022Q1"]})
    hello = [fixture_notebook("hello")]
    first = run_quarter("2022Q1", root=root, notebooks=hello, jobs=2, progress=False)
    quarter = first.quarter_dir
    kept_page = (quarter / "c-d" / "hello.html").read_bytes()
    (quarter / "a-b" / "stale.html").write_text("left from a manual copy", encoding="utf-8")
    first_id = json.loads(first.manifest_path.read_text(encoding="utf-8"))["run"]["id"]

    second = run_quarter("2022Q1", root=root, areas=["a-b"], notebooks=hello, progress=False)

    assert [r.area for r in second.results] == ["a-b"]
    document = json.loads(second.manifest_path.read_text(encoding="utf-8"))
    runs = {e["area"]: e["run"] for e in document["reports"]}
    assert runs["a-b"] == document["run"]["id"] != first_id
    assert runs["c-d"] == first_id
    assert [r["id"] for r in document["earlier_runs"]] == [first_id]
    assert (quarter / "c-d" / "hello.html").read_bytes() == kept_page
    assert not (quarter / "a-b" / "stale.html").exists()
    assert sorted(p.name for p in quarter.iterdir()) == ["a-b", "c-d", "manifest.json"]
    assert hidden_leftovers(root / "reports") == []
    index = second.index_path.read_text(encoding="utf-8")
    assert "2022Q1/a-b/hello.html" in index and "2022Q1/c-d/hello.html" in index


@pytest.mark.slow
def test_sigterm_stops_the_workers_and_leaves_no_half_written_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    root = make_root(tmp_path, {"a-b": ["2022Q1"]})
    old = root / "reports" / "2022Q1"
    (old / "a-b").mkdir(parents=True)
    (old / "a-b" / "hello.html").write_text("previous report", encoding="utf-8")
    (old / "manifest.json").write_text('{"reports": []}', encoding="utf-8")
    before = {p: p.read_bytes() for p in old.rglob("*") if p.is_file()}
    pids = root / "data" / "kernel-pids"  # the sleeps fixture notes its kernel's pid here
    pids.mkdir()

    def terminate(self, result) -> None:  # when hello is done and sleeps is sleeping
        deadline = time.monotonic() + 30
        while not any(pids.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this sleep

    monkeypatch.setattr(Progress, "update", terminate)
    handler = signal.getsignal(signal.SIGTERM)
    notebooks = [fixture_notebook("hello"), fixture_notebook("sleeps")]
    with pytest.raises(KeyboardInterrupt):
        run_quarter("2022Q1", root=root, notebooks=notebooks, jobs=2, timeout=60)

    assert signal.getsignal(signal.SIGTERM) == handler
    assert {p: p.read_bytes() for p in old.rglob("*") if p.is_file()} == before
    assert hidden_leftovers(root / "reports") == []
    started = [int(p.name) for p in pids.iterdir()]
    assert started, "the sleeping notebook had started"
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in started), "the sleeping kernel was stopped"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")  # zombie = dead


@pytest.mark.slow
def test_failed_html_export_leaves_no_file_and_marks_the_job_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(nb, header):
        raise RuntimeError("exporter broke mid-run")

    monkeypatch.setattr(jobs_module, "render_report", broken)
    result = run_job(_job(tmp_path, "hello"))
    out = tmp_path / "out" / "a-b"
    assert result.status == "failed" and result.html is None
    assert result.error.ename == "RuntimeError" and "exporter broke" in result.error.evalue
    assert sorted(p.name for p in out.iterdir()) == ["hello.ipynb"]  # no .html, no temp file


@pytest.mark.slow
def test_whole_notebook_deadline_stops_a_notebook_without_a_cell_limit(tmp_path: Path):
    result = run_job(_job(tmp_path, "sleeps", cell_timeout=None, notebook_timeout=3))
    assert result.status == "timeout"
    assert result.error.evalue == "the notebook ran longer than 3 s"
    assert result.error.cell_index == 2 and result.attempts == 1
    assert result.duration_s < 20
    assert "Quá thời gian ở ô số 3" in result.html.read_text(encoding="utf-8")


def test_no_observations_and_no_areas_is_a_run_error(tmp_path: Path):
    with pytest.raises(RunError, match="no observation table"):
        run_quarter("latest", root=tmp_path)


def test_no_area_with_data_for_the_quarter_is_a_run_error(tmp_path: Path):
    make_root(tmp_path, {"a-b": ["2021Q4"]})
    with pytest.raises(RunError, match="no area has observations for 2022Q1"):
        run_quarter("2022Q1", root=tmp_path, notebooks=[fixture_notebook("charts")])
    assert not (tmp_path / "reports" / "2022Q1").exists()


def test_observation_periods_stored_as_text_are_read(tmp_path: Path):
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    table = pd.DataFrame({"area": ["a-b", "c-d"], "period": ["2022Q1", "2022Q2"]})
    table.to_parquet(processed / "observations.parquet")
    with pytest.raises(RunError, match="no notebooks to run"):
        run_quarter("latest", root=tmp_path)  # got past quarter and area resolution


def test_bad_jobs_or_lang_are_refused_before_anything_is_written(tmp_path: Path):
    with pytest.raises(RunError, match="jobs"):
        run_quarter("2022Q1", root=tmp_path, jobs=0)
    with pytest.raises(RunError, match="lang"):
        run_quarter("2022Q1", root=tmp_path, lang="../vi")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_the_same_jobs_run_on_a_local_dask_cluster(tmp_path: Path):
    root = make_root(tmp_path, {"a-b": ["2022Q1"]})
    result = run_quarter(
        "2022Q1",
        root=root,
        notebooks=[fixture_notebook("hello")],
        jobs=1,
        scheduler="local",
        progress=False,
    )
    assert [r.status for r in result.results] == ["ok"]
    assert "Báo cáo a-b 2022Q1" in result.results[0].html.read_text(encoding="utf-8")
    document = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert document["run"]["parameters"]["scheduler"] == "local"
    assert hidden_leftovers(root / "reports") == []


def test_a_fresh_kernel_leaves_no_socket_folder_behind(tmp_path: Path, monkeypatch):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    result = run_job(_job(tmp_path, "hello", engine="papermill"))
    assert result.ok, result.error
    assert list(temp.glob("kpi-kernel-*")) == []
