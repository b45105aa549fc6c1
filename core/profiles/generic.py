"""The profile for sites without one: no hints, the parser reads the page's structure."""

from __future__ import annotations

from core.profiles.profile import (
    DEFAULT_NEXT_LABELS,
    DEFAULT_PREV_LABELS,
    DEFAULT_RECOMMEND_LABELS,
    SiteProfile,
)
from core.section_kinds import SECTION_KINDS, KindTable

_STRONG_PREVENTION = (
    "self-care", "self care", "reduce your risk", "reducing your risk", "reducing the risk",
    "lower your risk", "lowering your risk", "protect yourself", "stay safe", "staying safe",
)
"""Phrases that make a heading about prevention whatever else it names; first, since the
``care`` row would take "self-care" and ``diet`` "reducing your risk of food poisoning"."""

_AVOID_PHRASES = ("how to avoid", "ways to avoid", "avoiding")
"""What "avoid" means in a prevention heading. The bare word also heads statements
("Myth 10: You should avoid gluten") whose prose would become prevention items."""

_WEAK_PREVENTION = ("tips", "top tip", "dos and don")
"""Tips headings: only for a heading no other row claims ("Tips for eating fruit" stays
``diet``, "Tips for daily life" ``care``, as the default table has them; docs/record-contract.md,
Section kinds)."""


RELATED_LABELS = (
    *DEFAULT_RECOMMEND_LABELS,
    "You may also like", "You might also like", "You may also be interested in", "You might be interested in",
    "Read next", "What to read next", "Read this next", "Up next", "Keep reading", "Also read", "Read also",
    "More on this topic", "More like this", "More to read", "More articles", "More stories",
    "Related posts", "Related stories", "Related content", "Related reading", "Related coverage",
    "Related pages", "Related information", "Related links", "Related health topics", "Further reading",
    "Recommended for you", "Recommended articles", "Recommended reading", "Recommended stories",
    "See also", "Popular on this topic", "Editor's picks", "Editors' picks", "Editor's recommendations",
    "Our picks",
    "Artículos relacionados", "Te puede interesar", "También te puede interesar", "Lee también",
    "Articles similaires", "À lire aussi", "Lire aussi", "À lire également", "Sur le même sujet",
    "La rédaction vous conseille", "Lesen Sie auch", "Auch interessant", "Empfehlungen der Redaktion",
    "Te recomendamos", "Ti potrebbe interessare", "Potrebbe interessarti anche",
    "Ähnliche Artikel", "Das könnte Sie auch interessieren", "Mehr zum Thema", "Weitere Artikel",
    "Leia também", "Artigos relacionados", "Veja também", "Articoli correlati", "Leggi anche",
    "Gerelateerde artikelen", "Lees ook", "相关文章", "相关阅读", "猜你喜欢", "延伸阅读", "关联文章",
    "関連記事", "おすすめ記事", "관련 기사", "함께 보면 좋은 글",
)
"""Headings of a block of links to other articles of the site (what ``recommendations``
holds), in the languages health sites write in; matched whole, case-folded, without a
trailing colon, so a sentence that merely starts so is no such heading."""


def _generic_kinds() -> KindTable:
    """The default kinds with the prevention row fitted to what real health sites write
    (docs/record-contract.md, Section kinds)."""
    rows = [
        (kind, tuple(w for w in words if w != "avoid") + _AVOID_PHRASES if kind == "prevention" else words)
        for kind, words in SECTION_KINDS
    ]
    return (("prevention", _STRONG_PREVENTION), *rows, ("prevention", _WEAK_PREVENTION))


GENERIC = SiteProfile(
    name="generic",
    # The id most sites put in article URLs: a numeric last path segment (/p/60636.html,
    # /article/123456/) or an id-like query key (?id=123). Dates (/2023/05/14/slug) and
    # years (/news/2023) are not.
    article_id_pattern=(r"/(?!(?:19|20)\d\d(?:\D|$))(?P<id>\d{3,})(?:\.s?html?|\.php|\.aspx?)?/?(?:$|\?)"
                        r"|[?&](?:id|aid|article_?id|articleid|p)=(?P<id_query>\d+)(?:&|$)"),
    # A number in a URL is often unique only within its section (/news/12345, /drugs/12345).
    ids_site_wide=False,
    section_kinds=_generic_kinds(),
    # Real sites write tips in prose too; only a list makes prevention items there
    # (tests/fixtures/real-pages/README.md, rules 1 and 5).
    prevention_paragraphs_are_items=False,
    heading_elements_rule=True,
    only_heading_elements=True,
    prevention_first_list_only=True,
    min_article_words=60,
    # Bare guillemets open quotations in French, German and Russian text: a paragraph
    # starting with one is no "previous" line, and must not end the body.
    prev_labels=tuple(label for label in DEFAULT_PREV_LABELS if label != "«"),
    next_labels=tuple(label for label in DEFAULT_NEXT_LABELS if label != "»"),
    recommend_labels=RELATED_LABELS,
    recommend_label_prefixes=("related ", "more on ", "more about ", "recommended ", "you may also ",
                              "you might also ", "mehr aus ", "artículos relacionados", "más sobre ",
                              "à lire ", "plus sur ", "mehr zu", "相关", "推荐"),
    recommend_class_pattern=r"related|recommend|read-?next|more-?reading|also-?like",
)
