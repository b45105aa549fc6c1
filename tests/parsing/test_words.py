"""The record's word count (``crawler.parsing.words``): the compiled count
(``words.pyx``) gives what the Python module gives, ``core.text.count_words`` of the
texts joined by spaces, for every text the parser can make."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import crawler.parsing.words as compiled
from core.text import count_words, normalize
from crawler.parsing.article import parse_article
from tests.parsing.twins import FIXTURES, source_twin

SOURCE = source_twin("words")
WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
CJK_EDGES = ("\u303f\u3040\u30ff\u3100\u33ff\u3400\u4dbf\u4dc0\u4dff\u4e00\u9fff\ua000"
             "\uabff\uac00\ud7af\ud7b0\uf8ff\uf900\ufaff\ufb00")
"""The first and last character of each CJK range, and the characters beside them."""
TEXT = st.text(alphabet=st.sampled_from(f"ab é中한カ😀\u00a0{WHITESPACE}{CJK_EDGES}"), max_size=30)
PARAGRAPH = TEXT.map(normalize)
SECTION_TEXT = st.lists(PARAGRAPH.filter(bool), max_size=3).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PARAGRAPH, SECTION_TEXT), max_size=6))
def test_the_compiled_count_counts_normalized_texts_as_the_python_module_does(texts: list[str]) -> None:
    assert compiled.body_words(texts) == SOURCE.body_words(texts) == count_words(" ".join(texts))


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=6))
def test_the_compiled_count_counts_any_text_as_count_words_does(texts: list[str]) -> None:
    assert compiled.body_words(texts) == count_words(" ".join(texts))


def test_empty_texts_are_passed_over() -> None:
    for module in (compiled, SOURCE):
        assert module.body_words(["", "one two", "", "three"]) == 3


def test_each_cjk_character_is_a_word_and_the_range_edges_are_kept() -> None:
    for module in (compiled, SOURCE):
        assert module.body_words(["中文 text", "한국어"]) == 6
        # U+3040 and U+30FF are kana, a word each; U+303F and U+3100 beside them are no CJK
        # and no space, a word each too
        assert module.body_words(["\u303f\u3040\u30ff\u3100"]) == 4
        assert module.body_words(["a\u303fb\u3100c"]) == 1


def test_every_fixture_page_s_word_count_is_the_count_of_its_texts() -> None:
    for page in FIXTURES:
        record = parse_article(page.read_bytes(), "https://www.example.org/health/article")
        texts = [record.summary or "", *(s.text for s in record.sections),
                 *(item for s in record.sections for item in s.items)]
        assert record.word_count == SOURCE.body_words(texts) == count_words(" ".join(texts)), page.name
