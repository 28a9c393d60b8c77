"""Qualifiers of computed values, and which reported figure to prefer.

A figure is ``exact``, ``approx`` (gần, khoảng), ``more_than`` (hơn, trên), ``less_than``
(dưới) or ``estimate`` (ước). A value computed from several figures inherits their
uncertainty: :func:`combine` says how.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

#: Lower is preferred when two reported figures disagree: exact beats ước beats gần/hơn.
PREFERENCE: Final[dict[str, int]] = {
    "exact": 0,
    "estimate": 1,
    "approx": 2,
    "more_than": 3,
    "less_than": 3,
}

_DIRECTION: Final = {"more_than": 1, "less_than": -1}


def combine(qualifiers: Iterable[str], signs: Sequence[int] | None = None) -> str:
    """The qualifier of a value computed from inputs with these qualifiers.

    ``signs`` gives how each input enters: +1 for a term that is added (or a numerator),
    -1 for one that is subtracted (or a denominator); all +1 when omitted. A lower bound
    subtracted becomes an upper bound ("hơn 10" − 4 is "hơn 6", 10 − "hơn 4" is "dưới 6").
    All exact gives exact; only ước gives estimate; one consistent direction gives that
    bound; anything mixed (gần, bounds in both directions, a bound with ước) gives approx.
    """
    quals = list(qualifiers)
    sgn = list(signs) if signs is not None else [1] * len(quals)
    if len(sgn) != len(quals):
        raise ValueError("combine() needs one sign per qualifier")
    directions: set[int] = set()
    others: set[str] = set()
    for qual, sign in zip(quals, sgn, strict=True):
        if qual in _DIRECTION:
            directions.add(_DIRECTION[qual] * (1 if sign >= 0 else -1))
        elif qual != "exact":
            others.add(qual)
    if "approx" in others or len(directions) > 1 or (directions and others):
        return "approx"
    if directions:
        return "more_than" if directions == {1} else "less_than"
    return "estimate" if others else "exact"
