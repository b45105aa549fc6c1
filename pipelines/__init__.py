"""Scrapy item pipelines, one stage a module: clean/validate, dedup, export."""
