"""The ``kpi`` command: check, ingest, extract, sample, run.

Each subcommand parses its arguments here and calls one library function; the
exit code is 0 on success, 1 when some input failed (others were still processed),
2 on a usage or fatal error.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kpi.errors import KpiError
from kpi.warm.settings import ENGINE_NAME


def _root(args: argparse.Namespace) -> Path:
    root = Path(args.root).resolve()
    if not root.is_dir():
        raise UsageError("project folder not found", where=str(root))
    return root


class UsageError(KpiError, ValueError):
    """A command line that names something that does not exist or a value out of range."""


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the catalogue and list what the raw folder holds."""
    from kpi.core.catalog import load_catalog
    from kpi.ingest.inventory import inventory

    catalog = load_catalog(args.catalog)
    domains = sorted({i.domain for i in catalog})
    print(f"catalogue: {len(catalog)} indicators, {len(catalog.rules)} rules, "
          f"domains: {', '.join(domains)}")
    raw = _root(args) / "data" / "raw"
    if not raw.is_dir():
        raise UsageError("raw data folder not found", where=str(raw))
    files = inventory(raw)
    print(f"{raw.relative_to(_root(args)) if raw.is_relative_to(_root(args)) else raw}: "
          f"{len(files)} files")
    for f in files:
        mark = " (sample)" if f.synthetic else ""
        print(f"  {f.kind:<11} {f.size:>10,d} B  {f.sha256[:12]}  {f.rel}{mark}")
        if f.problem:
            print(f"kpi check: {f.rel}: {f.problem}", file=sys.stderr)
    return 1 if any(f.problem and f.kind != "doc" for f in files) else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from kpi.core.catalog import load_catalog
    from kpi.ingest.pipeline import ingest
    from kpi.run.lock import run_lock

    root = _root(args)
    _check_seconds("--wait", args.wait, zero=True)
    with run_lock(root, args.wait):  # the lock `kpi run` takes: never ingest under a run
        result = ingest(Path(args.raw or root / "data" / "raw"),
                        Path(args.out or root / "data" / "processed"),
                        catalog=load_catalog(args.catalog), force=args.force, jobs=args.jobs)
    for rel, reason in result.failed:
        print(f"kpi ingest: cannot read {rel}: {reason}", file=sys.stderr)
    return 0 if result.ok else 1


def _ocr_cache(root: Path) -> Path:
    """Where recognised pages are kept: the project's data/processed/ocr when the project
    has a data folder, else the user's cache folder."""
    if (root / "data").is_dir():
        return root / "data" / "processed" / "ocr"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kpi" / "ocr"


def _sidecar(path: Path) -> tuple[Path, dict] | None:
    """The nearest sources.csv in the file's folder or above it, with its rows."""
    from kpi.extract.context import SOURCES, read_sources

    for folder in path.resolve().parents:
        found = folder / SOURCES
        if found.is_file():
            return folder, read_sources(found)
    return None


