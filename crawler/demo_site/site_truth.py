"""The ground-truth files written beside a generated site, and ``SiteTruth``, their
in-memory summary.

Layout of a generated directory::

    <out_dir>/www/                  document root (the only part the server serves)
    <out_dir>/server.json           server config: document root, redirects
    <out_dir>/truth/site.json       this summary (SiteTruth.to_json)
    <out_dir>/truth/records.jsonl   one line per article page: url, kind, expected record
    <out_dir>/truth/duplicates.jsonl one line per duplicate URL: url, duplicate_of, reason
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

TRUTH_DIR = "truth"
DOCROOT = "www"


@dataclass(slots=True, kw_only=True)
class SiteTruth:
    """What a crawl of the generated site should find (small lists only; the per-article
    records stream from ``records.jsonl`` through :meth:`iter_records`)."""

    out_dir: Path
    seed: int
    pages: int
    layout: str = "keepto"
    """How the pages are marked up (``generator.LAYOUTS``)."""
    article_blocks: tuple[int, int] | None = None
    """``(low, high)``: the body blocks each original has (summary paragraphs, section
    headings, section paragraphs, items); ``None`` when the length was left to the prose."""
    base_url: str
    """Desktop origin, e.g. ``http://www.healthdemo.test:8123``."""
    mobile_base_url: str
    """The ``m.`` alias origin; it serves the same pages."""
    host_aliases: dict[str, str]
    """Mobile host -> desktop host (for ``canonicalize_url``)."""
    start_url: str
    robots_url: str
    sitemap_url: str
    sitemaps: list[str] = field(default_factory=list)
    """Child sitemaps listed by the sitemap index (one is gzipped)."""
    counts: dict[str, int] = field(default_factory=dict)
    """articles, originals, orphans, exact_copies, near_copies, alias_urls, gbk_pages, ..."""
    disallowed: list[str] = field(default_factory=list)
    """Article-looking URLs under ``/private/``, linked but disallowed by robots.txt."""
    missing: list[str] = field(default_factory=list)
    """Linked URLs that answer 404."""
    redirects: dict[str, str] = field(default_factory=dict)
    """Linked old URL -> the article URL it 301-redirects to."""
    pdfs: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    """Article URLs that no page links to: only the sitemaps lead to them."""

    @property
    def docroot(self) -> Path:
        return self.out_dir / DOCROOT

    @property
    def records_path(self) -> Path:
        return self.out_dir / TRUTH_DIR / "records.jsonl"

    @property
    def duplicates_path(self) -> Path:
        return self.out_dir / TRUTH_DIR / "duplicates.jsonl"

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """``{"url", "article_id", "kind", "duplicate_of", "linked", "encoding", "expected"}``
        per article page, in id order (``expected`` has the golden JSONs' fields)."""
        yield from _read_jsonl(self.records_path)

    def iter_duplicates(self) -> Iterator[dict[str, Any]]:
        """``{"url", "canonical_url", "duplicate_of", "reason", ...}`` per duplicate URL."""
        yield from _read_jsonl(self.duplicates_path)

    def to_json(self) -> dict[str, Any]:
        """Everything but ``out_dir``, so a generated directory can be moved; without
        ``article_blocks`` when unset, so a site of default length has the truth it had
        before the option existed."""
        data = asdict(self)
        del data["out_dir"]
        if self.article_blocks is None:
            del data["article_blocks"]
        return data

    def save(self) -> None:
        path = self.out_dir / TRUTH_DIR / "site.json"
        path.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, out_dir: Path) -> SiteTruth:
        """The truth of a site generated into ``out_dir`` earlier."""
        data = json.loads((out_dir / TRUTH_DIR / "site.json").read_text(encoding="utf-8"))
        data["out_dir"] = out_dir
        if data.get("article_blocks") is not None:
            data["article_blocks"] = tuple(data["article_blocks"])  # a JSON list
        return cls(**data)


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


class JsonLines:
    """Appends JSON objects, one a line, to a file kept open while the site is written."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = path.open("w", encoding="utf-8")

    def write(self, obj: dict[str, Any]) -> None:
        self._file.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._file.close()
