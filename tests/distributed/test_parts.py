"""A worker's parts: whole or absent, at most the part size, and a part that cannot be
written stops the worker instead of losing what it held."""

from __future__ import annotations

import pickle
import struct
from pathlib import Path

import numpy as np
import pyarrow as pa
from scrapy.utils.test import get_crawler

from core.minhash import MinHasher
from core.records import SCHEMA_VERSION, SignedRecord, body_text
from pipelines.parts import PART_FILE, PartsPipeline, read_part
from pipelines.table_writer import WriteRecord
from tests.pipelines.test_dedup import BASE_WORDS, body_record


def stage(folder: Path, part_articles: int = 2) -> PartsPipeline:
    stats = get_crawler().stats
    assert stats is not None
    return PartsPipeline(stats, folder, "host-1", part_articles)


def test_a_part_is_written_once_it_holds_the_part_size_and_appears_whole(tmp_path: Path) -> None:
    parts = stage(tmp_path)
    parts.process_item(body_record(1, BASE_WORDS))
    assert list(tmp_path.iterdir()) == []
    parts.process_item(body_record(2, BASE_WORDS))
    assert [path.name for path in tmp_path.iterdir()] == ["host-1-00000"]
    messages = read_part(tmp_path / "host-1-00000")
    assert [m.record.article_key for m in messages if isinstance(m, WriteRecord)] == ["demo:1", "demo:2"]


def test_the_last_part_is_written_at_the_end_of_the_crawl(tmp_path: Path) -> None:
    parts = stage(tmp_path)
    parts.process_item(body_record(1, BASE_WORDS))
    parts.close_spider()
    assert len(read_part(tmp_path / "host-1-00000")) == 1


def test_a_part_that_cannot_be_written_stops_the_worker_without_raising(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    parts = stage(not_a_folder)
    stopped: list[bool] = []
    parts.on_failed.append(lambda: stopped.append(True))
    parts.process_item(body_record(1, BASE_WORDS))
    parts.process_item(body_record(2, BASE_WORDS))
    assert stopped == [True]
    assert parts.failed


def test_a_part_from_before_minhash_schemes_were_recorded_is_published_with_signatures_of_this_scheme(
        tmp_path: Path) -> None:
    record = body_record(1, BASE_WORDS)
    folder = tmp_path / "host-1-00000"
    folder.mkdir()
    old_signature = bytes(range(256)) * 2  # 128 slots of the scheme before
    data = pickle.dumps((SCHEMA_VERSION, [WriteRecord(record, old_signature)]))  # no scheme recorded
    packed = pa.compress(data, codec="lz4", asbytes=True)
    (folder / PART_FILE).write_bytes(struct.pack("<Q", len(data)) + packed)
    [message] = read_part(folder)
    assert isinstance(message, WriteRecord)
    assert message.signature == MinHasher(128).signature(body_text(record)).tobytes()


def test_a_part_of_this_scheme_keeps_its_signatures(tmp_path: Path) -> None:
    parts = stage(tmp_path, part_articles=1)
    parts.process_item(SignedRecord.of(body_record(1, BASE_WORDS), np.arange(128, dtype=np.uint32), None))
    [message] = read_part(tmp_path / "host-1-00000")
    assert isinstance(message, WriteRecord)
    assert message.signature == np.arange(128, dtype=np.uint32).tobytes()
