"""The runner's parts without papermill: safety, scope, rendering, index, progress, writes."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

import nbformat
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from kpi.core.identifiers import check_area, check_notebook_name, check_quarter, inside
from kpi.errors import RunError, UnsafeParameterError
from kpi.render.exporter import neutralize_active_content, quote_active_markup
from kpi.run import manifest
from kpi.run.index_page import collect, render, write_index
from kpi.run.jobs import ErrorSummary, JobResult
from kpi.run.progress import Progress
from kpi.run.runner import _signals_deferred
from kpi.run.scope import resolve_areas, resolve_notebooks, resolve_quarter
from kpi.util import atomic
from kpi.util.images import shrink_png
from tests.runner_support import fixture_notebook, make_root

REPO = Path(__file__).resolve().parents[2]


def _fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter started in the project folder."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=REPO).stdout

# --- safety -------------------------------------------------------------------------------

SLUG = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}\Z")


@given(SLUG)
def test_area_slugs_are_accepted(area: str):
    assert check_area(area) == area


@given(st.text(max_size=30))
def test_an_accepted_area_is_one_plain_path_component(text: str):
    try:
        check_area(text)
    except UnsafeParameterError:
        return
    assert PurePosixPath(text).parts == (text,)
    assert text not in (".", "..") and "/" not in text and "\\" not in text and "\x00" not in text


@given(st.integers(1000, 9999), st.integers(1, 4))
def test_quarter_labels_are_accepted(year: int, q: int):
    assert check_quarter(f"{year}Q{q}") == f"{year}Q{q}"


@pytest.mark.parametrize(
    "text", ["../../x", "/etc", "a/b", "A", "a--b", "-a", "a-", "", "a\x00b", "a b", "ạ"]
)
def test_bad_areas_are_refused(text: str):
    with pytest.raises(UnsafeParameterError, match="area") as caught:
        check_area(text)
    assert caught.value.text == text


@pytest.mark.parametrize("text", ["2022Q5", "22Q1", "../2022Q1", "2022q1", "2022Q1\n", "2022Q1/"])
def test_bad_quarters_are_refused(text: str):
    with pytest.raises(UnsafeParameterError, match="quarter"):
        check_quarter(text)


def test_notebook_names_allow_underscores_but_not_paths():
    assert check_notebook_name("urban_works") == "urban_works"
    for bad in ("../x", "Revenue", "a.b", "_x", "x_"):
        with pytest.raises(UnsafeParameterError):
            check_notebook_name(bad)


def test_inside_refuses_a_path_that_leaves_the_base(tmp_path: Path):
    assert inside(tmp_path, "2022Q1", "a-b") == tmp_path / "2022Q1" / "a-b"
    with pytest.raises(UnsafeParameterError):
        inside(tmp_path, "..", "x")


# --- scope ---------------------------------------------------------------------------------


def test_quarter_resolution(tmp_path: Path):
    make_root(tmp_path, {"a-b": ["2021Q4", "2022Q2"], "c-d": ["2022Q1"]})
    assert resolve_quarter("latest", tmp_path) == "2022Q2"
    assert resolve_quarter("previous", tmp_path, dt.date(2026, 11, 28)) == "2026Q3"
    assert resolve_quarter("previous", tmp_path, dt.date(2026, 1, 1)) == "2025Q4"
    assert resolve_quarter("2021Q4", tmp_path) == "2021Q4"


def test_area_resolution(tmp_path: Path):
    make_root(tmp_path, {"a-b": ["2021Q4", "2022Q2"], "c-d": ["2022Q1"]})
    assert resolve_areas(None, "2022Q1", tmp_path) == ["c-d"]
    assert resolve_areas("all", "2022Q1", tmp_path) == ["a-b", "c-d"]
    assert resolve_areas(["c-d", "a-b", "c-d"], "2022Q1", tmp_path) == ["a-b", "c-d"]
    assert resolve_areas("a-b", "2022Q1", tmp_path) == ["a-b"]  # known, if not this quarter
    with pytest.raises(RunError, match="no data for area 'x-y'; known areas: a-b, c-d"):
        resolve_areas(["a-b", "x-y"], "2022Q1", tmp_path)
    with pytest.raises(RunError, match="empty"):
        resolve_areas([], "2022Q1", tmp_path)


def test_default_areas_are_the_local_units(tmp_path: Path):
    make_root(tmp_path, {"vietnam": ["2022Q1"], "ha-tinh-province": ["2022Q1"],
                         "cam-binh-commune": ["2022Q1"], "cam-xuyen-town": ["2022Q1"]})
    assert resolve_areas(None, "2022Q1", tmp_path) == ["cam-binh-commune", "cam-xuyen-town"]
    assert len(resolve_areas("all", "2022Q1", tmp_path)) == 4


def test_notebook_resolution(tmp_path: Path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("revenue", "urban_works", "_draft"):
        (folder / f"{name}.ipynb").write_text("{}", encoding="utf-8")
    found = resolve_notebooks(None, tmp_path)
    assert [p.name for p in found] == ["revenue.ipynb", "urban_works.ipynb"]
    assert resolve_notebooks(["urban_works"], tmp_path) == [(folder / "urban_works.ipynb")]
    assert resolve_notebooks([fixture_notebook("hello")], tmp_path)[0].name == "hello.ipynb"
    with pytest.raises(RunError, match="not found"):
        resolve_notebooks(["welfare"], tmp_path)
    with pytest.raises(RunError, match="share a name"):
        resolve_notebooks(["revenue", "notebooks/revenue.ipynb"], tmp_path)
    with pytest.raises(RunError, match="no notebooks"):
        resolve_notebooks(None, tmp_path / "elsewhere")


# --- rendering -------------------------------------------------------------------------------


def test_active_content_becomes_inert_text():
    page = (
        '<p>a<script>alert(1)</script><img src="data:image/png;base64,AA" onerror="x()">'
        '<a href=" javascript:x()">j</a><a href="2022Q1/a/b.html">ok</a>'
        '<iframe src="https://example.org"></iframe></p>'
    )
    out = neutralize_active_content(page)
    assert "<script" not in out and "<iframe" not in out and "onerror" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "javascript:" not in out
    assert '<a href="2022Q1/a/b.html">ok</a>' in out
    assert 'src="data:image/png;base64,AA"' in out


def test_markdown_and_html_outputs_cannot_open_a_script():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/markdown": "a <SCRIPT>x</script>", "text/html": "<b>b</b>"}
        )
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("<iframe src=x></iframe> *ok*"), cell]
    quoted = quote_active_markup(nb)
    assert quoted.cells[0].source == "&lt;iframe src=x>&lt;/iframe> *ok*"
    assert quoted.cells[1].outputs[0].data["text/markdown"] == "a &lt;SCRIPT>x&lt;/script>"
    assert quoted.cells[1].outputs[0].data["text/html"] == "<b>b</b>"
    assert nb.cells[0].source.startswith("<iframe")  # the original is left alone


def _chart_png(color: tuple[int, int, int, int] = (31, 119, 180, 255)) -> bytes:
    image = Image.new("RGBA", (300, 200), (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    for x in range(0, 300, 7):
        draw.line([(x, 200), (x, 200 - (x * 37) % 180)], fill=color, width=3)
    draw.text((10, 10), "Thu ngân sách", fill=(0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)  # how matplotlib writes it
    return out.getvalue()


def test_png_shrinks_without_changing_a_pixel():
    original = _chart_png()
    smaller = shrink_png(original)
    assert len(smaller) < len(original)
    before, after = Image.open(io.BytesIO(original)), Image.open(io.BytesIO(smaller))
    assert after.convert("RGBA").tobytes() == before.convert("RGBA").tobytes()
    assert shrink_png(b"not a png") == b"not a png"


def test_png_with_many_shades_keeps_its_picture():
    gradient = Image.new("RGB", (256, 64))
    gradient.putdata([(x, (x * 3) % 256, 255 - x) for _ in range(64) for x in range(256)] )
    draw = ImageDraw.Draw(gradient)
    draw.line([(0, 0), (255, 63)], fill=(200, 30, 30), width=2)
    out = io.BytesIO()
    gradient.save(out, "PNG", compress_level=6)
    smaller = shrink_png(out.getvalue())
    assert len(smaller) < len(out.getvalue())
    after = Image.open(io.BytesIO(smaller)).convert("RGB")
    assert after.size == gradient.size
    worst = max(abs(a - b) for a, b in zip(after.tobytes(), gradient.tobytes(), strict=True))
    assert worst <= 16  # a palette shade, never a different colour


# --- index -------------------------------------------------------------------------------------


def _page(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<html></html>", encoding="utf-8")


def test_index_lists_reports_newest_quarter_first_and_escapes(tmp_path: Path):
    _page(tmp_path / "2021Q4" / "a-b" / "revenue.html")
    _page(tmp_path / "2022Q1" / "a-b" / "revenue.html")
    _page(tmp_path / "2022Q1" / "a-b" / "welfare.html")
    _page(tmp_path / "2022Q1" / "<script>" / "x.html")  # not an area slug: not listed
    _page(tmp_path / ".2022Q2.tmp-1" / "a-b" / "revenue.html")  # a run in progress
    entries = [
        {"area": "a-b", "notebook": "revenue", "status": "ok", "finished": "2022-04-02T10:00"},
        {"area": "a-b", "notebook": "welfare", "status": "<b>", "finished": "<img src=x>"},
        {"area": "a-b", "notebook": "urban_works", "status": "failed", "finished": "2022-04-02"},
    ]
    (tmp_path / "2022Q1" / "manifest.json").write_text(json.dumps({"reports": entries}))
    rows = collect(tmp_path)
    assert [(r.quarter, r.notebook, r.status) for r in rows] == [
        ("2022Q1", "revenue", "ok"),
        ("2022Q1", "urban_works", "failed"),
        ("2022Q1", "welfare", "<b>"),
        ("2021Q4", "revenue", "unknown"),
    ]
    assert rows[1].href is None  # in the manifest, but its page was not written
    html = render(rows, "2026-11-28 10:00")
    assert "&lt;img src=x&gt;" in html and "<img" not in html
    assert "<b>" not in html and "kpi-state-unknown" in html
    assert html.index("Quý I/2022") < html.index("Quý IV/2021")
    assert "<script" not in html
    # per quarter a header row and one row per area (the reports are its columns)
    assert write_index(tmp_path).read_text(encoding="utf-8").count("<tr>") == 2 + 2


def test_empty_index_says_so(tmp_path: Path):
    html = render(collect(tmp_path), "2026-11-28 10:00")
    assert "Chưa có báo cáo nào." in html and "No reports yet." in html


# --- progress ----------------------------------------------------------------------------------


def _result(status: str, error: ErrorSummary | None = None) -> JobResult:
    return JobResult("2022Q1", "cam-xuyen-town", "revenue", status, "", "", 2.14, 1, error)


def test_progress_lines_when_not_a_terminal():
    stream = io.StringIO()
    with Progress(2, stream=stream) as progress:
        progress.update(_result("ok"))
        progress.update(_result("failed", ErrorSummary("ValueError", "bad\nvalue")))
    lines = stream.getvalue().splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
    assert re.fullmatch(rf"{stamp} \[1/2\] revenue cam-xuyen-town ok 2\.1s", lines[0])
    assert re.fullmatch(
        rf"{stamp} \[2/2\] revenue cam-xuyen-town failed 2\.1s ValueError: bad value", lines[1]
    )


def test_progress_bar_shows_failures_and_silent_mode_prints_nothing():
    bar_stream, quiet = io.StringIO(), io.StringIO()
    with Progress(1, mode=True, stream=bar_stream) as progress:
        progress.update(_result("timeout", ErrorSummary("TimeoutError", "slow")))
    with Progress(1, mode=False, stream=quiet) as progress:
        progress.update(_result("ok"))
    assert "[1/1] revenue cam-xuyen-town timeout 2.1s TimeoutError: slow" in bar_stream.getvalue()
    assert "1/1" in bar_stream.getvalue() and quiet.getvalue() == ""


# --- writes and provenance -----------------------------------------------------------------------


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")

    def fail(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)  # after the bytes were written, before the move
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text(target, "new report " * 1000)
    assert target.read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_file_written_by_a_library_is_published_whole_with_the_umask_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    target = tmp_path / "report.ipynb"
    target.write_text("old notebook", encoding="utf-8")
    with atomic.scratch_path(target) as part:
        part.write_text("new notebook", encoding="utf-8")
        synced: list[int] = []
        real_fsync = os.fsync
        monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
        atomic.publish(part, target)
        assert synced, "flushed to disk before the move"
    assert target.read_text(encoding="utf-8") == "new notebook"
    assert target.stat().st_mode & 0o777 == atomic._FILE_MODE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.ipynb"]


def test_signals_during_a_swap_wait_until_it_is_done():
    steps = []
    with pytest.raises(KeyboardInterrupt), _signals_deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # a handler would interrupt here
        steps.append("renamed")
    assert steps == ["renamed"]


def test_git_commit_of_the_project_and_of_a_plain_folder(tmp_path: Path):
    commit = manifest.git_commit(REPO)
    assert commit is not None and re.fullmatch(r"[0-9a-f]{40}", commit)
    assert manifest.git_commit(tmp_path) is None


def test_latest_ignores_quarters_that_only_hold_plans(tmp_path: Path):
    make_root(tmp_path, {"a-b": ["2022Q4"]})
    table = pd.DataFrame({
        "area": ["a-b", "a-b"],
        "period": pd.PeriodIndex(["2022Q4", "2023Q4"], freq="Q-DEC"),
        "measure": ["value", "plan"],
        "value": [1.0, 2.0],
    })
    table.to_parquet(tmp_path / "data" / "processed" / "observations.parquet")
    assert resolve_quarter("latest", tmp_path) == "2022Q4"
    with pytest.raises(RunError, match="2023Q4"):
        resolve_areas(None, "2023Q4", tmp_path)


def test_rendered_page_gives_images_alt_text_and_outputs_focus_in_one_pass():
    from kpi.render.exporter import ReportHeader, render_report

    picture = base64.b64encode(_chart_png()).decode("ascii")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("chart", outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": picture}),
            nbformat.v4.new_output("display_data", data={
                "text/html": f'<img src="data:image/png;base64,{picture}">'
                             '<a href="javascript:alert(1)" onclick="x()">x</a>'}),
        ]),
    ])
    page = render_report(nb, ReportHeader("tham số", "parameters", image_alt="Biểu đồ thu"))
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert alts == ["Biểu đồ thu", "Biểu đồ thu"]
    assert page.count('tabindex="0"') >= 2  # each output can take keyboard focus
    assert "javascript:" not in page and "onclick" not in page
    assert "No description has been provided" not in page


def test_an_inert_page_gets_alt_text_and_focus_and_leaves_the_notebook_alone():
    from kpi.render.exporter import ReportHeader, render_report

    picture = base64.b64encode(_chart_png()).decode("ascii")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Thu ngân sách"),
        nbformat.v4.new_code_cell("chart", outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": picture}),
            nbformat.v4.new_output("display_data", data={"text/html": "<b>4.884.100.000 đ</b>"}),
        ]),
    ])
    before = json.dumps(nb, sort_keys=True)
    header = ReportHeader("tham số", "parameters", image_alt="Biểu đồ thu")
    page = render_report(nb, header)
    assert re.findall(r'<img [^>]*alt="([^"]*)"', page) == ["Biểu đồ thu"]
    assert page.count('tabindex="0"') == 3  # the markdown cell and both outputs
    assert "<b>4.884.100.000 đ</b>" in page
    assert json.dumps(nb, sort_keys=True) == before  # the exporter worked on a copy
    assert render_report(nb, header) == page


def test_markdown_is_rendered_once_per_text_unless_it_embeds_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    from kpi.render.exporter import ReportHeader, exporter, render_report

    monkeypatch.chdir(tmp_path)
    (tmp_path / "logo.png").write_bytes(_chart_png())
    texts = ["## Thu ngân sách\n\nĐạt **60%** so với kế hoạch.",
             "Biểu đồ: ![logo](logo.png)",
             "| Chỉ tiêu | Giá trị |\n|---|---|\n| Thu | 4.884.100.000 đ |"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(t) for t in texts])
    rendered: list[str] = []
    real = MarkdownWithMath.render

    def counting(self, source):  # type: ignore[no-untyped-def]
        rendered.append(source)
        return real(self, source)

    monkeypatch.setattr(MarkdownWithMath, "render", counting)
    exporter()._markdown_kept.clear()
    header = ReportHeader("tham số", "parameters")
    page = render_report(nb, header)
    assert sorted(rendered) == sorted(texts)
    assert "data:image/png;base64," in page and "<strong>60%</strong>" in page
    assert render_report(nb, header) == page
    assert rendered[3:] == [texts[1]]  # only the text that embeds a file, again
    (tmp_path / "logo.png").write_bytes(_chart_png(color=(200, 30, 30, 255)))
    assert render_report(nb, header) != page  # ... and it shows the file as it is now


@pytest.mark.parametrize(("first", "skipped"), [("kpi.run.jobs", True), ("jsonschema", False)])
def test_runner_processes_skip_the_slow_iri_grammar_and_still_validate(first, skipped):
    code = (f"import {first}, sys, nbformat\n"
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
            "nbformat.validate(nb)\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent') is None)")
    out = _fresh_python(code)
    assert out.strip() == str(skipped)


def test_workers_are_forked_ready_and_never_load_pandas() -> None:
    """The forkserver's preload does a worker's one-off work (validators, exporter) and
    freezes what it loaded out of the workers' garbage collections; a worker naming a
    report (its title) still has no pandas: its kernel does the analysis."""
    code = ("import gc, sys, kpi.run.worker_preload, nbformat.validator, kpi.render.exporter\n"
            "import kpi.run.jobs\n"
            "compiled = len(nbformat.validator.validators)\n"
            "title = kpi.run.jobs.report_title('welfare')\n"
            "print(compiled, kpi.render.exporter.cache_info().currsize, gc.get_freeze_count(),\n"
            "      len(gc.get_objects()), title,\n"
            "      'pandas' in sys.modules, 'kpi.core.labels' in sys.modules)")
    out = _fresh_python(code)
    compiled, exporters, frozen, tracked, *title, pandas, labels = out.split()
    assert int(compiled) >= 1 and exporters == "1"
    assert int(frozen) > 10 * int(tracked)  # the exporter, templates, validators: all frozen
    assert " ".join(title) == "an sinh xã hội"
    assert (pandas, labels) == ("False", "False")


def test_a_failing_preparation_does_not_stop_the_forkserver_import() -> None:
    code = ("import kpi.run.jobs\n"
            "def boom():\n"
            "    raise RuntimeError('no template')\n"
            "kpi.run.jobs.prepare_process = boom\n"
            "import kpi.run.worker_preload\n"
            "print('imported')")
    out = _fresh_python(code)
    assert out.strip() == "imported"


def test_compiled_templates_are_kept_and_a_bad_cache_only_means_compiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import jinja2
    from jinja2.bccache import bc_magic

    from kpi.render.exporter import template_cache

    (tmp_path / "page.html.j2").write_text("{% for x in items %}{{ x | upper }} {% endfor %}",
                                           encoding="utf-8")
    compiled: list[str] = []
    real_compile = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return real_compile(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)

    def render_with(cache: object) -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)),
                                 bytecode_cache=cache)
        return env.get_template("page.html.j2").render(items=["thu", "chi"])

    folder = tmp_path / "cache"
    folder.mkdir()
    assert render_with(template_cache(str(folder))) == "THU CHI "
    assert compiled == ["page.html.j2"] and len(list(folder.iterdir())) == 1  # kept
    compiled.clear()
    assert render_with(template_cache(str(folder))) == "THU CHI "
    assert compiled == []  # a new environment (as in a new process) reads the kept code
    for entry in folder.iterdir():
        entry.write_bytes(bc_magic + b"\x00" * 3)  # right header, truncated code
    assert render_with(template_cache(str(folder))) == "THU CHI "
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    assert render_with(template_cache(str(blocked / "cache"))) == "THU CHI "  # cannot write
    assert compiled == ["page.html.j2", "page.html.j2"]
