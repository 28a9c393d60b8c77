"""Caches the warm kernel's reset installs, checked in a plain interpreter (they patch the
process they run in): they keep compiled code, never change what runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROGRAM = textwrap.dedent("""
    import dataclasses, importlib.util, sys, typing
    spec = importlib.util.spec_from_file_location("_kpi_warm_reset", sys.argv[1])
    reset = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reset)

    def make(install):
        if install:
            reset._install_dataclass_cache()
        @dataclasses.dataclass(frozen=True)
        class Point:
            x: int
            y: "typing.List[int]" = dataclasses.field(default_factory=list)
        return Point

    before = [make(False), make(False)]
    after = [make(True), make(True)]
    # without the cache each class compiles its own __init__; with it, the code is shared
    print(before[0].__init__.__code__ is before[1].__init__.__code__,
          after[0].__init__.__code__ is after[1].__init__.__code__)
    p, q = after[1](1), before[1](1)
    print(p == after[1](1), repr(p) == repr(q), p.y is not after[1](1).y)
    try:
        p.x = 2
    except dataclasses.FrozenInstanceError:
        print("frozen")
    # annotations stay what dataclasses makes them (no inherited __future__ annotations)
    print(after[0].__init__.__annotations__ == before[0].__init__.__annotations__,
          after[0].__init__.__annotations__["x"] is int)
""")


def test_the_dataclass_cache_shares_compiled_methods_and_changes_nothing() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(ROOT / "kpi" / "warm_reset.py")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:4] == ["False True", "True True True", "frozen", "True True"]
