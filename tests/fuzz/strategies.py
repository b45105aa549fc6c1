"""Inputs for the fuzz targets: mutated golden pages, tag soup, URLs, sitemaps, robots.txt.

Built from the shapes real hostile and broken sites take (tags cut and repeated, deep
nesting, wrong charsets, entity tricks, gzip that is not gzip), so a run of minutes
reaches the corners that uniform random bytes never do.
"""

from __future__ import annotations

import gzip
from functools import cache

from hypothesis import strategies as st

from core.profiles.registry import all_host_aliases, profile_names
from tests.parsing.golden import golden_names, golden_page

TAGS = ("html", "head", "body", "title", "meta", "link", "h1", "h2", "h3", "h4", "p", "div",
        "span", "a", "b", "strong", "em", "font", "ul", "ol", "li", "br", "hr", "table", "tr",
        "td", "article", "main", "section", "nav", "aside", "header", "footer", "form",
        "script", "style", "time", "dl", "dt", "dd", "blockquote", "pre", "sup", "svg", "template")
ATTRIBUTES = ("class", "id", "style", "hidden", "aria-hidden", "href", "rel", "lang",
              "itemtype", "datetime", "content", "name", "property", "charset", "http-equiv")
ATTRIBUTE_VALUES = ("share", "related", "breadcrumb", "display:none", "true", "canonical",
                    "article-content", "recommend", "/p/1.html", "javascript:void(0)",
                    "https://www.keepto.com/p/2.html", "//[broken/", "http://[::1", "gbk",
                    "text/html; charset=utf-16", "BreadcrumbList", "2023-05-14T10:21", "x" * 300)
WORDS = ("Symptoms", "Prevention", "Recommend", "Next:", "<<:", "Previous:", "1.", "2、",
         "(3)", "①", "一、", "Step 4:", "•", "-", "Date:", "2023-05-14", "Current location:",
         "症状", "预防", "相关推荐", "下一篇", "Comments", "Related articles", "{{title}}",
         "\u200b", "\u00a0", "\u3000", "\x0b", "\ufeff", "&amp;", "&nbsp;", "&#0;", "&#x110000;",
         "]]>", "<!--", "-->", "<![CDATA[", "\r\n", "\t")
CHARSETS = (None, "text/html", "text/html; charset=utf-8", "text/html; charset=gbk",
            "text/html; charset=utf-16", "text/html; charset=x-unknown", "text/html; charset=",
            "text/html; charset=iso-2022-jp", "application/octet-stream", "text/html; charset=\"utf-8")

profiles = st.sampled_from([None, *profile_names()])
content_types = st.sampled_from(CHARSETS)


@cache
def _golden() -> tuple[tuple[bytes, str], ...]:
    return tuple((golden_page(name).html, golden_page(name).url) for name in golden_names())


golden_pages = st.sampled_from(range(len(_golden()))).map(lambda i: _golden()[i])
"""(html, url) of a golden page."""

words = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))
texts = st.lists(words, max_size=6).map(" ".join)


def _attribute(pair: tuple[str, str]) -> str:
    name, value = pair
    return f' {name}="{value}"'


attributes = st.lists(
    st.tuples(st.sampled_from(ATTRIBUTES), st.one_of(st.sampled_from(ATTRIBUTE_VALUES), texts)),
    max_size=3,
).map(lambda pairs: "".join(map(_attribute, pairs)))


def _element(parts: tuple[str, str, list[str], bool]) -> str:
    tag, attrs, children, closed = parts
    return f"<{tag}{attrs}>{''.join(children)}" + (f"</{tag}>" if closed else "")


markup = st.recursive(
    texts,
    lambda inner: st.tuples(st.sampled_from(TAGS), attributes, st.lists(inner, max_size=5),
                            st.booleans()).map(_element),
    max_leaves=60,
)
"""Tag soup: known tags with the attributes the parser reads, unclosed tags included."""


def _nested(parts: tuple[str, int, str]) -> str:
    tag, depth, text = parts
    return f"<{tag}>" * depth + text + f"</{tag}>" * depth


deep_markup = st.tuples(st.sampled_from(TAGS), st.integers(100, 3000), texts).map(_nested)
"""One tag nested hundreds to thousands deep (past libxml2's depth limit of 256)."""


@st.composite
def mutated_pages(draw: st.DrawFn) -> tuple[bytes, str]:
    """A golden page under a few edits: byte ranges deleted, repeated, moved in from
    another page, overwritten with random bytes or tag soup; the page may be cut short."""
    html, url = draw(golden_pages)
    page = bytearray(html)
    for _ in range(draw(st.integers(1, 8))):
        start = draw(st.integers(0, len(page)))
        end = draw(st.integers(start, min(len(page), start + 4096)))
        operation = draw(st.sampled_from(("delete", "repeat", "splice", "bytes", "markup", "deep")))
        if operation == "delete":
            del page[start:end]
        elif operation == "repeat":
            page[start:start] = page[start:end] * draw(st.integers(1, 50))
        elif operation == "splice":
            other, _ = draw(golden_pages)
            at = draw(st.integers(0, len(other)))
            page[start:end] = other[at:at + draw(st.integers(0, 4096))]
        elif operation == "bytes":
            page[start:end] = draw(st.binary(max_size=64))
        else:
            fragment = draw(markup if operation == "markup" else deep_markup)
            page[start:end] = fragment.encode(draw(st.sampled_from(("utf-8", "gbk", "utf-16"))),
                                              errors="replace")
    if draw(st.booleans()):
        del page[draw(st.integers(0, len(page))):]
    return bytes(page), url


# --- URLs -------------------------------------------------------------------------------

