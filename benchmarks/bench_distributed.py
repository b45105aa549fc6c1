"""Distributed crawl speed: 1 and 2 ``healthcrawl crawl --redis`` workers sharing one Redis
server, against the demo site served by nginx, in one run; with CPU per process and the
per-page cost each worker adds to Redis (round trips and bytes), from which the figures for
N machines are projected.

Run: ``make bench-distributed`` (installs nginx and redis-server with apt-get if missing,
starts both on free loopback ports, stops them after). Each worker is its own process;
its CPU seconds come from ``wait4``, Redis's and nginx's from ``/proc/<pid>/stat``. Round
trips are counted in each worker (``benchmarks.redis_round_trips``), bytes on the server
(``INFO stats``: ``total_net_input_bytes`` and ``total_net_output_bytes``). The worker
counts take turns, round after round (``--rounds``), as in ``bench_crawl.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_crawl import free_port, nginx, precompress  # noqa: E402
from core.profiles.demo import DEMO_HOST, DEMO_MOBILE_HOST  # noqa: E402
from crawler import settings as project_settings  # noqa: E402
from crawler.demo_site.generator import generate_site  # noqa: E402
from tests.distributed.redis_server import RedisServer, start_server  # noqa: E402

WORK = ROOT / "benchmarks" / ".work-distributed"
PYTHON = sys.executable
IDLE_SECONDS = 1.0
ROUND_TRIPS_EXTENSION = "benchmarks.redis_round_trips.RedisRoundTrips"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Worker:
    seconds: float
    cpu: float
    responses: int
    round_trips: int


@dataclass
class Round:
    workers: int
    seconds: float
    """From the first worker's start to the last one's end, less the idle wait."""
    per_worker: list[Worker]
    redis_cpu: float
    nginx_cpu: float
    redis_bytes_in: int
    redis_bytes_out: int
    redis_commands: int
    articles: int
    publish_seconds: float
    redis_memory: int
    """Bytes Redis used for the run once the workers stopped (before ``publish`` deletes it)."""

    @property
    def responses(self) -> int:
        return sum(w.responses for w in self.per_worker)

    @property
    def pages_per_s(self) -> float:
        return self.responses / self.seconds


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def redis_info(server: RedisServer) -> dict[str, int]:
    info = server.client().info("stats")
    return {key: int(info[key]) for key in ("total_net_input_bytes", "total_net_output_bytes",
                                            "total_commands_processed")}


def crawl(count: int, base: str, server: RedisServer, nginx_pids: list[int], out: Path) -> Round:
    """``count`` workers crawl the site from one seed; then ``publish``."""
    server.client().flushall()
    shutil.rmtree(out, ignore_errors=True)
    url = server.url()
    subprocess.run([PYTHON, "-m", "crawler", "seed", "--redis", url, base + "/"], cwd=ROOT, check=True,
                   capture_output=True)
    before, redis_before = redis_info(server), process_cpu(server.process.pid)
    memory_before = int(server.client().info("memory")["used_memory"])
    nginx_before = sum(map(process_cpu, nginx_pids))
    extensions = json.dumps({**project_settings.EXTENSIONS, ROUND_TRIPS_EXTENSION: -1,
                             "benchmarks.stats_file.StatsFile": 0})
    started = time.monotonic()
    processes = []
    for number in range(count):
        stats_file = WORK / f"stats-{number}.json"
        stats_file.unlink(missing_ok=True)
        command = [PYTHON, "-m", "crawler", "crawl", "--redis", url, "--redis-idle", str(IDLE_SECONDS),
                   "--site", "demo", "--start-url", base + "/",
                   "--host-map", f"{DEMO_HOST}=127.0.0.1", "--host-map", f"{DEMO_MOBILE_HOST}=127.0.0.1",
                   "--out", str(out), "--log-level", "WARNING",
                   "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0",
                   "-s", "CONCURRENT_REQUESTS=64", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=64",
                   "-s", "HEALTHCRAWL_WORKER_PROCESSES=0",
                   "-s", f"EXTENSIONS={extensions}", "-s", f"STATS_FILE={stats_file}"]
        processes.append((subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.PIPE), stats_file, time.monotonic()))
    workers = []
    for process, stats_file, began in processes:
        assert process.stderr is not None
        stderr = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        if status != 0:
            raise SystemExit(f"a worker failed:\n{stderr.decode()[-3000:]}")
        stats = json.loads(stats_file.read_text())
        workers.append(Worker(time.monotonic() - began, usage.ru_utime + usage.ru_stime,
                              int(stats.get("downloader/response_count", 0)),
                              int(stats.get("bench/redis_round_trips", 0))))
    seconds = time.monotonic() - started - IDLE_SECONDS
    after = redis_info(server)
    memory = int(server.client().info("memory")["used_memory"]) - memory_before
    redis_cpu = process_cpu(server.process.pid) - redis_before
    nginx_cpu = sum(map(process_cpu, nginx_pids)) - nginx_before
    publish_started = time.monotonic()
    subprocess.run([PYTHON, "-m", "crawler", "publish", "--redis", url, "--out", str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    publish_seconds = time.monotonic() - publish_started
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    return Round(count, seconds, workers, redis_cpu, nginx_cpu,
                 after["total_net_input_bytes"] - before["total_net_input_bytes"],
                 after["total_net_output_bytes"] - before["total_net_output_bytes"],
                 after["total_commands_processed"] - before["total_commands_processed"],
                 int(manifest["row_counts"]["articles"]), publish_seconds, memory)


def listening_pids(port: int) -> list[int]:
    """The processes listening on ``port`` (nginx's master and its worker), found through
    ``ss``: another nginx on the machine is not counted."""
    found = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True)
    return sorted({int(pid) for pid in re.findall(r"pid=(\d+)", found.stdout)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = WORK / "site"
    base = f"http://{DEMO_HOST}:{port}"
    print(f"generating {args.pages} articles ...", flush=True)
    generate_site(site, pages=args.pages, base_url=base)
    precompress(site / "www")
    server = start_server()
    rounds: list[Round] = []
    try:
        with nginx(site, port):
            time.sleep(0.5)
            serving = listening_pids(port)
            for number in range(args.rounds):
                for count in (1, 2):
                    print(f"round {number + 1} of {args.rounds}: {count} worker(s) ...", flush=True)
                    rounds.append(crawl(count, base, server, serving, WORK / "exports"))
    finally:
        server.stop()
    report(rounds, args.pages)


def report(rounds: list[Round], pages: int) -> None:
    print(f"\ndemo site, {pages} articles, nginx and redis-server on loopback, each worker one process "
          f"(HEALTHCRAWL_WORKER_PROCESSES=0), {len(rounds) // 2} rounds taking turns; each row: the "
          "round with the median pages/s\n")
    print("| workers | responses | articles | seconds | pages/s (all rounds) | CPU s per worker "
          "| worker CPU ms/page | redis-server CPU ms/page | nginx CPU ms/page | publish s |")
    print("| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for count in (1, 2):
        column = [r for r in rounds if r.workers == count]
        run = sorted(column, key=lambda r: r.pages_per_s)[len(column) // 2]
        every = ", ".join(f"{r.pages_per_s:,.0f}" for r in column)
        worker_cpu = sum(w.cpu for w in run.per_worker)
        print(f"| {count} | {run.responses:,} | {run.articles:,} | {run.seconds:.1f} | "
              f"{run.pages_per_s:,.0f} ({every}) | {', '.join(f'{w.cpu:.1f}' for w in run.per_worker)} | "
              f"{worker_cpu / run.responses * 1000:.2f} | {run.redis_cpu / run.responses * 1000:.3f} | "
              f"{run.nginx_cpu / run.responses * 1000:.3f} | {run.publish_seconds:.1f} |")
    print("\nper page, each worker's cost to Redis (median of all rounds):\n")
    print("| workers | round trips/page | commands/page | bytes to Redis/page | bytes from Redis/page "
          "| Redis memory at the end, bytes/page | shares of pages by worker |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for count in (1, 2):
        column = [r for r in rounds if r.workers == count]
        trips = statistics.median(sum(w.round_trips for w in r.per_worker) / r.responses for r in column)
        commands = statistics.median(r.redis_commands / r.responses for r in column)
        sent = statistics.median(r.redis_bytes_in / r.responses for r in column)
        received = statistics.median(r.redis_bytes_out / r.responses for r in column)
        shares = ", ".join("/".join(f"{w.responses / r.responses:.0%}" for w in r.per_worker) for r in column)
        memory = statistics.median(r.redis_memory / r.responses for r in column)
        print(f"| {count} | {trips:.1f} | {commands:.1f} | {sent:,.0f} | {received:,.0f} | {memory:,.0f} "
              f"| {shares} |")
    two = [r for r in rounds if r.workers == 2]
    one = [r for r in rounds if r.workers == 1]
    ratio = statistics.median(b.pages_per_s / a.pages_per_s for a, b in zip(one, two, strict=True))
    print(f"\n2 workers / 1 worker: median {ratio:.2f}x pages/s")
    redis_ms = statistics.median(r.redis_cpu / r.responses * 1000 for r in rounds)
    if redis_ms > 0:
        print(f"redis-server CPU a page: {redis_ms:.3f} ms -> one Redis core serves about "
              f"{1000 / redis_ms:,.0f} pages/s")


if __name__ == "__main__":
    main()
