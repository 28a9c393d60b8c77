"""Charts for the notebooks: one seaborn theme, Vietnamese labels, alt text, sample marks.

Every chart function returns a :class:`Chart`: the matplotlib ``Figure`` and its alt text.
A notebook cell ending with a chart shows it as an ``<img>`` with a base64 PNG and the
alt text (self-contained HTML); :func:`show` does the same from the middle of a cell.
Figures are built with ``matplotlib.figure.Figure`` (not pyplot), so nothing is left open
in pyplot and the inline backend does not show them twice. They are laid out once from
measured text widths (:mod:`kpi.notebook.chart_layout`), not by constrained layout, and titled in a
header line (wrapped when long) with the sample mark, if any, at its right.

Charts that include any sample (synthetic) value carry a visible "dữ liệu mẫu" /
"sample data" mark. DejaVu Sans renders Vietnamese without missing glyphs.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import matplotlib as mpl
import pandas as pd
import seaborn as sns
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from kpi import numbers
from kpi.analysis.comparisons import qoq, values
from kpi.analysis.series import Quarterly, ensure_quarterly
from kpi.core import labels
from kpi.core.catalog import Catalog
from kpi.notebook import chart_layout as layout
from kpi.util import images

FONT: Final = layout.FONT
#: Pixels per inch of the PNGs.
DPI: Final = 110
#: Width of a single chart, and of one small-multiple panel (inches), its height.
WIDTH: Final = 7.5
PANEL_WIDTH: Final = 3.2
PANEL_HEIGHT: Final = 1.9
#: Space between small-multiple panels, between tick labels and axes (inches).
GAP: Final = 0.25
TICK_PAD: Final = 0.08
#: Font sizes (points): chart title, panel title, tick labels, axis labels.
TITLE_SIZE: Final = 12
PANEL_TITLE_SIZE: Final = 10
TICK_SIZE: Final = 9
LABEL_SIZE: Final = 10
#: Row names of the QoQ bars wrap at this width (inches).
MAX_ROW_NAME: Final = 3.0
#: The package palette (colour-blind safe "colorblind" order from seaborn).
PALETTE: Final = tuple(sns.color_palette("colorblind", 8).as_hex())
BAR: Final = "#9bb7d4"  # earlier quarters
CURRENT: Final = "#0b4f8a"  # the reported quarter
GOOD: Final = "#2e7d32"
BAD: Final = "#c62828"
NEUTRAL: Final = "#8a8a8a"
SAMPLE_MARK: Final = {"vi": "DỮ LIỆU MẪU", "en": "SAMPLE DATA"}

_NO_DATA: Final = {"vi": "không có\nsố liệu", "en": "no\ndata"}
_NO_PREVIOUS: Final = {"vi": "không có số liệu quý trước", "en": "no previous quarter"}
_SCALES: Final = ((1e9, "tỷ đồng", "billion VND"), (1e6, "triệu đồng", "million VND"),
                  (1e3, "nghìn đồng", "thousand VND"), (1.0, "đồng", "VND"))


def theme() -> dict[str, object]:
    """The rcParams of the package theme (seaborn whitegrid, DejaVu Sans, the palette)."""
    rc: dict[str, object] = {**sns.axes_style("whitegrid"), **sns.plotting_context("notebook")}
    rc.update({
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "axes.titleweight": "bold",
        "axes.titlesize": 12,
        # a fixed title height: matplotlib otherwise measures the axes' tick labels at
        # every draw to lift titles clear of top ticks, which these charts never have
        "axes.titley": 1.0,
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "figure.dpi": 100,
    })
    return rc


def use_theme() -> None:
    """Apply the package theme to matplotlib globally (for a notebook's own charts).
    Idempotent; the chart functions apply it themselves either way."""
    mpl.rcParams.update(theme())


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure and its alt text; displays in a notebook as a self-contained ``<img>``."""

    figure: Figure
    alt: str

    def png(self, dpi: int = DPI) -> bytes:
        """The chart as a palette PNG (see :mod:`kpi.util.images`): drawn once by Agg into a
        pixel buffer and encoded once, instead of a full-colour PNG to re-encode later."""
        canvas = FigureCanvasAgg(self.figure)
        self.figure.set_dpi(dpi)
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        picture = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(),
                                   "raw", "RGBA", 0, 1)
        return images.palette_png(picture)

    def html(self, dpi: int = DPI) -> str:
        data = base64.b64encode(self.png(dpi)).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        return f'<img src="data:image/png;base64,{data}" alt="{alt}" title="{alt}">'

    def _repr_html_(self) -> str:
        return self.html()


