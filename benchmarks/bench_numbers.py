"""Benchmark: reading a column of Vietnamese amounts.

Three readers parse the same seeded column of realistic cells (about a third distinct):

  (a) a straightforward per-cell regex parser through ``Series.map`` (exact, in Decimal),
  (b) ``babel.numbers.parse_decimal(..., locale="vi")`` per cell after stripping units,
  (c) ``kpi.numbers.parse_series``.

Each runs in its own subprocess, so its peak resident memory (``ru_maxrss``) is its own;
the time is the best of a few repeats (the machine may be shared).
Every value of (c) is checked against exact Decimal arithmetic done when the cell was
generated; any mismatch makes the exit code non-zero. Targets: (c) >= 3x (a) and >= 8x (b)
in rows/s, peak memory under 1 GB.

    python benchmarks/bench_numbers.py [--rows N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TARGET_VS_A, TARGET_VS_B, MEMORY_LIMIT_MB = 3.0, 8.0, 1024.0

_SCALE_WORDS = {"nghìn": 3, "ngàn": 3, "triệu": 6, "tỷ": 9, "tỉ": 9}


# --------------------------------------------------------------------------------------
# Data: (text, exact value) pairs of the shapes found in reports and tables.
def _vi(d: Decimal) -> str:
    """Vietnamese digits of a non-negative Decimal (independent of kpi.numbers.vietnamese)."""
    int_part, _, frac = format(d, "f").partition(".")
    grouped = f"{int(int_part):,}".replace(",", ".")
    return f"{grouped},{frac}" if frac else grouped


def _cell(r: random.Random) -> tuple[str, Decimal]:
    kind = r.choices(range(14), weights=[20, 15, 12, 10, 8, 12, 12, 4, 2, 1, 3, 1, 2, 3])[0]
    if kind == 0:  # 4.092.593.200đ
        v = Decimal(r.randrange(1_000, 100_000_000) * 100)
        return f"{_vi(v)}đ", v
    if kind == 1:  # 458.000.000 đồng
        v = Decimal(r.randrange(1, 10_000_000) * 1000)
        return f"{_vi(v)} đồng", v
    if kind == 2:  # 3,2 tỷ đồng
        v = Decimal(r.randrange(1, 100_000)).scaleb(-r.choice([1, 2]))
        return f"{_vi(v)} tỷ đồng", v * 10**9
    if kind == 3:  # 38,60 triệu đồng
        v = Decimal(r.randrange(1, 1_000_000)).scaleb(-2)
        return f"{_vi(v)} triệu đồng", v * 10**6
    if kind == 4:  # 350 nghìn đồng
        v = Decimal(r.randrange(1, 1000))
        return f"{v} nghìn đồng", v * 1000
    if kind == 5:  # 52,3%
        v = Decimal(r.randrange(0, 20_000)).scaleb(-r.choice([1, 2]))
        return f"{_vi(v)}%", v
    if kind == 6:  # 1.124
        v = Decimal(r.randrange(0, 10_000_000))
        return _vi(v), v
    if kind == 7:  # 4.884.100.000 VNĐ
        v = Decimal(r.randrange(1, 10_000_000) * 1000)
        return f"{_vi(v)} {r.choice(['VNĐ', 'VND', '₫', 'vnđ'])}", v
    if kind == 8:  # 147 triệu 700 nghìn đồng
        a, b = r.randrange(1, 1000), r.randrange(1, 1000)
        return f"{a} triệu {b} nghìn đồng", Decimal(a * 10**6 + b * 10**3)
    if kind == 9:  # 98.4%
        v = Decimal(r.randrange(0, 1000)).scaleb(-1)
        return f"{v}%", v
    if kind == 10:  # 85 mũi, 105.301con
        v = Decimal(r.randrange(1, 1_000_000))
        return f"{_vi(v)}{r.choice([' mũi', 'con', ' người', ' hộ'])}", v
    if kind == 11:  # 1,5 nghìn tỷ
        v = Decimal(r.randrange(1, 100)).scaleb(-1)
        return f"{_vi(v)} nghìn tỷ", v * 10**12
    if kind == 12:  # -1,2%
        v = Decimal(r.randrange(1, 1000)).scaleb(-1)
        return f"{r.choice(['-', '−'])}{_vi(v)}%", -v
    v = Decimal(r.randrange(1, 10_000_000) * 1000)  # no-break space before the mark
    return f"{_vi(v)}\u00a0đ", v


def make_column(rows: int, seed: int) -> tuple[pd.Series, np.ndarray]:
    """``rows`` cells drawn from ``rows // 3`` generated cells, and their exact values."""
    import numpy as np  # imported here: the parent process only starts the children
    import pandas as pd

    r = random.Random(seed)
    pool = [_cell(r) for _ in range(max(1, rows // 3))]
    texts = np.array([t for t, _ in pool], dtype=object)
    exact = np.array([float(v) for _, v in pool])
    pick = np.random.default_rng(seed).integers(0, len(pool), size=rows)
    return pd.Series(texts[pick], dtype="str"), exact[pick]


# --------------------------------------------------------------------------------------
# (a) a plain per-cell regex parser
_NAIVE = re.compile(r"\s*([-−]?)([\d.,]+)\s*((?:(?:nghìn|ngàn|triệu|tỷ|tỉ)\s*)*)", re.I)
_NAIVE_SCALE = {w: Decimal(10) ** e for w, e in _SCALE_WORDS.items()}


def naive_parse(text: str) -> float:
    m = _NAIVE.match(text)
    if m is None:
        return float("nan")
    sign, num, mult = m.groups()
    value = Decimal(num.replace(".", "").replace(",", "."))
    for word in mult.lower().split():
        value *= _NAIVE_SCALE[word]
    return float(-value if sign else value)


# (b) babel after stripping units
_BABEL_SPLIT = re.compile(r"\s*([-−]?[\d.,]+)\s*((?:(?:nghìn|ngàn|triệu|tỷ|tỉ)\s*)*)", re.I)


def babel_parse(text: str) -> float:
    from babel.numbers import parse_decimal

    m = _BABEL_SPLIT.match(text)
    if m is None:
        return float("nan")
    value = parse_decimal(m[1].replace("−", "-"), locale="vi")
    for word in m[2].lower().split():
        value *= Decimal(10) ** _SCALE_WORDS[word]
    return float(value)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


REPEATS = {"a": 3, "b": 1, "c": 5}  # best of N; (b) is slow and far from its target


def run_one(approach: str, rows: int, seed: int) -> dict[str, float]:
    import numpy as np

    column, exact = make_column(rows, seed)
    if approach == "c":
        sys.path.insert(0, str(ROOT))
        from kpi.numbers.vietnamese import parse_series

    def parse() -> np.ndarray:
        if approach == "a":
            return column.map(naive_parse).to_numpy(dtype=float)
        if approach == "b":
            return column.map(babel_parse).to_numpy(dtype=float)
        return parse_series(column).to_numpy()

    rss_before = _rss_mb()
    best = math.inf
    for _ in range(REPEATS[approach]):
        start = time.perf_counter()
        got = parse()
        best = min(best, time.perf_counter() - start)
    return {
        "seconds": best,
        "rows_per_s": rows / best,
        "rss_before_mb": rss_before,
        "rss_peak_mb": _rss_mb(),
        "mismatches": int(np.count_nonzero(got != exact)),
        "distinct": int(column.nunique()),
    }


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20220331)
    parser.add_argument("--approach", choices=["a", "b", "c"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.approach:
        print(json.dumps(run_one(args.approach, args.rows, args.seed)))
        return 0

    names = {
        "a": "per-cell regex + Decimal, Series.map",
        "b": "babel parse_decimal(locale='vi') per cell",
        "c": "kpi.numbers.parse_series",
    }
    results = {}
    for key in "abc":
        cmd = [sys.executable, __file__, "--rows", str(args.rows), "--seed", str(args.seed),
               "--approach", key]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 2
        results[key] = json.loads(done.stdout.strip().splitlines()[-1])

    print(f"rows: {args.rows:,}  distinct: {results['c']['distinct']:,}  seed: {args.seed}")
    header = ("approach", "rows/s", "seconds", "peak RSS", "+parse", "wrong")
    print("{:44} {:>12} {:>8} {:>9} {:>7} {:>6}".format(*header))
    for key, r in results.items():
        print(
            f"({key}) {names[key]:40} {r['rows_per_s']:12,.0f} {r['seconds']:8.3f} "
            f"{r['rss_peak_mb']:6.0f} MB {r['rss_peak_mb'] - r['rss_before_mb']:4.0f} MB "
            f"{r['mismatches']:6d}"
        )
    vs_a = results["c"]["rows_per_s"] / results["a"]["rows_per_s"]
    vs_b = results["c"]["rows_per_s"] / results["b"]["rows_per_s"]
    peak = max(r["rss_peak_mb"] for r in results.values())
    print(f"c/a = {vs_a:.1f}x (target >= {TARGET_VS_A:g}x: {_verdict(vs_a >= TARGET_VS_A)})")
    print(f"c/b = {vs_b:.1f}x (target >= {TARGET_VS_B:g}x: {_verdict(vs_b >= TARGET_VS_B)})")
    print(f"peak memory {peak:.0f} MB (target < {MEMORY_LIMIT_MB:g} MB: "
          f"{_verdict(peak < MEMORY_LIMIT_MB)})")  # fmt: skip
    wrong = results["c"]["mismatches"]
    print(f"(c) values differing from exact Decimal arithmetic: {wrong}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
