"""Near-duplicate dedup: cost at 10,000 and 100,000 records, and separation on the demo site.

Run: ``.venv/bin/python benchmarks/bench_dedup.py [--sizes 10000 100000]`` (about 2 minutes
on 2 cores) and ``.venv/bin/python benchmarks/bench_dedup.py --separation`` (about 10 s).

*Cost.* Each size runs in its own subprocess. Records have 250-word bodies drawn from a
5,000-word vocabulary, each with a distinct URL and content hash so every record reaches
the MinHash check; every 20th is a copy of an earlier one with one word changed (all of
them should be dropped as ``near``). Only ``DedupPipeline.check`` (the stage in one
process) is timed (record generation is not); peak RSS is the subprocess's, less that of
a one-record run.

*Separation.* A 2,000-page demo site (seed 3) is generated and parsed; the estimated
Jaccard of each truth near copy with its original is set against the most similar pair of
unrelated articles, over all pairs (an all-pairs check is fine for a benchmark, never for
the stage).

Measured on the 2-core development machine (``make bench-dedup`` runs the cost part)::

    | records | seconds | µs/record | peak RSS MB | growth MB | KB/record | near dropped / planted |
    | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
    | 10,000 | 6.7 | 675 | 131 | 23 | 2.33 | 500 / 500 |
    | 100,000 | 54.7 | 547 | 342 | 234 | 2.40 | 5,000 / 5,000 |

    (peak RSS of a one-record run: 108 MB)

    | pairs | count | estimated Jaccard min / p10 / median / max | exact Jaccard min |
    | --- | ---: | --- | ---: |
    | truth near copies vs original (2-4 words changed) | 40 | 0.906 / 0.937 / 0.969 / 1.000 | 0.903 |
    | unrelated pairs, the closest | 1,998,920 | max 0.492 | 0.356 |
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scrapy.statscollectors import MemoryStatsCollector  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from benchmarks.bench_export import synthetic_record  # noqa: E402
from core.minhash import DEFAULT_THRESHOLD, MinHasher  # noqa: E402
from core.records import (
    ArticleRecord,  # noqa: E402
    body_text,  # noqa: E402
)
from core.text import word_tokens  # noqa: E402
from pipelines.dedup import DedupPipeline, DuplicateDropped  # noqa: E402
from tests.similarity import jaccard, shingles  # noqa: E402

BODY_WORDS = 250
COPY_EVERY = 20


def record(n: int, words: list[str]) -> ArticleRecord:
    """The export benchmark's synthetic record, its body reduced to ``words`` (one summary)."""
    return replace(synthetic_record(n), summary=" ".join(words), sections=[], symptoms=None,
                   prevention=[], word_count=len(words))


def child(size: int) -> None:
    rng = random.Random(size)
    vocabulary = [f"word{i}" for i in range(5000)]
    stats = MemoryStatsCollector(get_crawler())
    stage = DedupPipeline(stats)
    bodies: list[list[str]] = []
    busy = 0.0
    dropped = 0
    for n in range(size):
        if n % COPY_EVERY == COPY_EVERY - 1:
            words = bodies[rng.randrange(len(bodies))].copy()
            words[rng.randrange(BODY_WORDS)] = "changed"
        else:
            words = rng.choices(vocabulary, k=BODY_WORDS)
            if len(bodies) < 1000:
                bodies.append(words)
        item = record(n, words)
        started = time.perf_counter()
        try:
            stage.check(item)
        except DuplicateDropped:
            dropped += 1
        busy += time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": busy, "peak_mb": peak_kb / 1024, "dropped": dropped}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--separation", action="store_true", help="measure on the demo site instead")
    parser.add_argument("--child", type=int, metavar="SIZE")
    args = parser.parse_args()
    if args.child:
        child(args.child)
    elif args.separation:
        separation()
    else:
        cost(args.sizes)


