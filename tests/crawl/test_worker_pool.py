"""The worker pool runs jobs in other processes, and loses none when a worker dies."""

from __future__ import annotations

import asyncio
import copy
import gc
import io
import os
import pickle
import signal
import weakref
from dataclasses import replace

import numpy as np
import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from core.child import frame, read_frame
from core.errors import UnusableDocumentError
from core.minhash import MinHasher, SignatureJob
from core.records import body_text
from core.text import count_words
from core.worker_pool import JobFailed, WorkerPool, configured_workers, crawl_pool
from crawler.parse_jobs import LinksJob, ParseJob, prose_words
from crawler.parsing import parse_article
from crawler.spiders.health import HealthSpider
from pipelines.dedup import DedupPipeline
from tests.crawl.faulty_jobs import CRAWL_PID, DiesInAWorker, Sleeps, WhereAmI
from tests.parsing.golden import golden_names, golden_page, parsed


def run_all(pool: WorkerPool, jobs: list[object], return_exceptions: bool = False) -> list[object]:
    async def main() -> list[object]:
        try:
            return list(await asyncio.gather(*(pool.run(job) for job in jobs),  # type: ignore[arg-type]
                                             return_exceptions=return_exceptions))
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


def test_an_article_page_from_a_worker_brings_its_record_pickled_as_it_came() -> None:
    job = parse_job(golden_names()[0])
    [page] = run_all(WorkerPool(1), [job])
    assert page.record == job.run().record  # type: ignore[attr-defined]
    assert pickle.loads(page.record_pickle) == page.record  # type: ignore[attr-defined]
    assert job.run().record_pickle is None  # in the process that parsed it: nothing to keep


def test_listing_links_come_back_absolute_once_each_and_only_http() -> None:
    html = (b'<html><body><a href="/p/1.html?utm_source=x">one</a><a href="mailto:a@b.c">m</a>'
            b'<a href="https://m.keepto.com/p/2.html">two</a><a href="/p/1.html?utm_source=x">1</a>'
            b'</body></html>')
    [links] = run_all(WorkerPool(1), [LinksJob(html, "https://www.keepto.com/list/", "text/html")])
    assert links == ["https://www.keepto.com/p/1.html?utm_source=x", "https://m.keepto.com/p/2.html"]


def test_a_parse_job_asked_for_page_links_gives_the_links_a_links_job_would() -> None:
    """A page the spider follows as a listing and parses as an article (no URL patterns) is
    parsed once: its parse job brings every link a links job would, in the same order."""
    pages = [golden_page(name) for name in golden_names()]
    bodies = [page.html if isinstance(page.html, bytes) else page.html.encode() for page in pages]
    urls = [page.url for page in pages]
    parsed = run_all(WorkerPool(1), [
        ParseJob(body, url, "generic", "text/html", 200, "2024-05-02T10:00:00+00:00", page_links=True)
        for body, url in zip(bodies, urls, strict=True)])
    listed = run_all(WorkerPool(1), [LinksJob(body, url, "text/html")
                                     for body, url in zip(bodies, urls, strict=True)])
    assert [page.page_links for page in parsed] == listed  # type: ignore[attr-defined]
    assert all(listed)


def test_a_parse_job_not_asked_for_page_links_brings_none() -> None:
    [page] = run_all(WorkerPool(0), [parse_job(golden_names()[0])])
    assert page.page_links == []  # type: ignore[attr-defined]


def test_signatures_from_a_worker_equal_the_crawl_process_ones() -> None:
    text = "wash your hands before meals and after the toilet"
    [signature] = run_all(WorkerPool(1), [SignatureJob(text, 128)])
    assert np.array_equal(signature, MinHasher(128).signature(text))  # type: ignore[arg-type]


def test_a_job_error_comes_back_unchanged() -> None:
    job = ParseJob(b"", "https://www.keepto.com/p/1.html", "keepto", "text/html", 200, "t")
    with pytest.raises(UnusableDocumentError):
        run_all(WorkerPool(1), [job])


def test_a_job_that_runs_too_long_fails_alone_and_its_worker_is_replaced() -> None:
    pool = WorkerPool(1, job_timeout=1)
    stuck, *others = run_all(pool, [Sleeps(60), WhereAmI(), WhereAmI()], return_exceptions=True)
    assert isinstance(stuck, JobFailed) and stuck.reason == "timeout"
    assert stuck.url == "http://127.0.0.1/stuck.html"
    assert len(set(others)) == 1 and CRAWL_PID not in others  # one fresh worker ran them
    assert pool.restarts == pool.in_process_jobs == 0


def test_a_timed_out_job_is_counted_and_logged_in_one_line_naming_its_url(
        caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(HealthSpider, {"HEALTHCRAWL_WORKER_PROCESSES": 1,
                                         "HEALTHCRAWL_WORKER_JOB_TIMEOUT": 1})
    run_all(crawl_pool(crawler), [Sleeps(60, "http://127.0.0.1/p/9.html")], return_exceptions=True)
    assert crawler.stats.get_value("healthcrawl/workers/timeout") == 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "core.worker_pool"]
    assert "\n" not in line and line.endswith(": http://127.0.0.1/p/9.html")


def test_a_job_only_waits_for_the_time_of_its_own_run_not_the_queue_before_it() -> None:
    pool = WorkerPool(1, job_timeout=1.5)
    assert all(isinstance(pid, int) for pid in run_all(pool, [Sleeps(0.6) for _ in range(4)]))


