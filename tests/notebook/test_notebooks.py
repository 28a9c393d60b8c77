"""The report notebooks: structure of the committed files, and real papermill runs.

The runs (papermill's Python API, two worker processes, one session fixture) use a copy
of ``data/raw`` ingested once into a temporary folder: the five notebooks for the real
seed quarter 2022Q1 and a sample quarter 2022Q3, one English run on an area with only real
(national) data, a quarter with no data and an area with no welfare data.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest

from kpi import analysis
from kpi.core.catalog import load_catalog
from kpi.errors import KpiError, PeriodError, UnsafeParameterError
from kpi.ingest.pipeline import ingest, load_observations
from kpi.notebook.report import (
    CHECK_MARK,
    Charts,
    Note,
    Report,
    Table,
    keep_checked_outputs,
    open_report,
    resolve_data_dir,
)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
DOMAINS = ("revenue", "vaccination", "welfare", "urban_works")
NAMES = ("overview", *DOMAINS)
PARAMETERS = ("quarter", "area", "data_dir", "lang")
AREA = "cam-xuyen-town"
IMG = '<img src="data:image/png;base64,'

#: run key → (notebook, parameters besides data_dir)
RUNS: dict[str, tuple[str, dict[str, str]]] = {
    **{f"{n}@{q}": (n, {"quarter": q}) for n in NAMES for q in ("2022Q1", "2022Q3")},
    "vaccination@vietnam-en": ("vaccination", {"quarter": "2022Q1", "area": "vietnam",
                                               "lang": "en"}),
    "revenue@2019Q1": ("revenue", {"quarter": "2019Q1"}),
    "welfare@vietnam": ("welfare", {"quarter": "2022Q1", "area": "vietnam"}),
}

#: What the real seed report (town, 2022Q1) states, as the headline must show it.
SEED_2022Q1 = {
    "revenue": ("gần 4,88 tỷ đồng",),
    "vaccination": ("4.173 mũi", "85 mũi", "3.918 mũi"),
    "welfare": ("1.327 suất quà", "hơn 3,2 tỷ đồng", "665 người"),
    "urban_works": ("25 cây", "600 m", "27 hồ sơ"),
}


# -- helpers -------------------------------------------------------------------------------
def source(cell: dict) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def output_texts(cell: dict) -> list[str]:
    """Every text an output of ``cell`` carries (all mime types, streams, tracebacks)."""
    out = []
    for o in cell.get("outputs", []):
        for value in (*o.get("data", {}).values(), o.get("text", ""), *o.get("traceback", [])):
            out.append("".join(value) if isinstance(value, list) else str(value))
    return out


def all_output(nb: dict) -> str:
    return "\n".join(t for c in code_cells(nb) for t in output_texts(c))


def cell_output(nb: dict, call: str) -> str:
    """The outputs of the (single) code cell whose source contains ``call``."""
    hits = [c for c in code_cells(nb) if call in source(c)]
    assert len(hits) == 1, f"{len(hits)} cells call {call}"
    return "\n".join(output_texts(hits[0]))


@dataclass(frozen=True)
class Run:
    nb: dict
    error: str | None
    seconds: float


def execute(notebook: str, output: str, parameters: dict[str, str]) -> Run:
    """One papermill run (in a worker process); an execution error is returned, not raised."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.monotonic()
    error = None
    try:
        papermill.execute_notebook(notebook, output, parameters=parameters,
                                   kernel_name="python3", progress_bar=False,
                                   cwd=str(Path(notebook).parent))
    except PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    nb = nbformat.read(output, as_version=4)
    return Run(nb, error, time.monotonic() - started)


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped raw data, ingested once (the repository is never written)."""
    folder = tmp_path_factory.mktemp("data")
    shutil.copytree(ROOT / "data" / "raw", folder / "raw")
    result = ingest(folder / "raw", folder / "processed", log=lambda _msg: None)
    assert result.ok, result.failed
    return folder


@pytest.fixture(scope="session")
def quarterly(data_dir: Path) -> analysis.Quarterly:
    return analysis.quarterly(load_observations(data_dir, log=lambda _m: None), load_catalog())


@pytest.fixture(scope="session")
def runs(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    out = tmp_path_factory.mktemp("executed")
    defaults = {"area": AREA, "lang": "vi", "data_dir": str(data_dir)}
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = {
            key: pool.submit(execute, str(NOTEBOOKS / f"{name}.ipynb"), str(out / f"{key}.ipynb"),
                             {**defaults, **params})
            for key, (name, params) in RUNS.items()
        }
        return {key: f.result() for key, f in futures.items()}


# -- committed files -----------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_code_cells_define_nothing(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for cell in code_cells(nb):
        tree = ast.parse(source(cell))
        defined = [type(n).__name__ for n in ast.walk(tree)
                   if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                                 | ast.Lambda)]
        assert not defined, f"{name}: {defined} in\n{source(cell)}"


@pytest.mark.parametrize("name", NAMES)
def test_first_code_cell_holds_the_four_parameters(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    first = code_cells(nb)[0]
    assert "parameters" in first["metadata"].get("tags", [])
    tree = ast.parse(source(first))
    assigned = {n.target.id: n for n in tree.body if isinstance(n, ast.AnnAssign)}
    assert tuple(assigned) == PARAMETERS
    assert all(ast.unparse(n.annotation) == "str" for n in assigned.values())
    assert ast.literal_eval(assigned["data_dir"].value) == "../data"


@pytest.mark.parametrize("name", NAMES)
def test_ipynb_and_py_pair_are_in_sync(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    py = jupytext.read(NOTEBOOKS / f"{name}.py")
    pairs = [(c["cell_type"], source(c).strip()) for c in nb["cells"]]
    assert pairs == [(c["cell_type"], source(c).strip()) for c in py["cells"]]
    assert py["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_committed_outputs_only_in_checked_cells(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    checked = [c for c in code_cells(nb) if source(c).startswith(CHECK_MARK)]
    assert len(checked) == 1, "one headline cell per notebook is checked by nbval"
    assert checked[0]["outputs"] and checked[0]["execution_count"] is not None
    for cell in code_cells(nb):
        if cell not in checked:
            assert cell["outputs"] == [] and cell["execution_count"] is None, source(cell)
    assert set(nb["metadata"]) <= {"kernelspec", "jupytext"}
    stored = "\n".join(output_texts(checked[0]))
    assert "0x" not in stored and "uuid" not in stored and "id=" not in stored


@pytest.fixture(scope="module")
def help_texts() -> dict[str, str]:
    """``papermill --help-notebook`` of every notebook (the five commands run at once)."""
    papermill = Path(sys.executable).parent / "papermill"
    procs = {n: subprocess.Popen([str(papermill), "--help-notebook",
                                  str(NOTEBOOKS / f"{n}.ipynb")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in NAMES}
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        out[name] = stdout
    return out


@pytest.mark.parametrize("name", NAMES)
def test_help_notebook_lists_the_parameters(name: str, help_texts: dict[str, str]) -> None:
    text = help_texts[name]
    for param, help_text in (("quarter", "quarter to report"), ("area", "area slug"),
                             ("data_dir", "folder holding raw/ and processed/"),
                             ("lang", "vi or en")):
        assert re.search(rf"^\s*{param}: str \(default ", text, re.M), text
        assert help_text in text


def test_readme_names_every_notebook() -> None:
    text = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    assert all(f"{n}.ipynb" in text for n in NAMES)
    assert "papermill" in text and "JupyterLab" in text


# -- glue (no kernel) ----------------------------------------------------------------------
def test_open_report_refuses_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(PeriodError):
        open_report(tmp_path, AREA, 2022)  # type: ignore[arg-type]  # papermill -p quarter 2022
    with pytest.raises(UnsafeParameterError):
        open_report(tmp_path, "../etc", "2022Q1")
    with pytest.raises(KpiError, match="lang"):
        open_report(tmp_path, AREA, "2022Q1", lang="fr")
    with pytest.raises(KpiError, match="domain"):
        open_report(tmp_path, AREA, "2022Q1", domain="sport")


def test_relative_data_dir_is_found_from_the_repository_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert resolve_data_dir("../data").resolve() == (tmp_path / "data").resolve()
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir("../data").resolve() == (tmp_path / "data").resolve()
    assert resolve_data_dir("missing") == Path("missing")


def test_table_html_is_escaped_linked_and_stable() -> None:
    frame = pd.DataFrame({"Lĩnh vực": ["Thu <b>", "Chi"], "Ghi chú": ["a & b", ""]})
    table = Table(frame, caption="⚠ Dữ liệu mẫu", links=("revenue.html", ""))
    page = table._repr_html_()
    assert page == Table(frame.copy(), caption="⚠ Dữ liệu mẫu",
                         links=("revenue.html", ""))._repr_html_()
    assert '<a href="revenue.html">Thu &lt;b&gt;</a>' in page
    assert "a &amp; b" in page and "Dữ liệu mẫu" in page
    assert table._repr_markdown_() is None
    empty = Table(frame.iloc[:0], empty="Không có số liệu.")
    assert empty._repr_html_() is None and empty._repr_markdown_() == "Không có số liệu."
    assert repr(empty) == "Không có số liệu."
    assert Charts((), "Không có biểu đồ.")._repr_markdown_() == "Không có biểu đồ."
    assert Note("# T")._repr_markdown_() == "# T"


def test_keep_checked_outputs_clears_everything_else() -> None:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "P"},
                                            "papermill": {"duration": 1.0},
                                            "language_info": {"name": "python",
                                                              "version": "3.11.2"}})
    result = nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=7)
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", execution_count=3, outputs=[result],
                                  metadata={"tags": ["parameters"], "papermill": {}}),
        nbformat.v4.new_markdown_cell("## t"),
        nbformat.v4.new_code_cell(f"{CHECK_MARK}\nx", execution_count=9,
                                  outputs=[dict(result)], metadata={"execution": {}}),
    ]
    keep_checked_outputs(nb)
    assert set(nb.metadata) == {"kernelspec"}
    plain, _, checked = nb.cells
    assert plain.outputs == [] and plain.execution_count is None
    assert plain.metadata == {"tags": ["parameters"]}
    assert checked.execution_count == 2 and checked.outputs[0]["execution_count"] == 2
    assert checked.metadata == {} and checked.outputs[0]["data"] == {"text/plain": "1"}
    assert [c.id for c in nb.cells] == ["cell-00", "cell-01", "cell-02"]
    nbformat.validate(nb)


# -- papermill runs ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("key", list(RUNS))
def test_runs_without_error_and_shows_no_machine_path(key: str, runs: dict[str, Run],
                                                      data_dir: Path) -> None:
    run = runs[key]
    assert run.error is None, run.error
    text = all_output(run.nb)
    assert "Traceback" not in text
    assert str(data_dir) not in text and str(ROOT) not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", DOMAINS)
@pytest.mark.parametrize("quarter", ["2022Q1", "2022Q3"])
def test_headline_shows_the_quarter_values(name: str, quarter: str, runs: dict[str, Run],
                                           quarterly: analysis.Quarterly) -> None:
    nb = runs[f"{name}@{quarter}"].nb
    headline = cell_output(nb, "report.headline()")
    for heading in ("Chỉ tiêu", "Giá trị", "So với quý trước", "So với cùng kỳ", "Ghi chú"):
        assert f"<th>{heading}</th>" in headline
    catalog = load_catalog()
    shown = analysis.values(quarterly, catalog, area=AREA, quarter=quarter)
    names = [catalog[c].name_vi for c in shown["indicator"] if catalog[c].domain == name]
    assert names, "the shipped data have values for every domain in this quarter"
    for n in names:
        assert n in headline
    if quarter == "2022Q1":
        for stated in SEED_2022Q1[name]:
            assert stated in headline
    title = cell_output(nb, "report.title()")
    label = "quý I/2022" if quarter == "2022Q1" else "quý III/2022"
    assert title.startswith("# ") and "Thị trấn Cẩm Xuyên" in title and label in title


@pytest.mark.slow
@pytest.mark.parametrize("quarter", ["2022Q1", "2022Q3"])
def test_overview_links_every_domain_with_its_lead_sentence(quarter: str,
                                                            runs: dict[str, Run]) -> None:
    table = cell_output(runs[f"overview@{quarter}"].nb, "report.overview()")
    for name in DOMAINS:
        assert f'<a href="{name}.html">' in table
    rows = re.findall(r"<tr><td>.*?</tr>", table)
    assert len(rows) == len(DOMAINS)
    for row in rows:
        assert re.search(r"<td>\d+</td>", row), "a count of findings per domain"
    if quarter == "2022Q1":
        assert "Tổng thu ngân sách quý I/2022 đạt gần 4,88 tỷ đồng" in table


@pytest.mark.slow
@pytest.mark.parametrize("name", DOMAINS)
@pytest.mark.parametrize("quarter", ["2022Q1", "2022Q3"])
def test_domain_reports_have_charts_with_alt_text(name: str, quarter: str,
                                                  runs: dict[str, Run]) -> None:
    nb = runs[f"{name}@{quarter}"].nb
    text = all_output(nb)
    images = re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', text)
    expected = {"revenue": 3, "vaccination": 5, "welfare": 4, "urban_works": 5}[name]
    assert len(images) == expected, images
    assert IMG in cell_output(nb, "report.trends()")
    assert IMG in cell_output(nb, "report.qoq_bars()")
    small = cell_output(nb, "report.small_multiples()")
    # panels and alt text name the areas as the reports do, never by slug
    assert IMG in small and "Xã Cẩm Bình" in small and "cam-binh-commune" not in small
    assert "Việt Nam" not in small
    if name in ("vaccination", "urban_works"):
        assert "của Việt Nam" in cell_output(nb, "report.context_chart()")
        assert "**Việt Nam** (cả nước, số liệu thật)" in cell_output(nb, "report.context()")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_sample_quarter_is_marked(name: str, runs: dict[str, Run]) -> None:
    nb = runs[f"{name}@2022Q3"].nb
    checked = cell_output(nb, "report.overview()" if name == "overview" else
                          "report.headline()")
    assert "Dữ liệu mẫu" in checked
    assert "**Dữ liệu mẫu:**" in cell_output(nb, "report.title()")
    if name != "overview":
        assert "dữ liệu mẫu" in cell_output(nb, "report.sources()")
        assert "Dữ liệu mẫu, không phải báo cáo thật." in cell_output(nb, "report.trends()")


@pytest.mark.slow
def test_english_run_of_real_national_data(runs: dict[str, Run]) -> None:
    nb = runs["vaccination@vietnam-en"].nb
    title = cell_output(nb, "report.title()")
    assert title.startswith("# Vaccination — ") and "Q1 2022" in title
    headline = cell_output(nb, "report.headline()")
    assert "<th>Indicator</th>" in headline and "COVID-19 vaccine doses given" in headline
    assert "55,402,274 doses" in headline  # OWID, 2022Q1, English number style
    said = cell_output(nb, "report.narrative()")
    assert "in Q1 2022" in said and "previous quarter" in said and "so với" not in said
    assert "Bar chart of COVID-19 vaccine doses given" in cell_output(nb, "report.trends()")
    text = all_output(nb).lower()
    assert "sample" not in text and "mẫu" not in text, "real data carry no sample mark"


@pytest.mark.slow
def test_english_sections_mark_sample_data(quarterly: analysis.Quarterly) -> None:
    report = Report(AREA, pd.Period("2022Q3", freq="Q-DEC"), "en", "revenue", load_catalog(),
                    quarterly, {})
    headline = report.headline()
    assert "⚠ Sample data" in headline._repr_html_()
    assert "Total budget revenue" in repr(headline) and "sample data" in repr(headline)
    assert "Sample data, not a real report." in repr(report.trends())
    assert "sample data" in report.sources()._repr_html_()
    assert report.title().markdown.startswith(
        f"# Budget revenue and spending — {AREA}, Q3 2022\n\n**Sample data:**")


@pytest.mark.slow
def test_quarter_without_data_says_so(runs: dict[str, Run]) -> None:
    nb = runs["revenue@2019Q1"].nb
    assert "Không có số liệu nào của Thị trấn Cẩm Xuyên quý I/2019" in cell_output(
        nb, "report.title()")
    headline = cell_output(nb, "report.headline()")
    assert "<table" not in headline and "Không có số liệu thu, chi ngân sách" in headline
    assert IMG not in all_output(nb)
    for call in ("report.trends()", "report.qoq_bars()", "report.small_multiples()",
                 "report.findings()", "report.sources()"):
        assert cell_output(nb, call).strip(), f"{call} says something"


@pytest.mark.slow
def test_area_without_domain_data_gets_a_short_section(runs: dict[str, Run]) -> None:
    nb = runs["welfare@vietnam"].nb
    assert "Không có số liệu an sinh xã hội của Việt Nam quý I/2022" in cell_output(
        nb, "report.title()")
    assert "<table" not in cell_output(nb, "report.headline()")
    assert IMG not in all_output(nb)
