"""The package layout is the architecture: layers, no cycles, few loose modules.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked with
import-linter; docs/architecture.md draws the same graph.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KPI = ROOT / "kpi"
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--no-cache"], cwd=project, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(project),
                                                       "PATH": "/usr/bin:/bin"})


def test_the_import_contracts_hold() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("numbers/grammar.py", "import kpi.warm.settings  # an upward import\n", "layers"),
    ("sample/series.py", "import kpi.sample.dataset  # a cycle inside a package\n", "cycle"),
])
def test_a_broken_contract_fails_the_check(tmp_path: Path, module: str, line: str,
                                           broken: str) -> None:
    """The check is real: one added import breaks it (on a copy of the package)."""
    shutil.copytree(KPI, tmp_path / "kpi", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "kpi" / module
    target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "1 kept, 1 broken" in done.stdout
    assert ("layer" if broken == "layers" else "cycle") in done.stdout.lower()


def test_the_tree_shows_the_packages() -> None:
    loose = sorted(p.stem for p in KPI.glob("*.py") if p.stem not in {"__init__", "__main__"})
    packages = sorted(p.parent.name for p in KPI.glob("*/__init__.py"))
    assert len(loose) <= 6, loose
    assert len(packages) >= 8, packages
    for folder in packages:  # every test folder mirrors a package of the same name
        assert (ROOT / "tests" / folder).is_dir(), folder


def test_the_public_paths_still_import() -> None:
    """Paths users and other tools rely on survive the layout: the notebooks' import,
    the table reader, the number parser, and both entry points."""
    from importlib.metadata import entry_points

    from kpi.notebook import open_report
    from kpi.numbers import parse_number
    from kpi.tables import read_table

    assert callable(open_report) and callable(read_table)
    assert parse_number("4.884.100.000đ") == 4_884_100_000
    scripts = {e.name: e for e in entry_points(group="console_scripts") if e.name == "kpi"}
    assert scripts["kpi"].value == "kpi.cli:main" and callable(scripts["kpi"].load())
    engines = {e.name: e for e in entry_points(group="papermill.engine")}
    assert engines["kpi-warm"].value == "kpi.warm:WarmEngine"
    assert engines["kpi-warm"].load().__module__ == "kpi.warm"


def test_python_m_kpi_notebook_is_the_maintenance_command() -> None:
    done = subprocess.run([sys.executable, "-m", "kpi.notebook"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "usage: python -m kpi.notebook refresh" in done.stderr
