"""Ground truth of the demo site: the record each article page must parse to, rendered
from the content model (never from parsing the page), following docs/record-contract.md
and every convention of ``tests/fixtures/golden/README.md`` (field for field what the
golden JSONs hold).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from core.section_kinds import section_kind
from core.urls import canonicalize_url
from crawler.demo_site.model import ArticleModel, Items, LinkModel, RecModel, SectionModel

ELLIPSES = ("...", "…")


def norm(text: str) -> str:
    """Whitespace-normalized text, as every text field of a record is."""
    return " ".join(text.split())


def host_aliases(base_url: str, mobile_base_url: str) -> dict[str, str]:
    """Mobile host -> desktop host, as the demo site profile must map them."""
    return {urlsplit(mobile_base_url).hostname or "": urlsplit(base_url).hostname or ""}


def expected_record(article: ArticleModel, page_url: str, aliases: dict[str, str]) -> dict[str, Any]:
    """The fields a golden JSON lists under ``expected``, for this page fetched at ``page_url``."""
    sections = [_section(position, section) for position, section in enumerate(article.sections)]
    kinds = [section["kind"] for section in sections]
    symptoms = [part for s in sections if s["kind"] == "symptoms" for part in _symptom_parts(s)]
    return {
        "article_id": str(article.head.article_id),
        "canonical_url": canonicalize_url(page_url, aliases),
        "title": norm(article.head.title),
        "summary": _join(_summary(article)),
        "sections": sections,
        "symptoms": _join(symptoms),
        "prevention": [item for s in sections if s["kind"] == "prevention" for item in s["items"]],
        "recommendations": [_rec(rec, page_url) for rec in article.recs],
        "prev_article": _link(article.prev, page_url),
        "next_article": _link(article.next, page_url),
        "breadcrumbs": breadcrumbs(article),
        "published_at": published_at(article),
        "language": "en",
        "parse_warnings": [warning for warning, kind in (("no_symptoms_section", "symptoms"),
                                                          ("no_prevention_section", "prevention"))
                           if kind not in kinds],
    }


def breadcrumbs(article: ArticleModel) -> list[str]:
    """The crumb link texts; GBK pages show them in Chinese (as golden page 10 does)."""
    category = article.head.category
    if article.style.encoding == "gbk":
        return ["首页", category.parent_zh, category.zh_name]
    return ["Home", category.parent_name, category.name]


def published_at(article: ArticleModel) -> str | None:
    """ISO form of the date line: a datetime without zone, or a date alone."""
    when = article.head.published
    if article.style.date == "datetime":
        return when.strftime("%Y-%m-%dT%H:%M:00")
    if article.style.date == "date":
        return when.strftime("%Y-%m-%d")
    return None


def _summary(article: ArticleModel) -> list[str]:
    paragraphs = article.summary
    return paragraphs[1:] if article.style.title_repeated else paragraphs


def _section(position: int, section: SectionModel) -> dict[str, Any]:
    kind = section_kind(section.heading)
    paragraphs = [norm(block) for block in section.blocks if isinstance(block, str)]
    items = [norm(entry) for block in section.blocks if isinstance(block, Items)
             for entry in block.entries]
    if kind == "prevention" and not items:
        paragraphs, items = [], paragraphs
    return {
        "position": position,
        "number": None if section.number is None else str(section.number),
        "heading": norm(section.heading),
        "kind": kind,
        "text": "\n\n".join(paragraphs),
        "items": items,
    }


def _symptom_parts(section: dict[str, Any]) -> list[str]:
    parts: list[str] = section["text"].split("\n\n") if section["text"] else []
    return parts + list(section["items"])


def _join(parts: list[str]) -> str | None:
    return "\n\n".join(parts) if parts else None


def _rec(rec: RecModel, page_url: str) -> dict[str, Any]:
    snippet, truncated = rec.desc, False
    if snippet is not None:
        for ellipsis in ELLIPSES:
            if snippet.endswith(ellipsis):
                snippet, truncated = snippet[: -len(ellipsis)], True
                break
        snippet = norm(snippet) or None
    return {"title": norm(rec.title), "url": resolve(page_url, rec.href), "snippet": snippet,
            "truncated": truncated}


def resolve(page_url: str, href: str) -> str:
    """``href`` made absolute against ``page_url``; the demo's common link forms take a
    fast path, since ``urljoin`` on every link weighs on rendering the truth of a large
    demo site."""
    if href.startswith(("http://", "https://")):
        return href
    if href.startswith("/") and not href.startswith("//"):
        return page_url[: page_url.index("/", page_url.index("://") + 3)] + href
    return urljoin(page_url, href)


def _link(link: LinkModel | None, page_url: str) -> dict[str, str] | None:
    return None if link is None else {"title": norm(link.title), "url": resolve(page_url, link.href)}
