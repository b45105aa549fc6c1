"""The two word splits: counting words as a reader would, and tokens for MinHash."""

from __future__ import annotations

from core.text import count_words, normalize, word_tokens


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
