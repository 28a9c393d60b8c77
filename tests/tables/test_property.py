"""Property tests: random wide tables of Vietnamese-formatted numbers read back exactly."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kpi.core.text import label_key
from kpi.tables import read_table
from kpi.tables.units import scale

UNITS = {"Đồng": 1, "Nghìn đồng": 10**3, "Triệu đồng": 10**6, "Tỷ đồng": 10**9}
QUARTERS = ["Quý I/2022", "Quý II/2022", "Quý III/2022", "Quý IV/2022"]


def vietnamese(value: Decimal) -> str:
    """A decimal written the Vietnamese way: 1.234.567,89 (built here, not by the code)."""
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + ".".join(groups) + ("," + frac if frac else "")


amounts = st.builds(
    lambda units, cents, neg: (-1 if neg else 1) * (Decimal(units) + Decimal(cents) / 100),
    st.integers(0, 10**9), st.integers(0, 99), st.booleans(),
).map(lambda d: d.normalize() if d != d.to_integral() else d.quantize(Decimal(1)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=st.lists(st.lists(st.one_of(amounts, st.just(None)), min_size=1, max_size=4),
                   min_size=1, max_size=6).filter(
        lambda rows: len({len(r) for r in rows}) == 1 and any(v is not None for r in rows
                                                              for v in r)),
    unit=st.sampled_from(sorted(UNITS)),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
@example(table=[[Decimal(0), Decimal(1)]], unit="Nghìn đồng", delimiter=";")  # not numbering
def test_wide_table_round_trips(table, unit, delimiter) -> None:
    width = len(table[0])
    header = delimiter.join(["Chỉ tiêu", *QUARTERS[:width]])

    def cell(v: Decimal | None) -> str:
        text = "-" if v is None else vietnamese(v)
        return f'"{text}"' if delimiter in text else text

    lines = [f"Đơn vị tính: {unit}", header]
    lines += [delimiter.join([f"Chỉ tiêu số {i + 1}", *map(cell, row)])
              for i, row in enumerate(table)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_text("\n".join(lines) + "\nGhi chú: số liệu ước tính\n", encoding="utf-8")
        obs = read_table(path).observations
    expected = {(f"Chỉ tiêu số {i + 1}", f"2022Q{j + 1}"): float(v * UNITS[unit])
                for i, row in enumerate(table) for j, v in enumerate(row) if v is not None}
    got = {(s, str(p)): v for s, p, v in zip(obs["subject"], obs["period"], obs["value"],
                                              strict=True)}
    assert got == expected
    assert set(obs["unit"]) == {"VND"}


@given(st.decimals(min_value=-10**12, max_value=10**12, places=3, allow_nan=False),
       st.integers(0, 12))
def test_scale_is_decimal_exact(value: Decimal, power: int) -> None:
    factor = Decimal(10) ** power
    assert scale(value, factor) == float(value * factor)


@given(st.text(alphabet="aăâeêioôơuưyAĂÂEÊIOÔƠUƯY àáảãạ:\n\u00a0", min_size=1, max_size=20))
def test_label_key_ignores_case_spacing_and_colon(text: str) -> None:
    assert label_key(text) == label_key(f"  {text.upper()} :")
    assert label_key(text) == label_key(text.replace(" ", "\u00a0 \n"))
