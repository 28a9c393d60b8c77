"""The kpi-warm papermill engine: fresh-kernel outputs, isolation between notebooks, recovery.

Fixture notebooks live in tests/fixtures/warm/. One warm kernel serves the whole module
(it is this process's kernel); the fresh-kernel references run once, with papermill's
default engine.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import papermill
import pytest
from nbclient.exceptions import DeadKernelError
from papermill.exceptions import PapermillExecutionError

from kpi import warm
from kpi.warm import kernel as warm_kernel
from kpi.warm.compare import comparable, differences, images
from kpi.warm.kernel import WarmSettings
from tests.process_support import wait_gone

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "warm"
PARAMS = {"quarter": "2022Q3", "area": "hoi-an"}


def execute(name: str, engine: str | None, out: Path, **kwargs: object) -> nbformat.NotebookNode:
    """Run fixture ``name`` as the runner does (cwd = the notebook's folder)."""
    parameters = {**PARAMS, **kwargs.pop("parameters", {})}  # type: ignore[dict-item]
    return papermill.execute_notebook(
        str(FIXTURES / f"{name}.ipynb"),
        str(out / f"{name}-{engine or 'fresh'}-{time.monotonic_ns()}.ipynb"),
        parameters=parameters,
        engine_name=engine,
        cwd=str(FIXTURES),
        progress_bar=False,
        kernel_name="python3",
        **kwargs,
    )


def probes(nb: nbformat.NotebookNode) -> dict[str, object]:
    """The JSON the probe cell prints (the last one, for a notebook that has two)."""
    found = [
        json.loads(o["text"].splitlines()[0])
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if o.get("name") == "stdout" and o["text"].startswith("{")
    ]
    assert found, "no probe output"
    return found[-1]


def stream_text(nb: nbformat.NotebookNode, name: str) -> str:
    return "".join(
        o["text"] for c in nb.cells for o in c.get("outputs", []) if o.get("name") == name
    )


def newest(folder: Path) -> Path:
    return max(folder.glob("*.ipynb"), key=lambda p: p.stat().st_mtime)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("warm")


@pytest.fixture(scope="module")
def fresh(out: Path) -> dict[str, nbformat.NotebookNode]:
    """Reference runs, each on a new kernel (papermill's default engine)."""
    return {name: execute(name, None, out) for name in ("report", "probe")}


@pytest.fixture(scope="module", autouse=True)
def engine() -> object:
    warm.register()
    yield warm.ENGINE_NAME
    warm.shutdown_kernels()


def test_outputs_match_a_fresh_kernel_cell_by_cell(fresh: dict, out: Path) -> None:
    first = execute("report", "kpi-warm", out)
    second = execute("report", "kpi-warm", out)
    assert warm.last_run().kernel_started is False  # the second run reused the kernel
    for nb in (first, second):
        assert differences(fresh["report"], nb) == []
        assert images(nb) == images(fresh["report"])
    assert len(images(first)) == 2  # the comparison covers the charts
    # A library warning shows in every notebook, as on a fresh kernel.
    assert "Mean of empty slice" in stream_text(second, "stderr")


def test_next_notebook_sees_none_of_the_previous_ones_changes(fresh: dict, out: Path) -> None:
    leaky = execute("leaky", "kpi-warm", out)
    kernel_pid = warm.last_run().kernel_pid
    changed = probes(leaky)
    clean = probes(fresh["probe"])
    # The leaky notebook really changed each of these in the kernel ...
    assert changed["linewidth"] == 7 and changed["axes_facecolor"] != clean["axes_facecolor"]
    assert changed["prop_cycle"] != clean["prop_cycle"]
    assert (changed["max_rows"], changed["precision"]) == (3, 1)
    assert changed["env_leak"] == "1" and changed["cwd"] == "fixtures"
    assert changed["sys_path_leak"] is True and changed["user_warning_action"] == "error"
    assert changed["counter"] == 3 and changed["kpi_leak"] is True
    assert changed["random_is_seed_1"] is True and changed["numpy_is_seed_1"] is True
    assert (changed["np_precision"], changed["np_divide"]) == (2, "raise")
    assert changed["root_handlers"] == 1 and changed["colormap_leak"] is True
    assert changed["open_figures"] == [1] and "leaked_variable" in changed["user_names"]

    probe = execute("probe", "kpi-warm", out)
    assert warm.last_run().kernel_pid == kernel_pid  # same kernel, reset
    # ... and the next notebook on that kernel sees a fresh kernel's state.
    assert probes(probe) == clean
    assert clean["counter"] == 1 and clean["env_leak"] is None and clean["cwd"] == "warm"
    assert "leaked hook" not in stream_text(probe, "stdout")
    assert "Mean of empty slice" in stream_text(probe, "stderr")  # registries were reset
    chart = [o for c in probe.cells for o in c.get("outputs", [])
             if "image/png" in o.get("data", {})]
    assert len(chart) == 1  # png again (leaky chose svg), inline backend back (leaky: agg)
    assert differences(fresh["probe"], probe) == []


def test_a_failing_cell_is_reported_as_papermill_does_and_keeps_the_kernel(out: Path) -> None:
    failures = {}
    for engine in (None, "kpi-warm"):
        folder = out / f"raises-{engine}"
        folder.mkdir()
        with pytest.raises(PapermillExecutionError) as info:
            execute("raises", engine, folder)
        assert info.value.ename == "ValueError"
        failures[engine] = nbformat.read(newest(folder), as_version=4)
    warm_pid = warm.last_run().kernel_pid
    assert differences(failures[None], failures["kpi-warm"]) == []
    tags = [t for c in failures["kpi-warm"].cells for t in c.metadata.get("tags", [])]
    assert "papermill-error-cell-tag" in tags
    execute("table", "kpi-warm", out)
    assert warm.last_run().kernel_pid == warm_pid and warm.last_run().attempts == 1


def test_a_project_module_edited_between_notebooks_runs_its_new_code(tmp_path: Path) -> None:
    """The kernel keeps project modules' compiled code across resets; an edited file (same
    size, or not) compiles anew, and the next notebook on the same kernel runs it."""
    module = tmp_path / "edited_module.py"
    notebook = tmp_path / "edited.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import edited_module\nprint(edited_module.VALUE)")]), notebook)
    seen, pids = [], []
    for value in ("one", "two", "three, longer"):
        module.write_text(f"VALUE = {value!r}\n", encoding="utf-8")
        done = papermill.execute_notebook(
            str(notebook), str(tmp_path / "out.ipynb"), engine_name=warm.ENGINE_NAME,
            cwd=str(tmp_path), progress_bar=False, kernel_name="python3")
        seen.append(stream_text(done, "stdout").strip())
        pids.append(warm.last_run().kernel_pid)
        time.sleep(0.05)  # past the file system's timestamp granularity
    assert seen == ["one", "two", "three, longer"]
    assert len(set(pids)) == 1


