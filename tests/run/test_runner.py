"""kpi.run.runner end to end: one run of the four fixture notebooks, many assertions.

The run (≈10 s) covers a report that plots, one that raises, one that sleeps past the
5 s cell limit and one whose kernel dies, for one area, in two worker processes.
"""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kpi.run.runner import RunResult, run_quarter
from tests.runner_support import RAW_FILES, fixture_notebook, hidden_leftovers, make_root

pytestmark = pytest.mark.slow

AREA = "cam-xuyen-town"
NOTEBOOKS = ("charts", "raises", "sleeps", "dies")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    root = make_root(tmp_path_factory.mktemp("project"), {AREA: ["2021Q4", "2022Q1"]})
    calls: list[Path] = []
    result = run_quarter(
        "latest",
        root=root,
        notebooks=[fixture_notebook(n) for n in NOTEBOOKS],
        jobs=2,
        timeout=5,
        progress=False,
        ingest=calls.append,
    )
    assert calls == [root.resolve()], "the ingest hook runs once, with the root"
    return result


def by_name(run: RunResult) -> dict:
    return {r.notebook: r for r in run.results}


class _Page(HTMLParser):
    """What a browser would see: the text of <script> elements, attributes by id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.by_id: dict[str, dict[str, str]] = {}
        self._inside = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if "id" in found:
            self.by_id[found["id"]] = found
        if tag == "script":
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.scripts[-1] += data


def scripts_in(html: str) -> list[str]:
    return _Page(html).scripts


def test_every_report_index_and_manifest_exist(run: RunResult):
    assert run.quarter == "2022Q1"  # "latest" in the observation table
    assert run.areas == (AREA,)
    for name in NOTEBOOKS:
        assert (run.quarter_dir / AREA / f"{name}.html").is_file()
        assert (run.quarter_dir / AREA / f"{name}.ipynb").is_file()
    assert run.index_path.is_file()
    assert run.manifest_path.is_file()
    assert hidden_leftovers(run.quarter_dir.parent) == []


def test_statuses_and_exit_code(run: RunResult):
    got = {name: r.status for name, r in by_name(run).items()}
    assert got == {"charts": "ok", "raises": "failed", "sleeps": "timeout", "dies": "failed"}
    assert {r.notebook for r in run.failed} == {"raises", "sleeps", "dies"}
    assert run.exit_code == 1
    assert "raises" in run.summary() and "ValueError" in run.summary()


def test_failing_notebook_page_shows_the_traceback_where_it_happened(run: RunResult):
    result = by_name(run)["raises"]
    assert result.error.ename == "ValueError"
    assert result.error.cell_index == 3  # 0: parameters, 1: markdown, 2: print, 3: raise
    html = result.html.read_text(encoding="utf-8")
    assert "Traceback" in html
    assert f"thiếu số liệu cho {AREA} 2022Q1" in html
    assert "trước lỗi" in html  # the output of the cell before the error is kept
    assert "không bao giờ chạy" not in html  # no code is shown, and the cell never ran
    # the failing cell is marked and the header links to it
    assert f'href="#cell-id={result.error.cell_id}"' in html
    failing = _Page(html).by_id[f"cell-id={result.error.cell_id}"]
    assert "celltag_kpi-error-cell" in failing["class"].split()
    assert "Lỗi khi chạy ở ô số 4" in html


def test_timeout_is_stopped_and_reported(run: RunResult):
    result = by_name(run)["sleeps"]
    assert result.status == "timeout"
    assert "5 s" in result.error.evalue
    assert result.duration_s < 30  # the cell sleeps 120 s
    assert "Quá thời gian" in result.html.read_text(encoding="utf-8")


def test_dead_kernel_is_retried_once_then_reported(run: RunResult):
    result = by_name(run)["dies"]
    assert result.attempts == 2
    assert result.error.ename == "DeadKernelError"
    assert "(đã chạy 2 lần)" in result.html.read_text(encoding="utf-8")


def test_report_is_offline_shareable_and_small(run: RunResult):
    html = by_name(run)["charts"].html.read_text(encoding="utf-8")
    assert '<html lang="vi">' in html
    assert re.search(r'<meta charset="utf-8"\s*/?>', html)
    assert "Biểu đồ thử nghiệm" in html  # Vietnamese text survives as text
    assert html.count('src="data:image/png;base64,') == 4
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing loads from the network"
    assert "require.js" not in html and "MathJax" not in html and "mermaid" not in html
    assert "@import" not in html and "url(http" not in html
    assert scripts_in(html) == []
    # no code, no parameter cells: the source lines of the notebook do not appear
    assert "plt.subplots" not in html and "data_dir =" not in html
    assert len(html.encode("utf-8")) < 300_000


def test_header_states_parameters_and_data_date(run: RunResult):
    html = by_name(run)["charts"].html.read_text(encoding="utf-8")
    header = html[html.index('<header class="kpi-header">') : html.index("</header>")]
    assert "Quý I/2022" in header and f"Địa bàn: {AREA}" in header and "Báo cáo: charts" in header
    assert "Số liệu cập nhật: " in header and "chưa rõ" not in header
    assert "Quarter 2022Q1" in header  # English second
    assert header.index("Quý I/2022") < header.index("Quarter 2022Q1")


def test_script_text_from_raw_files_is_shown_not_run(run: RunResult):
    html = by_name(run)["charts"].html.read_text(encoding="utf-8")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    # printed text, a DataFrame cell and a markdown output all show it as text
    assert html.count(escaped) == 3
    assert not any("alert(1)" in s for s in scripts_in(html))


def test_manifest_records_provenance(run: RunResult):
    document = json.loads(run.manifest_path.read_text(encoding="utf-8"))
    assert document["quarter"] == "2022Q1"
    info = document["run"]
    assert info["parameters"]["quarter"] == "latest"
    assert info["parameters"]["resolved_quarter"] == "2022Q1"
    raw = run.quarter_dir.parents[1] / "data" / "raw"
    assert info["inputs"] == {
        f"data/raw/{name}": hashlib.sha256((raw / name).read_bytes()).hexdigest()
        for name in sorted(RAW_FILES)
    }
    for package in ("kpi", "pandas", "papermill", "nbconvert", "matplotlib", "seaborn", "python"):
        assert info["versions"][package], package
    assert "git_commit" in info  # None here: the temp project is no git checkout
    assert info["counts"] == {"ok": 1, "failed": 2, "timeout": 1}
    entries = {e["notebook"]: e for e in document["reports"]}
    assert set(entries) == set(NOTEBOOKS)
    raises = entries["raises"]
    assert raises["status"] == "failed"
    assert raises["error"]["ename"] == "ValueError" and raises["error"]["cell_index"] == 3
    assert raises["parameters"] == {
        "quarter": "2022Q1",
        "area": AREA,
        "data_dir": str(raw.parent),
        "lang": "vi",
    }
    assert raises["html"] == f"{AREA}/raises.html"
    assert raises["run"] == info["id"]
    assert raises["started"] <= raises["finished"] and raises["duration_s"] > 0
    source = Path(fixture_notebook("raises")).read_bytes()
    assert raises["source_sha256"] == hashlib.sha256(source).hexdigest()
    assert entries["dies"]["attempts"] == 2 and entries["charts"]["error"] is None


def test_index_lists_every_report_with_status_and_link(run: RunResult):
    html = run.index_path.read_text(encoding="utf-8")
    assert "Báo cáo KPI theo quý" in html and "Quarterly KPI reports" in html
    assert html.index("Báo cáo KPI theo quý") < html.index("Quarterly KPI reports")
    for name in NOTEBOOKS:
        assert f'href="2022Q1/{AREA}/{name}.html"' in html
    body = html[html.index("<body") :]
    assert body.count("kpi-state-failed") == 2 and body.count("kpi-state-timeout") == 1
    assert scripts_in(html) == []


def test_output_notebooks_keep_outputs_and_mark_the_stopped_cell(run: RunResult):
    nb = json.loads((run.quarter_dir / AREA / "sleeps.ipynb").read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "kpi-error-cell" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1 and "time.sleep(120)" in "".join(tagged[0]["source"])
