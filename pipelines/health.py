"""Is a finished run healthy enough to replace the last publication?

A scheduled crawl of a site that is half down, or whose pages were redesigned under the
parser, still "finishes". Three checks catch it, each against a limit a user can set: the
share of requests that failed (``HEALTHCRAWL_MAX_ERROR_RATE``), and against the previous
publication's manifest, the article count and the field coverage (``HEALTHCRAWL_MAX_DRIFT``:
the largest relative drop accepted, e.g. 0.5 lets the count or a share halve, no more).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from core.records import ArticleRecord
from pipelines.tables import SCHEMAS
from pipelines.writers import read_csv_batches

FAILED = "healthcrawl/spider/failed/"
"""The spider's counters of failed pages, by reason (``http_404``, ``TimeoutError``)."""


Facts = tuple[bool, bool, bool, int]


def facts_of(record: ArticleRecord) -> Facts:
    """What coverage counts of one article: symptoms, prevention, recommendations present,
    and its prevention items (small enough to keep per article until the run's end)."""
    return (record.symptoms is not None, bool(record.prevention), bool(record.recommendations),
            len(record.prevention))


NO_FACTS: Facts = (False, False, False, 0)


def previous_facts(folder: Path, formats: Sequence[str]) -> Iterator[tuple[str, Facts]]:
    """``(article_key, facts)`` of every article of the publication in ``folder``, read
    from its ``articles`` table (Parquet when it has one, else CSV), as :func:`facts_of`
    reads them from a record."""
    columns = ["article_key", "symptoms", "prevention_count", "recommendation_count"]
    if "parquet" in formats:
        table = pq.read_table(folder / "articles.parquet", columns=columns)
    else:
        batches = read_csv_batches(folder / "articles.csv", SCHEMAS["articles"])
        table = pa.Table.from_batches(batches).select(columns)
    keys, symptoms, prevention, recommendations = (table[name].to_pylist() for name in columns)
    for key, symptom, items, recommended in zip(keys, symptoms, prevention, recommendations, strict=True):
        yield key, (symptom is not None, items > 0, recommended > 0, items)


@dataclass(slots=True)
class Coverage:
    """How many exported articles have each part the parser is there to find."""

    articles: int = 0
    with_symptoms: int = 0
    with_prevention: int = 0
    with_recommendations: int = 0
    prevention_items: int = 0

    def add(self, record: ArticleRecord) -> None:
        self.add_facts(facts_of(record))

    def add_facts(self, facts: Facts) -> None:
        """Count one article by its :func:`facts_of`."""
        symptoms, prevention, recommendations, items = facts
        self.articles += 1
        self.with_symptoms += symptoms
        self.with_prevention += prevention
        self.with_recommendations += recommendations
        self.prevention_items += items

    def shares(self) -> dict[str, float]:
        """Shares of articles with symptoms, prevention items, recommendations, and the mean
        prevention items of an article that has them: what the manifest records."""
        articles = max(self.articles, 1)
        return {
            "symptoms": round(self.with_symptoms / articles, 4),
            "prevention": round(self.with_prevention / articles, 4),
            "recommendations": round(self.with_recommendations / articles, 4),
            "prevention_items_per_article": round(self.prevention_items / max(self.with_prevention, 1), 4),
        }


def error_rate(crawl_stats: Mapping[str, Any]) -> float:
    """Pages that failed (after their retries: an HTTP error, a timeout, a refused
    connection) per page the crawl tried. Pages robots.txt forbids are not tried."""
    failed = {k.removeprefix(FAILED): int(v) for k, v in crawl_stats.items() if k.startswith(FAILED)}
    failed.pop("IgnoreRequest", None)
    without_response = sum(count for reason, count in failed.items() if not reason.startswith("http_"))
    tried = int(crawl_stats.get("response_received_count", 0)) + without_response
    return sum(failed.values()) / max(tried, 1)



def previous_manifest(export_dir: Path) -> dict[str, Any] | None:
    """The manifest of what ``latest`` shows now; None before the first publication."""
    try:
        manifest: dict[str, Any] = json.loads((export_dir / "latest" / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return manifest


def drift(previous: Mapping[str, Any] | None, articles: int, shares: Mapping[str, float],
          max_drift: float, *, partial: bool = False) -> str | None:
    """Why this run fell too far below the previous publication, or None. Article counts
    are compared only between two runs whose crawls finished (a partial run has fewer by
    design)."""
    if previous is None:
        return None
    before = int(previous.get("row_counts", {}).get("articles", 0))
    if before and not partial and not previous.get("partial") and articles < (1 - max_drift) * before:
        return (f"{articles} articles against {before} in the previous run {previous.get('run_id')} "
                f"(a drop of more than {max_drift:.0%}; --max-drift)")
    coverage = previous.get("coverage")
    for name, share in (coverage.items() if isinstance(coverage, dict) else ()):
        now = shares.get(name, 0.0)
        if isinstance(share, int | float) and share > 0 and now < (1 - max_drift) * share:
            return (f"coverage of {name} fell from {share:.2f} to {now:.2f} against the previous run "
                    f"{previous.get('run_id')} (a drop of more than {max_drift:.0%}; --max-drift)")
    return None
