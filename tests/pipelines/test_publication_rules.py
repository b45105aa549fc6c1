"""When a run may replace ``latest``, and what a run that may not leaves behind: the
regression tests of scheduled runs (a limit, an empty crawl, a failed last step, a dead
run's leftovers, pruning)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.errors import RunLocked
from core.records import ArticleRecord
from pipelines.export import ERROR, OUTCOME, ExportPipeline
from pipelines.health import FAILED, drift, error_rate
from pipelines.publish import Publication
from tests.pipelines.conftest import build_record
from tests.pipelines.test_export import CrawlerFactory, run, start


def good_run(crawler_factory: CrawlerFactory, out: Path) -> Path:
    run(crawler_factory, out, [build_record(n=1), build_record(n=2)], HEALTHCRAWL_RUN_ID="good")
    return (out / "latest").resolve()


def test_a_run_stopped_by_a_limit_is_not_published(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    before = good_run(crawler_factory, tmp_path)
    pipeline = run(crawler_factory, tmp_path, [build_record(n=3)], reason="closespider_pagecount")
    assert pipeline.published is None
    assert (tmp_path / "latest").resolve() == before
    assert pipeline._stats.get_value(OUTCOME) == "partial"


def test_a_run_stopped_by_a_limit_is_published_when_asked(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    pipeline = run(crawler_factory, tmp_path, [build_record(n=3)], reason="closespider_itemcount",
                   HEALTHCRAWL_PUBLISH_PARTIAL=True)
    assert pipeline.published is not None
    manifest = json.loads((tmp_path / "latest" / "manifest.json").read_text())
    assert (manifest["finish_reason"], manifest["partial"]) == ("closespider_itemcount", True)


def test_a_crawl_that_exported_nothing_never_replaces_a_good_publication(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    before = good_run(crawler_factory, tmp_path)
    for number in range(4):  # outages in a row on a schedule prune nothing
        pipeline = run(crawler_factory, tmp_path, [], HEALTHCRAWL_RUN_ID=f"empty{number}",
                       HEALTHCRAWL_EXPORT_KEEP_RUNS=1)
        assert pipeline._stats.get_value(OUTCOME) == "unhealthy"
        assert "0 articles, fewer than the 1" in pipeline._stats.get_value(ERROR)
    assert (tmp_path / "latest").resolve() == before
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["good"]


def test_min_articles_sets_what_a_healthy_run_has(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    pipeline = run(crawler_factory, tmp_path, [build_record(n=1)], HEALTHCRAWL_MIN_ARTICLES=2)
    assert pipeline._stats.get_value(OUTCOME) == "unhealthy"
    assert not (tmp_path / "latest").exists()


def test_a_publication_that_fails_at_its_last_step_is_a_failed_run(
    crawler_factory: CrawlerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = good_run(crawler_factory, tmp_path)
    # The table writer in this process, where the failing rename is patched in.
    crawler, pipeline = start(crawler_factory, tmp_path, HEALTHCRAWL_RUN_ID="doomed",
                              HEALTHCRAWL_WORKER_PROCESSES=0)
    pipeline.process_item(build_record(n=3))

    def disk_full(source: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", disk_full)
    pipeline.close_spider()
    pipeline.finish("finished", {})
    monkeypatch.undo()
    assert pipeline._stats.get_value(OUTCOME) == "failed"
    assert "No space left on device" in pipeline._stats.get_value(ERROR)
    assert (tmp_path / "latest").resolve() == before
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["good"]


def test_the_next_run_removes_what_a_dead_run_left(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    dead = tmp_path / "runs" / ".tmp-20260101T000000Z-dead00"
    dead.mkdir(parents=True)
    (dead / "articles.parquet").write_bytes(b"half")
    (tmp_path / ".latest-20260101T000000Z-dead00").symlink_to("runs/nowhere")
    run(crawler_factory, tmp_path, [build_record(n=1)], HEALTHCRAWL_RUN_ID="next")
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["next"]
    assert not (tmp_path / ".latest-20260101T000000Z-dead00").is_symlink()


def test_pruning_goes_by_run_id_and_never_removes_what_latest_points_to(tmp_path: Path) -> None:
    for run_id in ("r3", "r1", "r2"):  # published out of order: folder times say nothing
        publication = Publication(tmp_path, run_id, keep_runs=5)
        publication.begin()
        (publication.temp_dir / "articles.parquet").write_bytes(b"rows")
        publication.commit({})
    os.replace(tmp_path / "latest", tmp_path / "old-latest")
    (tmp_path / "latest").symlink_to("runs/r1")  # an operator rolled back to r1
    Publication(tmp_path, "r4", keep_runs=1)._prune()
    assert sorted(p.parent.name for p in (tmp_path / "runs").glob("*/articles.parquet")) == ["r1", "r3"]
    assert [p.name for p in (tmp_path / "runs" / "r2").iterdir()] == ["manifest.json"]


def records_with(count: int, first: int = 1, **fields: object) -> list[ArticleRecord]:
    return [replace(build_record(n=n), **fields) for n in range(first, first + count)]  # type: ignore[arg-type]


def test_a_run_with_far_fewer_articles_than_the_last_is_unhealthy(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    run(crawler_factory, tmp_path, records_with(10), HEALTHCRAWL_RUN_ID="good")
    pipeline = run(crawler_factory, tmp_path, records_with(4), HEALTHCRAWL_RUN_ID="shrunk")
    assert pipeline._stats.get_value(OUTCOME) == "unhealthy"
    assert "4 articles against 10 in the previous run good" in pipeline._stats.get_value(ERROR)
    assert (tmp_path / "latest").resolve().name == "good"


def test_a_run_whose_parser_stopped_finding_a_field_is_unhealthy(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    run(crawler_factory, tmp_path, records_with(10), HEALTHCRAWL_RUN_ID="good")
    pipeline = run(crawler_factory, tmp_path, records_with(10, prevention=[]), HEALTHCRAWL_RUN_ID="broken")
    assert pipeline._stats.get_value(OUTCOME) == "unhealthy"
    assert "coverage of prevention fell from 1.00 to 0.00" in pipeline._stats.get_value(ERROR)


def test_max_drift_sets_how_far_a_run_may_fall(crawler_factory: CrawlerFactory, tmp_path: Path) -> None:
    run(crawler_factory, tmp_path, records_with(10), HEALTHCRAWL_RUN_ID="good")
    pipeline = run(crawler_factory, tmp_path, records_with(4), HEALTHCRAWL_RUN_ID="smaller",
                   HEALTHCRAWL_MAX_DRIFT=0.7)
    assert pipeline._stats.get_value(OUTCOME) == "published"


def test_a_run_whose_fetches_mostly_failed_is_unhealthy(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    crawler, pipeline = start(crawler_factory, tmp_path)
    pipeline.process_item(build_record(n=1))
    pipeline.close_spider()
    pipeline.finish("finished", {"response_received_count": 10, "healthcrawl/spider/failed/http_503": 6})
    assert pipeline._stats.get_value(OUTCOME) == "unhealthy"
    assert "60% of the requests failed, more than 50%" in pipeline._stats.get_value(ERROR)


def test_the_manifest_records_the_coverage_the_next_run_is_checked_against(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    run(crawler_factory, tmp_path, records_with(2) + records_with(2, first=3, prevention=[]))
    coverage = json.loads((tmp_path / "latest" / "manifest.json").read_text())["coverage"]
    assert coverage["prevention"] == 0.5


def test_a_run_locked_out_never_deletes_the_temp_folder_of_the_run_holding_the_lock(
    crawler_factory: CrawlerFactory, tmp_path: Path
) -> None:
    holder, running = start(crawler_factory, tmp_path, HEALTHCRAWL_RUN_ID="same")
    crawler = crawler_factory(HEALTHCRAWL_EXPORT_DIR=str(tmp_path), HEALTHCRAWL_RUN_ID="same")
    locked_out = ExportPipeline.from_crawler(crawler)
    with pytest.raises(RunLocked):
        locked_out.open_spider()
    locked_out.finish("shutdown", {})
    assert (tmp_path / "runs" / ".tmp-same").is_dir()
    running.process_item(build_record(n=1))
    running.close_spider()
    assert running.finish("finished", {}) is not None


@pytest.mark.parametrize(
    ("stats", "rate"),
    [
        # 6 pages of 10 failed after their retries: the retries are no extra pages.
        ({"response_received_count": 10, "downloader/request_count": 28, FAILED + "http_503": 6}, 0.6),
        # Pages robots.txt forbids were never tried.
        ({"response_received_count": 10, FAILED + "IgnoreRequest": 40}, 0.0),
        # A timed-out page got no response.
        ({"response_received_count": 3, FAILED + "TimeoutError": 1}, 0.25),
    ],
)
def test_the_error_rate_counts_pages_not_attempts(stats: dict[str, int], rate: float) -> None:
    assert error_rate(stats) == rate


def test_a_partial_run_is_not_held_to_the_article_count_of_a_full_one() -> None:
    previous = {"run_id": "full", "row_counts": {"articles": 1000}, "coverage": {"prevention": 0.8}}
    assert drift(previous, 100, {"prevention": 0.8}, 0.5, partial=True) is None
    assert drift({**previous, "partial": True}, 100, {"prevention": 0.8}, 0.5) is None
    assert drift(previous, 100, {"prevention": 0.8}, 0.5) is not None


def test_a_malformed_previous_manifest_does_not_break_the_check() -> None:
    assert drift({"row_counts": {"articles": 10}, "coverage": None}, 10, {}, 0.5) is None
    assert drift({"coverage": {"prevention": "high"}}, 10, {"prevention": 0.1}, 0.5) is None


def test_runs_younger_than_keep_days_keep_their_tables_beyond_keep_runs(tmp_path: Path) -> None:
    for run_id, age in (("r1", 40), ("r2", 2), ("r3", 1)):
        publication = Publication(tmp_path, run_id, keep_runs=5)
        publication.begin()
        (publication.temp_dir / "articles.parquet").write_bytes(b"rows")
        finished = datetime.now(UTC) - timedelta(days=age)
        publication.commit({"finished_at": finished.isoformat()})
    Publication(tmp_path, "r4", keep_runs=1, keep_days=7)._prune()
    assert sorted(p.parent.name for p in (tmp_path / "runs").glob("*/articles.parquet")) == ["r2", "r3"]
