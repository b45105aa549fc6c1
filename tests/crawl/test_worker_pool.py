"""The worker pool runs jobs in other processes, and loses none when a worker dies."""

from __future__ import annotations

import asyncio
import copy
import gc
import io
import os
import pickle
import weakref
from dataclasses import dataclass, replace

import numpy as np
import pytest
from scrapy.utils.test import get_crawler

from core.child import frame, read_frame
from core.errors import UnusableDocumentError
from core.minhash import MinHasher, SignatureJob
from core.records import body_text
from core.worker_pool import WorkerPool, configured_workers, crawl_pool
from crawler.parse_jobs import LinksJob, ParseJob, prose_words
from crawler.parsing import parse_article
from crawler.spiders.health import HealthSpider
from pipelines.dedup import DedupPipeline
from tests.parsing.golden import golden_names, golden_page

CRAWL_PID = os.getpid()


@dataclass(frozen=True)
class WhereAmI:
    def run(self) -> int:
        return os.getpid()


@dataclass(frozen=True)
class DiesInAWorker:
    """Kills the worker process it runs in; in the crawl's own process it answers."""

    answer: int
    crawl_pid: int = CRAWL_PID  # set where the job is made, not where it runs

    def run(self) -> int:
        if os.getpid() != self.crawl_pid:
            os._exit(3)
        return self.answer


def run_all(pool: WorkerPool, jobs: list[object]) -> list[object]:
    async def main() -> list[object]:
        try:
            return list(await asyncio.gather(*(pool.run(job) for job in jobs)))  # type: ignore[arg-type]
        finally:
            await pool.close()

    return asyncio.run(main())


def parse_job(name: str) -> ParseJob:
    page = golden_page(name)
    body = page.html if isinstance(page.html, bytes) else page.html.encode()
    return ParseJob(body, page.url, "keepto", "text/html", 200, "2024-05-02T10:00:00+00:00")


def test_jobs_run_in_other_processes() -> None:
    pids = run_all(WorkerPool(2), [WhereAmI() for _ in range(20)])
    assert CRAWL_PID not in pids
    assert len(set(pids)) == 2


def test_zero_workers_run_jobs_in_the_crawl_process() -> None:
    assert run_all(WorkerPool(0), [WhereAmI(), WhereAmI()]) == [CRAWL_PID, CRAWL_PID]


def test_a_worker_parses_every_golden_page_as_the_crawl_process_would() -> None:
    names = golden_names()
    pages = run_all(WorkerPool(1), [parse_job(name) for name in names])
    for name, page in zip(names, pages, strict=True):
        expected = parse_article(golden_page(name).html, golden_page(name).url,
                                 content_type="text/html", fetched_at="2024-05-02T10:00:00+00:00")
        assert page.record == expected  # type: ignore[attr-defined]
        assert page.prose_words == prose_words(expected)  # type: ignore[attr-defined]


def test_a_parse_job_asked_for_a_signature_computes_the_dedup_stages_one() -> None:
    job = parse_job(golden_names()[0])
    [page] = run_all(WorkerPool(1), [replace(job, num_perm=128)])
    expected = MinHasher(128).signature(body_text(page.record))  # type: ignore[attr-defined]
    assert np.array_equal(page.signature, expected)  # type: ignore[attr-defined]
    assert run_all(WorkerPool(0), [job])[0].signature is None  # type: ignore[attr-defined]


def test_listing_links_come_back_absolute_once_each_and_only_http() -> None:
    html = (b'<html><body><a href="/p/1.html?utm_source=x">one</a><a href="mailto:a@b.c">m</a>'
            b'<a href="https://m.keepto.com/p/2.html">two</a><a href="/p/1.html?utm_source=x">1</a>'
            b'</body></html>')
    [links] = run_all(WorkerPool(1), [LinksJob(html, "https://www.keepto.com/list/", "text/html")])
    assert links == ["https://www.keepto.com/p/1.html?utm_source=x", "https://m.keepto.com/p/2.html"]


