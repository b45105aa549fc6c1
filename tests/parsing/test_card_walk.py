"""The entries of a block of related links (``crawler.parsing.card_walk``): the compiled
walk over libxml2's nodes (``card_walk.pyx``) finds the links and reads the text beside
them as the Python module does, on every fixture page and on any markup."""

from __future__ import annotations

from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import crawler.parsing.card_walk as compiled
from tests.fuzz.strategies import markup
from tests.parsing.twins import FIXTURES, body_of, source_twin

SOURCE = source_twin("card_walk")
LINKS = ("<a href='/p/1.html'>", "</a>", "<li>", "<a href=''>x</a>")
BLOCKS = frozenset({"body", "div", "section", "aside", "nav", "ul", "ol", "dl", "li", "p", "a", "td",
                    "article"})


def _teasers(module: ModuleType, block: etree._Element) -> list[tuple[str, str]]:
    tree = block.getroottree()
    return [(tree.getpath(anchor), text) for anchor, text in module.teasers(block)]


def _blocks(root: etree._Element) -> list[etree._Element]:
    return [element for element in root.iter(etree.Element) if element.tag in BLOCKS]


def test_the_compiled_walk_reads_every_block_of_every_fixture_page_as_the_python_module_does() -> None:
    for page in FIXTURES:
        for block in _blocks(body_of(page.read_bytes())):
            assert _teasers(compiled, block) == _teasers(SOURCE, block), page.name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(markup, st.sampled_from(LINKS)), max_size=8).map("".join))
def test_the_compiled_walk_reads_any_markup_as_the_python_module_does(html: str) -> None:
    body = body_of(f"<html><body>{html}</body></html>")
    for block in (body, *_blocks(body)):
        assert _teasers(compiled, block) == _teasers(SOURCE, block)


def test_an_xml_tree_s_comments_instructions_entities_and_namespaces_are_read_as_lxml_has_them() -> None:
    root = etree.fromstring(
        '<!DOCTYPE d [<!ENTITY more "more">]><div xmlns:x="urn:x"><div>Lead &more; <!-- c --><?pi x?>'
        '<h3><a href="/1">First</a></h3>tail <![CDATA[data]]><x:a href="/x">not a link</x:a></div>'
        '<div><a href="&more;">Second</a><!-- c --><p>after a comment</p></div><p>Third card</p></div>',
        etree.XMLParser(resolve_entities=False))
    for block in _blocks(root):
        assert _teasers(compiled, block) == _teasers(SOURCE, block)
    assert _teasers(compiled, root) == [("/div/div[1]/h3/a", "Lead tail data not a link"),
                                        ("/div/div[2]/a", "after a comment Third card")]


def test_each_list_item_is_an_entry_led_by_its_first_link_with_text() -> None:
    block = body_of("<ul><li><a href='/i'><img></a><a href='/1'>One</a> beside</li><li>no link</li>"
                    "<li><a href='/2'></a></li></ul>").find("ul")
    assert _teasers(compiled, block) == [("/html/body/ul/li[1]/a[2]", "beside"),
                                         ("/html/body/ul/li[3]/a", "")]


def test_the_link_less_siblings_after_an_entry_are_its_teaser() -> None:
    block = body_of("<dl><dt><a href='/1'>One</a></dt><dd>About one.</dd><dd>More.</dd>"
                    "<dt><a href='/2'>Two</a></dt><dd>About two.</dd></dl>").find("dl")
    assert [text for _, text in compiled.teasers(block)] == ["About one. More.", "About two."]


def test_a_card_s_text_leaves_out_the_part_that_holds_its_link() -> None:
    block = body_of("<section><div class='card'><h3><a href='/1'>Title</a></h3><p>Snippet...</p>"
                    "<span>3 min</span></div><div><a href='/2'>Other</a></div></section>").find("section")
    assert [text for _, text in compiled.teasers(block)] == ["Snippet... 3 min", ""]


def test_a_block_that_is_one_link_takes_no_text_from_around_it() -> None:
    body = body_of("<div><a href='/1'>Only</a><p>Not its teaser</p></div>")
    assert [text for _, text in compiled.teasers(body.find("div/a"))] == [""]
