"""Pathological pages, generated: what hostile or broken sites serve that no golden page
shows (issue 16: a 5 MB page, 200,000 nested elements, a 1 MB single line), and the
shapes that once made the parser's time grow with the square of the page.

``python -m tests.parsing.pathological NAME`` parses one page in a fresh process and
prints ``{"seconds", "max_rss_mb", "title", "warnings"}`` as JSON: the test runs it in a
subprocess, so a hang is cut off by a timeout and memory is the child's own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable

from crawler.parsing import parse_article

URL = "https://www.example.com/health/12345.html"
TITLE = "A pathological page"
MB = 1_000_000
SENTENCE = "Drink water often and sleep well to stay healthy every day. "
NESTED = 200_000
DEEPEST = 250
"""Just under libxml2's depth limit (256): as deep as a parsed tree gets."""


def page(body: str) -> bytes:
    return f"<html><head><title>t</title></head><body><h1>{TITLE}</h1>{body}</body></html>".encode()


def repeated(unit: str, size: int) -> str:
    """``unit`` repeated to about ``size`` characters."""
    return unit * (size // len(unit))


def nested(opening: str, closing: str, depth: int, inner: str) -> str:
    return opening * depth + inner + closing * depth


PAGES: dict[str, Callable[[], bytes]] = {
    # Size.
    "5 MB of paragraphs": lambda: page("<h2>Symptoms</h2>" + repeated(f"<p>{SENTENCE * 3}</p>\n", 5 * MB)),
    "5 MB list": lambda: page("<h2>Prevention</h2><ul>" + repeated("<li>Sleep well.</li>\n", 5 * MB)),
    # Depth: 200,000 elements nested, past the depth at which libxml2 stops.
    "200,000 nested div": lambda: page(nested("<div>", "</div>", NESTED, SENTENCE)),
    "200,000 nested span": lambda: page(nested("<span>", "</span>", NESTED, SENTENCE)),
    "200,000 nested lists": lambda: page(nested("<ul><li>", "</li></ul>", NESTED // 2, SENTENCE)),
    "200,000 unclosed li": lambda: page("<ul>" + "<li>x" * NESTED),
    "200,000 unclosed p": lambda: page("<p>x" * NESTED),
    # One line of 1 MB.
    "1 MB line of words": lambda: page("<p>" + repeated("word ", MB)),
    "1 MB word": lambda: page("<p>" + "x" * MB),
    "1 MB line of inline tags": lambda: page("<p>" + repeated("<b>w</b> <i>x</i> ", MB)),
    "1 MB line of numbered br lines": lambda: page("<div>" + repeated("1. item<br>", MB)),
    "1 MB line of recommended links": lambda: page(
        "<div><h3>Recommend</h3><span>" + repeated('<a href="/p/1.html">x</a>', MB)),
    # Shapes whose cost once grew with the square of their size.
    "5 MB nested paragraph text": lambda: page(
        nested(f"<blockquote>{SENTENCE * 330}", "</blockquote>", DEEPEST, "")),
    "1 MB under nested inline tags": lambda: page(
        "<p>" + nested("<span>", "</span>", DEEPEST, repeated(SENTENCE, MB))),
    "many paragraphs of deep inline tags": lambda: page(
        ("<p>" + nested("<span>", "</span>", DEEPEST, "x")) * 1000),
    "50,000 headings in boxes": lambda: page(
        "<article>" + "<div><h3>A heading</h3><p>Short.</p></div>" * 50_000),
    "50,000 chrome headings": lambda: page("<article>" + "<h3>Comments</h3><p>x</p>" * 50_000),
    "50,000 hidden h1 deep in the page": lambda: page(
        nested("<div>", "</div>", 200, "<h1 hidden>x</h1>" * 50_000)),
    "control characters around chrome": lambda: page(
        f"\x01<div class='share'>x</div>\x1f<p>{SENTENCE}</p>"),
}


def measure(name: str) -> dict[str, object]:
    html = PAGES[name]()
    start = time.perf_counter()
    record = parse_article(html, URL)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 3),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "title": record.title, "warnings": record.parse_warnings}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
