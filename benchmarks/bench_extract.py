"""Throughput of ``kpi.extract.extractor`` on report text, one core.

The seed report is repeated (one copy per block of lines) to at least ``--mb`` megabytes
of UTF-8 and extracted in one call of :func:`kpi.extract.extract_text` (decoding and
validation included, catalogue compiled beforehand). Baselines measured on the same text
in the same run show what the work costs:

* ``split``: ``str.split()`` of the whole text (touching every character once);
* ``digits``: a plain ``re.finditer`` for digit runs (finding the numbers, nothing else);
* ``amounts``: :data:`kpi.numbers.AMOUNT_PATTERN` (finding the mentions with their units).

Target: at least 1 MB/s. Wall and CPU (``process_time``) figures are both printed: on a
shared machine the CPU figure is the one that says what one core does.

    .venv/bin/python benchmarks/bench_extract.py [--mb 5]
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_52-BC-DU.txt"
TARGET_MB_S = 1.0


def timed(work: Callable[[], object]) -> tuple[float, float, object]:
    """``(wall seconds, CPU seconds, result)`` of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="megabytes of text (default 5)")
    args = parser.parse_args()

    from kpi.extract.extractor import extract_text
    from kpi.numbers.vietnamese import AMOUNT_PATTERN

    seed = SEED.read_text(encoding="utf-8")
    copies = int(args.mb * 1e6 // len(seed.encode("utf-8"))) + 1
    text = "\n".join([seed] * copies)
    mb = len(text.encode("utf-8")) / 1e6
    extract_text(seed, source=SEED.name)  # compile the catalogue, import pandera once

    digits = re.compile(r"[0-9][0-9.,]*")
    baselines = {
        "split": lambda: len(text.split()),
        "digits": lambda: sum(1 for _ in digits.finditer(text)),
        "amounts": lambda: sum(1 for _ in AMOUNT_PATTERN.finditer(text)),
    }
    print(f"text: {mb:.2f} MB ({copies} copies of the seed report, {len(text):,} characters)")
    base_cpu = {}
    for name, work in baselines.items():
        wall, cpu, n = timed(work)
        base_cpu[name] = cpu
        print(f"  baseline {name:<8} {mb / wall:8.1f} MB/s wall  {mb / max(cpu, 1e-9):8.1f} "
              f"MB/s CPU  ({n:,} items)")
    wall, cpu, rows = timed(lambda: extract_text(text, source=SEED.name))
    n_rows = len(rows)  # type: ignore[arg-type]
    print(f"  extract          {mb / wall:8.2f} MB/s wall  {mb / cpu:8.2f} MB/s CPU  "
          f"({n_rows:,} rows, {n_rows / copies:.0f} per copy)")
    for name, base in base_cpu.items():
        print(f"  extract costs {cpu / max(base, 1e-9):7.1f}x the {name} baseline (CPU)")
    verdict = "meets" if mb / cpu >= TARGET_MB_S else "BELOW"
    print(f"target {TARGET_MB_S:.1f} MB/s on one core: {verdict} ({mb / cpu:.2f} MB/s CPU, "
          f"{mb / wall:.2f} MB/s wall)")


if __name__ == "__main__":
    main()
