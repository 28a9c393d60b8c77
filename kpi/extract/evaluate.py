"""How well the extractor reads labelled real report passages.

A labelled set is a folder with ``passages/<id>.txt``, ``passages.jsonl`` (one object per
passage: id, area_name, level, period such as ``2021Q2``, ``2021H1``, ``2021M9``,
``2021`` or ``2021-09``, date, kind ``mixed|results|targets`` ...) and ``labels.jsonl`` (one
object per labelled number: passage, surface, occurrence, value, unit, measure, role,
target_period, qualifier, range, subject). ``tests/fixtures/extract/labelled/`` holds two.

Each passage is read as a report of its stated area and period (the heading, when it has
one, is not needed). A label is *found* when an extracted row's locator overlaps the
label's surface (its ``occurrence``-th occurrence in the passage) and the row's value
equals the label's (0.5 % relative tolerance, sign ignored: "giảm 3%" may be labelled 3).
Figures (:class:`Scores`): recall (labels found / labels), precision (rows matching a
label / rows), measure agreement (found labels whose measure the row shares), target
detection (found target labels read as targets) and result specificity (found result
labels read as results). In the contract a catalogue rate's level ("tỷ lệ tiêm 95%") is
measure ``value`` with unit ``percent``: that counts as the label ``share_pct``.

``python -m kpi.extract.evaluate DIR [DIR ...] [--split all|dev|held] [--show]`` prints the
figures; :func:`split` gives a fixed third of the passages (by a hash of the id) as the
held-out part.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kpi.core import schema
from kpi.core.text import slugify
from kpi.extract.extractor import Extractor
from kpi.extract.heading import Heading, detect_heading
from kpi.extract.textio import normalise, strip_chrome

_LEVELS = {"commune": "commune", "district": "district", "province": "province"}
_LOC = re.compile(r"L(\d+):(\d+)-(\d+)")


@dataclass
class Scores:
    """Counts behind the figures of one set (or part of one)."""

    labels: int = 0
    found: int = 0
    rows: int = 0
    rows_matched: int = 0
    measure_same: int = 0
    targets: int = 0
    targets_read: int = 0
    results: int = 0
    results_read: int = 0
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    @property
    def recall(self) -> float:
        return self._ratio(self.found, self.labels)

    @property
    def precision(self) -> float:
        return self._ratio(self.rows_matched, self.rows)

    @property
    def measure_agreement(self) -> float:
        return self._ratio(self.measure_same, self.found)

    @property
    def target_detection(self) -> float:
        return self._ratio(self.targets_read, self.targets)

    @property
    def result_specificity(self) -> float:
        return self._ratio(self.results_read, self.results)

    def add(self, other: Scores) -> None:
        for name in ("labels", "found", "rows", "rows_matched", "measure_same", "targets",
                     "targets_read", "results", "results_read"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses.extend(other.misses)

    def line(self) -> str:
        return (f"labels {self.labels:4d}  recall {self.recall:.3f}  precision "
                f"{self.precision:.3f}  measure {self.measure_agreement:.3f}  targets "
                f"{self.target_detection:.3f} ({self.targets})  results "
                f"{self.result_specificity:.3f} ({self.results})")


def held_out(passage_id: str) -> bool:
    """Whether a passage is in the held-out third (a fixed hash of its id)."""
    return int(hashlib.sha1(passage_id.encode()).hexdigest(), 16) % 3 == 0


def _period(label: str) -> tuple[pd.Period, str, int]:
    """``(quarter, span, months)`` of a passage's period label."""
    if m := re.fullmatch(r"(\d{4})Q([1-4])", label):
        return pd.Period(f"{m[1]}Q{m[2]}", freq="Q-DEC"), "quarter", 3
    if m := re.fullmatch(r"(\d{4})H1", label):
        return pd.Period(f"{m[1]}Q2", freq="Q-DEC"), "ytd", 6
    if m := re.fullmatch(r"(\d{4})H2", label):  # a year-end account of the second half
        return pd.Period(f"{m[1]}Q4", freq="Q-DEC"), "year", 12
    if m := re.fullmatch(r"(\d{4})M(\d{1,2})", label):
        n = int(m[2])
        return pd.Period(f"{m[1]}Q{(n + 2) // 3}", freq="Q-DEC"), "ytd", n
    if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
        n = int(m[2])
        return pd.Period(f"{m[1]}Q{(n + 2) // 3}", freq="Q-DEC"), "month", 1
    if re.fullmatch(r"\d{4}", label):
        return pd.Period(f"{label}Q4", freq="Q-DEC"), "year", 12
    raise ValueError(f"unknown period label {label!r}")


def _heading(meta: dict, text: str = "") -> Heading:
    """The heading a passage is read with: its stated area and period; a passage whose
    period the labeller could not tell is read with the period its own heading names,
    else the quarter of its date, else as an account of the latest year it names (of 2021
    when it names none: then no frame of it depends on its period)."""
    label = str(meta.get("period") or "")
    if not label:
        found = detect_heading(text)
        if found.period is not None:
            label = f"{found.period.year}Q{found.period.quarter}"
        elif meta.get("date"):
            day = pd.Timestamp(meta["date"])
            label = f"{day.year}Q{day.quarter}"
        elif years := re.findall(r"(?<![0-9])20[0-9]{2}(?![0-9])", text):
            label = max(years)  # the latest year it speaks of, read as a year's account
        else:  # it names no period at all: none of its frames can depend on one
            label = "2021"
    period, span, months = _period(label)
    name = re.sub(r"^(?:xã|phường|thị trấn|huyện|quận|tỉnh|thành phố|thị xã)\s+", "",
                  str(meta.get("area_name", "")), flags=re.IGNORECASE) or "x"
    level = _LEVELS.get(str(meta.get("level", "")), "commune")
    month = int(label[-2:]) if span == "month" else None
    issued = pd.Timestamp(meta["date"]).date() if meta.get("date") else None
    return Heading(f"{slugify(name)}-{level}", str(meta.get("area_name", "")), level, period,
                   issued, span, months, month)


