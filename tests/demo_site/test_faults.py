"""The demo server's fault modes against real sockets on 127.0.0.1: each fault does
what it says, transient ones let a retry through, permanent ones are listed before any
request, the same seed breaks the same URLs, and off-site targets are a counting canary."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from protego import Protego

from crawler.demo_site import DemoServer, SiteTruth, generate_site
from crawler.demo_site.canary import CanaryServer
from crawler.demo_site.fault_log import FAULTS_FILE
from crawler.demo_site.faults import PERMANENT, Faults
from crawler.demo_site.hostile import PNG_SIGNATURE
from crawler.demo_site.server import DESKTOP_HOST
from tests.crawl.run_cli import REPO

Answer = tuple[int, dict[str, str], bytes]


@contextmanager
def faulty(site: SiteTruth, spec: str, seed: int = 0) -> Iterator[DemoServer]:
    with DemoServer(site.out_dir, faults=Faults.parse(spec, seed=seed)) as server:
        yield server


def fetch(server: DemoServer, path: str, timeout: float = 10, **headers: str) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"{DESKTOP_HOST}:{server.port}", **headers})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def article(records: list[dict]) -> str:
    """The path of a plain UTF-8 original article."""
    return path_of(next(r["url"] for r in records if r["kind"] == "original" and r["encoding"] == "utf-8"))


# --- the spec -------------------------------------------------------------------------

def test_a_spec_round_trips_through_its_compact_form() -> None:
    faults = Faults.parse("503=0.1,429=0.05,hang=0.01,trap=calendar+session,sitemap=xxe,links=1,"
                          "attempts=2,drip_seconds=0.5,offsite_origin=http://127.0.0.1:9/", seed=7)
    assert faults.rates == {"503": 0.1, "429": 0.05, "hang": 0.01}
    assert faults.traps == {"calendar", "session"} and faults.sitemaps == {"xxe"}
    assert (faults.links, faults.attempts, faults.drip_seconds, faults.seed) == (True, 2, 0.5, 7)
    assert faults.offsite_origin == "http://127.0.0.1:9"
    assert Faults.parse(faults.spec()) == faults


@pytest.mark.parametrize("spec", ["teapot=0.1", "503=1.5", "503", "trap=maze", "attempts=x",
                                  "attempts=0", "offsite_origin=ftp://x"])
def test_a_bad_spec_is_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        Faults.parse(spec)


def test_faults_are_off_by_default(site: SiteTruth, server: DemoServer) -> None:
    assert not Faults.parse("").active
    assert server.fault_log is None
    with DemoServer(site.out_dir, faults=Faults.parse("")) as quiet:
        assert quiet.fault_log is None


def test_the_same_seed_breaks_the_same_urls_and_another_seed_others(site: SiteTruth) -> None:
    spec = "binary=0.1,503=0.3,mislabel=0.5"
    with faulty(site, spec, seed=1) as one, faulty(site, spec, seed=1) as same, \
            faulty(site, spec, seed=2) as other:
        assert one.fault_log and same.fault_log and other.fault_log
        assert one.fault_log.unfetchable == same.fault_log.unfetchable
        assert one.fault_log.unfetchable != other.fault_log.unfetchable
        assert one.fault_log.mislabeled == same.fault_log.mislabeled
    keys = [f"/p/{n}.html" for n in range(100_001, 100_101)]
    first, second = Faults.parse(spec, seed=1), Faults.parse(spec, seed=2)
    assert [first.transient_kind(k) for k in keys] == [Faults.parse(spec, seed=1).transient_kind(k)
                                                      for k in keys]
    assert [first.transient_kind(k) for k in keys] != [second.transient_kind(k) for k in keys]


# --- transient faults -----------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_error_status_comes_once_then_the_page(site: SiteTruth, article: str, status: int) -> None:
    with faulty(site, f"{status}=1") as server:
        first, headers, _ = fetch(server, article)
        assert first == status
        assert fetch(server, article)[0] == 200
        assert server.fault_log and server.fault_log.counts == {str(status): 1}
    if status in (429, 503):
        assert headers["retry-after"] == "1"


def test_retry_after_is_the_specs(site: SiteTruth, article: str) -> None:
    with faulty(site, "429=1,retry_after=7") as server:
        assert fetch(server, article)[1]["retry-after"] == "7"


def test_a_url_fails_as_many_times_as_attempts_says(site: SiteTruth, article: str) -> None:
    with faulty(site, "503=1,attempts=3") as server:
        assert [fetch(server, article)[0] for _ in range(4)] == [503, 503, 503, 200]


def test_a_hang_holds_the_connection_without_an_answer(site: SiteTruth, article: str) -> None:
    with faulty(site, "hang=1,hang_seconds=60") as server:
        with pytest.raises(TimeoutError):
            fetch(server, article, timeout=0.5)
        assert fetch(server, article)[0] == 200
        assert server.fault_log and server.fault_log.counts == {"hang": 1}


def test_shutdown_ends_a_hung_connection(site: SiteTruth, article: str) -> None:
    server = DemoServer(site.out_dir, faults=Faults.parse("hang=1,hang_seconds=600")).start()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
        raw.sendall(f"GET {article} HTTP/1.1\r\nHost: {DESKTOP_HOST}\r\n\r\n".encode())
        time.sleep(0.2)
        server.shutdown()
        assert raw.recv(1024) == b""


def test_a_reset_really_resets_the_connection(site: SiteTruth, article: str) -> None:
    with faulty(site, "reset=1") as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(f"GET {article} HTTP/1.1\r\nHost: {DESKTOP_HOST}\r\n\r\n".encode())
            with pytest.raises(ConnectionResetError):
                while raw.recv(65536):
                    pass
        assert fetch(server, article)[0] == 200


def test_a_truncated_body_stops_short_of_its_content_length(site: SiteTruth, article: str) -> None:
    with faulty(site, "truncate=1") as server:
        with pytest.raises(http.client.IncompleteRead) as cut:
            fetch(server, article)
        whole = fetch(server, article)[2]
    assert 0 < len(cut.value.partial) < len(whole)


def test_a_drip_is_slow_but_complete(site: SiteTruth, article: str) -> None:
    with faulty(site, "drip=1,drip_seconds=0.5,drip_chunks=5") as server:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(f"GET {article} HTTP/1.1\r\nHost: {DESKTOP_HOST}\r\nConnection: close\r\n\r\n"
                        .encode())
            pieces = list(iter(lambda: raw.recv(1 << 20), b""))
        elapsed = time.monotonic() - started
        whole = fetch(server, article)[2]
    assert len(pieces) >= 4  # the pieces came apart in time, not in one read
    assert elapsed >= 0.45
    assert b"".join(pieces).endswith(whole)


def test_robots_txt_and_head_requests_are_never_faulted(site: SiteTruth, article: str) -> None:
    with faulty(site, "503=1,reset=1") as server:
        assert fetch(server, "/robots.txt")[0] == 200
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("HEAD", article)
        assert conn.getresponse().status == 200
        conn.close()


def test_a_burst_answers_503_to_a_run_of_requests(site: SiteTruth, records: list[dict]) -> None:
    paths = [path_of(r["url"]) for r in records[:10]]
    with faulty(site, "burst=3,burst_every=5") as server:
        statuses = [fetch(server, path)[0] for path in paths]
        assert statuses == [503, 503, 503, 200, 200] * 2
        assert [fetch(server, path)[0] for path in paths[:3]] == [200] * 3  # the retries
        assert server.fault_log and server.fault_log.counts == {"burst": 6}


def test_a_burst_can_answer_429_with_the_specs_retry_after(site: SiteTruth, records: list[dict]) -> None:
    paths = [path_of(r["url"]) for r in records[:4]]
    with faulty(site, "burst=1,burst_every=2,burst_status=429,retry_after=3") as server:
        answers = [fetch(server, path) for path in paths]
    assert [status for status, _, _ in answers] == [429, 200, 429, 200]
    assert answers[0][1]["retry-after"] == "3"


def test_latency_delays_every_answer(site: SiteTruth, article: str) -> None:
    with faulty(site, "latency=0.3") as server:
        started = time.monotonic()
        assert fetch(server, article)[0] == 200
        assert time.monotonic() - started >= 0.3


def test_robots_txt_asks_for_the_specs_crawl_delay(site: SiteTruth) -> None:
    with faulty(site, "crawl_delay=0.5") as server:
        robots = fetch(server, "/robots.txt")[2].decode()
    assert Protego.parse(robots).crawl_delay("healthcrawl") == 0.5
    assert "Disallow: /private/" in robots


# --- permanent faults -----------------------------------------------------------------

@pytest.fixture(scope="module")
def canary() -> Iterator[CanaryServer]:
    with CanaryServer() as running:
        yield running


def broken(site: SiteTruth, kind: str, canary: CanaryServer) -> tuple[DemoServer, str]:
    """A server (not started) where every breakable article has fault ``kind``, and the
    path of one such article."""
    server = DemoServer(site.out_dir, faults=Faults.parse(
        f"{kind}=1,bomb_bytes={4 << 20},oversize_bytes={3 << 20},offsite_origin={canary.url}"))
    assert server.fault_log is not None
    url = next(iter(server.fault_log.unfetchable))
    return server, path_of(url)


@pytest.mark.parametrize("kind", PERMANENT)
def test_a_permanent_fault_is_listed_beforehand_and_served_every_time(
        site: SiteTruth, canary: CanaryServer, kind: str) -> None:
    server, path = broken(site, kind, canary)
    with server:
        assert server.fault_log and set(server.fault_log.unfetchable.values()) == {kind}
        (status, _, body), (again, _, same) = (fetch(server, path) for _ in range(2))
        assert server.fault_log.counts == {kind: 2}
    assert (status, body) == (again, same)


def test_articles_standing_for_others_are_never_broken(site: SiteTruth, records: list[dict],
                                                       canary: CanaryServer) -> None:
    server, _ = broken(site, "binary", canary)
    server.shutdown()
    assert server.fault_log
    unfetchable = set(server.fault_log.unfetchable)
    stand_ins = ({r["duplicate_of"] for r in records if r["duplicate_of"]}
                 | {d["duplicate_of"] for d in site.iter_duplicates()} | set(site.redirects.values()))
    copies = {r["url"] for r in records if r["kind"] not in ("original", "orphan")}
    assert unfetchable and not unfetchable & (stand_ins | copies)


def test_binary_bytes_come_as_text_html(site: SiteTruth, canary: CanaryServer) -> None:
    server, path = broken(site, "binary", canary)
    with server:
        status, headers, body = fetch(server, path)
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert body.startswith(PNG_SIGNATURE)


def test_an_empty_body_comes_with_200(site: SiteTruth, canary: CanaryServer) -> None:
    server, path = broken(site, "empty", canary)
    with server:
        assert fetch(server, path)[::2] == (200, b"")


def test_a_page_comes_with_an_image_type(site: SiteTruth, canary: CanaryServer) -> None:
    server, path = broken(site, "wrongtype", canary)
    with server:
        status, headers, body = fetch(server, path)
    assert headers["content-type"] == "image/jpeg" and b"<html" in body


def test_a_gzip_bomb_is_small_on_the_wire_and_huge_unpacked(site: SiteTruth, canary: CanaryServer) -> None:
    server, path = broken(site, "bomb", canary)
    with server:
        _, headers, body = fetch(server, path)  # sent even to a client that did not ask for gzip
    assert headers["content-encoding"] == "gzip"
    assert len(body) < 64 << 10 and len(gzip.decompress(body)) == 4 << 20


def test_an_oversize_body_has_the_specs_size(site: SiteTruth, canary: CanaryServer) -> None:
    server, path = broken(site, "oversize", canary)
    with server:
        _, headers, body = fetch(server, path, **{"Accept-Encoding": "gzip"})
    assert int(headers["content-length"]) == len(body) == 3 << 20


def test_a_redirect_loop_comes_back_to_where_it_started(site: SiteTruth, canary: CanaryServer) -> None:
    server, path = broken(site, "loop", canary)
    hops = [path]
    with server:
        for _ in range(3):
            status, headers, _ = fetch(server, hops[-1])
            assert status == 302
            hops.append(headers["location"])
    assert hops[-1] == path and len(set(hops)) == 3


def test_an_off_site_redirect_points_at_the_canary(site: SiteTruth, canary: CanaryServer) -> None:
    server, path = broken(site, "offsite", canary)
    with server:
        status, headers, _ = fetch(server, path)
    assert status == 301 and headers["location"] == canary.url + path


def test_a_mislabeled_gbk_page_says_utf_8(site: SiteTruth, records: list[dict]) -> None:
    with faulty(site, "mislabel=1") as server:
        assert server.fault_log
        url = server.fault_log.mislabeled[0]
        assert next(r for r in records if r["url"] == url)["encoding"] == "gbk"
        status, headers, body = fetch(server, path_of(url))
        assert server.fault_log.unfetchable == {}
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "首页" in body.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


# --- traps, links, sitemaps -----------------------------------------------------------

def hrefs(body: bytes) -> list[str]:
    return [h.decode().replace("&amp;", "&") for h in re.findall(rb'href="([^"]*)"', body)]


def test_the_calendar_links_the_next_day_without_end(site: SiteTruth) -> None:
    with faulty(site, "trap=calendar") as server:
        assert "/calendar/2024-01-01" in hrefs(fetch(server, "/")[2])
        day = "/calendar/2024-01-01"
        for _ in range(5):
            status, _, body = fetch(server, day)
            assert status == 200
            day = next(h for h in hrefs(body) if h > day)
        assert day == "/calendar/2024-01-06"
        assert fetch(server, "/calendar/not-a-day")[0] == 404


def test_facets_combine_into_ever_new_urls(site: SiteTruth) -> None:
    with faulty(site, "trap=facets") as server:
        entry = next(h for h in hrefs(fetch(server, "/")[2]) if h.startswith("/facets?"))
        seen = {entry}
        frontier = [entry]
        for _ in range(2):
            frontier = [h for url in frontier for h in hrefs(fetch(server, url)[2]) if h not in seen]
            seen.update(frontier)
        assert len(seen) > 100


def test_session_pages_link_with_a_fresh_session_id(site: SiteTruth) -> None:
    with faulty(site, "trap=session") as server:
        entry = next(h for h in hrefs(fetch(server, "/")[2])
                     if re.search(r"jsessionid=|sid=", h, re.IGNORECASE))
        links = hrefs(fetch(server, entry)[2])
        sessioned = [h for h in links if re.search(r"jsessionid=|[?&](sid|PHPSESSID)=", h)]
        assert len(sessioned) > len(links) // 2
        assert {"jsessionid", "sid", "PHPSESSID"} <= {re.search(r"(jsessionid|PHPSESSID|sid)=", h)
                                                      .group(1) for h in sessioned}  # type: ignore[union-attr]
        article = next(h for h in sessioned if re.match(r"/p/1\d{5}\.html", h))
        assert fetch(server, article)[0] == 200
        assert entry.split("=")[-1] not in " ".join(sessioned)


def test_listing_pages_carry_odd_links_and_articles_do_not(site: SiteTruth, article: str,
                                                          canary: CanaryServer) -> None:
    with faulty(site, f"links=1,offsite_origin={canary.url}") as server:
        listing = hrefs(fetch(server, "/c/respiratory/")[2])
        page = fetch(server, article)[2]
        assert server.fault_log
        odd = server.fault_log.odd_links
    assert set(odd) <= set(listing)
    assert any(h.startswith("file:") for h in odd) and any(h.startswith("javascript:") for h in odd)
    assert any(len(h) > 10_000 for h in odd)
    assert f"{canary.url}/offsite-link" in odd
    assert page == (site.docroot / article.lstrip("/")).read_bytes()


def test_hostile_sitemaps_are_named_by_robots_txt(site: SiteTruth, canary: CanaryServer) -> None:
    with faulty(site, f"sitemap=all,sitemap_bytes={11 << 20},bomb_bytes={4 << 20},"
                      f"offsite_origin={canary.url}") as server:
        robots = fetch(server, "/robots.txt")[2].decode()
        named = re.findall(r"Sitemap: \S+/sitemaps/hostile/(\S+)", robots)
        bodies = {name: fetch(server, f"/sitemaps/hostile/{name}")[2] for name in named}
    assert set(named) == {"entities.xml", "xxe-file.xml", "xxe-http.xml", "oversize.xml",
                          "notgzip.xml.gz", "badgzip.xml.gz", "gzbomb.xml.gz"}
    assert bodies["entities.xml"].count(b"<!ENTITY") == 10
    assert b'SYSTEM "file:///etc/passwd"' in bodies["xxe-file.xml"]
    assert f'SYSTEM "{canary.url}/xxe.dtd"'.encode() in bodies["xxe-http.xml"]
    assert not bodies["notgzip.xml.gz"].startswith(b"\x1f\x8b")
    with pytest.raises((OSError, EOFError, zlib.error)):
        gzip.decompress(bodies["badgzip.xml.gz"])
    assert len(gzip.decompress(bodies["gzbomb.xml.gz"])) == 4 << 20
    big = bodies["oversize.xml"]
    locs = set(re.findall(rb"<loc>([^<]+)</loc>", big))
    assert len(big) == 11 << 20 and big.rstrip().endswith(b"</urlset>")
    assert locs == {r["url"].encode() for r in site.iter_records()}


def test_the_oversize_sitemap_is_gzipped_for_a_client_that_asks(site: SiteTruth) -> None:
    with faulty(site, f"sitemap=oversize,sitemap_bytes={11 << 20}") as server:
        _, headers, body = fetch(server, "/sitemaps/hostile/oversize.xml", **{"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and len(body) < 1 << 20


# --- the canary and the log -----------------------------------------------------------

def test_the_canary_counts_every_connection_and_request() -> None:
    with CanaryServer() as canary:
        assert canary.hits == 0
        socket.create_connection(("127.0.0.1", canary.port), timeout=5).close()
        conn = http.client.HTTPConnection("127.0.0.1", canary.port, timeout=5)
        conn.request("GET", "/xxe.dtd")
        assert conn.getresponse().status == 200
        conn.close()
        deadline = time.monotonic() + 10
        while canary.hits < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert canary.hits == 2
        assert canary.requests == [f"GET 127.0.0.1:{canary.port} /xxe.dtd"]


def test_the_log_counts_every_fault_by_kind(site: SiteTruth, records: list[dict]) -> None:
    with faulty(site, "503=0.5,429=0.5,trap=calendar") as server:
        statuses = [fetch(server, path)[0] for path in
                     ["/calendar/2024-01-01", *(path_of(r["url"]) for r in records[:40])]]
        assert server.fault_log
        counts = server.fault_log.to_json()["counts"]
    assert statuses.count(503) and statuses.count(429)
    assert counts == {"503": statuses.count(503), "429": statuses.count(429),
                      **({"trap:calendar": 1} if statuses[0] == 200 else {})}


# --- serve-demo -----------------------------------------------------------------------

def test_serve_demo_takes_faults_and_writes_the_log_beside_the_site(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve-demo", "--pages", "30", "--dir", str(tmp_path),
         "--faults", "binary=0.2,503=1", "--fault-seed", "3"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        assert "Faults: binary=0.2,503=1,seed=3;" in lines[1]
        written = json.loads((tmp_path / FAULTS_FILE).read_text())
        port = int(re.search(r"on http://127.0.0.1:(\d+)", process.stdout.readline()).group(1))  # type: ignore[union-attr]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")
        assert conn.getresponse().status == 503
        conn.close()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
    assert written["unfetchable"] and set(written["unfetchable"].values()) == {"binary"}
    assert json.loads((tmp_path / FAULTS_FILE).read_text())["counts"] == {"503": 1}


def test_serve_demo_refuses_a_bad_fault_spec() -> None:
    done = subprocess.run([sys.executable, "-m", "crawler", "serve-demo", "--faults", "teapot=1"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "teapot" in done.stderr


def test_a_site_generated_for_faults_keeps_its_truth(tmp_path: Path) -> None:
    """Faults change answers, never the generated files or their truth."""
    truth = generate_site(tmp_path, pages=20)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with faulty(truth, "binary=0.5,mislabel=1,trap=all,sitemap=all,links=1") as server:
        articles = [path_of(r["url"]) for r in truth.iter_records()]
        for path in ("/", "/robots.txt", "/c/respiratory/", *articles):
            fetch(server, path)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
