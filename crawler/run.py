"""Run the ``health`` spider in-process with the project settings, as ``scrapy crawl`` does.

Settings flow one way: Scrapy's defaults, ``crawler.settings``, ``HEALTHCRAWL_*``
environment variables, then the caller's overrides (CLI flags).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.ossignal import install_shutdown_handlers
from scrapy.utils.project import get_project_settings
from twisted.python.failure import Failure

from core.errors import HealthcrawlError
from crawler import interrupts
from crawler.params import CrawlParams
from crawler.spiders.health import HealthSpider
from pipelines.export import CHANGES_STAT, ERROR, OUTCOME, PLACES, ExportPipeline
from pipelines.table_writer import start_writer_early

ENV_PREFIX = "HEALTHCRAWL_"


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """The project settings with ``HEALTHCRAWL_*`` environment values and ``overrides`` on top."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    for name, value in os.environ.items():
        if name.startswith(ENV_PREFIX) and name in settings:
            settings.set(name, setting_value(value), priority="project")
    settings.setdict(dict(overrides or {}), priority="cmdline")
    return settings


def setting_value(value: str) -> Any:
    """A setting given as text (environment, ``--set``): JSON when it parses as JSON
    (lists, maps, numbers, booleans), else the text itself."""
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass(frozen=True, slots=True)
class CrawlResult:
    finish_reason: str
    seconds: float
    stats: Mapping[str, Any]
    failure: str | None = None
    """Why the crawl could not start or run, in one line, when it raised."""
    interrupted: bool = False
    """A signal (Ctrl-C, SIGTERM) stopped the crawl, whenever it came."""

    @property
    def changes(self) -> dict[str, int]:
        """Articles the run publishes by change (new, updated, unchanged), and removed."""
        return {key.removeprefix(CHANGES_STAT): int(value) for key, value in self.stats.items()
                if key.startswith(CHANGES_STAT)}

    @property
    def places(self) -> list[tuple[str, str]]:
        """Where a published run went: ``(destination name, where)`` a destination."""
        return [(str(name), str(where)) for name, where in self.stats.get(PLACES, [])]

    @property
    def articles(self) -> int:
        """Articles published (kept or carried over, less the copies a sorting-first copy
        superseded)."""
        if changes := self.changes:
            return sum(count for change, count in changes.items() if change != "removed")
        kept = self.stats.get("healthcrawl/export/kept", self.stats.get("item_scraped_count", 0))
        return int(kept) - int(self.stats.get("healthcrawl/export/retracted", 0))

    @property
    def duplicates(self) -> int:
        return sum(int(v) for k, v in self.stats.items()
                   if k.startswith(("healthcrawl/dedup/dropped/", "healthcrawl/dedup/superseded/")))

    @property
    def not_exported(self) -> dict[str, int]:
        """Pages the crawl fetched or tried and did not export, by why, in words."""
        reasons: dict[str, int] = {}
        for key, value in self.stats.items():
            for prefix in ("healthcrawl/spider/failed/", "healthcrawl/spider/skipped/"):
                if key.startswith(prefix):
                    why = _in_words(key.removeprefix(prefix))
                    reasons[why] = reasons.get(why, 0) + int(value)
        return dict(sorted(reasons.items(), key=lambda item: -item[1]))

    @property
    def errors(self) -> int:
        """Errors logged (a failed fetch is no error: it is counted in ``not_exported``)."""
        return int(self.stats.get("log_count/ERROR", 0))

    @property
    def outcome(self) -> str:
        """What became of the tables (``pipelines.export.OUTCOMES``); with the export stage
        off, ``published`` when the crawl finished and ``discarded`` when it did not."""
        default = "published" if self.finish_reason == "finished" else "discarded"
        return str(self.stats.get(OUTCOME, default))

    @property
    def error(self) -> str | None:
        """Why the run was not published, in one line, when known."""
        error = self.stats.get(ERROR) or self.failure
        return str(error) if error else None

    def summary(self) -> str:
        """One line: what was published, dropped and passed over, and why, in words."""
        missed = self.not_exported
        passed_over = (f"{sum(missed.values())} pages not exported: "
                       + ", ".join(f"{count} {why}" for why, count in missed.items())
                       if missed else "no page passed over")
        changes = self.changes
        changed = (" (" + ", ".join(f"{count} {change}" for change, count in changes.items()) + ")"
                   if changes else "")
        return (f"{self.articles} articles{changed}, {self.duplicates} duplicates dropped; {passed_over}; "
                f"{self.errors} errors logged; {self.seconds:.1f} s ({self.finish_reason})")


