"""Site chrome of the demo pages (head, top bar, nav, sidebar, footer) in the golden
pages' layout. The site-wide blocks are rendered once per site and encoding, so an
article page only renders what is its own.
"""

from __future__ import annotations

from html import escape

from crawler.demo_site.plan import SitePlan
from crawler.demo_site.vocab import CATEGORIES, PARENTS

SITE_NAME = {"utf-8": "HealthDemo", "gbk": "HealthDemo健康网"}
CRUMB_LABEL = {"utf-8": "Current location:", "gbk": "当前位置："}
STATIC_PAGES = (("about", "About Us"), ("contact", "Contact Us"), ("disclaimer", "Disclaimer"),
                ("privacy", "Privacy Policy"))
HOT_COUNT, LATEST_COUNT, MORE_COUNT = 10, 8, 30

HEAD_ASSETS = """<link rel="shortcut icon" href="/favicon.ico" type="image/x-icon">
<link rel="stylesheet" type="text/css" href="/static/css/common.css?v=20240301">
<script type="text/javascript" src="/static/js/common.js?v=20240301"></script>
<script type="text/javascript">
var _hmt = _hmt || [];
(function () {
    var hm = document.createElement("script");
    hm.src = "/static/js/common.js?stat=7d6b5a4c8e0f1d2c";
    var s = document.getElementsByTagName("script")[0];
    s.parentNode.insertBefore(hm, s);
})();
function AddFavorite() {
    try { window.external.addFavorite(window.location.href, document.title); }
    catch (e) { alert("Press Ctrl+D to bookmark this page"); }
}
</script>
</head>
"""


def a(href: str, text: str, extra: str = "") -> str:
    """An escaped link."""
    return f'<a href="{escape(href)}"{extra}>{escape(text, quote=False)}</a>'


class Chrome:
    """The site-wide blocks of one site, rendered once and reused by every page."""

    def __init__(self, plan: SitePlan) -> None:
        self.plan = plan
        linked = [i for i in range(plan.pages) if plan.is_linked(i)]
        step = max(1, len(linked) // HOT_COUNT)
        self.hot = linked[::step][:HOT_COUNT]
        self.latest = linked[-LATEST_COUNT:][::-1]
        self.members: list[list[int]] = [[] for _ in CATEGORIES]
        """Linked article indexes of each category, newest first (listings, filler)."""
        for i in reversed(linked):
            self.members[plan.category_of[i]].append(i)
        self.top = {enc: self._top(enc) for enc in SITE_NAME}
        self.side = self._sidebar()
        self.footer = {enc: self._footer(enc) for enc in SITE_NAME}
        self._more: dict[int, list[str]] = {}

    def head(self, title: str, description: str, path: str, encoding: str, lang: bool) -> str:
        """``<!DOCTYPE>`` to ``</head>`` of a page."""
        html_tag = '<html lang="en">' if lang else "<html>"
        lang_meta = "" if lang else '<meta http-equiv="Content-Language" content="en">\n'
        mobile = escape(self.plan.mobile_base_url + path)
        return (
            f'<!DOCTYPE html>\n{html_tag}\n<head>\n<meta charset="{encoding}">\n{lang_meta}'
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{escape(title, quote=False)}_{SITE_NAME[encoding]}</title>\n"
            f'<meta name="description" content="{escape(description)}">\n'
            f'<meta name="mobile-agent" content="format=html5;url={mobile}">\n'
            f'<link rel="alternate" media="only screen and (max-width: 640px)" href="{mobile}">\n'
            + HEAD_ASSETS
        )

    def _top(self, encoding: str) -> str:
        name = SITE_NAME[encoding]
        nav = "".join(f"<li>{a(f'/c/{slug}/', label)}</li>" for slug, label in PARENTS)
        sub = " ".join(a(f"/c/{c.slug}/", c.name) for c in CATEGORIES)
        links = " | ".join(a(f"/{slug}/", label) for slug, label in STATIC_PAGES)
        return (
            '<body>\n<div class="topbar"><div class="w1200 clearfix">'
            f'<span class="welcome">Welcome to {name}, your companion for everyday health '
            f'knowledge!</span><span class="top-links">{links} | {a("/sitemap.html", "Sitemap")}'
            f' | {a(self.plan.mobile_base_url + "/", "Mobile")}</span></div></div>\n'
            f'<div class="header w1200 clearfix"><div class="logo"><a href="/" title="{name}">'
            f'<img src="/static/images/logo.png" alt="{name}" width="220" height="60"></a></div>'
            '<div class="search"><form action="/search.php" method="get" target="_blank">'
            '<input type="text" name="q" class="search-input" placeholder="Search diseases, '
            'symptoms, medicines"><button type="submit" class="search-btn">Search</button>'
            "</form></div></div>\n"
            f'<div class="nav"><ul class="w1200 clearfix"><li>{a("/", "Home")}</li>{nav}</ul></div>\n'
            f'<div class="subnav w1200"><span class="subnav-hd">Departments:</span> {sub}</div>\n'
        )

    def _list_items(self, indexes: list[int]) -> list[str]:
        return [
            f'\t\t\t\t<li><em class="n{n}">{n}</em>{a(self.plan.path(i), self.plan.head(i).title)}</li>\n'
            for n, i in enumerate(indexes, 1)
        ]

    def _article_list(self, items: list[str], css: str, heading: str) -> str:
        return (f'\t\t<div class="side-box {css}">\n\t\t\t<div class="side-hd"><h3>{heading}</h3></div>\n'
                f'\t\t\t<ul class="side-list">\n{"".join(items)}\t\t\t</ul>\n\t\t</div>\n')

    def _sidebar(self) -> str:
        tags = " ".join(a(f"/c/{c.slug}/", c.name.lower()) for c in CATEGORIES)
        return (
            self._article_list(self._list_items(self.hot), "hot rank", "Hot Articles")
            + self._article_list(self._list_items(self.latest), "latest", "Latest Updates")
            + f'\t\t<div class="side-box tags">\n\t\t\t<div class="side-hd"><h3>Health Topics</h3>'
            f'</div>\n\t\t\t<div class="tag-cloud">{tags}</div>\n\t\t</div>\n'
            '\t\t<div class="side-box side-ad"><a href="/c/heart/" target="_blank"><img src='
            '"/static/images/ad-checkup.jpg" alt="Annual check-up guide" width="300" height="250">'
            "</a></div>\n"
        )

    def more_in(self, category: int, count: int) -> str:
        """The "More in <category>" box with its ``count`` newest articles (page filler)."""
        items = self._more.get(category)
        if items is None:
            items = self._more[category] = self._list_items(self.members[category][:MORE_COUNT])
        return self._article_list(items[:count], "more", f"More in {CATEGORIES[category].name}")

    def _footer(self, encoding: str) -> str:
        links = " | ".join(a(f"/{slug}/", label) for slug, label in STATIC_PAGES)
        icp = "粤ICP备20240301号-1" if encoding == "gbk" else "ICP 20240301-1"
        return (
            f'<div class="footer"><div class="w1200">\n<p class="footer-links">{links} | '
            f'{a("/sitemap.html", "Sitemap")}</p>\n<p class="statement">Disclaimer: The articles on '
            "this site are for general health education only and cannot replace diagnosis and "
            "treatment by a doctor. If you feel unwell, please see a doctor in time.</p>\n"
            f'<p class="copyright">Copyright &copy; 2014-2024 healthdemo.test All Rights Reserved. '
            f"<span>{icp}</span></p>\n</div></div>\n"
        )
