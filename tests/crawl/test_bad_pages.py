"""Pages a broken site serves as HTML but that are none (empty, binary, no element), and
pages whose declared charset is wrong: each is one counted warning line, never a traceback,
and a mis-declared page is still exported."""

from __future__ import annotations

import json
import random

import pytest

from tests.crawl.run_cli import CliRun, healthcrawl
from tests.crawl.scripted_server import Reply, scripted_server

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
WORDS = ["流感", "预防", "洗手", "通风", "睡眠", "饮食", "运动", "疫苗", "发热", "咳嗽"]
BAD_PAGES = {"/empty.html": b"", "/blank.html": b" \r\n\t ", "/png.html": PNG,
             "/comment.html": b"<!-- nothing here -->"}


def chinese_article(title: str) -> str:
    rng = random.Random(title)
    prose = "。".join("，".join(rng.choice(WORDS) for _ in range(8)) for _ in range(30))
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{prose}。</p></article></body></html>")


@pytest.fixture(scope="module")
def bad_site_crawl(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    links = "".join(f'<a href="{path}">{path}</a>' for path in [*BAD_PAGES, "/gbk.html"])
    html = {"Content-Type": "text/html; charset=utf-8"}

    def script(path: str, seen: int) -> Reply:
        if path == "/robots.txt":
            return Reply(404)
        if path == "/":
            return Reply(200, f"<html><body><h1>Home</h1>{links}</body></html>".encode())
        if path == "/gbk.html":  # the header says UTF-8, the bytes are GBK
            return Reply(200, chinese_article("流行性感冒的预防").encode("gbk"), html)
        return Reply(200, BAD_PAGES[path], html)

    with scripted_server(script) as server:
        return healthcrawl("crawl", "--site", "generic", "--min-articles", "0",
                           "--start-url", server.url + "/", "--format", "jsonl",
                           out=tmp_path_factory.mktemp("bad-pages") / "out")


def test_bad_pages_log_no_traceback_and_the_crawl_publishes(bad_site_crawl: CliRun) -> None:
    assert bad_site_crawl.code == 0, bad_site_crawl.stderr[-3000:]
    assert "Traceback" not in bad_site_crawl.stderr
    assert "Spider error" not in bad_site_crawl.stderr
    assert "log_count/ERROR" not in bad_site_crawl.stats


@pytest.mark.parametrize(("why", "count"), [("empty_body", 2), ("binary_body", 1), ("unusable_document", 1)])
def test_each_kind_of_bad_page_is_counted(bad_site_crawl: CliRun, why: str, count: int) -> None:
    assert bad_site_crawl.stats[f"healthcrawl/spider/skipped/{why}"] == count


@pytest.mark.parametrize("path", list(BAD_PAGES))
def test_each_bad_page_gets_one_warning_line_naming_it(bad_site_crawl: CliRun, path: str) -> None:
    lines = [line for line in bad_site_crawl.stderr.splitlines() if line.endswith(path) or f"{path}:" in line]
    assert len(lines) == 1, lines
    assert "WARNING" in lines[0] and "page skipped" in lines[0]


def test_a_gbk_page_declared_utf8_is_exported_with_its_text(bad_site_crawl: CliRun) -> None:
    rows = [json.loads(line) for line in
            (bad_site_crawl.out / "latest" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["title"] for row in rows] == ["流行性感冒的预防"]
    assert bad_site_crawl.stats["healthcrawl/spider/page_type/home"] == 1  # links, no running text
