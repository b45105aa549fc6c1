"""``parse_article``: one page to one record. Pure: no Scrapy, no I/O, no clock unless
``fetched_at`` is left out."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache

from lxml import etree

from core.profiles import SiteProfile, profile_for_url
from core.records import ArticleRecord, Section
from crawler.parsing.ancestors import is_inside
from crawler.parsing.block_walk import blocks_of
from crawler.parsing.blocks import CHROME, Block, Skip
from crawler.parsing.decoding import DecodedTree, decode_tree
from crawler.parsing.fields import (
    article_names,
    breadcrumbs,
    canonical_url,
    head_metas,
    language,
    published_at,
    title_text,
)
from crawler.parsing.generic import Density, clean_article
from crawler.parsing.links import (
    absolute_url,
    followable_links,
    forbids_following,
    is_nofollow,
    prev_next_links,
    recommendations,
    related_block,
)
from crawler.parsing.locate import Landmarks, child_named, first_match, locate
from crawler.parsing.page_type import ARTICLE, page_type
from crawler.parsing.record_parts import new_record
from crawler.parsing.sections import Body, split_body
from crawler.parsing.structured import StructuredData, structured_data
from crawler.parsing.words import body_words

_TAIL_BYTES = 2048


class ParsedPage:
    """A parsed page: its record, and the links inside its article body (absolute), which
    a crawler follows to find what only the text links to (a PDF guide, an old article).
    Read only; a plain class for mypyc to compile its constructor (see ``blocks.Block``)."""

    __slots__ = ("record", "body_links", "follow_links", "page_type", "page_links")

    def __init__(self, record: ArticleRecord, body_links: list[str], follow_links: bool = True,
                 page_type: str = ARTICLE, page_links: list[str] | None = None) -> None:
        self.record = record
        self.body_links = body_links
        self.follow_links = follow_links
        """False when the page's robots meta says ``nofollow``: a crawler follows none of its
        links (prev/next and Recommend included)."""
        self.page_type = page_type
        """What the page is (``page_type.PAGE_TYPES``), read from the page where the profile's
        URLs do not say; a page that is no article lists every link of the page as
        ``body_links``, since what it lists is the point of it."""
        self.page_links: list[str] = page_links if page_links is not None else []
        """Every followable link of the page, in page order, when asked (``page_links``): what a
        crawler follows from a page that may be an article and a listing both (a site without
        URL patterns), read from the tree already parsed instead of parsing the page twice."""

    def _fields(self) -> tuple[ArticleRecord, list[str], bool, str, list[str]]:
        return self.record, self.body_links, self.follow_links, self.page_type, self.page_links

    def __eq__(self, other: object) -> bool:
        """Equal to a parsed page with equal fields, as the dataclass it was compared."""
        if not isinstance(other, ParsedPage):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # its record and lists are mutable

    def __repr__(self) -> str:
        return (f"ParsedPage(record={self.record!r}, body_links={self.body_links!r}, follow_links="
                f"{self.follow_links!r}, page_type={self.page_type!r}, page_links={self.page_links!r})")


def parse_article(
    html: str | bytes,
    url: str,
    *,
    profile: SiteProfile | None = None,
    content_type: str | None = None,
    http_status: int = 200,
    fetched_at: str | None = None,
) -> ArticleRecord:
    """Split one article page into a record (see :func:`parse_page` for the arguments).
    The page type and the links to follow, which the record does not hold, are not read."""
    return _parse_page(html, url, profile, content_type, http_status, fetched_at,
                       page_links=False, crawl=False).record


def parse_page(
    html: str | bytes,
    url: str,
    *,
    profile: SiteProfile | None = None,
    content_type: str | None = None,
    http_status: int = 200,
    fetched_at: str | None = None,
    page_links: bool = False,
) -> ParsedPage:
    """Split one article page into a record, and list the links of its body (and of the
    whole page with ``page_links``: :func:`~crawler.parsing.links.page_links`).

    ``html`` may be bytes (decoded here: header ``content_type`` charset, BOM, ``<meta>``,
    detection) or text. ``profile`` defaults to the one registered for the URL's host,
    else the generic profile. Raises :class:`~core.errors.UnusableDocumentError` only for
    input that is no document at all (empty, binary); a page missing parts gives a record
    whose ``parse_warnings`` say what was missing.
    """
    return _parse_page(html, url, profile, content_type, http_status, fetched_at,
                       page_links=page_links, crawl=True)


def _parse_page(html: str | bytes, url: str, profile: SiteProfile | None, content_type: str | None,
                http_status: int, fetched_at: str | None, *, page_links: bool, crawl: bool) -> ParsedPage:
    """:func:`parse_page`; what only a crawler needs, the page type and the links to follow
    (the body's, or the whole page's for a page that is no article), only with ``crawl``
    (else the page is typed an article and lists no links)."""
    profile = profile or profile_for_url(url)
    decoded = decode_tree(html, content_type)
    root = decoded.root
    metas = head_metas(root)
    structured = structured_data(root) if not profile.article_url_pattern else StructuredData()
    marks = locate(root, profile, article_names(structured, metas, root) if not profile.title_xpaths else ())
    density = marks.density if marks.density is not None else Density(marks.container, None)
    densest = density.densest
    # Everything read from the page around the article comes first: the generic profile
    # then cuts the chrome out of the article's region in place (no copy of it).
    title = title_text(marks.title, root, metas)
    located = first_match(root, profile.recommend_xpaths)
    related = None if located is not None else (
        related_block(marks.region, profile, densest)
        or related_block(_page_body(root), profile, densest, by_class=False))
    canonical = canonical_url(root, url, profile)
    article_id, article_ref = profile.article_identity(canonical)
    site = profile.site_name(canonical)
    prev_next = first_match(root, profile.prev_next_xpaths)
    prev_link, next_link = prev_next_links(
        prev_next if prev_next is not None else marks.region, profile.prev_labels,
        profile.next_labels, url,
    )
    recommended = recommendations(related.element if related is not None else located, url)
    trail = breadcrumbs(root, profile, html)
    published = published_at(marks.region, densest, metas, profile, structured.first("datePublished"),
                             marks.title, canonical)
    lang = language(root, metas)
    follow = not forbids_following(metas)
    kind = ARTICLE if profile.article_url_pattern or not crawl else page_type(structured, density, canonical)
    whole_page = followable_links(root, url) if follow and (page_links or kind != ARTICLE) else []
    container = marks.container
    if marks.density is not None:
        container = clean_article(marks.region, marks.title, densest)
    body = split_body(
        _body_blocks(marks, container, profile,
                     related.label if related is not None and related.ends_body else None),
        title,
        kinds=profile.section_kinds,
        paragraphs_as_items=profile.prevention_paragraphs_are_items,
        heading_elements_rule=profile.heading_elements_rule,
        only_heading_elements=profile.only_heading_elements,
        prevention_first_list_only=profile.prevention_first_list_only,
    )
    record = new_record(
        article_key=article_key(site, article_ref, canonical),
        site=site,
        url=url,
        canonical_url=canonical,
        article_id=article_id,
        title=title,
        summary="\n\n".join(body.summary) or None,
        sections=body.sections,
        symptoms=_symptoms(body.sections),
        prevention=[item for s in body.sections if s.kind == "prevention" for item in s.items],
        recommendations=recommended,
        prev_article=prev_link,
        next_article=next_link,
        breadcrumbs=trail,
        published_at=published,
        language=lang,
        word_count=_word_count(body),
        content_hash=content_hash(title, body),
        fetched_at=fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
        http_status=http_status,
        parse_warnings=_warnings(html, title, body, decoded),
    )
    if not follow or not crawl:
        links = []
    elif kind == ARTICLE:
        links = [absolute_url(url, href) for a in container.iter("a")
                 if (href := a.get("href")) and not is_nofollow(a)]
    else:
        links = whole_page
    return ParsedPage(record, links, follow, kind, whole_page if page_links else [])


def _body_blocks(marks: Landmarks, container: etree._Element, profile: SiteProfile,
                 related: str | None) -> list[Block]:
    """Blocks of the body (``container``) that come after the headline and stop at the
    page's own prev/next lines or the heading of its ``related`` links block, which are
    not part of the last section."""
    stop_labels = profile.prev_labels + profile.next_labels
    firsts = _first_characters(stop_labels)
    recommend = related.rstrip(": ：").casefold() if related else None
    if marks.density is not None:
        skip = _FORMS  # the generic profile's cleaned article: its chrome is cut already
    elif marks.title is not None and is_inside(marks.title, container):
        skip = Skip(CHROME.tags, CHROME.marked, headline=marks.title)  # the headline is no body
    else:
        skip = CHROME
    blocks: list[Block] = []
    for block in blocks_of(container, skip):
        text = block.text
        if ((firsts is None or text[:1] in firsts) and text.startswith(stop_labels)) or (
                recommend is not None and _is_label(text, recommend)):
            break
        blocks.append(block)
    return blocks


@lru_cache(maxsize=16)
def _first_characters(labels: tuple[str, ...]) -> frozenset[str] | None:
    """The characters the ``labels`` start with, once per profile: a block whose text starts
    with none of them (most blocks) is told without trying every label. None when a label
    is empty, which every text starts with."""
    if "" in labels:
        return None
    return frozenset(label[0] for label in labels)


_FORMS = Skip(frozenset({"form"}))
"""What the generic profile's chrome boxes leave in (a comment or search form)."""


