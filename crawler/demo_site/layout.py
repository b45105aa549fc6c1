"""The article page template: renders an ArticleModel into the golden pages' layout
(breadcrumbs ``div.position``, ``div.article`` with ``<h1>``, ``div.info``, the body in
``div#article-content``, ``div.prenext``, ``div.recommend``, sidebar, footer) in every
markup variant the golden pages show, padded with chrome to its target weight.
"""

from __future__ import annotations

from bisect import bisect_left
from html import escape
from itertools import accumulate

from crawler.demo_site.chrome import CRUMB_LABEL, SITE_NAME, Chrome, a
from crawler.demo_site.model import ArticleModel, Items, LinkModel, SectionModel
from crawler.demo_site.phrases import COMMENTS
from crawler.demo_site.plan import mix
from crawler.demo_site.truth import breadcrumbs
from crawler.demo_site.vocab import COMMENTERS

MIN_BYTES, MAX_BYTES = 26_000, 58_000
"""Target page weight range (the brief: 25-60 KB, with a margin for multi-byte text)."""
CN_NUMERALS = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
HEADING_FORMATS = {
    "plain": "<p>{n}. {h}</p>", "h2_num": "<h2>{n}. {h}</h2>", "h2": "<h2>{h}</h2>",
    "strong_num": "<p><strong>{n}. {h}</strong></p>", "strong": "<p><strong>{h}</strong></p>",
    "strong_dun": "<p><strong>{n}、{h}</strong></p>", "cn": "<p>{cn}、{h}</p>",
}
ITEM_FORMATS = {"dot": "{n}. {e}", "paren": "({n}) {e}", "dun": "{n}、{e}", "circled": "{c}{e}",
                "step": "Step {n}: {e}", "dash": "- {e}"}
T = "\t\t\t\t"
MAX_COMMENT_CHARS = 6_000


def text(value: str, wrapped: bool = False) -> str:
    """Escaped text; ``wrapped`` breaks source lines as some editors do (golden 03)."""
    escaped = escape(value, quote=False)
    return escaped.replace(", ", ",\n\t\t\t\t\t") if wrapped else escaped


def render_article(chrome: Chrome, article: ArticleModel) -> bytes:
    """The page's bytes in its declared encoding."""
    head, style = article.head, article.style
    plan = chrome.plan
    path = plan.path(article.index)
    parts = [
        chrome.head(head.title, head.lead[:100] + "...", path, style.encoding, not style.messy),
        chrome.top[style.encoding],
        _crumbs(article),
        '<div class="w1200 clearfix main">\n\t<div class="main-left">\n\t\t<div class="article">\n',
        f"\t\t\t<h1>{text(head.title)}</h1>\n",
        _info(article),
        _content(article),
        _prenext(article),
        _recommend(article),
        "\t\t</div>\n",
    ]
    tail = ["\t</div>\n</div>\n", chrome.footer[style.encoding], _scripts(article), "</body>\n</html>\n"]
    side = ['\t<div class="main-right">\n', chrome.side, _private_box(article)]
    target = MIN_BYTES + mix(plan.seed, article.index, 11) % (MAX_BYTES - MIN_BYTES)
    size = sum(map(len, parts)) + sum(map(len, tail)) + sum(map(len, side))
    filler_side, filler_main = _fillers(chrome, article, target - size)
    page = "".join(parts + filler_main + ["\t</div>\n"] + side + filler_side + tail)
    return page.encode(style.encoding, errors="xmlcharrefreplace")


def _crumbs(article: ArticleModel) -> str:
    category = article.head.category
    names = breadcrumbs(article)
    hrefs = ("/", f"/c/{category.parent_slug}/", f"/c/{category.slug}/")
    trail = " &gt; ".join(a(href, name) for href, name in zip(hrefs, names, strict=True))
    return f'<div class="w1200 position"><span>{CRUMB_LABEL[article.style.encoding]}</span> {trail}</div>\n'


