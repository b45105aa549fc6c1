"""What handing a page to another process costs the crawl's own process.

Run: ``make bench-workers``. Parses demo-site pages (``--pages``, generated on the fly)
four ways from one asyncio loop, 32 jobs in flight, as the spider does: in the crawl's
process, through ``core.worker_pool.WorkerPool`` (one worker: ``core.child`` frames over
pipes read by the event loop), through ``multiprocessing.connection`` (one worker, the
standard library's pickle framing: ``Connection.send`` and ``recv`` when the loop sees the
pipe readable), and through ``concurrent.futures.ProcessPoolExecutor`` (one worker), taking
turns over ``--rounds``. Reports the median wall time and CPU time of this process (all
its threads) per page; the ratios within a run are what to quote.
"""

from __future__ import annotations

import argparse
import asyncio
import queue
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.worker_pool import WorkerPool  # noqa: E402
from crawler.demo_site.generator import generate_site  # noqa: E402
from crawler.parse_jobs import ArticlePage, ParseJob  # noqa: E402

Parse = Callable[[ParseJob], Awaitable[ArticlePage]]
POOL = "WorkerPool (core.child frames on the event loop)"


def run_job(job: ParseJob) -> ArticlePage:
    return job.run()


def serve_connection(conn: Connection) -> None:
    """A worker speaking ``multiprocessing.connection``: a reply ``(ok, value)`` a job.

    Like ``core.child``, a thread receives jobs ahead: without it both ends block in
    ``send`` once the socket's buffer is full (the parent cannot read replies while its
    event loop is stuck sending, the worker cannot take jobs while stuck replying)."""
    inbox: queue.Queue[Any] = queue.Queue()

    def receive() -> None:
        while True:
            try:
                inbox.put(conn.recv())
            except EOFError:
                inbox.put(None)
                return

    threading.Thread(target=receive, daemon=True).start()
    while (job := inbox.get()) is not None:
        try:
            reply: tuple[bool, Any] = (True, job.run())
        except Exception as error:
            reply = (False, error)
        conn.send(reply)


class ConnectionWorker:
    """One ``multiprocessing.connection`` worker, driven from the asyncio loop the way
    ``WorkerPool`` drives its pipes: send, then resolve futures in order as replies come."""

    def __init__(self) -> None:
        context = get_context("spawn")
        self.conn, child_end = context.Pipe()
        self.process = context.Process(target=serve_connection, args=(child_end,), daemon=True)
        self.process.start()
        child_end.close()
        self.pending: list[asyncio.Future[Any]] = []
        asyncio.get_running_loop().add_reader(self.conn.fileno(), self._replies)

    def _replies(self) -> None:
        while self.conn.poll():
            ok, value = self.conn.recv()
            future = self.pending.pop(0)
            (future.set_result if ok else future.set_exception)(value)

    async def run(self, job: ParseJob) -> ArticlePage:
        future: asyncio.Future[ArticlePage] = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        self.conn.send(job)
        return await future

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.conn.fileno())
        self.conn.close()
        self.process.join()


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


async def main(jobs: list[ParseJob], rounds: int) -> None:
    pool = WorkerPool(1)
    connection = ConnectionWorker()
    executor = ProcessPoolExecutor(1, mp_context=get_context("spawn"))

    async def in_process(job: ParseJob) -> ArticlePage:
        return job.run()

    async def executor_parse(job: ParseJob) -> ArticlePage:
        return await asyncio.wrap_future(executor.submit(run_job, job))

    ways: dict[str, Parse] = {
        "in the crawl's process": in_process,
        POOL: pool.run,
        "multiprocessing.connection (send/recv on the event loop)": connection.run,
        "ProcessPoolExecutor": executor_parse,
    }
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    try:
        for _ in range(rounds):  # the ways take turns: the machine drifts within minutes
            for name, parse in ways.items():
                figures[name].append(await measure(jobs, parse))
    finally:
        await pool.close()
        connection.close()
        executor.shutdown()
    print(f"\n{len(jobs)} demo pages, one worker, 32 jobs in flight, median of {rounds} rounds\n")
    print("| parsing | wall ms/page | crawl process CPU ms/page | CPU / WorkerPool's |")
    print("| --- | ---: | ---: | ---: |")
    pool_cpu = statistics.median(cpu for _, cpu in figures[POOL])
    for name, runs in figures.items():
        wall, cpu = (statistics.median(values) for values in zip(*runs, strict=True))
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {cpu / pool_cpu:.2f}x |")


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
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(demo_jobs(arguments.pages), arguments.rounds))
