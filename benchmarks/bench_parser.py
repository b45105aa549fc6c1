"""Parser speed: ``parse_article`` beside the lxml parse floor, a naive BeautifulSoup
extraction of the same fields, and trafilatura, over the golden pages (~2,000 parses);
then the generic profile (no site hints) on the real pages of other health sites, beside
the floor and trafilatura on the same pages; then both profiles on long articles: demo
sites in both layouts whose articles run from 5 to 80 blocks, cost against page weight and
block count, and the generic parse as the crawl runs it (``parse_page``, which also types
the page and lists the links to follow).

Run: ``make bench-parser``; ``--instructions`` counts instructions a page instead
(callgrind), the figure to compare two builds by. The machine is noisy, so the methods
take turns round by round (one round = every golden page once), and the best round of
each method is reported: ratios taken inside one run are what to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.native import PURE_PYTHON_VARIABLE, compiled_dir  # noqa: E402
from core.profiles import get_profile  # noqa: E402
from crawler.demo_site.generator import generate_site  # noqa: E402
from crawler.parsing import parse_article, parse_page  # noqa: E402

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


LONG_BLOCKS = (5, 80)
LONG_PAGES = 200
BLOCK_BUCKETS = ((5, 20), (21, 40), (41, 60), (61, 80))


@dataclass(frozen=True)
class DemoPage:
    html: bytes
    url: str
    blocks: int


LONG_LAYOUTS = ("keepto", "magazine")


def generate_long_sites(workdir: Path) -> None:
    """Demo sites in each of :data:`LONG_LAYOUTS` whose articles have bodies of 5-80 blocks."""
    for layout in LONG_LAYOUTS:
        generate_site(workdir / layout, pages=LONG_PAGES, layout=layout, article_blocks=LONG_BLOCKS)


def long_articles(layout: str, workdir: Path) -> list[DemoPage]:
    """The original articles of the long-article site in ``layout`` (:func:`generate_long_sites`)."""
    site = workdir / layout
    pages = []
    for line in (site / "truth" / "records.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["kind"] == "original":
            html = (site / "www" / urlsplit(entry["url"]).path.lstrip("/")).read_bytes()
            pages.append(DemoPage(html, entry["url"], _blocks(entry["expected"])))
    return pages


def _blocks(record: dict[str, Any]) -> int:
    """Blocks of a record as the generator counts them: summary paragraphs, and per
    section its heading, paragraphs and items."""
    def paragraphs(text: str | None) -> int:
        return len([part for part in (text or "").split("\n\n") if part])
    return paragraphs(record["summary"]) + sum(
        1 + paragraphs(section["text"]) + len(section["items"]) for section in record["sections"])


LONG_METHODS: dict[str, Callable[[DemoPage], Any]] = {
    "floor": lambda page: lxml.html.fromstring(page.html),
    "site profile": lambda page: parse_article(page.html, page.url),
    "generic": lambda page: parse_article(page.html, page.url, profile=GENERIC),
}


def _long_methods(layout: str) -> dict[str, Callable[[DemoPage], Any]]:
    """The magazine layout has no profile of its own."""
    return {name: method for name, method in LONG_METHODS.items()
            if layout == "keepto" or name != "site profile"}


def report_compiled(workdir: Path, rounds: int = 3) -> None:
    """The parser's compiled build (``core/native.py``) beside its sources
    (``HEALTHCRAWL_PURE_PYTHON=1``) on the long articles: one interpreter per measurement,
    the two taking turns ``rounds`` times, the best of each kept."""
    if compiled_dir() is None:
        print("\nno compiled build of these sources (scripts/build_native.py): the parse ran as pure Python")
        return
    best: dict[str, dict[str, float]] = {"pure Python": {}, "compiled": {}}
    for turn in range(rounds):
        for mode in (("pure Python", "compiled") if turn % 2 == 0 else ("compiled", "pure Python")):
            env = {**os.environ, PURE_PYTHON_VARIABLE: "1" if mode == "pure Python" else ""}
            done = subprocess.run([sys.executable, __file__, "--long-child", str(workdir)], env=env,
                                  capture_output=True, text=True, check=True)
            for name, seconds in json.loads(done.stdout).items():
                best[mode][name] = min(best[mode].get(name, float("inf")), seconds)
    print(f"\ncompiled (mypyc) beside pure Python on the long articles, {rounds} turns each, best turn\n")
    print("| layout, method | pure Python ms | vs floor | compiled ms | vs floor | compiled / pure |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, pure in best["pure Python"].items():
        layout = name.split(",")[0]
        if name.endswith("floor"):
            continue
        compiled = best["compiled"][name]
        floor = f"{layout}, floor"
        pure_floor, compiled_floor = best["pure Python"][floor], best["compiled"][floor]
        print(f"| {name} | {pure * 1000:.3f} | {pure / pure_floor:.2f}x | {compiled * 1000:.3f} "
              f"| {compiled / compiled_floor:.2f}x | {compiled / pure:.2f}x |")


def long_child(workdir: Path) -> None:
    """One measurement of :func:`report_compiled`: best seconds a page of every long-article
    method, as JSON."""
    best: dict[str, float] = {}
    for layout in LONG_LAYOUTS:
        pages = long_articles(layout, workdir)
        best.update({f"{layout}, {name}": seconds for name, seconds
                     in measure(pages, 3 * len(pages), _long_methods(layout)).items()})
    print(json.dumps(best))


def report_long_articles(parses: int, workdir: Path) -> dict[str, float]:
    """Both profiles beside the floor on long demo articles, per block-count bucket (the
    magazine layout has no profile); returns each profile's whole-corpus ratio to the floor,
    the best of ``parses`` parses a method (about ten rounds: fewer swung by 5% run to run)."""
    ratios: dict[str, float] = {}
    for layout in LONG_LAYOUTS:
        pages = long_articles(layout, workdir)
        methods = _long_methods(layout)
        print(f"\n{layout} layout, {len(pages)} original articles of {LONG_BLOCKS[0]}-{LONG_BLOCKS[1]} "
              f"blocks ({_kb(pages):.1f} KB, {sum(p.blocks for p in pages) / len(pages):.1f} blocks "
              "a page), best round\n")
        print("| blocks | pages | KB | floor ms | site profile ms | vs floor | generic ms | vs floor |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for low, high in BLOCK_BUCKETS:
            group = [page for page in pages if low <= page.blocks <= high]
            if group:
                _long_row(f"{low}-{high}", group, measure(group, max(len(group), parses // 8), methods))
        best = measure(pages, parses, methods)
        _long_row("all", pages, best)
        ratios.update({f"{layout}, {name}": seconds / best["floor"]
                       for name, seconds in best.items() if name != "floor"})
    return ratios


def report_crawl_parse(parses: int, workdir: Path) -> None:
    """The generic profile's parse as the crawl runs it (``parse_page``, which also reads
    the page type and the links to follow) beside ``parse_article`` (the record alone),
    on each long-article layout."""
    print("\nthe crawl's parse (parse_page) beside parse_article, generic profile, best round\n")
    print("| layout | floor ms | parse_article ms | vs floor | parse_page ms | vs floor |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for layout in LONG_LAYOUTS:
        pages = long_articles(layout, workdir)
        best = measure(pages, parses, {
            "floor": LONG_METHODS["floor"], "article": LONG_METHODS["generic"],
            "page": lambda page: parse_page(page.html, page.url, profile=GENERIC)})
        floor, article, page = best["floor"], best["article"], best["page"]
        print(f"| {layout} | {floor * 1000:.3f} | {article * 1000:.3f} | {article / floor:.2f}x "
              f"| {page * 1000:.3f} | {page / floor:.2f}x |")


def _kb(pages: list[DemoPage]) -> float:
    return sum(len(page.html) for page in pages) / len(pages) / 1024


def _long_row(label: str, pages: list[DemoPage], best: dict[str, float]) -> None:
    floor, generic, profiled = best["floor"], best["generic"], best.get("site profile")
    site = "- | -" if profiled is None else f"{profiled * 1000:.3f} | {profiled / floor:.2f}x"
    print(f"| {label} | {len(pages)} | {_kb(pages):.1f} | {floor * 1000:.3f} | {site} "
          f"| {generic * 1000:.3f} | {generic / floor:.2f}x |")


def measure(pages: list[Any], parses: int,
            methods: dict[str, Callable[[Any], Any]] = METHODS) -> dict[str, float]:
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


def collected(*arguments: str, env: dict[str, str] | None = None) -> int:
    """Instructions callgrind counts in this script run with ``arguments``."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
         *arguments], capture_output=True, text=True, check=True, env=env)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))  # type: ignore[union-attr]


