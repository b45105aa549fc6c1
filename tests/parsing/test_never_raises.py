"""Property: the parser never raises on random or mutated HTML; it returns a record
(with warnings) for anything that is a document, and refuses only empty or binary input."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UnusableDocumentError
from core.records import ArticleRecord
from crawler.parsing import parse_article
from tests.parsing.golden import golden_names, golden_page

URL = "https://www.keepto.com/p/60636.html"
TAG = re.compile(rb"<[^<>]{0,200}>")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

pages = st.sampled_from(golden_names()).map(lambda name: golden_page(name).html)


def parse_or_refuse(data: str | bytes) -> ArticleRecord | None:
    """The record, or None when the parser refused the input as no document at all."""
    try:
        record = parse_article(data, URL)
    except UnusableDocumentError:
        return None
    assert isinstance(record.parse_warnings, list)
    assert all(isinstance(w, str) for w in record.parse_warnings)
    return record


@SETTINGS
@given(st.text(max_size=2000))
def test_random_text_never_raises(text: str) -> None:
    parse_or_refuse(text)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    parse_or_refuse(data)


@SETTINGS
@given(pages, st.data())
def test_golden_page_with_deleted_tags_never_raises(page: bytes, data: st.DataObject) -> None:
    tags = list(TAG.finditer(page))
    doomed = data.draw(st.sets(st.integers(0, len(tags) - 1), max_size=40))
    mutated = bytearray(page)
    for index in sorted(doomed, reverse=True):
        del mutated[tags[index].start():tags[index].end()]
    assert parse_or_refuse(bytes(mutated)) is not None


@SETTINGS
@given(pages, st.floats(0.0, 1.0))
def test_truncated_golden_page_warns_instead_of_raising(page: bytes, fraction: float) -> None:
    cut = page[: int(len(page) * fraction)]
    record = parse_or_refuse(cut)
    # The rule (docs/record-contract.md, "Parse warnings"): no "</html" in the page's tail.
    # A cut inside the closing tag's last character keeps it, and is no truncation.
    if record is not None and b"</html" not in cut:
        assert "truncated_html" in record.parse_warnings


@SETTINGS
@given(pages, st.randoms(use_true_random=False))
def test_golden_page_with_shuffled_blocks_never_raises(page: bytes, rnd: object) -> None:
    lines = page.split(b"\n")
    rnd.shuffle(lines)  # type: ignore[attr-defined]
    parse_or_refuse(b"\n".join(lines))


@SETTINGS
@given(pages, st.integers(1, 2_000_000), st.sampled_from([b"class", b"title", b"href", b"style"]))
def test_golden_page_with_huge_attribute_never_raises(page: bytes, size: int, name: bytes) -> None:
    mutated = page.replace(b"<p>", b"<p " + name + b'="' + b"x" * size + b'">', 1)
    assert parse_or_refuse(mutated) is not None


@SETTINGS
@given(st.recursive(
    st.text(alphabet="ab1.、(①- \n", max_size=20),
    lambda inner: st.tuples(
        st.sampled_from(["p", "div", "h2", "h3", "ol", "ul", "li", "strong", "br", "span"]),
        st.lists(inner, max_size=4),
    ).map(lambda t: f"<{t[0]}>{''.join(t[1])}</{t[0]}>"),
    max_leaves=30,
))
def test_random_nested_markup_never_raises(fragment: str) -> None:
    record = parse_or_refuse(f"<html><body><h1>T</h1>{fragment}</body></html>")
    assert record is not None and record.title == "T"
