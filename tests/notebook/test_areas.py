"""Notebooks take an area by name; an unknown one stops the notebook with one short message
naming the closest known areas (papermill, as ``kpi run`` and nbval run them)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from kpi.util.kernel_name import KERNEL_NAME

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "revenue.ipynb"

pytestmark = pytest.mark.slow


def _run(tmp_path: Path, area: str) -> tuple[nbformat.NotebookNode, Exception | None]:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out = tmp_path / "out.ipynb"
    error = None
    try:
        papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name=KERNEL_NAME,
                                   parameters={"area": area, "quarter": "2022Q1"},
                                   progress_bar=False, cwd=str(NOTEBOOK.parent))
    except PapermillExecutionError as exc:
        error = exc
    return nbformat.read(out, as_version=4), error


def test_a_vietnamese_name_is_accepted(tmp_path: Path) -> None:
    nb, error = _run(tmp_path, "Xã Cẩm Bình")
    assert error is None
    title = next(c for c in nb.cells if c.cell_type == "code" and "open_report" in c.source)
    shown = "".join(str(o.get("data", {})) for o in title.outputs)
    assert "Cẩm Bình" in shown


def test_an_unknown_area_is_one_short_message(tmp_path: Path) -> None:
    nb, error = _run(tmp_path, "cam-hoa-commune")
    assert error is not None and error.ename == "UnknownAreaError"
    assert "cam-binh-commune" in error.evalue and "areas.csv" in error.evalue
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert len(errors) == 1
    assert len(errors[0].traceback) == 1  # the message, not a wall of frames
    assert "closest" in errors[0].traceback[0]
