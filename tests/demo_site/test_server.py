"""The demo server against a real socket on 127.0.0.1: methods, types and charsets,
gzip, 404, 301, both host names, and nothing served outside the document root."""

from __future__ import annotations

import gzip
import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crawler.demo_site import DemoServer, SiteTruth
from crawler.demo_site.server import DESKTOP_HOST, MOBILE_HOST, accepts_gzip


@contextmanager
def _connection(server: DemoServer) -> Iterator[http.client.HTTPConnection]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        yield conn
    finally:
        conn.close()


def _fetch(server: DemoServer, path: str, method: str = "GET", host: str = DESKTOP_HOST,
           **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
    with _connection(server) as conn:
        conn.request(method, path, headers={"Host": f"{host}:{server.port}", **headers})
        response = conn.getresponse()
        return response, response.read()


def _path(site: SiteTruth, url: str) -> str:
    return url.removeprefix(site.base_url)


def test_get_article_with_charset(server: DemoServer, site: SiteTruth, records: list[dict],
                                  read_page) -> None:
    record = next(r for r in records if r["encoding"] == "utf-8")
    response, body = _fetch(server, _path(site, record["url"]))
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert body == read_page(record["url"])
    assert int(response.getheader("Content-Length")) == len(body)


def test_gbk_page_is_served_as_gbk(server: DemoServer, site: SiteTruth, records: list[dict]) -> None:
    record = next(r for r in records if r["encoding"] == "gbk")
    response, body = _fetch(server, _path(site, record["url"]))
    assert response.getheader("Content-Type") == "text/html; charset=gbk"
    assert "首页" in body.decode("gbk")


def test_head_sends_headers_only(server: DemoServer, site: SiteTruth, records: list[dict]) -> None:
    path = _path(site, records[0]["url"])
    get, body = _fetch(server, path)
    head, empty = _fetch(server, path, method="HEAD")
    assert head.status == 200 and empty == b""
    assert head.getheader("Content-Length") == str(len(body))
    assert head.getheader("Content-Type") == get.getheader("Content-Type")


def test_gzip_when_asked(server: DemoServer, site: SiteTruth, records: list[dict]) -> None:
    path = _path(site, records[1]["url"])
    _, plain = _fetch(server, path)
    response, body = _fetch(server, path, **{"Accept-Encoding": "gzip, deflate"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Content-Type").endswith("charset=utf-8")
    assert gzip.decompress(body) == plain and len(body) < len(plain)
    refused, body = _fetch(server, path, **{"Accept-Encoding": "gzip;q=0"})
    assert refused.getheader("Content-Encoding") is None and body == plain


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip", True), ("deflate, gzip;q=0.5", True), ("*", True), ("gzip;q=0", False),
    ("identity", False), (None, False), ("br", False),
])
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_gzipped_sitemap_is_a_file_not_an_encoding(server: DemoServer, site: SiteTruth) -> None:
    child = next(url for url in site.sitemaps if url.endswith(".xml.gz"))
    response, body = _fetch(server, _path(site, child), **{"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Type") in ("application/gzip", "application/x-gzip")
    assert response.getheader("Content-Encoding") is None
    assert b"<urlset" in gzip.decompress(body)


def test_robots_and_sitemap_index(server: DemoServer) -> None:
    response, body = _fetch(server, "/robots.txt")
    assert response.getheader("Content-Type") == "text/plain; charset=utf-8"
    assert b"Disallow: /private/" in body and b"Sitemap: " in body
    response, body = _fetch(server, "/sitemap.xml")
    assert response.getheader("Content-Type").startswith("application/xml")
    assert b"<sitemapindex" in body


def test_missing_pages_answer_404(server: DemoServer, site: SiteTruth) -> None:
    for url in site.missing:
        response, body = _fetch(server, _path(site, url))
        assert response.status == 404 and b"Not Found" in body


def test_old_url_redirects_permanently(server: DemoServer, site: SiteTruth) -> None:
    old, new = next(iter(site.redirects.items()))
    response, _ = _fetch(server, _path(site, old))
    assert response.status == 301
    assert response.getheader("Location") == f"http://{DESKTOP_HOST}:{server.port}{_path(site, new)}"
    response, _ = _fetch(server, _path(site, old), host=MOBILE_HOST)
    assert response.getheader("Location").startswith(f"http://{MOBILE_HOST}:{server.port}/")


def test_mobile_host_serves_the_same_pages(server: DemoServer, site: SiteTruth,
                                           records: list[dict]) -> None:
    path = _path(site, records[2]["url"])
    desktop = _fetch(server, path)[1]
    response, mobile = _fetch(server, path, host=MOBILE_HOST)
    assert response.status == 200 and mobile == desktop


def test_tracking_query_serves_the_article(server: DemoServer, site: SiteTruth,
                                           records: list[dict]) -> None:
    path = _path(site, records[3]["url"])
    assert _fetch(server, path + "?utm_source=x&spm=1.2")[1] == _fetch(server, path)[1]


def test_pdf_and_listing_pages(server: DemoServer, site: SiteTruth) -> None:
    response, body = _fetch(server, _path(site, site.pdfs[0]))
    assert response.getheader("Content-Type") == "application/pdf" and body.startswith(b"%PDF-")
    response, body = _fetch(server, "/c/respiratory/")
    assert response.status == 200 and b"/c/respiratory/page/2.html" in body
    assert _fetch(server, "/c/respiratory/page/2.html")[0].status == 200
    assert _fetch(server, "/")[0].status == 200


@pytest.mark.parametrize("path", ["/../truth/records.jsonl", "/../server.json",
                                  "/%2e%2e/server.json", "/truth/site.json"])
def test_nothing_outside_the_document_root(server: DemoServer, path: str) -> None:
    assert _fetch(server, path)[0].status == 404


@pytest.mark.parametrize("path", ["/c/%00nul", "/" + "a" * 16_000, "/p/%zz%.html"],
                         ids=["nul", "huge", "bad-escape"])
def test_a_path_no_file_can_have_answers_404(server: DemoServer, path: str) -> None:
    assert _fetch(server, path)[0].status == 404


def test_keep_alive_serves_several_requests(server: DemoServer, site: SiteTruth,
                                            records: list[dict]) -> None:
    with _connection(server) as conn:
        for record in records[:5]:
            conn.request("GET", _path(site, record["url"]), headers={"Host": DESKTOP_HOST})
            response = conn.getresponse()
            assert response.status == 200 and response.read()


def test_server_binds_before_the_site_exists(tmp_path: Path) -> None:
    server = DemoServer(tmp_path, port=0)
    try:
        assert server.port > 0
        assert server.base_url == f"http://{DESKTOP_HOST}:{server.port}"
        assert server.mobile_url == f"http://{MOBILE_HOST}:{server.port}"
        assert server.url == f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()


def test_a_conditional_get_of_an_unchanged_page_is_answered_304_without_a_body(
        server: DemoServer, site: SiteTruth, records: list[dict]) -> None:
    path = _path(site, records[0]["url"])
    first, _ = _fetch(server, path)
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert etag and modified
    by_etag, body = _fetch(server, path, **{"If-None-Match": etag})
    assert (by_etag.status, body, by_etag.getheader("ETag")) == (304, b"", etag)
    by_date, _ = _fetch(server, path, **{"If-Modified-Since": modified})
    assert by_date.status == 304
    other, _ = _fetch(server, path, **{"If-None-Match": '"another"'})
    assert other.status == 200


def test_an_edited_page_gets_a_new_etag(server: DemoServer, site: SiteTruth, records: list[dict]) -> None:
    path = _path(site, records[1]["url"])
    first, _ = _fetch(server, path)
    file = site.docroot / path.lstrip("/")
    original = file.read_bytes()
    try:
        file.write_bytes(original.replace(b"</body>", b"<p>edited</p></body>"))
        again, _ = _fetch(server, path, **{"If-None-Match": first.getheader("ETag") or ""})
    finally:
        file.write_bytes(original)
    assert again.status == 200 and again.getheader("ETag") != first.getheader("ETag")


def test_a_ctrl_c_before_the_serve_loop_starts_still_lets_the_server_close(tmp_path: Path) -> None:
    server = DemoServer(tmp_path)

    def interrupted() -> None:
        raise KeyboardInterrupt

    server._httpd.serve_forever = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        server.serve_forever()
    closing = threading.Thread(target=server.shutdown, daemon=True)
    closing.start()
    closing.join(timeout=5)
    assert not closing.is_alive()
