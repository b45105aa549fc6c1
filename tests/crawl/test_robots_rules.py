"""robots.txt read as RFC 9309 says: a 4xx means no rules, a 5xx or no answer at all
(after the retries) means the whole site is off limits, and a failure the retries get past
leaves the file's own rules."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.crawl.run_cli import CliRun, healthcrawl
from tests.crawl.scripted_server import Reply, Script, scripted_server

PAGES = ("/a.html", "/b.html", "/private/c.html")
HOME = "".join(f'<a href="{page}">{page}</a>' for page in PAGES).join(
    (b"<html><body><h1>Home</h1>".decode(), "</body></html>")).encode()
ARTICLE = b"<html><head><title>t</title></head><body><h1>Cold</h1><p>Rest well.</p></body></html>"
RULES = b"User-agent: *\nDisallow: /private/\n"
RULES_HOST = "rules.example.test"
QUICK = ("-s", "RETRY_TIMES=2", "-s", "HEALTHCRAWL_RETRY_BACKOFF_BASE=0.05",
         "-s", "HEALTHCRAWL_ROBOTS_RETRY_FOR=0", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0")
"""Retries, and the pages after them, without the waits of a crawl of a real site (an
unreachable robots.txt is given up at once)."""


def site(robots: Script) -> Script:
    """A home page linking three pages, with robots.txt answered by ``robots``."""
    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return robots(path, seen)
        return Reply(200, HOME if path == "/" else ARTICLE)
    return script


def crawl(tmp_path: Path, robots: Script, *settings: str, starts: tuple[str, ...] = ("/",),
          ) -> tuple[CliRun, list[str]]:
    """A crawl of the site from ``starts``, published even without an article (its stats
    are in the manifest); the paths the server was asked for, robots.txt aside."""
    with scripted_server(site(robots)) as server:
        start_urls = ",".join(server.url + path for path in starts)
        run = healthcrawl("crawl", "--site", "generic", "--start-url", start_urls, "--min-articles", "0",
                          "--max-error-rate", "1", "--format", "jsonl", *QUICK, *settings,
                          out=tmp_path / "out", timeout=60)
        fetched = [path for _, path in server.log if path != "/robots.txt"]
    return run, fetched


@pytest.mark.parametrize("status", [503, 429])
def test_a_robots_txt_answering_503_or_429_keeps_the_crawl_off_every_page_of_the_site(
        tmp_path: Path, status: int) -> None:
    run, fetched = crawl(tmp_path, lambda path, seen: Reply(status, b"come back later"))
    assert fetched == []
    assert run.stats["healthcrawl/robots/unreachable"] == 1
    assert "robots.txt of 127.0.0.1" in run.stderr and f"unreachable (HTTP {status})" in run.stderr


def test_a_robots_txt_the_server_never_answers_keeps_the_crawl_off_every_page(tmp_path: Path) -> None:
    run, fetched = crawl(tmp_path, lambda path, seen: Reply(drop=True))
    assert fetched == []
    assert run.stats["healthcrawl/robots/unreachable"] == 1


def test_an_unreachable_robots_txt_ends_the_run_unpublished_with_exit_3(tmp_path: Path) -> None:
    with scripted_server(site(lambda path, seen: Reply(503))) as server:
        run = healthcrawl("crawl", "--site", "generic", "--start-url", server.url + "/",
                          *QUICK, out=tmp_path / "out", timeout=60)
    assert run.code == 3, run.stderr
    assert not (tmp_path / "out" / "latest").exists()


def test_an_unreachable_robots_txt_is_asked_again_while_its_site_waits(tmp_path: Path) -> None:
    # three tries an ask (RETRY_TIMES=2): the first ask fails, the second gets the file
    run, fetched = crawl(tmp_path, lambda path, seen: Reply(503) if seen < 5 else Reply(200, RULES),
                         "-s", "HEALTHCRAWL_ROBOTS_RETRY_FOR=30")
    assert sorted(fetched) == ["/", "/a.html", "/b.html"]
    assert run.stats["healthcrawl/robots/asked_again"] == 1
    assert "healthcrawl/robots/unreachable" not in run.stats


def test_a_robots_txt_answering_404_lets_the_crawl_fetch_every_page(tmp_path: Path) -> None:
    # the error page's body is not read as rules, whatever it holds
    run, fetched = crawl(tmp_path, lambda path, seen: Reply(404, RULES.replace(b"/private/", b"/")))
    assert sorted(fetched) == sorted(["/", *PAGES])
    assert "healthcrawl/robots/unreachable" not in run.stats


def test_a_robots_txt_that_failed_once_is_fetched_again_and_its_rules_obeyed(tmp_path: Path) -> None:
    run, fetched = crawl(tmp_path, lambda path, seen: Reply(503) if seen == 0 else Reply(200, RULES))
    assert sorted(fetched) == ["/", "/a.html", "/b.html"]
    assert "healthcrawl/robots/unreachable" not in run.stats


def test_a_robots_txt_redirected_to_another_host_is_read_where_it_leads(tmp_path: Path) -> None:
    port: list[str] = []  # the server's, known once it runs

    def robots(path: str, seen: int) -> Reply:
        return Reply(301, headers={"Location": f"http://{RULES_HOST}:{port[0]}/rules.txt"})
    served = site(robots)

    def script(path: str, seen: int) -> Reply:
        return Reply(200, RULES) if path == "/rules.txt" else served(path, seen)
    with scripted_server(script) as server:
        port.append(server.url.rsplit(":", 1)[1])
        run = healthcrawl("crawl", "--site", "generic", "--start-url", server.url + "/",
                          "--min-articles", "0", "--host-map", f"{RULES_HOST}=127.0.0.1", "--format", "jsonl",
                          *QUICK, out=tmp_path / "out", timeout=60)
        fetched = [path for _, path in server.log if path not in ("/robots.txt", "/rules.txt")]
    assert run.code == 0, run.stderr
    assert sorted(fetched) == ["/", "/a.html", "/b.html"]


def test_the_crawl_delay_of_a_redirected_robots_txt_is_the_sites(tmp_path: Path) -> None:
    served = site(lambda path, seen: Reply(301, headers={"Location": "/policies/crawlers.txt"}))

    def script(path: str, seen: int) -> Reply:
        if path == "/policies/crawlers.txt":
            return Reply(200, RULES + b"Crawl-delay: 0.5\n")
        return served(path, seen)
    with scripted_server(script) as server:
        run = healthcrawl("crawl", "--site", "generic", "--start-url", server.url + "/",
                          "--min-articles", "0", "--format", "jsonl", *QUICK,
                          out=tmp_path / "out", timeout=60)
        pages = sorted(t for t, path in server.log if path.endswith(".html"))
    assert run.code == 0, run.stderr
    assert run.stats["healthcrawl/robots/crawl_delay"] == 0.5
    assert all(later - earlier >= 0.45 for earlier, later in zip(pages, pages[1:], strict=False))


def test_a_robots_txt_past_the_redirect_limit_means_no_rules(tmp_path: Path) -> None:
    run, fetched = crawl(tmp_path, lambda path, seen: Reply(302, headers={"Location": "/robots.txt"}),
                         "-s", "REDIRECT_MAX_TIMES=3")
    assert sorted(fetched) == sorted(["/", *PAGES])
    assert run.stats["healthcrawl/robots/not_fetched"] == 1


def test_a_robots_txt_over_the_download_size_cap_means_no_rules(tmp_path: Path) -> None:
    huge = RULES.replace(b"/private/", b"/") + b"# padding\n" * 20_000
    run, fetched = crawl(tmp_path, lambda path, seen: Reply(200, huge), "-s", "DOWNLOAD_MAXSIZE=100000")
    assert sorted(fetched) == sorted(["/", *PAGES])
    assert run.stats["healthcrawl/robots/not_fetched"] == 1


def test_every_request_that_waited_for_robots_txt_is_held_to_its_rules(tmp_path: Path) -> None:
    # Scrapy's own middleware let every waiting request but the first go on unchecked
    def slow_rules(path: str, seen: int) -> Reply:
        time.sleep(0.5)
        return Reply(200, RULES)
    starts = ("/private/x.html", "/", "/private/y.html", "/private/z.html")
    run, fetched = crawl(tmp_path, slow_rules, starts=starts)
    assert sorted(fetched) == ["/", "/a.html", "/b.html"]
    assert run.stats["robotstxt/forbidden"] == 4


def test_the_allow_setting_crawls_a_site_whose_robots_txt_is_unreachable(tmp_path: Path) -> None:
    run, fetched = crawl(tmp_path, lambda path, seen: Reply(drop=True),
                         "-s", "HEALTHCRAWL_ROBOTS_UNREACHABLE=allow")
    assert sorted(fetched) == sorted(["/", *PAGES])


def test_an_unknown_unreachable_policy_is_a_one_line_error_with_exit_2(tmp_path: Path) -> None:
    with scripted_server(site(lambda path, seen: Reply(200, RULES))) as server:
        run = healthcrawl("crawl", "--site", "generic", "--start-url", server.url + "/",
                          "-s", "HEALTHCRAWL_ROBOTS_UNREACHABLE=ignore", out=tmp_path / "out", timeout=60)
        fetched = [path for _, path in server.log]
    assert run.code == 2
    assert "HEALTHCRAWL_ROBOTS_UNREACHABLE must be disallow or allow, not 'ignore'" in run.stderr
    assert "Traceback" not in run.stderr
    assert fetched == []
