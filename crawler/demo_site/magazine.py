"""The demo site in a second layout, "magazine": the same articles, links and traps as the
keepto-like layout, marked up the way a WordPress-style health magazine does.

Nothing a profile could key on is shared with the first layout: other class names, the
headline as ``h1.entry-title``, headings as ``<h2>``, the date as JSON-LD, an
``article:published_time`` meta, a ``<time>`` element, a worded or a bare date line
(which one depends on the article), a related block under "You may also like", "Read
next", "More on this topic" and the like, and listing pages as grids of teaser cards.
The site is there for the generic profile: ``generate_site(..., layout="magazine")``,
crawled with ``--site generic``, must export exactly the articles of the truth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape

from core.section_kinds import section_kind
from crawler.demo_site.chrome import STATIC_PAGES, Chrome, a
from crawler.demo_site.layout import text
from crawler.demo_site.model import ArticleModel, Items, LinkModel, SectionModel
from crawler.demo_site.pages import PER_PAGE, listing_path
from crawler.demo_site.plan import mix
from crawler.demo_site.truth import breadcrumbs, published_at
from crawler.demo_site.vocab import CATEGORIES, PARENTS

SITE_NAME = "Wellness Daily"
RELATED_LABELS = ("You may also like", "Read next", "More on this topic", "Related posts",
                  "Recommended for you")
DATE_FORMS = ("json-ld", "meta", "time", "worded", "bare")
"""How an article shows its date; a date-only article never uses a form that holds a time."""
_STYLE = '<link rel="stylesheet" href="/static/css/common.css?v=3">\n'


def _head(title: str, encoding: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="{encoding}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title, quote=False)} | {SITE_NAME}</title>\n"
            f'<meta property="og:site_name" content="{SITE_NAME}">\n{extra}{_STYLE}</head>\n')


def _masthead() -> str:
    menu = "".join(f'<li class="menu-item">{a(f"/c/{slug}/", name)}</li>' for slug, name in PARENTS)
    return ('<body class="wp-site">\n<a class="skip-link screen-reader-text" href="#primary">Skip to '
            f'content</a>\n<header id="masthead" class="site-header"><p class="site-title">'
            f'{a("/", SITE_NAME)}</p><nav class="main-navigation" aria-label="Primary"><ul '
            f'class="menu">{menu}</ul></nav></header>\n')


def _colophon() -> str:
    links = "".join(f"<li>{a(f'/{slug}/', label)}</li>" for slug, label in STATIC_PAGES)
    return ('<footer id="colophon" class="site-footer"><ul class="footer-menu">'
            f'{links}<li>{a("/sitemap.html", "Sitemap")}</li></ul><p class="site-info">'
            f"&copy; 2024 {SITE_NAME}. Health information for education only; it does not "
            "replace a visit to your doctor.</p></footer>\n</body>\n</html>\n")


def _popular(chrome: Chrome) -> str:
    items = "".join(f'<li>{a(chrome.plan.path(i), chrome.plan.head(i).title)}</li>' for i in chrome.hot)
    return (f'<aside id="secondary" class="widget-area"><section class="widget widget_popular">'
            f'<h2 class="widget-title">Most read</h2><ol>{items}</ol></section></aside>\n')


def date_form(article: ArticleModel) -> str | None:
    """Which of :data:`DATE_FORMS` the article's page uses (None: it shows no date)."""
    if article.style.date is None:
        return None
    forms = DATE_FORMS[:2] + ("bare",) if article.style.date == "datetime" else ("time", "worded")
    return forms[mix(article.index, 29) % len(forms)]


def render_article(chrome: Chrome, article: ArticleModel) -> bytes:
    """An article page of the magazine layout, in its declared encoding."""
    head, style = article.head, article.style
    form, when = date_form(article), published_at(article)
    extra = ('<meta property="og:type" content="article">\n'
             f'<meta property="og:title" content="{escape(head.title)}">\n')
    if form == "json-ld":
        data = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": head.title,
                "datePublished": f"{when}+00:00", "author": {"@type": "Person", "name": "Health Desk"}}
        extra += f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>\n'
    elif form == "meta":
        extra += f'<meta property="article:published_time" content="{when}+00:00">\n'
    crumbs = " <span>&rsaquo;</span> ".join(
        a(href, name) for href, name in zip(
            ("/", f"/c/{head.category.parent_slug}/", f"/c/{head.category.slug}/"),
            breadcrumbs(article), strict=True))
    extra += f'<link rel="canonical" href="{escape(chrome.plan.url(article.index))}">\n'
    page = [
        _head(head.title, style.encoding, extra), _masthead(),
        '<div id="content" class="site-content">\n<main id="primary" class="site-main">\n',
        f'<nav class="breadcrumb" aria-label="Breadcrumb">{crumbs}</nav>\n',
        '<article class="post type-post status-publish">\n<header class="entry-header">\n',
        f'<h1 class="entry-title">{text(head.title)}</h1>\n{_meta_line(article, form)}</header>\n',
        _content(article), _post_navigation(article), _related(article),
        "</article>\n</main>\n", _popular(chrome), "</div>\n", _colophon(),
    ]
    return "".join(page).encode(style.encoding, errors="xmlcharrefreplace")


