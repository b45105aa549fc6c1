"""``generate_site``: writes the demo health site and its ground truth.

One streaming pass over the articles writes each page and its truth line as it is built,
so memory does not grow with the site (100,000 pages are fine); the other pages
(home, listings, sitemaps, robots.txt) follow. Output is a pure function of
``(pages, seed, base_url, layout, article_blocks)``.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.urls import canonicalize_url
from crawler.demo_site import magazine
from crawler.demo_site import pages as site_pages
from crawler.demo_site.article import DEAD_LINKS, PDF_PATH, PRIVATE_PAGES, TRACKING_QUERY, build_article
from crawler.demo_site.build import MIN_ARTICLE_BLOCKS
from crawler.demo_site.chrome import Chrome
from crawler.demo_site.layout import render_article
from crawler.demo_site.model import ArticleModel
from crawler.demo_site.plan import DEAD_ID_BASE, OLD_ID_BASE, PRIVATE_ID_BASE, SitePlan
from crawler.demo_site.site_truth import DOCROOT, TRUTH_DIR, JsonLines, SiteTruth
from crawler.demo_site.truth import expected_record, host_aliases
from crawler.demo_site.vocab import CATEGORIES, PARENTS

SITEMAP_CHUNK = 10_000
MAX_ARTICLE_BLOCKS = 2_000
"""Longest article body that may be asked for (some 0.6 MB a page)."""
DEFAULT_BASE_URL = "http://www.healthdemo.test:8000"


@dataclass(frozen=True, slots=True)
class Layout:
    """How a site's pages are marked up: the article page and every other page."""

    article: Callable[[Chrome, ArticleModel], bytes]
    home: Callable[[Chrome, list[tuple[str, int]], str], str]
    listings: Callable[[Chrome, int], Iterator[tuple[str, str]]]
    section: Callable[[Chrome, str, str], str]
    sitemap: Callable[[Chrome], str]
    statics: Callable[[Chrome], Iterator[tuple[str, str]]]
    private: Callable[[Chrome, int], str]


LAYOUTS = {
    "keepto": Layout(render_article, site_pages.home_page, site_pages.listing_pages,
                     site_pages.section_page, site_pages.sitemap_page, site_pages.static_pages,
                     site_pages.private_page),
    "magazine": Layout(magazine.render_article, magazine.home_page, magazine.listing_pages,
                       magazine.section_page, magazine.sitemap_page, magazine.static_pages,
                       magazine.private_page),
}
"""``keepto``: the golden pages' layout (the demo profile's); ``magazine``: the same site
marked up another way, for sites without a profile (``crawler.demo_site.magazine``)."""


