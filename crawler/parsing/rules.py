"""The parser's tables: tags, section-kind keywords, chrome markers. Data, not branches."""

from __future__ import annotations

import re

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
PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "address", "figcaption", "caption", "dt", "dd"})
CHROME_TAGS = frozenset({"nav", "aside", "footer", "form"})
BOLD_TAGS = frozenset({"strong", "b"})

CHROME_MARKERS = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert\w*|sponsor\w*|promo\w*|share|sharing|social|bdshare\w*|"
    r"comments?|comment-\w+|respond|reply|related|recommend\w*|newsletter|subscribe|signup|"
    r"sign-up|cookie\w*|consent|breadcrumbs?|crumbs?|sidebar|widget|popup|modal|"
    r"rating|feedback|author-box|tags|tag-list|pagination|pager|prenext|post-nav\w*|toc|"
    r"table-of-contents|sr-only|visually-hidden|screen-reader-text|skip-link|hidden)(?=$|[\s_-])",
    re.IGNORECASE,
)
"""class/id tokens of site chrome inside an article body (ads, share bars, comments)."""

SENTENCE_ENDINGS = (".", "。", ";", "；", "!", "！")
"""How a line that reads as a sentence ends; a heading does not."""

SHORT_LINE_WORDS = 10
"""A numbered line of at most this many words may be a heading (DESIGN.md)."""

LONG_BOLD_WORDS = 25
"""A whole-bold block longer than this is an emphasised paragraph, not a heading."""
