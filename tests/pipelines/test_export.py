"""The export stage: tables published atomically, read back with pandas and DuckDB."""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from core.records import ArticleRecord, SignedRecord
from crawler.run import project_settings
from pipelines.dedup import DuplicateDropped
from pipelines.export import ExportPipeline, own_components_only
from pipelines.lock import LOCK_FILE
from pipelines.publish import PublishError
from pipelines.signals import article_superseded
from pipelines.tables import SCHEMAS, DuplicateRow
from tests.pipelines.conftest import build_record

TABLES = list(SCHEMAS)
DUPLICATE = DuplicateRow(
    article_key="demo:2",
    url="https://demo.test/p/2.html?x=1",
    canonical_url="https://demo.test/p/2.html",
    duplicate_of="demo:1",
    reason="near",
    similarity=0.96875,
)

CrawlerFactory = Callable[..., Crawler]


def start(crawler_factory: CrawlerFactory, out: Path, **settings: Any) -> tuple[Crawler, ExportPipeline]:
    settings.setdefault("HEALTHCRAWL_EXPORT_FORMATS", ["csv", "parquet", "jsonl"])
    crawler = crawler_factory(HEALTHCRAWL_EXPORT_DIR=str(out), **settings)
    pipeline = ExportPipeline.from_crawler(crawler)
    pipeline.open_spider()
    return crawler, pipeline


def close(crawler: Crawler, pipeline: ExportPipeline, reason: str = "finished") -> None:
    pipeline.close_spider()
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=None, reason=reason)


def run(
    crawler_factory: CrawlerFactory,
    out: Path,
    records: Iterable[ArticleRecord],
    duplicates: Iterable[DuplicateRow] = (),
    reason: str = "finished",
    **settings: Any,
) -> ExportPipeline:
    crawler, pipeline = start(crawler_factory, out, **settings)
    for record in records:
        pipeline.process_item(record)
    for row in duplicates:
        crawler.signals.send_catch_log(
            signal=signals.item_dropped,
            item=None,
            response=None,
            spider=None,
            exception=DuplicateDropped(row),
        )
    close(crawler, pipeline, reason)
    return pipeline


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (symlinks followed), by relative path; the run
    lock's file, which only names the last holder, is no publication."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != LOCK_FILE
        and path.relative_to(folder).parts[0] not in (".state", "records")  # memory, not publication
    }


