"""Signals the pipeline stages send each other through Scrapy's signal manager."""

from __future__ import annotations

article_superseded = object()
"""Sent by the dedup stage with ``row`` (a ``DuplicateRow``) when a record sorting before an
already-kept copy takes its place: the export stage records the row and removes the
earlier copy's rows before it publishes."""

article_signed = object()
"""Sent by a spider with ``content_hash`` and ``signature`` when it computed a record's
MinHash signature where it parsed the page (in a worker process): the dedup stage then
uses it instead of computing it again. Optional: without it dedup computes its own."""
