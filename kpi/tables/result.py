"""What reading a table gives: observations, rejected cells, rules, notes.

A :class:`Collector` gathers observation rows and applies the error mode: with
``errors="raise"`` a cell that is not a number raises :class:`~kpi.errors.TableError`
naming file, sheet, row, column and text; with ``errors="report"`` it becomes a
:class:`RejectedCell` and reading goes on. Either way no wrong value is produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from kpi.core import schema
from kpi.core.catalog import UNCLASSIFIED, Rule
from kpi.errors import TableError

Errors = Literal["raise", "report"]


@dataclass(frozen=True)
class RejectedCell:
    """A cell where a number belongs that could not be read (``errors="report"``)."""

    source: str
    locator: str
    text: str
    reason: str
    sheet: str | None = None
    row: int | None = None  # 1-based
    column: str = ""  # letter (xlsx) or header (csv)


@dataclass
class TableResult:
    """Observations (the contract, conformed), ``rejected`` cells, consistency ``rules``
    the table's structure implies (total rows, "Trong đó"), ``notes`` on what was not
    read (columns with no contract measure or period) and ``areas`` {slug: name} seen."""

    observations: pd.DataFrame
    rejected: list[RejectedCell] = field(default_factory=list)
    rules: tuple[Rule, ...] = ()
    notes: list[str] = field(default_factory=list)
    areas: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.observations)


@dataclass
class Collector:
    """Accumulates observation rows, rejected cells, rules and notes for one source."""

    errors: Errors = "raise"
    rows: list[dict] = field(default_factory=list)
    rejected: list[RejectedCell] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    areas: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.errors not in ("raise", "report"):
            raise ValueError(f"errors must be 'raise' or 'report', not {self.errors!r}")

    def reject(self, cell: RejectedCell) -> None:
        """Raise (strict mode) or record a cell that cannot be read."""
        if self.errors == "raise":
            raise TableError(cell.reason, text=cell.text, where=f"{cell.source} {cell.locator}")
        self.rejected.append(cell)

    def check_duplicates(self, source: str, prefix: str = "") -> None:
        """Two cells read as the same number (indicator, area, period, span, measure)
        mean a mapping matched more than it should: raise, naming both cells."""
        seen: dict[tuple, str] = {}
        for row in self.rows:
            if row["indicator"] == UNCLASSIFIED or row["source"] != source or \
                    not row["locator"].startswith(prefix):
                continue
            key = (row["area"], str(row["period"]), row["span"], row.get("month"), row.get("as_of"),
                   row["indicator"], row["measure"], row.get("derived", False))
            if key in seen and seen[key] != row["locator"]:
                raise TableError(
                    f"two cells give {row['indicator']} {row['measure']} for {row['area']} "
                    f"{row['period']} ({seen[key]} and {row['locator']}): make the mapping "
                    "more specific (a row key 'Section > Label')", where=source)
            seen[key] = row["locator"]

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def result(self) -> TableResult:
        frame = pd.DataFrame(self.rows) if self.rows else None
        obs = schema.conform(frame) if frame is not None else schema.empty()
        rules = tuple({r.id: r for r in self.rules}.values())
        return TableResult(obs, self.rejected, rules, self.notes, self.areas)