def test_finished_run_publishes_every_table_in_every_format(
    crawler_factory: CrawlerFactory, tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    run(crawler_factory, tmp_path, golden, [DUPLICATE])
    latest = tmp_path / "latest"
    assert latest.is_symlink()
    names = {p.name for p in latest.iterdir()}
    expected = {f"{t}.{fmt}" for t in TABLES for fmt in ("csv", "parquet")}
    assert names == expected | {"articles.jsonl", "manifest.json", "dictionary.json", "changes"}


def test_csv_and_parquet_tables_have_the_same_columns_and_rows(
    crawler_factory: CrawlerFactory, tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    run(crawler_factory, tmp_path, golden, [DUPLICATE])
    for table in TABLES:
        from_parquet = pd.read_parquet(tmp_path / "latest" / f"{table}.parquet")
        from_csv = pd.read_csv(tmp_path / "latest" / f"{table}.csv")
        assert list(from_parquet.columns) == list(from_csv.columns) == SCHEMAS[table].names
        assert len(from_parquet) == len(from_csv)


def test_tables_join_on_article_key_in_duckdb(
    crawler_factory: CrawlerFactory, tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    run(crawler_factory, tmp_path, golden)
    latest = tmp_path / "latest"
    rows = duckdb.sql(
        f"select a.article_key, a.section_count, count(s.position) "
        f"from '{latest}/articles.parquet' a left join '{latest}/sections.csv' s using (article_key) "
        f"group by all"
    ).fetchall()
    assert len(rows) == len(golden)
    assert all(count == sections for _, sections, count in rows)


def test_duplicates_dropped_by_dedup_reach_the_duplicates_table(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    run(crawler_factory, tmp_path, [build_record(n=1)], [DUPLICATE])
    frame = pd.read_parquet(tmp_path / "latest" / "duplicates.parquet")
    assert frame.to_dict("records") == [DUPLICATE.to_row()]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_superseded_article_leaves_every_table_before_publishing(
    crawler_factory: CrawlerFactory, tmp_path: Path, golden: list[ArticleRecord], fmt: str
) -> None:
    crawler, pipeline = start(crawler_factory, tmp_path)
    later_copy, kept = golden[0], golden[1]
    for record in golden[:3]:
        pipeline.process_item(record)
    crawler.signals.send_catch_log(signal=signals.item_dropped, item=None, response=None, spider=None,
                                   exception=DuplicateDropped(DuplicateRow(
                                       article_key="keepto:9", url="u", canonical_url="c",
                                       duplicate_of=later_copy.article_key, reason="exact",
                                       similarity=1.0)))
    crawler.signals.send_catch_log(article_superseded, row=DuplicateRow(
        article_key=later_copy.article_key, url=later_copy.url, canonical_url=later_copy.canonical_url,
        duplicate_of=kept.article_key, reason="near", similarity=0.9))
    close(crawler, pipeline)
    latest = tmp_path / "latest"
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    for table in ("articles", "sections", "prevention", "recommendations"):
        assert later_copy.article_key not in set(read(latest / f"{table}.{fmt}")["article_key"])
    duplicates = read(latest / f"duplicates.{fmt}").set_index("article_key")["duplicate_of"].to_dict()
    assert duplicates == {"keepto:9": kept.article_key, later_copy.article_key: kept.article_key}
    jsonl = [json.loads(line)["article_key"] for line in (latest / "articles.jsonl").open()]
    assert jsonl == sorted([golden[1].article_key, golden[2].article_key])  # in row order
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["row_counts"]["articles"] == 2


def test_manifest_counts_rows_and_carries_crawl_stats(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    pipeline = run(
        crawler_factory,
        tmp_path,
        [build_record(n=1), build_record(n=2)],
        [DUPLICATE],
        HEALTHCRAWL_RUN_ID="run-1",
    )
    manifest = json.loads((tmp_path / "latest" / "manifest.json").read_text())
    assert manifest["run_id"] == "run-1" == pipeline.run_id
    assert manifest["schema_version"] == 1
    assert manifest["row_counts"] == {
        "articles": 2,
        "sections": 4,
        "section_items": 8,
        "prevention": 4,
        "recommendations": 2,
        "duplicates": 1,
        "removed": 0,
    }
    assert manifest["formats"] == ["csv", "parquet", "jsonl"]
    assert manifest["crawl_stats"]["healthcrawl/export/kept"] == 2
    assert manifest["started_at"] <= manifest["finished_at"]


def test_json_lines_hold_the_nested_records(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    records = [build_record(n=1), build_record(n=2)]
    run(crawler_factory, tmp_path, records)
    lines = [json.loads(line) for line in
             (tmp_path / "latest" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line.pop("change") for line in lines] == ["new", "new"]
    assert [ArticleRecord.from_dict(line) for line in lines] == records


def test_exception_mid_export_leaves_previous_publication_byte_identical(
    crawler_factory: CrawlerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(crawler_factory, tmp_path, [build_record(n=1)], HEALTHCRAWL_RUN_ID="good")
    before, target = digest(tmp_path / "latest"), (tmp_path / "latest").readlink()
    crawler, pipeline = start(crawler_factory, tmp_path, HEALTHCRAWL_RUN_ID="broken")
    pipeline.process_item(build_record(n=2))
    monkeypatch.setattr(pipeline.tables, "send", _raise_disk_full)
    with pytest.raises(OSError, match="disk full"):
        pipeline.process_item(build_record(n=3))
    close(crawler, pipeline, "finished")
    assert digest(tmp_path / "latest") == before
    assert (tmp_path / "latest").readlink() == target
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["good"]


def test_after_a_failed_write_later_records_are_not_written(
    crawler_factory: CrawlerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawler, pipeline = start(crawler_factory, tmp_path, HEALTHCRAWL_RUN_ID="broken")
    monkeypatch.setattr(pipeline.tables, "send", _raise_disk_full)
    with pytest.raises(OSError, match="disk full"):
        pipeline.process_item(build_record(n=1))
    assert pipeline.process_item(build_record(n=2)) == build_record(n=2)  # no second error
    close(crawler, pipeline, "finished")
    assert crawler.stats.get_value("healthcrawl/export/discarded") == 1
    assert not (tmp_path / "latest").exists()


def test_write_failing_in_the_table_process_discards_the_run(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    run(crawler_factory, tmp_path, [build_record(n=1)], HEALTHCRAWL_RUN_ID="good")
    before = digest(tmp_path / "latest")
    crawler, pipeline = start(crawler_factory, tmp_path, HEALTHCRAWL_RUN_ID="broken",
                              HEALTHCRAWL_WORKER_PROCESSES=1, HEALTHCRAWL_EXPORT_ROW_GROUP_SIZE=1)
    pipeline.process_item(build_record(n=2, word_count="many"))  # fails in the child, later
    with pytest.raises(Exception, match="int"):
        pipeline.close_spider()
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=None, reason="finished")
    assert crawler.stats.get_value("healthcrawl/export/discarded") == 1
    assert digest(tmp_path / "latest") == before
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["good"]


def _raise_disk_full(record: ArticleRecord) -> None:
    raise OSError("disk full")


@pytest.mark.parametrize("reason", ["shutdown", "cancelled", "closespider_errorcount"])
def test_run_closed_for_another_reason_is_discarded(
    crawler_factory: CrawlerFactory, tmp_path: Path, reason: str
) -> None:
    run(crawler_factory, tmp_path, [build_record(n=1)], HEALTHCRAWL_RUN_ID="good")
    before = digest(tmp_path)
    pipeline = run(crawler_factory, tmp_path, [build_record(n=2)], reason=reason)
    assert pipeline.published is None
    assert digest(tmp_path) == before


def test_runs_beyond_keep_runs_are_pruned(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    for number in range(4):
        run(
            crawler_factory,
            tmp_path,
            [build_record(n=number)],
            HEALTHCRAWL_RUN_ID=f"r{number}",
            HEALTHCRAWL_EXPORT_KEEP_RUNS=2,
        )
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["r0", "r1", "r2", "r3"]
    for pruned in ("r0", "r1"):  # history stays: what each run changed
        assert {p.name for p in (tmp_path / "runs" / pruned).iterdir()} == {"manifest.json", "changes"}
    assert (tmp_path / "runs" / "r2" / "articles.parquet").is_file()
    assert (tmp_path / "latest").readlink() == Path("runs/r3")


def test_latest_that_is_a_real_folder_is_refused(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    with pytest.raises(PublishError):
        start(crawler_factory, tmp_path)


def test_unknown_format_is_refused(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="xlsx"):
        start(crawler_factory, tmp_path, HEALTHCRAWL_EXPORT_FORMATS=["csv", "xlsx"])


def test_a_bad_row_group_size_is_refused_before_the_table_writer_starts(
    crawler_factory: CrawlerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipelines.export.table_writer", lambda in_child: pytest.fail("writer started"))
    with pytest.raises(ValueError, match="row_group_size"):
        start(crawler_factory, tmp_path, HEALTHCRAWL_EXPORT_ROW_GROUP_SIZE=0, HEALTHCRAWL_WORKER_PROCESSES=1)


def test_parquet_only_run_writes_no_csv(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    run(crawler_factory, tmp_path, [build_record()], HEALTHCRAWL_EXPORT_FORMATS="parquet")
    assert {p.suffix for p in (tmp_path / "latest").rglob("*") if p.is_file()} == {".parquet", ".json"}


def test_stage_switched_off_is_not_configured(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        start(crawler_factory, tmp_path, HEALTHCRAWL_EXPORT_ENABLED=False)


def test_a_record_renamed_after_its_parse_is_exported_renamed_not_as_its_worker_pickled_it(
    crawler_factory: CrawlerFactory, tmp_path: Path, golden: list[ArticleRecord]
) -> None:
    renamed, kept = (SignedRecord.of(record, None, None, pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
                     for record in golden[:2])
    renamed.article_key += "~1f2e3d4c"  # what dedup does to a second article under one key
    pipeline = run(crawler_factory, tmp_path, [renamed, kept])
    assert pipeline.reuse_pickles
    keys = set(pd.read_parquet(tmp_path / "latest" / "articles.parquet").article_key)
    assert keys == {golden[0].article_key + "~1f2e3d4c", golden[1].article_key}


def test_worker_pickles_are_handed_on_only_when_no_project_component_sees_the_items() -> None:
    shipped = project_settings()
    assert own_components_only(shipped)
    shipped.set("ITEM_PIPELINES", {**shipped.getdict("ITEM_PIPELINES"), "myproject.pipelines.Clean": 400})
    assert not own_components_only(shipped)
    beside_ours = project_settings()
    beside_ours.set("ITEM_PIPELINES", {**beside_ours.getdict("ITEM_PIPELINES"), "pipelines.tidy.Tidy": 250})
    assert not own_components_only(beside_ours)
    with_middleware = project_settings()
    with_middleware.set("SPIDER_MIDDLEWARES", {"myproject.middlewares.Tidy": 10})
    assert not own_components_only(with_middleware)
