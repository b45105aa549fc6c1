"""A worker's parts: whole or absent, at most the part size, and a part that cannot be
written stops the worker instead of losing what it held."""

from __future__ import annotations

from pathlib import Path

from scrapy.utils.test import get_crawler

from pipelines.parts import PartsPipeline, read_part
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
