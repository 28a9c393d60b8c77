"""Executed notebook → one self-contained, offline HTML page fit to share.

Uses nbconvert's :class:`~nbconvert.HTMLExporter` in-process with the packaged
``kpi_report`` template (``kpi/templates/kpi_report``): the lab page without code cells,
prompts, the parameters cells, require.js, MathJax or mermaid, with a 4 KB stylesheet
instead of JupyterLab's 250 KB, images inline as data URIs, ``lang`` set, and a header
line stating the parameters and the data date. A Content-Security-Policy forbids scripts
and network loads; :func:`quote_active_markup` shows raw ``<script>`` in markdown/HTML
outputs as text, and :func:`neutralize_active_content` makes whatever else reached the
page inert. PNG images are re-encoded losslessly to fewer bytes (:func:`shrink_png`).

One exporter is built per process and reused (:func:`exporter`).
"""

from __future__ import annotations

import base64
import copy
import functools
import io
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import nbformat
from bs4 import BeautifulSoup, NavigableString
from nbconvert import HTMLExporter
from PIL import Image
from traitlets.config import Config

TEMPLATE_DIR: Final = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME: Final = "kpi_report"
STYLESHEET: Final = TEMPLATE_DIR / TEMPLATE_NAME / "static" / "kpi.css"

#: Cells that never reach the reader: papermill's parameter cells and error banners (the
#: header states the failure instead), and cells the author marks ``remove-cell``.
REMOVED_TAGS: Final = frozenset(
    {"parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell"}
)
#: Tag put on the cell where execution stopped; the stylesheet outlines it.
ERROR_CELL_TAG: Final = "kpi-error-cell"

#: Page policy: no scripts, no fetches; inline styles and data-URI images only.
CSP: Final = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_ACTIVE_MARKUP: Final = re.compile(
    r"<(\s*/?\s*)(script|iframe|frame|frameset|object|embed|base|link)\b", re.IGNORECASE
)
_PNG_URI: Final = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
_ACTIVE_TAGS: Final = ("script", "iframe", "frame", "frameset", "object", "embed", "base", "link")
_URL_ATTRS: Final = ("href", "src", "action", "formaction", "xlink:href")


@dataclass(frozen=True)
class ReportHeader:
    """What the reader sees above the outputs (plain text; the template escapes it).

    ``params_vi``/``params_en`` state quarter, area, notebook, data date and run time;
    ``problem_vi``/``problem_en`` say what went wrong (empty when the run was ok);
    ``anchor`` is the HTML id of the failing cell, if known.
    """

    params_vi: str
    params_en: str
    status: str = "ok"
    problem_vi: str = ""
    problem_en: str = ""
    anchor: str = ""
    title: str = ""
    lang: str = "vi"
    image_alt: str = "Biểu đồ (chart)"


@functools.cache
def exporter() -> HTMLExporter:
    """The process's HTML exporter (built once; building one costs ~0.3 s)."""
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_TAGS)
    # The lab conf.json enables pygments CSS (~10 KB); with no code shown it styles nothing,
    # and a template's conf.json cannot switch it off (the base template's conf wins).
    config.CSSHTMLHeaderPreprocessor.enabled = False
    return HTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )


def render_report(nb: nbformat.NotebookNode, header: ReportHeader) -> str:
    """Render an executed notebook (ok or not) to the page's HTML text."""
    html_exporter = exporter()
    html_exporter.language_code = header.lang
    resources = {
        "kpi": asdict(header),
        "kpi_csp": CSP,
        "metadata": {"name": header.title or "KPI"},
    }
    page = quote_active_markup(nb)
    shrink_images(page)
    body, _ = html_exporter.from_notebook_node(page, resources=resources)
    return neutralize_active_content(body)


def quote_active_markup(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` where markdown and HTML (cells and outputs) cannot open a script.

    ``<script``, ``<iframe`` ... become ``&lt;script`` ..., which the browser shows as
    text. Done on the notebook because nbconvert's markdown renderer splits raw inline
    HTML tag by tag, after which the original text can no longer be shown whole.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _ACTIVE_MARKUP.sub(r"&lt;\1\2", cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in ("text/markdown", "text/html"):
                if isinstance(data.get(mime), str):
                    data[mime] = _ACTIVE_MARKUP.sub(r"&lt;\1\2", data[mime])
    return nb


def shrink_images(nb: nbformat.NotebookNode) -> None:
    """Re-encode ``nb``'s PNG outputs in place with :func:`shrink_png`.

    Covers ``image/png`` outputs and ``data:image/png`` URIs inside HTML outputs (charts
    displayed as ``<img>`` with alt text).
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if isinstance(data.get("image/png"), str):
                data["image/png"] = _shrink_base64(data["image/png"])
            if isinstance(data.get("text/html"), str):
                data["text/html"] = _PNG_URI.sub(
                    lambda m: "data:image/png;base64," + _shrink_base64(m.group(1)),
                    data["text/html"],
                )


def shrink_png(data: bytes) -> bytes:
    """The same picture in fewer bytes, or ``data`` itself.

    Charts use few colours: an opaque image with at most 256 is stored as an exact
    palette PNG (lossless). One with more (anti-aliasing shades) is reduced to a
    256-colour palette without dithering, which changes only those edge shades and
    halves the size: a domain report's five charts then stay well within its 300 KB
    budget. Unreadable, translucent or not-smaller results return ``data`` unchanged.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
                image = image.convert("RGB")
            if image.mode == "RGB" and image.getcolors(256) is not None:
                image = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
            elif image.mode == "RGB":
                image = image.quantize(256, method=Image.Quantize.MEDIANCUT,
                                       dither=Image.Dither.NONE)
            out = io.BytesIO()
            image.save(out, "PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        return data
    smaller = out.getvalue()
    return smaller if len(smaller) < len(data) else data


def _shrink_base64(text: str) -> str:
    try:
        data = base64.b64decode(text, validate=False)
    except ValueError:
        return text
    smaller = shrink_png(data)
    return text if smaller is data else base64.b64encode(smaller).decode("ascii")


def neutralize_active_content(html: str) -> str:
    """Make ``html`` inert: active elements become visible text, handlers are dropped.

    ``<script>``, frames, objects, ``<base>`` and ``<link>`` elements are replaced by
    their own markup as escaped text (so a report quoting ``<script>alert(1)</script>``
    shows exactly that); ``on*`` attributes and ``javascript:``/``vbscript:`` URLs are
    removed. The page's own head has none of these, so nothing legitimate is lost.
    """
    soup = BeautifulSoup(html, features="html.parser")
    for tag in soup.find_all(_ACTIVE_TAGS):
        shown = soup.new_tag("code", attrs={"class": "kpi-neutralized"})
        shown.append(NavigableString(str(tag)))
        tag.replace_with(shown)
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            value = tag.attrs[name]
            if name.lower().startswith("on"):
                del tag.attrs[name]
            elif name.lower() in _URL_ATTRS and isinstance(value, str):
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "vbscript:")):
                    del tag.attrs[name]
    return str(soup)
