"""Text normalization and the two ways the project splits text into words.

``count_words`` counts words as a reader would (the record's ``word_count``);
``word_tokens`` gives the normalized words near-duplicate detection compares. Both treat
each CJK character as one word, since those scripts put no spaces between words, and
share one definition of which characters that is (``CJK_CHARACTERS``; tokens leave out
the compatibility ideographs NFKC has already mapped).
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARACTERS}]")
_VISIBLE = re.compile(f"[^\\s{_INVISIBLE_CHARACTERS}]")
"""A character ``normalize`` keeps other than a space: ``\\s`` is exactly the whitespace
``str.split`` splits on."""
_KANA_HAN_HANGUL = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
CJK_CHARACTERS = _KANA_HAN_HANGUL + "\uf900-\ufaff"
"""Kana, CJK ideographs (with extension A and compatibility ideographs) and Hangul, as a
regex character-class body."""
_CJK = re.compile(f"[{CJK_CHARACTERS}]")
_TOKEN = re.compile(f"[{_KANA_HAN_HANGUL}]|[^\\W_]+")
"""Tokens are taken after NFKC, which maps nearly every compatibility ideograph to its
unified one; the dozen it leaves stay inside word runs, as the MinHash signatures so far
were computed."""


_CONTROL_BYTES = bytes(range(0x20)) + b"\x7f"
_SCANNED_AS_BYTES = 100


def is_printable(text: str) -> bool:
    """``text.isprintable()``: no invisible character, no whitespace but the ASCII space.
    That method looks every character up in the Unicode tables; an ASCII text (a flag
    tells) is printable when it holds no control character, which one C pass over its
    bytes tells faster (compiled: 1.2 against 3.2 us for 1,000 characters). Below about
    100 characters the copies cost what the pass saves."""
    if len(text) > _SCANNED_AS_BYTES and text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _CONTROL_BYTES)) == len(data)
    return text.isprintable()


def normalize(text: str) -> str:
    """Drop zero-width and control characters; collapse every whitespace run (``&nbsp;``
    and U+3000 included) to one space; trim.

    ``str.split()`` splits on exactly the Unicode whitespace ``\\s`` matches, and is
    much cheaper than a regex substitution: this runs for every text node. Most text
    nodes are normalized already, which one scan tells: ``isprintable()`` is false for
    every invisible character and every whitespace character but the ASCII space.
    """
    if is_printable(text) and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # already normalized: no invisible character, no space but single ones
    if _INVISIBLE.search(text):  # inline, not strip_invisible(): this is the hot path
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def strip_invisible(text: str) -> str:
    """``text`` without zero-width and control characters (tabs and newlines stay)."""
    if _INVISIBLE.search(text):
        return _INVISIBLE.sub("", text)
    return text


def has_visible_text(text: str) -> bool:
    """``bool(normalize(text))``, found at the first visible character instead of after
    building the normalized string: a check that runs at every level of deep markup."""
    return _VISIBLE.search(text) is not None


def count_words(text: str) -> int:
    """Whitespace-separated tokens, each CJK character counting as one."""
    if text.isascii() or _CJK.search(text) is None:  # isascii reads a flag: no scan
        return len(text.split())
    return len(_CJK.findall(text)) + len(_CJK.sub(" ", text).split())


def count_paragraph_words(paragraphs: list[str]) -> int:
    """``count_words`` of normalized ``paragraphs`` (each a ``normalize`` result, or such
    results joined by blank lines, as a section's text is), counted by their separators:
    in normalized text every word but the last is followed by one space or one blank line,
    so nothing need be split."""
    text = " ".join([paragraph for paragraph in paragraphs if paragraph])
    if not text:
        return 0
    if text.isascii() or _CJK.search(text) is None:  # newlines come only in blank lines
        return text.count(" ") + text.count("\n") // 2 + 1
    return count_words(text)


def word_tokens(text: str) -> list[str]:
    """The text's words after NFKC and lowercasing, punctuation dropped; each CJK
    character is one word."""
    if not text.isascii():  # NFKC leaves ASCII as it is: skip the pass over most texts
        text = unicodedata.normalize("NFKC", text)
    return _TOKEN.findall(text.lower())
