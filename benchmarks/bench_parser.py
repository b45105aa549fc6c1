"""Parser speed: ``parse_article`` beside the lxml parse floor, a naive BeautifulSoup
extraction of the same fields, and trafilatura, over the golden pages (~2,000 parses);
then the generic profile (no site hints) on the real pages of other health sites, beside
the floor and trafilatura on the same pages.

Run: ``make bench-parser``. The machine is noisy, so the methods take turns round by
round (one round = every golden page once), and the best round of each method is
reported: ratios taken inside one run are what to quote.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import trafilatura
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.profiles import get_profile  # noqa: E402
from crawler.parsing import parse_article  # noqa: E402

GOLDEN = ROOT / "tests" / "fixtures" / "golden"
REAL = ROOT / "tests" / "fixtures" / "real-pages"
URL = "https://www.keepto.com/p/60636.html"
REAL_URL = "https://www.example.org/health/article"
GENERIC = get_profile("generic")


def lxml_floor(html: bytes) -> Any:
    return lxml.html.fromstring(html)


def healthcrawl(html: bytes) -> Any:
    return parse_article(html, URL)


def healthcrawl_generic(html: bytes) -> Any:
    return parse_article(html, REAL_URL, profile=GENERIC)


def naive_soup(html: bytes) -> dict[str, Any]:
    """What a first scraper writes: BeautifulSoup(html.parser) and find/find_all per field."""
    soup = BeautifulSoup(html, "html.parser")
    body = soup.find("div", id="article-content")
    paragraphs = [p.get_text(" ", strip=True) for p in body.find_all(["p", "li", "h2"])] if body else []
    recs = soup.find("div", class_="recommend")
    return {
        "title": soup.h1.get_text(strip=True) if soup.h1 else None,
        "paragraphs": paragraphs,
        "recommendations": [
            (li.a.get_text(strip=True), li.a.get("href"), li.get_text(" ", strip=True))
            for li in (recs.find_all("li") if recs else []) if li.a
        ],
        "breadcrumbs": [a.get_text(strip=True) for a in soup.select("div.position a")],
        "prev_next": [p.get_text(" ", strip=True) for p in soup.select("div.prenext p")],
        "time": soup.select_one("span.time").get_text() if soup.select_one("span.time") else None,
    }


def trafilatura_extract(html: bytes) -> Any:
    return trafilatura.extract(html, url=URL)


METHODS: dict[str, Callable[[bytes], Any]] = {
    "lxml.html.fromstring (floor)": lxml_floor,
    "healthcrawl parse_article": healthcrawl,
    "BeautifulSoup(html.parser) naive": naive_soup,
    "trafilatura.extract": trafilatura_extract,
}


GENERIC_METHODS: dict[str, Callable[[bytes], Any]] = {
    "lxml.html.fromstring (floor)": lxml_floor,
    "healthcrawl parse_article, generic profile": healthcrawl_generic,
    "trafilatura.extract": trafilatura_extract,
}


def measure(pages: list[bytes], parses: int,
            methods: dict[str, Callable[[bytes], Any]] = METHODS) -> dict[str, float]:
    """Best seconds per page of each method over rounds of one pass through ``pages``."""
    rounds = max(1, parses // len(pages))
    best = dict.fromkeys(methods, float("inf"))
    for _ in range(rounds):
        for name, method in methods.items():
            started = time.perf_counter()
            for page in pages:
                method(page)
            best[name] = min(best[name], (time.perf_counter() - started) / len(pages))
    return best


def instructions_per_page(method: str, pages: int, rounds: int = 3) -> float:
    """Instructions per page of ``method`` counted by callgrind: unlike seconds, the same
    on a busy machine. The cost of starting Python is measured apart and taken off."""
    def collected(name: str) -> int:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
             __file__, "--run", name, "--parses", str(rounds * pages)],
            capture_output=True, text=True, check=True)
        return int(re.search(r"Collected : (\d+)", done.stderr).group(1))  # type: ignore[union-attr]

    return (collected(method) - collected("none")) / (rounds * pages)


def run_only(name: str, parses: int) -> None:
    """The body of one callgrind measurement: every method warmed, then ``name`` alone."""
    pages = [p.read_bytes() for p in sorted(GOLDEN.glob("*.html"))]
    for method in METHODS.values():
        method(pages[0])
    chosen = METHODS.get(name)
    for index in range(parses if chosen else 0):
        chosen(pages[index % len(pages)])  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parses", type=int, default=2000, help="parses per method (default 2000)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        return run_only(args.run, args.parses)
    pages = [p.read_bytes() for p in sorted(GOLDEN.glob("*.html"))]
    for method in METHODS.values():  # warm imports and caches once
        method(pages[0])
    best = measure(pages, args.parses)
    floor = best["lxml.html.fromstring (floor)"]
    ours = best["healthcrawl parse_article"]
    kb = sum(map(len, pages)) / len(pages) / 1024
    print(f"{len(pages)} golden pages (mean {kb:.1f} KB), {args.parses} parses per method, "
          "methods take turns by round, best round\n")
    print("| method | ms/page | pages/s | vs lxml floor | vs healthcrawl |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, seconds in best.items():
        print(f"| {name} | {seconds * 1000:.3f} | {1 / seconds:,.0f} | {seconds / floor:.2f}x "
              f"| {seconds / ours:.2f}x |")
    if shutil.which("valgrind"):
        floor_ins = instructions_per_page("lxml.html.fromstring (floor)", len(pages))
        ours_ins = instructions_per_page("healthcrawl parse_article", len(pages))
        print(f"\ninstructions per page (callgrind): lxml floor {floor_ins / 1e6:.2f} M, "
              f"parse_article {ours_ins / 1e6:.2f} M: {ours_ins / floor_ins:.2f}x")
    real = [p.read_bytes() for p in sorted(REAL.glob("*.html"))]
    generic = measure(real, max(len(real), args.parses // 10), GENERIC_METHODS)
    real_floor = generic["lxml.html.fromstring (floor)"]
    kb = sum(map(len, real)) / len(real) / 1024
    print(f"\n{len(real)} real pages of other sites (mean {kb:.1f} KB), the generic profile, best round\n")
    print("| method | ms/page | vs lxml floor |")
    print("| --- | ---: | ---: |")
    for name, seconds in generic.items():
        print(f"| {name} | {seconds * 1000:.3f} | {seconds / real_floor:.2f}x |")
    print(f"\ntargets: parse_article <= 2.5x floor: {ours / floor:.2f}x "
          f"({'met' if ours / floor <= 2.5 else 'MISSED'}); "
          f">= 10x faster than naive BeautifulSoup: {best['BeautifulSoup(html.parser) naive'] / ours:.1f}x "
          f"({'met' if best['BeautifulSoup(html.parser) naive'] / ours >= 10 else 'MISSED'})")


if __name__ == "__main__":
    main()