def show(chart: Chart) -> None:
    """Display ``chart`` in a notebook as ``<img alt=...>`` (base64 PNG)."""
    from IPython.display import HTML, display

    display(HTML(chart.html()))


# -- helpers -----------------------------------------------------------------------------
def _lang(lang: str) -> str:
    return "en" if lang == "en" else "vi"


def _figure(width: float, height: float) -> Figure:
    with mpl.rc_context(theme()):
        return Figure(figsize=(width, height))


def _scale(unit: str, series: pd.Series, lang: str) -> tuple[float, str]:
    """Divisor and axis label: money in tỷ / triệu / nghìn đồng, others in their unit."""
    if unit == "VND":
        top = series.abs().max()
        for factor, vi, en in _SCALES:
            if not math.isnan(top) and top >= factor:
                return factor, en if lang == "en" else vi
        return 1.0, "VND" if lang == "en" else "đồng"
    if unit == "percent":
        return 1.0, "%"
    return 1.0, labels.unit_word(unit, lang)


def _axis_number(value: float, lang: str) -> str:
    text = numbers.format_number(round(value, 2))
    return labels.english(text) if lang == "en" else text


def _tick(period: pd.Period, lang: str, short: bool = False) -> str:
    """ "Quý I/2022" → two lines "Quý I" / "2022" ("I" / "2022" when ``short``; English
    "Q1" / "2022")."""
    label = labels.quarter_label(period, lang)
    if lang == "en":
        return label.replace(" ", "\n")
    return (label.removeprefix("Quý ") if short else label).replace("/", "\n")


def _window(q: Quarterly, catalog: Catalog, area: str, indicator: str, quarter: pd.Period,
            n: int) -> pd.DataFrame:
    """The last ``n`` quarters to ``quarter`` (missing ones as NaN rows)."""
    periods = pd.period_range(end=quarter, periods=n, freq="Q-DEC")
    got = values(q, catalog, area=area, indicator=indicator)
    got = got[got["period"].isin(periods)].set_index("period")
    frame = pd.DataFrame(index=pd.PeriodIndex(periods, name="period"))
    frame = frame.join(got[["value", "qualifier", "synthetic"]])
    frame["synthetic"] = frame["synthetic"].fillna(False).astype(bool)
    frame["qualifier"] = frame["qualifier"].fillna("exact")
    return frame


def _bars(ax: Axes, window: pd.DataFrame, unit: str, lang: str, factor: float,
          compact: bool = False) -> None:
    """Bars of a window, the last one highlighted and labelled. Gaps say "không có số
    liệu" (``compact``: a grey × on the baseline, explained under the chart)."""
    x = list(range(len(window)))
    heights = (window["value"] / factor).fillna(0.0)
    colours = [BAR] * (len(x) - 1) + [CURRENT]
    ax.bar(x, heights, color=colours, width=0.7)
    ax.set_xticks(x, [_tick(p, lang, compact) for p in window.index])
    ax.grid(axis="x", visible=False)
    ax.yaxis.set_major_locator(MaxNLocator(4 if compact else 6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _axis_number(v, lang)))
    ax.margins(y=0.18)
    gaps = [i for i, value in enumerate(window["value"]) if pd.isna(value)]
    if compact and gaps:
        ax.plot(gaps, [0.0] * len(gaps), linestyle="none", marker="x", markersize=5,
                color=NEUTRAL, clip_on=False)
    for i in [] if compact else gaps:
        ax.annotate(_NO_DATA[lang], (i, 0), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7, color=NEUTRAL)
    last, qual = window["value"].iloc[-1], window["qualifier"].iloc[-1]
    if not pd.isna(last):
        text = labels.qualified(labels.format_value(last, unit, lang), qual, lang)
        ax.annotate(text, (x[-1], last / factor), xytext=(0, 4), textcoords="offset points",
                    ha="center", va="bottom" if last >= 0 else "top", fontsize=9,
                    fontweight="bold", color=CURRENT)


