"""The page parser: ``parse_article(html, url) -> ArticleRecord``, a pure function on lxml.

No Scrapy import anywhere in this package: spiders call it, tests and the CLI call it
the same way.
"""

from __future__ import annotations

from crawler.parsing.article import ParsedPage, parse_article, parse_page

__all__ = ["ParsedPage", "parse_article", "parse_page"]
