"""The walk for the generic profile's chrome boxes (``crawler.parsing.chrome_walk``): the
compiled walk over libxml2's nodes (``chrome_walk.pyx``) finds what the Python module
finds, in the same order, asking the same questions."""

from __future__ import annotations

from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import crawler.parsing.chrome_walk as compiled
from tests.fuzz.strategies import markup
from tests.parsing.twins import FIXTURES, body_of, source_twin

SOURCE = source_twin("chrome_walk")


def _walk(module: ModuleType, body: etree._Element) -> tuple[list[str], list[str]]:
    """The boxes found, and every element asked about, each named by its path."""
    tree = body.getroottree()
    asked: list[str] = []

    def marked(element: etree._Element) -> bool:
        asked.append(tree.getpath(element))
        return "share" in (element.get("class") or "") or element.get("id") == "related"

    def heading_boxes(heading: etree._Element) -> list[etree._Element]:
        asked.append(tree.getpath(heading))
        parent = heading.getparent()
        return [parent] if parent is not None and "Related" in (heading.text or "") else []

    return [tree.getpath(box) for box in module.chrome_boxes(body, marked, heading_boxes)], asked


def test_the_compiled_walk_finds_every_fixture_page_s_boxes_as_the_python_module_does() -> None:
    for page in FIXTURES:
        body = body_of(page.read_bytes())
        assert _walk(compiled, body)[0] == _walk(SOURCE, body)[0], page.name


@settings(max_examples=150, deadline=None)
@given(st.lists(markup, max_size=8).map("".join))
def test_the_compiled_walk_finds_the_boxes_of_any_markup_as_the_python_module_does(html: str) -> None:
    body = body_of(f"<html><body>{html}<div class='share'>x</div><h2>Related</h2></body></html>")
    assert _walk(compiled, body)[0] == _walk(SOURCE, body)[0]


def test_boxes_are_outermost_and_in_document_order() -> None:
    body = body_of(PAGE)
    for module in (compiled, SOURCE):
        assert _walk(module, body)[0] == ["/html/body/div/p[1]/span", "/html/body/div/nav",
                                          "/html/body/div/div", "/html/body/div"]


def test_the_compiled_walk_asks_only_elements_with_a_class_or_an_id_whether_they_are_marked() -> None:
    _, asked = _walk(compiled, body_of(PAGE))
    assert asked == ["/html/body/div/p[1]/span", "/html/body/div/div", "/html/body/div/h3",
                     "/html/body/div/p[2]"]


PAGE = ("<html><body><div><p>Text <span class='share'>share</span></p><nav>menu</nav>"
        "<div id='related'><p>a</p></div><h3>Related reading</h3><p class=''>x</p></div></body></html>")
