"""The article record: the schema every spider, pipeline and export shares.

The dataclasses here are the single documented definition of schema_version 1
(docs/record-contract.md, The record); ``exports/README.md`` is tested against them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.minhash import Signature

SCHEMA_VERSION = 1


@dataclass(slots=True, kw_only=True)
class Link:
    """A link to another article, as the prev/next lines show it."""

    title: str
    """Link text (or its ``title`` attribute when the text is empty), whitespace-normalized."""
    url: str
    """Absolute URL, resolved against the fetched URL."""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url}

    def __reduce__(self) -> tuple[Any, ...]:
        return _link, (self.title, self.url)


@dataclass(slots=True, kw_only=True)
class Recommendation:
    """One entry of the page's "Recommend" / "Related articles" block."""

    title: str
    """Title of the recommended article."""
    url: str
    """Absolute URL of the recommended article."""
    snippet: str | None
    """Teaser text without its trailing ellipsis; null when the entry shows none."""
    truncated: bool
    """True when the teaser ended in ``...`` or ``…`` (the site cut it)."""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url, "snippet": self.snippet, "truncated": self.truncated}

    def __reduce__(self) -> tuple[Any, ...]:
        return _recommendation, (self.title, self.url, self.snippet, self.truncated)


@dataclass(slots=True, kw_only=True)
class Section:
    """One section of the article body, from its heading to the next heading."""

    position: int
    """0-based order of the section in the body."""
    number: str | None
    """The heading's enumerator as Arabic digits (``"1"`` for ``1.``, ``一、``); null if unnumbered."""
    heading: str
    """Heading text without its enumerator."""
    kind: str
    """One of symptoms, causes, prevention, treatment, diagnosis, diet, care, other."""
    text: str
    """The section's non-item paragraphs joined by a blank line; ``""`` when it has none."""
    items: list[str] = field(default_factory=list)
    """The section's enumerated or listed entries, enumerators stripped, in order."""

    def to_dict(self) -> dict[str, Any]:
        return {"position": self.position, "number": self.number, "heading": self.heading,
                "kind": self.kind, "text": self.text, "items": list(self.items)}

    def __reduce__(self) -> tuple[Any, ...]:
        return _section, (self.position, self.number, self.heading, self.kind, self.text, self.items)


def _link(title: str, url: str) -> Link:
    """A pickled :class:`Link`. Its parts are set without ``__init__``, as unpickling any
    object's default form does: keyword ``__init__`` calls made a record's loading
    slower than the default form's."""
    link = _new(Link)
    link.title, link.url = title, url
    return link


def _recommendation(title: str, url: str, snippet: str | None, truncated: bool) -> Recommendation:
    """A pickled :class:`Recommendation` (see :func:`_link`)."""
    entry = _new(Recommendation)
    entry.title, entry.url, entry.snippet, entry.truncated = title, url, snippet, truncated
    return entry


def _section(position: int, number: str | None, heading: str, kind: str, text: str,
             items: list[str]) -> Section:
    """A pickled :class:`Section` (see :func:`_link`)."""
    section = _new(Section)
    section.position, section.number, section.heading = position, number, heading
    section.kind, section.text, section.items = kind, text, items
    return section


_new = object.__new__


