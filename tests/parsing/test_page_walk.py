"""The walks that look for a few elements of a page (``crawler.parsing.page_walk``): the
compiled walks over libxml2's nodes (``page_walk.pyx``) find what the Python module
finds, on every fixture page and on any markup."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import crawler.parsing.page_walk as compiled
from core.profiles import get_profile
from tests.fuzz.strategies import markup
from tests.parsing.twins import FIXTURES, body_of, source_twin

SETTINGS = settings(max_examples=200, deadline=None)
SOURCE = source_twin("page_walk")
GENERIC = get_profile("generic")
KEEPTO = get_profile("keepto")
TAGS = ("p", "li", "div", "span", "td", "dd", "dt", "strong", "b", "em", "label")
LABELS = (*GENERIC.prev_labels, *GENERIC.next_labels, *KEEPTO.prev_labels, *KEEPTO.next_labels)
SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
TEXTS = st.text(alphabet=f"<:：ab下{SPACES}", max_size=16)


def _path(element: etree._Element | None) -> str | None:
    return None if element is None else element.getroottree().getpath(element)


def _found(module: ModuleType, root: etree._Element, labels: tuple[str, ...] = LABELS) -> tuple[object, ...]:
    return (_path(module.marked_trail(root)), [_path(e) for e in module.labelled(root, TAGS, labels)],
            [_path(e) for e in module.short_texts(root, TAGS, 12, 2)],
            [_path(e) for e in module.short_texts(root, TAGS, 40, 4)],
            [module.holds_one_of(e, HELD) for e in root.iter(etree.Element)],
            [module.holds_several(e, HELD) for e in root.iter(etree.Element)],
            [module.out_of_sight(e) for e in root.iter(etree.Element)],
            [_linked(module, e) for e in root.iter(etree.Element)])


def _linked(module: ModuleType, element: etree._Element) -> tuple[int, list[tuple[int, str | None]]]:
    count, linked = module.linked_children(element, SKIPPED)
    return count, [(index, _path(child)) for index, child in linked]


HELD = frozenset({"a", "h2", "p"})
SKIPPED = frozenset({"script", "style", "noscript", "template"})


def test_the_compiled_walks_find_on_every_fixture_page_what_the_python_module_finds() -> None:
    for page in FIXTURES:
        root = body_of(page.read_bytes()).getroottree().getroot()
        assert _found(compiled, root) == _found(SOURCE, root), page.name


@SETTINGS
@given(st.lists(st.one_of(markup, st.sampled_from(LABELS), TEXTS), max_size=8).map("".join))
def test_the_compiled_walks_find_in_any_markup_what_the_python_module_finds(html: str) -> None:
    root = body_of(f"<html><body>{html}</body></html>").getroottree().getroot()
    for region in (root, *list(root.iter(etree.Element))[-2:]):  # the region itself is walked too
        assert _found(compiled, region) == _found(SOURCE, region)


def test_the_trail_is_the_first_element_marked_by_class_id_microdata_or_a_nav_label() -> None:
    pages = {
        "<div class='x'><ul CLASS='Site-BreadCrumbs'><li>a</li></ul></div>": "/html/body/div/ul",
        "<p id='top'></p><ol itemtype='https://schema.org/BreadcrumbList'></ol>": "/html/body/ol",
        "<div aria-label='breadcrumb'></div><nav aria-label='Here: Breadcrumb'></nav>": "/html/body/nav",
        "<div itemtype='breadcrumblist'></div><div class='crumbs'></div>": None,
    }
    for html, path in pages.items():
        root = body_of(f"<html><body>{html}</body></html>").getroottree().getroot()
        for module in (compiled, SOURCE):
            assert _path(module.marked_trail(root)) == path, html


def test_only_ascii_letters_are_folded_as_str_lower_folds_them() -> None:
    for value, marked in (("BREADCRUMB", True), ("bread\u212arumb", False), ("breadcrumb\u0130", True),
                          ("bre\u00e4dcrumb", False)):
        root = etree.fromstring(f"<r><a class='{value}'/></r>")
        for module in (compiled, SOURCE):
            assert (module.marked_trail(root) is not None) is marked, value


def test_an_attribute_holding_an_entity_reference_is_read_as_lxml_reads_it() -> None:
    xml = '<!DOCTYPE r [<!ENTITY b "bread">]><r><a class="&b;crumb"/><c id="breadcrumb"/></r>'
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    assert root[0].get("class") == "breadcrumb"
    for module in (compiled, SOURCE):
        assert module.marked_trail(root) is root[0]


def test_a_line_starts_with_its_label_after_any_leading_whitespace() -> None:
    body = body_of(f"<html><head><meta charset=utf-8></head><body><p>{SPACES}Next: <a href='/2'>Two</a></p>"
                   "<p>x Next:</p><div><span>Previous:</span></div><li>\u200bNext:</li></body></html>"
                   .encode())
    root = body.getroottree().getroot()
    for module in (compiled, SOURCE):
        assert [_path(e) for e in module.labelled(root, TAGS, ("Next:", "Previous:"))] == [
            "/html/body/p[1]", "/html/body/div/span"]


def test_a_text_split_over_nodes_is_read_whole() -> None:
    root = etree.fromstring("<r><p>  Ne<![CDATA[xt: here]]></p><p><![CDATA[Next]]>: too</p></r>")
    for module in (compiled, SOURCE):
        assert len(module.labelled(root, ("p",), ("Next:",))) == 2


def test_an_empty_label_starts_every_text_and_a_longer_one_needs_all_its_characters() -> None:
    root = etree.fromstring("<r><p>Nex</p><p>Next</p><p>  </p><p>上一篇: a</p></r>")
    for module in (compiled, SOURCE):
        assert [e.text for e in module.labelled(root, ("p",), ("Next",))] == ["Next"]
        assert [e.text for e in module.labelled(root, ("p",), ("Next", "上一篇"))] == ["Next", "上一篇: a"]
        assert [e.text for e in module.labelled(root, ("p",), ("x", ""))] == ["Nex", "Next", "上一篇: a"]


def test_tags_are_matched_as_lxml_iter_matches_them() -> None:
    root = etree.fromstring('<r xmlns:x="u"><P>Next: a</P><x:p>Next: b</x:p><p>Next: c</p></r>')
    for module in (compiled, SOURCE):
        assert [e.text for e in module.labelled(root, ("p",), ("Next:",))] == ["Next: c"]


def test_an_element_holds_what_it_is_or_has_below_it_at_any_depth() -> None:
    root = etree.fromstring('<r xmlns:x="u"><x:a/><div><span><p>deep</p></span></div><p/><P/></r>')
    for module in (compiled, SOURCE):
        assert [module.holds_one_of(e, frozenset({"p"})) for e in root.iter()] == [
            True, False, True, True, True, True, False]


def test_an_element_holds_several_when_it_and_what_is_below_it_make_two_or_more() -> None:
    root = etree.fromstring('<r xmlns:x="u"><x:p/><div><p>one</p></div><p><span><p/></span></p><P/></r>')
    for module in (compiled, SOURCE):
        assert [module.holds_several(e, frozenset({"p"})) for e in root.iter()] == [
            True, False, False, False, True, False, False, False]


@pytest.mark.parametrize(("html", "hidden"), [
    ("<h1>x</h1>", False),
    ("<h1 hidden>x</h1>", True),
    ('<div aria-hidden="true"><h1>x</h1></div>', True),
    ('<div aria-hidden="false"><h1>x</h1></div>', False),
    ('<div style="display: block"><h1>x</h1></div>', False),
    ('<div style="color: red; DISPLAY : none"><h1>x</h1></div>', True),
    ('<section style="visibility:hidden"><h1>x</h1></section>', True),
    ("<header><h1>x</h1></header>", True),
    ("<article><header><h1>x</h1></header></article>", False),
    ("<nav><main><h1>x</h1></main></nav>", True),  # the main element holds no chrome above it
    ("<header><article><aside><h1>x</h1></aside></article></header>", True),
    ("<main><footer><div><h1>x</h1></div></footer></main>", False),
])
def test_a_heading_is_out_of_sight_when_hidden_or_in_chrome_no_article_holds(html: str, hidden: bool) -> None:
    root = etree.fromstring(f"<html><body>{html}</body></html>", etree.HTMLParser())
    heading = next(root.iter("h1"))
    for module in (compiled, SOURCE):
        assert module.out_of_sight(heading) is hidden


def test_a_comment_or_processing_instruction_holds_nothing_whatever_its_name() -> None:
    root = etree.fromstring("<r><?p x?><!--c--></r>")
    for module in (compiled, SOURCE):
        assert [module.holds_one_of(node, frozenset({"p", "comment"})) for node in root] == [False, False]


def test_short_texts_leave_out_what_has_more_characters_and_more_words_than_a_label() -> None:
    texts = {"Related articles": True, "Related articles you may also like to read later today": False,
             "Supercalifragilisticexpialidocious-and-more": True, "a b c d e f": True,
             "Related : : : : : : : : : : : : : : : : :": True, "相关文章：" * 10: True}
    paragraphs = "".join(f"<p>{text}</p>" for text in texts) + "<p><b>Related</b></p><p></p>"
    body = body_of(f"<html><head><meta charset=utf-8></head><body>{paragraphs}</body></html>")
    kept = [text for text, short in texts.items() if short]
    for module in (compiled, SOURCE):
        assert [e.text for e in module.short_texts(body, ("p",), 40, 4)] == kept


def test_a_short_text_split_over_nodes_is_read_whole() -> None:
    root = etree.fromstring("<r><p>one two<![CDATA[ three four five six]]></p><p>x<![CDATA[y]]></p></r>")
    for module in (compiled, SOURCE):
        assert [e.text for e in module.short_texts(root, ("p",), 10, 4)] == ["xy"]


def test_only_the_spaces_and_colons_that_end_a_label_are_not_counted() -> None:
    body = body_of("<html><head><meta charset=utf-8></head><body><p> abcdefghi k : ：:\t</p>"
                   "<p>abcdefghi k l ::</p><p>abcdefghi :: k</p></body></html>".encode())
    for module in (compiled, SOURCE):
        assert [e.text for e in module.short_texts(body, ("p",), 12, 2)] == [" abcdefghi k : ：:\t"]


@SETTINGS
@given(st.binary(max_size=40), st.sampled_from([b"readcrumb", b"a", b""]))
def test_a_word_is_found_in_bytes_in_any_case_as_bytes_lower_finds_it(data: bytes, word: bytes) -> None:
    for source in (data, data + b"BreadCrumb" + data, data + b"READCRUM"):
        assert compiled.mentions(source, word) == SOURCE.mentions(source, word) == (word in source.lower())


def test_children_are_counted_without_skipped_tags_and_those_holding_a_link_kept_with_their_index() -> None:
    root = body_of("<div><p>text</p><script>x</script><p>see <a>this</a></p><!-- c --><a href='/1'>one</a>"
                   "<div><span><a>deep</a></span></div></div>").find("div")
    count, linked = compiled.linked_children(root, SKIPPED)
    assert (count, [(index, child.tag) for index, child in linked]) == (4, [(1, "p"), (2, "a"), (3, "div")])