def _meta_line(article: ArticleModel, form: str | None) -> str:
    when = article.head.published
    day = f"{when:%B} {when.day}, {when:%Y}"
    shown = {
        "json-ld": f'<time class="entry-date" datetime="{published_at(article)}">{day}</time>',
        "time": f'<time class="entry-date published" datetime="{when:%Y-%m-%d}">{day}</time>',
        "worded": f'<span class="posted-on">Published on {day}</span>',
        "bare": f'<span class="time">{when:%Y-%m-%d %H:%M}</span>',
        "meta": f'<span class="posted-on">{when:%d %b %Y}</span>',
        None: "",
    }[form]
    byline = '<span class="byline"> by <a href="/about/">Health Desk</a></span>'
    return f'<div class="entry-meta">{shown}{byline}</div>\n'


def _content(article: ArticleModel) -> str:
    out = ['<div class="entry-content">\n']
    last = len(article.summary) - 1
    for i, paragraph in enumerate(article.summary):
        body = text(paragraph)
        if article.pdf is not None and i == last:
            body = body[: -len(article.pdf.title)] + a(article.pdf.href, article.pdf.title)
        out.append(f"<p>{body}</p>\n")
    out.extend(_section(section) for section in article.sections)
    out.append("</div>\n")
    return "".join(out)


def _section(section: SectionModel) -> str:
    heading = text(section.heading)
    if section.number is not None:
        heading = f"{section.number}. {heading}"
    out = [f'<h2 class="wp-block-heading">{heading}</h2>\n']
    listed = any(isinstance(block, Items) for block in section.blocks)
    if section_kind(section.heading) == "prevention" and not listed:
        # tips the keepto layout writes as one paragraph each: a list here, as the truth has them
        return "".join(out) + _items([block for block in section.blocks if isinstance(block, str)])
    for block in section.blocks:
        out.append(_items(block) if isinstance(block, Items) else f"<p>{text(block)}</p>\n")
    return "".join(out)


def _items(block: Items | list[str]) -> str:
    """A list as lists are written here: numbered entries in ``<ol>``, the others ``<ul>``."""
    entries, style = (block.entries, block.style) if isinstance(block, Items) else (block, "ul")
    tag = "ul" if style in ("ul", "dash") else "ol"
    return f"<{tag}>" + "".join(f"<li>{text(entry)}</li>" for entry in entries) + f"</{tag}>\n"


def _post_navigation(article: ArticleModel) -> str:
    def side(css: str, label: str, link: LinkModel | None) -> str:
        if link is None:
            return ""
        return (f'<div class="{css}"><span class="meta-nav">{label}</span> '
                f'<a href="{escape(link.href)}" rel="{css.split("-")[1]}">{text(link.title)}</a></div>')
    return ('<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links">'
            f'{side("nav-previous", "Previous article:", article.prev)}'
            f'{side("nav-next", "Next article:", article.next)}</div></nav>\n')


def _related(article: ArticleModel) -> str:
    label = RELATED_LABELS[mix(article.index, 31) % len(RELATED_LABELS)]
    cards = []
    for rec in article.recs:
        excerpt = "" if rec.desc is None else f'<p class="card-excerpt">{text(rec.desc)}</p>'
        cards.append(f'<div class="related-card"><h3 class="card-title">{a(rec.href, rec.title)}</h3>'
                     f"{excerpt}</div>\n")
    return f'<section class="more-reading"><h2>{label}</h2>\n{"".join(cards)}</section>\n'


def _card(chrome: Chrome, index: int, href: str | None = None) -> str:
    head = chrome.plan.head(index)
    link = a(href or chrome.plan.path(index), head.title)
    return (f'<article class="post-card"><h2 class="card-title">{link}'
            f'</h2><p class="card-excerpt">{escape(head.lead[:140], quote=False)}...</p>'
            f'<time datetime="{head.published:%Y-%m-%d}">{head.published:%b} {head.published.day}, '
            f"{head.published:%Y}</time></article>\n")


