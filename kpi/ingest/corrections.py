"""Analysts' corrections: ``data/raw/corrections.csv``.

Columns: ``source, locator, action, indicator, value, note``. ``action`` is one of

- ``set_indicator``: classify the row(s) at (source, locator) as ``indicator``;
- ``set_value``: replace the value (Vietnamese number text, read in the row's unit);
- ``drop``: remove the row(s) (a misread number).

A ``locator`` may be empty to address every row of a source (``drop`` only).
Every correction must match at least one row: one that matches nothing is a finding,
so a correction that silently stops applying (the report was re-extracted
differently) is noticed.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from typing import Final

import pandas as pd

from kpi.core.catalog import Catalog
from kpi.core.findings import Finding
from kpi.errors import CorrectionError, NumberParseError
from kpi.numbers import parse_number

ACTIONS: Final = ("set_indicator", "set_value", "drop")
FIELDS: Final = ("source", "locator", "action", "indicator", "value", "note")


def read_corrections(path: Path) -> pd.DataFrame:
    """Read and check the corrections file; raises :class:`CorrectionError` naming the row
    (the first bad one). :func:`read_corrections_lenient` skips bad rows instead."""
    good, errors = read_corrections_lenient(path)
    if errors:
        raise errors[0]
    return good


def read_corrections_lenient(path: Path) -> tuple[pd.DataFrame, list[CorrectionError]]:
    """The good rows of the corrections file, and one :class:`CorrectionError` per bad
    row (named by its row number; skipped). Raises :class:`CorrectionError` only when the
    file as a whole cannot be read (unreadable, not UTF-8, no header with the columns).
    An empty file holds no corrections."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        records = list(csv.reader(io.StringIO(text, newline="")))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CorrectionError(f"cannot read corrections: {exc}", where=str(path)) from exc
    if not records:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in (*FIELDS, "row")}), []
    header = [h.strip() for h in records[0]]
    missing = [c for c in ("source", "locator", "action") if c not in header]
    if missing:
        raise CorrectionError(f"corrections lack columns {missing}", where=str(path))
    errors: list[CorrectionError] = []
    rows, numbers = [], []
    for number, fields in enumerate(records[1:], start=2):
        if not any(f.strip() for f in fields):
            continue  # a blank line
        if len(fields) > len(header):
            errors.append(CorrectionError(
                f"row has {len(fields)} fields, more than the header's {len(header)}; "
                "skipped", text=",".join(fields), where=f"{path} row {number}"))
            continue
        rows.append(fields + [""] * (len(header) - len(fields)))  # a short row: empty rest
        numbers.append(number)
    df = pd.DataFrame(rows, columns=header, dtype=str, index=numbers)
    df = df.loc[:, ~df.columns.duplicated()]
    for col in FIELDS:
        if col not in df:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str).map(
            lambda s: unicodedata.normalize("NFC", s).strip())
    bad: list[int] = []
    for i, row in df.iterrows():
        try:
            _check_row(row, f"{path} row {i}")
        except CorrectionError as exc:
            errors.append(exc)
            bad.append(int(i))  # type: ignore[arg-type]
    good = df.drop(index=bad).assign(row=lambda d: d.index)
    errors.sort(key=lambda e: int(str(e.where).rsplit(" ", 1)[-1]))
    return good[[*FIELDS, "row"]].reset_index(drop=True), errors


def _check_row(row: pd.Series, where: str) -> None:
    if row["action"] not in ACTIONS:
        raise CorrectionError(f"action must be one of {ACTIONS}", text=row["action"],
                              where=where)
    if row["action"] == "set_indicator" and not row["indicator"]:
        raise CorrectionError("set_indicator needs an indicator", where=where)
    if row["action"] == "set_value":
        try:
            parse_number(row["value"])
        except NumberParseError as exc:
            raise CorrectionError(f"set_value needs a number: {exc.reason}",
                                  text=row["value"], where=where) from exc
    if row["action"] != "drop" and not row["locator"]:
        raise CorrectionError(f"{row['action']} needs a locator", where=where)


def apply_corrections(
    observations: pd.DataFrame, corrections: pd.DataFrame, catalog: Catalog
) -> tuple[pd.DataFrame, list[Finding]]:
    """Apply corrections in file order; return the new table and findings.

    A ``set_indicator`` to a code the catalogue does not know, or a correction that
    matches no row, is reported as a finding and otherwise ignored.
    """
    obs = observations.copy()
    findings: list[Finding] = []
    earlier: dict[tuple[str, str, str], tuple[str, object]] = {}
    for row in corrections.itertuples(index=False):
        if row.action != "drop":
            what = row.indicator if row.action == "set_indicator" else row.value
            key = (row.source, row.locator, row.action)
            number = getattr(row, "row", None)
            if key in earlier and earlier[key][0] != what:
                findings.append(Finding(
                    "warning", "correction_conflict",
                    f"two corrections {row.action} the same row: {earlier[key][0]!r} "
                    f"(row {earlier[key][1]}) and {what!r} (row {number}); the later applies",
                    source=row.source, locator=row.locator))
            earlier[key] = (what, number)
        hit = obs["source"] == row.source
        if row.locator:
            hit &= obs["locator"] == row.locator
        if not hit.any():
            findings.append(Finding("warning", "correction_unmatched",
                                    f"correction {row.action} matches no extracted row",
                                    source=row.source, locator=row.locator))
            continue
        if row.action == "drop":
            obs = obs[~hit]
            continue
        if row.action == "set_indicator":
            if row.indicator not in catalog:
                findings.append(Finding("error", "correction_unknown_indicator",
                                        f"unknown indicator {row.indicator!r}",
                                        source=row.source, locator=row.locator))
                continue
            obs.loc[hit, "indicator"] = row.indicator
            obs.loc[hit, "unit"] = catalog[row.indicator].unit
        else:
            obs.loc[hit, "value"] = parse_number(row.value)
        note = f" — {row.note}" if row.note else ""
        obs.loc[hit, "evidence"] = obs.loc[hit, "evidence"] + f" [sửa: {row.action}{note}]"
    return obs.reset_index(drop=True), findings
