"""``HeldCounts``: how many of some elements each element of a subtree holds."""

from __future__ import annotations

from lxml import etree

from crawler.parsing.held import HeldCounts


def _tree() -> etree._Element:
    return etree.fromstring(
        "<div><section><div class='card'><h3><a href='/1'>One</a></h3><p>Teaser</p></div>"
        "<div class='card'><h3><a href='/2'>Two</a></h3><a href='/3'>More</a></div></section>"
        "<p>No link</p></div>", etree.HTMLParser()).find("body/div")


def test_an_element_holds_itself_and_what_is_inside_it_counted_up_to_two() -> None:
    top = _tree()
    counts = HeldCounts(top.iter("a"), top)
    first_card, second_card = top.findall("section/div")
    assert counts.of(first_card) == 1
    assert counts.of(first_card.find("h3/a")) == 1
    assert counts.of(second_card) == 2  # two links
    assert counts.of(top.find("section")) == 2  # three links, counted up to two
    assert counts.of(first_card.find("p")) == 0


def test_nothing_above_the_top_is_counted() -> None:
    top = _tree().find("section")
    counts = HeldCounts(top.iter("a"), top)
    assert counts.of(top) == 2
    assert counts.of(top.getparent()) == 0
