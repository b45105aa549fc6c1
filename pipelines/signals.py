"""Signals the pipeline stages send each other through Scrapy's signal manager."""

from __future__ import annotations

article_superseded = object()
"""Sent by the dedup stage with ``row`` (a ``DuplicateRow``) when a record sorting before an
already-kept copy takes its place: the export stage records the row and removes the
earlier copy's rows before it publishes."""
