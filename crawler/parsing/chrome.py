"""Site chrome told by an element's tag, class and id, as a rule written as data.

The generic profile's walks (``running_text``, ``chrome_walk``) ask whether an element is
chrome of every element with a class or an id. A rule held as data lets their compiled
twins answer it from libxml2's nodes, reading the class and id in C and calling Python
only for the cached marker search, instead of making an lxml element and calling a
Python function for each (``benchmarks/RESULTS.md``, issue 18, eighteenth session).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lxml import etree

from crawler.parsing.blocks import marks_of


@dataclass(frozen=True, slots=True)
class ChromeRule:
    """Chrome by its tag, or by ``marked`` on its class and id (:func:`marks_of`), but
    never what holds one of ``unless_holding``."""

    tags: frozenset[str]
    """Chrome by the tag alone."""
    marked: Callable[[str], bool]
    """Whether an element's lowercased class and id mark chrome (``rules.marked_by``)."""
    by_tag: Mapping[str, Callable[[str], bool] | None] = field(default_factory=dict)
    """Tags whose class and id another search reads, or that are never chrome (None)."""
    unless_holding: frozenset[str] = frozenset()
    """What is never chrome when the element is or holds one: the article's own wrappers."""

    def __post_init__(self) -> None:
        """``by_tag`` copied read-only: the compiled walks read a rule once
        (``nodes.pxi``), so a rule must not change after it is made."""
        object.__setattr__(self, "by_tag", MappingProxyType(dict(self.by_tag)))

    def is_chrome(self, element: etree._Element) -> bool:
        tag = element.tag
        marked = self.by_tag.get(tag, self.marked)
        if marked is None:
            return False
        if tag not in self.tags:
            marks = marks_of(element)
            if marks is None or not marked(marks):
                return False
        return not self.unless_holding or next(element.iter(*self.unless_holding), None) is None