@dataclass(slots=True, kw_only=True)
class ArticleRecord:
    """One article page split into fields (schema_version 1).

    The record and its parts pickle as their field values, rebuilt by a function of this
    module (``__reduce__``): a third less time to pickle than the default form of slotted
    objects (a state dict for each) and 5-20% less to load, and records cross two process
    boundaries (parse worker to crawl,
    crawl to table writer). Pickles of the default form, which a run's state may hold,
    still load."""

    article_key: str
    """Stable id: ``<site>:<ref>`` (the id; with the generic profile the URL's section then
    the id, ``news/12345``), or ``<site>:<first 16 hex of sha1(canonical_url)>``; suffixed
    ``~<8 hex>`` by dedup when two articles of a run would share one."""
    site: str
    """Site profile name (``keepto``, ``demo``) or the host for the generic profile."""
    url: str
    """URL fetched, after redirects."""
    canonical_url: str
    """The same-site ``<link rel=canonical>`` when credible (not the home page for another
    page, not id-less for a URL with an id, not contradicted by content in dedup), else the
    canonicalized URL."""
    article_id: str | None
    """The site's own id (``60636`` from ``/p/60636.html``); null when the URL has none."""
    title: str
    """The article headline (the visible ``<h1>``), never the ``<title>``; ``""`` if not found."""
    summary: str | None
    """Intro paragraphs before the first section heading, joined by a blank line."""
    sections: list[Section]
    """Every section of the body, in page order."""
    symptoms: str | None
    """Paragraphs then items of the symptoms section(s), joined by a blank line."""
    prevention: list[str]
    """Items of the prevention section(s), enumerators stripped."""
    recommendations: list[Recommendation]
    """The Recommend block, in page order."""
    prev_article: Link | None
    """The ``<<:`` / ``Previous:`` link."""
    next_article: Link | None
    """The ``>>:`` / ``Next:`` link."""
    breadcrumbs: list[str]
    """Link texts of the category trail, ``Home`` included."""
    published_at: str | None
    """ISO-8601 date or datetime as the page states it (no time zone added)."""
    language: str | None
    """``<html lang>``, else ``<meta http-equiv=Content-Language>``."""
    word_count: int
    """Words in summary, section texts and items (each CJK character counts as a word)."""
    content_hash: str
    """sha256 of the normalized title, summary and sections only."""
    fetched_at: str
    """ISO-8601 UTC time of the fetch (of the parse when not fetched)."""
    http_status: int
    """HTTP status of the response (200 when parsed from a file)."""
    parse_warnings: list[str] = field(default_factory=list)
    """Problems the parser worked around, e.g. ``no_prevention_section``, ``truncated_html``."""

    def __reduce__(self) -> tuple[Any, ...]:
        return _plain_record, (self._values(),)

    def _values(self) -> tuple[Any, ...]:
        """The fields' values, in field order."""
        return tuple(getattr(self, name) for name in _FIELD_NAMES)

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready data (nested dataclasses become dicts, lists are
        copies): what ``dataclasses.asdict`` gives, in a tenth of its time. ``asdict``
        deep-copies value by value, and cost the table writer about 0.3 ms a record for
        the JSON Lines file."""
        data = dict(zip(_FIELD_NAMES, self._values(), strict=True))
        data["sections"] = [section.to_dict() for section in self.sections]
        data["recommendations"] = [entry.to_dict() for entry in self.recommendations]
        for name in ("prev_article", "next_article"):
            link = data[name]
            data[name] = None if link is None else link.to_dict()
        for name in ("prevention", "breadcrumbs", "parse_warnings"):
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleRecord:
        """Rebuild a record from :meth:`to_dict` output (e.g. a JSON Lines export)."""
        values = dict(data)
        values["sections"] = [Section(**s) for s in data["sections"]]
        values["recommendations"] = [Recommendation(**r) for r in data["recommendations"]]
        for name in ("prev_article", "next_article"):
            values[name] = Link(**data[name]) if data[name] else None
        return cls(**values)


def body_parts(record: ArticleRecord) -> Iterator[str]:
    """The body's texts in page order: summary, then each section's text and items.

    The same parts ``word_count`` counts; headings, recommendations and prev/next links
    are not body.
    """
    if record.summary:
        yield record.summary
    for section in record.sections:
        if section.text:
            yield section.text
        yield from (item for item in section.items if item)


def body_text(record: ArticleRecord) -> str:
    """The body parts joined by blank lines (the text near-duplicate MinHash is computed over)."""
    return "\n\n".join(body_parts(record))


@dataclass(frozen=True, slots=True)
class Validators:
    """How a page's fetch answered, for a later conditional request of the same page."""

    canonical_url: str
    """The canonical URL the page was requested under (what the state is keyed by)."""
    etag: str | None = None
    last_modified: str | None = None


class SignedRecord(ArticleRecord):
    """A record with the MinHash signature of its :func:`body_text`, computed in the worker
    that parsed the page, and its fetch's :class:`Validators`: the item a spider yields, so
    the dedup stage need not compute the signature again and the state can remember the
    page. Neither is a field: tables, JSON and Scrapy's feed exports see the plain record,
    and a pickled or copied one is the plain record.

    It may also carry the record as the worker pickled it to send it here, which the table
    writer can take as it is (:meth:`pickled`) instead of pickling the record again in the
    crawl's own process."""

    __slots__ = ("signature", "validators", "_pickled", "_pickled_values")
    signature: Signature | None
    validators: Validators | None
    _pickled: bytes | None
    _pickled_values: tuple[Any, ...]

    @classmethod
    def of(cls, record: ArticleRecord, signature: Signature | None,
           validators: Validators | None = None, pickled: bytes | None = None) -> SignedRecord:
        """``record``'s fields with ``signature`` and ``validators``; ``pickled``: ``record``
        as pickled (by the worker that parsed it)."""
        values = tuple(getattr(record, name) for name in _FIELD_NAMES)
        signed = cls(**dict(zip(_FIELD_NAMES, values, strict=True)))
        signed.signature = signature
        signed.validators = validators
        signed._pickled = pickled
        signed._pickled_values = values
        return signed

    def pickled(self) -> bytes | None:
        """The record as the worker pickled it, while every field still holds the very
        value it came with; None once a stage has set a field (dedup renames a key, or
        corrects a canonical URL), which the record must then be pickled anew for."""
        if getattr(self, "_pickled", None) is None:  # a signed record not made by ``of``
            return None
        if all(now is then for now, then in zip(self._values(), self._pickled_values, strict=True)):
            return self._pickled
        return None

    def __eq__(self, other: object) -> bool:
        """Equal to a record (signed or not) with the same fields."""
        if not isinstance(other, ArticleRecord):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the record


def _plain_record(values: tuple[Any, ...]) -> ArticleRecord:
    return ArticleRecord(**dict(zip(_FIELD_NAMES, values, strict=True)))


_FIELD_NAMES = tuple(f.name for f in fields(ArticleRecord))
