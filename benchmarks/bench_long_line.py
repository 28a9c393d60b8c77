"""Extraction of one long line: time must grow linearly with its length.

A clause with two numbers ("thu ngân sách đạt 4.884.100.000 đồng, tăng 12% so với cùng
kỳ, ") is repeated into one line of 100, 200, 400 and 800 KB, in two shapes: ``prose``
(each clause ends with a full stop) and ``run-on`` (commas only: one sentence). The
baseline, measured in the same run, is the same clauses written one per line. Printed:
CPU seconds per size, the ratio to the baseline (flat when linear), and the 800 KB / 100 KB
ratio (8 when linear, 64 when quadratic). Target: an 800 KB line in at most 5 s.

    .venv/bin/python benchmarks/bench_long_line.py
"""

from __future__ import annotations

import time

HEADING = "ĐẢNG BỘ THỊ TRẤN CẨM XUYÊN\nBÁO CÁO tình hình quý I năm 2022\n\n"
CLAUSE = "thu ngân sách đạt 4.884.100.000 đồng, tăng 12% so với cùng kỳ{end} "
SIZES_KB = (100, 200, 400, 800)
TARGET_S = 5.0


def cpu_seconds(text: str) -> float:
    from kpi.extract.extractor import extract_text

    start = time.process_time()
    extract_text(text, source="x.txt", area="cam-xuyen-town", period="2022Q1")
    return time.process_time() - start


def body(kb: int, end: str, sep: str) -> str:
    clause = CLAUSE.format(end=end)
    copies = kb * 1024 // len(clause.encode()) + 1
    return HEADING + sep.join([clause] * copies) + "\n"


def main() -> None:
    from kpi.extract.extractor import extract_text

    extract_text(HEADING + "Thu 5 đồng.\n", source="x.txt")  # compile the catalogue first
    print(f"{'shape':<8} {'KB':>5} {'CPU s':>7} {'baseline s':>10} {'ratio':>6}")
    for shape, end in (("prose", "."), ("run-on", ",")):
        times = {}
        for kb in SIZES_KB:
            line = cpu_seconds(body(kb, end, ""))
            lines = cpu_seconds(body(kb, end, "\n"))
            times[kb] = line
            print(f"{shape:<8} {kb:>5} {line:>7.2f} {lines:>10.2f} {line / lines:>6.2f}")
        growth = times[SIZES_KB[-1]] / times[SIZES_KB[0]]
        verdict = "ok" if times[800] <= TARGET_S else "SLOW"
        print(f"{shape}: 800 KB / 100 KB = {growth:.1f} (linear 8, quadratic 64); "
              f"800 KB in {times[800]:.2f} s CPU, target {TARGET_S:g} s: {verdict}")


if __name__ == "__main__":
    main()
