"""kpi.render.page_scan: the one-pass route for inert pages gives what the tree pass gives."""

from __future__ import annotations

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.render.exporter import neutralize_active_content, neutralize_tree
from kpi.render.page_scan import apply_edits, plain_page_edits

ALT = 'Biểu đồ "chart" & <x>'

SAFE_TAGS = ["div", "img", "p", "a", "span", "svg", "table", "td", "br", "style"]
ACTIVE_TAGS = ["script", "iframe", "link", "embed", "base"]
SAFE_ATTRIBUTES = [
    'class="jp-OutputArea-output"', 'class="jp-Cell-inputWrapper x"', 'class="other"',
    "class=jp-OutputArea-output", 'alt="có"', "alt", 'src="data:image/png;base64,AAAA"',
    'href="2022Q1/a.html"', "title='a \"b\" &amp; c'", 'data-x="1\n2"', "hidden",
]
ACTIVE_ATTRIBUTES = [
    'src="JaVaScRiPt:x()"', 'href=" java\tscript:x()"', "href=&#106;avascript:x()",
    'onclick="x()"', "ONLOAD=x()", 'onerror="y"', 'tabindex="-1"', 'xlink:href="vbscript:x"',
]
TEXT = st.sampled_from(["", "Thu ngân sách", "a < b", "x &amp; y", "&lt;script&gt;", "\n",
                        "4.884.100.000 đ", "<!-- c -->", "</p>", "<"])


@st.composite
def fragments(draw: st.DrawFn, active: bool | None = None, depth: int = 0) -> str:
    """HTML fragments; with ``active`` False, made only of what is inert (mostly so: the
    one-pass route must then be taken and must insert the right attributes)."""
    if active is None:
        active = draw(st.booleans())
    tags = SAFE_TAGS + (ACTIVE_TAGS if active else [])
    attributes = st.sampled_from(SAFE_ATTRIBUTES + (ACTIVE_ATTRIBUTES if active else []))
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        tag = draw(st.sampled_from(tags))
        attrs = " ".join(draw(st.lists(attributes, max_size=3)))
        space = draw(st.sampled_from([" ", "\n  "]))
        opening = f"<{tag}{space}{attrs}" if attrs else f"<{tag}"
        if draw(st.booleans()):
            parts.append(opening + draw(st.sampled_from([">", "/>", " />"])))
        else:
            inner = draw(fragments(active, depth + 1)) if depth < 2 else draw(TEXT)
            parts.append(f"{opening}>{inner}</{tag}>")
        parts.append(draw(TEXT))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(fragments(), st.sampled_from([None, ALT]))
def test_the_one_pass_route_equals_the_tree_pass(page: str, image_alt: str | None) -> None:
    fast = neutralize_active_content(page, image_alt)
    slow = neutralize_tree(page, image_alt)
    assert str(BeautifulSoup(fast, features="html.parser")) == slow


@settings(max_examples=200, deadline=None)
@given(fragments(active=False))
def test_an_inert_page_takes_the_one_pass_route(page: str) -> None:
    edits = plain_page_edits(page, ALT)
    assert edits is not None
    assert str(BeautifulSoup(apply_edits(page, edits), features="html.parser")) == \
        neutralize_tree(page, ALT)


@settings(max_examples=300, deadline=None)
@given(fragments())
def test_a_page_called_inert_has_nothing_active(page: str) -> None:
    edits = plain_page_edits(page, ALT)
    if edits is None:
        return
    soup = BeautifulSoup(apply_edits(page, edits), features="html.parser")
    assert not soup.find_all(["script", "iframe", "link", "embed", "base"])
    for tag in soup.find_all(True):
        assert not any(name.lower().startswith("on") for name in tag.attrs)
        for name in ("href", "src", "xlink:href"):
            value = str(tag.attrs.get(name, "")).replace("\t", "").strip().lower()
            assert not value.startswith(("javascript:", "vbscript:"))
        if tag.name == "img":
            assert "alt" in tag.attrs


def test_an_inert_page_only_gets_alt_text_and_focus_inserted() -> None:
    page = ('<div class="jp-OutputArea-output">\n<img src="data:image/png;base64,AA"/>'
            '<img alt="có" src="x.png"></div><div class="other">4.884.100.000 đ</div>')
    edits = plain_page_edits(page, ALT)
    assert edits is not None and len(edits) == 2
    assert apply_edits(page, edits) == (
        '<div class="jp-OutputArea-output" tabindex="0">\n'
        '<img src="data:image/png;base64,AA" alt="Biểu đồ &quot;chart&quot; &amp; &lt;x&gt;"/>'
        '<img alt="có" src="x.png"></div><div class="other">4.884.100.000 đ</div>')


def test_active_content_or_a_tabindex_to_change_takes_the_tree_pass() -> None:
    for page in ('<p><script>x()</script></p>', '<a href="javascript:x()">a</a>',
                 '<img src=x onerror=y>', '<p>a</script></p>',
                 '<div class="jp-OutputArea-output" tabindex="-1">a</div>'):
        assert plain_page_edits(page, ALT) is None, page
    tree = neutralize_active_content('<div class="jp-OutputArea-output" tabindex="-1">a</div>',
                                     ALT)
    assert 'tabindex="0"' in tree
