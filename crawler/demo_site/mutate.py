"""Change a generated site between two crawls, as a live site changes between two
scheduled runs: some articles are edited (their text, file time, ETag and sitemap
``<lastmod>`` change), some are removed (their file is deleted, their sitemap entry
dropped; pages that linked them keep the dead link, as real sites do).

Only originals that no copy, alias or redirect points at are touched, so what a crawl
should report is exactly the chosen articles: ``updated`` for each edited one, a
``removed`` row for each removed one.

An article can also be published again at a new URL (:func:`copy_article`), left where it
was (a copy) or removed there (the site moved it).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.demo_site.site_truth import TRUTH_DIR, SiteTruth

EDIT_NOTE = " This article was reviewed and updated by our editors."
_FIRST_PARAGRAPH_END = re.compile(rb'(<div class="(?:article|entry)-content".*?)(</p>)', re.DOTALL)
"""The end of an article's first paragraph, in either layout (``generator.LAYOUTS``)."""


@dataclass(frozen=True, slots=True)
class Mutation:
    """The article URLs one :func:`mutate_site` edited and removed."""

    edited: list[str]
    removed: list[str]


def mutate_site(root: Path, *, edit: float, remove: float, seed: int = 1) -> Mutation:
    """Edit a share ``edit`` and remove a share ``remove`` of the site's articles (of
    those that may change without touching another page's expected outcome). Appends
    what it did to ``truth/mutations.jsonl``."""
    if not (0 <= edit <= 1 and 0 <= remove <= 1 and edit + remove <= 1):
        raise ValueError(f"edit and remove are shares that add up to at most 1, got {edit} and {remove}")
    truth = SiteTruth.load(root)
    pointed_at = {d["duplicate_of"] for d in truth.iter_duplicates()} | set(truth.redirects.values())
    candidates = [r["url"] for r in truth.iter_records()
                  if r["kind"] == "original" and r["url"] not in pointed_at
                  and (truth.docroot / _path(truth, r["url"])).is_file()]
    rng = random.Random(seed)
    rng.shuffle(candidates)
    total = truth.counts.get("articles", len(candidates))
    edited = sorted(candidates[: round(edit * total)])
    removed = sorted(candidates[len(edited): len(edited) + round(remove * total)])
    for url in edited:
        _edit(truth.docroot / _path(truth, url))
    for url in removed:
        (truth.docroot / _path(truth, url)).unlink()
    _rewrite_sitemaps(truth, set(edited), set(removed))
    with (root / TRUTH_DIR / "mutations.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps({"edited": edited, "removed": removed}) + "\n")
    return Mutation(edited, removed)


def copy_article(root: Path, url: str, new_url: str, *, move: bool = False) -> None:
    """Publish the article at ``url`` again at ``new_url`` (the same page), listed with
    today's date in the sitemap that lists ``url``; ``move``: the page at ``url`` is removed
    (its file deleted, its sitemap entry dropped), as a site moves an article. Appends what
    it did to ``truth/mutations.jsonl``."""
    truth = SiteTruth.load(root)
    source, target = truth.docroot / _path(truth, url), truth.docroot / _path(truth, new_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    if move:
        source.unlink()
    _rewrite_sitemaps(truth, set(), {url} if move else set(), {url: new_url})
    with (root / TRUTH_DIR / "mutations.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps({"copied": {url: new_url}, "removed": [url] if move else []}) + "\n")


def _path(truth: SiteTruth, url: str) -> str:
    return url.removeprefix(truth.base_url).lstrip("/")


def _edit(file: Path) -> None:
    html = file.read_bytes()
    charset = "gbk" if b"charset=gbk" in html[:2048].lower() else "utf-8"
    edited, count = _FIRST_PARAGRAPH_END.subn(
        lambda m: m.group(1) + EDIT_NOTE.encode(charset) + m.group(2), html, count=1)
    if count != 1:
        raise ValueError(f"no paragraph to edit in {file}")
    file.write_bytes(edited)


def _rewrite_sitemaps(truth: SiteTruth, edited: set[str], removed: set[str],
                      copied: Mapping[str, str] | None = None) -> None:
    """Drop the ``removed`` URLs, date the ``edited`` ones today, and list each new URL of
    ``copied`` (URL -> new URL) beside its URL, dated today."""
    copied = copied or {}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for sitemap in truth.sitemaps:
        file = truth.docroot / _path(truth, sitemap)
        data = file.read_bytes()
        zipped = file.suffix == ".gz"
        lines = (gzip.decompress(data) if zipped else data).decode("utf-8").splitlines(keepends=True)
        kept = []
        for line in lines:
            loc = re.search(r"<loc>(.*?)</loc>", line)
            url = loc.group(1) if loc else None
            if url is not None and url in copied:
                kept.append(re.sub(r"<lastmod>.*?</lastmod>", f"<lastmod>{now}</lastmod>",
                                   line.replace(f"<loc>{url}</loc>", f"<loc>{copied[url]}</loc>")))
            if url in removed:
                continue
            if url in edited:
                line = re.sub(r"<lastmod>.*?</lastmod>", f"<lastmod>{now}</lastmod>", line)
            kept.append(line)
        text = "".join(kept).encode("utf-8")
        file.write_bytes(gzip.compress(text, mtime=0) if zipped else text)
