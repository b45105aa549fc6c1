"""The parser's tables: tags, section-kind keywords, chrome markers. Data, not branches."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache


def marked_by(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """Whether ``pattern`` is found in an element's class and id, answered once per distinct
    text: a site's pages share a few dozen class names, and a search through a marker
    alternation costs about fourteen times a cached answer (``benchmarks/RESULTS.md``)."""
    @lru_cache(maxsize=4096)
    def marked(marks: str) -> bool:
        return pattern.search(marks) is not None
    return marked

SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "button", "iframe", "select",
     "textarea", "input", "object", "embed", "canvas", "map", "head", "title", "meta", "link"}
)
"""Elements whose content is never text of the article."""

BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
     "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
     "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol",
     "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
     "ul", "caption"}
)
"""Block-level elements: a space at each edge when text is joined."""

SECTION_HEADING_TAGS = frozenset({"h2", "h3", "h4"})
MINOR_HEADING_TAGS = frozenset({"h1", "h5", "h6"})
LIST_TAGS = frozenset({"ul", "ol"})
CHROME_TAGS = frozenset({"nav", "aside", "footer", "form"})
CHROME_BOX_TAGS = CHROME_TAGS - {"form"}
"""Chrome boxes of the generic profile's article by their tag alone; a ``<form>`` only by its
class or id (ASP.NET wraps whole pages in one)."""
PAGE_CHROME_TAGS = frozenset({"header", "nav", "footer", "aside"})
"""The page's own chrome around its article: a headline inside it, unless an ``<article>``
or ``<main>`` holds it there, is a box's or the site's title."""
ARTICLE_TAGS = frozenset({"article", "main"})
"""What holds an article, whatever chrome it sits in."""
BOLD_TAGS = frozenset({"strong", "b"})

CHROME_MARKERS = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert\w*|sponsor\w*|promo\w*|share|sharing|social|bdshare\w*|"
    r"comments?|comment-\w+|respond|reply|related|recommend\w*|newsletter|subscribe|signup|"
    r"sign-up|cookie\w*|consent|breadcrumbs?|crumbs?|sidebar|widget|popup|modal|"
    r"rating|feedback|author-box|tags|tag-list|pagination|pager|prenext|post-nav\w*|toc|"
    r"table-of-contents|sr-only|visually-hidden|screen-reader-text|skip-link|hidden)(?=$|[\s_-])",
)
"""class/id tokens of site chrome inside an article body (ads, share bars, comments).
Lowercase, matched against lowercased class and id (``blocks.marks_of``): a case-blind
search of many alternatives costs four times a plain one, and runs for every element."""

SENTENCE_ENDINGS = (".", "。", ";", "；", "!", "！")
"""How a line that reads as a sentence ends; a heading does not."""

SHORT_LINE_WORDS = 10
"""A numbered line of at most this many words may be a heading (docs/record-contract.md,
Headings and items)."""

LONG_BOLD_WORDS = 25
"""A whole-bold block longer than this is an emphasised paragraph, not a heading."""

# --- The generic profile: what page chrome looks like on sites without site rules. ---

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

DENSITY_TAGS = ("p", "li", "pre", "blockquote", "td", "dd")
"""The elements the density score reads as paragraphs (``generic.densest_container``)."""
MIN_PARAGRAPH_CHARS = 25
"""A shorter text is a label, a date or a button, not a paragraph."""

GENERIC_CHROME_MARKERS = re.compile(
    r"related|recommend|newsletter|subscri|signup|sign-up|sidebar|comment|rating|upsell|"
    r"promo|advert|sponsor|social|share|breadcrumb|cookie|consent|footer|navigation|navbar|"
    r"menu|modal|popup|teaser|testimonial|vote|biograph|author|autor|"
    r"(?:^|[\s_-])(?:nav|cta|toc|ads?|secondary|search|bio)(?=$|[\s_-])",
)
"""class/id fragments of chrome boxes. Matched anywhere in the attribute, since
CSS-module and BEM names glue words together ("ContentUpsell_wrapper__sDiqT",
"relatedwikihows"); short words only as whole tokens. Only the generic profile uses
them, inside the article region it has located (a site profile's container is trusted).
Lowercase, like ``CHROME_MARKERS``."""

CHROME_HEADINGS = re.compile(
    r"(?:related|recommended|popular|trending|featured|recent|latest|more)"
    r"(?:(?: \w+)? (?:articles?|posts?|stories|news|topics|reads?|reading|content|videos?|links))?"
    r"|you (?:might|may) also (?:like|enjoy)|read (?:more|next)|see also|(?:[\w ]+ )?links"
    r"|(?:sign up|subscribe)\b.*|[\w ]*newsletters?|stay (?:connected|in touch)|follow us.*"
    r"|share(?: this)?(?: article| page| post)?|comments?|leave a (?:reply|comment)|\d+ comments?"
    r"|(?:was|is) this (?:page |article |information )?(?:helpful|useful)"
    r"|did (?:this|the) (?:article|page) help(?: you)?|rate this (?:article|page)|ratings?"
    r"|reader success stories|testimonials?|(?:customer |reader )?reviews"
    r"|in this (?:article|page|section)|on this page|table of contents|contents"
    r"|advertisement|cookies?(?: settings| policy)?",
    re.IGNORECASE,
)
"""Whole texts (trailing punctuation aside) of headings that title chrome boxes, not
article sections: related and recommended lists, newsletters, comments, ratings, link
panels, tables of contents."""

MEDIA_CAPTIONS = re.compile(
    r"(?:en |im |in (?:the |der |dem )?)?(?:vid[eé]os?|podcast|audio|slideshow|diaporama|gallery|galerie|"
    r"fotostrecke|bildergalerie|infogra(?:ph|f)i[ck]s?|视频)\s*[:,|»\-–—]\s*\S",
    re.IGNORECASE,
)
"""Headings that caption a video, slideshow or podcast embedded in the text ("Video: How
to ...", "En vidéo, ..."): a player's title, not a section's. Only the heading goes; the
text after it is the article's."""

CHROME_BOX_TEXT = re.compile(r"\b(?:subscribe|newsletters?|sign up)\b", re.IGNORECASE)
"""A short heading box mentioning these is a sign-up box, whatever its heading says."""

CHROME_BOX_MAX_CHARS = 600
"""A heading's box (the largest ancestor holding no other heading) longer than this is
article text, not a card, panel or banner."""
