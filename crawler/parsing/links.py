"""Links the article page shows around its body: prev/next lines and the Recommend block."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree

from core.profiles import SiteProfile
from core.records import Link, Recommendation
from core.text import normalize
from crawler.parsing.card_walk import teasers
from crawler.parsing.decoding import parse_tree
from crawler.parsing.fields import ROBOTS_META_NAMES, head_metas
from crawler.parsing.page_walk import labelled, short_texts
from crawler.parsing.record_parts import new_link, new_recommendation
from crawler.parsing.rules import HEADING_TAGS, marked_by
from crawler.parsing.text import element_text

_LABEL_HOLDERS = ("p", "li", "div", "span", "td", "dd", "dt", "strong", "b", "em", "label")
_ELLIPSES = ("...", "…")
_INLINE_LABELS = frozenset({"span", "em", "strong", "b", "label", "i"})
_NO_FOLLOW = frozenset({"nofollow", "none"})


def prev_next_links(
    region: etree._Element, prev_labels: tuple[str, ...], next_labels: tuple[str, ...],
    base_url: str,
) -> tuple[Link | None, Link | None]:
    """The links on the lines that start with a prev label (``<<:``, ``Previous:``) and a
    next label; None where the line is missing or has no link (the first article)."""
    found: dict[str, Link | None] = {}
    for element in labelled(region, _LABEL_HOLDERS, prev_labels + next_labels):
        head = (element.text or "").lstrip()
        for side, labels in (("prev", prev_labels), ("next", next_labels)):
            if side not in found and head.startswith(labels):
                anchor = _line_anchor(element)
                found[side] = _link(anchor, base_url) if anchor is not None else None
        if len(found) == 2:
            break
    return found.get("prev"), found.get("next")


def _line_anchor(label: etree._Element) -> etree._Element | None:
    """The link of a labelled line: inside the label's element, or, when the label sits
    in an inline wrapper (``<p><span>&lt;&lt;:</span> <a>..</a></p>``), after it in the line."""
    anchor = _first_link(label)
    if anchor is not None or label.tag not in _INLINE_LABELS:
        return anchor
    sibling = label.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    return _first_link(sibling) if sibling is not None else None


def _first_link(element: etree._Element) -> etree._Element | None:
    """The first ``<a href>`` that ``element`` is or holds, as ``iter("a")`` finds it; an
    lxml iterator is set up only for an element with children (a label's ``<span>`` and
    the link beside it have none)."""
    if element.tag == "a" and element.get("href"):
        return element
    if not len(element):
        return None
    return next((a for a in element.iter("a") if a.get("href")), None)


def absolute_url(base_url: str, href: str) -> str:
    """``href`` resolved against ``base_url``. Absolute and root-relative hrefs, most
    links on a page, skip ``urljoin``, which costs more than the rest of a link. An href
    that cannot be resolved is returned as written."""
    href = href.strip()
    if href.startswith(("http://", "https://")):
        return href
    if href.startswith("/") and not href.startswith("//"):
        return _origin(base_url) + href
    if _is_plain_path(href) and (directory := _directory_of(base_url)) is not None:
        return directory + href
    try:
        return urljoin(base_url, href)
    except ValueError:  # a malformed host ("//[broken/"): kept as written, never followed
        return href


@lru_cache(maxsize=64)
def _origin(base_url: str) -> str:
    """``scheme://host[:port]`` of ``base_url``, which a root-relative href follows: worked
    out once a page (its links share one base URL), not once a link."""
    scheme, _, rest = base_url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].split('?', 1)[0].split('#', 1)[0]}"


def _is_plain_path(href: str) -> bool:
    """A relative path ("100015.html", "tips/sleep.html") with no scheme, parameters,
    query, fragment, dot segment, empty segment or control character: ``urljoin`` only
    appends it to the base URL's directory."""
    return (bool(href) and _NOT_PLAIN.search(href) is None and "./" not in href and "//" not in href
            and href not in (".", "..") and not href.endswith(("/.", "/..")))


