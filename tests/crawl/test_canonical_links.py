"""A site whose canonical links all name one page: each article is still published once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.crawl.run_cli import healthcrawl
from tests.crawl.scripted_server import Reply, scripted_server

TOPICS = ("flu", "sleep", "migraine", "asthma")


def page(canonical: str, title: str, body: str) -> bytes:
    return (f'<html><head><title>{title}</title><link rel="canonical" href="{canonical}"></head>'
            f"<body><h1>{title}</h1>{body}</body></html>").encode()


def article_body(topic: str) -> str:
    return "".join(f"<p>{topic.capitalize()} advice number {i}: rest well, drink enough water, "
                   f"see a doctor when {topic} symptoms last longer than a week.</p>" for i in range(6))


@pytest.mark.parametrize("canonical", ["/", "/health"], ids=["home", "section"])
def test_every_article_is_published_when_every_canonical_link_names_one_page(
        tmp_path: Path, canonical: str) -> None:
    links = "".join(f'<a href="/health/{topic}-guide">{topic}</a>' for topic in TOPICS)

    def script(path: str, seen: int) -> Reply:
        if path == "/":
            return Reply(body=page(canonical, "Home", f"<nav>{links}</nav>"))
        if path == "/health":
            return Reply(body=page(canonical, "Health", f"<nav>{links}</nav>"))
        topic = path.removeprefix("/health/").removesuffix("-guide")
        if topic in TOPICS:
            return Reply(body=page(canonical, f"{topic.capitalize()} guide", article_body(topic)))
        return Reply(status=404, body=b"not found")

    with scripted_server(script) as server:
        run = healthcrawl("crawl", "--site", "generic", "--min-articles", "0",
                          "--start-url", server.url + "/", "--format", "jsonl", out=tmp_path / "out")
    assert run.code == 0, run.stderr
    records = [json.loads(line) for line in
               (tmp_path / "out" / "latest" / "articles.jsonl").read_text().splitlines()]
    assert sorted(r["title"] for r in records) == sorted(f"{t.capitalize()} guide" for t in TOPICS)
    assert len({r["article_key"] for r in records}) == len(TOPICS)
