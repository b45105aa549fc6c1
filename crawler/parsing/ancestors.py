"""Climbs from an element up its ancestors, step by step with ``getparent``: the parse
climbs a few steps at a time, many times a page, and setting up lxml's ``iterancestors``
iterator costs more than several steps."""

from __future__ import annotations

from lxml import etree


def is_inside(element: etree._Element, top: etree._Element) -> bool:
    """Whether ``top`` is an ancestor of ``element``."""
    parent = element.getparent()
    while parent is not None:
        if parent is top:
            return True
        parent = parent.getparent()
    return False


def common_ancestor(first: etree._Element, second: etree._Element) -> etree._Element:
    """The nearest element holding both (``second`` when it holds ``first`` or when they
    share no ancestor). The set holds the elements themselves, not their ``id()``: lxml
    proxies die when unreferenced, and a freed proxy's id is reused."""
    ancestors: set[etree._Element] = set()
    node: etree._Element | None = first
    while node is not None:
        ancestors.add(node)
        node = node.getparent()
    candidate: etree._Element | None = second
    while candidate is not None:
        if candidate in ancestors:
            return candidate
        candidate = candidate.getparent()
    return second
