"""The validate stage: what it drops, what it counts, what it passes on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from core.records import Section
from pipelines.validate import ValidatePipeline
from tests.pipelines.conftest import MakeRecord


@pytest.fixture
def crawler(crawler_factory: Callable[..., Crawler]) -> Crawler:
    return crawler_factory()


@pytest.fixture
def stage(crawler: Crawler) -> ValidatePipeline:
    return ValidatePipeline.from_crawler(crawler)


def stat(crawler: Crawler, name: str) -> object:
    assert crawler.stats is not None
    return crawler.stats.get_value(f"healthcrawl/validate/{name}")


def test_complete_record_is_kept(stage: ValidatePipeline, crawler: Crawler, make_record: MakeRecord) -> None:
    record = make_record()
    assert stage.process_item(record) is record
    assert (stat(crawler, "processed"), stat(crawler, "kept")) == (1, 1)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"title": ""}, "no_title"),
        ({"title": "   "}, "no_title"),
        ({"summary": None, "sections": []}, "no_body"),
        (
            {
                "summary": "",
                "sections": [Section(position=0, number=None, heading="H", kind="other", text="", items=[])],
            },
            "no_body",
        ),
        ({"fetched_at": "yesterday"}, "bad_fetched_at"),
    ],
)
def test_unusable_record_is_dropped_and_counted_per_reason(
    stage: ValidatePipeline,
    crawler: Crawler,
    make_record: MakeRecord,
    overrides: dict[str, object],
    reason: str,
) -> None:
    with pytest.raises(DropItem) as raised:
        stage.process_item(make_record(**overrides))
    assert raised.value.log_level == "INFO"
    assert stat(crawler, f"dropped/{reason}") == 1
    assert stat(crawler, "kept") is None


def test_items_alone_are_enough_body(stage: ValidatePipeline, make_record: MakeRecord) -> None:
    only_items = [
        Section(
            position=0,
            number="1",
            heading="Prevention",
            kind="prevention",
            text="",
            items=["Rest."],
        )
    ]
    assert stage.process_item(make_record(summary=None, sections=only_items))


def test_parse_warnings_are_counted_per_kind_and_do_not_drop(
    stage: ValidatePipeline, crawler: Crawler, make_record: MakeRecord
) -> None:
    stage.process_item(make_record(parse_warnings=["no_symptoms_section", "truncated_html"]))
    stage.process_item(make_record(parse_warnings=["no_symptoms_section"]))
    assert stat(crawler, "warning/no_symptoms_section") == 2
    assert stat(crawler, "warning/truncated_html") == 1
    assert stat(crawler, "kept") == 2


def test_dict_item_is_passed_on_as_a_record(stage: ValidatePipeline, make_record: MakeRecord) -> None:
    record = make_record()
    assert stage.process_item(record.to_dict()) == record


def test_item_that_is_no_record_is_dropped_as_malformed(stage: ValidatePipeline, crawler: Crawler) -> None:
    with pytest.raises(DropItem):
        stage.process_item({"title": "only a title"})
    assert stat(crawler, "dropped/malformed") == 1


def test_stage_switched_off_is_not_configured(crawler_factory: Callable[..., Crawler]) -> None:
    with pytest.raises(NotConfigured):
        ValidatePipeline.from_crawler(crawler_factory(HEALTHCRAWL_VALIDATE_ENABLED=False))


def test_close_logs_one_summary_line(
    stage: ValidatePipeline, make_record: MakeRecord, caplog: pytest.LogCaptureFixture
) -> None:
    stage.process_item(make_record())
    with caplog.at_level("INFO"):
        stage.close_spider()
    assert [r.getMessage() for r in caplog.records] == ["healthcrawl validate: kept=1, processed=1"]