def _spans(text: str, rows: pd.DataFrame) -> list[tuple[int, int]]:
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    out = []
    for loc in rows["locator"]:
        m = _LOC.fullmatch(str(loc))
        if m is None:
            out.append((-1, -1))
            continue
        base = starts[int(m[1]) - 1]
        out.append((base + int(m[2]), base + int(m[3])))
    return out


def _occurrence(text: str, surface: str, n: int) -> tuple[int, int] | None:
    at = -1
    for _ in range(n):
        at = text.find(surface, at + 1)
        if at < 0:
            return None
    return at, at + len(surface)


def _same_value(a: float, b: float) -> bool:
    a, b = abs(float(a)), abs(float(b))
    return abs(a - b) <= max(1e-9, 0.005 * max(a, b))


def _measure_of(row: pd.Series) -> str:
    if row["measure"] == "value" and row["unit"] == "percent":
        return "share_pct"
    return str(row["measure"])


def score_passage(text: str, meta: dict, labels: Iterable[dict], extractor: Extractor
                  ) -> Scores:
    """The counts of one passage (see the module docstring)."""
    text = strip_chrome(normalise(text))
    rows = pd.DataFrame(list(extractor.rows(text, _heading(meta, text), meta["id"])))
    rows = schema.conform(rows) if not rows.empty else schema.empty()
    spans = _spans(text, rows)
    used: set[int] = set()
    sc = Scores(rows=len(rows))
    for lab in labels:
        sc.labels += 1
        where = _occurrence(text, normalise(lab["surface"]), int(lab.get("occurrence", 1)))
        hit = None
        if where is not None:
            a, b = where
            for i, (s, e) in enumerate(spans):
                if i not in used and s < b and a < e and _same_value(rows.at[i, "value"],
                                                                     lab["value"]):
                    hit = i
                    break
        if hit is None:
            sc.misses.append(f"{meta['id']}: MISSED {lab['surface']!r} = {lab['value']} "
                             f"({lab['measure']}, {lab['role']})")
            continue
        used.add(hit)
        sc.found += 1
        row = rows.loc[hit]
        got = _measure_of(row)
        if got == lab["measure"]:
            sc.measure_same += 1
        else:
            sc.misses.append(f"{meta['id']}: MEASURE {lab['surface']!r} label {lab['measure']}"
                             f" read {got}: {row['evidence'][:90]}")
        if lab["role"] == "target":
            sc.targets += 1
            sc.targets_read += row["role"] == "target"
        else:
            sc.results += 1
            sc.results_read += row["role"] == "result"
        if row["role"] != lab["role"]:
            sc.misses.append(f"{meta['id']}: ROLE {lab['surface']!r} label {lab['role']} read "
                             f"{row['role']}: {row['evidence'][:90]}")
    sc.rows_matched = len(used)
    for i in sorted(set(range(len(rows))) - used):
        sc.misses.append(f"{meta['id']}: EXTRA {rows.at[i, 'value']} "
                         f"({rows.at[i, 'measure']}) {rows.at[i, 'evidence'][:80]}")
    return sc


def load(folder: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    """Passages (with their text under ``"text"``) and labels by passage id."""
    folder = Path(folder)
    passages = [json.loads(line) for line in
                (folder / "passages.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    for p in passages:
        p["text"] = (folder / "passages" / f"{p['id']}.txt").read_text(encoding="utf-8")
    labels: dict[str, list[dict]] = {}
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            lab = json.loads(line)
            labels.setdefault(lab["passage"], []).append(lab)
    return passages, labels


def evaluate(folder: Path, *, part: str = "all", kinds: Iterable[str] | None = None,
             extractor: Extractor | None = None) -> Scores:
    """Scores of a labelled set: ``part`` ``all``, ``dev`` or ``held`` (:func:`held_out`);
    ``kinds``: only passages of these kinds (mixed, results, targets)."""
    ex = extractor or Extractor()
    passages, labels = load(folder)
    total = Scores()
    for p in passages:
        if part != "all" and held_out(p["id"]) != (part == "held"):
            continue
        if kinds is not None and p.get("kind") not in set(kinds):
            continue
        total.add(score_passage(p["text"], p, labels.get(p["id"], []), ex))
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpi.extract.evaluate",
                                     description="Score the extractor on labelled passages.")
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--show", action="store_true", help="list misses and misreadings")
    args = parser.parse_args(argv)
    ex = Extractor()
    for folder in args.folders:
        for part in ("dev", "held", "all"):
            for kinds, name in ((None, "all kinds"), (("mixed",), "mixed")):
                sc = evaluate(folder, part=part, kinds=kinds, extractor=ex)
                print(f"{folder.name:>10} {part:>4} {name:>9}: {sc.line()}")
        if args.show:
            for line in evaluate(folder, part="dev", extractor=ex).misses:
                print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