_NOT_PLAIN = re.compile(r"[\x00-\x20:;?#\\]")
"""Characters no plain relative path holds (a class alone: a regex of alternatives costs a
try of each at every character)."""


@lru_cache(maxsize=64)
def _directory_of(base_url: str) -> str | None:
    """The URL a plain relative path is appended to: what ``urljoin`` makes of the base
    URL and a one-letter name, less the letter. A page's links share one base URL, and
    ``urljoin`` costs more than the rest of a link."""
    try:
        joined = urljoin(base_url, "x")
    except ValueError:
        return None
    return joined[:-1] if joined.endswith("/x") else None


def page_links(html: str | bytes, url: str, content_type: str | None = None) -> list[str]:
    """Every followable ``<a href>`` of a page, absolute (against ``<base href>`` when there
    is one), in page order: what a crawler follows from a listing page. The page's own
    say is obeyed: none under ``<meta name="robots" content="nofollow">`` (or ``none``),
    and no link marked ``rel="nofollow"`` (where sites put calendars, sort orders, login)."""
    root = parse_tree(html, content_type)
    if forbids_following(head_metas(root)):
        return []
    return followable_links(root, url)


def followable_links(root: etree._Element, url: str) -> list[str]:
    """Every ``<a href>`` of the page not marked ``rel="nofollow"``, absolute (against
    ``<base href>`` when there is one), in page order."""
    base = root.find("head/base[@href]")  # libxml2 drops a <head> anywhere but under <html>
    base_url = absolute_url(url, base.get("href") or "") if base is not None else url
    return [absolute_url(base_url, href) for a in root.iter("a")
            if (href := a.get("href")) and not is_nofollow(a)]


def is_nofollow(anchor: etree._Element) -> bool:
    """True for a link whose ``rel`` says ``nofollow``."""
    rel = anchor.get("rel")
    return rel is not None and "nofollow" in rel.lower().split()


def forbids_following(metas: Mapping[str, str]) -> bool:
    """True when a ``<meta name="robots">`` (or ``name="healthcrawl"``, the bot's own)
    says ``nofollow`` or ``none``: the page asks that none of its links be followed.
    ``metas``: the page's :func:`~crawler.parsing.fields.head_metas`, read once a page."""
    for name in ROBOTS_META_NAMES:
        content = metas.get(name)
        if content and not _NO_FOLLOW.isdisjoint(d.strip() for d in content.lower().split(",")):
            return True
    return False


def _link(anchor: etree._Element, base_url: str) -> Link:
    title = element_text(anchor) or normalize(anchor.get("title") or "")
    return new_link(title=title, url=absolute_url(base_url, anchor.get("href") or ""))


def recommendations(block: etree._Element | None, base_url: str) -> list[Recommendation]:
    """Entries of the Recommend ``block`` (the profile's, or :func:`related_block`), in
    page order."""
    if block is None:
        return []
    found: list[Recommendation] = []
    for anchor, beside in teasers(block):
        title = _card_part(anchor, _TITLE_PART, HEADING_TAGS)
        summary = _card_part(anchor, _SUMMARY_PART) if title is not None else None
        snippet, truncated = _snippet(normalize(f"{beside} {element_text(summary)}") if summary is not None
                                      else beside)
        found.append(new_recommendation(
            title=(element_text(title) if title is not None else element_text(anchor))
            or normalize(anchor.get("title") or ""),
            url=absolute_url(base_url, anchor.get("href") or ""),
            snippet=snippet, truncated=truncated,
        ))
    return found


_TITLE_PART = marked_by(re.compile(r"(?:^|[\s_-])(?:title|headline|heading)(?=$|[\s_-])", re.IGNORECASE))
_SUMMARY_PART = marked_by(re.compile(
    r"(?:^|[\s_-])(?:summary|excerpt|description|desc|dek|teaser|snippet|standfirst)(?=$|[\s_-])",
    re.IGNORECASE))