def _is_label(text: str, label: str) -> bool:
    """``text`` is the case-folded ``label``, a colon aside. Case folding never shortens a
    text, so a longer one is told without folding it (every block is asked)."""
    text = text.rstrip(": ：")
    return len(text) <= len(label) and text.casefold() == label


def _page_body(root: etree._Element) -> etree._Element:
    body = child_named(root, "body")
    return body if body is not None else root




def _symptoms(sections: list[Section]) -> str | None:
    parts = [p for s in sections if s.kind == "symptoms" for p in (*s.text.split("\n\n"), *s.items) if p]
    return "\n\n".join(parts) or None


def _word_count(body: Body) -> int:
    """Words in the summary, section texts and items."""
    return body_words([*body.summary, *(s.text for s in body.sections),
                       *(i for s in body.sections for i in s.items)])


def article_key(site: str, article_ref: str | None, canonical: str) -> str:
    """``<site>:<article_ref>`` (the id, with its section where ids are unique only within
    one: ``SiteProfile.article_ref``), or ``<site>:<16 hex of sha1(canonical_url)>`` without
    an id. Derived from the canonical URL alone, so it is the same in every run."""
    if article_ref:
        return f"{site}:{article_ref}"
    return f"{site}:{hashlib.sha1(canonical.encode('utf-8')).hexdigest()[:16]}"


