"""Scrapy settings for healthcrawl: production defaults, polite and fast.

Precedence (lowest first): Scrapy's defaults, this module, ``HEALTHCRAWL_*`` environment
variables, then command-line flags. Nothing imports this module: Scrapy loads it by name
(``scrapy.cfg`` / ``SCRAPY_SETTINGS_MODULE``).
"""

from __future__ import annotations

import pipelines
from core.child import QUIET_GC_THRESHOLDS
from pipelines.destinations.registry import DEFAULT_DESTINATIONS, DEFAULT_FORMATS

BOT_NAME = "healthcrawl"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "healthcrawl/0.1 (+https://github.com/healthcrawl/healthcrawl; health-article research crawler)"
ROBOTSTXT_OBEY = True
HEALTHCRAWL_ROBOTS_UNREACHABLE = "disallow"
"""What a robots.txt that answers 5xx or not at all (after the retries) means: ``disallow``
every page of its site (RFC 9309), or ``allow`` them all (Scrapy's reading)."""
HEALTHCRAWL_ROBOTS_RETRY_FOR = 60.0
"""Seconds an unreachable robots.txt is asked again (its site's requests waiting) before
its site is disallowed; 0: at once."""

# Politeness: per-domain concurrency, AutoThrottle, robots.txt Crawl-delay (see middlewares).
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

# An article page yields one record, so Scrapy's default of draining callback output with
# 100 parallel tasks per response is pure overhead (docs/design.md, The performance facts
# that drove the design).
CONCURRENT_ITEMS = 1
# Link depth says nothing about traps (a listing's page 300 is deep, a calendar's next day
# is not), and the depth middleware would touch every request and record a page yields for
# nothing: it is off, and DEPTH_LIMIT has no effect. Crawls are bounded by the profile's URL
# rules, --max-pages and the crawler-trap defences (crawler/middlewares/traps.py): hops
# without a new article, unproductive pages per URL template and per path's queries; 0
# turns one off.
SPIDER_MIDDLEWARES = {"scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                      "crawler.middlewares.traps.TrapHopsMiddleware": 950,
                      # Distributed crawls only (HEALTHCRAWL_REDIS_URL), off otherwise.
                      "crawler.distributed.inflight.FinishedRequests": 1}
HEALTHCRAWL_TRAP_MAX_HOPS = 10
"""Links are not followed more than this many unproductive pages in a row away (pages that
yielded no article and linked no new one: a calendar's next day, facet on facet)."""
HEALTHCRAWL_TRAP_MAX_PER_TEMPLATE = 100
"""No more requests for a URL template (``/calendar/N-N-N``) once this many of its pages
were unproductive, unless one of them yielded an article."""
HEALTHCRAWL_TRAP_MAX_QUERY_VARIANTS = 100
"""No more requests with a query string for a path once this many such pages were
unproductive (faceted search, sort orders), unless the path's template yields articles."""

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
HEALTHCRAWL_SITEMAP_MAXSIZE = 50 * 1024 * 1024
"""Bytes a sitemap may have, downloaded or gunzipped (the protocol's limit); pages keep
DOWNLOAD_MAXSIZE."""
HEALTHCRAWL_SITEMAP_MAX_URLS = 50_000
"""URLs followed of one sitemap (the protocol's limit); more are counted as
``bad_sitemap/too_many_urls``."""
COMPRESSION_ENABLED = True
DNS_TIMEOUT = 20
TWISTED_DNS_RESOLVER = "crawler.dns.HostMapResolver"
HEALTHCRAWL_HOST_MAP: dict[str, str] = {}
"""Host name -> IP address resolved without DNS (the demo maps its hosts to 127.0.0.1)."""

