"""Enumerators and bullets at the start of a line: recognise, strip, read the number.

Recognised: ``1.`` ``1、`` ``1)`` ``(1)`` ``（1）`` ``①`` ``一、`` ``（一）`` ``Step 1:`` and bullets
``•`` ``-`` ``*``. The style is kept so the heading/item rules can compare markup.
"""

from __future__ import annotations

import re

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_DIGITS = "0123456789"
_CHINESE_NUMERALS = "一二三四五六七八九十"
_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("step", "Ss", re.compile(r"^step\s*(\d{1,3})\s*[:：.、)-]\s*", re.IGNORECASE)),
    ("paren", "(（", re.compile(r"^[(（]\s*(\d{1,3})\s*[)）]\s*")),
    ("circled", _CIRCLED, re.compile(rf"^([{_CIRCLED}])\s*")),
    ("chinese", _CHINESE_NUMERALS, re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*")),
    ("chinese_paren", "(（", re.compile(r"^[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]\s*")),
    ("dot", _DIGITS, re.compile(r"^(\d{1,3})\s*[.．](?!\d)\s*")),
    ("comma", _DIGITS, re.compile(r"^(\d{1,3})\s*、\s*")),
    ("bracket", _DIGITS, re.compile(r"^(\d{1,3})\s*[)）]\s*")),
)
"""Each enumerator: its style, the characters it can start with, its pattern."""
_BULLETS = "•·●▪◦■□▶►-*–—"
"""The characters a bullet (:data:`_BULLET`) starts with."""
_BY_START: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    start: tuple((style, pattern) for style, starts, pattern in _PATTERNS if start in starts)
    for start in "".join(starts for _, starts, _ in _PATTERNS) + _BULLETS
}
"""The enumerators a line starting with a character may have, in :data:`_PATTERNS`'s order
(bullets have none): most lines are rejected on their first character, and an enumerated
one is matched against a pattern or two instead of all of them."""
_BULLET = re.compile(r"^(?:[•·●▪◦■□▶►]\s*|[-*–—]\s+)")


class Enumerated:
    """A line split into its enumerator and the rest. Read only. A plain class, not a
    dataclass: mypyc compiles a plain class's constructor (see ``blocks.Block``), and a
    page makes one for most of its list items."""

    __slots__ = ("number", "style", "rest")

    def __init__(self, number: int | None, style: str, rest: str) -> None:
        self.number = number
        """The enumerator's value; None for a bullet."""
        self.style = style
        """Which enumerator: dot, comma, bracket, paren, circled, chinese, step or bullet."""
        self.rest = rest
        """The line without its enumerator."""


def split_enumerator(line: str) -> Enumerated | None:
    """The enumerator or bullet that starts ``line``, or None if it has neither.

    A line that is nothing but an enumerator is not enumerated text.
    """
    candidates = _BY_START.get(line[:1])
    if candidates is None:
        return None
    for style, pattern in candidates:
        match = pattern.match(line)
        if match and match.end() < len(line):
            return Enumerated(_value(style, match.group(1)), style, line[match.end():])
    if line[0] not in _BULLETS:
        return None
    match = _BULLET.match(line)
    if match and match.end() < len(line):
        return Enumerated(None, "bullet", line[match.end():])
    return None


def strip_enumerator(line: str) -> str:
    """``line`` without a leading enumerator or bullet."""
    found = split_enumerator(line)
    return found.rest if found else line


def _value(style: str, token: str) -> int:
    if style == "circled":
        return _CIRCLED.index(token) + 1
    if style in ("chinese", "chinese_paren"):
        return _chinese_number(token)
    return int(token)


def _chinese_number(token: str) -> int:
    """一..九十九 (the values headings use): 十 alone is 10, 十三 13, 二十 20, 二十一 21."""
    if "十" not in token:
        return _CHINESE_DIGITS[token[0]]
    tens, _, units = token.partition("十")
    return (_CHINESE_DIGITS.get(tens, 1) if tens else 1) * 10 + (
        _CHINESE_DIGITS.get(units, 0) if units else 0
    )
