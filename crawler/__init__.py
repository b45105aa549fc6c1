"""healthcrawl's Scrapy project: settings, spiders, site profiles, the page parser, the CLI."""