# Retries with exponential backoff that honour Retry-After (Scrapy's retry ignores it).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
HEALTHCRAWL_RETRY_BACKOFF_BASE = 1.0
HEALTHCRAWL_RETRY_BACKOFF_MAX = 60.0
HEALTHCRAWL_MAX_CRAWL_DELAY = 60.0
"""Seconds at most a robots.txt ``Crawl-delay`` is honoured with (a day-long delay would
never let the crawl end); a longer one is capped and counted (``healthcrawl/robots/crawl_delay_capped``)."""
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's offsite filter, but an IP address or localhost has no subdomains to look up.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.offsite.AddressAwareOffsiteMiddleware": 50,
    # Scrapy's robots.txt middleware, reading a failed robots.txt as RFC 9309 does (see there).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.Rfc9309RobotsTxtMiddleware": 100,
    # After robots.txt (100): a page robots.txt forbids counts against no trap cap.
    "crawler.middlewares.traps.TrapCapsMiddleware": 110,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 550,
    "crawler.middlewares.crawl_delay.CrawlDelayMiddleware": 560,
    # Distributed crawls only (HEALTHCRAWL_REDIS_URL): the site's delay and concurrency shared
    # by every worker; next to the downloader, so a slot is held for the download alone.
    "crawler.distributed.pacing.SharedPacingMiddleware": 950,
    # Scrapy's meta-refresh redirects, skipping pages that cannot hold one (see there).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.meta_refresh.QuickMetaRefreshMiddleware": 580,
    # Nearer the engine than the two around it, so it sees a page as the scraper will:
    # Scrapy's bound on the pages being scraped, counted in decoded bytes (see there).
    "crawler.middlewares.scraper_budget.ScraperBudgetMiddleware": 575,
    # Scrapy's decompression, a whole gzip page decoded in one zlib call (see there).
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.compression.QuickHttpCompressionMiddleware": 590,
}

# One canonical URL is fetched once per run: the fingerprint is the canonical URL's.
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.CanonicalUrlFingerprinter"

HEALTHCRAWL_WORKER_PROCESSES: int | None = None
"""Processes beside the crawl's that parse pages and compute MinHash signatures
(``core.worker_pool``); None: one per core but the crawl's own; 0: all in the crawl's
process."""
HEALTHCRAWL_WORKER_JOB_TIMEOUT = 60.0
"""Seconds a worker may spend on one page before it is killed and the page skipped
(``healthcrawl/workers/timeout``); a parse takes milliseconds."""
HEALTHCRAWL_WORKER_MAX_RESTARTS = 3
HEALTHCRAWL_WORKER_RESTART_WINDOW = 60.0
"""More than MAX_RESTARTS worker deaths within this many seconds switch the crawl to
parsing in its own process (one death never does)."""
HEALTHCRAWL_WORKER_HANDLER = "core.child:run_jobs"
"""What the workers run (``MODULE:FACTORY``; tests give one that misbehaves on purpose)."""
HEALTHCRAWL_WRITER_TIMEOUT = 120.0
"""Seconds any call to the table-writer child may take; one that dies or hangs stops the
crawl (finish reason ``table_writer_failed``, exit 1)."""

