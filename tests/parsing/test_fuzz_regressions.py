"""Inputs the fuzzer (``make fuzz``) found the parser failing on, one test each, smallest
form first. Each failed before its fix."""

from __future__ import annotations

from core.profiles import get_profile
from crawler.parsing import parse_article

URL = "https://www.example.com/health/1.html"


def test_control_character_after_the_headline_is_dropped_not_raised() -> None:
    # The generic profile cuts the page above the headline from the article, moving the text
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


def test_densest_text_above_the_headline_goes_with_the_page_above_it() -> None:
    # Found by the shuffled-page test: the page above the headline is cut from the article
    # in place, the densest element with it, and the lead-in walk up from that element
    # must stop where the article ends instead of running off the detached subtree.
    story = "Fever is the body's answer to infection, and most fevers pass within three days. " * 3
    html = (f'<html><body><div id="page"><div class="story"><p>{story}</p><p>{story}</p>'
            f"<p>{story}</p></div><h1>Fever in children</h1><p>Call a doctor when a baby under "
            "three months has a fever of 38 degrees or more.</p></div></body></html>")
    record = parse_article(html.encode(), URL, profile=get_profile("generic"))
    assert record.title == "Fever in children"
    assert record.summary == "Call a doctor when a baby under three months has a fever of 38 degrees or more."
