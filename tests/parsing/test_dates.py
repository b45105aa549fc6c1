"""Dates with month names (``crawler.parsing.dates``): the month names are searched as a
tree of their letters, which must find exactly what their alternation, longest first,
finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parsing.dates import _MONTH, _MONTHS, _NAMED_DATES, iso_date

_ALTERNATION = "|".join(sorted(_MONTHS, key=len, reverse=True))
_BY_ALTERNATION = [re.compile(pattern.pattern.replace(_MONTH, _ALTERNATION), pattern.flags)
                   for pattern in _NAMED_DATES]

_PIECES = st.one_of(st.sampled_from(sorted(_MONTHS)), st.sampled_from(sorted(_MONTHS)).map(str.upper),
                    st.sampled_from([" ", ". ", ", ", "1", "14", "2023", "th ", "de ", "at 10:21", "pm", "ſ",
                                     "K", "x", "-", "_", "é"]))


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, dict[str, str | None]]]:
    return [(m.start(), m.end(), m.groupdict()) for m in pattern.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=10).map("".join))
def test_the_month_tree_finds_what_the_longest_first_alternation_finds(text: str) -> None:
    for tree, alternation in zip(_NAMED_DATES, _BY_ALTERNATION, strict=True):
        assert _matches(tree, text) == _matches(alternation, text)


def test_a_byline_date_with_a_month_name_is_read() -> None:
    assert iso_date("Published on Sept. 5, 2019 at 7:38 p.m.") == "2019-09-05T19:38:00"
    assert iso_date("14 de marzo de 2023") == "2023-03-14"
