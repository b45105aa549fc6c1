"""The block walk (``crawler.parsing.block_walk``): the compiled walk over libxml2's nodes
(``block_walk.pyx``) gives the blocks the Python module gives, with every skip rule, on
every fixture page and on any markup."""

from __future__ import annotations

from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import crawler.parsing.block_walk as compiled
from core.text import strip_invisible
from crawler.parsing.blocks import CHROME, Skip
from tests.fuzz.strategies import markup
from tests.parsing.twins import FIXTURES, body_of, source_twin

SETTINGS = settings(max_examples=200, deadline=None)
WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
INVISIBLE = "".join(chr(code) for code in range(0x10000) if not strip_invisible(chr(code)))
ODD_TEXT = st.text(alphabet=f"ab1.中é\n{WHITESPACE}{INVISIBLE}", max_size=40)
SOURCE = source_twin("block_walk")
FORMS = Skip(frozenset({"form"}))

Blocks = list[tuple[str, str, object]]


def _blocks(module: ModuleType, container: etree._Element, skip: Skip) -> Blocks:
    return [(block.text, block.markup, block.enum and (block.enum.number, block.enum.style, block.enum.rest))
            for block in module.blocks_of(container, skip)]


def _rules(body: etree._Element) -> list[Skip]:
    """The three skip rules the parser uses: forms only (the generic profile's cleaned
    article), chrome, and chrome with everything up to the headline."""
    headline = next(body.iter("h1", "h2"), None)
    return [FORMS, CHROME, Skip(CHROME.tags, CHROME.marked, headline=headline)]


def _same(body: etree._Element) -> None:
    for skip in _rules(body):
        assert _blocks(compiled, body, skip) == _blocks(SOURCE, body, skip), skip


def test_the_compiled_walk_gives_every_fixture_page_the_blocks_the_python_module_gives() -> None:
    for page in FIXTURES:
        _same(body_of(page.read_bytes()))


@SETTINGS
@given(st.lists(st.one_of(markup, ODD_TEXT), max_size=6).map("".join))
def test_the_compiled_walk_gives_any_markup_the_blocks_the_python_module_gives(html: str) -> None:
    _same(body_of(f"<html><body>{html}</body></html>"))


@SETTINGS
@given(st.lists(ODD_TEXT, min_size=1, max_size=4))
def test_every_whitespace_and_invisible_character_is_normalized_as_the_python_module_does(
        texts: list[str]) -> None:
    inline = "<em>x</em>".join(text.replace("<", "") for text in texts)
    html = (f"<div><p>{texts[0]}</p><p>{inline}</p>{inline}<br>{inline}<h2><b>{inline}</b></h2>"
            f"<ul><li>{inline}</li></ul><div><strong>{inline}</strong>{texts[-1]}</div></div>")
    _same(body_of(f"<html><head><meta charset=utf-8></head><body>{html}</body></html>".encode()))


def test_lines_split_at_line_feeds_and_breaks_are_blocks_when_enumerated() -> None:
    body = body_of("<html><body><div>1. First line\n2. Second<br>3. Third<p>x</p></div>"
                   "<p>a<br>1. b<br>2. c</p></body></html>")
    for module in (compiled, SOURCE):
        assert [text for text, markup, _ in _blocks(module, body, CHROME) if markup == "line"] == [
            "1. First line", "2. Second", "3. Third", "a", "1. b", "2. c"]


def test_everything_up_to_the_headline_is_skipped_but_what_holds_it() -> None:
    body = body_of("<html><body><p>Before</p><div><p>Byline</p><h1>Title</h1><p>Body text</p>"
                   "<aside>Sidebar</aside></div><p>After</p></body></html>")
    skip = Skip(CHROME.tags, CHROME.marked, headline=next(body.iter("h1")))
    for module in (compiled, SOURCE):
        assert [text for text, _, _ in _blocks(module, body, skip)] == ["Body text", "After"]


def test_chrome_is_skipped_by_its_tag_and_by_its_class() -> None:
    body = body_of("<html><body><p>Kept</p><nav>Menu</nav><div class='share-bar'>Share</div>"
                   "<ul><li>Item</li><li id='comments'>Comment</li></ul></body></html>")
    for module in (compiled, SOURCE):
        assert [text for text, _, _ in _blocks(module, body, CHROME)] == ["Kept", "Item"]


def test_tags_are_read_as_lxml_names_them_in_any_tree() -> None:
    trees = ("<div>a<BR/>b<SCRIPT>xx</SCRIPT><P>c</P><p>d<B>e</B></p></div>",
             '<div xmlns="http://www.w3.org/1999/xhtml"><p>a<br/>b</p><h2>Head</h2><ul><li>i</li></ul></div>',
             "<div><p>a<!-- note --><b>bold</b><?pi x?></p><p><b>b</b><!--c-->d</p>"
             "<ul><!--c--><li>i</li></ul></div>")
    for xml in trees:
        top = etree.fromstring(xml)
        for skip in _rules(top):
            assert _blocks(compiled, top, skip) == _blocks(SOURCE, top, skip), xml


def test_a_tag_is_folded_as_str_lower_folds_it_kelvin_sign_included() -> None:
    kelvin = "\u212a"  # lowers to "k": "bloc\u212aquote" is a block, "lin\u212a" is skipped
    for html in (f"<div><p><span>a<bloc{kelvin}quote>b</bloc{kelvin}quote>c</span></p></div>",
                 f"<div><p><b>x</b><i><lin{kelvin}>y</lin{kelvin}></i></p></div>",
                 f"<div><span>a<lin{kelvin}>b</lin{kelvin}></span></div>"):
        body = body_of(f"<html><body>{html}</body></html>")
        assert _blocks(compiled, body, CHROME) == _blocks(SOURCE, body, CHROME), html


def test_entity_references_and_cdata_are_read_as_lxml_reads_them() -> None:
    xml = ('<!DOCTYPE r [<!ENTITY e "entity text">]><r><p>a &e; b</p><p><b>bold</b>&e;</p>'
           "<div><strong>x</strong><![CDATA[ cdata ]]></div><ul><li>&e;</li></ul>tail &e;</r>")
    top = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    for skip in _rules(top):
        assert _blocks(compiled, top, skip) == _blocks(SOURCE, top, skip)


def test_a_headline_inside_an_item_or_inside_chrome_is_skipped_as_the_python_module_skips_it() -> None:
    body = body_of("<html><body><ul><li>Before</li><li><h2>Title</h2></li><li>After</li></ul>"
                   "<nav><h2>Menu</h2></nav><p>Text</p></body></html>")
    for headline in body.iter("h2"):
        skip = Skip(CHROME.tags, CHROME.marked, headline=headline)
        assert _blocks(compiled, body, skip) == _blocks(SOURCE, body, skip)


def test_a_comment_given_as_the_container_is_its_text() -> None:
    comment = etree.Comment(" hello  world ")
    for module in (compiled, SOURCE):
        assert [text for text, _, _ in _blocks(module, comment, CHROME)] == ["hello world"]
