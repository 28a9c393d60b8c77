"""One tokenising pass over a report page: is it inert already, and what must be added?

:func:`kpi.render.neutralize_active_content` builds a BeautifulSoup tree of the page to
remove active content and to add alt text and ``tabindex``. Almost every page has no active
content at all; for those, building the tree (and printing it again) is most of the page's
rendering cost. :func:`plain_page_edits` reads the page with the same tokenizer the tree
builder uses (``html.parser``), so it sees exactly the tags and attribute values the tree
pass would, and says either "active content here: take the tree pass" (``None``) or which
attributes to insert where. A page is inert already when no tag and no attribute the tree
pass would change occurs in it: no start or end tag in :data:`ACTIVE_TAGS`, no attribute
whose name starts with ``on``, no URL attribute whose value is a ``javascript:`` or
``vbscript:`` URL.
"""

from __future__ import annotations

import html as html_text
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final

ACTIVE_TAGS: Final = ("script", "iframe", "frame", "frameset", "object", "embed", "base", "link")
URL_ATTRS: Final = ("href", "src", "action", "formaction", "xlink:href")
#: Classes of the elements nbconvert makes keyboard-focusable.
FOCUSABLE_CLASSES: Final = frozenset({"jp-OutputArea-output", "jp-Cell-inputWrapper"})


def is_active_attribute(name: str, value: object) -> bool:
    """An event handler (``on…``), or a URL attribute holding a ``javascript:`` or
    ``vbscript:`` URL (as a browser reads the value)."""
    lowered = name.lower()
    if lowered.startswith("on"):
        return True
    if lowered not in URL_ATTRS or not isinstance(value, str):
        return False
    scheme = value.strip().lower().replace("\t", "").replace("\n", "")
    return scheme.startswith(("javascript:", "vbscript:"))


@dataclass(frozen=True)
class Insert:
    """Insert ``text`` at character ``at`` of the page."""

    at: int
    text: str


class _Scan(HTMLParser):
    def __init__(self, page: str, image_alt: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.image_alt = image_alt
        self.line_starts = [0]
        newline = page.find("\n")
        while newline >= 0:
            self.line_starts.append(newline + 1)
            newline = page.find("\n", newline + 1)
        self.inserts: list[Insert] = []
        self.active = False
        self.self_closing = False  # the tag being handled ends in "/>" (not an attribute's "/")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.active = True
            return
        if any(is_active_attribute(name, value) for name, value in attrs):
            self.active = True
            return
        if self.image_alt is None:
            return
        names = {name.lower() for name, _ in attrs}
        added = ""
        if tag == "img" and "alt" not in names:
            added = f' alt="{html_text.escape(self.image_alt, quote=True)}"'
        elif tag == "div" and FOCUSABLE_CLASSES.intersection(
            (dict(attrs).get("class") or "").split()
        ):
            if "tabindex" in names:  # the tree pass would set it to "0": leave that to it
                self.active = True
                return
            added = ' tabindex="0"'
        if added:
            self._insert_before_tag_end(added)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.self_closing = True
        try:
            self.handle_starttag(tag, attrs)
        finally:
            self.self_closing = False
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ACTIVE_TAGS:
            self.active = True

    def _insert_before_tag_end(self, text: str) -> None:
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        raw = self.get_starttag_text() or ""
        if not raw or self.page[start:start + len(raw)] != raw:
            self.active = True  # cannot place it: let the tree pass do it
            return
        end = start + len(raw) - (2 if self.self_closing else 1)
        self.inserts.append(Insert(end, text))


def plain_page_edits(page: str, image_alt: str | None = None) -> list[Insert] | None:
    """The attribute insertions that make ``page`` what the tree pass would make it (alt
    text on images without one and ``tabindex="0"`` on output areas, with ``image_alt``),
    or ``None`` when the page holds active content and needs the tree pass."""
    scan = _Scan(page, image_alt)
    scan.feed(page)
    scan.close()
    return None if scan.active else scan.inserts


def apply_edits(page: str, inserts: list[Insert]) -> str:
    """``page`` with ``inserts`` made (positions refer to the original page)."""
    parts, last = [], 0
    for insert in sorted(inserts, key=lambda i: i.at):
        parts += [page[last:insert.at], insert.text]
        last = insert.at
    parts.append(page[last:])
    return "".join(parts)


__all__ = ["ACTIVE_TAGS", "FOCUSABLE_CLASSES", "URL_ATTRS", "Insert", "apply_edits",
           "is_active_attribute", "plain_page_edits"]