def _info(article: ArticleModel) -> str:
    if article.style.date is None:
        return ""
    fmt = "%Y-%m-%d %H:%M" if article.style.date == "datetime" else "%Y-%m-%d"
    when = article.head.published.strftime(fmt)
    aid = article.head.article_id
    return (f'\t\t\t<div class="info"><span class="time">Time: {when}</span><span class="source">'
            f'Source: {SITE_NAME[article.style.encoding]}</span><span class="author">Editor: '
            f'Health Desk</span><span class="hits">Views: <script type="text/javascript" '
            f'src="/plus/count.php?aid={aid}&amp;mid=1"></script></span></div>\n')


def _content(article: ArticleModel) -> str:
    style = article.style
    close = "" if style.messy else "</p>"
    out = ['\t\t\t<div class="article-content" id="article-content">\n']
    if style.messy:
        out.append(f"{T}<!-- content start -->\n")
    last = len(article.summary) - 1
    for i, paragraph in enumerate(article.summary):
        body = text(paragraph, style.wrapped)
        if article.pdf is not None and i == last:
            body = body[: -len(article.pdf.title)] + a(article.pdf.href, article.pdf.title,
                                                        ' target="_blank"')
        out.append(f"{T}{'<P>' if style.messy and i == 0 else '<p>'}{body}{close}\n")
    if style.messy:
        out.append(f'{T}<script type="text/javascript">var adSlot = "content_top"; document.write('
                   "'<span id=\"' + adSlot + '\"></span>');</script>\n")
    for position, section in enumerate(article.sections):
        out.append(_section(section, article))
        if style.messy and position == 0:
            out.append(f"{T}<div class=ad id=ad-content-1><a href=\"/c/heart/\" target=_blank "
                       "rel=nofollow><img src=\"/static/images/ad-760x90.jpg\" alt=Advertisement>"
                       "</a><p class=ad-text>Sponsored: Free online consultation with top doctors,"
                       " reply within 3 minutes!</p></div>\n")
    if style.messy:
        out.append(f"{T}<!-- content end -->\n")
    out.append("\t\t\t</div>\n")
    return "".join(out)


def _section(section: SectionModel, article: ArticleModel) -> str:
    style = article.style
    n = section.number or 0
    heading = HEADING_FORMATS[style.heading].format(
        n=n, h=text(section.heading), cn=CN_NUMERALS[n - 1] if n else "")
    if style.messy:
        heading = heading.replace("h2>", "H2>", 2) if n % 2 == 0 else heading
    out = [f"{T}{heading}\n"]
    close = "" if style.messy else "</p>"
    for block in section.blocks:
        if isinstance(block, Items):
            out.append(_items(block, style.messy))
        else:
            out.append(f"{T}<p>{text(block, style.wrapped)}{close}\n")
    return "".join(out)


def _items(block: Items, messy: bool) -> str:
    entries = [text(entry) for entry in block.entries]
    if block.style in ("ol", "ul"):
        close = "" if messy else "</li>"
        lis = "".join(f"{T}\t<li>{entry}{close}\n" for entry in entries)
        return f"{T}<{block.style}>\n{lis}{T}</{block.style}>\n"
    if block.style == "br":
        return T + "<p>" + "<br>\n".join(f"{n}. {e}" for n, e in enumerate(entries, 1)) + "</p>\n"
    fmt = ITEM_FORMATS[block.style]
    return "".join(f"{T}<p>{fmt.format(n=n, c=CIRCLED[n - 1], e=e)}</p>\n"
                   for n, e in enumerate(entries, 1))


def _link_line(css: str, label: str, link: LinkModel | None, missing: str) -> str:
    inner = (f'<a href="{escape(link.href)}" title="{escape(link.title)}">{text(link.title)}</a>'
             if link else f'<span class="none">{missing}</span>')
    return f'{T}<p class="{css}">{label}{inner}</p>\n'


