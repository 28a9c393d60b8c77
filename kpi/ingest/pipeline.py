"""``kpi ingest``: raw files → the observation table, reviewed and validated.

Walks ``data/raw/`` (read only), extracts report prose and reads indicator tables,
applies analysts' corrections, validates (schema and the catalogue's consistency
rules) and writes to ``data/processed/``:

- ``observations.parquet`` / ``observations.csv``: the contract;
- ``review.csv``: every extracted row with its evidence, in reading order, after the
  rows to look at first (files whose area or period is unknown, with the ``sources.csv``
  line to add; numbers OCR'd with low confidence; legacy-encoded or OCR'd files);
- ``quality.csv``: findings (unreadable files, rejected cells, rule violations ...);
- ``areas.csv``: the areas seen, with names where a heading gave one;
- ``ingest_state.json``: the input fingerprint, so an unchanged input is not re-read.

A file that cannot be read (or is no regular file, or a link out of the project) is
reported by name and reason, as is a bad row of ``corrections.csv``; the others still
ingest and :attr:`IngestResult.ok` is false. The outputs are committed together
(:mod:`kpi.util.staging`): all new or all as they were. Reruns on the same input give
identical bytes.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import pandas as pd

import kpi
from kpi.core import findings as fnd
from kpi.core import schema, store
from kpi.core.bounds import flag_column, plausibility_findings
from kpi.core.catalog import UNCLASSIFIED, Catalog, Rule, load_catalog
from kpi.core.findings import Finding
from kpi.errors import KpiError, SourceError
from kpi.extract.context import SourceEntry, entry_for, read_sources
from kpi.ingest.corrections import apply_corrections, read_corrections_lenient
from kpi.ingest.inventory import CORRECTIONS, SOURCES, RawFile, fingerprint, inventory
from kpi.util import atomic
from kpi.util.staging import staged_folder

STATE = "ingest_state.json"
Log = Callable[[str], None]


@dataclass
class IngestResult:
    """What an ingest did; ``failed`` lists (file, reason) for files that could not be read."""

    observations: pd.DataFrame
    findings: pd.DataFrame
    files: list[RawFile]
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class FileReading:
    """What one raw file gave: observations, findings, area names, implied rules."""

    observations: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    areas: dict[str, str] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    notes: list[str] = field(default_factory=list)  # for review.csv, about the whole file


def read_raw_file(f: RawFile, catalog: Catalog | None = None, *, jobs: int = 1,
                  cache_dir: Path | None = None, entry: SourceEntry | None = None,
                  log: Log | None = None) -> FileReading:
    """Read one report or table against ``catalog`` (default: :func:`load_catalog`);
    raises a :class:`KpiError` when the file cannot be read.

    A report whose area or period is unknown gives no observations and a note saying
    which ``sources.csv`` line to add."""
    from kpi.core.limits import check_file_size

    check_file_size(f.path, f.rel)
    if f.kind == "report":
        from kpi.extract.documents import extract_document, missing_message

        result = extract_document(f.path, source=f.rel, entry=entry, jobs=jobs,
                                  cache_dir=cache_dir, log=log,
                                  extractor=_extractor(catalog or load_catalog()))
        heading = result.heading
        names = {heading.area_slug: heading.area_name} if heading.area_slug else {}
        notes = list(result.notes)
        found = [Finding("info", "not_read", n, source=f.rel) for n in result.table_notes]
        found += long_numbers(result.text, f.rel)
        if not result.complete:
            message = missing_message(f.rel, result)
            found.append(Finding("warning", "no_area_or_period", message, source=f.rel))
            return FileReading(schema.empty(), found, {}, (), [message, *notes])
        for side, how in (("area", result.completion.area_from),
                          ("period", result.completion.period_from)):
            if how == "text":
                notes.append(f"{side} read from the text, not a heading: "
                             f"{heading.area_slug if side == 'area' else heading.period}"
                             " (sources.csv overrides it)")
        return FileReading(result.observations, found, names, (), notes)
    from kpi.tables import read_source
    from kpi.tables.grid import FORMULA_NOTE

    result = read_source(f.path, source=f.rel, errors="report", catalog=catalog)
    found = [
        Finding("warning", "rejected_cell", f"not a number: {r.text!r} ({r.reason})",
                source=f.rel, locator=r.locator)
        for r in result.rejected
    ]
    found += [Finding("warning", "formula_without_value", note, source=f.rel)
              if note.startswith(FORMULA_NOTE) else Finding("info", "not_read", note, source=f.rel)
              for note in result.notes]
    return FileReading(result.observations, found, dict(result.areas), tuple(result.rules))


#: A run of more digits than this is no reported value: a float keeps 15 to 17 digits,
#: and the largest real amounts (a country's GDP in đồng) have 17.
_LONG_NUMBER: Final = re.compile(r"\d(?:[.,]?\d){24,}")


def long_numbers(text: str, source: str) -> list[Finding]:
    """A finding for each number in ``text`` too long to be read exactly (extraction
    skips those it cannot read at all: they would otherwise vanish without a word)."""
    from kpi.numbers import parse_number

    found = []
    for line_no, line in enumerate(text.split("\n"), 1):
        for m in _LONG_NUMBER.finditer(line):
            digits = sum(c.isdigit() for c in m.group())
            shown = m.group() if len(m.group()) <= 40 else m.group()[:37] + "…"
            try:
                parse_number(m.group())
                why = "read, but a float keeps only its first 15 to 17 digits"
            except KpiError:
                why = "too large to read: not extracted"
            found.append(Finding("warning", "unreadable_number",
                                 f"cần kiểm tra: a number of {digits} digits ({shown}): {why}",
                                 source=source, locator=f"L{line_no}:{m.start()}-{m.end()}"))
    return found


_EXTRACTORS: dict[int, tuple[Catalog, object]] = {}


def _extractor(catalog: Catalog) -> object:
    """One :class:`~kpi.extract.Extractor` per catalogue (compiling its cues costs)."""
    from kpi.extract.extractor import Extractor

    kept = _EXTRACTORS.get(id(catalog))
    if kept is None or kept[0] is not catalog:
        _EXTRACTORS.clear()
        kept = _EXTRACTORS[id(catalog)] = (catalog, Extractor(catalog))
    return kept[1]


def _with_rules(catalog: Catalog, rules: list[Rule]) -> Catalog:
    """The catalogue plus table-implied rules it does not already state."""
    def shape(r: Rule) -> tuple:
        return (r.kind, r.total, frozenset(r.parts))

    known = {shape(r) for r in catalog.rules}
    new: dict[tuple, Rule] = {}
    for rule in rules:
        if shape(rule) not in known and all(c in catalog for c in (rule.total, *rule.parts)):
            new.setdefault(shape(rule), rule)
    return replace(catalog, rules=catalog.rules + tuple(new.values())) if new else catalog


def _state(files: list[RawFile], catalog_files: str) -> dict[str, str]:
    return {"fingerprint": fingerprint(files), "kpi": kpi.__version__, "catalog": catalog_files}


def _unchanged(processed: Path, state: dict[str, str]) -> bool:
    path = processed / STATE
    outputs = [store.OBSERVATIONS_PARQUET, "quality.csv", "review.csv"]
    if not path.exists() or not all((processed / o).exists() for o in outputs):
        return False
    try:
        if json.loads(path.read_text(encoding="utf-8")) != state:
            return False
    except (OSError, ValueError):
        return False
    return _readable_parquet(processed / store.OBSERVATIONS_PARQUET)


def _readable_parquet(path: Path) -> bool:
    """Whether the parquet file's footer reads (a truncated or corrupted table is
    ingested again rather than called unchanged)."""
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
    except Exception:  # pyarrow raises several unrelated types
        _stderr(f"ingest: {path.name} is unreadable: ingesting again")
        return False
    return True


def ingest(
    raw_dir: Path,
    processed_dir: Path,
    *,
    catalog: Catalog | None = None,
    force: bool = False,
    log: Log = _stderr,
    jobs: int = 1,
) -> IngestResult:
    """Ingest every raw file; skip the work when inputs are unchanged (unless ``force``).

    ``jobs``: pages OCR'd in parallel; recognised pages are kept in ``processed_dir/ocr``
    per file content hash, so a forced re-ingest of unchanged scans costs no OCR. A file
    that cannot be read is named (``failed``, ``quality.csv``) and the others are read; the
    outputs are committed together (all new or all as they were)."""
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    if not raw_dir.is_dir():
        raise KpiError("raw data folder not found", where=str(raw_dir))
    catalog = catalog or load_catalog()
    files = inventory(raw_dir)
    state = _state(files, ",".join(sorted({i.origin for i in catalog})))
    if not force and _unchanged(processed_dir, state):
        log(f"ingest: {len(files)} raw files unchanged, nothing to do")
        return IngestResult(store.read_observations(processed_dir),
                            pd.read_csv(processed_dir / "quality.csv", dtype=str,
                                        keep_default_na=False, encoding="utf-8-sig"),
                            files, skipped=True)

    got = _Gathered(log)
    sources = got.sources(raw_dir)
    got.screen(files)
    readable = [f for f in files if f.kind in ("report", "table") and not f.problem]
    for n, f in enumerate(readable, 1):
        got.read(f, f"[{n}/{len(readable)}]", catalog, jobs=jobs,
                 cache_dir=processed_dir / "ocr", entry=entry_for(sources, f.rel))
    observations = schema.conform(pd.concat([schema.empty(), *got.frames], ignore_index=True))
    observations = schema.validate(schema.conform(got.corrected(observations, files, catalog)))
    quality = got.quality(observations, catalog)
    try:
        register = read_register(files)
    except KpiError as exc:
        got.failed.append((REGISTER, str(exc)))
        register = {}
    with staged_folder(processed_dir) as stage:  # all new, or (disk full ...) all as they were
        store.write_observations(observations, stage)
        store.write_csv(review_table(observations, catalog, got.notes), stage / "review.csv")
        store.write_csv(quality, stage / "quality.csv")
        store.write_csv(areas_table(observations, got.names, register), stage / "areas.csv")
        done = state if not got.failed else {**state, "failed": "yes"}
        atomic.write_text(stage / STATE, json.dumps(done, indent=1))
    log(f"ingest: {len(observations)} observations from {len(readable) - len(got.failed)} "
        f"files, {len(quality)} findings, {len(got.failed)} unreadable")
    return IngestResult(store.read_observations(processed_dir), quality, files, got.failed)


@dataclass
class _Gathered:
    """What one ingest collects while it reads: observation frames, findings, the files it
    could not read, area names, rules tables imply, and notes for ``review.csv``."""

    log: Log
    frames: list[pd.DataFrame] = field(default_factory=list)
    found: list[Finding] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    implied: list[Rule] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, source: str, reason: str, kind: str = "unreadable_file") -> None:
        """``source`` could not be read (or part of it): named, kept out, the rest goes on."""
        self.failed.append((source, reason))
        self.found.append(Finding("error", kind, reason, source=source))

    def sources(self, raw_dir: Path) -> dict[str, SourceEntry]:
        """``sources.csv``'s entries by file (none when it is missing or unreadable)."""
        if not (raw_dir / SOURCES).is_file():
            return {}
        try:
            return read_sources(raw_dir / SOURCES)
        except KpiError as exc:
            self.fail(SOURCES, str(exc))
            return {}

    def screen(self, files: list[RawFile]) -> None:
        """Findings for links, files the inventory could not open, and files of no kind."""
        for f in files:
            if f.link and not f.problem:
                self.found.append(Finding("info", "symlink", f"symbolic link to {f.link} "
                                          "(inside the project): read", source=f.rel))
            if f.problem and f.kind in ("report", "table", "corrections", "config"):
                self.fail(f.rel, f.problem)
                self.log(f"ingest: {f.rel}: FAILED — {f.problem}")
            elif f.problem:
                self.found.append(Finding("info", "skipped_file", f.problem, source=f.rel))
            elif f.kind == "unknown":
                self.found.append(Finding("info", "skipped_file",
                                          "not a report or table; not read", source=f.rel))

    def read(self, f: RawFile, progress: str, catalog: Catalog, *, jobs: int,
             cache_dir: Path, entry: SourceEntry | None) -> None:
        """Read one report or table into the gathered frames and findings."""
        try:
            if f.kind == "report":
                reading = read_raw_file(f, catalog, jobs=jobs, cache_dir=cache_dir,
                                        entry=entry, log=self.log)
            else:
                reading = read_raw_file(f, catalog)
        except KpiError as exc:
            self.fail(f.rel, str(exc))
            self.log(f"ingest: {progress} {f.rel}: FAILED — {exc}")
            return
        obs = reading.observations
        obs = obs.assign(synthetic=obs["synthetic"] | f.synthetic) if len(obs) else obs
        self.frames.append(obs)
        self.found.extend(reading.findings)
        # Tables may know an area only by slug; never let that erase a heading's name.
        self.names.update({a: n for a, n in reading.areas.items() if n or a not in self.names})
        self.implied.extend(reading.rules)
        self.notes.extend((f.rel, note) for note in reading.notes)
        missing = [m for m in reading.notes if m.startswith("the text names no")]
        self.log(f"ingest: {progress} {f.rel}: {len(obs)} values"
                 + (f" — {missing[0]}" if missing else ""))

    def corrected(self, observations: pd.DataFrame, files: list[RawFile],
                  catalog: Catalog) -> pd.DataFrame:
        """``observations`` with the analysts' corrections applied: a bad row is named and
        skipped, the good rows apply."""
        corrections = next((f for f in files if f.kind == "corrections" and not f.problem),
                           None)
        if corrections is None:
            return observations
        try:
            good, bad = read_corrections_lenient(corrections.path)
        except KpiError as exc:
            good, bad = None, [exc]
        for exc in bad:
            self.fail(CORRECTIONS, str(exc), kind="bad_correction")
            self.log(f"ingest: {CORRECTIONS}: {exc}")
        if good is None:
            return observations
        observations, extra = apply_corrections(observations, good, catalog)
        self.found.extend(extra)
        return observations

    def quality(self, observations: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
        """Every finding of this ingest, for ``quality.csv``: reading, plausibility,
        consistency rules (the catalogue's and those tables imply) and conflicts."""
        self.found.extend(_unclassified(observations))
        self.found.extend(plausibility_findings(observations, catalog))
        rules_found = _rule_findings(observations, _with_rules(catalog, self.implied))
        return fnd.for_review(pd.concat([fnd.table(self.found), rules_found,
                                         _conflict_findings(observations, catalog)],
                                        ignore_index=True))


def _unclassified(obs: pd.DataFrame) -> list[Finding]:
    counts = obs[obs["indicator"] == UNCLASSIFIED].groupby("source").size()
    return [Finding("info", "unclassified", f"{n} numbers not matched to a catalogue indicator "
                    "(see review.csv)", source=str(src)) for src, n in counts.items()]


def _conflict_findings(obs: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Cells whose figures disagree (:mod:`kpi.analysis.series`): each names every figure, where
    it came from and which one the analysis uses."""
    from kpi.analysis.series import quarterly

    return quarterly(obs, catalog).findings


def _rule_findings(obs: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    from kpi.analysis import consistency

    return consistency(obs, catalog)


_LINE = re.compile(r"(?:p(\d+):)?L(\d+):(\d+)")
#: An OCR'd number below this confidence (0-100) is listed first in review.csv.
LOW_OCR_CONFIDENCE = 80.0


def review_table(obs: pd.DataFrame, catalog: Catalog,
                 notes: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Every row with its evidence and indicator name, in the order a person reads a file.

    First come ``notes`` about whole files (``(source, note)``: an unknown area or period
    with the ``sources.csv`` line to add, a legacy encoding converted, OCR), then numbers
    OCR'd with a confidence below :data:`LOW_OCR_CONFIDENCE` (``note`` says so), then the
    rest."""
    from kpi.numbers import format_number

    pos = obs["locator"].str.extract(_LINE).apply(pd.to_numeric).fillna(-1).astype(int)
    names = {i.code: i.name_vi for i in catalog}
    low = obs["ocr_confidence"] < LOW_OCR_CONFIDENCE
    table = obs.assign(
        _first=(~low).astype(int) + 1, _page=pos[0], _line=pos[1], _col=pos[2],
        indicator_vi=obs["indicator"].map(names).fillna(""),
        value_vi=obs["value"].map(lambda v: format_number(v, decimals=2)),
        note=low.map({True: "OCR: low confidence, check the number against the page",
                      False: ""}),
        check=flag_column(obs, catalog),
    )
    cols = ["source", "locator", "area", "period", "span", "month", "as_of", "indicator",
            "indicator_vi", "measure", "role", "value", "value_vi", "check", "unit",
            "qualifier", "subject", "evidence", "derived", "synthetic", "ocr_confidence", "note"]
    if notes:
        extra = pd.DataFrame({"source": [s for s, _ in notes], "note": [n for _, n in notes],
                              "_first": 0, "_page": -1, "_line": -1, "_col": -1})
        table = pd.concat([table.astype({"period": object}), extra], ignore_index=True)
        for col in cols:
            if table[col].dtype == object:
                table[col] = table[col].fillna("")
    table = table.sort_values(["_first", "source", "_page", "_line", "_col", "locator"],
                              kind="mergesort")
    return table[cols].reset_index(drop=True)


#: File name of an area register under ``raw/`` (``kpi sample --areas N`` writes one).
REGISTER: Final = "areas.yaml"


def read_register(files: list[RawFile]) -> dict[str, dict[str, str]]:
    """``{slug: {name, district, district_name}}`` from every ``areas.yaml`` among
    ``files`` (``areas: [{area, name, district, district_name}, ...]``). Raises
    :class:`~kpi.errors.SourceError` naming the file for one that cannot be read."""
    import yaml

    out: dict[str, dict[str, str]] = {}
    for f in files:
        if Path(f.rel).name != REGISTER:
            continue
        try:
            doc = yaml.safe_load(f.path.read_text(encoding="utf-8")) or {}
            entries = doc["areas"]
            for e in entries:
                out[str(e["area"])] = {k: unicodedata.normalize("NFC", str(e.get(k) or ""))
                                       for k in ("name", "district", "district_name")}
        except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
            raise SourceError(f"cannot read the area register: {exc}", where=f.rel) from exc
    return out


def areas_table(obs: pd.DataFrame, names: dict[str, str],
                register: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """The areas seen: slug, Vietnamese name (from a heading when one gave it, else from
    the register), row count, and district slug and name when the register gives them."""
    counts = obs.groupby("area").size()
    register = register or {}
    listed = [register.get(a, {}) for a in counts.index]
    return pd.DataFrame({
        "area": counts.index.astype(str),
        "name": [names.get(a, "") or r.get("name", "") for a, r in zip(counts.index, listed,
                                                                         strict=True)],
        "observations": counts.to_numpy(),
        "district": [r.get("district", "") for r in listed],
        "district_name": [r.get("district_name", "") for r in listed],
    })


def load_observations(data_dir: Path, *, log: Log = _stderr) -> pd.DataFrame:
    """The observation table under ``data_dir/processed``, ingesting ``data_dir/raw`` first
    when the processed files are missing or older than the raw inputs.

    This is what notebooks call: a fresh clone opened in JupyterLab just works.
    """
    refresh(data_dir, log=log)
    return store.read_observations(Path(data_dir) / "processed")


def refresh(data_dir: Path, *, log: Log = _stderr) -> None:
    """Ingest ``data_dir/raw`` into ``data_dir/processed`` when the processed files are
    missing or older than the raw inputs (nothing to do without ``raw``)."""
    data_dir = Path(data_dir)
    processed = data_dir / "processed"
    raw = data_dir / "raw"
    if raw.is_dir():
        catalog = load_catalog()
        state = _state(inventory(raw), ",".join(sorted({i.origin for i in catalog})))
        if not _unchanged(processed, state):
            ingest(raw, processed, catalog=catalog, log=log)
