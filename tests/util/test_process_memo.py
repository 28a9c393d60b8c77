"""kpi.util.process_memo: values derived from files, rebuilt when a file changes, copies out."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kpi.util import process_memo


@pytest.fixture(autouse=True)
def empty_memo() -> None:
    process_memo.clear()
    yield
    process_memo.clear()


def settled(path: Path, text: str, age_s: float = 60.0) -> Path:
    """Write ``text`` to ``path`` and date it ``age_s`` seconds back (a file changed just
    now is never kept)."""
    path.write_text(text, encoding="utf-8")
    then = time.time_ns() - int(age_s * 1e9)
    os.utime(path, ns=(then, then))
    return path


def parse_counting(path: Path, calls: list[str]) -> dict[str, list[str]]:
    calls.append(path.read_text(encoding="utf-8"))
    return {"lines": path.read_text(encoding="utf-8").splitlines()}


def test_a_value_is_built_once_and_each_caller_gets_its_own_copy(tmp_path: Path) -> None:
    source = settled(tmp_path / "a.txt", "x\ny\n")
    calls: list[str] = []
    first = process_memo.from_files("lines", [source], lambda: parse_counting(source, calls))
    first["lines"].append("spoiled")
    second = process_memo.from_files("lines", [source], lambda: parse_counting(source, calls))
    assert len(calls) == 1
    assert second == {"lines": ["x", "y"]} and second is not first


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    source = settled(tmp_path / "a.txt", "one\n")
    calls: list[str] = []
    process_memo.from_files("lines", [source], lambda: parse_counting(source, calls))
    settled(source, "two\n", age_s=50)  # same size: the modification time tells
    got = process_memo.from_files("lines", [source], lambda: parse_counting(source, calls))
    assert got == {"lines": ["two"]} and calls == ["one\n", "two\n"]


def test_a_file_changed_just_now_is_read_every_time(tmp_path: Path) -> None:
    """Two writes within the file system's timestamp granularity can leave size and
    modification time equal: a fresh file's value is not kept."""
    source = tmp_path / "a.txt"
    calls: list[str] = []
    for text in ("one\n", "two\n"):
        source.write_text(text, encoding="utf-8")
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, 1_000_000_000 * (time.time_ns() // 10**9)))
        got = process_memo.from_files("lines", [source], lambda: parse_counting(source, calls))
        assert got == {"lines": [text.strip()]}
    assert calls == ["one\n", "two\n"] and process_memo._MEMO == {}


def test_kinds_do_not_share_values(tmp_path: Path) -> None:
    source = settled(tmp_path / "a.txt", "z\n")
    assert process_memo.from_files("a", [source], lambda: 1) == 1
    assert process_memo.from_files("b", [source], lambda: 2) == 2


def test_a_missing_file_builds_every_time_and_keeps_nothing(tmp_path: Path) -> None:
    calls: list[int] = []
    for _ in range(2):
        process_memo.from_files("x", [tmp_path / "missing"], lambda: calls.append(1) or 5)
    assert calls == [1, 1] and process_memo._MEMO == {}


def test_a_failing_build_propagates_and_is_not_kept(tmp_path: Path) -> None:
    source = settled(tmp_path / "a.txt", "bad\n")

    def fail() -> None:
        raise ValueError("bad catalogue")

    with pytest.raises(ValueError, match="bad catalogue"):
        process_memo.from_files("x", [source], fail)
    assert process_memo.from_files("x", [source], lambda: "ok") == "ok"


def test_the_memo_keeps_at_most_its_limit_oldest_out(tmp_path: Path) -> None:
    source = settled(tmp_path / "a.txt", "a\n")
    for i in range(process_memo.LIMIT + 5):
        process_memo.from_files(f"kind-{i}", [source], lambda i=i: i)
    assert len(process_memo._MEMO) == process_memo.LIMIT
    calls: list[int] = []
    process_memo.from_files("kind-0", [source], lambda: calls.append(0) or 0)
    assert calls == [0]  # the oldest went first
    process_memo.from_files(f"kind-{process_memo.LIMIT + 4}", [source], lambda: calls.append(1))
    assert calls == [0]  # the newest is still there


def test_the_catalogue_is_built_again_when_a_catalogue_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpi.core import catalog

    extra = tmp_path / "extra.yaml"
    entry = ("indicators:\n  - code: test_memo_{n}\n    domain: welfare\n"
             "    name_vi: Thử {n}\n    name_en: Test {n}\n    unit: person\n"
             "    aggregation: stock\n    good: up\n")
    extra.write_text(entry.format(n=1), encoding="utf-8")
    catalog._load_cached.cache_clear()
    assert "test_memo_1" in catalog.load_catalog([extra]).indicators
    catalog._load_cached.cache_clear()  # as a warm kernel's reset does, by re-importing
    extra.write_text(entry.format(n=22), encoding="utf-8")
    fresh = catalog.load_catalog([extra])
    catalog._load_cached.cache_clear()
    assert "test_memo_22" in fresh.indicators and "test_memo_1" not in fresh.indicators
