"""Rows in a stable order: every table by its key (``tables.ROW_ORDER``: ``article_key``,
then position), so two runs over the same site write the same files, row for row.

Rows arrive in crawl order, which differs from run to run. Sorting a table needs all of
it, but not in memory: the rows spill to an uncompressed Arrow IPC file that is then
memory-mapped (its pages are the file's, which the kernel can drop and read again), and
only the key columns and the permutation are held while the rows are taken in order, a
chunk at a time.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc

CHUNK_ROWS = 8_192
"""Rows taken in order at a time, unless told otherwise: the rows held in memory while the
sorted file is written."""


def in_order(batches: Iterable[pa.RecordBatch | pa.Table], schema: pa.Schema, keys: tuple[str, ...],
             spill_dir: Path, chunk_rows: int = CHUNK_ROWS) -> Iterator[pa.Table]:
    """The rows of ``batches`` sorted by ``keys`` (ascending; a stable sort, so rows equal
    in their keys keep their order), in chunks of ``chunk_rows``."""
    spill = spill_dir / f".order-{uuid.uuid4().hex}.arrow"
    try:
        with pa.OSFile(str(spill), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            for batch in batches:
                writer.write(batch)
        with pa.memory_map(str(spill)) as source:
            rows = pa.ipc.open_file(source).read_all()
            order = pc.sort_indices(rows.select(list(keys)), sort_keys=[(key, "ascending") for key in keys])
            for start in range(0, len(order), chunk_rows):
                yield rows.take(order[start:start + chunk_rows])
    finally:
        spill.unlink(missing_ok=True)


def lines_in_order(lines: Iterable[bytes], target: IO[bytes], spill_dir: Path,
                   key: str = "article_key") -> None:
    """Write JSON ``lines`` to ``target`` sorted by each record's ``key`` (stable): the
    lines spill to a file, and only each one's key, offset and length are held."""
    spill = spill_dir / f".order-{uuid.uuid4().hex}.jsonl"
    read_key = json_key(key)
    try:
        places: list[tuple[str, int, int]] = []
        with spill.open("wb") as sink:
            offset = 0
            for line in lines:
                places.append((read_key(line), offset, len(line)))
                sink.write(line)
                offset += len(line)
        places.sort(key=lambda place: place[0])
        with spill.open("rb") as source:
            for _, start, length in places:
                source.seek(start)
                target.write(source.read(length))
    finally:
        spill.unlink(missing_ok=True)


def json_key(key: str) -> Callable[[bytes], str]:
    """A reader of one JSON line's ``key``: from the start of the line where the record
    leads with it (as the writer writes records), without parsing a whole article."""
    leading = re.compile(rb'\{"' + re.escape(key.encode()) + rb'": ("(?:[^"\\]|\\.)*")')

    def read(line: bytes) -> str:
        found = leading.match(line)
        return str(json.loads(found.group(1)) if found else json.loads(line)[key])

    return read
