"""The record's word count (``article._word_count``): ``core.text.count_words`` of the
article's texts, which it reads once more after the body is split.

The bootstrap also compiles ``words.pyx``, which counts the words in one C pass over the
strings' own characters, without joining them into a copy; when that build is there, the
package finds it before this module. Both give the same counts
(``tests/parsing/test_words.py``).
"""

from __future__ import annotations

from core.text import count_paragraph_words

__all__ = ["body_words"]
"""What the compiled twin (``words.pyx``) offers too."""


def body_words(texts: list[str]) -> int:
    """``core.text.count_words`` of ``texts`` joined by spaces: each text normalized
    (``core.text.normalize``), or normalized paragraphs joined by blank lines, as a
    section's text is."""
    return count_paragraph_words(texts)
