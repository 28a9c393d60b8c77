"""How long reading the shipped tables takes, against the bare file readers underneath.

Run: ``.venv/bin/python benchmarks/bench_tables.py``. Prints seconds (best of 3) and the
ratio to a baseline measured in the same run: openpyxl's read-only load plus a walk over
every cell of the same sheets, and ``pandas.read_csv`` for the CSV files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd

from kpi.core.catalog import load_catalog
from kpi.tables import read_source

TABLES = Path(__file__).resolve().parents[1] / "data" / "raw" / "tables"
GSO = TABLES / "gso_socio_economic_tables_2022_6m.xlsx"
SHEETS = ("3.VonNSNNquy", "2.VonNSNNthang", "42.XHMT")


def best(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def openpyxl_walk() -> None:
    wb = openpyxl.load_workbook(GSO, read_only=True, data_only=True)
    for name in SHEETS:
        for row in wb[name].iter_rows():
            for cell in row:
                _ = cell.value, getattr(cell, "alignment", None)
    wb.close()


def main() -> None:
    load_catalog()  # the catalogue is cached; not part of reading a table
    cases = [
        (GSO.name, lambda: read_source(GSO), openpyxl_walk),
        *[(p.name, lambda p=p: read_source(p), lambda p=p: pd.read_csv(p))
          for p in sorted(TABLES.glob("*.csv"))],
    ]
    print(f"{'file':48} {'kpi.tables':>10} {'baseline':>9} {'ratio':>6}")
    for name, ours, base in cases:
        t_ours, t_base = best(ours), best(base)
        print(f"{name:48} {t_ours:9.3f}s {t_base:8.3f}s {t_ours / t_base:6.1f}")


if __name__ == "__main__":
    main()