def test_the_process_memo_outlives_resets_and_hands_out_copies(tmp_path: Path) -> None:
    """kpi.util.process_memo is the one project module a reset keeps: the catalogue is parsed
    once per kernel, and each notebook gets its own copy under a freshly imported kpi."""
    notebook = tmp_path / "memo.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import json, sys\n"
        "from kpi.core import catalog\n"
        "from kpi.util import process_memo\n"
        "first = catalog.load_catalog()\n"
        "code = next(iter(first.indicators))\n"
        "first.indicators.clear()  # a notebook spoiling what it got\n"
        "seen = {'memo': getattr(process_memo, 'test_marker', 0),\n"
        "        'catalog': getattr(catalog, 'test_marker', 0)}\n"
        "process_memo.test_marker = catalog.test_marker = 1\n"
        "print(json.dumps({**seen, 'kept': len(process_memo._MEMO), 'code': code}))")]),
        notebook)
    runs = []
    for _ in range(2):
        done = papermill.execute_notebook(
            str(notebook), str(tmp_path / "out.ipynb"), engine_name=warm.ENGINE_NAME,
            cwd=str(tmp_path), progress_bar=False, kernel_name="python3")
        runs.append(probes(done))
    first, second = runs
    assert (first["memo"], second["memo"]) == (0, 1) and second["kept"] >= 1  # the same module
    assert second["catalog"] == 0  # the rest of kpi was imported anew
    assert second["code"] == first["code"]  # the cleared catalogue did not reach it


@pytest.fixture
def light_kernels() -> object:
    """Kernels that import only pandas: these tests are about the kernel's life, and each
    starts several kernels."""
    warm_kernel.configure(WarmSettings(imports=("pandas",), project_imports=()))
    yield
    warm_kernel.configure(None)


@pytest.mark.usefixtures("light_kernels")
def test_a_killed_kernel_is_replaced_and_the_notebook_retried_once(tmp_path: Path) -> None:
    before = execute("table", "kpi-warm", tmp_path)
    assert before is not None
    old_pid = warm.last_run().kernel_pid
    marker = tmp_path / "died.marker"
    nb = execute("dies", "kpi-warm", tmp_path, parameters={"marker": str(marker)})
    run = warm.last_run()
    assert run.attempts == 2 and run.retried_after[0].startswith("DeadKernelError")
    assert run.kernel_pid != old_pid and run.kernel_started
    assert nb.metadata["kpi_warm"]["attempts"] == 2
    assert "lần chạy lại" in stream_text(nb, "stdout")


@pytest.mark.usefixtures("light_kernels")
def test_a_kernel_that_always_dies_fails_after_two_attempts_then_runs_go_on(
    tmp_path: Path,
) -> None:
    with pytest.raises(DeadKernelError):
        execute("dies", "kpi-warm", tmp_path, parameters={"marker": ""})
    assert warm.last_run().attempts == 2
    after = execute("table", "kpi-warm", tmp_path)
    assert warm.last_run().kernel_started and warm.last_run().attempts == 1
    statuses = {c.metadata.papermill["status"] for c in after.cells if c.cell_type == "code"}
    assert statuses == {"completed"}


