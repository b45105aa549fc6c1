"""PostgreSQL load throughput and peak memory: the ``postgresql`` destination (binary COPY
into temporary tables, one merging transaction) beside pandas ``DataFrame.to_sql``.

Run: ``make bench-postgres`` (``.venv/bin/python benchmarks/bench_postgres.py [--records 100000]``)

A PostgreSQL server of the benchmark's own is started on a free loopback port (as the tests
do) and stopped after. Each method runs in its own subprocess, so its peak RSS is its own,
and loads the same synthetic records (``bench_export.synthetic_record``) into a schema of
its own. ``healthcrawl`` is what a run does: the table writer's Parquet working set, then the
destination fed from it a row group at a time; ``pandas to_sql`` holds every row and
inserts each table with SQLAlchemy (``method="multi"``, 1,000 rows a statement, its fastest
documented setting).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from benchmarks.bench_export import records  # noqa: E402
from core.records import SCHEMA_VERSION  # noqa: E402
from pipelines.destinations.base import RunInfo  # noqa: E402
from pipelines.destinations.postgres import PostgresTables  # noqa: E402
from pipelines.tables import SCHEMAS, record_to_rows  # noqa: E402
from pipelines.tableset import TableSet  # noqa: E402
from tests.destinations.postgres_server import start_server  # noqa: E402

METHODS = {
    "healthcrawl": "healthcrawl --to postgresql (Parquet working set, then COPY)",
    "pandas": "pandas DataFrame.to_sql (SQLAlchemy, method=multi)",
}


def load(method: str, count: int, url: str) -> int:
    """Load ``count`` records with ``method``; returns the rows loaded."""
    if method == "healthcrawl":
        with tempfile.TemporaryDirectory() as folder:
            tables = TableSet(Path(folder), ["parquet"])
            tables.open()
            for record in records(count):
                tables.write_record(record)
            tables.close()
            destination = PostgresTables(url, "bench_healthcrawl")
            destination.open(RunInfo("bench", SCHEMA_VERSION))
            for table in SCHEMAS:
                source = pq.ParquetFile(Path(folder) / f"{table}.parquet")
                for index in range(source.num_row_groups):
                    destination.write(table, source.read_row_group(index))
            destination.commit({"run_id": "bench"})
            return sum(tables.row_counts().values())
    from sqlalchemy import create_engine

    rows: dict[str, list[dict[str, object]]] = {name: [] for name in SCHEMAS}
    for record in records(count):
        for name, table_rows in record_to_rows(record).items():
            rows[name].extend(table_rows)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    for name, table_rows in rows.items():
        pd.DataFrame(table_rows, columns=SCHEMAS[name].names).to_sql(
            name, engine, schema="public", if_exists="replace", index=False, method="multi", chunksize=1000)
    return sum(len(table_rows) for table_rows in rows.values())


def child(method: str, count: int, url: str) -> None:
    started = time.perf_counter()
    loaded = load(method, count, url)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "rows": loaded}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--child", choices=METHODS)
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.records, args.url)
        return
    server = start_server()
    try:
        print(f"PostgreSQL load of {args.records:,} synthetic records, one subprocess per method\n")
        print("| method | seconds | records/s | rows/s | peak RSS MB |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for method, label in METHODS.items():
            out = subprocess.run([sys.executable, __file__, "--child", method, "--records", str(args.records),
                                  "--url", server.url(password=True)], check=True, capture_output=True,
                                 text=True).stdout
            result = json.loads(out)
            print(f"| {label} | {result['seconds']:.1f} | {args.records / result['seconds']:,.0f} "
                  f"| {result['rows'] / result['seconds']:,.0f} | {result['peak_mb']:,.0f} |", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
