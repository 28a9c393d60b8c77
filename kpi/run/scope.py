"""What a quarterly run covers: which quarter, which areas, which notebooks.

``latest`` is the newest quarter in the observation table, ``previous`` the last quarter
that has ended by today's date. Areas default to those with observations in the quarter.
Every value that becomes part of a path passes :mod:`kpi.core.identifiers` first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd

from kpi.core.identifiers import check_area, check_notebook_name, check_quarter
from kpi.core.periods import previous_quarter
from kpi.errors import RunError

OBSERVATIONS: Final = Path("data") / "processed" / "observations.parquet"
NOTEBOOKS_DIR: Final = Path("notebooks")

#: Areas of a run: slugs, one slug, ``"all"`` in the table, or ``None`` (local areas with data).
AreaChoice = Sequence[str] | str | None

#: Slug endings of the local units reports come from; provinces, regions and the country
#: are context that a default run does not publish reports for (``--all-areas`` does).
LOCAL_LEVELS: Final = ("-commune", "-ward", "-town", "-district")


def read_coverage(root: Path) -> pd.DataFrame:
    """Distinct (area, quarter label) pairs with reported values in the observation table.

    Targets (``role == "target"``) and plans (``measure == "plan"``) do not count: a report
    states next period's targets, and a quarter with nothing but targets has nothing to
    report yet.
    Raises :class:`RunError` when the table is missing or lacks the columns.
    """
    path = root / OBSERVATIONS
    if not path.is_file():
        raise RunError(
            "no observation table: run the ingest first or name the quarter and areas",
            where=str(OBSERVATIONS),
        )
    try:
        table = pd.read_parquet(path)
        if "role" in table:
            table = table[table["role"] != "target"]
        table = table[table["measure"] != "plan"] if "measure" in table else table
        table = table[["area", "period"]]
    except (OSError, ValueError, KeyError) as exc:
        raise RunError(f"cannot read area and period: {exc}", where=str(OBSERVATIONS)) from exc
    periods = table["period"]
    if not isinstance(periods.dtype, pd.PeriodDtype):
        periods = pd.PeriodIndex(periods.astype(str), freq="Q-DEC")
    quarters = [f"{p.year}Q{p.quarter}" for p in periods]
    return pd.DataFrame({"area": table["area"].astype(str), "quarter": quarters}).drop_duplicates()


class UnknownAreaError(RunError):
    """An area named on the command line that the observation table does not hold."""


def resolve_quarter(quarter: str, root: Path, today: dt.date | None = None) -> str:
    """Turn ``latest``/``previous``/``2022Q1`` into a checked quarter label."""
    if quarter == "previous":
        return check_quarter(str(previous_quarter(today)))
    if quarter == "latest":
        coverage = read_coverage(root)
        if coverage.empty:
            raise RunError("the observation table has no rows", where=str(OBSERVATIONS))
        return check_quarter(max(coverage["quarter"]))
    return check_quarter(quarter)


def resolve_areas(choice: AreaChoice, quarter: str, root: Path) -> list[str]:
    """Areas to run: those given, ``all`` in the table, or (``None``) the local areas
    (communes, wards, towns, districts) with data in the quarter — or, when there are
    none, every area with data in the quarter."""
    if choice is not None and choice != "all":
        areas = [check_area(a) for a in _as_list(choice)]
        if not areas:
            raise RunError("the list of areas is empty", where="parameter 'areas'")
        if (root / OBSERVATIONS).is_file():
            known = sorted(read_coverage(root)["area"].unique())
            unknown = [a for a in areas if a not in known]
            if unknown:
                shown = ", ".join(known[:30]) + (f" … ({len(known)} in all)"
                                                 if len(known) > 30 else "")
                raise UnknownAreaError(f"no data for area {unknown[0]!r}; known areas: "
                                       f"{shown or 'none'}", text=unknown[0],
                                       where="parameter 'areas'")
        return sorted(dict.fromkeys(areas))
    coverage = read_coverage(root)
    if choice is None:
        coverage = coverage[coverage["quarter"] == quarter]
        local = coverage[coverage["area"].str.endswith(LOCAL_LEVELS)]
        coverage = local if not local.empty else coverage
    if coverage.empty:
        raise RunError(f"no area has observations for {quarter}", where=str(OBSERVATIONS))
    return sorted(check_area(a) for a in coverage["area"].unique())


def resolve_notebooks(choice: Sequence[str | Path] | None, root: Path) -> list[Path]:
    """Notebook files to run.

    ``None``: every ``notebooks/*.ipynb`` under ``root``. Otherwise each item is a path
    (absolute, or relative to ``root``) when it ends in ``.ipynb`` or has a folder part,
    else a name looked up as ``notebooks/<name>.ipynb``. Names (file stems) are checked.
    """
    folder = root / NOTEBOOKS_DIR
    if choice is None:
        found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith((".", "_")))
        if not found:
            raise RunError("no notebooks to run", where=str(NOTEBOOKS_DIR))
        paths = found
    else:
        paths = []
        for item in choice:
            text = str(item)
            if _looks_like_path(text):
                path = Path(text) if Path(text).is_absolute() else root / text
            else:
                path = folder / f"{check_notebook_name(text)}.ipynb"
            if not path.is_file():
                raise RunError("notebook not found", text=text, where=str(path.parent))
            paths.append(path)
    for path in paths:
        check_notebook_name(path.stem)
    if len({p.stem for p in paths}) != len(paths):
        raise RunError("two notebooks share a name", text=", ".join(p.name for p in paths))
    return [p.resolve() for p in paths]


def _as_list(areas: Sequence[str] | str) -> list[str]:
    return [areas] if isinstance(areas, str) else list(areas)


def _looks_like_path(text: str) -> bool:
    return text.endswith(".ipynb") or "/" in text or "\\" in text


def check_requested(
    quarter: str, areas: AreaChoice, notebooks: Sequence[str | Path] | None
) -> None:
    """Refuse unsafe explicit parameters before anything is read or written."""
    if quarter not in ("latest", "previous"):
        check_quarter(quarter)
    if areas is not None and areas != "all":
        for area in _as_list(areas):
            check_area(area)
    for item in notebooks or ():
        text = str(item)
        check_notebook_name(Path(text).stem if _looks_like_path(text) else text)


def data_date(root: Path) -> str | None:
    """ISO date of the processed data (the observation table's modification day)."""
    path = root / OBSERVATIONS
    if not path.is_file():
        return None
    return dt.datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()


def area_names(root: Path) -> dict[str, str]:
    """``{slug: Vietnamese name}`` from the ingest's ``areas.csv`` (empty when absent)."""
    path = root / OBSERVATIONS.parent / "areas.csv"
    if not path.is_file():
        return {}
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError):
        return {}
    return {a: n for a, n in zip(table.get("area", []), table.get("name", []), strict=False) if n}
