"""The page parser: ``parse_article(html, url) -> ArticleRecord``, a pure function on lxml.

No Scrapy import anywhere in this package: spiders call it, tests and the CLI call it
the same way.
"""

from __future__ import annotations

from core.native import package_path

__path__ = package_path(__path__, "crawler/parsing")  # the compiled modules, when built from these sources

from crawler.parsing.article import ParsedPage, parse_article, parse_page  # noqa: E402

__all__ = ["ParsedPage", "parse_article", "parse_page"]