def _prenext(article: ArticleModel) -> str:
    words = article.style.word_labels
    return ('\t\t\t<div class="prenext">\n'
            + _link_line("pre", "Previous: " if words else "&lt;&lt;:&nbsp; ", article.prev,
                         "This is the first article")
            + _link_line("next", "Next: " if words else "&gt;&gt;:&nbsp; ", article.next,
                         "This is the last article")
            + "\t\t\t</div>\n")


def _recommend(article: ArticleModel) -> str:
    entries = []
    for rec in article.recs:
        desc = "" if rec.desc is None else f'<p class="desc">{text(rec.desc)}</p>'
        link = a(rec.href, rec.title, f' target="_blank" title="{escape(rec.title)}"')
        entries.append(f"{T}\t<li>{link}{desc}</li>\n")
    return (f'\t\t\t<div class="recommend">\n{T}<div class="rec-hd"><h3>{article.style.rec_label}'
            f'</h3></div>\n{T}<ul class="rec-list">\n{"".join(entries)}{T}</ul>\n\t\t\t</div>\n')


def _private_box(article: ArticleModel) -> str:
    if article.private_href is None:
        return ""
    return ('\t\t<div class="side-box members"><div class="side-hd"><h3>Members area</h3></div>'
            f'<ul class="side-list"><li>{a(article.private_href, "Exclusive: our doctors answer")}'
            "</li></ul></div>\n")


def _fillers(chrome: Chrome, article: ArticleModel, missing: int) -> tuple[list[str], list[str]]:
    """Sidebar and comment blocks that bring the page to its target weight."""
    side: list[str] = []
    main: list[str] = []
    if missing > 1000:
        side.append(chrome.more_in(chrome.plan.category_of[article.index], min(30, missing // 190)))
        missing -= len(side[0])
    if missing > 400:
        main.append(_comments(article, min(missing, MAX_COMMENT_CHARS)))
        missing -= len(main[0])
    if missing > 200:
        side.append(_ad_slots(missing))
    return side, main


def _comment(n: int) -> str:
    seed = mix(n)
    return (f'\t\t\t\t<li><span class="user">{COMMENTERS[seed % len(COMMENTERS)]}</span> '
            f'<span class="time">{2020 + seed % 5}-{seed % 12 + 1:02d}-{seed % 28 + 1:02d} '
            f'{seed % 24:02d}:{seed % 60:02d}</span><p>{COMMENTS[seed % len(COMMENTS)]}</p></li>\n')


COMMENT_POOL = tuple(_comment(n) for n in range(97))
"""Comment entries rendered once; pages show windows of them (they are chrome)."""
AD_SLOTS = tuple(f'{{"slot": "side_{n}", "size": "300x250", "lazy": true, "rotate": '
                 f'{mix(n) % 9000 + 1000}}},\n' for n in range(1200))
AD_ENDS = tuple(accumulate(map(len, AD_SLOTS)))


def _comments(article: ArticleModel, budget: int) -> str:
    """A comment box of about ``budget`` characters (comments are chrome, never a field)."""
    start = article.index * 7
    items: list[str] = []
    size = 0
    while size < budget - 400:
        items.append(COMMENT_POOL[(start + len(items)) % len(COMMENT_POOL)])
        size += len(items[-1])
    return ('\t\t<div class="comment-box" id="comment">\n\t\t\t<div class="comment-hd">'
            f'<h3>Comments ({len(items)})</h3></div>\n\t\t\t<ul class="comment-list">\n'
            f'{"".join(items)}\t\t\t</ul>\n\t\t</div>\n')


def _ad_slots(budget: int) -> str:
    """An inline ad-configuration script of about ``budget`` characters: real pages carry
    such blobs, and a parser must never read them."""
    slots = "".join(AD_SLOTS[: bisect_left(AD_ENDS, budget - 60) + 1])
    return f'\t\t<script type="text/javascript">\nvar sideAds = [\n{slots}];\n</script>\n'


def _scripts(article: ArticleModel) -> str:
    return ('<script type="text/javascript">\nvar kpConfig = {aid: '
            f'{article.head.article_id}, typeid: "{article.head.category.slug}", '
            'statUrl: "/plus/stat.php"};\n</script>\n')
