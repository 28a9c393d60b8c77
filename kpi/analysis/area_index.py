"""One area's rows of a :class:`~kpi.analysis.series.Quarterly`, without scanning the whole table.

A report reads one area (and its national or provincial context) out of the quarterly
series of every area; filtering the whole table with a boolean mask for each indicator
and each comparison is what made the report sections slow. Here each frame is split by
area once per :class:`Quarterly` (kept for as long as that object lives) and an area's
rows are then a lookup::

    local = for_area(q, "cam-binh-commune")   # a Quarterly holding only that area's rows
    obs = area_observations(q, "cam-binh-commune")
    rows = area_records(q, "cam-binh-commune", "table")  # its rows as dicts, for loops

Contract: ``for_area(q, a).table`` equals ``q.table[q.table["area"] == a]`` (same rows,
order, index labels and dtypes), and likewise ``cumulative`` and ``findings``;
``observations`` stays the whole table, since ``inputs`` hold row positions in it.
``area_records`` are those rows as dicts (:func:`kpi.analysis.records.records`), shared between
callers: read them, never modify them. The split assumes, as everything downstream of
:func:`kpi.analysis.series.quarterly` does, that a ``Quarterly``'s frames are not modified in
place once built. The slices of the :data:`KEEP` areas used last are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Final
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd

from kpi.analysis.records import records
from kpi.analysis.series import Quarterly

__all__ = ["KEEP", "area_observations", "area_records", "for_area"]

#: Areas whose slices are kept per Quarterly (the least recently used go first).
KEEP: Final = 32
_FRAMES: Final = ("table", "cumulative", "findings", "observations")
_NONE: Final = np.array([], dtype=np.intp)


class _Area:
    """The slices of one area, made on first use."""

    def __init__(self) -> None:
        self.view: Quarterly | None = None
        self.observations: pd.DataFrame | None = None
        self.records: dict[str, list[dict]] = {}


class _Split:
    """Row positions of each area in each frame of one Quarterly, and recent slices."""

    def __init__(self) -> None:
        # no reference to the Quarterly itself: it is the weak key this is stored under
        self.positions: dict[str, dict[str, np.ndarray]] = {}
        self.areas: OrderedDict[str, _Area] = OrderedDict()

    def rows(self, q: Quarterly, name: str, area: str) -> pd.DataFrame:
        frame: pd.DataFrame = getattr(q, name)
        if name not in self.positions:
            # positions ascend within a group, so a slice keeps the frame's order
            self.positions[name] = ({} if frame.empty or "area" not in frame
                                    else frame.groupby("area", sort=False).indices)
        return frame.take(self.positions[name].get(area, _NONE))

    def area(self, area: str) -> _Area:
        found = self.areas.get(area)
        if found is None:
            found = self.areas[area] = _Area()
        else:
            self.areas.move_to_end(area)
        while len(self.areas) > KEEP:
            self.areas.popitem(last=False)
        return found


_SPLITS: WeakKeyDictionary[Quarterly, _Split] = WeakKeyDictionary()
_LOCK = threading.RLock()


def _split(q: Quarterly) -> _Split:
    found = _SPLITS.get(q)
    if found is None:
        found = _SPLITS[q] = _Split()
    return found


def for_area(q: Quarterly, area: str) -> Quarterly:
    """``q`` restricted to ``area`` (see the module docstring)."""
    with _LOCK:
        split = _split(q)
        entry = split.area(area)
        if entry.view is None:
            entry.view = Quarterly(
                split.rows(q, "table", area), split.rows(q, "cumulative", area),
                split.rows(q, "findings", area), q.observations)
        return entry.view


def area_observations(q: Quarterly, area: str) -> pd.DataFrame:
    """The rows of ``q.observations`` of ``area``, equal to
    ``q.observations[q.observations["area"] == area]``."""
    with _LOCK:
        split = _split(q)
        entry = split.area(area)
        if entry.observations is None:
            entry.observations = split.rows(q, "observations", area)
        return entry.observations


def area_records(q: Quarterly, area: str, name: str) -> list[dict]:
    """The rows of ``area`` in ``q``'s frame ``name`` (``table``, ``cumulative``,
    ``findings`` or ``observations``) as dicts, in the frame's order (shared: do not
    modify them)."""
    if name not in _FRAMES:
        raise ValueError(f"not a frame of a Quarterly: {name!r}")
    with _LOCK:
        entry = _split(q).area(area)
        rows = entry.records.get(name)
        if rows is None:
            frame = (area_observations(q, area) if name == "observations"
                     else getattr(for_area(q, area), name))
            rows = entry.records[name] = records(frame)
        return rows
