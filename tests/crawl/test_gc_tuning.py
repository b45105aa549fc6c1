"""The crawl makes the cyclic garbage collector run less often while a spider runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.gc_tuning import GcThresholds
from crawler.run import project_settings


@pytest.fixture(autouse=True)
def restore_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


def test_project_thresholds_hold_while_the_spider_runs_then_the_old_ones_return() -> None:
    shipped = project_settings().getlist("HEALTHCRAWL_GC_THRESHOLDS")
    crawler = get_crawler(Spider, {"HEALTHCRAWL_GC_THRESHOLDS": shipped})
    extension = GcThresholds.from_crawler(crawler)
    before = gc.get_threshold()
    crawler.signals.send_catch_log(signals.spider_opened, spider=None)
    assert gc.get_threshold() == (50_000, 20, 100)
    assert gc.get_freeze_count() > 0
    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
    assert gc.get_threshold() == before == extension.previous
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("value", ["", []])
def test_empty_setting_leaves_the_collector_alone(value: object) -> None:
    with pytest.raises(NotConfigured):
        GcThresholds.from_crawler(get_crawler(Spider, {"HEALTHCRAWL_GC_THRESHOLDS": value}))


@pytest.mark.parametrize("value", ["1,2,3,4", "-1"])
def test_bad_thresholds_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="HEALTHCRAWL_GC_THRESHOLDS"):
        GcThresholds.from_crawler(get_crawler(Spider, {"HEALTHCRAWL_GC_THRESHOLDS": value}))
