"""Faults of the machine: a full disk (a small tmpfs), folders that cannot be written or
read (capabilities dropped, as a normal user would be), a reader that goes away.

These need root (CI runs as root): mounting a tmpfs and dropping CAP_DAC_OVERRIDE. Where
that is impossible the test fails, loudly: it is never skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runner_support import fixture_notebook

HEADING = "ĐẢNG BỘ THỊ TRẤN CẨM XUYÊN\nBÁO CÁO tình hình quý I năm 2022\n\n"
REPORT = "reports/cam-xuyen-town_2022Q1_x.txt"
KPI = [sys.executable, "-m", "kpi"]


def _project(root: Path) -> Path:
    raw = root / "data" / "raw"
    (raw / "reports").mkdir(parents=True)
    (raw / REPORT).write_text(HEADING + "Thu ngân sách ước đạt 4.884.100.000 đ.\n"
                              "Trồng mới 1.200 cây xanh các loại.\n", encoding="utf-8")
    (raw / "tables").mkdir()
    (raw / "tables" / "t.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return root


def _kpi(root: Path, *args: str, drop_caps: bool = False) -> subprocess.CompletedProcess:
    command = [*KPI, "--root", str(root), *args]
    if drop_caps:  # root without the capabilities that ignore file permissions
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs mounted for the test (unmounted afterwards)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (these tests need root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; returns the filler file."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        for size in (65536, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * size)
    return filler


def test_disk_full_during_ingest_keeps_every_output_as_it_was(small_disk: Path):
    root = _project(small_disk / "p")
    assert _kpi(root, "ingest").returncode == 0
    processed = root / "data" / "processed"
    before = _snapshot(processed)
    with open(root / "data" / "raw" / REPORT, "a", encoding="utf-8") as report:
        report.write("Tiêm 2.500 liều vắc xin.\n")
    filler = _fill(small_disk)

    done = _kpi(root, "ingest")

    assert done.returncode == 2, done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert _snapshot(processed) == before  # all old
    assert not [p for p in processed.parent.iterdir() if p.name.startswith(".")]
    filler.unlink()
    done = _kpi(root, "ingest")
    assert done.returncode == 0, done.stderr
    after = _snapshot(processed)  # all new
    assert all(after[name] != before[name] for name in
               ("observations.parquet", "observations.csv", "review.csv", "ingest_state.json"))


@pytest.mark.slow
def test_disk_full_during_a_run_keeps_the_previous_reports(small_disk: Path):
    root = _project(small_disk / "p")
    hello = fixture_notebook("hello")
    first = _kpi(root, "run", "--quarter", "2022Q1", "--notebooks", hello, "--jobs", "1")
    assert first.returncode == 0, first.stderr
    reports = root / "reports"
    before = _snapshot(reports / "2022Q1")
    filler = _fill(small_disk)

    done = _kpi(root, "run", "--quarter", "2022Q1", "--notebooks", hello, "--jobs", "1")

    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr
    assert _snapshot(reports / "2022Q1") == before
    filler.unlink()
    assert not [p for p in (reports / "2022Q1").rglob(".*")]


def test_read_only_reports_folder_is_a_named_error(tmp_path: Path):
    root = _project(tmp_path / "p")
    hello = fixture_notebook("hello")
    (root / "reports").mkdir()
    (root / "reports" / ".lock").touch()
    os.chmod(root / "reports", 0o555)
    try:
        done = _kpi(root, "run", "--quarter", "2022Q1", "--notebooks", hello, drop_caps=True)
    finally:
        os.chmod(root / "reports", 0o755)
    assert done.returncode == 2, done.stderr
    assert "Permission denied" in done.stderr and "Traceback" not in done.stderr
    assert str(root / "reports") in done.stderr


def test_an_unreadable_raw_file_is_named_and_the_others_ingest(tmp_path: Path):
    root = _project(tmp_path / "p")
    secret = root / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q2_y.txt"
    secret.write_text(HEADING + "Thu 5 đồng.\n", encoding="utf-8")
    os.chmod(secret, 0)
    for command, code in ((["check"], 1), (["ingest"], 1)):
        done = _kpi(root, *command, drop_caps=True)
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr
        assert "cam-xuyen-town_2022Q2_y.txt" in done.stderr
        assert "Permission denied" in done.stderr
    observations = (root / "data" / "processed" / "observations.csv").read_text("utf-8-sig")
    assert "4884100000" in observations


def test_a_reader_that_goes_away_is_not_an_error(tmp_path: Path):
    root = _project(tmp_path / "p")
    for n in range(400):
        (root / "data" / "raw" / "tables" / f"t{n:03d}.csv").write_text("a\n1\n", "utf-8")
    command = " ".join([*KPI, "--root", str(root), "check"]) + " | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.stdout.startswith("catalogue:")


def test_setpriv_really_drops_the_override(tmp_path: Path):
    """The read-only tests mean something only if root loses its override here."""
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to run as root without CAP_DAC_OVERRIDE")
    locked = tmp_path / "locked"
    locked.write_text("x", encoding="utf-8")
    os.chmod(locked, 0)
    done = subprocess.run(["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--",
                           "cat", str(locked)], capture_output=True, text=True)
    assert done.returncode != 0 and "Permission denied" in done.stderr
