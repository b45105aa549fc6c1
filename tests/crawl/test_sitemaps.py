"""Sitemaps up to the protocol's limits are read whole; broken and hostile ones (entity
expansion, external entities, oversize, gzip that is not gzip) are each one counted warning,
no entity is ever expanded or fetched, and the crawl goes on by links."""

from __future__ import annotations

import gzip

import pytest

from tests.crawl.run_cli import CliRun, healthcrawl
from tests.crawl.scripted_server import Reply, ScriptedServer, scripted_server

ARTICLE = b"<html><head><title>t</title></head><body><h1>Cold</h1><p>Rest well.</p></body></html>"
XMLNS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
MAX_URLS = 4
"""``HEALTHCRAWL_SITEMAP_MAX_URLS`` in this crawl, so a small sitemap can exceed it."""
BIG = ["/big0.html", "/big1.html", "/big2.html"]


def urlset(paths: list[str], padding: int = 0) -> bytes:
    """A sitemap of ``paths``, each entry followed by ``padding`` bytes of whitespace."""
    pad = b"\n" * padding
    entries = b"".join(b"<url><loc>%s</loc></url>%s" % (path.encode(), pad) for path in paths)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset %s>%s</urlset>' % (XMLNS.encode(), entries)


def with_entities(doctype: str, loc: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [{doctype}]>\n'
            f'<urlset {XMLNS}><url><loc>{loc}</loc></url></urlset>').encode()


LAUGHS = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


@pytest.fixture(scope="module")
def sitemap_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CliRun, ScriptedServer, ScriptedServer]:
    gz = {"Content-Type": "application/x-gzip"}
    xml = {"Content-Type": "application/xml"}
    with scripted_server(lambda path, seen: Reply(200, b"<html></html>")) as other:
        sitemaps = {
            # 12 MB of valid sitemap, gzipped: over DOWNLOAD_MAXSIZE, under the protocol's 50 MB
            "/big.xml.gz": Reply(200, gzip.compress(urlset(BIG, 4 << 20)), gz),
            "/many.xml": Reply(200, urlset([f"/many{i}.html" for i in range(MAX_URLS + 2)]), xml),
            "/index.xml": Reply(200, (
                f'<sitemapindex {XMLNS}><sitemap><loc>/big.xml.gz</loc></sitemap>'
                f'<sitemap><loc>/many.xml</loc></sitemap><sitemap><loc></loc></sitemap>'
                f'<sitemap><loc>http://localhost:{other.url.rsplit(":", 1)[1]}/off.xml</loc></sitemap>'
                '</sitemapindex>').encode(), xml),
            "/laughs.xml": Reply(200, with_entities(LAUGHS, "/laughs&lol9;.html"), xml),
            "/file-entity.xml": Reply(200, with_entities('<!ENTITY e SYSTEM "file:///etc/passwd">',
                                                         "/file&e;.html"), xml),
            "/http-entity.xml": Reply(200, with_entities(f'<!ENTITY e SYSTEM "{other.url}/entity">',
                                                         "/http&e;.html"), xml),
            "/broken.xml.gz": Reply(200, gzip.compress(urlset(["/broken.html"]))[:40], gz),
            "/not-gzip.xml.gz": Reply(200, bytes(range(256)) * 4, gz),
            "/bomb.xml.gz": Reply(200, gzip.compress(urlset(["/bomb.html"], 51 * 1024 * 1024)), gz),
        }
        robots = "".join(f"Sitemap: {path}\n" for path in sitemaps
                         if path not in ("/big.xml.gz", "/many.xml"))  # listed by /index.xml
        text = {"Content-Type": "text/plain"}

        def script(path: str, seen: int) -> Reply:
            if path == "/robots.txt":
                return Reply(200, f"User-agent: *\nAllow: /\n{robots}".encode(), text)
            if path == "/":
                return Reply(200, b'<html><body><h1>Home</h1><a href="/linked.html">a</a></body></html>')
            return sitemaps.get(path) or Reply(200, ARTICLE)

        with scripted_server(script) as server:
            run = healthcrawl("crawl", "--site", "generic", "--min-articles", "0",
                              "--start-url", server.url + "/", "--format", "jsonl",
                              "-s", f"HEALTHCRAWL_SITEMAP_MAX_URLS={MAX_URLS}",
                              out=tmp_path_factory.mktemp("sitemaps") / "out")
        return run, server, other


def fetched(server: ScriptedServer) -> set[str]:
    return {path for _, path in server.log}


def test_hostile_sitemaps_log_no_traceback_and_the_crawl_goes_on_by_links(
        sitemap_crawl: tuple[CliRun, ScriptedServer, ScriptedServer]) -> None:
    run, server, _ = sitemap_crawl
    assert run.code == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "Spider error" not in run.stderr
    assert "/linked.html" in fetched(server)


def test_a_gzipped_sitemap_over_the_page_size_cap_is_read_whole(
        sitemap_crawl: tuple[CliRun, ScriptedServer, ScriptedServer]) -> None:
    _, server, _ = sitemap_crawl
    assert set(BIG) <= fetched(server)


def test_a_sitemap_over_the_url_limit_is_followed_up_to_it(
        sitemap_crawl: tuple[CliRun, ScriptedServer, ScriptedServer]) -> None:
    run, server, _ = sitemap_crawl
    pages = sorted(p for p in fetched(server) if p.startswith("/many") and p.endswith(".html"))
    assert pages == [f"/many{i}.html" for i in range(MAX_URLS)]
    assert run.stats["healthcrawl/spider/bad_sitemap/too_many_urls"] == 1


def test_no_entity_is_expanded_or_fetched(
        sitemap_crawl: tuple[CliRun, ScriptedServer, ScriptedServer]) -> None:
    run, server, other = sitemap_crawl
    assert other.log == []
    entity_pages = ("/laughs", "/file", "/http")
    assert not [p for p in fetched(server) if p.endswith(".html") and p.startswith(entity_pages)]
    assert run.stats["healthcrawl/spider/bad_sitemap/entities"] == 3


@pytest.mark.parametrize(("why", "count"), [("bad_gzip", 1), ("not_a_sitemap", 1), ("too_large", 1)])
def test_each_bad_sitemap_is_counted_by_why_with_one_warning(
        sitemap_crawl: tuple[CliRun, ScriptedServer, ScriptedServer], why: str, count: int) -> None:
    run, _, _ = sitemap_crawl
    assert run.stats[f"healthcrawl/spider/bad_sitemap/{why}"] == count
    assert sum(f"bad sitemap ({why})" in line for line in run.stderr.splitlines()) == count


def test_an_off_site_or_empty_sitemap_location_is_not_requested(
        sitemap_crawl: tuple[CliRun, ScriptedServer, ScriptedServer]) -> None:
    _, server, other = sitemap_crawl
    assert "/off.xml" not in fetched(other)
    assert "/bomb.html" not in fetched(server)
