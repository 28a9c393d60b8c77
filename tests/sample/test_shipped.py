"""The shipped sample is exactly what its README says made it: ``kpi sample --seed 2022``."""

from __future__ import annotations

from pathlib import Path

from kpi.sample.dataset import build

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "raw" / "sample"


def test_the_shipped_sample_is_the_generators_output_byte_for_byte() -> None:
    made = build(seed=2022)
    shipped = {p.relative_to(SHIPPED).as_posix() for p in SHIPPED.rglob("*")
               if p.is_file() and not p.name.startswith(".")}
    assert shipped == set(made.files)
    changed = [name for name, data in made.files.items()
               if (SHIPPED / name).read_bytes() != data]
    assert changed == []
