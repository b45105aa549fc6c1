"""Export throughput and peak memory: streaming writers versus pandas all at once.

Run: ``.venv/bin/python benchmarks/bench_export.py [--records 100000]``

Each method runs in its own subprocess so its peak RSS is its own. Records are generated
on the fly (a stream, like a crawl); ``generate only`` is the cost of making them, to be
subtracted mentally from the others. ``pandas to_parquet`` builds the same six tables
with ``record_to_rows`` but holds every row, then writes each table at once.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from core.records import ArticleRecord, Link, Recommendation, Section  # noqa: E402
from pipelines.tables import SCHEMAS, record_to_rows  # noqa: E402
from pipelines.tableset import TableSet  # noqa: E402

METHODS = {
    "generate": "generate only (baseline)",
    "csv": "TableSet csv (streaming)",
    "parquet": "TableSet parquet, 10k-row groups",
    "csv+parquet+jsonl": "TableSet csv+parquet+jsonl",
    "pandas": "pandas DataFrame.to_parquet, all at once",
}
WORDS = [
    "sleep",
    "fever",
    "cough",
    "rest",
    "water",
    "doctor",
    "pain",
    "muscle",
    "nerve",
    "diet",
    "exercise",
    "heart",
]


SENTENCES = [
    " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(4 + n % 17)) + "." for n in range(1000)
]


def sentence(n: int, length: int) -> str:
    """A sentence chosen by ``n`` (``length`` picks among precomputed ones, kept cheap)."""
    return SENTENCES[(n * 31 + length) % len(SENTENCES)]


def synthetic_record(n: int) -> ArticleRecord:
    """A record of realistic shape (~300 words, 3 sections, 8 recommendations)."""
    sections = [
        Section(
            position=p,
            number=str(p + 1),
            heading=f"Heading {p}",
            kind="other",
            text=" ".join(sentence(n + p + k, 20) for k in range(4)),
            items=[sentence(n + k, 8) for k in range(3)],
        )
        for p in range(3)
    ]
    return ArticleRecord(
        article_key=f"bench:{n}",
        site="bench",
        url=f"https://bench.test/p/{n}.html",
        canonical_url=f"https://bench.test/p/{n}.html",
        article_id=str(n),
        title=f"Title {n}",
        summary=" ".join(sentence(n + k, 20) for k in range(3)),
        sections=sections,
        symptoms=sections[0].text,
        prevention=sections[1].items,
        recommendations=[
            Recommendation(
                title=f"R {n + k}",
                url=f"https://bench.test/p/{n + k}.html",
                snippet=sentence(k, 9),
                truncated=k % 2 == 0,
            )
            for k in range(8)
        ],
        prev_article=Link(title="prev", url=f"https://bench.test/p/{n - 1}.html"),
        next_article=Link(title="next", url=f"https://bench.test/p/{n + 1}.html"),
        breadcrumbs=["Home", "Health"],
        published_at="2024-05-01",
        language="en",
        word_count=300,
        content_hash=f"{n:064x}",
        fetched_at="2024-05-02T10:00:00+00:00",
        http_status=200,
        parse_warnings=["no_symptoms_section"] if n % 5 == 0 else [],
    )


def records(count: int) -> Iterator[ArticleRecord]:
    return (synthetic_record(n) for n in range(count))


def run_method(method: str, count: int, folder: Path) -> None:
    if method == "generate":
        for _ in records(count):
            pass
    elif method == "pandas":
        tables: dict[str, list[dict[str, object]]] = {name: [] for name in SCHEMAS}
        for record in records(count):
            for name, rows in record_to_rows(record).items():
                tables[name].extend(rows)
        for name, rows in tables.items():
            pd.DataFrame(rows, columns=SCHEMAS[name].names).to_parquet(folder / f"{name}.parquet")
    else:
        table_set = TableSet(folder, method.split("+"))
        table_set.open()
        for record in records(count):
            table_set.write_record(record)
        table_set.close()


def child(method: str, count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run_method(method, count, Path(folder))
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--child", choices=METHODS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.records)
        return
    print(f"export of {args.records:,} synthetic records, one subprocess per method\n")
    print("| method | seconds | records/s | peak RSS MB | output MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for method, label in METHODS.items():
        out = subprocess.run(
            [sys.executable, __file__, "--child", method, "--records", str(args.records)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out)
        rate = args.records / result["seconds"]
        print(
            f"| {label} | {result['seconds']:.1f} | {rate:,.0f} | {result['peak_mb']:,.0f} "
            f"| {result['bytes'] / 1e6:,.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
