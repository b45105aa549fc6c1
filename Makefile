# healthcrawl: the single entry point. Every target installs what it needs first.
#   make demo          crawl the built-in demo site and publish the tables to exports/
#   make test          the whole test suite (what CI runs)
#   make bench-parser  parser speed beside lxml, BeautifulSoup and trafilatura
#   make lint          ruff and mypy

VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench-parser lint

demo:
	@sh scripts/bootstrap.sh
	$(BIN)/healthcrawl demo

test:
	@sh scripts/bootstrap.sh
	$(BIN)/python -m pytest

bench-parser:
	@EXTRAS="dev,bench" sh scripts/bootstrap.sh
	$(BIN)/python benchmarks/bench_parser.py

lint:
	@sh scripts/bootstrap.sh
	$(BIN)/ruff check crawler pipelines tests benchmarks
	$(BIN)/mypy