def generate_site(out_dir: Path, *, pages: int = 300, seed: int = 0,
                  base_url: str = DEFAULT_BASE_URL, layout: str = "keepto",
                  article_blocks: tuple[int, int] | None = None) -> SiteTruth:
    """Write a site of ``pages`` article pages in ``layout`` (one of :data:`LAYOUTS`) into
    ``out_dir`` (see ``site_truth.py`` for the files) and return its truth. Replaces a site
    generated there before. ``article_blocks``: ``(low, high)`` to give each original a
    body of so many blocks (summary paragraphs, section headings, section paragraphs and
    items, as its record lists them), drawn per article from the seed, so parsers can be
    measured on long articles (copies say what their originals say); ``None`` leaves the
    length to the prose (the site as it always was)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown demo layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    if article_blocks is not None:
        check_article_blocks(article_blocks)
    out_dir = Path(out_dir)
    for old in (out_dir / DOCROOT, out_dir / TRUTH_DIR):
        shutil.rmtree(old, ignore_errors=True)
    plan = SitePlan(pages, seed, base_url, article_blocks)
    truth = SiteTruth(
        out_dir=out_dir, seed=seed, pages=pages, layout=layout, article_blocks=article_blocks,
        base_url=plan.base_url,
        mobile_base_url=plan.mobile_base_url,
        host_aliases=host_aliases(plan.base_url, plan.mobile_base_url),
        start_url=plan.base_url + "/", robots_url=plan.base_url + "/robots.txt",
        sitemap_url=plan.base_url + "/sitemap.xml",
    )
    writer = _SiteWriter(plan, truth)
    writer.write_articles()
    writer.write_other_pages()
    writer.write_sitemaps()
    writer.finish()
    return truth


def check_article_blocks(article_blocks: tuple[int, int]) -> None:
    """ValueError unless ``(low, high)`` is a range an article body can be written in:
    :data:`MIN_ARTICLE_BLOCKS` at least (what every article must say), no more than
    :data:`MAX_ARTICLE_BLOCKS` (a typo would otherwise fill the disk), low not above high."""
    low, high = article_blocks
    if not MIN_ARTICLE_BLOCKS <= low <= high <= MAX_ARTICLE_BLOCKS:
        raise ValueError(f"expected LOW-HIGH with {MIN_ARTICLE_BLOCKS} <= LOW <= HIGH <= "
                         f"{MAX_ARTICLE_BLOCKS}, got {low}-{high}")


def parse_article_blocks(text: str) -> tuple[int, int]:
    """``"5-80"`` as ``(5, 80)``, checked; ValueError saying what is wrong otherwise."""
    low, dash, high = text.partition("-")
    if not (dash and low.strip().isdigit() and high.strip().isdigit()):
        raise ValueError(f"expected LOW-HIGH, e.g. 5-80, got {text!r}")
    blocks = (int(low), int(high))
    check_article_blocks(blocks)
    return blocks


class _SiteWriter:
    """Writes one site; holds the small sets the truth reports (traps actually linked)."""

    def __init__(self, plan: SitePlan, truth: SiteTruth) -> None:
        self.plan = plan
        self.truth = truth
        self.root = truth.docroot
        self.chrome = Chrome(plan)
        self.layout = LAYOUTS[truth.layout]
        self.aliases: dict[str, str] = {}
        self.dead: set[str] = set()
        self.private: set[str] = set()
        self.counts = dict.fromkeys(("original", "orphan", "exact_copy", "near_copy"), 0)
        self.counts["gbk_pages"] = 0
        (self.root / "p").mkdir(parents=True)
        self.duplicates = JsonLines(truth.duplicates_path)

    def put(self, path: str, data: str | bytes) -> None:
        """Write a page at URL ``path`` (a path ending in ``/`` is its ``index.html``)."""
        target = self.root / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def write_articles(self) -> None:
        plan, aliases = self.plan, self.truth.host_aliases
        records = JsonLines(self.truth.records_path)
        for index in range(plan.pages):
            article = build_article(plan, index)
            (self.root / plan.path(index)[1:]).write_bytes(self.layout.article(self.chrome, article))
            url = plan.url(index)
            records.write({
                "url": url, "article_id": str(article.head.article_id), "kind": article.kind,
                "duplicate_of": plan.url(article.source) if article.source != index else None,
                "linked": plan.is_linked(index), "encoding": article.style.encoding,
                "expected": expected_record(article, url, aliases),
            })
            self._note(article, url)
        records.close()

    def _note(self, article: ArticleModel, url: str) -> None:
        """Count the article and remember the traps it links to."""
        self.counts[article.kind] += 1
        self.counts["gbk_pages"] += article.style.encoding == "gbk"
        if article.kind == "orphan":
            self.truth.orphans.append(url)
        if article.kind in ("exact_copy", "near_copy"):
            self._duplicate(url, self.plan.url(article.source), article.kind.split("_")[0],
                            changed_words=article.changed_words)
        for rec in article.recs:
            if rec.alias_of is not None:
                self._alias(rec.href if "://" in rec.href else self.plan.base_url + rec.href,
                            rec.alias_of)
            if rec.dead:
                self.dead.add(self.plan.base_url + rec.href)
        if article.private_href:
            self.private.add(self.plan.base_url + article.private_href)

    def _alias(self, alias_url: str, target: int) -> None:
        if alias_url not in self.aliases:
            self.aliases[alias_url] = self.plan.url(target)
            self._duplicate(alias_url, self.plan.url(target), "url")

    def _duplicate(self, url: str, original: str, reason: str, **detail: Any) -> None:
        self.duplicates.write({"url": url, "canonical_url": canonicalize_url(
            url, self.truth.host_aliases), "duplicate_of": original, "reason": reason, **detail})

    def write_other_pages(self) -> None:
        plan, chrome, layout = self.plan, self.chrome, self.layout
        for category in range(len(CATEGORIES)):
            for path, html in layout.listings(chrome, category):
                self.put(path, html)
        for slug, name in PARENTS:
            self.put(f"/c/{slug}/", layout.section(chrome, slug, name))
        for path, html in layout.statics(chrome):
            self.put(path, html)
        self.put("/sitemap.html", layout.sitemap(chrome))
        for k in range(PRIVATE_PAGES):
            self.put(f"/private/p/{PRIVATE_ID_BASE + k}.html", layout.private(chrome, PRIVATE_ID_BASE + k))
        private_href = f"/private/p/{PRIVATE_ID_BASE}.html"
        self.private.add(plan.base_url + private_href)
        self.put("/", layout.home(chrome, self._home_picks(), private_href))
        self.put("/robots.txt", site_pages.robots_txt(plan.base_url))
        self.put(PDF_PATH, site_pages.pdf_bytes("HealthDemo printable health guide"))
        self.truth.pdfs.append(plan.base_url + PDF_PATH)
        self.put("/static/css/common.css", site_pages.STYLESHEET)
        self.put("/static/js/common.js", site_pages.SCRIPT)

    def _home_picks(self) -> list[tuple[str, int]]:
        """Editor's picks: a redirecting old URL, a tracking URL, a mobile URL, a dead
        link and plain links, as ``(href, article index)``."""
        plan = self.plan
        linked = [i for i in (plan.pages // 3, plan.pages // 2, plan.pages - 1, 0)
                  if plan.is_linked(i)] or [0]
        first, second, third = (linked * 3)[:3]
        old = f"/p/{OLD_ID_BASE}.html"  # the article's id before a site migration
        self.truth.redirects[plan.base_url + old] = plan.url(first)
        tracking = plan.path(second) + TRACKING_QUERY
        mobile = plan.mobile_base_url + plan.path(third)
        self._alias(plan.base_url + tracking, second)
        self._alias(mobile, third)
        dead = f"/p/{DEAD_ID_BASE + DEAD_LINKS}.html"
        self.dead.add(plan.base_url + dead)
        return [(old, first), (tracking, second), (mobile, third), (dead, first),
                *((plan.path(i), i) for i in linked)]

    def write_sitemaps(self) -> None:
        plan = self.plan
        base = plan.base_url
        chunk = min(SITEMAP_CHUNK, max(1, -(-plan.pages // 2)))
        starts = list(range(0, plan.pages, chunk))
        children = [f"{base}/sitemaps/categories.xml"]
        pages = ["/", *(f"/c/{s}/" for s, _ in PARENTS), *(f"/c/{c.slug}/" for c in CATEGORIES)]
        self.put("/sitemaps/categories.xml", _urlset((base + p, None) for p in pages))
        for n, start in enumerate(starts, 1):
            xml = _urlset((plan.url(i), f"{plan.published(i):%Y-%m-%d}")
                          for i in range(start, min(start + chunk, plan.pages)))
            gz = n == len(starts)
            name = f"/sitemaps/articles-{n}.xml" + (".gz" if gz else "")
            self.put(name, gzip.compress(xml.encode(), mtime=0) if gz else xml)
            children.append(base + name)
        index = "".join(f"<sitemap><loc>{url}</loc></sitemap>\n" for url in children)
        self.put("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
                 f'"http://www.sitemaps.org/schemas/sitemap/0.9">\n{index}</sitemapindex>\n')
        self.truth.sitemaps = children

    def finish(self) -> None:
        """Write the server config and the truth summary."""
        self.duplicates.close()
        truth = self.truth
        truth.missing = sorted(self.dead)
        truth.disallowed = sorted(self.private)
        truth.counts = {
            "articles": self.plan.pages, "originals": self.counts["original"],
            "orphans": self.counts["orphan"], "exact_copies": self.counts["exact_copy"],
            "near_copies": self.counts["near_copy"], "alias_urls": len(self.aliases),
            "unique_articles": self.counts["original"] + self.counts["orphan"],
            "gbk_pages": self.counts["gbk_pages"],
        }
        base = len(self.plan.base_url)
        server = {"docroot": DOCROOT,
                  "redirects": {old[base:]: new[base:] for old, new in truth.redirects.items()}}
        (truth.out_dir / "server.json").write_text(json.dumps(server, indent=1), encoding="utf-8")
        truth.save()


def _urlset(entries: Iterable[tuple[str, str | None]]) -> str:
    """A sitemap ``urlset`` of ``(url, lastmod or None)``."""
    rows = "".join(
        f"<url><loc>{url}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>\n"
        for url, mod in entries
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n')
