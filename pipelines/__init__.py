"""Scrapy item pipelines, one stage a module: validate, dedup, export.

``ITEM_PIPELINES`` is the order the stages must run in, with gaps of 100 so a project can
slot its own stage between two of ours. Each stage can be switched off with
``HEALTHCRAWL_<STAGE>_ENABLED = False`` (it then raises ``NotConfigured``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

ITEM_PIPELINES: Mapping[str, int] = MappingProxyType(
    {
        "pipelines.validate.ValidatePipeline": 100,
        "pipelines.dedup.DedupPipeline": 200,
        "pipelines.export.ExportPipeline": 300,
    }
)
"""Read-only; settings use ``ITEM_PIPELINES = dict(pipelines.ITEM_PIPELINES)``."""