@pytest.mark.usefixtures("light_kernels")
def test_a_caller_that_retries_itself_gets_the_failure_and_each_kernel(tmp_path: Path) -> None:
    """kernel_retries=0 and on_kernel: how a runner with its own retries and deadline uses
    the engine; the dead kernel is still replaced for the next notebook."""
    seen: list[int] = []

    def record(km: object) -> None:
        seen.append(km.provisioner.pid)  # type: ignore[attr-defined]

    marker = tmp_path / "died.marker"
    with pytest.raises(DeadKernelError):
        execute("dies", "kpi-warm", tmp_path, parameters={"marker": str(marker)},
                kernel_retries=0, on_kernel=record)
    assert warm.last_run().attempts == 1 and marker.exists()
    died = warm.last_run().kernel_pid
    assert seen == [died]
    execute("dies", "kpi-warm", tmp_path, parameters={"marker": str(marker)},
            kernel_retries=0, on_kernel=record)
    assert warm.last_run().attempts == 1 and warm.last_run().kernel_pid not in (None, died)
    assert len(seen) == 2


@pytest.mark.usefixtures("light_kernels")
def test_a_timed_out_cell_interrupts_replaces_the_kernel_and_retries(tmp_path: Path) -> None:
    execute("table", "kpi-warm", tmp_path)
    old_pid = warm.last_run().kernel_pid
    marker = tmp_path / "slept.marker"
    nb = execute("sleeps", "kpi-warm", tmp_path, parameters={"marker": str(marker)},
                 execution_timeout=3)
    run = warm.last_run()
    assert run.attempts == 2 and run.retried_after[0].startswith("CellTimeoutError")
    assert run.kernel_pid != old_pid
    assert "lần chạy lại" in stream_text(nb, "stdout")
    assert wait_gone(old_pid)


def test_a_kernel_is_replaced_after_max_notebooks(tmp_path: Path) -> None:
    warm_kernel.configure(WarmSettings(imports=("pandas",), project_imports=(), max_notebooks=2))
    try:
        pids = []
        for _ in range(3):
            execute("table", "kpi-warm", tmp_path)
            pids.append(warm.last_run().kernel_pid)
    finally:
        warm_kernel.configure(None)
    assert pids[0] == pids[1] != pids[2]
    assert wait_gone(pids[0])


def test_comparison_is_not_blind(fresh: dict) -> None:
    """The normalisation hides run-to-run noise only: a changed output is a difference."""
    changed = nbformat.from_dict(json.loads(json.dumps(fresh["report"])))
    cell = next(c for c in changed.cells if c.get("outputs") and "image/png" in str(c.outputs))
    for output in cell.outputs:
        if "image/png" in output.get("data", {}):
            output.data["image/png"] = output.data["image/png"][:-8] + "AAAAAAA="
    assert differences(fresh["report"], changed)
    assert comparable(fresh["report"]) == comparable(json.loads(json.dumps(fresh["report"])))




def count_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record each write of the output notebook by papermill's execution manager (the
    number of outputs it held then)."""
    import papermill.engines

    writes: list[int] = []
    real = papermill.engines.write_ipynb

    def counted(nb: nbformat.NotebookNode, path: str) -> None:
        writes.append(sum(len(c.get("outputs", [])) for c in nb.cells))
        real(nb, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counted)
    return writes


def test_the_output_notebook_is_written_when_the_run_ends_not_at_every_cell(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = count_writes(monkeypatch)
    nb = execute("report", warm.ENGINE_NAME, out)
    code_cells = sum(c.cell_type == "code" for c in nb.cells)
    assert code_cells >= 3
    # papermill's default engine would write 2 × cells + 2 times; after a normal end
    # papermill writes the notebook itself, so the engine does not
    assert writes == []
    written = nbformat.read(newest(out), as_version=4)
    assert written == nb and sum(len(c.get("outputs", [])) for c in written.cells) > 0
    execute("report", None, out)  # the stock engine, for comparison
    assert len(writes) >= 2 * code_cells


def test_a_long_notebook_is_still_saved_while_it_runs(out: Path, monkeypatch) -> None:
    source = out / "long.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import time\ntime.sleep(2.5)"),
        nbformat.v4.new_code_cell("print('xong')"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}}), source)
    writes = count_writes(monkeypatch)
    papermill.execute_notebook(str(source), str(out / "long-out.ipynb"),
                               engine_name=warm.ENGINE_NAME, progress_bar=False,
                               kernel_name="python3", autosave_cell_every=1)
    # saved once the slow cell had run (more than a second in); papermill wrote the end
    assert writes == [0]
    assert "xong" in str(nbformat.read(out / "long-out.ipynb", as_version=4).cells[-1].outputs)
