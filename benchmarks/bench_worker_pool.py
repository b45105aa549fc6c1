"""What handing a page to another process costs the crawl's own process.

Run: ``make bench-workers``. Parses demo-site pages (``--pages``, generated on the fly)
three ways from one asyncio loop, 32 jobs in flight, as the spider does: in the crawl's
process, through ``core.worker_pool.WorkerPool`` (one worker), and through
``concurrent.futures.ProcessPoolExecutor`` (one worker). Reports the wall time and the
CPU time of this process (all its threads) per page; the ratios within a run are what to
quote.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.worker_pool import WorkerPool  # noqa: E402
from crawler.demo_site.generator import generate_site  # noqa: E402
from crawler.parse_jobs import ArticlePage, ParseJob  # noqa: E402

Parse = Callable[[ParseJob], Awaitable[ArticlePage]]


def run_job(job: ParseJob) -> ArticlePage:
    return job.run()


async def measure(jobs: list[ParseJob], parse: Parse, in_flight: int = 32) -> tuple[float, float]:
    """(wall ms, this process's CPU ms) per page."""
    await parse(jobs[0])  # start-up and imports are not what is measured
    gate = asyncio.Semaphore(in_flight)

    async def one(job: ParseJob) -> ArticlePage:
        async with gate:
            return await parse(job)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(job) for job in jobs))
    return ((time.perf_counter() - wall) * 1000 / len(jobs), (time.process_time() - cpu) * 1000 / len(jobs))


async def main(jobs: list[ParseJob]) -> None:
    pool = WorkerPool(1)
    executor = ProcessPoolExecutor(1, mp_context=get_context("spawn"))

    async def in_process(job: ParseJob) -> ArticlePage:
        return job.run()

    async def executor_parse(job: ParseJob) -> ArticlePage:
        return await asyncio.wrap_future(executor.submit(run_job, job))

    print(f"\n{len(jobs)} demo pages, one worker, 32 jobs in flight\n")
    print("| parsing | wall ms/page | crawl process CPU ms/page |")
    print("| --- | ---: | ---: |")
    try:
        for name, parse in (("in the crawl's process", in_process),
                            ("WorkerPool (pipes on the event loop)", pool.run),
                            ("ProcessPoolExecutor", executor_parse)):
            wall, cpu = await measure(jobs, parse)
            print(f"| {name} | {wall:.3f} | {cpu:.3f} |")
    finally:
        await pool.close()
        executor.shutdown()


def demo_jobs(pages: int) -> list[ParseJob]:
    site = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    truth = generate_site(site, pages=pages, base_url="http://www.healthdemo.test")
    jobs = []
    for record in truth.iter_records():
        path = site / "www" / record["url"].split("/", 3)[3]
        if path.is_file() and path.suffix == ".html":
            content_type = f"text/html; charset={record.get('encoding', 'utf-8')}"
            jobs.append(ParseJob(path.read_bytes(), record["url"], "demo", content_type, 200,
                                 "2026-01-01T00:00:00+00:00"))
    return jobs


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    asyncio.run(main(demo_jobs(parser.parse_args().pages)))