def cmd_extract(args: argparse.Namespace) -> int:
    import pandas as pd

    from kpi.core.store import csv_bytes
    from kpi.extract.context import entry_for
    from kpi.extract.documents import extract_document, missing_message
    from kpi.ingest.inventory import TABLE_SUFFIXES

    def log(msg: str) -> None:
        print(f"kpi extract: {msg}", file=sys.stderr, flush=True)

    output = _extract_output(args.output, args.files)
    frames, failed = [], 0
    cache = _ocr_cache(_root(args))
    for name in args.files:
        path = Path(name)
        try:
            if path.suffix.lower() in TABLE_SUFFIXES:
                from kpi.tables import read_source

                table = read_source(path, source=path.name, errors="report")
                for r in table.rejected:
                    log(f"{name} {r.locator}: not a number: {r.text!r}")
                frames.append(table.observations)
                continue
            side = _sidecar(path)
            entry = None
            if side is not None:
                entry = entry_for(side[1], path.resolve().relative_to(side[0]).as_posix())
            result = extract_document(path, source=path.name, area=args.area,
                                      period=args.quarter, entry=entry, jobs=args.jobs,
                                      cache_dir=cache, log=log)
            for note in result.notes:
                log(f"{name}: {note}")
            if not result.complete:
                log(f"warning: {name}: {missing_message(path.name, result)} "
                    "(or pass --area/--quarter); its rows have them empty")
            frames.append(result.observations)
        except KpiError as exc:
            print(f"kpi extract: {name}: {exc}", file=sys.stderr)
            failed += 1
    if frames:
        data = csv_bytes(pd.concat(frames, ignore_index=True))
        if output is not None:
            from kpi.util.atomic import write_bytes

            write_bytes(output, data)
            print(f"kpi extract: {sum(map(len, frames))} rows → {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(data.decode("utf-8-sig"))
    return 1 if failed else 0


def _extract_output(name: str | None, inputs: Sequence[str]) -> Path | None:
    """Where ``kpi extract -o NAME`` may write: ``None`` for standard output (no ``-o``, or
    ``-o -``); a new file, or a regular file that is not one of ``inputs``. A symlink, FIFO,
    device or folder is never replaced."""
    if name is None or name == "-":
        return None
    path = Path(name)
    try:
        info = path.lstat()
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise UsageError("output folder not found", where=str(path.parent)) from None
        return path
    import stat

    if not stat.S_ISREG(info.st_mode):
        raise UsageError("output exists and is not a regular file (a link, pipe, device or "
                         "folder is never replaced); use -o - for standard output",
                         where=name)
    for item in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(item, path):
                raise UsageError("output is one of the input files", where=name)
    return path


def cmd_sample(args: argparse.Namespace) -> int:
    from kpi.sample.dataset import sample_command

    return sample_command(Path(args.out), seed=args.seed, count=args.areas)


def cmd_run(args: argparse.Namespace) -> int:
    from kpi.run.runner import run_quarter

    _INGEST_PROBLEMS.clear()
    _check_seconds("--timeout", args.timeout)
    _check_seconds("--notebook-timeout", args.notebook_timeout)
    _check_seconds("--wait", args.wait, zero=True)
    areas: list[str] | str | None = ("all" if args.all_areas
                                     else _resolve_areas(_root(args), args.area) or None)
    result = run_quarter(
        args.quarter,
        root=_root(args),
        areas=areas,
        notebooks=args.notebooks,
        jobs=args.jobs,
        timeout=args.timeout,
        notebook_timeout=args.notebook_timeout,
        engine=args.engine,
        scheduler=args.scheduler,
        lock_timeout=args.wait,
        progress=False if args.quiet else None,
        ingest=_ingest_for_run,
    )
    print(result.summary(), file=sys.stderr)
    if _INGEST_PROBLEMS and result.exit_code == 0:
        print(f"kpi run: the ingest could not read {len(_INGEST_PROBLEMS)} input(s); "
              "see data/processed/quality.csv", file=sys.stderr)
        return 1
    return result.exit_code


def _resolve_areas(root: Path, given: Sequence[str] | None) -> list[str]:
    """Slugs of the areas ``--area`` names (slug or name, see :mod:`kpi.core.areas`);
    before the first ingest (no ``areas.csv``) the values pass on as given, to be checked
    as slugs. Raises :class:`~kpi.core.areas.UnknownAreaError` for an unknown area."""
    from kpi.core.areas import AREAS_CSV, read_areas, resolve

    known = read_areas(root / "data")
    if not known:
        return list(given or ())
    listed_in = str(Path("data") / AREAS_CSV)
    return [resolve(a, known, listed_in=listed_in, where="--area") for a in given or ()]


def _check_seconds(option: str, value: float | None, *, zero: bool = False) -> None:
    if value is None:
        return
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        raise UsageError(f"{option} must be a positive number of seconds", text=str(value),
                         where=option)


#: (file, reason) of the inputs the run's ingest could not read: they make the exit code 1.
_INGEST_PROBLEMS: list[tuple[str, str]] = []


def _ingest_for_run(root: Path) -> None:
    """Ingest, then compute the quarterly series once for all the run's notebooks."""
    from kpi.analysis.series_cache import cached_quarterly
    from kpi.core import store
    from kpi.core.catalog import load_catalog
    from kpi.ingest.pipeline import ingest

    processed = root / "data" / "processed"
    result = ingest(root / "data" / "raw", processed, jobs=os.cpu_count() or 1)
    _INGEST_PROBLEMS[:] = result.failed
    for rel, reason in result.failed:
        print(f"kpi run: ingest could not read {rel}: {reason}", file=sys.stderr)
    if (processed / store.OBSERVATIONS_PARQUET).is_file():
        cached_quarterly(processed, load_catalog())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpi",
        description="Quarterly KPI reports from Vietnamese local-government data "
                    "(Phân tích chỉ tiêu theo quý).",
    )
    parser.add_argument("--root", default=os.getcwd(),
                        help="project folder holding data/, notebooks/, reports/ (default: .)")
    parser.add_argument("--catalog", action="append", default=[], metavar="YAML",
                        help="an extra indicator catalogue file (repeatable)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate the catalogue and list data/raw")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("ingest", help="data/raw → data/processed (observations, review, quality)")
    p.add_argument("--raw", help="raw folder (default: ROOT/data/raw)")
    p.add_argument("--out", help="processed folder (default: ROOT/data/processed)")
    p.add_argument("--force", action="store_true", help="re-read even if inputs are unchanged")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="pages OCR'd in parallel (default: CPU count)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for a running `kpi run`'s lock (default: stop at once)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("extract", help="print the observations read from report files "
                                       "(text, HTML, Word, PDF, scans, .csv/.xlsx tables)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-o", "--output", metavar="OUT.csv",
                   help="write CSV here (a new or regular file, not an input); '-': stdout")
    p.add_argument("--area", help="area slug, when the heading does not say")
    p.add_argument("--quarter", help="quarter (2022Q1), when the heading does not say")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="pages OCR'd in parallel (default: CPU count)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("sample", help="write the synthetic multi-quarter sample data set")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--seed", type=int, default=2022)
    p.add_argument("--areas", type=int, metavar="N",
                   help="a province-sized set: N areas (the six shipped ones, then synthetic "
                        "communes grouped into districts), with an areas.yaml register")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("run", help="the quarterly job: ingest, execute notebooks, render HTML")
    p.add_argument("--quarter", default="previous",
                   help="2022Q1, 'latest' (newest with data) or 'previous' (last finished)")
    grp = p.add_mutually_exclusive_group()
    grp.add_argument("--area", action="append", metavar="AREA",
                     help="area slug or name, e.g. cam-binh-commune or \"Xã Cẩm Bình\" "
                          "(repeatable)")
    grp.add_argument("--all-areas", action="store_true", help="every area with data")
    p.add_argument("--notebooks", nargs="+", metavar="NAME",
                   help="notebook names (default: all in notebooks/)")
    p.add_argument("--jobs", type=int, help="parallel workers (default: CPU count)")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="seconds allowed per notebook cell (default: 600)")
    p.add_argument("--notebook-timeout", type=float,
                   help="seconds allowed per whole notebook (default: 3 x --timeout)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another run's lock (default: stop at once)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--engine", default=ENGINE_NAME,
                   help=f"'{ENGINE_NAME}' (default: one warm kernel per worker, reset between "
                        "notebooks) or 'papermill' (a fresh kernel per notebook)")
    p.add_argument("--scheduler", help="Dask scheduler: tcp://HOST:PORT or 'local'")
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.catalog:
        # Through the environment, so every reader honours it: table mappings, the run's
        # ingest, and the notebooks' kernels.
        paths = [str(Path(p).resolve()) for p in args.catalog]
        old = [p for p in os.environ.get("KPI_CATALOG", "").split(os.pathsep) if p]
        os.environ["KPI_CATALOG"] = os.pathsep.join(dict.fromkeys([*paths, *old]))
        args.catalog = []
    try:
        return int(args.func(args))
    except KpiError as exc:
        print(f"kpi {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"kpi {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`kpi check | head -1`): not an error of ours
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MemoryError:
        print(f"kpi {args.command}: out of memory", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f" at {exc.filename}" if exc.filename else ""
        print(f"kpi {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
