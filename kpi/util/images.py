"""PNG bytes for charts and report pages: palette images, made quickly.

Charts use few colours. An opaque picture with at most 256 is stored as an exact palette
PNG (lossless). One with more (anti-aliasing shades) is reduced to a 256-colour palette
with PIL's fast octree and no dithering, which changes only those edge shades and halves
the size. :func:`palette_png` encodes a picture that way; :func:`shrink_png` does it to PNG
bytes made elsewhere, and leaves palette PNGs (already small) as they are.
"""

from __future__ import annotations

import io
from typing import Final

from PIL import Image

_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_PALETTE_COLOUR_TYPE: Final = 3  # IHDR colour type of an indexed-colour PNG


def palette_png(image: Image.Image) -> bytes:
    """``image`` as PNG bytes: a palette image when it is opaque (exact when it has at
    most 256 colours); translucent pictures keep their mode."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    if image.mode == "RGB":
        if image.getcolors(256) is not None:
            image = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
        else:
            image = image.quantize(256, method=Image.Quantize.FASTOCTREE,
                                   dither=Image.Dither.NONE)
    out = io.BytesIO()
    # zlib level 6 (PIL's default): level 9 and "optimize" cost 5x the time for ~12 % less
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def is_palette_png(data: bytes) -> bool:
    """Whether ``data`` is a PNG whose header says indexed colour (read from the header
    alone; nothing is decoded)."""
    return (len(data) > 25 and data.startswith(_SIGNATURE) and data[12:16] == b"IHDR"
            and data[25] == _PALETTE_COLOUR_TYPE)


def shrink_png(data: bytes) -> bytes:
    """The same picture in fewer bytes (see the module docstring), or ``data`` itself when
    it is already a palette PNG, unreadable, or would not get smaller."""
    if is_palette_png(data):
        return data
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            smaller = palette_png(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        return data
    return smaller if len(smaller) < len(data) else data
