"""Gzipped pages decoded in the parse worker: a page that is not one whole gzip member
comes back and is decoded in the crawl's process by Scrapy's rules, so what is exported,
salvaged, redirected or refused is what Scrapy's decompression would give."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from crawler.middlewares.compression import DECODED_AFTER_ALL_STAT, LEFT_ENCODED_STAT
from tests.crawl.run_cli import CliRun, healthcrawl
from tests.crawl.scripted_server import Reply, ScriptedServer, scripted_server

WORDS = ["influenza", "prevention", "washing", "hands", "ventilation", "sleep", "diet", "exercise",
         "vaccine", "fever", "cough", "rest"]
GZIP = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
MAX_SIZE = 200_000


def article(title: str) -> bytes:
    rng = random.Random(title)
    prose = "".join(f"<p>{' '.join(rng.choice(WORDS) for _ in range(40))}.</p>" for _ in range(30))
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{prose}"
            "</article></body></html>").encode()


WHOLE = article("Flu prevention at home")
TWO_MEMBERS = article("Flu prevention at work")
CUT_SHORT = article("Flu prevention at school")
PAGES = {
    "/whole.html": WHOLE,
    "/two-members.html": TWO_MEMBERS,
    "/cut-short.html": CUT_SHORT,
    "/refresh.html": b'<html><head><meta http-equiv="refresh" content="0; url=/moved.html"></head></html>',
    "/moved.html": article("Flu prevention on the move"),
    "/lying.html": b"<html><body><p>" + b" " * (2 * MAX_SIZE),
    "/png.html": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00",
}


def gzipped(path: str) -> bytes:
    page = PAGES[path]
    if path == "/two-members.html":
        return gzip.compress(page[:5000]) + gzip.compress(page[5000:])
    if path == "/cut-short.html":
        whole = gzip.compress(page)
        return whole[: len(whole) * 3 // 4]
    if path == "/lying.html":  # over the size cap, but its trailer says 5,000 bytes
        return gzip.compress(page)[:-4] + (5000).to_bytes(4, "little")
    return gzip.compress(page)


@pytest.fixture(scope="module")
def gzip_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CliRun, ScriptedServer]:
    links = "".join(f'<a href="{path}">{path}</a>' for path in PAGES if path != "/moved.html")

    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return Reply(404)
        if path == "/":
            return Reply(200, f"<html><body><h1>Flu</h1>{links}</body></html>".encode())
        return Reply(200, gzipped(path), GZIP)

    with scripted_server(script) as server:
        run = healthcrawl("crawl", "--site", "generic", "--min-articles", "0",
                          "--start-url", server.url + "/", "--format", "jsonl",
                          "-s", "HEALTHCRAWL_WORKER_PROCESSES=1", "-s", f"DOWNLOAD_MAXSIZE={MAX_SIZE}",
                          out=tmp_path_factory.mktemp("gzip") / "out")
        return run, server


def exported_titles(run: CliRun) -> set[str]:
    with open(run.out / "latest" / "articles.jsonl", encoding="utf-8") as lines:
        return {json.loads(line)["title"] for line in lines}


def test_the_crawl_publishes_without_a_traceback(gzip_crawl: tuple[CliRun, ScriptedServer]) -> None:
    run, _ = gzip_crawl
    assert run.code == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr


def test_whole_pages_are_left_to_the_worker_and_the_others_decoded_by_scrapys_rules(
        gzip_crawl: tuple[CliRun, ScriptedServer]) -> None:
    run, _ = gzip_crawl
    # Left encoded: the gzipped pages but the one cut short (its "trailer" states no size
    # under the cap). Decoded in the crawl after all: the refresh (to follow it), the PNG (no
    # job would decode it), the page of two members and the page over the cap (both handed
    # back by the worker).
    assert run.stats[LEFT_ENCODED_STAT] == 6
    assert run.stats[DECODED_AFTER_ALL_STAT] == 4


def test_pages_of_two_members_or_cut_short_are_exported_as_scrapy_decodes_them(
        gzip_crawl: tuple[CliRun, ScriptedServer]) -> None:
    run, _ = gzip_crawl
    assert exported_titles(run) == {"Flu prevention at home", "Flu prevention at work",
                                    "Flu prevention at school", "Flu prevention on the move"}


def test_a_gzipped_meta_refresh_is_followed(gzip_crawl: tuple[CliRun, ScriptedServer]) -> None:
    """The refresh's target is linked from nowhere else."""
    run, server = gzip_crawl
    assert server.times("/moved.html")
    assert run.stats["healthcrawl/spider/articles"] == 4


def test_a_page_whose_trailer_understates_its_size_is_refused_as_over_the_cap(
        gzip_crawl: tuple[CliRun, ScriptedServer]) -> None:
    run, _ = gzip_crawl
    assert run.stats["healthcrawl/spider/failed/IgnoreRequest"] == 1
    assert "/lying.html" in run.stderr and "exceeded DOWNLOAD_MAXSIZE" in run.stderr


def test_decompression_is_counted_as_scrapy_counts_it(gzip_crawl: tuple[CliRun, ScriptedServer]) -> None:
    """Scrapy counts the six pages it decodes, not the one it refuses."""
    run, _ = gzip_crawl
    assert run.stats["httpcompression/response_count"] == 6


def test_a_gzipped_binary_page_is_skipped_as_its_decoded_body_is(
        gzip_crawl: tuple[CliRun, ScriptedServer]) -> None:
    run, _ = gzip_crawl
    assert run.stats["healthcrawl/spider/skipped/binary_body"] == 1
