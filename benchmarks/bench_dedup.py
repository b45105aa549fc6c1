"""Near-duplicate dedup cost at 10,000 and 100,000 records: time and memory grow linearly.

Run: ``.venv/bin/python benchmarks/bench_dedup.py [--sizes 10000 100000]``

Each (size, index layout) runs in its own subprocess. Records have 250-word bodies drawn
from a 5,000-word vocabulary, each with a distinct URL and content hash so every record
reaches the SimHash check; every 20th is a copy of an earlier one with one word changed.
Only ``DedupPipeline.process_item`` is timed (record generation is not).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapy.statscollectors import MemoryStatsCollector  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from crawler.records import ArticleRecord  # noqa: E402
from pipelines.dedup import DedupPipeline, DuplicateDropped  # noqa: E402
from pipelines.dedup_store import MemoryDedupStore  # noqa: E402

LAYOUTS = {"k=3, 4 blocks (default)": (3, 4), "k=6, 8 blocks": (6, 8)}
BODY_WORDS = 250


def record(n: int, words: list[str]) -> ArticleRecord:
    return ArticleRecord(
        article_key=f"bench:{n}",
        site="bench",
        url=f"https://bench.test/p/{n}.html",
        canonical_url=f"https://bench.test/p/{n}.html",
        article_id=str(n),
        title=f"Title {n}",
        summary=" ".join(words),
        sections=[],
        symptoms=None,
        prevention=[],
        recommendations=[],
        prev_article=None,
        next_article=None,
        breadcrumbs=[],
        published_at=None,
        language="en",
        word_count=len(words),
        content_hash=f"{n:064x}",
        fetched_at="2024-05-02T10:00:00+00:00",
        http_status=200,
    )


def child(size: int, max_hamming: int, blocks: int) -> None:
    rng = random.Random(size)
    vocabulary = [f"word{i}" for i in range(5000)]
    stats = MemoryStatsCollector(get_crawler())
    stage = DedupPipeline(stats, store=MemoryDedupStore(max_hamming, blocks))  # type: ignore[arg-type]
    bodies: list[list[str]] = []
    busy = 0.0
    dropped = 0
    for n in range(size):
        if n % 20 == 19:
            words = bodies[rng.randrange(len(bodies))].copy()
            words[rng.randrange(BODY_WORDS)] = "changed"
        else:
            words = rng.choices(vocabulary, k=BODY_WORDS)
            if len(bodies) < 1000:
                bodies.append(words)
        item = record(n, words)
        started = time.perf_counter()
        try:
            stage.process_item(item)
        except DuplicateDropped:
            dropped += 1
        busy += time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": busy, "peak_mb": peak_kb / 1024, "dropped": dropped}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", type=int, nargs=3, metavar=("SIZE", "K", "BLOCKS"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    baseline = _run(1, 3, 4)["peak_mb"]
    print(f"near-duplicate dedup, {BODY_WORDS}-word bodies; peak RSS of an empty run: {baseline:.0f} MB\n")
    print("| index | records | seconds | µs/record | peak RSS MB | growth MB | near dropped |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, (k, blocks) in LAYOUTS.items():
        for size in args.sizes:
            result = _run(size, k, blocks)
            print(
                f"| {label} | {size:,} | {result['seconds']:.1f} | "
                f"{result['seconds'] / size * 1e6:.0f} | {result['peak_mb']:.0f} | "
                f"{result['peak_mb'] - baseline:.0f} | {result['dropped']:,} |",
                flush=True,
            )


def _run(size: int, k: int, blocks: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(size), str(k), str(blocks)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


if __name__ == "__main__":
    main()
