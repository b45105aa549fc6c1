"""The climbs by ``getparent`` (``crawler.parsing.ancestors``) answer what lxml's
``iterancestors`` answers, for every pair of elements of a page."""

from __future__ import annotations

from lxml import etree

from crawler.parsing.ancestors import common_ancestor, is_inside

PAGE = ("<html><body><div id='a'><p id='b'><span id='c'>x</span></p><ul id='d'><li id='e'>y</li></ul></div>"
        "<aside id='f'><h2 id='g'>z</h2></aside></body></html>")


def elements() -> list[etree._Element]:
    return list(etree.fromstring(PAGE, etree.HTMLParser()).iter())


def nearest_both_hold(first: etree._Element, second: etree._Element) -> etree._Element:
    ancestors = {first, *first.iterancestors()}
    return next((a for a in (second, *second.iterancestors()) if a in ancestors), second)


def test_an_element_is_inside_exactly_its_ancestors() -> None:
    page = elements()
    for element in page:
        for top in page:
            assert is_inside(element, top) == (top in list(element.iterancestors()))


def test_the_common_ancestor_is_the_nearest_element_holding_both() -> None:
    page = elements()
    for first in page:
        for second in page:
            assert common_ancestor(first, second) is nearest_both_hold(first, second)


def test_elements_of_two_trees_share_no_ancestor() -> None:
    first, second = elements()[3], elements()[4]
    assert common_ancestor(first, second) is second
    assert not is_inside(first, second.getroottree().getroot())
