"""Consistency rules a table's own structure states.

A total row ("TỔNG SỐ", "Tổng cộng") equals the sum of the rows directly under it; a
group row without values ("Địa phương") counts as the sum of its own rows. Rows after
"Trong đó:", indented sub-rows and "Phân theo một số ..." lists are parts that cannot
exceed their total. A full breakdown ("Chia ra:", "Phân theo giới tính") sums to it.
Rules are stated between indicator codes of one area (the catalogue's :class:`Rule`), so
only rows mapped to distinct indicators give one; area rows (provinces) do not.
"""

from __future__ import annotations

from collections.abc import Callable

from kpi.core.catalog import UNCLASSIFIED, Rule
from kpi.core.text import slugify
from kpi.tables.grid import Grid
from kpi.tables.rows import BodyRow


def _children(rows: list[BodyRow], parent: BodyRow) -> list[BodyRow]:
    return [r for r in rows if r.parent is parent and not r.marker]


def _sum_parts(rows: list[BodyRow], parent: BodyRow) -> list[BodyRow] | None:
    """The rows that add up to ``parent``: plain children, valueless groups expanded."""
    parts: list[BodyRow] = []
    for child in _children(rows, parent):
        if child.relation != "child":
            continue
        if child.values:
            parts.append(child)
            continue
        sub = _sum_parts(rows, child)
        if not sub:
            return None  # a group with nothing to count: the sum cannot be checked
        parts.extend(sub)
    return parts


def structure_rules(rows: list[BodyRow], indicator_of: Callable[[BodyRow], str | None],
                    grid: Grid) -> list[Rule]:
    """Rules implied by total rows, "Trong đó:" and breakdowns, between mapped rows."""
    out: list[Rule] = []
    prefix = slugify(f"{grid.source} {grid.sheet or ''}").replace("-", "_")
    for parent in rows:
        total = indicator_of(parent)
        if not parent.values or parent.area or total in (None, UNCLASSIFIED):
            continue
        groups: list[tuple[str, list[BodyRow]]] = []
        kids = _children(rows, parent)
        plain = _sum_parts(rows, parent) if parent.total else \
            [k for k in kids if k.relation == "child" and k.values]
        if plain:
            groups.append(("sum" if parent.total else "parts_le_total", plain))
        for relation, kind in (("of_which", "parts_le_total"), ("breakdown", "sum"),
                               ("some", "parts_le_total")):
            part = [k for k in kids if k.relation == relation and k.values]
            if part:
                groups.append((kind, part))
        for kind, parts in groups:
            if any(p.area for p in parts):
                continue
            codes = [indicator_of(p) for p in parts]
            if any(c in (None, UNCLASSIFIED, total) for c in codes) or \
                    len(set(codes)) != len(codes):
                continue
            where = grid.locator(parent.r)
            out.append(Rule(
                id=f"{prefix}_row{parent.r + 1}_{kind}",
                kind=kind, total=str(total), parts=tuple(str(c) for c in codes),
                description_vi=f"{parent.label} ({where}) "
                               f"{'bằng tổng' if kind == 'sum' else 'không nhỏ hơn tổng'} "
                               f"các dòng: {', '.join(p.label for p in parts)}",
                description_en=f"{parent.label} ({where}) "
                               f"{'equals the sum of' if kind == 'sum' else 'is at least'} "
                               "its parts",
            ))
    return out