def _last_label_width(window: pd.DataFrame, unit: str, lang: str) -> float:
    """Width in inches of the label over the current quarter's bar (0 when none)."""
    last, qual = window["value"].iloc[-1], window["qualifier"].iloc[-1]
    if pd.isna(last):
        return 0.0
    text = labels.qualified(labels.format_value(last, unit, lang), qual, lang)
    return layout.text_width(text, 9, "bold")


def _header(fig: Figure, title: str, synthetic: bool, lang: str) -> None:
    layout.header(fig, title, TITLE_SIZE, SAMPLE_MARK[lang] if synthetic else "",
                  mark_colour=BAD)


def _header_lines(title: str, width: float, synthetic: bool, lang: str) -> tuple[str, float]:
    return layout.header_lines(title, TITLE_SIZE, width,
                               SAMPLE_MARK[lang] if synthetic else "")


def _name(area: str, names: Mapping[str, str] | None) -> str:
    return (names or {}).get(area) or area


def _listing(window: pd.DataFrame, unit: str, lang: str) -> str:
    none = "no data" if lang == "en" else "không có số liệu"
    return "; ".join(
        f"{labels.quarter_label(p, lang)}: "
        + (none if pd.isna(v) else labels.qualified(labels.format_value(v, unit, lang), qual,
                                                    lang))
        for p, v, qual in zip(window.index, window["value"], window["qualifier"], strict=True))


def _nothing(lang: str) -> str:
    return _NO_DATA[lang].replace("\n", " ").capitalize()


def _sample_note(synthetic: bool, lang: str) -> str:
    if not synthetic:
        return ""
    return " Sample data, not a real report." if lang == "en" else (
        " Dữ liệu mẫu, không phải báo cáo thật.")


# -- charts ------------------------------------------------------------------------------
def trend(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str, indicator: str,
          quarter: str | pd.Period, *, n: int = 8, lang: str = "vi",
          names: Mapping[str, str] | None = None) -> Chart:
    """Bars of the last ``n`` quarters of ``indicator`` for ``area``, the current quarter
    highlighted and labelled ("4,88 tỷ đồng"); missing quarters marked "không có số liệu".
    ``names`` maps area slugs to the names shown (the slug when missing)."""
    lang = _lang(lang)
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    ind = catalog[indicator]
    window = _window(q, catalog, area, indicator, period, n)
    factor, unit_label = _scale(ind.unit, window["value"], lang)
    synthetic = bool(window["synthetic"].any())
    name = _name(area, names)
    title, head = _header_lines(f"{ind.name(lang)} — {name}", WIDTH, synthetic, lang)
    with mpl.rc_context(theme()):
        fig = _figure(WIDTH, 3.0 + head)
        ax = fig.add_subplot()
        _bars(ax, window, ind.unit, lang, factor)
        ax.set_ylabel(unit_label)
        _frame(fig, [ax], head, bottom=2, label=_last_label_width(window, ind.unit, lang),
               slots=n)
        _header(fig, title, synthetic, lang)
    first, last = (labels.quarter_label(p, lang) for p in (window.index[0], window.index[-1]))
    lead = (f"Bar chart of {ind.name('en')} for {name}, {n} quarters from {first} to {last}"
            if lang == "en" else
            f"Biểu đồ cột {ind.name('vi')} của {name}, {n} quý từ {first} đến {last}")
    alt = f"{lead}. {_listing(window, ind.unit, lang)}.{_sample_note(synthetic, lang)}"
    return Chart(fig, alt)