def cost(sizes: list[int]) -> None:
    baseline = _run(1)["peak_mb"]
    print(
        f"MinHash LSH near-duplicate dedup (16 bands x 8 rows), {BODY_WORDS}-word bodies; "
        f"peak RSS of a one-record run: {baseline:.0f} MB\n"
    )
    print("| records | seconds | µs/record | peak RSS MB | growth MB | KB/record | near dropped / planted |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        result = _run(size)
        growth = result["peak_mb"] - baseline
        print(
            f"| {size:,} | {result['seconds']:.1f} | {result['seconds'] / size * 1e6:.0f} | "
            f"{result['peak_mb']:.0f} | {growth:.0f} | {growth * 1024 / size:.2f} | "
            f"{result['dropped']:,} / {size // COPY_EVERY:,} |",
            flush=True,
        )


def _run(size: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(size)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def separation(pages: int = 2000, seed: int = 3) -> None:
    from crawler.demo_site.generator import generate_site
    from crawler.parsing import parse_article

    with tempfile.TemporaryDirectory() as tmp:
        truth = generate_site(Path(tmp), pages=pages, seed=seed, base_url="http://www.healthdemo.test:8000")
        bodies = {
            row["url"]: body_text(
                parse_article(
                    (truth.docroot / urlsplit(row["url"]).path.lstrip("/")).read_bytes(), row["url"]
                )
            )
            for row in truth.iter_records()
        }
        copies = {row["url"]: row for row in truth.iter_duplicates() if row["reason"] in ("exact", "near")}
    urls = list(bodies)
    number = {url: n for n, url in enumerate(urls)}
    hasher = MinHasher()
    signatures = np.stack([hasher.signature(bodies[url]) for url in urls])
    group = np.arange(len(urls))
    for url, row in copies.items():
        group[number[url]] = group[number[row["duplicate_of"]]]
    near = sorted(
        (
            float(np.mean(signatures[number[url]] == signatures[number[row["duplicate_of"]]])),
            jaccard(shingles(word_tokens(bodies[url])), shingles(word_tokens(bodies[row["duplicate_of"]]))),
            row["changed_words"],
        )
        for url, row in copies.items()
        if row["reason"] == "near"
    )
    closest, pair = _closest_unrelated(signatures, group)
    exact_closest = jaccard(*(shingles(word_tokens(bodies[urls[n]])) for n in pair))
    estimates = np.array([estimate for estimate, _, _ in near])
    print(f"demo site: {pages} pages, seed {seed}; threshold {DEFAULT_THRESHOLD} (estimated Jaccard)\n")
    print("| pairs | count | estimated Jaccard min / p10 / median / max | exact Jaccard min |")
    print("| --- | ---: | --- | ---: |")
    print(
        f"| truth near copies vs original ({min(c for _, _, c in near)}-{max(c for _, _, c in near)} "
        f"words changed) | {len(near)} | {estimates.min():.3f} / {np.percentile(estimates, 10):.3f} / "
        f"{np.median(estimates):.3f} / {estimates.max():.3f} | {min(e for _, e, _ in near):.3f} |"
    )
    sizes = np.bincount(group)
    unrelated = len(urls) * (len(urls) - 1) // 2 - int((sizes * (sizes - 1) // 2).sum())
    print(f"| unrelated pairs, the closest | {unrelated:,} | max {closest:.3f} | {exact_closest:.3f} |")


def _closest_unrelated(signatures: np.ndarray, group: np.ndarray) -> tuple[float, tuple[int, int]]:
    """The highest estimated Jaccard between articles of different copy groups, and the pair."""
    best, pair = -1.0, (0, 0)
    for n in range(len(signatures) - 1):
        agreeing = np.mean(signatures[n + 1 :] == signatures[n], axis=1)
        agreeing[group[n + 1 :] == group[n]] = -1.0
        other = int(np.argmax(agreeing))
        if agreeing[other] > best:
            best, pair = float(agreeing[other]), (n, n + 1 + other)
    return best, pair


if __name__ == "__main__":
    main()
