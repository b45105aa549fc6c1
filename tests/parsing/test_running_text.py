"""The density score's measures (``crawler.parsing.running_text``): the compiled walk over
libxml2's nodes (``running_text.pyx``) gives what the Python module gives, parents in the
same order, and both are the lengths ``element_text`` has."""

from __future__ import annotations

from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import crawler.parsing.running_text as compiled
from core.text import normalize, strip_invisible
from crawler.parsing.chrome import ChromeRule
from crawler.parsing.generic import _DENSITY_CHROME
from crawler.parsing.rules import CHROME_TAGS, DENSITY_TAGS, MIN_PARAGRAPH_CHARS
from crawler.parsing.text import element_text
from tests.fuzz.strategies import markup
from tests.parsing.twins import FIXTURES, body_of, source_twin

SETTINGS = settings(max_examples=150, deadline=None)
WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
INVISIBLE = "".join(chr(code) for code in range(0x10000) if not strip_invisible(chr(code)))
ODD_TEXT = st.text(alphabet=f"ab中é{WHITESPACE}{INVISIBLE}", max_size=40)
SOURCE = source_twin("running_text")


_CHROME = ChromeRule(CHROME_TAGS, lambda marks: "share" in marks)
"""Chrome by its tag or its class."""


Measures = tuple[list[tuple[str, list[int]]], list[tuple[str, int]]]


def _measures(module: ModuleType, body: etree._Element,
              chrome: ChromeRule = _CHROME) -> Measures:
    """Both measures, each element named by its path, in the order given."""
    tree = body.getroottree()
    read = module.running_text(body, chrome, next(body.iter("h1"), None))
    named = [(tree.getpath(parent), total) for parent, total in read.totals.items()]
    divs = [(tree.getpath(div), own) for div, own in read.divs]
    return named, divs


def test_the_compiled_walk_measures_every_fixture_page_as_the_python_module_does() -> None:
    for page in FIXTURES:
        body = body_of(page.read_bytes())
        assert _measures(compiled, body) == _measures(SOURCE, body), page.name


def test_the_compiled_walk_measures_every_fixture_page_by_the_generic_chrome_rule_as_python_does() -> None:
    for page in FIXTURES:
        body = body_of(page.read_bytes())
        assert _measures(compiled, body, _DENSITY_CHROME) == _measures(SOURCE, body, _DENSITY_CHROME)


@SETTINGS
@given(st.lists(st.one_of(markup, ODD_TEXT), max_size=6).map("".join))
def test_the_compiled_walk_measures_any_markup_as_the_python_module_does(html: str) -> None:
    body = body_of(f"<html><body>{html}</body></html>")
    assert _measures(compiled, body) == _measures(SOURCE, body)


@SETTINGS
@given(st.lists(st.one_of(markup, ODD_TEXT), max_size=6).map("".join), st.integers(0, 40))
def test_element_lengths_are_the_lengths_of_element_text_in_both_modules(html: str, limit: int) -> None:
    body = body_of(f"<html><body>{html}</body></html>")
    for module in (compiled, SOURCE):
        lengths = module.ElementLengths()
        for element in body.iter(etree.Element):
            length = len(element_text(element))
            assert (lengths(element), lengths.longer_than(element, limit)) == (length, length > limit)


def test_what_holds_the_headline_is_never_chrome_and_what_chrome_holds_is_not_read() -> None:
    body = body_of("<html><body><div class='share'><div><h1>Title</h1><p>" + "Running text. " * 4 +
                   "</p></div><aside><p>" + "Sidebar text here. " * 4 + "</p></aside></div></body></html>")
    for module in (compiled, SOURCE):
        assert _measures(module, body) == ([("/html/body/div/div", [55, 0])], [])


@SETTINGS
@given(st.lists(ODD_TEXT, min_size=1, max_size=4))
def test_a_paragraph_counts_the_characters_normalize_keeps(texts: list[str]) -> None:
    html = "<p>" + "<em>x</em>".join(text.replace("<", "") for text in texts) + "</p>"
    body = body_of(f"<html><body><div>{html}</div></body></html>")
    paragraph = next(body.iter("p"))
    length = len(normalize(element_text(paragraph)))
    for module in (compiled, SOURCE):
        totals = module.running_text(body, _CHROME, None).totals.values()
        assert sum(running for running, _ in totals) == (length if length >= MIN_PARAGRAPH_CHARS else 0)


def test_every_whitespace_character_separates_words_and_every_invisible_one_joins_them() -> None:
    separators = [space for space in WHITESPACE if space not in INVISIBLE]
    text = "".join(f"word{space}" for space in separators) + "join" + INVISIBLE.replace("\x00", "") + "ed"
    body = body_of(f"<html><head><meta charset=utf-8></head><body><div><p>{text}</p></div></body></html>"
                   .encode())
    paragraph = next(body.iter("p"))
    assert element_text(paragraph).split() == ["word"] * len(separators) + ["joined"]
    for module in (compiled, SOURCE):
        totals = module.running_text(body, _CHROME, None).totals
        assert list(totals.values()) == [[len(element_text(paragraph)), 0]]


def test_link_text_is_counted_apart_from_running_text_at_any_depth() -> None:
    body = body_of("<html><body><div><p>Read the <span><a href='/a'>whole guide to sleep</a></span> "
                   "before bed, and <a href='/b'>this</a> too.</p></div></body></html>")
    paragraph = next(body.iter(*DENSITY_TAGS))
    links = len("whole guide to sleep") + len("this")
    for module in (compiled, SOURCE):
        assert list(module.running_text(body, _CHROME, None).totals.values()) == [
            [len(element_text(paragraph)) - links, links]]


def test_tags_are_read_as_lxml_names_them_in_any_tree() -> None:
    trees = ("<div>a<BR/>b<SCRIPT>xx</SCRIPT></div>", "<div>a<DIV>b</DIV></div>",
             '<div xmlns="http://www.w3.org/1999/xhtml"><p>a<br/>b</p><div>' + "own text " * 4
             + "</div></div>")
    for xml in trees:
        top = etree.fromstring(xml)
        assert compiled.ElementLengths()(top) == SOURCE.ElementLengths()(top) == len(element_text(top))
        assert _measures(compiled, top) == _measures(SOURCE, top)


def test_a_comment_measures_its_text() -> None:
    comment = etree.Comment(" hello  world ")
    assert compiled.ElementLengths()(comment) == SOURCE.ElementLengths()(comment) == len("hello world")


def test_a_tag_is_folded_as_str_lower_folds_it_kelvin_sign_included() -> None:
    kelvin = "\u212a"  # lowers to "k": "bloc\u212aquote" is a block, "lin\u212a" is skipped
    body = body_of(f"<html><body><div>a<bloc{kelvin}quote>b</bloc{kelvin}quote>c<lin{kelvin}>d</lin{kelvin}>"
                   "</div></body></html>")
    div = next(body.iter("div"))
    assert compiled.ElementLengths()(div) == SOURCE.ElementLengths()(div) == len(element_text(div)) == 5