def test_signatures_from_a_worker_equal_the_crawl_process_ones() -> None:
    text = "wash your hands before meals and after the toilet"
    [signature] = run_all(WorkerPool(1), [SignatureJob(text, 128)])
    assert np.array_equal(signature, MinHasher(128).signature(text))  # type: ignore[arg-type]


def test_a_job_error_comes_back_unchanged() -> None:
    job = ParseJob(b"", "https://www.keepto.com/p/1.html", "keepto", "text/html", 200, "t")
    with pytest.raises(UnusableDocumentError):
        run_all(WorkerPool(1), [job])


def test_jobs_of_a_dying_worker_run_in_process_and_a_new_worker_takes_over() -> None:
    pool = WorkerPool(1, max_restarts=5)
    assert run_all(pool, [DiesInAWorker(7), DiesInAWorker(8)]) == [7, 8]
    assert pool.restarts == pool.in_process_jobs == 2
    assert run_all(pool, [WhereAmI()]) != [CRAWL_PID]


def test_workers_that_keep_dying_leave_the_work_to_the_crawl_process() -> None:
    pool = WorkerPool(1, max_restarts=2)
    results = run_all(pool, [DiesInAWorker(n) for n in range(6)])
    assert results == list(range(6))
    assert run_all(pool, [WhereAmI()]) == [CRAWL_PID]


def test_closed_pool_leaves_no_worker_running() -> None:
    pool = WorkerPool(2)
    pids = run_all(pool, [WhereAmI() for _ in range(4)])
    for pid in set(pids):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "expected"), [(0, 0), ("3", 3), (2, 2)])
def test_worker_count_setting_takes_a_number(value: object, expected: int) -> None:
    assert configured_workers(value) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_worker_count_defaults_to_one_per_core_but_the_crawls(value: object) -> None:
    assert configured_workers(value) == len(os.sched_getaffinity(0)) - 1


def test_a_framed_job_reads_back_equal() -> None:
    job = parse_job(golden_names()[0])
    assert read_frame(io.BytesIO(frame(job))) == job


def test_a_frame_cut_short_reads_as_the_end_of_the_stream() -> None:
    data = frame(parse_job(golden_names()[0]))
    assert read_frame(io.BytesIO(data[:-1])) is None
    assert read_frame(io.BytesIO(b"")) is None


def test_jobs_and_records_survive_plain_pickling_and_copying() -> None:
    job = parse_job(golden_names()[0])
    record = job.run().record
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        assert pickle.loads(pickle.dumps(job, protocol)) == job
        assert pickle.loads(pickle.dumps(record, protocol)) == record
    assert copy.deepcopy(record) == record and copy.copy(job) == job


def test_spider_and_dedup_share_the_crawls_one_pool() -> None:
    crawler = get_crawler(HealthSpider, {"HEALTHCRAWL_WORKER_PROCESSES": 1})
    spider = HealthSpider.from_crawler(crawler, site="demo", start_url="http://www.healthdemo.test/")
    assert DedupPipeline.from_crawler(crawler).workers is spider.parser is crawl_pool(crawler)
    assert crawl_pool(crawler).workers == 1
    assert crawl_pool(get_crawler(HealthSpider)) is not crawl_pool(crawler)


def test_the_crawl_pool_counts_jobs_a_dying_worker_left_in_the_crawl_stats() -> None:
    crawler = get_crawler(HealthSpider, {"HEALTHCRAWL_WORKER_PROCESSES": 1})
    assert run_all(crawl_pool(crawler), [DiesInAWorker(7)]) == [7]
    assert crawler.stats.get_value("healthcrawl/workers/in_process_jobs") == 1
    assert crawler.stats.get_value("healthcrawl/workers/restarts") == 1


def test_a_crawl_pool_does_not_keep_its_crawler_alive() -> None:
    crawler = get_crawler(HealthSpider)
    crawl_pool(crawler)
    gone = weakref.ref(crawler)
    del crawler
    gc.collect()
    assert gone() is None