def _frame(fig: Figure, axes: Sequence[Axes], top: float, *, bottom: int, label: float = 0.0,
           slots: int = 8, rows: int = 1, cols: int = 1, hspace: float = 0.0,
           left: float | None = None, footer: float = 0.0) -> None:
    """Lay out bar charts: ``top`` inches of header, ``bottom`` lines of tick labels and
    ``footer`` inches under them, the widest y tick label (or ``left`` inches of row
    names) and room on the right for a ``label`` inches wide centred on the last of
    ``slots`` bars."""
    y_ticks = max(layout.tick_label_width(ax, TICK_SIZE) for ax in axes)
    ylabel = LABEL_SIZE * layout.LINE if any(ax.get_ylabel() for ax in axes) else 0.0
    left_in = layout.PAD + ylabel + TICK_PAD + (left if left is not None else y_ticks) + TICK_PAD
    width, _ = fig.get_size_inches()
    slot = (width - left_in - GAP * (cols - 1)) / cols / slots
    right = max(layout.PAD, label / 2 - slot / 2 + layout.PAD)
    margins = layout.Margins(left_in, right, top,
                             layout.PAD + TICK_PAD + bottom * TICK_SIZE * layout.LINE + footer)
    layout.place(fig, margins, rows=rows, cols=cols, wspace=GAP, hspace=hspace)
    for ax in axes:
        layout.pin_labels(ax, y_ticks + 2 * TICK_PAD)


def qoq_bars(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
             quarter: str | pd.Period, domain: str, *, lang: str = "vi",
             names: Mapping[str, str] | None = None) -> Chart:
    """Horizontal bars of the QoQ % change of each indicator of ``domain`` with a value in
    ``quarter``: green when the change goes the catalogue's good way, red when not, grey
    for neutral indicators; "không có số liệu quý trước" when there is nothing to compare."""
    lang = _lang(lang)
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    codes = [i.code for i in catalog.in_domain(domain)]
    ch = qoq(q, catalog, area=area, quarter=period, lang=lang)
    ch = ch[ch["indicator"].isin(codes)]
    ch = ch.assign(_o=ch["indicator"].map(codes.index)).sort_values("_o")
    synthetic = bool(ch["synthetic"].any())
    names_shown = [layout.wrap(catalog[c].name(lang), TICK_SIZE, MAX_ROW_NAME)
                   for c in ch["indicator"]]
    lead = (f"Change on the previous quarter, {labels.quarter_label(period, lang)}"
            if lang == "en" else
            f"Thay đổi so với quý trước, {labels.in_sentence(labels.quarter_label(period))}")
    title, head = _header_lines(f"{lead} — {_name(area, names)}", WIDTH, synthetic, lang)
    rows = max(len(ch), 2)
    with mpl.rc_context(theme()):
        fig = _figure(WIDTH, 0.45 * rows + 0.5 + head)
        ax = fig.add_subplot()
        colours = [_colour(catalog[c].good, p) for c, p in zip(ch["indicator"], ch["pct_change"],
                                                                 strict=True)]
        y = list(range(len(ch)))
        ax.barh(y, ch["pct_change"].fillna(0.0), color=colours, height=0.6)
        ax.set_yticks(y, names_shown)
        ax.set_ylim(rows - 0.5, -0.5)  # first indicator on top
        ax.grid(axis="y", visible=False)
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos: labels.format_change(v, lang)))
        ax.margins(x=0.25)
        for i, pct in enumerate(ch["pct_change"]):
            text = _NO_PREVIOUS[lang] if pd.isna(pct) else labels.format_change(pct, lang)
            ax.annotate(text, (0 if pd.isna(pct) else pct, i),
                        xytext=(4 if pd.isna(pct) or pct >= 0 else -4, 0),
                        textcoords="offset points", va="center",
                        ha="left" if pd.isna(pct) or pct >= 0 else "right", fontsize=8,
                        color=NEUTRAL if pd.isna(pct) else "#222222")
        if ch.empty:
            ax.text(0.5, 0.5, _NO_DATA[lang].replace("\n", " "), transform=ax.transAxes,
                    ha="center", va="center", color=NEUTRAL)
        widest = max((layout.text_width(t, TICK_SIZE) for t in names_shown), default=0.0)
        _frame(fig, [ax], head, bottom=1, left=widest, slots=1)
        _header(fig, title, synthetic, lang)
    listed = "; ".join(
        f"{catalog[c].name(lang)}: "
        f"{_NO_PREVIOUS[lang] if pd.isna(p) else labels.format_change(p, lang)}"
        for c, p in zip(ch["indicator"], ch["pct_change"], strict=True)) or _nothing(lang)
    alt = f"{lead} — {_name(area, names)}. {listed}.{_sample_note(synthetic, lang)}"
    return Chart(fig, alt)


