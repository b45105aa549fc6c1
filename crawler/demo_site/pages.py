"""The demo site's pages other than articles: home, category listings with pagination,
section pages, static pages, members-only pages under ``/private/``, and the small
assets (stylesheet, script, PDF). Each function returns a page's text; ``generator.py``
decides where it goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from crawler.demo_site.chrome import STATIC_PAGES, Chrome, a
from crawler.demo_site.vocab import CATEGORIES, PARENTS

PER_PAGE = 20


def _page(chrome: Chrome, title: str, path: str, main: str, side_extra: str = "") -> str:
    """A non-article page: chrome around a ``main-left`` block."""
    return (chrome.head(title, title, path, "utf-8", True) + chrome.top["utf-8"]
            + f'<div class="w1200 clearfix main">\n\t<div class="main-left">\n{main}\t</div>\n'
            f'\t<div class="main-right">\n{chrome.side}{side_extra}\t</div>\n</div>\n'
            + chrome.footer["utf-8"] + "</body>\n</html>\n")


def _article_li(chrome: Chrome, index: int, href: str | None = None) -> str:
    head = chrome.plan.head(index)
    return (f'\t\t<li>{a(href or chrome.plan.path(index), head.title)}<span class="date">'
            f'{head.published:%Y-%m-%d}</span><p class="desc">{escape(head.lead[:90], quote=False)}'
            "...</p></li>\n")


def home_page(chrome: Chrome, picks: list[tuple[str, int]], private_href: str) -> str:
    """The home page: editor's picks (with the trap links), newest articles, categories."""
    plan = chrome.plan
    pick_items = "".join(_article_li(chrome, index, href) for href, index in picks)
    newest = [i for i in range(plan.pages - 1, -1, -1) if plan.is_linked(i)][:PER_PAGE]
    latest = "".join(_article_li(chrome, i) for i in newest)
    cats = "".join(f"\t\t<li>{a(f'/c/{c.slug}/', c.name)}</li>\n" for c in CATEGORIES)
    main = (f'\t<div class="box picks"><h2>Editor\'s picks</h2><ul class="list">\n{pick_items}'
            f'\t</ul></div>\n\t<div class="box latest"><h2>Latest articles</h2><ul class="list">\n'
            f'{latest}\t</ul></div>\n\t<div class="box cats"><h2>Categories</h2><ul>\n{cats}'
            "\t</ul></div>\n")
    members = (f'\t\t<div class="side-box members"><h3>Members area</h3>'
               f'{a(private_href, "Members-only health reports")}</div>\n')
    return _page(chrome, "Everyday health knowledge", "/", main, members)


def listing_pages(chrome: Chrome, category: int) -> Iterator[tuple[str, str]]:
    """``(path, html)`` of a category's paginated listing, newest first."""
    slug = CATEGORIES[category].slug
    members = chrome.members[category]
    total = max(1, -(-len(members) // PER_PAGE))
    for number in range(1, total + 1):
        chunk = members[(number - 1) * PER_PAGE: number * PER_PAGE]
        items = "".join(_article_li(chrome, i) for i in chunk)
        main = (f'\t<div class="box list-box"><h1>{escape(CATEGORIES[category].name)}</h1>'
                f'<ul class="list">\n{items}\t</ul>\n{_pager(slug, number, total)}\t</div>\n')
        yield listing_path(slug, number), _page(chrome, CATEGORIES[category].name,
                                                listing_path(slug, number), main)


def listing_path(slug: str, number: int) -> str:
    """``/c/<slug>/`` for page 1, ``/c/<slug>/page/<n>.html`` after it."""
    return f"/c/{slug}/" if number == 1 else f"/c/{slug}/page/{number}.html"


def _pager(slug: str, number: int, total: int) -> str:
    links = []
    if number > 1:
        links.append(a(listing_path(slug, number - 1), "Prev", ' class="prev"'))
    for n in sorted({1, *range(max(1, number - 2), min(total, number + 2) + 1), total}):
        links.append(f'<span class="current">{n}</span>' if n == number
                     else a(listing_path(slug, n), str(n)))
    if number < total:
        links.append(a(listing_path(slug, number + 1), "Next", ' class="next"'))
    return f'\t<div class="pages">{" ".join(links)}</div>\n'


def section_page(chrome: Chrome, parent_slug: str, parent_name: str) -> str:
    """``/c/<parent>/``: the categories of one top-level section."""
    cats = "".join(f"\t\t<li>{a(f'/c/{c.slug}/', c.name)}</li>\n"
                   for c in CATEGORIES if c.parent_slug == parent_slug)
    main = f'\t<div class="box"><h1>{escape(parent_name)}</h1><ul>\n{cats}\t</ul></div>\n'
    return _page(chrome, parent_name, f"/c/{parent_slug}/", main)


def sitemap_page(chrome: Chrome) -> str:
    """``/sitemap.html``: every section and category."""
    rows = "".join(
        f"\t\t<li>{a(f'/c/{slug}/', name)}: "
        + " ".join(a(f"/c/{c.slug}/", c.name) for c in CATEGORIES if c.parent_slug == slug)
        + "</li>\n"
        for slug, name in PARENTS
    )
    return _page(chrome, "Sitemap", "/sitemap.html", f'\t<div class="box"><ul>\n{rows}\t</ul></div>\n')


def static_pages(chrome: Chrome) -> Iterator[tuple[str, str]]:
    """About, contact, disclaimer and privacy pages."""
    for slug, title in STATIC_PAGES:
        main = (f'\t<div class="box"><h1>{title}</h1><p>HealthDemo is a generated demonstration '
                "site for testing health-article crawlers. Its articles are not medical advice."
                "</p></div>\n")
        yield f"/{slug}/", _page(chrome, title, f"/{slug}/", main)


def private_page(chrome: Chrome, article_id: int) -> str:
    """A members-only page that looks like an article; robots.txt disallows it."""
    main = ('\t\t<div class="article">\n\t\t\t<h1>Members only: what our doctors tell their own '
            'families</h1>\n\t\t\t<div class="article-content" id="article-content">\n'
            "\t\t\t\t<p>This report is reserved for members. Crawlers must not fetch it.</p>\n"
            "\t\t\t\t<p>1. Symptoms</p>\n\t\t\t\t<p>Robots.txt disallows this path.</p>\n"
            "\t\t\t</div>\n\t\t</div>\n")
    return _page(chrome, "Members only", f"/private/p/{article_id}.html", main)


def robots_txt(base_url: str) -> str:
    return f"User-agent: *\nDisallow: /private/\nDisallow: /search.php\n\nSitemap: {base_url}/sitemap.xml\n"


STYLESHEET = """body{font:14px/1.7 Arial,sans-serif;color:#333;margin:0}
.w1200{width:1200px;margin:0 auto}.main-left{float:left;width:820px}.main-right{float:right;width:340px}
.clearfix:after{content:"";display:table;clear:both}.nav ul{background:#2a8c5a;list-style:none;padding:0}
.nav li{display:inline-block;padding:8px 12px}.nav a{color:#fff}.position{padding:10px 0;color:#888}
.article h1{font-size:26px}.prenext p{margin:4px 0}.footer{clear:both;background:#f4f4f4;padding:20px 0}
"""
SCRIPT = "/* HealthDemo common script: no behaviour the crawler needs. */\n"


def pdf_bytes(title: str) -> bytes:
    """A small valid one-page PDF (its xref offsets computed, so readers accept it)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
