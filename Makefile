# healthcrawl: the single entry point. Every target installs what it needs first.
#   make demo          crawl the built-in demo site and publish the tables to exports/
#   make test          the whole test suite (what CI runs)
#   make bench-parser  parser speed beside lxml, BeautifulSoup and trafilatura
#   make bench-crawl   full crawl beside bare Scrapy spiders, demo site on nginx
#   make bench-export  CSV/Parquet export of 100,000 records beside pandas
#   make bench-postgres  100,000 records into PostgreSQL beside pandas to_sql (a server of its own)
#   make bench-dedup   near-duplicate dedup at 10,000 and 100,000 records
#   make bench-distributed  1 and 2 workers sharing one Redis, demo site on nginx; Redis cost a page
#   make bench-workers what handing a page to a worker process costs the crawl
#   make bench-incremental  an unchanged incremental re-run against a full run; peak RSS
#   make score-real-pages  the generic profile on real pages beside trafilatura (titles, headings, dates, links)
#   make fuzz          hypothesis at scale on the parser, sitemaps, robots.txt and URLs for FUZZ_SECONDS (300)
#   make reliability   crawl every fault the demo server injects, run the fault tests, rewrite docs/RELIABILITY.md
#   make lint          ruff check and mypy (CI runs it after the tests; the pre-commit hooks run the same)

VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench-parser bench-crawl bench-export bench-postgres bench-dedup bench-workers bench-distributed bench-incremental score-real-pages fuzz reliability lint

demo:
	@sh scripts/bootstrap.sh
	$(BIN)/healthcrawl demo

test:
	@sh scripts/bootstrap.sh
	$(BIN)/python -m pytest

bench-parser:
	@EXTRAS="dev,bench" sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_parser.py

bench-crawl:
	@SYSTEM_PACKAGES="nginx" sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_crawl.py --pages 10000

bench-export:
	@sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_export.py

bench-postgres:
	@EXTRAS="dev,bench" sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_postgres.py

bench-dedup:
	@sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_dedup.py

bench-distributed:
	@SYSTEM_PACKAGES="nginx" sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_distributed.py --pages 10000

bench-workers:
	@sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_worker_pool.py

bench-incremental:
	@SYSTEM_PACKAGES="nginx" sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_incremental.py --pages 10000 --rss-pages 100000

score-real-pages:
	@EXTRAS="dev,bench" sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/score_real_pages.py

fuzz:
	@EXTRAS=dev sh scripts/bootstrap.sh
	$(BIN)/python -m tests.fuzz

reliability:
	@sh scripts/bootstrap.sh
	$(BIN)/python scripts/reliability_matrix.py

lint:
	@sh scripts/bootstrap.sh
	$(BIN)/ruff check core crawler pipelines tests benchmarks scripts
	$(BIN)/mypy
