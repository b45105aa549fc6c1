"""Page-level fields: canonical URL, ids, hash, dates, links, warnings."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from core.profiles import get_profile
from crawler.parsing import parse_article
from crawler.parsing.dates import iso_date
from crawler.parsing.fields import _TITLE_SUFFIX, _joins_to_itself, canonical_url, without_site_suffix
from crawler.parsing.links import recommendations
from crawler.parsing.locate import child_named, document_title
from tests.fuzz.strategies import markup
from tests.parsing.golden import golden_page, parsed


def test_content_hash_ignores_chrome_links_and_url() -> None:
    page = golden_page("01-seed-lips-twitching")
    other = page.html.replace(b"Hot Articles", b"Popular Now").replace(
        b"/p/57812.html", b"/p/11111.html"
    )
    again = parse_article(other, page.url.replace("www.", "m.") + "?utm_source=feed")
    assert again.content_hash == parsed(page.name).content_hash
    assert again.canonical_url == parsed(page.name).canonical_url


def test_content_hash_changes_with_the_body() -> None:
    page = golden_page("01-seed-lips-twitching")
    edited = page.html.replace(b"avoid overwork", b"avoid overtime")
    assert parse_article(edited, page.url).content_hash != parsed(page.name).content_hash


def test_page_without_article_id_gets_a_url_hash_key() -> None:
    record = parse_article("<html><body><h1>T</h1><p>Text.</p></body></html>",
                           "https://www.example.org/health/flu/")
    assert record.article_id is None
    assert record.site == "example.org"
    assert record.article_key.startswith("example.org:") and len(record.article_key) == 12 + 16


def test_offsite_canonical_link_is_ignored() -> None:
    html = ('<html><head><link rel="canonical" href="https://other.example/x"></head>'
            "<body><h1>T</h1></body></html>")
    record = parse_article(html, "http://www.example.org/a/?utm_medium=x&b=2&a=1#top")
    assert record.canonical_url == "https://www.example.org/a?a=1&b=2"


@pytest.mark.parametrize(
    ("text", "iso"),
    [("Time: 2023-05-14 10:21", "2023-05-14T10:21:00"), ("Time: 2022-07-19", "2022-07-19"),
     ("发布时间：2021年3月5日 08:02:09", "2021-03-05T08:02:09"), ("no date", None),
     ("Published: May 14, 2023", "2023-05-14"), ("Updated 3rd Sept. 2024", "2024-09-03"),
     ("Posted: Nov. 3 2022 by Ann", "2022-11-03"),
     ("2021-13-40", None)],
)
def test_iso_date_reads_the_date_line(text: str, iso: str | None) -> None:
    assert iso_date(text) == iso


def test_first_article_has_no_prev_link() -> None:
    assert parsed("09-first-article-mixed-snippets").prev_article is None


def test_truncated_page_gets_a_warning() -> None:
    page = golden_page("02-h2-headings-ol-items")
    record = parse_article(page.html[: len(page.html) // 2], page.url)
    assert "truncated_html" in record.parse_warnings


def test_explicit_profile_overrides_the_url_host() -> None:
    from core.profiles import get_profile

    page = golden_page("01-seed-lips-twitching")
    record = parse_article(page.html, "https://mirror.example/p/60636.html",
                           profile=get_profile("keepto"))
    assert record.article_key == "keepto:60636"


def test_record_is_a_dataclass_with_defaults_for_warnings() -> None:
    record = parsed("01-seed-lips-twitching")
    assert replace(record, parse_warnings=[]).parse_warnings == []


def test_prev_next_label_in_an_inline_wrapper_takes_the_link_after_it() -> None:
    html = ("<html><body><div class='article'><h1>T</h1><div id='article-content'><p>Body.</p></div>"
            "<p><strong>Previous:</strong> <a href='/p/1.html'>One</a></p>"
            "<p><span>&gt;&gt;:</span> <a href='/p/3.html'>Three</a></p></div></body></html>")
    record = parse_article(html, "https://www.keepto.com/p/2.html")
    assert record.prev_article is not None and record.prev_article.url == "https://www.keepto.com/p/1.html"
    assert record.next_article is not None and record.next_article.title == "Three"


def test_recommend_block_without_list_items_gives_one_entry_per_link() -> None:
    html = ("<html><body><div class='article'><h1>T</h1><div id='article-content'><p>Body.</p></div>"
            "<div class='related'><h3>Related articles</h3><dl>"
            "<dt><a href='/p/7.html'>Seven</a></dt><dd>Teaser of seven...</dd>"
            "<dt><a href='/p/8.html'>Eight</a></dt></dl></div></div></body></html>")
    record = parse_article(html, "https://www.keepto.com/p/2.html")
    assert [(r.title, r.snippet, r.truncated) for r in record.recommendations] == [
        ("Seven", "Teaser of seven", True), ("Eight", None, False)]


@pytest.mark.parametrize(
    ("url", "article_id"),
    [("https://health.example/p/60636.html", "60636"), ("https://health.example/article/123456/", "123456"),
     ("https://health.example/read.php?id=778&x=1", "778"), ("https://health.example/2023/05/14/flu", None),
     ("https://health.example/news/2023", None), ("https://health.example/flu-guide", None)],
)
def test_generic_profile_reads_the_id_sites_put_in_article_urls(url: str, article_id: str | None) -> None:
    record = parse_article("<html><body><h1>T</h1><p>Text.</p></body></html>", url)
    assert record.article_id == article_id
    assert record.article_key.startswith("health.example:")


@pytest.mark.parametrize("href", ["https://www.example.org:99999/a", "http://[broken/a",
                                  "https://www.example.org:port/a"])
def test_canonical_link_that_is_no_valid_url_is_ignored(href: str) -> None:
    html = (f'<html><head><link rel="canonical" href="{href}"></head>'
            f'<body><h1>T</h1><p>Text <a href="//[broken/x">a</a> <a href="{href}">b</a>.</p></body></html>')
    record = parse_article(html, "https://www.example.org/a")
    assert record.canonical_url == "https://www.example.org/a"


PAGE = "<html><head>{head}</head><body><h1>T</h1><p>Text.</p></body></html>"


@pytest.mark.parametrize(
    ("first", "second"),
    [("https://health.example/news/12345", "https://health.example/drugs/12345"),
     ("https://health.example/news/12345", "https://health.example/blog/news/12345"),
     ("https://health.example/view.php?id=5", "https://health.example/print.php?id=5")],
)
def test_generic_ids_in_different_sections_give_different_keys(first: str, second: str) -> None:
    assert parse_article(PAGE.format(head=""), first).article_key != \
        parse_article(PAGE.format(head=""), second).article_key


@pytest.mark.parametrize("copy", ["https://health.example/amp/news/12345",
                                  "https://health.example/m/news/12345.html",
                                  "https://health.example/mobile/news/12345/"])
def test_generic_mobile_and_amp_copies_share_the_articles_key(copy: str) -> None:
    key = parse_article(PAGE.format(head=""), "https://health.example/news/12345").article_key
    assert key == "health.example:news/12345"
    assert parse_article(PAGE.format(head=""), copy).article_key == key


def test_generic_key_of_an_id_at_the_root_is_the_id() -> None:
    assert parse_article(PAGE.format(head=""), "https://health.example/12345").article_key == \
        "health.example:12345"


def test_profiled_site_keys_stay_site_and_id() -> None:
    assert parse_article(PAGE.format(head=""), "https://m.keepto.com/p/60636.html").article_key == \
        "keepto:60636"


@pytest.mark.parametrize("href", ["/", "https://www.example.org/", "https://www.example.org/index.html",
                                  "http://www.example.org"])
def test_canonical_link_to_the_home_page_is_not_trusted_for_another_page(href: str) -> None:
    record = parse_article(PAGE.format(head=f'<link rel="canonical" href="{href}">'),
                           "https://www.example.org/health/flu-guide")
    assert record.canonical_url == "https://www.example.org/health/flu-guide"


def test_canonical_link_of_the_home_page_to_itself_is_kept() -> None:
    record = parse_article(PAGE.format(head='<link rel="canonical" href="https://www.example.org/">'),
                           "https://www.example.org/?utm_source=x")
    assert record.canonical_url == "https://www.example.org/"


def test_canonical_link_without_the_article_id_of_the_page_is_not_trusted() -> None:
    record = parse_article(PAGE.format(head='<link rel="canonical" href="/news">'),
                           "https://health.example/news/12345")
    assert (record.canonical_url, record.article_key) == (
        "https://health.example/news/12345", "health.example:news/12345")


def test_canonical_link_naming_the_page_in_another_form_is_kept() -> None:
    record = parse_article(PAGE.format(head='<link rel="canonical" href="/news/12345">'),
                           "https://health.example/amp/news/12345?utm_source=x")
    assert record.canonical_url == "https://health.example/news/12345"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="htps:/?#;[]aA.\t\n@% 1", max_size=24).flatmap(
    lambda rest: st.sampled_from(["http://", "https://", "HTTP://", ""]).map(lambda scheme: scheme + rest)))
def test_the_canonical_link_s_shortcut_is_taken_only_where_urljoin_gives_the_url_itself(url: str) -> None:
    if _joins_to_itself(url):
        assert urljoin(url, url) == url
    if _joins_to_itself(url) and url == url.strip():  # an href is read stripped
        root = etree.fromstring(f'<html><head><link rel="canonical" href="{escape(url)}"></head></html>',
                                etree.HTMLParser())
        assert canonical_url(root, url, get_profile("generic")) == url


BREADCRUMB_PAGE = ('<html><head><meta charset="utf-8"></head><body>'
                   '<nav class="site-BreadCrumbs"><a href="/">Home</a> › <a href="/heart/">Heart</a></nav>'
                   "<h1>Heart health</h1><p>A paragraph of running text about the heart and its care.</p>"
                   "</body></html>")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_a_trail_marked_breadcrumb_is_found_in_bytes_of_any_encoding(encoding: str) -> None:
    html = BREADCRUMB_PAGE.replace("utf-8", encoding).encode(encoding)
    assert parse_article(html, "https://www.example.org/heart/health").breadcrumbs == ["Home", "Heart"]


def test_a_trail_marked_breadcrumb_is_found_in_a_page_given_as_text() -> None:
    record = parse_article(BREADCRUMB_PAGE, "https://www.example.org/heart/health")
    assert record.breadcrumbs == ["Home", "Heart"]


def _lone_link_block(html: str) -> list[tuple[str, str, str | None]]:
    body = etree.fromstring(f"<html><body>{html}</body></html>", etree.HTMLParser()).find("body")
    block = body.find(".//a")
    return [(r.title, r.url, r.snippet) for r in recommendations(block, "https://health.example/p/1.html")]


def test_a_related_block_that_is_one_link_is_that_link_without_the_text_around_it() -> None:
    assert _lone_link_block("<div><h3>Related articles</h3><a href='/p/2.html'>A long related title</a>"
                            "<p>The page's own text after it.</p></div>") == [
        ("A long related title", "https://health.example/p/2.html", None)]


def test_a_related_block_that_is_one_link_does_not_take_the_next_link_as_its_snippet() -> None:
    assert _lone_link_block("<div><h3>Related articles</h3><a href='/p/2.html'>Long title one</a> "
                            "<a href='/p/3.html'>Long title two</a></div>") == [
        ("Long title one", "https://health.example/p/2.html", None)]


def test_a_title_in_a_second_head_is_the_pages_title() -> None:
    html = ("<html><head><meta charset=utf-8></head><head><title>Flu facts | Health</title></head><body>"
            "<p>" + "Wash your hands often and keep rooms aired every day. " * 8 + "</p></body></html>")
    assert parse_article(html, "https://www.example.org/news/12345").title == "Flu facts"


@settings(max_examples=300, deadline=None)
@given(st.lists(markup, max_size=8).map("".join))
def test_head_body_and_title_are_the_elements_elementpath_finds(html: str) -> None:
    for page in (html, f"<head><title>a</title></head>{html}<head><title>b</title></head>",
                 f"<head></head><head><title>b</title></head>{html}"):
        root = etree.fromstring(f"<html>{page}</html>", etree.HTMLParser())
        assert child_named(root, "head") is root.find("head")
        assert child_named(root, "body") is root.find("body")
        assert document_title(root) is root.find("head/title")


@pytest.mark.parametrize(("title", "name"), [
    ("What causes knee pain? | Wellness Daily", "What causes knee pain?"),
    ("Flu - symptoms and care - Health Site", "Flu"),
    ("Self-care at home — Clinic", "Self-care at home"),
    ("A title without a site", "A title without a site"),
])
def test_a_page_title_loses_its_site_suffix(title: str, name: str) -> None:
    assert without_site_suffix(title) == name


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab -|_–—\t\n\u3000\u00a0", max_size=16))
def test_the_site_suffix_is_cut_where_the_suffix_pattern_cuts_it(title: str) -> None:
    assert without_site_suffix(title) == _TITLE_SUFFIX.sub("", title)