def instructions_per_page(method: str, pages: int, rounds: int = 3) -> float:
    """Instructions per page of ``method`` counted by callgrind: unlike seconds, the same
    on a busy machine. The cost of starting Python is measured apart and taken off."""
    parses = str(rounds * pages)
    return (collected("--run", method, "--parses", parses) - collected("--run", "none", "--parses", parses)) \
        / (rounds * pages)


COUNTED_PAGES = 40


def _corpus(name: str, workdir: Path) -> list[DemoPage]:
    """The golden pages, or the long articles of a layout (:func:`generate_long_sites`)."""
    if name == "golden":
        return [DemoPage(path.read_bytes(), URL, 0) for path in sorted(GOLDEN.glob("*.html"))]
    return long_articles(name, workdir)


def count_child(workdir: Path, corpus: str, method: str, times: int) -> None:
    """The body of one :func:`report_instructions` count: every method warmed on one page,
    then ``method`` over the corpus's first :data:`COUNTED_PAGES` pages ``times`` times."""
    pages = _corpus(corpus, workdir)[:COUNTED_PAGES]
    for warm in LONG_METHODS.values():
        warm(pages[0])
    for _ in range(times):
        for page in pages:
            LONG_METHODS[method](page)


def report_instructions(workdir: Path) -> None:
    """Instructions a page (callgrind) of each profile and the floor, on the golden pages
    and the long articles: the steady figure on a noisy machine, for comparing two builds
    side by side. Start-up and imports are taken off by counting each corpus parsed once
    and three times; the hash seed is fixed, since set and dict order moves the count by
    up to 2% otherwise."""
    print(f"\ninstructions a page (callgrind, PYTHONHASHSEED=0, {COUNTED_PAGES} pages parsed once "
          "and three times, the difference divided)\n")
    print("| corpus | method | instructions a page | vs floor |")
    print("| --- | --- | ---: | ---: |")
    env = {**os.environ, "PYTHONHASHSEED": "0"}

    # Once outside callgrind first: a module compiled to bytecode by the first count only
    # would be counted against it.
    subprocess.run([sys.executable, __file__, "--count-child", str(workdir), "golden", "floor", "0"],
                   check=True, env=env)
    for corpus in ("golden", *LONG_LAYOUTS):
        pages = min(COUNTED_PAGES, len(_corpus(corpus, workdir)))
        child = ("--count-child", str(workdir), corpus)
        counts = {method: (collected(*child, method, "3", env=env) - collected(*child, method, "1", env=env))
                  / (2 * pages) for method in _long_methods("keepto" if corpus == "golden" else corpus)}
        for method, count in counts.items():
            print(f"| {corpus} | {method} | {count / 1e6:.3f} M | {count / counts['floor']:.2f}x |")


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
    parser.add_argument("--long-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count-child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--instructions", action="store_true",
                        help="only count instructions a page with callgrind (steady on a noisy machine)")
    args = parser.parse_args()
    if args.count_child:
        workdir, corpus, method, times = args.count_child
        return count_child(Path(workdir), corpus, method, int(times))
    if args.instructions:
        if not shutil.which("valgrind"):
            parser.error("--instructions needs valgrind (apt-get install valgrind)")
        with tempfile.TemporaryDirectory() as tmp:
            generate_long_sites(Path(tmp))
            return report_instructions(Path(tmp))
    if args.run:
        return run_only(args.run, args.parses)
    if args.long_child:
        return long_child(args.long_child)
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
    with tempfile.TemporaryDirectory() as tmp:
        generate_long_sites(Path(tmp))
        long = report_long_articles(args.parses, Path(tmp))
        report_crawl_parse(args.parses, Path(tmp))
        report_compiled(Path(tmp))
    print(f"\ntargets: parse_article <= 2.5x floor: {ours / floor:.2f}x "
          f"({'met' if ours / floor <= 2.5 else 'MISSED'}); "
          f">= 10x faster than naive BeautifulSoup: {best['BeautifulSoup(html.parser) naive'] / ours:.1f}x "
          f"({'met' if best['BeautifulSoup(html.parser) naive'] / ours >= 10 else 'MISSED'}); "
          f"on long articles, site profile <= 2.5x: {long['keepto, site profile']:.2f}x "
          f"({'met' if long['keepto, site profile'] <= 2.5 else 'MISSED'}), generic <= 4x: "
          + ", ".join(f"{name.split(',')[0]} {ratio:.2f}x ({'met' if ratio <= 4 else 'MISSED'})"
                      for name, ratio in long.items() if name.endswith("generic")))


if __name__ == "__main__":
    main()
