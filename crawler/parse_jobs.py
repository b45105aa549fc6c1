"""The spider's jobs for the worker pool (``core.worker_pool``): parse an article page,
collect a listing page's links. Each carries bytes and a few strings (a profile by name),
so it pickles cheaply, and returns what the spider needs: the record, and the distinct
http(s) links, absolute, which the spider mostly finds requested already (it canonicalizes
only the new ones, and canonicalizing every link in the worker would cost it more than
the spider's set lookups save);
asked for it, a parse job also computes the record's MinHash signature for the dedup stage
(the spider hands it on with the record, ``core.records.SignedRecord``). A job may carry
its page still gzipped (``crawler.middlewares.compression.GzippedHtmlResponse``): it is
decoded here, beside the parse, or the job fails with ``NotOneGzipMember`` for the crawl
to decode it by Scrapy's rules."""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.gzip_member import NotOneGzipMember, whole_member
from core.minhash import Signature, SignatureJob
from core.profiles import get_profile
from core.records import ArticleRecord, body_text
from core.text import count_paragraph_words
from crawler.parsing import ParsedPage, parse_page
from crawler.parsing.links import page_links
from crawler.parsing.page_type import ARTICLE


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """A parsed article page, as the spider uses it."""

    record: ArticleRecord
    prose_words: int
    """Words of running text (summary and section text, not list items)."""
    links: list[str]
    """Prev/next, Recommend and body links, in that order (:func:`http_links`)."""
    signature: Signature | None = None
    """The body's MinHash signature, when the job was asked for one."""
    page_type: str = ARTICLE
    """What the page is (``crawler.parsing.page_type``): only an article is exported."""
    page_links: list[str] = field(default_factory=list)
    """Every followable link of the page (:func:`http_links`), when the job asked for them."""
    record_pickle: bytes | None = field(default=None, compare=False)
    """``record`` as it was pickled to come back from a worker, kept for the table writer
    (which then need not have it pickled again in the crawl's process); None in the worker.
    Only what arrives sets it: a page sent on is pickled from its record, never from these."""

    def __reduce__(self) -> tuple[Any, ...]:
        record_pickle = pickle.dumps(self.record, protocol=pickle.HIGHEST_PROTOCOL)
        return _article_page, (record_pickle, self.prose_words, self.links, self.signature,
                               self.page_type, self.page_links)


def _article_page(record_pickle: bytes, prose_words: int, links: list[str], signature: Signature | None,
                  page_type: str, page_links: list[str]) -> ArticlePage:
    return ArticlePage(pickle.loads(record_pickle), prose_words, links, signature, page_type, page_links,
                       record_pickle)


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One fetched article page to parse: what :func:`parse_page` takes, the profile by name."""

    body: bytes
    url: str
    profile: str
    content_type: str
    http_status: int
    fetched_at: str
    num_perm: int = 0
    """Slots of the MinHash signature to compute beside the parse (0: none)."""
    page_links: bool = False
    """Also every followable link of the page, as a :class:`LinksJob` gives them: for a page
    the spider follows as a listing too, which is then parsed once, not twice."""
    gzip_max_size: int | None = None
    """None: ``body`` is the page; else ``body`` is one gzip member of the page, of at most
    this many bytes decoded (0: any)."""

    def run(self) -> ArticlePage:
        profile = get_profile(self.profile)
        body = plain_body(self.body, self.gzip_max_size)
        page = parse_page(body, self.url, profile=profile, content_type=self.content_type,
                          http_status=self.http_status, fetched_at=self.fetched_at,
                          page_links=self.page_links)
        links = http_links(linked_urls(page)) if page.follow_links else []
        signed = self.num_perm and page.page_type == ARTICLE
        signature = SignatureJob(body_text(page.record), self.num_perm).run() if signed else None
        return ArticlePage(page.record, prose_words(page.record), links, signature, page.page_type,
                           http_links(page.page_links))


@dataclass(frozen=True, slots=True)
class LinksJob:
    """One fetched listing page whose links the crawl follows (:func:`page_links`)."""

    body: bytes
    url: str
    content_type: str
    gzip_max_size: int | None = None
    """As :attr:`ParseJob.gzip_max_size`."""

    def run(self) -> list[str]:
        return http_links(page_links(plain_body(self.body, self.gzip_max_size), self.url, self.content_type))


def plain_body(body: bytes, gzip_max_size: int | None) -> bytes:
    """``body`` decoded when it is gzipped (``gzip_max_size`` not None); raises
    :class:`NotOneGzipMember` for a body the crawl must decode by Scrapy's rules."""
    if gzip_max_size is None:
        return body
    decoded = whole_member(body, gzip_max_size)
    if decoded is None:
        raise NotOneGzipMember("not one whole gzip member under the size cap")
    return decoded


def linked_urls(page: ParsedPage) -> list[str]:
    """The article's prev/next and Recommend links, then the links of its body (of the
    whole page, for a page that is no article)."""
    record = page.record
    linked = (record.prev_article, record.next_article, *record.recommendations)
    return [*(link.url for link in linked if link is not None), *page.body_links]


def http_links(urls: Iterable[str]) -> list[str]:
    """Each distinct http(s) URL once, in order (``mailto:`` and such are no pages)."""
    return [url for url in dict.fromkeys(urls) if url.startswith(("http://", "https://"))]


def prose_words(record: ArticleRecord) -> int:
    """Words of running text (summary and section text, not list items): the record's
    word count less its items' words, so the long texts are not split a second time."""
    return record.word_count - count_paragraph_words([item for s in record.sections for item in s.items])
