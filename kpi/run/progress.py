"""Progress of a run: a tqdm bar on a terminal, timestamped lines otherwise.

Lines (cron, CI, a log file) look like::

    2026-11-28T10:00:01 [3/10] revenue cam-xuyen-town ok 2.1s

with ``ename: evalue`` appended for a report that is not ok. On a terminal the bar shows
the last report and failures are printed above it.
"""

from __future__ import annotations

import datetime as dt
import sys
from types import TracebackType
from typing import TextIO

from tqdm import tqdm

from kpi.run.jobs import JobResult


def describe(result: JobResult, done: int, total: int) -> str:
    """The log line for one finished report (without timestamp)."""
    line = (
        f"[{done}/{total}] {result.notebook} {result.area} {result.status} {result.duration_s:.1f}s"
    )
    if result.error is not None:
        line += f" {result.error.ename}: {result.error.evalue}".replace("\n", " ")
    return line


class Progress:
    """Reports each finished job. ``mode``: ``None`` auto, ``True`` bar, ``False`` silent."""

    def __init__(
        self, total: int, *, mode: bool | None = None, stream: TextIO | None = None, label: str = ""
    ):
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        if mode is None:
            isatty = getattr(self.stream, "isatty", None)
            mode = bool(isatty and isatty())
            self._lines = not mode
        else:
            self._lines = False
        self._bar = (
            tqdm(total=total, desc=label, unit="sổ", file=self.stream, dynamic_ncols=True)
            if mode
            else None
        )

    def update(self, result: JobResult) -> None:
        """Count ``result`` as finished and show it."""
        self.done += 1
        line = describe(result, self.done, self.total)
        if self._bar is not None:
            if not result.ok:
                self._bar.write(line, file=self.stream)
            self._bar.set_postfix_str(f"{result.notebook} {result.area} {result.status}")
            self._bar.update(1)
        elif self._lines:
            stamp = dt.datetime.now().isoformat(timespec="seconds")
            print(f"{stamp} {line}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