ITEM_PIPELINES = dict(pipelines.ITEM_PIPELINES)  # validate 100, dedup 200, export 300
HEALTHCRAWL_DEDUP_NEAR_THRESHOLD = 0.8
"""Estimated Jaccard of 3-word shingles at or above which two bodies are near duplicates."""
HEALTHCRAWL_DEDUP_STORE = "memory"
"""Where dedup keeps the articles it compares against: memory (about 2.5 KB an article,
fastest), or disk (a SQLite file in the state folder: flat memory for sites of millions of
articles, for about 0.1 ms more an article in the crawl's process)."""
HEALTHCRAWL_DEDUP_MINHASH_BANDS = 16
HEALTHCRAWL_DEDUP_MINHASH_ROWS = 8
HEALTHCRAWL_EXPORT_ROW_GROUP_SIZE = 10_000
HEALTHCRAWL_EXPORT_KEEP_RUNS = 3
HEALTHCRAWL_EXPORT_KEEP_DAYS = 0
"""Also keep the tables of every run published less than this many days ago (0: by count only)."""
HEALTHCRAWL_PUBLISH_PARTIAL = False
"""Publish a run stopped by a limit (CLOSESPIDER_*, --max-pages); its manifest says partial."""
HEALTHCRAWL_MIN_ARTICLES = 1
"""A finished run with fewer articles is unhealthy and not published (a site that was down)."""
HEALTHCRAWL_MAX_ERROR_RATE = 0.5
"""A run whose failed fetches exceed this share of its requests is unhealthy."""
HEALTHCRAWL_MAX_DRIFT = 0.5
"""A run whose article count or field coverage dropped by more than this share against the
previous publication is unhealthy (a redesign broke the parser, half the site is down)."""
HEALTHCRAWL_STATE_ENABLED = True
"""Remember every run's pages and publication (``pipelines.state``): what makes a run's
``change`` column, its ``removed`` table, cross-run dedup, --incremental and --resume work."""
HEALTHCRAWL_STATE_DIR = ""
"""Where the state lives; empty: ``<HEALTHCRAWL_EXPORT_DIR>/.state``."""
HEALTHCRAWL_INCREMENTAL = False
"""Fetch known pages only when they may have changed: sitemap lastmod, then a conditional
request (a 304 is not parsed); unchanged articles are carried over into the publication."""
HEALTHCRAWL_TRUST_SITEMAP_LASTMOD = True
"""Incremental runs skip a known page whose sitemap <lastmod> is older than its last fetch;
off for a site whose dates lie (each known page then costs a conditional request)."""
HEALTHCRAWL_RESUME = False
"""Continue run HEALTHCRAWL_RUN_ID: what it fetched before it died is not fetched again."""
HEALTHCRAWL_RUN_ID = ""
"""The run's id (default: start time and a random suffix); sorted ids order the runs."""
HEALTHCRAWL_EXPORT_DIR = "exports"
HEALTHCRAWL_EXPORT_FORMATS = list(DEFAULT_FORMATS)
"""Formats of the ``files`` destination (``pipelines.destinations.registry``)."""
HEALTHCRAWL_DESTINATIONS = list(DEFAULT_DESTINATIONS)
"""Where the tables go: ``files`` (into HEALTHCRAWL_EXPORT_DIR) and/or a
``postgresql://user@host:port/db`` URL (its password better in PGPASSWORD or ~/.pgpass)."""
HEALTHCRAWL_POSTGRES_SCHEMA = "healthcrawl"

# Distributed mode (README, Scaling out): workers share a Redis server through scrapy-redis;
# ``crawler.distributed.distributed_settings`` holds the settings --redis turns on.
HEALTHCRAWL_REDIS_URL = ""
"""``redis://HOST:PORT/DB`` of the run's shared frontier; empty: a one-process crawl."""
HEALTHCRAWL_REDIS_IDLE_SECONDS = 30.0
"""A worker stops once the whole run (queue, seeds, every worker's requests in flight) has
been empty this long."""
HEALTHCRAWL_REDIS_DEAD_AFTER = 10.0
"""A worker silent this long is dead: its requests in flight go back into the queue."""
HEALTHCRAWL_PART_ARTICLES = 1000
"""Articles a worker's part holds at most (``pipelines.parts``)."""
"""The PostgreSQL schema the tables load into, created on first use."""

# Fewer cyclic garbage collections while a spider runs (crawler/gc_tuning.py).
# The progress line (or plain progress log lines without a terminal) replaces LogStats.
EXTENSIONS = {"crawler.gc_tuning.GcThresholds": 0, "scrapy.extensions.logstats.LogStats": None,
              "crawler.progress.Progress": 500,
              # Off (REMOTE_CONTROL_ENABLED below), and not even imported: its module
              # imports aiohttp, 0.07 s of every run's start.
              "scrapy.extensions.remote_control.RemoteControl": None,
              # Distributed crawls only (HEALTHCRAWL_REDIS_URL), off otherwise.
              "crawler.distributed.worker.DistributedWorker": 600}
HEALTHCRAWL_PROGRESS = "auto"
"""auto (a live line when stderr is a terminal, log lines every LOGSTATS_INTERVAL else),
bar, log or off."""
HEALTHCRAWL_GC_THRESHOLDS = list(QUIET_GC_THRESHOLDS)

STATS_CLASS = "crawler.stats.QuickStatsCollector"  # Scrapy's, without a shim on every read
LOG_LEVEL = "INFO"
LOG_FORMATTER = "pipelines.log_formatter.ShortDropLogFormatter"  # one line a dropped item
LOGSTATS_INTERVAL = 30.0
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs Python sent over HTTP inside the crawl's process and
# writes its port and token into the user's profile folder: an unattended crawl listens for
# no code (its progress, logs and stats say how it goes), nor starts a server at each run.
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