def _colour(good: str, pct: float) -> str:
    if pd.isna(pct) or pct == 0 or good == "neutral":
        return NEUTRAL
    return GOOD if (pct > 0) == (good == "up") else BAD


def small_multiples(data: pd.DataFrame | Quarterly, catalog: Catalog, indicator: str,
                    quarter: str | pd.Period, *, areas: Sequence[str] | None = None,
                    n: int = 8, lang: str = "vi", columns: int = 3,
                    names: Mapping[str, str] | None = None) -> Chart:
    """One panel per area (those with data for ``indicator``, or ``areas``): the last
    ``n`` quarters as in :func:`trend`, on shared axes (quarters under the bottom row,
    values left of the first column); a gap is a grey × on the baseline."""
    lang = _lang(lang)
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    ind = catalog[indicator]
    if areas is None:
        areas = sorted(set(values(q, catalog, indicator=indicator)["area"]))
    windows = {a: _window(q, catalog, a, indicator, period, n) for a in areas}
    everything = pd.concat([w["value"] for w in windows.values()]) if windows else pd.Series(
        dtype=float)
    factor, unit_label = _scale(ind.unit, everything, lang)
    synthetic = any(bool(w["synthetic"].any()) for w in windows.values())
    gaps = any(bool(w["value"].isna().any()) for w in windows.values())
    cols = max(1, min(columns, len(windows)))
    rows = max(1, math.ceil(len(windows) / cols))
    width = PANEL_WIDTH * cols
    title, head = _header_lines(f"{ind.name(lang)} — {labels.quarter_label(period, lang)}",
                                width, synthetic, lang)
    panel_title = PANEL_TITLE_SIZE * layout.LINE + TICK_PAD
    row_gap = panel_title + 2 * TICK_PAD
    footer = TICK_SIZE * layout.LINE + TICK_PAD if gaps else 0.0
    with mpl.rc_context(theme()):
        fig = _figure(width, head + panel_title + rows * PANEL_HEIGHT + (rows - 1) * row_gap
                      + footer + 0.45)
        axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
        for ax, window in zip(axes, windows.values(), strict=False):
            _bars(ax, window, ind.unit, lang, factor, compact=True)
            ax.tick_params(axis="x", labelsize=7)
        for ax in axes[len(windows):]:
            ax.set_visible(False)
        axes[0].set_ylabel(unit_label)
        label = max((_last_label_width(w, ind.unit, lang) for w in windows.values()),
                    default=0.0)
        _frame(fig, list(axes[:len(windows)]), head + panel_title, bottom=2, label=label,
               slots=n, rows=rows, cols=cols, hspace=row_gap, footer=footer)
        for ax, area in zip(axes, windows, strict=False):  # cut to the panel (alt: in full)
            ax.set_title(layout.fit(_name(area, names), PANEL_TITLE_SIZE,
                                    layout.axes_width(ax), "bold"),
                         loc="left", fontsize=PANEL_TITLE_SIZE, fontweight="bold", pad=3)
        _header(fig, title, synthetic, lang)
        if gaps:
            fig.text(layout.PAD / width, layout.PAD / fig.get_size_inches()[1],
                     "× " + _NO_DATA[lang].replace("\n", " "), fontsize=TICK_SIZE,
                     color=NEUTRAL, ha="left", va="bottom")
    per_area = "; ".join(
        f"{_name(area, names)}: "
        + labels.qualified(labels.format_value(w["value"].iloc[-1], ind.unit, lang),
                           w["qualifier"].iloc[-1], lang)
        for area, w in windows.items()) or _nothing(lang)
    lead = (f"Small multiples of {ind.name('en')}, one panel per area, {n} quarters to "
            f"{labels.quarter_label(period, 'en')}" if lang == "en" else
            f"Biểu đồ {ind.name('vi')} theo từng địa bàn, {n} quý đến "
            f"{labels.quarter_label(period)}")
    alt = f"{lead}. {per_area}.{_sample_note(synthetic, lang)}"
    return Chart(fig, alt)
