"""Downloader middlewares that fill gaps in Scrapy's own: robots.txt Crawl-delay and
Retry-After aware retries with backoff."""
