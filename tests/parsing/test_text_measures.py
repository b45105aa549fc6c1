"""The shortcuts deep markup needs give exactly what building the text gives:
``TextLengths`` its length and whether it is longer than a limit, ``TextPresence``
whether there is any, ``has_visible_text`` whether ``normalize`` leaves
anything."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from core.text import has_visible_text, normalize
from crawler.parsing.text import (
    TextLengths,
    TextPresence,
    element_text,
    flat_lengths,
    normalized_length,
)
from tests.fuzz.strategies import markup

SETTINGS = settings(max_examples=80, deadline=None)
ODD_TEXT = st.text(alphabet=" \t\n\x0b\x1f\u00a0\u3000\u200b\ufeffab中", max_size=12)


def elements(html: str) -> list[etree._Element]:
    root = etree.fromstring(f"<html><body>{html}</body></html>", etree.HTMLParser())
    return [] if root is None else [e for e in root.iter() if isinstance(e.tag, str)]


@SETTINGS
@given(ODD_TEXT)
def test_has_visible_text_is_whether_normalize_leaves_anything(text: str) -> None:
    assert has_visible_text(text) == bool(normalize(text))


@SETTINGS
@given(st.lists(st.one_of(markup, ODD_TEXT), max_size=4).map("".join))
def test_text_lengths_are_the_lengths_of_element_text(html: str) -> None:
    length_of = TextLengths()
    for element in elements(html):
        assert length_of(element) == len(element_text(element))


@SETTINGS
@given(st.lists(st.one_of(markup, ODD_TEXT), max_size=4).map("".join))
def test_text_presence_is_whether_element_text_is_empty(html: str) -> None:
    has_text = TextPresence()
    for element in reversed(elements(html)):  # inner elements first: answers are reused
        assert has_text(element) == bool(element_text(element))


@SETTINGS
@given(st.lists(st.one_of(markup, ODD_TEXT), max_size=4).map("".join), st.integers(0, 12))
def test_longer_than_is_whether_element_text_is_longer(html: str, limit: int) -> None:
    lengths = TextLengths()
    for element in elements(html):
        assert lengths.longer_than(element, limit) == (len(element_text(element)) > limit)


@SETTINGS
@given(st.lists(st.one_of(markup, ODD_TEXT), max_size=4).map("".join), st.integers(0, 12))
def test_text_lengths_say_whether_a_text_is_longer_than_a_limit(html: str, limit: int) -> None:
    length_of = TextLengths()
    for element in reversed(elements(html)):  # inner elements first: some measured, some not
        assert length_of.longer_than(element, limit) == (len(element_text(element)) > limit)


@SETTINGS
@given(ODD_TEXT)
def test_normalized_length_is_the_length_of_the_normalized_text(text: str) -> None:
    assert normalized_length(text) == len(normalize(text))


@SETTINGS
@given(st.lists(st.one_of(markup, ODD_TEXT), max_size=4).map("".join))
def test_flat_lengths_are_the_lengths_of_the_text_and_of_the_links_text(html: str) -> None:
    for element in elements(html):
        flat = flat_lengths(element)
        if flat is not None:
            links = sum(len(element_text(a)) for a in element.iterchildren("a"))
            assert flat == (len(element_text(element)), links)


def test_a_paragraph_of_text_links_and_emphasis_is_flat_and_one_with_a_block_inside_is_not() -> None:
    found = elements("<p> Eat <a href='/x'>more  greens</a><em>daily</em> </p>"
                     "<ul><li>a<div>b</div></li></ul>")
    paragraph, nested = (next(e for e in found if e.tag == tag) for tag in ("p", "li"))
    assert flat_lengths(paragraph) == (len("Eat more greensdaily"), len("more greens"))
    assert flat_lengths(nested) is None
