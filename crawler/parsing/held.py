"""How many of some elements (a page's headings, a block's links) each element holds."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree


class HeldCounts:
    """Of ``elements`` (inside ``top``), how many each element holds, itself included,
    counted up to two (none for an element outside ``top``): what "holds none, one, or
    several?" asks of every element of a subtree at once. One climb from each of
    ``elements`` credits its ancestors, where asking each element in turn walks its
    subtree again for every question."""

    def __init__(self, elements: Iterable[etree._Element], top: etree._Element) -> None:
        self.counts: dict[etree._Element, int] = {}
        """Counts of the elements holding any; held, so lxml proxies stay stable."""
        for element in elements:
            holder: etree._Element | None = element
            while holder is not None:
                count = self.counts.get(holder, 0)
                if count >= 2:
                    break  # and so does every element above it
                self.counts[holder] = count + 1
                holder = holder.getparent() if holder is not top else None

    def of(self, element: etree._Element) -> int:
        """How many ``element`` holds: 0, 1, or 2 for two or more."""
        return self.counts.get(element, 0)
