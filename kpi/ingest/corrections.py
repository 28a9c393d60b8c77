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

import unicodedata
from pathlib import Path
from typing import Final

import pandas as pd

from kpi.core.catalog import Catalog
from kpi.core.findings import Finding
from kpi.errors import CorrectionError, NumberParseError
from kpi.numbers.vietnamese import parse_number

ACTIONS: Final = ("set_indicator", "set_value", "drop")
FIELDS: Final = ("source", "locator", "action", "indicator", "value", "note")


def read_corrections(path: Path) -> pd.DataFrame:
    """Read and check the corrections file; raises :class:`CorrectionError` naming the row."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CorrectionError(f"cannot read corrections: {exc}", where=str(path)) from exc
    missing = [c for c in ("source", "locator", "action") if c not in df]
    if missing:
        raise CorrectionError(f"corrections lack columns {missing}", where=str(path))
    for col in FIELDS:
        if col not in df:
            df[col] = ""
        df[col] = df[col].map(lambda s: unicodedata.normalize("NFC", s).strip())
    for i, row in df.iterrows():
        where = f"{path} row {int(i) + 2}"
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
    return df[list(FIELDS)]


def apply_corrections(
    observations: pd.DataFrame, corrections: pd.DataFrame, catalog: Catalog
) -> tuple[pd.DataFrame, list[Finding]]:
    """Apply corrections in file order; return the new table and findings.

    A ``set_indicator`` to a code the catalogue does not know, or a correction that
    matches no row, is reported as a finding and otherwise ignored.
    """
    obs = observations.copy()
    findings: list[Finding] = []
    for row in corrections.itertuples(index=False):
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
