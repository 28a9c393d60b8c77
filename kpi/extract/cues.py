"""Catalogue cues found in report text, and which indicators a number may belong to.

:class:`CueIndex` compiles every cue of the catalogue into one prefix-tree regex and finds
them leftmost-longest, whole words only, case-insensitively, ignoring where the tone mark
sits in "oa/oe/uy" syllables ("hoá" = "hóa", "thuỷ" = "thủy"; see :func:`fold_case`).
Overlapping cues resolve to the one that starts first (then the longest): in "TTCN, xây
dựng ước đạt" the cue "ttcn, xây dựng" wins over "xây dựng ước đạt".

:meth:`CueIndex.compatible` says whether an indicator can take a number: money
indicators take VND amounts, percent indicators take percentages, count indicators take
counts whose unit word (if any) is one of theirs; a relative figure (% of plan, % change,
share) may belong to any indicator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from kpi.core.catalog import Catalog, Indicator

# Old-style and new-style tone placement in open "oa", "oe", "uy" syllables: one spelling,
# the mark on the second vowel ("hóa" → "hoá", "thủy" → "thuỷ"; "quý" stays as it is).
_TONES: Final = {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ"}
_FIRST_TONED: Final = {"o": "òóỏõọ", "u": "ùúủũụ"}
_PAIRS: Final = {
    _FIRST_TONED[first][i] + second: first + _TONES[second][i]
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"))
    for i in range(5)
}

#: Measures that state something about another figure, not the figure itself.
RELATIVE: Final = frozenset(
    {"pct_of_plan", "pct_change_yoy", "pct_change_qoq", "pct_of_prior_year", "share_pct"}
)


def fold_case(text: str) -> str:
    """Lower case and one tone placement ("òa" → "oà", "ủy" → "uỷ"), keeping every offset
    (same length as ``text``); apply it to both sides of a comparison."""
    low = text.lower()
    if len(low) != len(text):  # a few non-Vietnamese letters lengthen when lowered
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for old, new in _PAIRS.items():
        if old in low:
            low = low.replace(old, new)
    return low


@lru_cache(maxsize=1024)
def _fold_word(word: str) -> str:
    return fold_case(word)


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (longest first at a position); spaces match runs
    of whitespace."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + build(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


@dataclass(frozen=True, slots=True)
class Hit:
    """A cue found at ``text[start:end]``, pointing to indicator ``codes``."""

    start: int
    end: int
    cue: str
    codes: tuple[str, ...]
    weak: bool = False  # the cue is only the number's own unit word


class CueIndex:
    """The catalogue's cues and unit words, ready to search."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        by_cue: dict[str, list[str]] = {}
        for ind in catalog:
            for cue in ind.cues:
                key = " ".join(fold_case(cue).split())
                by_cue.setdefault(key, []).append(ind.code)
        self._codes = {cue: tuple(dict.fromkeys(codes)) for cue, codes in by_cue.items()}
        # No look-behind in front: the regex engine then skips ahead on the first letter.
        self._pattern = re.compile(rf"(?:{trie_pattern(self._codes)})(?!\w)")
        names = [cue for cue in self._codes if any(c.isdigit() for c in cue)]
        #: Cues that contain digits ("8 loại vắc xin", "trước 1980"): their numbers are names.
        self.names = re.compile(rf"(?:{trie_pattern(names)})(?!\w)") if names else None
        self._units = {i.code: frozenset(fold_case(w) for w in i.unit_words) for i in catalog}
        self.unit_words: frozenset[str] = frozenset().union(*self._units.values())
        owners: dict[str, int] = {}
        for words in self._units.values():
            for w in words:
                owners[w] = owners.get(w, 0) + 1
        #: Unit words that count one or two indicators ("giấy xác nhận", "cây xanh"): when
        #: such a word is also a cue, it says which indicator a number is, weakly.
        self.distinctive_units: frozenset[str] = frozenset(w for w, n in owners.items()
                                                           if n <= 2)

    def hits(self, folded: str, start: int = 0, end: int | None = None) -> list[Hit]:
        """Cues in ``folded[start:end]`` (text passed through :func:`fold_case`), in order,
        whole words only."""
        out = []
        end = len(folded) if end is None else end
        search = self._pattern.search
        pos = start
        while (m := search(folded, pos, end)) is not None:
            if m.start() and folded[m.start() - 1].isalnum():
                pos = m.start() + 1  # inside a word: not a cue here
                continue
            cue = " ".join(m.group().split())
            out.append(Hit(m.start(), m.end(), cue, self._codes[cue]))
            pos = m.end()
        return out

    def unit_fits(self, ind: Indicator, unit_word: str) -> bool:
        """Whether a count written with ``unit_word`` may be counted by ``ind``."""
        words = self._units[ind.code]
        if not unit_word or not words:
            return True
        word = _fold_word(unit_word)
        return word in words or any(word.startswith(w + " ") for w in words)

    def compatible(self, ind: Indicator, kind: str, measure: str, unit_word: str) -> bool:
        """Whether ``ind`` can take a number of this ``kind`` (money/percent/count) and
        ``measure``, written with ``unit_word``."""
        if measure in RELATIVE:
            return True
        if kind == "money":
            return ind.unit == "VND"
        if kind == "percent":
            return ind.unit == "percent"
        return ind.unit not in ("VND", "percent") and self.unit_fits(ind, unit_word)