def _page(title: str, main: str, chrome: Chrome, extra: str = "") -> str:
    return (_head(title, "utf-8", extra) + _masthead()
            + f'<div id="content" class="site-content">\n<main id="primary" class="site-main">\n{main}'
            + "</main>\n" + _popular(chrome) + "</div>\n" + _colophon())


def home_page(chrome: Chrome, picks: list[tuple[str, int]], private_href: str) -> str:
    """Featured stories (the trap links), the newest articles, the topics."""
    plan = chrome.plan
    newest = [i for i in range(plan.pages - 1, -1, -1) if plan.is_linked(i)][:PER_PAGE]
    topics = "".join(f"<li>{a(f'/c/{c.slug}/', c.name)}</li>" for c in CATEGORIES)
    main = ('<section class="featured"><h2 class="section-title">Featured</h2><div class="post-grid">\n'
            + "".join(_card(chrome, index, href) for href, index in picks)
            + '</div></section>\n<section class="latest"><h2 class="section-title">Latest stories</h2>'
            '<div class="post-grid">\n' + "".join(_card(chrome, i) for i in newest)
            + f'</div></section>\n<section class="topics"><h2>Topics</h2><ul>{topics}</ul></section>\n'
            f'<p class="members">{a(private_href, "Members-only health reports")}</p>\n')
    return _page("Health news and advice", main, chrome)


def listing_pages(chrome: Chrome, category: int) -> Iterator[tuple[str, str]]:
    """A category as a paginated grid of cards, newest first; its first page says it is a
    ``CollectionPage`` in JSON-LD."""
    slug, name = CATEGORIES[category].slug, CATEGORIES[category].name
    members = chrome.members[category]
    total = max(1, -(-len(members) // PER_PAGE))
    for number in range(1, total + 1):
        cards = "".join(_card(chrome, i) for i in members[(number - 1) * PER_PAGE: number * PER_PAGE])
        main = (f'<header class="page-header"><h1 class="page-title">{escape(name)}</h1><p '
                f'class="archive-description">Everything we have written about {escape(name.lower())}.'
                f'</p></header>\n<div class="post-grid">\n{cards}</div>\n{_pagination(slug, number, total)}')
        data = {"@context": "https://schema.org", "@type": "CollectionPage", "name": name}
        extra = f'<script type="application/ld+json">{json.dumps(data)}</script>\n' if number == 1 else ""
        yield listing_path(slug, number), _page(name, main, chrome, extra)


def _pagination(slug: str, number: int, total: int) -> str:
    links = [a(listing_path(slug, n), str(n)) if n != number else f'<span aria-current="page">{n}</span>'
             for n in range(1, total + 1)]
    if number < total:
        links.append(a(listing_path(slug, number + 1), "Older posts", ' class="next"'))
    return f'<nav class="pagination">{" ".join(links)}</nav>\n'


def section_page(chrome: Chrome, parent_slug: str, parent_name: str) -> str:
    cats = "".join(f"<li>{a(f'/c/{c.slug}/', c.name)}</li>"
                   for c in CATEGORIES if c.parent_slug == parent_slug)
    return _page(parent_name, f'<h1 class="page-title">{escape(parent_name)}</h1><ul>{cats}</ul>\n', chrome)


def sitemap_page(chrome: Chrome) -> str:
    rows = "".join(f"<li>{a(f'/c/{c.slug}/', c.name)}</li>" for c in CATEGORIES)
    return _page("Sitemap", f'<h1 class="page-title">Sitemap</h1><ul>{rows}</ul>\n', chrome)


def static_pages(chrome: Chrome) -> Iterator[tuple[str, str]]:
    for slug, title in STATIC_PAGES:
        main = (f'<h1 class="page-title">{title}</h1><p>{SITE_NAME} is a generated demonstration '
                "site for testing health-article crawlers. Its articles are not medical advice.</p>\n")
        yield f"/{slug}/", _page(title, main, chrome)


def private_page(chrome: Chrome, article_id: int) -> str:
    main = ('<article class="post"><h1 class="entry-title">Members only: what our doctors tell their '
            'own families</h1><div class="entry-content"><p>This report is reserved for members. '
            "Crawlers must not fetch it.</p></div></article>\n")
    return _page("Members only", main, chrome)
