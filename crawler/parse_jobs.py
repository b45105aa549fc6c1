"""The spider's jobs for the worker pool (``crawler.worker_pool``): parse an article page,
collect a listing page's links. Each carries bytes and a few strings (the profile by name),
so it pickles cheaply."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.parsing import ParsedPage, parse_page
from crawler.parsing.links import page_links
from crawler.profiles import get_profile


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One fetched article page to parse: what :func:`parse_page` takes, the profile by name."""

    body: bytes
    url: str
    profile: str
    content_type: str
    http_status: int
    fetched_at: str

    def run(self) -> ParsedPage:
        return parse_page(self.body, self.url, profile=get_profile(self.profile),
                          content_type=self.content_type, http_status=self.http_status,
                          fetched_at=self.fetched_at)


@dataclass(frozen=True, slots=True)
class LinksJob:
    """One fetched listing page whose links the crawl follows (:func:`page_links`)."""

    body: bytes
    url: str
    content_type: str

    def run(self) -> list[str]:
        return page_links(self.body, self.url, self.content_type)
