"""Distributed mode: several healthcrawl workers, on one or many machines, share one
Redis server (``healthcrawl crawl --redis redis://HOST:PORT/DB``).

Built on scrapy-redis: its scheduler keeps the request queue and the seen-set in Redis
(with the canonical-URL fingerprint, ``scheduler.CanonicalRedisDupeFilter``). Around it:
``frontier`` (the run's keys, seeds, each worker's requests in flight), ``worker`` (the
extension that keeps a worker's heartbeat, re-queues a dead worker's requests and stops
the worker once the run has been quiet for the idle time), ``pacing`` (the per-site
politeness budget shared by every worker), and the export stage's parts
(``pipelines.parts``), which ``healthcrawl publish`` assembles (``pipelines.assemble``).
"""

from __future__ import annotations

from typing import Any

WORKER_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.dedup.DedupPipeline": 200,
    "pipelines.parts.PartsPipeline": 300,
}
"""A worker writes parts; ``healthcrawl publish`` makes the run's tables of them."""


def distributed_settings(redis_url: str, idle_seconds: float) -> dict[str, Any]:
    """The settings that turn a crawl into a worker of the run in Redis at ``redis_url``."""
    return {
        "HEALTHCRAWL_REDIS_URL": redis_url,
        "HEALTHCRAWL_REDIS_IDLE_SECONDS": idle_seconds,
        "REDIS_URL": redis_url,
        "SCHEDULER": "crawler.distributed.scheduler.FrontierScheduler",
        "DUPEFILTER_CLASS": "crawler.distributed.scheduler.CanonicalRedisDupeFilter",
        "SCHEDULER_QUEUE_KEY": "healthcrawl:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": "healthcrawl:%(spider)s:dupefilter",
        # The queue and seen-set belong to the run, not to one worker: a worker that ends
        # leaves them to the others (``healthcrawl publish`` deletes them).
        "SCHEDULER_PERSIST": True,
        "HEALTHCRAWL_DEDUP_STORE": "redis",
        # The shared budget (``pacing``) spaces a site's requests by its delay; a random
        # local delay on top would let two workers' requests bunch together.
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        # Each worker's state would see only its own pages: the run's memory is in Redis.
        "HEALTHCRAWL_STATE_ENABLED": False,
        "ITEM_PIPELINES": dict(WORKER_PIPELINES),
    }
