"""The spider is polite to real servers: Retry-After, backoff, robots.txt Crawl-delay."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.middlewares.retry_after import retry_delay
from tests.crawl.run_cli import REPO, CliRun, healthcrawl
from tests.crawl.scripted_server import Reply, scripted_server

ARTICLE = b"<html><head><title>t</title></head><body><h1>Cold</h1><p>Rest well.</p></body></html>"


@pytest.mark.parametrize(
    ("header", "retries", "expected"),
    [(None, 0, 1.0), (None, 3, 8.0), (None, 10, 60.0), ("2", 0, 2.0), ("120", 0, 60.0),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0, 0.0), ("soon", 1, 2.0)],
)
def test_retry_delay_is_retry_after_or_capped_exponential_backoff(
    header: str | None, retries: int, expected: float
) -> None:
    assert retry_delay(header, retries, base=1.0, cap=60.0) == expected


def test_429_with_retry_after_waits_that_long_before_retrying(tmp_path: Path) -> None:
    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return Reply(404)
        if seen == 0:
            return Reply(429, b"slow down", {"Retry-After": "2", "Content-Type": "text/plain"})
        return Reply(200, ARTICLE)

    with scripted_server(script) as server:
        run = healthcrawl("crawl", "--site", "generic", "--min-articles", "0",
                          "--start-url", server.url + "/a.html",
                          "--format", "jsonl", out=tmp_path / "out")
        first, second = server.times("/a.html")
    assert run.code == 0, run.stderr
    assert second - first >= 1.9
    assert run.stats["retry/count"] == 1


@pytest.mark.parametrize(("status", "headers", "wait"),
                         [(429, {"Retry-After": "2"}, 2.0), (503, {}, 1.0)])  # 503: backoff base
def test_a_429_or_503_storm_holds_every_request_to_the_site_for_the_wait(
    tmp_path: Path, status: int, headers: dict[str, str], wait: float
) -> None:
    pages = [f"/p{i}.html" for i in range(12)]
    links = "".join(f'<a href="{page}">{page}</a>' for page in pages)
    storm: list[float] = []  # when the server began refusing; it refuses for `wait` seconds

    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return Reply(404)
        if path == "/":
            return Reply(200, f"<html><body><h1>Home</h1>{links}</body></html>".encode())
        if path == "/p3.html" and not storm:
            storm.append(time.monotonic())
        if storm and time.monotonic() < storm[0] + wait:
            return Reply(status, b"slow down", {**headers, "Content-Type": "text/plain"})
        return Reply(200, ARTICLE)

    with scripted_server(script) as server:
        run = healthcrawl("crawl", "--site", "generic", "--min-articles", "0",
                          "--start-url", server.url + "/", "--format", "jsonl",
                          "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0.05",
                          out=tmp_path / "out")
        log = list(server.log)
    assert run.code == 0, run.stderr
    refused = [t for t, path in log if storm[0] <= t < storm[0] + wait]
    # requests already on their way when the first refusal arrived reach the server at once
    inside_window = [t for t in refused if t > refused[0] + 0.3]
    assert inside_window == []
    answered = {path for t, path in log if t >= storm[0] + wait}  # after the storm: a 200
    assert answered >= set(pages) - {path for t, path in log if t < storm[0]}
    assert "retry/max_reached" not in run.stats


def crawl_with_crawl_delay(tmp_path: Path, delay: str, *settings: str) -> tuple[CliRun, list[float]]:
    """A three-article site whose robots.txt says ``Crawl-delay: delay``: the crawl and
    the times its articles were fetched."""
    links = "".join(f'<a href="/p{i}.html">p{i}</a>' for i in range(3))

    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            robots = f"User-agent: *\nCrawl-delay: {delay}\n".encode()
            return Reply(200, robots, {"Content-Type": "text/plain"})
        if path == "/":
            return Reply(200, f"<html><body><h1>Home</h1>{links}</body></html>".encode())
        return Reply(200, ARTICLE)

    with scripted_server(script) as server:
        run = healthcrawl("crawl", "--site", "generic", "--min-articles", "0",
                          "--start-url", server.url + "/", *settings,
                          "--format", "jsonl", out=tmp_path / "out", timeout=60)
        pages = sorted(t for t, p in server.log if p.startswith("/p"))
    assert run.code == 0, run.stderr
    return run, pages


def test_robots_crawl_delay_spaces_requests_to_the_site(tmp_path: Path) -> None:
    run, pages = crawl_with_crawl_delay(tmp_path, "1")
    assert run.stats["healthcrawl/robots/crawl_delay"] == 1.0
    assert len(pages) == 3
    assert all(b - a >= 0.9 for a, b in zip(pages, pages[1:], strict=False))


def test_a_crawl_delay_beyond_the_cap_is_capped_so_the_crawl_ends(tmp_path: Path) -> None:
    run, _ = crawl_with_crawl_delay(tmp_path, "86400", "-s", "HEALTHCRAWL_MAX_CRAWL_DELAY=0.5")
    assert run.stats["healthcrawl/robots/crawl_delay"] == 0.5
    assert run.stats["healthcrawl/robots/crawl_delay_capped"] == 1


def test_interrupted_crawl_exits_130_and_publishes_nothing(tmp_path: Path) -> None:
    links = "".join(f'<a href="/p{i}.html">p{i}</a>' for i in range(50))

    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return Reply(404)
        time.sleep(0.3)
        page = f"<html><body><h1>Page {path}</h1><p>Some text here.</p>{links}</body></html>"
        return Reply(200, page.encode())

    with scripted_server(script) as server:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", "--site", "generic", "--start-url",
             server.url + "/", "--out", str(tmp_path / "out"), "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
             # Scrapy's graceful stop downloads what its downloader already holds: two
             # requests, not sixteen at 0.3 s each, so the test waits 1 s for it, not 10.
             "-s", "CONCURRENT_REQUESTS=2"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(server.log) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        crawl.send_signal(signal.SIGINT)
        _, stderr = crawl.communicate(timeout=60)
    assert crawl.returncode == 130, stderr[-2000:]
    assert "interrupted" in stderr
    assert not (tmp_path / "out" / "latest").exists()


def test_generic_crawl_exports_articles_not_listing_pages(tmp_path: Path) -> None:
    topics = ["flu", "asthma", "gout", "eczema", "migraine", "anemia", "insomnia", "acne", "colds"]

    def prose(seed: str) -> str:  # distinct text per page, or dedup would keep just one
        rng = random.Random(seed)
        return " ".join(f"{rng.choice(topics)} needs {rng.choice(topics)} care." for _ in range(40))
    listing = "".join(f'<li><a href="/health/{i}.html">Health article number {i}</a></li>' for i in range(3))
    listing += '<li><a href="/health/stub.html">A page with one line of text</a></li>'

    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return Reply(404)
        if path == "/":
            return Reply(200, f"<html><body><h1>Health news</h1><ul>{listing}</ul></body></html>".encode())
        if path == "/health/stub.html":
            return Reply(200, b"<html><body><h1>Coming soon</h1><p>This guide to flu care is being written "
                              b"by our doctors.</p></body></html>")
        return Reply(200, f"<html><body><article><h1>Article {path}</h1><p>{prose(path)}</p>"
                          f"<h2>Prevention</h2><ul><li>Wash hands</li></ul></article></body></html>".encode())

    with scripted_server(script) as server:
        run = healthcrawl("crawl", "--site", "generic", "--min-articles", "0",
                          "--start-url", server.url + "/",
                          "--format", "jsonl", out=tmp_path / "out")
    assert run.code == 0, run.stderr
    titles = sorted(json.loads(line)["title"] for line in
                    (tmp_path / "out" / "latest" / "articles.jsonl").read_text().splitlines())
    assert titles == [f"Article /health/{i}.html" for i in range(3)]
    assert run.stats["healthcrawl/spider/page_type/home"] == 1
    assert run.stats["healthcrawl/spider/skipped/too_little_prose"] == 1  # the stub
