"""Middlewares that fill gaps in Scrapy's own: robots.txt Crawl-delay, Retry-After aware
retries that hold the whole site, an offsite filter that gives IP addresses and
``localhost`` no subdomains, and the crawler-trap defences."""
