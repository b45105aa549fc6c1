"""Text of elements and its normalization, shared by every field function.

Block-level elements get a space at each edge and inline elements none, so
"weight.<sup>[26]</sup>" stays joined while "<li>a</li><li>b</li>" does not.
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.parsing.rules import BLOCK_TAGS, SKIP_TAGS

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str) -> str:
    """Drop zero-width and control characters; collapse every whitespace run (``&nbsp;``
    and U+3000 included) to one space; trim.

    ``str.split()`` splits on exactly the Unicode whitespace ``\\s`` matches, at a
    fifth of a regex substitution's cost: this runs for every text node.
    """
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


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


def words(text: str) -> int:
    """Word count: whitespace-separated tokens; CJK characters count one each, since
    those scripts put no spaces between words."""
    if _CJK.search(text) is None:
        return len(text.split())
    return len(_CJK.findall(text)) + len(_CJK.sub(" ", text).split())


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