def test_a_killed_worker_counts_one_restart_and_loses_none_of_its_many_jobs() -> None:
    pool = WorkerPool(1)

    async def main() -> list[int]:
        try:
            first = await pool.run(WhereAmI())
            jobs = [asyncio.ensure_future(pool.run(Sleeps(0.02))) for _ in range(15)]
            await asyncio.sleep(0.05)
            os.kill(first, signal.SIGKILL)
            return [first, *await asyncio.gather(*jobs)]
        finally:
            await pool.close()

    first, *pids = asyncio.run(main())
    assert len(pids) == 15 and first in pids and pids[-1] not in (first, CRAWL_PID)
    assert pool.restarts == 1 and not pool.disabled
    assert pool.in_process_jobs == 0


def test_a_page_that_kills_two_workers_is_poison_and_the_pool_goes_on() -> None:
    pool = WorkerPool(1)
    poison, after = run_all(pool, [DiesInAWorker(7), WhereAmI()], return_exceptions=True)
    assert isinstance(poison, JobFailed) and poison.reason == "poison"
    assert pool.restarts == 2 and not pool.disabled
    assert after != CRAWL_PID and run_all(pool, [WhereAmI()]) != [CRAWL_PID]


def test_one_death_never_disables_the_pool_even_one_allowed_no_restart() -> None:
    pool = WorkerPool(1, max_restarts=0)

    async def main() -> tuple[int, int]:
        try:
            first = await pool.run(WhereAmI())
            os.kill(first, signal.SIGKILL)
            await pool._pool[0]._reading  # the pool has seen it die
            return first, await pool.run(WhereAmI())
        finally:
            await pool.close()

    first, second = asyncio.run(main())
    assert pool.restarts == 1 and not pool.disabled
    assert second not in (first, CRAWL_PID)


def test_workers_that_keep_dying_leave_the_work_to_the_crawl_process() -> None:
    pool = WorkerPool(1, max_restarts=2)
    poison, _, *results = run_all(pool, [DiesInAWorker(n) for n in range(6)], return_exceptions=True)
    assert isinstance(poison, JobFailed) and poison.reason == "poison"
    assert results == list(range(2, 6))
    assert pool.disabled and pool.restarts == 3
    assert run_all(pool, [WhereAmI()]) == [CRAWL_PID]
    assert pool.in_process_jobs == 5  # four queued jobs, then this one


def test_a_page_running_when_the_pool_gives_up_is_never_parsed_in_the_crawl_process() -> None:
    pool = WorkerPool(1, max_restarts=2)
    _, running, *_ = run_all(pool, [DiesInAWorker(n) for n in range(6)], return_exceptions=True)
    assert isinstance(running, JobFailed) and running.reason == "poison"


def test_deaths_spread_over_more_than_the_window_keep_the_pool() -> None:
    pool = WorkerPool(1, max_restarts=1, restart_window=0.01)
    for answer in range(3):
        run_all(pool, [DiesInAWorker(answer)], return_exceptions=True)
    assert pool.restarts == 6 and not pool.disabled


def test_closed_pool_leaves_no_worker_running() -> None:
    pool = WorkerPool(2)
    pids = run_all(pool, [WhereAmI() for _ in range(4)])
    for pid in set(pids):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # type: ignore[arg-type]


def test_a_pool_started_soon_has_its_workers_up_before_the_first_job_and_runs_jobs_on_them() -> None:
    async def main() -> tuple[list[int], list[object]]:
        pool = WorkerPool(2)
        pool.start_soon()
        try:
            for _ in range(400):
                if len(pool._pool) == 2:
                    break
                await asyncio.sleep(0.05)
            started = [worker.process.pid for worker in pool._pool]
            return started, list(await asyncio.gather(*(pool.run(WhereAmI()) for _ in range(6))))
        finally:
            await pool.close()

    started, ran = asyncio.run(main())
    assert len(started) == 2 and set(ran) <= set(started)


def test_a_crawl_pool_starts_its_workers_when_the_spider_opens() -> None:
    crawler = get_crawler(HealthSpider, {"HEALTHCRAWL_WORKER_PROCESSES": 1})
    pool = crawl_pool(crawler)

    async def main() -> int:
        assert pool._warming is None
        crawler.signals.send_catch_log(signals.spider_opened, spider=None)
        try:
            await asyncio.wait_for(asyncio.shield(pool._warming), 60)  # type: ignore[arg-type]
            return len(pool._pool)
        finally:
            await pool.close()

    assert asyncio.run(main()) == 1


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


def test_the_crawl_pool_counts_a_dying_worker_once_in_the_crawl_stats() -> None:
    crawler = get_crawler(HealthSpider, {"HEALTHCRAWL_WORKER_PROCESSES": 1})
    run_all(crawl_pool(crawler), [DiesInAWorker(7)], return_exceptions=True)
    assert crawler.stats.get_value("healthcrawl/workers/restarts") == 2
    assert crawler.stats.get_value("healthcrawl/workers/poison") == 1
    assert crawler.stats.get_value("healthcrawl/workers/in_process_jobs") is None


def test_a_crawl_pool_does_not_keep_its_crawler_alive() -> None:
    crawler = get_crawler(HealthSpider)
    crawl_pool(crawler)
    gone = weakref.ref(crawler)
    del crawler
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("name", golden_names())
def test_prose_words_are_the_words_of_the_summary_and_section_texts(name: str) -> None:
    record = parsed(name)
    running_text = " ".join([record.summary or "", *(section.text for section in record.sections)])
    assert prose_words(record) == count_words(running_text)
