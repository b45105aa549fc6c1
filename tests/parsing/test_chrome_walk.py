"""The walk for the generic profile's chrome boxes (``crawler.parsing.chrome_walk``): the
compiled walk over libxml2's nodes (``chrome_walk.pyx``) finds what the Python module
finds, in the same order, asking the same questions."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import crawler.parsing.chrome_walk as compiled
from crawler.parsing.chrome import ChromeRule
from crawler.parsing.generic import _BOX_CHROME
from crawler.parsing.rules import CHROME_BOX_TAGS
from tests.fuzz.strategies import markup
from tests.parsing.twins import FIXTURES, body_of, source_twin

SOURCE = source_twin("chrome_walk")


def _walk(module: ModuleType, body: etree._Element,
          rule: ChromeRule | None = None) -> tuple[list[str], list[str]]:
    """The boxes found, and every question asked: the class and id searched, the heading
    read (by its path)."""
    tree = body.getroottree()
    asked: list[str] = []

    def marked(marks: str) -> bool:
        asked.append(marks)
        return "share" in marks or marks.endswith(" related")

    def heading_boxes(heading: etree._Element) -> list[etree._Element]:
        asked.append(tree.getpath(heading))
        parent = heading.getparent()
        return [parent] if parent is not None and "Related" in (heading.text or "") else []

    rule = rule or ChromeRule(CHROME_BOX_TAGS, marked, by_tag={"form": lambda marks: "form" in marks})
    return [tree.getpath(box) for box in module.chrome_boxes(body, rule, heading_boxes)], asked


def test_the_compiled_walk_finds_every_fixture_page_s_boxes_as_the_python_module_does() -> None:
    for page in FIXTURES:
        body = body_of(page.read_bytes())
        assert _walk(compiled, body)[0] == _walk(SOURCE, body)[0], page.name


def test_the_compiled_walk_finds_every_fixture_page_s_boxes_by_the_generic_rule_as_python_does() -> None:
    for page in FIXTURES:
        body = body_of(page.read_bytes())
        assert _walk(compiled, body, _BOX_CHROME) == _walk(SOURCE, body, _BOX_CHROME), page.name


@settings(max_examples=150, deadline=None)
@given(st.lists(markup, max_size=8).map("".join))
def test_the_compiled_walk_finds_the_boxes_of_any_markup_as_the_python_module_does(html: str) -> None:
    body = body_of(f"<html><body>{html}<div class='share'>x</div><h2>Related</h2>"
                   "<form class='share'>y</form><form id='form'>z</form></body></html>")
    assert _walk(compiled, body) == _walk(SOURCE, body)


def test_boxes_are_outermost_and_in_document_order() -> None:
    body = body_of(PAGE)
    for module in (compiled, SOURCE):
        assert _walk(module, body)[0] == ["/html/body/div/p[1]/span", "/html/body/div/nav",
                                          "/html/body/div/div", "/html/body/div"]


def test_the_class_and_id_are_searched_lowercased_and_only_when_an_element_has_either() -> None:
    for module in (compiled, SOURCE):
        assert _walk(module, body_of(PAGE))[1] == ["share ", " related", "/html/body/div/h3"]


def test_a_tag_with_its_own_search_is_chrome_by_that_search_alone() -> None:
    body = body_of("<html><body><form class='share'>a</form><form ID='Form'>b</form></body></html>")
    for module in (compiled, SOURCE):
        assert _walk(module, body) == (["/html/body/form[2]"], [])  # the general search is never asked


PAGE = ("<html><body><div><p>Text <span class='Share'>share</span></p><nav>menu</nav>"
        "<div id='related'><p>a</p></div><h3>Related reading</h3><p class=''>x</p></div></body></html>")


def test_a_rule_keeps_the_tags_it_was_made_with() -> None:
    by_tag: dict[str, Callable[[str], bool] | None] = {}
    rule = ChromeRule(frozenset(), lambda marks: "share" in marks, by_tag=by_tag)
    body = body_of("<html><body><form class='share'>a</form></body></html>")
    by_tag["form"] = None
    for module in (compiled, SOURCE):
        assert _walk(module, body, rule)[0] == ["/html/body/form"]
