"""Text of elements, normalized (``core.text``), shared by every field function.

Block-level elements get a space at each edge and inline elements none, so
"weight.<sup>[26]</sup>" stays joined while "<li>a</li><li>b</li>" does not.
"""

from __future__ import annotations

from lxml import etree

from core.text import normalize
from crawler.parsing.rules import BLOCK_TAGS, SKIP_TAGS


def element_text(element: etree._Element) -> str:
    """Normalized visible text of ``element`` (scripts, styles, buttons left out)."""
    if not len(element):
        return normalize(element.text or "")
    parts: list[str] = []
    _collect(element, parts, "")
    return normalize("".join(parts))


def element_lines(element: etree._Element) -> list[str]:
    """Normalized non-empty lines of ``element``, split at ``<br>`` and block edges."""
    parts: list[str] = []
    _collect(element, parts, "\n")
    return [line for line in (normalize(x) for x in "".join(parts).split("\n")) if line]


def _collect(element: etree._Element, parts: list[str], block_edge: str) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            tag = tag.lower()
            if tag == "br":
                parts.append(block_edge or " ")
            elif tag not in SKIP_TAGS:
                edge = (block_edge or " ") if tag in BLOCK_TAGS else ""
                parts.append(edge)
                _collect(child, parts, block_edge)
                parts.append(edge)
        if child.tail:
            parts.append(child.tail)
