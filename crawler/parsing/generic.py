"""Finding the article on a page without site hints (the generic profile).

The headline is the first visible ``<h1>`` outside page chrome with real text; the body
is the element whose paragraphs hold the most text (a readability-style score: each
paragraph credits its parent fully and its grandparent by half).
"""

from __future__ import annotations

from lxml import etree

from crawler.parsing.blocks import is_chrome
from crawler.parsing.text import element_text

_HIDDEN_STYLE = ("display:none", "visibility:hidden")
_PAGE_CHROME = frozenset({"header", "nav", "footer", "aside"})
_DENSITY_TAGS = ("p", "li", "pre", "blockquote", "td", "dd")
_MIN_PARAGRAPH_CHARS = 25


def is_hidden(element: etree._Element) -> bool:
    """Hidden by markup alone (CSS files are not applied)."""
    style = (element.get("style") or "").replace(" ", "").lower()
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or any(marker in style for marker in _HIDDEN_STYLE)
    )


def headline(body: etree._Element) -> etree._Element | None:
    """The first visible ``<h1>`` outside page chrome with real text (not a template)."""
    for h1 in body.iter("h1"):
        text = element_text(h1)
        if not text or "{{" in text or "{%" in text:
            continue
        if any(is_hidden(e) for e in h1.iterancestors()) or is_hidden(h1):
            continue
        if any(a.tag in _PAGE_CHROME and not _inside_article(a) for a in h1.iterancestors()):
            continue
        return h1
    return None


def _inside_article(element: etree._Element) -> bool:
    return any(a.tag in ("article", "main") for a in element.iterancestors())


def densest_container(body: etree._Element) -> etree._Element:
    """The element whose children hold the most paragraph text (readability-style score)."""
    scores: dict[etree._Element, float] = {}
    for tag in _DENSITY_TAGS:
        for paragraph in body.iter(tag):
            text_length = len(element_text(paragraph))
            if text_length < _MIN_PARAGRAPH_CHARS or any(is_chrome(a) for a in paragraph.iterancestors()):
                continue
            parent = paragraph.getparent()
            if parent is None:
                continue
            scores[parent] = scores.get(parent, 0.0) + text_length
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + text_length / 2
    return max(scores, key=scores.__getitem__) if scores else body
