"""Notebooks at rest: stored as JupyterLab leaves them, so opening and saving one without an
edit changes no byte of the notebook or its paired script, and a scratch notebook gets no
paired script."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from kpi.notebook.report import DOMAINS
from kpi.util.kernel_name import KERNEL_DISPLAY_NAME, KERNEL_NAME

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("overview", *DOMAINS, "explore/district_ranking")


@pytest.mark.parametrize("name", NAMES)
def test_stored_with_the_metadata_lab_writes_and_the_project_kernel(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"] == {"display_name": KERNEL_DISPLAY_NAME,
                                         "language": "python", "name": KERNEL_NAME}
    info = nb.metadata["language_info"]
    assert info["name"] == "python" and info["pygments_lexer"] == "ipython3"
    assert info["version"].split(".")[:2] == [str(v) for v in sys.version_info[:2]]
    pairing = nb.metadata["jupytext"]
    assert pairing["formats"] == "ipynb,py:percent"
    # the paired script carries no jupytext version: another jupytext would rewrite it
    assert "#       jupytext_version:" not in (NOTEBOOKS / f"{name}.py").read_text(encoding="utf-8")


def test_pairing_is_per_notebook_not_global() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "jupytext" not in config.get("tool", {})
    assert not any((ROOT / n).exists() for n in ("jupytext.toml", ".jupytext.toml",
                                                  "notebooks/jupytext.toml"))


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _files(folder: Path) -> dict[str, bytes]:
    # checkpoints are JupyterLab's copies, kept outside the repository (.gitignore)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def test_opening_and_saving_through_jupytext_changes_nothing(tmp_path: Path) -> None:
    from jupytext import AsyncTextFileContentsManager

    root = _copy(tmp_path)
    folder = root / "notebooks"
    # a checkout may leave either file of a pair the newer one
    for n, path in enumerate(sorted(folder.rglob("*.*"))):
        os.utime(path, (1_700_000_000 + n, 1_700_000_000 + n))
    before = _files(folder)
    cm = AsyncTextFileContentsManager(root_dir=str(root))

    async def open_and_save() -> None:
        for name in NAMES:
            for suffix in (".ipynb", ".py"):
                path = f"notebooks/{name}{suffix}"
                model = await cm.get(path)
                assert model["type"] == "notebook"
                await cm.save(model, path)

    asyncio.run(open_and_save())
    after = _files(folder)
    assert set(after) == set(before)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == []


def test_a_scratch_notebook_gets_no_paired_script(tmp_path: Path) -> None:
    from jupytext import AsyncTextFileContentsManager

    root = _copy(tmp_path)
    cm = AsyncTextFileContentsManager(root_dir=str(root))
    model = {"type": "notebook", "format": "json",
             "content": nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])}
    asyncio.run(cm.save(model, "notebooks/scratch.ipynb"))
    assert (root / "notebooks" / "scratch.ipynb").is_file()
    assert not (root / "notebooks" / "scratch.py").exists()


def test_the_project_kernel_is_installed() -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert spec.display_name == KERNEL_DISPLAY_NAME
    assert Path(spec.argv[0]).resolve().parent == Path(sys.executable).resolve().parent
    install = (ROOT / "scripts" / "install.sh").read_text(encoding="utf-8")
    assert f'--name {KERNEL_NAME} --display-name "{KERNEL_DISPLAY_NAME}"' in install
