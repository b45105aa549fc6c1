"""Inputs the fuzzer (``make fuzz``) found the parser failing on, one test each, smallest
form first. Each failed before its fix."""

from __future__ import annotations

from crawler.parsing import parse_article

URL = "https://www.example.com/health/1.html"


def test_control_character_after_the_headline_is_dropped_not_raised() -> None:
    # The generic profile cuts the page above the headline from a copy, moving the text
    # after it; lxml kept the page's U+0001 but refused it when the text was set back.
    record = parse_article(b"<html><body><h1>T</h1>\x01<p>text</p></body></html>", URL)
    assert record.title == "T"
    assert record.summary == "text"


def test_control_character_after_a_chrome_box_is_dropped_not_raised() -> None:
    record = parse_article('<html><body class="share"></body>\x1f', URL)
    assert record.summary is None


def test_noncharacter_after_a_chrome_box_is_dropped_not_raised() -> None:
    html = ('<html><head><meta charset="utf-8"></head><body><h1>T</h1><p>Kept text.</p>'
            '<div class="share">x</div>\uffff<p>More text.</p></body></html>').encode()
    record = parse_article(html, URL)
    assert record.summary == "Kept text.\n\nMore text."
