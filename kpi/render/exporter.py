"""Executed notebook → one self-contained, offline HTML page fit to share.

Uses nbconvert's :class:`~nbconvert.HTMLExporter` in-process with the packaged
``kpi_report`` template (``kpi/render/templates/kpi_report``): the lab page without code cells,
prompts, the parameters cells, require.js, MathJax or mermaid, with a 4 KB stylesheet
instead of JupyterLab's 250 KB, images inline as data URIs, ``lang`` set, and a header
line stating the parameters and the data date. A Content-Security-Policy forbids scripts
and network loads; :func:`quote_active_markup` shows raw ``<script>`` in markdown/HTML
outputs as text, and :func:`neutralize_active_content` makes whatever else reached the
page inert. PNG images other than the charts' own palette PNGs are re-encoded to fewer
bytes (:func:`kpi.util.images.shrink_png`).

One exporter is built per process and reused (:func:`exporter`).
"""

from __future__ import annotations

import kpi.util.startup  # noqa: F401 - first: before nbformat is imported (see kpi.util.startup)

# isort: split
import base64
import contextlib
import copy
import functools
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import nbformat
from bs4 import BeautifulSoup, NavigableString
from jinja2 import Environment, FileSystemBytecodeCache, pass_context
from jinja2.bccache import Bucket
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets.config import Config

from kpi.render.page_scan import (
    ACTIVE_TAGS,
    FOCUSABLE_CLASSES,
    apply_edits,
    is_active_attribute,
    plain_page_edits,
)
from kpi.util.images import shrink_png

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
#: Markdown that may embed a file (an image, any ``src``): its page depends on more than
#: its text, so it is rendered afresh every time.
_EMBEDS: Final = re.compile(r"!\[|<\s*img|src\s*=|attachment:", re.IGNORECASE)
#: Markdown texts whose HTML an exporter keeps (the oldest half goes when it is full).
MARKDOWN_KEPT: Final = 2048


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


class QuietBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates (each entry checked against the template's
    source and the Jinja and Python versions); one that cannot be read or written only
    means compiling again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, truncated, foreign: whatever it is, compile again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(directory: str | None = None) -> QuietBytecodeCache | None:
    """The compiled-template cache in ``directory`` (default: Jinja's private per-user
    folder under the temp directory), or ``None`` where there is no safe place for one."""
    try:
        return QuietBytecodeCache(directory)
    except (OSError, RuntimeError):
        return None


class ReportExporter(HTMLExporter):
    """nbconvert's HTML exporter without its own BeautifulSoup pass over the page, and
    with its templates' compiled code kept between processes.

    nbconvert parses every page it writes once more to give images without alt text a
    placeholder and make outputs focusable; :func:`neutralize_active_content` parses
    the page anyway, so it does both and the page is parsed once. The rest of
    :meth:`from_notebook_node` is nbconvert's (nbconvert 7). Compiling the lab templates
    costs each new process ~0.2 s before its first page (:class:`QuietBytecodeCache`).
    Markdown is rendered once per text (:meth:`markdown2html`): a third of a page's cost.
    """

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._markdown_kept: dict[str, str] = {}

    def _create_environment(self) -> Environment:
        environment = super()._create_environment()
        environment.bytecode_cache = template_cache()
        return environment

    @pass_context
    def markdown2html(self, context: Any, source: str) -> str:
        """nbconvert's markdown rendering, kept per text: a report's markdown cells read
        the same for every area. Text that may embed a file (:data:`_EMBEDS`) or a cell
        with attachments is rendered every time; for the rest the HTML depends only on the
        text and the exporter's settings, fixed for its life (:func:`exporter`)."""
        if _EMBEDS.search(source) or context.get("cell", {}).get("attachments"):
            return str(super().markdown2html(context, source))
        kept = self._markdown_kept
        html = kept.get(source)
        if html is None:
            if len(kept) >= MARKDOWN_KEPT:
                for old in list(kept)[: MARKDOWN_KEPT // 2]:
                    del kept[old]
            html = kept[source] = str(super().markdown2html(context, source))
        return html

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


class _HandedOver(nbformat.NotebookNode):
    """A private copy handed to the exporter, which may change it in place: nbconvert's
    defensive deep copies (three per page, ~1 ms each for a report) return it as is."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _HandedOver:
        return self


@functools.cache
def exporter() -> HTMLExporter:
    """The process's HTML exporter (built once; building one costs ~0.3 s)."""
    config = Config()
    # validate the notebook once after the preprocessors, not after each of them
    config.ReportExporter.optimistic_validation = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_TAGS)
    # The lab conf.json enables pygments CSS (~10 KB); with no code shown it styles nothing,
    # and a template's conf.json cannot switch it off (the base template's conf wins).
    config.CSSHTMLHeaderPreprocessor.enabled = False
    return ReportExporter(
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
    page = _HandedOver(quote_active_markup(nb))
    shrink_images(page)
    body, _ = html_exporter.from_notebook_node(page, resources=resources)
    return neutralize_active_content(body, image_alt=header.image_alt)


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
    """Re-encode ``nb``'s PNG outputs in place with :func:`kpi.util.images.shrink_png`.

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


def _shrink_base64(text: str) -> str:
    try:
        data = base64.b64decode(text, validate=False)
    except ValueError:
        return text
    smaller = shrink_png(data)
    return text if smaller is data else base64.b64encode(smaller).decode("ascii")


def neutralize_active_content(html: str, image_alt: str | None = None) -> str:
    """Make ``html`` inert: active elements become visible text, handlers are dropped.

    ``<script>``, frames, objects, ``<base>`` and ``<link>`` elements are replaced by
    their own markup as escaped text (so a report quoting ``<script>alert(1)</script>``
    shows exactly that); ``on*`` attributes and ``javascript:``/``vbscript:`` URLs are
    removed. The page's own head has none of these, so nothing legitimate is lost.
    With ``image_alt``, also what nbconvert's exporter would have done in a parse of its
    own: images without alt text get ``image_alt``, outputs become keyboard-focusable.

    A page with none of these (nearly every page) only gets those attributes inserted, in
    one tokenising pass (:mod:`kpi.render.page_scan`); the tree is built only for the others.
    """
    edits = plain_page_edits(html, image_alt)
    if edits is not None:
        return apply_edits(html, edits)
    return neutralize_tree(html, image_alt)


def neutralize_tree(html: str, image_alt: str | None = None) -> str:
    """:func:`neutralize_active_content` on a BeautifulSoup tree, for any page."""
    soup = BeautifulSoup(html, features="html.parser")
    if image_alt is not None:
        for img in soup.find_all("img"):
            if "alt" not in img.attrs:
                img.attrs["alt"] = image_alt
        for div in soup.find_all("div", class_=tuple(FOCUSABLE_CLASSES)):
            div.attrs["tabindex"] = "0"
    for tag in soup.find_all(ACTIVE_TAGS):
        shown = soup.new_tag("code", attrs={"class": "kpi-neutralized"})
        shown.append(NavigableString(str(tag)))
        tag.replace_with(shown)
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            if is_active_attribute(name, tag.attrs[name]):
                del tag.attrs[name]
    return str(soup)
