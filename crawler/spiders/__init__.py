"""Spiders: they crawl and call the parser; they hold no extraction logic."""