class _CrawlerProcess(CrawlerProcess):
    """Scrapy's process, remembering whether a signal stopped it: one that comes while the
    crawl is still starting leaves no ``shutdown`` finish reason to tell it by."""

    interrupted = False

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.interrupted = True
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        self.interrupted = True
        super()._signal_kill(signum, frame)


def run_crawl(params: CrawlParams, overrides: Mapping[str, Any] | None = None) -> CrawlResult:
    """Crawl with ``params`` until done; blocks, and can run once per process (Twisted)."""
    settings = project_settings(overrides)
    if ExportPipeline.writes_in_child(settings):
        start_writer_early()
    process = _CrawlerProcess(settings)
    # Scrapy's own start would leave Python's handler, then Twisted's, in place until the
    # reactor has started: a Ctrl-C then could be lost and the crawl went on to publish.
    install_shutdown_handlers(process._signal_shutdown)
    interrupts.raise_if_received()  # one came before, and its KeyboardInterrupt was dropped
    crawler = process.create_crawler(HealthSpider)
    started = time.monotonic()
    failures: list[BaseException | None] = []

    def keep(failure: Failure) -> None:
        failures.append(failure.value)

    crawling = process.crawl(crawler, site=params.profile.name, start_url=",".join(params.start_urls))
    crawling.addErrback(keep)
    process.start(install_signal_handlers=False)
    interrupts.install()
    for failure in failures:
        if isinstance(failure, HealthcrawlError):  # e.g. the export folder's lock is held
            raise failure
    stats = crawler.stats.get_stats() if crawler.stats else {}
    # Ctrl-C before Scrapy's own handlers are in place reaches the crawl as an exception.
    interrupted = process.interrupted or any(isinstance(f, KeyboardInterrupt) for f in failures)
    why = next((f"{type(f).__name__}: {f}" for f in failures if not isinstance(f, KeyboardInterrupt)), None)
    return CrawlResult(str(stats.get("finish_reason", "unknown")), time.monotonic() - started, stats, why,
                       interrupted)


_REASONS_IN_WORDS = {
    "http_404": "not found (404)",
    "http_410": "gone (410)",
    "IgnoreRequest": "refused by robots.txt, the size cap or a crawler-trap cap",
    "not_html": "not HTML (a PDF, an image)",
    "not_article": "neither article nor listing",
    "too_little_prose": "too little text for an article",
    "bad_link": "links that are no valid URL",
    "TimeoutError": "timed out",
    "DNSLookupError": "DNS lookups failed",
    "ConnectionRefusedError": "connections refused",
    "TCPTimedOutError": "connections timed out",
    "ResponseNeverReceived": "responses never received",
    "DownloadConnectionRefusedError": "connections refused",
    "CannotResolveHostError": "DNS lookups failed",
    "DownloadTimeoutError": "timed out",
    "DownloadCancelledError": "downloads cancelled",
    "DownloadFailedError": "downloads failed",
    "ResponseDataLossError": "responses cut short",
    "empty_body": "empty pages",
    "binary_body": "binary data served as HTML",
    "unusable_document": "pages with no HTML element",
    "parse_error": "pages the parser failed on",
    "worker_timeout": "parse timed out",
    "worker_poison": "page killed parse workers",
}


def _in_words(reason: str) -> str:
    """A counter's reason as the summary says it (``http_503`` -> ``HTTP 503``)."""
    if reason in _REASONS_IN_WORDS:
        return _REASONS_IN_WORDS[reason]
    if reason.startswith("http_"):
        return f"HTTP {reason.removeprefix('http_')}"
    return reason
