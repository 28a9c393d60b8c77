"""Fixed chart layout in inches, from text widths read off the font's metrics.

The charts are laid out once, before drawing, instead of by matplotlib's constrained
layout, which measures every tick label and title several times per draw (about 40 % of
a chart's drawing time). Widths come from the glyph advances of DejaVu Sans, erring a
little wide (see :data:`HINTING_ALLOWANCE`); margins are given in inches and turned into figure
fractions by :func:`place`. Axis label positions are fixed too (:func:`pin_labels`), which
spares matplotlib measuring the tick labels of every shared axes again at each draw.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font, LoadFlags

FONT: Final = "DejaVu Sans"
#: Height of one line of text, in inches per point of font size (matplotlib's 1.2 spacing).
LINE: Final = 1.2 / 72
#: Space between the figure edge and its header, and around the axes, in inches.
PAD: Final = 0.12
#: Agg snaps small glyphs to whole pixels, which makes text up to ~4 % wider than the
#: font's outline advances: widths are scaled by this to err wide, never narrow.
HINTING_ALLOWANCE: Final = 1.05


@functools.cache
def _font(weight: str) -> FT2Font:
    """A font object of our own (the one matplotlib caches is shared with its renderer)."""
    font = FT2Font(findfont(FontProperties(family=[FONT], weight=weight)))
    font.set_size(72, 72)
    return font


@functools.cache
def _advance(weight: str, char: str) -> float:
    """Advance width of ``char`` in inches at a font size of 1 pt."""
    glyph = _font(weight).load_char(ord(char), flags=LoadFlags.NO_HINTING)
    return glyph.linearHoriAdvance / 65536 / 72 / 72  # 16.16 fixed point, 72 px per inch


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches of the widest line of ``text`` at ``size`` points (at least what
    Agg draws, at most ~6 % more)."""
    return max((sum(_advance(weight, c) for c in line) * size * HINTING_ALLOWANCE
                for line in text.split("\n")), default=0.0)


def wrap(text: str, size: float, width: float, weight: str = "normal") -> str:
    """``text`` broken at spaces into lines at most ``width`` inches wide (a word wider
    than that stays whole on its own line)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, weight) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def fit(text: str, size: float, width: float, weight: str = "normal") -> str:
    """``text`` itself when it fits in ``width`` inches, else cut with "…" to fit."""
    if text_width(text, size, weight) <= width:
        return text
    cut = text
    while cut and text_width(cut + "…", size, weight) > width:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def axes_width(ax: Axes) -> float:
    """Width of ``ax`` in inches (as placed now)."""
    return ax.get_position().width * ax.figure.get_size_inches()[0]


def lines_height(text: str, size: float) -> float:
    """Height in inches of ``text`` (one line per newline) at ``size`` points."""
    return (text.count("\n") + 1) * size * LINE


@dataclass(frozen=True)
class Margins:
    """Space around the grid of axes, in inches."""

    left: float
    right: float
    top: float
    bottom: float


def place(fig: Figure, margins: Margins, *, rows: int = 1, cols: int = 1,
          wspace: float = 0.0, hspace: float = 0.0) -> None:
    """Put ``fig``'s subplot grid inside ``margins``, ``wspace``/``hspace`` inches apart."""
    width, height = fig.get_size_inches()
    axes_w = (width - margins.left - margins.right - wspace * (cols - 1)) / cols
    axes_h = (height - margins.top - margins.bottom - hspace * (rows - 1)) / rows
    if axes_w <= 0 or axes_h <= 0:
        raise ValueError(f"margins {margins} leave no room in a {width}×{height} in figure")
    fig.subplots_adjust(left=margins.left / width, right=1 - margins.right / width,
                        top=1 - margins.top / height, bottom=margins.bottom / height,
                        wspace=wspace / axes_w, hspace=hspace / axes_h)


def header(fig: Figure, title: str, size: float, mark: str = "", mark_size: float = 11,
           colour: str = "#222222", mark_colour: str = "#c62828") -> None:
    """The title (already wrapped) at the top left of ``fig``, bold; ``mark`` (e.g. the
    sample-data mark), if any, at the top right."""
    width, height = fig.get_size_inches()
    fig.text(PAD / width, 1 - PAD / height, title, ha="left", va="top", fontsize=size,
             fontweight="bold", color=colour, linespacing=1.2)
    if mark:
        fig.text(1 - PAD / width, 1 - PAD / height, mark, ha="right", va="top",
                 fontsize=mark_size, fontweight="bold", color=mark_colour, alpha=0.85)


def header_lines(title: str, size: float, width: float, mark: str = "",
                 mark_size: float = 11) -> tuple[str, float]:
    """``title`` wrapped to fit a figure ``width`` inches wide beside ``mark``, and the
    height in inches the header takes (padding included)."""
    room = width - 2 * PAD - (text_width(mark, mark_size, "bold") + PAD if mark else 0.0)
    wrapped = wrap(title, size, room, "bold")
    return wrapped, PAD + lines_height(wrapped, size) + PAD


def tick_label_width(ax: Axes, size: float) -> float:
    """Width in inches of the widest y tick label ``ax`` will show (its limits as they
    are now; call after the data are drawn and the margins set)."""
    low, high = sorted(ax.get_ylim())
    ticks = [t for t in ax.yaxis.get_major_locator().tick_values(low, high)
             if low - 1e-9 * abs(high - low) <= t <= high + 1e-9 * abs(high - low)]
    labels = ax.yaxis.get_major_formatter().format_ticks(ticks)
    return max((text_width(t, size) for t in labels), default=0.0)


def pin_labels(ax: Axes, ylabel_offset: float) -> None:
    """Fix the axis labels' positions: the y label ``ylabel_offset`` inches left of the
    axes, the x label just below. Without this matplotlib measures the tick labels of all
    sibling axes at every draw to place them."""
    fig = ax.figure
    width, height = fig.get_size_inches()
    box = ax.get_position()
    ax.yaxis.set_label_coords(-ylabel_offset / (box.width * width), 0.5)
    ax.xaxis.set_label_coords(0.5, -0.5 / (box.height * height))
