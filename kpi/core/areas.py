"""Areas by slug or by name: ``"cam-binh-commune"``, ``"Xã Cẩm Bình"``, ``"cam binh"``.

The list of known areas is the ingest's ``data/processed/areas.csv`` (slug, Vietnamese
name, and, when the raw data register them, district slug and name). :func:`resolve`
turns what a person types into a slug: any case, with or without diacritics, with or
without the level word ("Xã", "commune"). An area it cannot match raises
:class:`UnknownAreaError`, which names the closest known areas and where the list lives.

Only the standard library is imported here: the command line resolves ``--area`` with it
and the run's workers must stay light.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kpi.core.levels import LEVELS
from kpi.core.text import fold as fold_text
from kpi.errors import KpiError

__all__ = ["AREAS_CSV", "AreaInfo", "UnknownAreaError", "fold", "read_areas", "resolve"]

#: Where the list of known areas lives, relative to a data folder.
AREAS_CSV: Final = Path("processed") / "areas.csv"

_LEVEL_WORDS: Final = sorted({w for w in LEVELS} | {s for s, _, _ in LEVELS.values()},
                             key=len, reverse=True)


@dataclass(frozen=True)
class AreaInfo:
    """One known area: slug, Vietnamese name ("" when no heading gave one), district
    slug and name ("" when not registered)."""

    area: str
    name: str = ""
    district: str = ""
    district_name: str = ""

    @property
    def label(self) -> str:
        """The name to show: the Vietnamese name, else the slug."""
        return self.name or self.area


class UnknownAreaError(KpiError, KeyError):
    """An area that matches no known area (or more than one). ``closest`` holds the
    nearest known slugs; ``listed_in`` where the list of known areas lives.

    In a notebook it shows as one short message, not a traceback (IPython calls
    ``_render_traceback_``)."""

    def __init__(self, message: str, *, text: str | None = None, where: str | None = None,
                 closest: Iterable[str] = (), listed_in: str = ""):
        self.closest = tuple(closest)
        self.listed_in = listed_in
        super().__init__(message, text=text, where=where)

    def __str__(self) -> str:
        # KeyError's str() is the repr of its argument; the message reads better plain
        return str(self.args[0]) if self.args else ""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


def fold(text: str) -> str:
    """:func:`kpi.core.text.fold` (lower case, no diacritics, đ → d) with words separated
    by one space ("Xã Cẩm-Bình" → "xa cam binh")."""
    return " ".join(re.split(r"[^a-z0-9]+", fold_text(str(text)))).strip()


def _bare(folded: str) -> str:
    """``folded`` without a leading or trailing level word ("xa cam binh" → "cam binh")."""
    for word in _LEVEL_WORDS:
        w = fold(word)
        if folded.startswith(w + " "):
            folded = folded[len(w) + 1:]
            break
    for word in _LEVEL_WORDS:
        w = fold(word)
        if folded.endswith(" " + w):
            return folded[: -len(w) - 1]
    return folded


def read_areas(data_dir: str | Path) -> list[AreaInfo]:
    """The known areas under ``data_dir`` (``processed/areas.csv``; empty when absent),
    in the file's order."""
    path = Path(data_dir) / AREAS_CSV
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [AreaInfo(r.get("area", ""), r.get("name", "") or "", r.get("district", "") or "",
                         r.get("district_name", "") or "")
                for r in csv.DictReader(fh) if r.get("area")]


def resolve(text: object, known: Iterable[AreaInfo] | Mapping[str, str], *,
            listed_in: str = str(Path("data") / AREAS_CSV), where: str = "parameter 'area'"
            ) -> str:
    """The slug of the known area ``text`` names: its slug, or its name or slug in any case,
    with or without diacritics or the level word. ``known``: :class:`AreaInfo` items or a
    ``{slug: name}`` mapping. Raises :class:`UnknownAreaError` (a ``KeyError``) naming the
    closest known areas when none matches, or the candidates when several do."""
    infos = ([AreaInfo(a, n) for a, n in known.items()] if isinstance(known, Mapping)
             else list(known))
    value = str(text).strip()
    slugs = {i.area for i in infos}
    if value in slugs:
        return value
    folded = fold(unicodedata.normalize("NFC", value))
    exact: dict[str, set[str]] = {}
    bare: dict[str, set[str]] = {}
    for i in infos:
        for form in {fold(i.area), *([fold(i.name)] if i.name else [])}:
            exact.setdefault(form, set()).add(i.area)
            bare.setdefault(_bare(form), set()).add(i.area)
    found = exact.get(folded) or bare.get(folded) or bare.get(_bare(folded)) or set()
    if len(found) == 1:
        return next(iter(found))
    label = {i.area: i.label for i in infos}
    if found:
        names = ", ".join(f"{a} ({label[a]})" for a in sorted(found))
        raise UnknownAreaError(f"area {value!r} names more than one area: {names}; "
                               "give the slug", text=value, where=where,
                               closest=sorted(found), listed_in=listed_in)
    forms = {**{f: a for f, s in bare.items() for a in s}, **{f: a for f, s in exact.items()
                                                             for a in s}}
    near = difflib.get_close_matches(folded, list(forms), n=12, cutoff=0.5)
    near += difflib.get_close_matches(_bare(folded), list(forms), n=12, cutoff=0.5)
    closest = list(dict.fromkeys(forms[f] for f in near))[:5]
    if not infos:
        hint = f"no areas are known yet (run `kpi ingest`; the list is {listed_in})"
    elif closest:
        hint = ("closest: " + ", ".join(f"{a} ({label[a]})" for a in closest)
                + f"; all {len(infos)} areas are listed in {listed_in}")
    else:
        hint = f"the {len(infos)} known areas are listed in {listed_in}"
    raise UnknownAreaError(f"unknown area {value!r}: {hint}", text=None, where=None,
                           closest=closest, listed_in=listed_in)
