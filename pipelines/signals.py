"""Signals the pipeline stages send each other through Scrapy's signal manager."""

from __future__ import annotations

article_superseded = object()
"""Sent by the dedup stage with ``row`` (a ``DuplicateRow``) when a record sorting before an
already-kept copy takes its place: the export stage records the row and removes the
earlier copy's rows before it publishes."""

article_provisional = object()
"""Sent by the dedup stage with ``row`` for a kept record that copies an article an
earlier run published and this run has not met: when the run ends, the export stage
retracts the record (``row`` becomes its ``duplicates`` row) if that article is still
published, and keeps it if the article is gone (the site moved it)."""

pages_unchanged = object()
"""Sent by the spider with ``canonical_urls`` (a tuple) for known pages it did not fetch
again (a 304, or a sitemap date older than the last fetch): the export stage carries their
rows over. A sitemap's pages come in batches: a signal a page cost the crawl a tenth of an
unchanged re-run."""

page_gone = object()
"""Sent by the spider with ``canonical_url`` for a page that answered 404 or 410: a
published article there is reported removed."""

write_part = object()
"""A distributed worker asks the parts stage to write what it buffers now (it is idle, or
stopping): sent with no arguments (``pipelines.parts``)."""
part_written = object()
"""The parts stage wrote a part: the requests whose items it holds are done with
(``crawler.distributed.inflight``). Arguments: ``path``, ``articles``."""
