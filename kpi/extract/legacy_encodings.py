"""Vietnamese typed in the legacy TCVN3 (ABC) and VNI fonts → Unicode NFC.

Before Unicode, Vietnamese was typed in 8-bit fonts: TCVN3 (".VnTime", the "ABC" table)
puts each accented letter on one byte of 0xA1–0xFE; VNI ("VNI-Times") writes a base letter
followed by a byte for its marks. Read as Windows-1252 (or stored in a ``.docx`` as the
code points of those bytes) such text looks like "B¸o c¸o" or "Baùo caùo".

:func:`detect` names the encoding a text is in (``"tcvn3"``, ``"vni"`` or ``None``) by
converting it both ways and counting common Vietnamese words; :func:`to_unicode` converts.
TCVN3 has no upper-case accented letters (documents used the ".VnTimeH" capital fonts,
which share the lower-case codes): a word whose plain letters are capitals is taken as
all capitals; a capital alone before lower-case letters ("Ê" in "Êm") stays lower case.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# TCVN3 (ABC): byte → letter.
_TCVN3_PAIRS: Final = (
    "b5à b6ả b7ã b8á b9ạ a8ă bbằ bcẳ bdẵ beắ c6ặ a9â c7ầ c8ẩ c9ẫ caấ cbậ a7Đ aeđ "
    "ccè ceẻ cfẽ d0é d1ẹ aaê d2ề d3ể d4ễ d5ế d6ệ d7ì d8ỉ dcĩ ddí deị dfò e1ỏ e2õ e3ó e4ọ "
    "abô e5ồ e6ổ e7ỗ e8ố e9ộ acơ eaờ ebở ecỡ edớ eeợ efù f1ủ f2ũ f3ú f4ụ adư f5ừ f6ử f7ữ "
    "f8ứ f9ự faỳ fbỷ fcỹ fdý feỵ a1Ă a2Â a3Ê a4Ô a5Ơ a6Ư"
)
_TCVN3: Final = {chr(int(p[:2], 16)): p[2:] for p in _TCVN3_PAIRS.split()}

# VNI: base letter + mark byte(s) → letter; a few letters are one byte of their own.
_VNI_MARKS: Final = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HAT: Final = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303",
                   "ä": "\u0323"}
_VNI_BREVE: Final = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303",
                     "ë": "\u0323"}


def _build_vni() -> dict[str, str]:
    table: dict[str, str] = {}
    for upper in (False, True):
        def case(s: str, up: bool = upper) -> str:
            return s.upper() if up else s

        for base in "aeouy":
            for mark, comb in _VNI_MARKS.items():
                table[case(base + mark)] = unicodedata.normalize("NFC", case(base) + comb)
        for base in "aeo":  # â ê ô with their tones
            for mark, comb in _VNI_HAT.items():
                table[case(base + mark)] = unicodedata.normalize(
                    "NFC", case(base) + "\u0302" + comb)
        for mark, comb in _VNI_BREVE.items():  # ă with its tones
            table[case("a" + mark)] = unicodedata.normalize("NFC", case("a") + "\u0306" + comb)
        for base, horn in (("ô", "o"), ("ö", "u")):  # ơ ư, alone and with tones
            table[case(base)] = unicodedata.normalize("NFC", case(horn) + "\u031b")
            for mark, comb in _VNI_MARKS.items():
                table[case(base + mark)] = unicodedata.normalize(
                    "NFC", case(horn) + "\u031b" + comb)
        for single, letter in (("í", "í"), ("ì", "ì"), ("æ", "ỉ"), ("ó", "ĩ"), ("ò", "ị"),
                               ("î", "ỵ"), ("ñ", "đ")):
            table[case(single)] = case(letter)
    # "eâ" is ê, never e + circumflex-less "â": the hat table above already says so.
    return table


_VNI: Final = _build_vni()
_VNI_RE: Final = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))
_TCVN3_RE: Final = re.compile("[" + "".join(map(re.escape, _TCVN3)) + "]")

#: Common words of any Vietnamese report: the score of a candidate reading.
_COMMON_WORDS: Final = (
    "của và các được năm tháng người trong với cho đã này những một là có theo đồng xã huyện "
    "tỉnh thực hiện đạt kế hoạch công tác nhân dân ủy ban tổng số hộ nghèo quý báo cáo tăng "
    "giảm so cùng kỳ trên địa bàn về đến từ triển khai chỉ đạo đảm bảo tiếp tục"
)
_COMMON: Final = frozenset(_COMMON_WORDS.split(" "))
_WORD: Final = re.compile(r"[^\W\d_]+")


def _score(text: str) -> int:
    return sum(w in _COMMON for w in _WORD.findall(text.lower()))


_TCVN3_WORD: Final = re.compile(r"[^\W\d_]*[" + "".join(map(re.escape, _TCVN3)) + r"][^\W\d_]*")


def _tcvn3_word(m: re.Match[str]) -> str:
    word = m.group()
    out = _TCVN3_RE.sub(lambda c: _TCVN3[c.group()], word)
    plain = [c for c in word if c.isascii() and c.isalpha()]
    # capitals typed in a ".VnTimeH" font share the lower-case codes: "QU" + "ý" is "QUÝ"
    return out.upper() if len(plain) >= 2 and all(c.isupper() for c in plain) else out


def _tcvn3_line(line: str) -> str:
    plain = [c for c in line if c.isascii() and c.isalpha()]
    if len(plain) >= 4 and sum(c.isupper() for c in plain) >= 0.8 * len(plain):
        return _TCVN3_RE.sub(lambda c: _TCVN3[c.group()].upper(), line)  # a capitals line
    return _TCVN3_WORD.sub(_tcvn3_word, line)


def tcvn3_to_unicode(text: str) -> str:
    """TCVN3 (ABC) text (as Windows-1252/Latin-1 code points) in Unicode NFC; a line whose
    plain letters are (nearly) all capitals, and a word whose plain letters are, are
    written in capitals."""
    return unicodedata.normalize("NFC", "\n".join(map(_tcvn3_line, text.split("\n"))))


def vni_to_unicode(text: str) -> str:
    """VNI text (as Windows-1252 code points) in Unicode NFC."""
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: _VNI[m.group()], text))


_CONVERTERS: Final = {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}


def detect(text: str, *, sample: int = 20_000) -> str | None:
    """``"tcvn3"``, ``"vni"`` or ``None`` (Unicode, or no Vietnamese either way).

    A legacy reading wins when it reads at least five more common Vietnamese words than
    the text as it stands, and more than a third more.
    """
    head = text[:sample]
    if not any(ord(c) > 127 for c in head):
        return None
    here = _score(head)
    best, name = here, None
    for candidate, convert in _CONVERTERS.items():
        score = _score(convert(head))
        if score > best:
            best, name = score, candidate
    if name is None or best < here + 5 or best < here * 4 / 3:
        return None
    return name


def to_unicode(text: str, encoding: str) -> str:
    """``text`` in the legacy ``encoding`` (``"tcvn3"`` or ``"vni"``) as Unicode NFC."""
    return _CONVERTERS[encoding](text)


def fix_legacy(text: str) -> tuple[str, str | None]:
    """``(text in Unicode, the legacy encoding found or None)``."""
    found = detect(text)
    return (to_unicode(text, found), found) if found else (text, None)


def from_unicode_tcvn3(text: str) -> str:
    """Unicode text written the TCVN3 way (tests build legacy documents with it);
    capitals with marks are written in lower case, as a ".VnTimeH" font would store them."""
    back = {v: k for k, v in _TCVN3.items()}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in back:
            out.append(back[ch])
        elif ch.lower() in back and ch not in "ĂÂÊÔƠƯĐ":
            out.append(back[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def from_unicode_vni(text: str) -> str:
    """Unicode text written the VNI way (for tests)."""
    back: dict[str, str] = {}
    for k, v in _VNI.items():
        back.setdefault(v, k)
    return "".join(back.get(ch, ch) for ch in unicodedata.normalize("NFC", text))