def content_hash(title: str, body: Body) -> str:
    """sha256 over the (already whitespace-normalized) title, summary and sections,
    case-folded: never links, chrome or fetch data, so one article behind two URLs or
    two sidebars hashes the same. Fields are separated by control characters that
    normalized text cannot contain, so no two different articles join to the same bytes."""
    parts = [title, "\x1e".join(body.summary)]
    for section in body.sections:
        parts.append("\x1d".join((section.heading, section.text, "\x1e".join(section.items))))
    return hashlib.sha256("\x1f".join(parts).casefold().encode("utf-8")).hexdigest()


def _warnings(html: str | bytes, title: str, body: Body, decoded: DecodedTree) -> list[str]:
    warnings: list[str] = []
    if not title:
        warnings.append("no_title")
    if not body.sections:
        warnings.append("no_sections")
    if not any(s.kind == "symptoms" for s in body.sections):
        warnings.append("no_symptoms_section")
    if not any(s.kind == "prevention" for s in body.sections):
        warnings.append("no_prevention_section")
    if not body.summary and not body.sections:
        warnings.append("no_body_text")
    tail = html[-_TAIL_BYTES:]
    closed = b"</html" in tail.lower() if isinstance(tail, bytes) else "</html" in tail.lower()
    if not closed:
        warnings.append("truncated_html")
    if decoded.misdeclared_encoding:
        warnings.append("misdeclared_encoding")
    if decoded.too_deep:
        warnings.append("too_deep")
    return warnings
