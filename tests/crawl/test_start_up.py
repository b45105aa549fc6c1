"""What a crawl's start costs: nothing loaded that stays off, and the table writer's child
started before Scrapy builds the crawl, by the crawls that use one."""

from __future__ import annotations

from scrapy.utils.conf import build_component_list

from crawler.distributed import WORKER_PIPELINES
from crawler.run import project_settings
from pipelines.export import ExportPipeline


def test_the_remote_control_extension_is_off_and_never_loaded() -> None:
    settings = project_settings()
    extensions = build_component_list(settings.getwithbase("EXTENSIONS"))
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")
    assert "scrapy.extensions.remote_control.RemoteControl" not in extensions


def test_a_crawl_that_exports_through_a_child_writer_starts_it_early() -> None:
    assert ExportPipeline.writes_in_child(project_settings())


def test_a_crawl_that_writes_its_tables_in_its_own_process_starts_no_writer() -> None:
    assert not ExportPipeline.writes_in_child(project_settings({"HEALTHCRAWL_WORKER_PROCESSES": 0}))
    assert not ExportPipeline.writes_in_child(project_settings({"HEALTHCRAWL_EXPORT_ENABLED": False}))


def test_a_distributed_worker_which_exports_no_tables_starts_no_writer() -> None:
    assert not ExportPipeline.writes_in_child(project_settings({"ITEM_PIPELINES": dict(WORKER_PIPELINES)}))
