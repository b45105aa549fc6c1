"""The two word splits: counting words as a reader would, and tokens for MinHash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import count_paragraph_words, count_words, is_printable, normalize, word_tokens


def test_count_words_counts_each_cjk_character_and_each_spaced_word() -> None:
    assert count_words("洗手 wash hands") == 4
    assert count_words("山﨑さん") == 4  # compatibility ideographs count too


def test_word_tokens_fold_case_and_width_and_drop_punctuation() -> None:
    assert word_tokens("Ｆever 发烧了, OK") == ["fever", "发", "烧", "了", "ok"]


def test_word_tokens_keep_a_compatibility_ideograph_nfkc_leaves_inside_its_run() -> None:
    # As the signatures computed so far saw it: U+FA11 has no NFKC mapping.
    assert word_tokens("山﨑さんの話") == ["山", "﨑さんの話"]


def test_normalize_drops_invisible_characters_and_collapses_whitespace() -> None:
    assert normalize("  wash\u200b\u00a0 hands\u3000 ") == "wash hands"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=" \t\n\x0b\x1f\u00a0\u3000\u200b\ufeffab中.", max_size=10),
                         max_size=3), max_size=4))
def test_paragraph_words_are_the_words_of_the_normalized_paragraphs(raw: list[list[str]]) -> None:
    paragraphs = ["\n\n".join(p for p in map(normalize, lines) if p) for lines in raw]
    assert count_paragraph_words(paragraphs) == count_words(" ".join(paragraphs))


INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\x7f",
             *map(chr, range(0x00, 0x09)), "\x0b", "\x0c", *map(chr, range(0x0e, 0x20))}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1f\x7f\x85\u00a0\u00ad\u2028\u3000\u200b\u2060\ufeffab中.",
               max_size=12))
def test_normalize_drops_invisible_characters_then_joins_the_words_with_single_spaces(text: str) -> None:
    visible = "".join(c for c in text if c not in INVISIBLE)
    assert normalize(text) == " ".join(visible.split())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", " ", "~", "\x00", "\t", "\n", "\x1f", "\x7f", "\x80", "\u00a0",
                                         "\u200b", "\u3000", "中"]), max_size=200))
def test_is_printable_is_what_str_isprintable_says_of_short_and_long_texts(text: str) -> None:
    assert is_printable(text) == text.isprintable()
    assert is_printable("a" * 120 + text) == ("a" * 120 + text).isprintable()  # long: the ASCII scan