HOSTS = ("www.keepto.com", "m.keepto.com", "WWW.Example.COM.", "example.com", "127.0.0.1",
         "[::1]", "[2001:db8::1]", "[::ffff:127.0.0.1]", "bücher.de", "xn--bcher-kva.de",
         "m.127.0.0.1", "localhost", "a..b", "-x-.com", "[broken", "broken]", "", "user:pw@host.com",
         "host.com:99999", "host.com:-1", "host.com:abc", "host.com:443", "host.com:80", "例子.中国")
SEGMENTS = ("p", "60636.html", "index.html", "index.php", "", ".", "..", "%2e%2e", "a;jsessionid=ABC",
            ";sid=1", "%zz", "%00", "%E4%BD%A0", "你好", "a b", "a%20b", "~user", "@", ":", "%2F")
QUERY_KEYS = ("id", "page", "utm_source", "spm", "sid", "PHPSESSID", "jsessionid", "a", "", "q",
              "ASPSESSIONIDXYZ", "from", "%26", "k=v")
host_aliases = st.sampled_from([None, {}, dict(all_host_aliases())])


@st.composite
def urls(draw: st.DrawFn) -> str:
    """URLs as links on hostile pages write them: odd schemes, hosts, ports, escapes."""
    scheme = draw(st.sampled_from(("http", "https", "HTTPS", "hTtP", "ftp", "file", "javascript",
                                   "mailto", "data", "")))
    host = draw(st.one_of(st.sampled_from(HOSTS), st.text(max_size=10)))
    path = "/".join(draw(st.lists(st.one_of(st.sampled_from(SEGMENTS), st.text(max_size=6)), max_size=5)))
    pairs = draw(st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=4)),
                                    st.text(max_size=6)), max_size=4))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    url = f"{scheme}://{host}/{path}" if scheme else f"//{host}/{path}"
    if query or draw(st.booleans()):
        url += "?" + query
    if draw(st.booleans()):
        url += "#" + draw(st.text(max_size=6))
    return draw(st.sampled_from((url, f"  {url}\n", url.upper())))


any_urls = st.one_of(urls(), st.text(max_size=60))

# --- Sitemaps and robots.txt ------------------------------------------------------------

ENTITY_MARKER = "ENTITY-WAS-EXPANDED"
"""The replacement text of every entity the sitemaps declare: it must never show up."""

_DOCTYPES = (
    "",
    f'<!DOCTYPE urlset [<!ENTITY e "{ENTITY_MARKER}">]>',
    f'<!DOCTYPE urlset [<!ENTITY a "{ENTITY_MARKER}{ENTITY_MARKER}"><!ENTITY e "&a;&a;&a;&a;">]>',
    '<!DOCTYPE urlset [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
    '<!DOCTYPE urlset SYSTEM "http://127.0.0.1:9/evil.dtd">',
    '<!DOCTYPE urlset [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
)


@st.composite
def sitemap_xml(draw: st.DrawFn) -> bytes:
    """A sitemap or sitemap index, with entity tricks, odd namespaces and broken tails."""
    kind, entry = draw(st.sampled_from((("urlset", "url"), ("sitemapindex", "sitemap"))))
    namespace = draw(st.sampled_from(('', ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"',
                                      ' xmlns:x="urn:x"')))
    children = []
    for _ in range(draw(st.integers(0, 30))):
        loc = draw(st.one_of(urls(), st.sampled_from(("&e;", "&amp;", "&#0;", "<![CDATA[x]]>", ""))))
        extra = draw(st.sampled_from(("", "<lastmod>2024-01-01</lastmod>", "<lastmod>&e;</lastmod>",
                                      '<x:link href="/alt"/>', "<loc>second</loc>", "<loc/>")))
        children.append(f"<{entry}><loc>{loc}</loc>{extra}</{entry}>")
    body = (f'<?xml version="1.0" encoding="UTF-8"?>{draw(st.sampled_from(_DOCTYPES))}'
            f"<{kind}{namespace}>{''.join(children)}</{kind}>")
    data = body.encode("utf-8", errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def sitemap_bodies(draw: st.DrawFn) -> bytes:
    """A sitemap as served: plain, gzipped, gzip cut short, or gzip magic before garbage."""
    xml = draw(st.one_of(sitemap_xml(), st.binary(max_size=512)))
    form = draw(st.sampled_from(("plain", "gzip", "cut gzip", "fake gzip", "double gzip")))
    if form == "plain":
        return xml
    if form == "gzip":
        return gzip.compress(xml)
    if form == "cut gzip":
        packed = gzip.compress(xml)
        return packed[: draw(st.integers(2, len(packed)))]
    if form == "double gzip":
        return gzip.compress(gzip.compress(xml))
    return b"\x1f\x8b" + draw(st.binary(max_size=256))


ROBOTS_LINES = ("User-agent: *", "User-agent: healthcrawl", "User-agent:", "Disallow: /",
                "Disallow:", "Allow: /p/", "Disallow: /*?", "Disallow: /*.html$", "Allow: /$",
                "Disallow: /%E4%BD%A0", "Disallow: /你好", "Crawl-delay: 5", "Crawl-delay: 1e308",
                "Crawl-delay: -1", "Crawl-delay: nan", "Request-rate: 1/0", "Request-rate: x/y",
                "Sitemap: https://www.keepto.com/sitemap.xml", "Sitemap: //[broken/", "Sitemap:",
                "Host: example.com", "# comment", "\ufeffUser-agent: *", "Disallow: /**********$")


@st.composite
def robots_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(st.sampled_from(ROBOTS_LINES), st.text(max_size=30)), max_size=30))
    return draw(st.sampled_from(("\n", "\r\n", "\r"))).join(lines)


user_agents = st.sampled_from(("healthcrawl", "*", "", "Mozilla/5.0 (compatible; healthcrawl/1.0)"))
