"""Cell text: normalisation on the way in, and keys for matching labels and names.

Every string read from a table goes through :func:`clean` (NFC, no-break and other odd
spaces as plain spaces, trimmed). Labels are compared through :func:`label_key`, which
also ignores case, runs of whitespace (including embedded newlines), trailing colons and
where a tone mark sits in a syllable ("Hoà" and "Hòa" are one key). :func:`fold` gives the
plain-ASCII form used for slugs ("Hà Tĩnh" → "ha tinh").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# Tone marks (huyền, sắc, hỏi, ngã, nặng) as combining characters after NFD.
_TONES: Final = frozenset("\u0300\u0301\u0309\u0303\u0323")
_SPACES: Final = re.compile(r"[\s\u00a0\u2007\u202f\u2060\ufeff]+")
_TRAILING: Final = re.compile(r"[\s:]+$")
_ODD_SPACES: Final = str.maketrans({c: " " for c in "\u00a0\u2007\u202f\u2009\u200a"})


def clean(text: str) -> str:
    """NFC, odd spaces as spaces, zero-width marks dropped, trimmed; newlines kept."""
    text = unicodedata.normalize("NFC", text).translate(_ODD_SPACES)
    return text.replace("\u200b", "").replace("\ufeff", "").strip()


def one_line(text: str) -> str:
    """:func:`clean`, with every run of whitespace (newlines too) as one space."""
    return _SPACES.sub(" ", clean(text)).strip()


def _tone_last(word: str) -> str:
    tones = [c for c in word if c in _TONES]
    return "".join(c for c in word if c not in _TONES) + "".join(tones)


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """A key under which two spellings of one label compare equal.

    Case, whitespace, a trailing ``:`` and the placement of tone marks are ignored;
    letters and diacritics otherwise count ("Số người chết" ≠ "Số người chét").
    """
    text = _TRAILING.sub("", one_line(text).casefold())
    nfd = unicodedata.normalize("NFD", text)
    return " ".join(_tone_last(w) for w in nfd.split(" "))


def fold(text: str) -> str:
    """Plain ASCII, lower case: diacritics dropped, đ → d ("Hà Tĩnh" → "ha tinh")."""
    nfd = unicodedata.normalize("NFD", one_line(text).casefold().replace("đ", "d"))
    return "".join(c for c in nfd if not unicodedata.combining(c)).encode("ascii", "ignore")\
        .decode()


def slugify(text: str) -> str:
    """An ASCII slug: folded words joined by ``-`` ("Bà Rịa - Vũng Tàu" → "ba-ria-vung-tau")."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))
