"""The profile for sites without one: no hints, the parser reads the page's structure."""

from __future__ import annotations

from core.profiles.profile import SiteProfile
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
    prevention_first_list_only=True,
    min_article_words=60,
)