def _card_part(anchor: etree._Element, marks: Callable[[str], bool],
               tags: frozenset[str] = frozenset()) -> etree._Element | None:
    """Inside a link that wraps a whole teaser card (image, title, summary, "Read now"), the
    first element holding one part of it: one of ``tags``, or one whose class ``marks``
    names (``title``/``headline`` for the title, ``summary``/``excerpt`` for the snippet)."""
    if not len(anchor):  # a plain text link, most entries: nothing inside to look at
        return None
    for element in anchor.iterdescendants():
        if isinstance(element.tag, str) and (element.tag in tags or marks(element.get("class") or "")):
            return element
    return None


class RelatedBlock:
    """A block of links to other articles and the heading that names it. Read only; a
    plain class for mypyc to compile its constructor (see ``blocks.Block``)."""

    __slots__ = ("element", "label", "ends_body")

    def __init__(self, element: etree._Element, label: str, ends_body: bool = True) -> None:
        self.element = element
        self.label = label
        """The heading's text, as the body's blocks show it."""
        self.ends_body = ends_body
        """The heading and its links form a box apart: in a body, the body ends at the
        heading. False for a heading among the article's own elements (its links follow
        it), which the generic profile's chrome rules cut instead; a table of contents
        entry with the same words then does not end the body."""


def related_block(region: etree._Element, profile: SiteProfile,
                  body: etree._Element | None = None, *, by_class: bool = True) -> RelatedBlock | None:
    """The block headed by one of the profile's ``recommend_labels`` ("Recommend",
    "Related articles", "Read next"), or by a heading starting with one of its
    ``recommend_label_prefixes`` ("Related ..."): the smallest ancestor of the heading
    that also holds links. A heading that is itself a link (an entry of the page's table
    of contents) heads nothing, and a block that holds the article's ``body`` is the page,
    not a box of links. Without such a heading (and when ``by_class``), a block whose class
    or id says it holds related links (``recommend_class_pattern``), with two links at least."""
    wanted, prefixes, most_words = _folded_labels(profile.recommend_labels, profile.recommend_label_prefixes)
    holds_body = set(body.iterancestors()) | {body} if body is not None else set()
    for element in short_texts(region, _LABEL_TAGS, _SHORT_TEXT, most_words):  # paragraphs are no labels
        text = element.text or ""
        label = text.strip().rstrip(": ：").casefold().replace("\u2019", "'")
        if label not in wanted and not (
                label.startswith(prefixes) and len(label.split()) <= _MAX_LABEL_WORDS):
            continue
        if any(_not_related(ancestor) for ancestor in element.iterancestors() if ancestor not in holds_body):
            continue
        top = element  # the heading's line: the child of ``ancestor`` that holds the heading
        for ancestor in element.iterancestors():
            if not _links_in(ancestor, 1):
                top = ancestor
                continue
            if ancestor.tag == "p":
                break  # "Read also: <a>" inside a paragraph: a link of the text, not a block
            inside = ancestor in holds_body
            if not inside and _titles_in(ancestor) and not _links_in(top, 1):
                return RelatedBlock(ancestor, normalize(text))
            # the heading sits among the article's own elements, or its line holds links of
            # its own (keywords, "more"): the related links are in what follows the line
            following = _links_after(top)
            if following is not None and _titles_in(following):
                return RelatedBlock(following, normalize(text), ends_body=not inside)
            if inside:
                break
            top = ancestor
    if by_class and profile.recommend_class_pattern:
        return _marked_block(region, _class_pattern(profile.recommend_class_pattern), holds_body)
    return None


@lru_cache(maxsize=16)
def _folded_labels(
    labels: tuple[str, ...], prefixes: tuple[str, ...]
) -> tuple[frozenset[str], tuple[str, ...], int]:
    """A profile's related-block labels and prefixes case-folded, once per profile, and the
    most words a text read as a label can have (a label's, or a prefixed heading's)."""
    folded = frozenset(label.casefold() for label in labels)
    most_words = max([_MAX_LABEL_WORDS, *(len(label.split()) for label in folded)])
    return folded, tuple(prefix.casefold() for prefix in prefixes), most_words


_SHORT_TEXT = 40
"""Texts this short are read as labels directly: counting their words costs as much."""
_LABEL_TAGS = ("h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "em", "dt")
"""Where a related block's heading is."""


def _links_after(heading: etree._Element) -> etree._Element | None:
    """The first element after ``heading`` (before the next heading) that holds links."""
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str) or sibling.tag in HEADING_TAGS:
            return None
        if _links_in(sibling, 1):
            return sibling
    return None


_NOT_RELATED = frozenset({"a", "header", "footer", "nav"})
_SITE_CHROME = marked_by(re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|header|masthead|footer)(?=$|[\s_-])", re.IGNORECASE))


def _not_related(element: etree._Element) -> bool:
    """Where a heading heads no related block: inside a link (a table of contents entry),
    or in the page's header, footer or navigation, by tag or class (the site's own menus
    and promotions). Asked only of elements that do not hold the article: themes class
    the wrappers around everything ``sticky-header``, ``site_header``. A header holding no
    link is a box's title bar (``<header><h2>More on health</h2></header>``), not the
    page's masthead with its logo and menus."""
    if element.tag not in _NOT_RELATED and not _SITE_CHROME(element.get("class") or ""):
        return False
    return not _is_title_bar(element)


def _is_title_bar(element: etree._Element) -> bool:
    header = element.tag == "header" or "header" in (element.get("class") or "").lower()
    return header and next((a for a in element.iter("a") if a.get("href")), None) is None


_MIN_TITLE_CHARS = 5
"""A related link's text is longer than a keyword or tag link's ("粥", "腊八节", "Diet")."""


def _titles_in(block: etree._Element) -> bool:
    """``block`` holds a link whose text reads like a headline."""
    return any(len(element_text(a)) >= _MIN_TITLE_CHARS for a in block.iter("a") if a.get("href"))
_MAX_LABEL_WORDS = 4
"""A heading read by its prefix is short ("Related news", not a sentence)."""


@lru_cache(maxsize=16)
def _class_pattern(pattern: str) -> Callable[[str], bool]:
    """A profile's class pattern (data) compiled and its answers cached, once per profile."""
    return marked_by(re.compile(pattern, re.IGNORECASE))


def _marked_block(region: etree._Element, marks: Callable[[str], bool],
                  holds_body: set[etree._Element]) -> RelatedBlock | None:
    for element in region.iter():
        if not isinstance(element.tag, str) or element in holds_body:
            continue
        marked = marks(f"{element.get('class') or ''} {element.get('id') or ''}")
        if marked and _links_in(element, 2) == 2:
            heading = next(element.iter("h2", "h3", "h4", "h5", "h6"), None)
            return RelatedBlock(element, element_text(heading) if heading is not None else "")
    return None


def _links_in(element: etree._Element, up_to: int) -> int:
    """Links in ``element``, counted up to ``up_to`` only: the callers ask "none?" and "just
    one?", and counting a block's every link once per link was quadratic in its links."""
    count = 0
    for anchor in element.iter("a"):
        if anchor.get("href"):
            count += 1
            if count == up_to:
                break
    return count


def _snippet(text: str) -> tuple[str | None, bool]:
    """A teaser's text without its trailing ellipsis, and whether it had one."""
    if not text:
        return None, False
    for ellipsis in _ELLIPSES:
        if text.endswith(ellipsis):
            return text[: -len(ellipsis)].rstrip() or None, True
    return text, False
