"""The ``healthcrawl`` command: a thin shell over the library, testable in-process.

``main(argv)`` parses, dispatches to one function per subcommand and returns the exit
code; every expected failure is one line on stderr and a documented code. In every case but
0, ``latest`` still points at the previous publication:

====  ==========================================================================
code  meaning
====  ==========================================================================
0     success: the tables were published
1     the run failed (a write or the publication failed, the crawl crashed)
2     bad input: missing/empty/binary/non-HTML file, unknown site, bad option
3     finished but not published: stopped by a limit (``--max-pages``; see
      ``--publish-partial``) or unhealthy (fewer articles than ``--min-articles``, too
      many failed fetches, ``--max-error-rate``, or a drop from the last publication,
      ``--max-drift``)
69    a destination cannot be used: a database refused the connection or the login,
      or holds tables of another layout; what it held is left as it was; or the Redis
      server of a distributed run (``--redis``) cannot be reached, at the start or mid-run
75    another run holds the output folder's lock (try again later)
130   interrupted (Ctrl-C, SIGTERM)
====  ==========================================================================
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

from core.errors import DestinationUnavailable, HealthcrawlError, InputError, RunLocked
from core.profiles import get_profile, profile_names
from core.urls import canonicalize_url
from crawler.params import CrawlParams
from crawler.parsing import parse_article
from crawler.run import CrawlResult, run_crawl, setting_value
from crawler.target import resolve_target
from pipelines.destinations.base import DestinationError, DestinationOptions, RunInfo
from pipelines.destinations.registry import (
    DEFAULT_DESTINATIONS,
    DEFAULT_FORMATS,
    FILE_FORMATS,
    build,
    check_destinations,
    check_formats,
    choices,
    mask,
)
from pipelines.export import RUN_ID
from pipelines.lock import RunLock
from pipelines.run_record import update_run_record
from pipelines.state import StateError, resumable_run, state_dir_for

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_NOT_PUBLISHED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_LOCKED = RunLocked.exit_code
_HTML_TAG = re.compile(rb"<\s*[a-zA-Z!/]")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.run
    try:
        code = command(args)
    except HealthcrawlError as error:
        print(f"healthcrawl: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("healthcrawl: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if argv is None:  # run as the program, which exits now: spare the interpreter's last
        gc.freeze()  # full collection, a walk over everything the run allocated
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="healthcrawl",
        description="Crawl health-article sites and publish tidy CSV/Parquet tables.",
        epilog="Exit codes: 0 published, 1 run failed, 2 bad input, 3 finished but not published "
        "(partial or unhealthy), 69 a destination or the Redis server cannot be used, "
        "75 another run holds the lock, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"healthcrawl {version('healthcrawl')}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    _add_parse(commands)
    _add_crawl(commands)
    _add_demo(commands)
    _add_serve_demo(commands)
    _add_seed(commands)
    _add_publish(commands)
    return parser


def _add_parse(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parse = commands.add_parser(
        "parse", help="parse one saved HTML page and print its record as JSON",
        description="Parse one saved article page (any encoding) and print the record as JSON.",
    )
    parse.add_argument("file", type=Path, metavar="FILE", help="the saved HTML page")
    parse.add_argument("--url", help="URL the page was fetched from (resolves links, "
                       "picks the site profile); default: the file's file:// URL")
    parse.add_argument("--site", metavar="NAME",
                       help=f"site profile to use instead of the URL's ({', '.join(profile_names())})")
    parse.set_defaults(run=run_parse)


def _add_crawl(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    crawl = commands.add_parser(
        "crawl", help="crawl a site and publish its tables",
        description="Crawl a site with the health spider (as `scrapy crawl health` does) and "
        "publish the tables atomically into --out.",
    )
    _add_crawl_options(crawl)
    crawl.add_argument("--site", metavar="NAME",
                       help=f"site profile ({', '.join(profile_names())}); default: the start URL's "
                       "(a running serve-demo says it is the demo), else keepto")
    crawl.add_argument("--start-url", metavar="URL", help="where to start (default: the profile's)")
    crawl.add_argument("--host-map", action="append", default=[], metavar="HOST=IP",
                       help="resolve HOST to IP without DNS (repeatable; for loopback test sites)")
    crawl.add_argument("--redis", metavar="URL",
                       help="be one worker of a distributed run in Redis at redis://HOST:PORT/DB "
                       "(seeded by `healthcrawl seed`): writes parts into --out/parts, which "
                       "`healthcrawl publish` publishes (README, Scaling out)")
    crawl.add_argument("--redis-idle", type=float, default=30.0, metavar="SECONDS",
                       help="a worker stops once the whole run has been quiet this long (default 30)")
    crawl.set_defaults(run=run_crawl_command)


def _add_crawl_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--out", type=Path, default=Path("exports"), metavar="DIR",
                         help="where the tables are published (default: exports/)")
    command.add_argument("--to", action="append", metavar="DEST",
                         help=f"where the tables go (repeatable): {choices()}; e.g. --to files --to "
                         "postgresql://user@host:5432/db (give the password through PGPASSWORD, "
                         f"~/.pgpass or a service file). Default: {', '.join(DEFAULT_DESTINATIONS)}")
    command.add_argument("--pg-schema", default="healthcrawl", metavar="NAME",
                         help="the PostgreSQL schema the tables load into (default: healthcrawl)")
    command.add_argument("--format", default=",".join(DEFAULT_FORMATS), metavar="LIST",
                         help=f"comma-separated formats of the files: {', '.join(FILE_FORMATS)} "
                         "(default: all)")
    command.add_argument("--max-pages", type=int, default=0, metavar="N",
                         help="stop after N responses (0: no limit); such a run is not published "
                         "unless --publish-partial")
    command.add_argument("--publish-partial", action="store_true",
                         help="publish a run stopped by a limit (--max-pages, CLOSESPIDER_*)")
    command.add_argument("--min-articles", type=int, default=1, metavar="N",
                         help="a run with fewer articles is unhealthy and not published (default 1)")
    command.add_argument("--max-error-rate", type=float, default=0.5, metavar="SHARE",
                         help="a run whose failed fetches exceed this share of its requests is "
                         "unhealthy (default 0.5)")
    command.add_argument("--max-drift", type=float, default=0.5, metavar="SHARE",
                         help="a run whose article count or field coverage fell by more than this "
                         "share against the previous publication is unhealthy (default 0.5)")
    command.add_argument("--incremental", action="store_true",
                         help="fetch known pages only when they may have changed (sitemap lastmod, "
                         "If-None-Match/If-Modified-Since); unchanged articles are carried over. "
                         "The default for scheduled runs (README, Scheduling)")
    command.add_argument("--resume", action="store_true",
                         help="continue the last run if it was killed or interrupted (what it "
                         "fetched is not fetched again); without one, start a new run")
    command.add_argument("--state-dir", type=Path, metavar="DIR",
                         help="where runs remember pages and publications (default: OUT/.state)")
    command.add_argument("--keep-runs", type=int, default=3, metavar="N",
                         help="full table sets kept under OUT/runs (default 3; older runs keep "
                         "their manifest and change set)")
    command.add_argument("--keep-days", type=float, default=0, metavar="DAYS",
                         help="also keep the full tables of runs published in the last DAYS days")
    command.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    command.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                         help="override a Scrapy or HEALTHCRAWL_* setting (repeatable; "
                         "JSON values such as 0, false or [\"csv\"] are decoded)")


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser(
        "demo", help="generate the demo site, serve it on loopback, crawl it, publish",
        description="Generate the built-in demo health site into a temporary folder, serve it "
        "on a free 127.0.0.1 port, crawl it and publish the tables into --out.",
    )
    _add_crawl_options(demo)
    demo.add_argument("--pages", type=int, default=300, metavar="N",
                      help="articles in the demo site (default 300)")
    # Each demo site is generated anew: drift against the last demo run says nothing.
    demo.set_defaults(run=run_demo_command, log_level="WARNING", max_drift=1.0)


def _add_serve_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve-demo", help="serve the demo site on 127.0.0.1 until Ctrl-C",
        description="Generate (or reuse) the demo site and serve it on 127.0.0.1.",
    )
    serve.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    serve.add_argument("--pages", type=int, default=300, metavar="N", help="articles (default 300)")
    serve.add_argument("--layout", default="keepto",
                       help="how the pages are marked up: keepto (the demo profile's layout, "
                       "default) or magazine (a layout no profile knows: crawled with the generic profile)")
    serve.add_argument("--article-blocks", metavar="LOW-HIGH",
                       help="give each article a body of LOW to HIGH blocks (paragraphs, headings "
                       "and list items), e.g. 5-80 for long pages (default: the usual 25-60 KB pages)")
    serve.add_argument("--dir", type=Path, metavar="DIR", help="where the site is written "
                       "(default: a temporary folder; an existing site there is reused)")
    serve.add_argument("--edit", type=float, default=0.0, metavar="SHARE",
                       help="edit this share of the articles before serving (as a live site changes "
                       "between two scheduled runs; with --dir)")
    serve.add_argument("--remove", type=float, default=0.0, metavar="SHARE",
                       help="remove this share of the articles before serving (with --dir)")
    serve.add_argument("--faults", default="", metavar="SPEC",
                       help="misbehave as hostile and broken sites do, e.g. "
                       "'503=0.1,429=0.05,hang=0.01,reset=0.02,truncate=0.02,drip=0.02,"
                       "binary=0.01,trap=all,sitemap=all,links=1', or 'latency=0.1,crawl_delay=1,"
                       "burst=1,burst_status=429' (crawler/demo_site/faults.py "
                       "lists the kinds; what was injected goes to faults.json in the site folder)")
    serve.add_argument("--fault-seed", type=int, metavar="N",
                       help="which URLs get which fault: the same seed breaks the same URLs "
                       "(default: the spec's seed=, else 0)")
    serve.set_defaults(run=run_serve_demo_command)


def _add_seed(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seed = commands.add_parser(
        "seed", help="push start URLs to a distributed run in Redis",
        description="Push start URLs to the run in Redis (made by the first seed) that "
        "`healthcrawl crawl --redis` workers crawl.",
    )
    seed.add_argument("--redis", required=True, metavar="URL", help="redis://HOST:PORT/DB")
    seed.add_argument("--incremental", action="store_true",
                      help="make the run incremental: the state store of --out (or --state-dir) "
                      "goes to Redis, so the workers ask for known pages only when they may have "
                      "changed and tell copies of published articles; run it where publish runs "
                      "(README, Scaling out)")
    seed.add_argument("--out", type=Path, default=Path("exports"), metavar="DIR",
                      help="the output folder whose publications the run continues (default: exports/)")
    seed.add_argument("--state-dir", type=Path, metavar="DIR",
                      help="where runs remember pages and publications (default: OUT/.state)")
    seed.add_argument("urls", nargs="+", metavar="URL", help="start URLs")
    seed.set_defaults(run=run_seed_command)


def _add_publish(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    publish = commands.add_parser(
        "publish", help="publish a finished distributed run from its workers' parts",
        description="Assemble the parts the workers of the run in Redis wrote into --out and "
        "publish the table set and manifest atomically, as a one-process crawl does.",
    )
    publish.add_argument("--redis", required=True, metavar="URL", help="redis://HOST:PORT/DB")
    publish.add_argument("--out", type=Path, default=Path("exports"), metavar="DIR",
                         help="where the workers wrote their parts and the tables are published")
    publish.add_argument("--to", action="append", metavar="DEST",
                         help=f"where the tables go (repeatable): {choices()}")
    publish.add_argument("--pg-schema", default="healthcrawl", metavar="NAME")
    publish.add_argument("--format", default=",".join(DEFAULT_FORMATS), metavar="LIST",
                         help=f"comma-separated formats of the files: {', '.join(FILE_FORMATS)} "
                         "(default: all)")
    publish.add_argument("--state-dir", type=Path, metavar="DIR",
                         help="where runs remember pages and publications (default: OUT/.state)")
    publish.add_argument("--keep-runs", type=int, default=3, metavar="N")
    publish.add_argument("--min-articles", type=int, default=1, metavar="N",
                         help="a run with fewer articles is unhealthy and not published (default 1)")
    publish.add_argument("--max-error-rate", type=float, default=0.5, metavar="SHARE",
                         help="a run whose failed fetches exceed this share is unhealthy (default 0.5)")
    publish.add_argument("--max-drift", type=float, default=0.5, metavar="SHARE",
                         help="a run whose article count or field coverage fell by more than this share "
                         "against the previous publication is unhealthy (default 0.5)")
    publish.set_defaults(run=run_publish_command)


def run_seed_command(args: argparse.Namespace) -> int:
    from crawler.distributed.commands import seed

    if args.incremental:
        check_out_dir(args.out, probe_lock=False)
        if args.state_dir is not None:
            check_out_dir(args.state_dir, "--state-dir", probe_lock=False)
    return seed(args.redis, args.urls, args.incremental, args.out, args.state_dir)


def run_publish_command(args: argparse.Namespace) -> int:
    from crawler.distributed.commands import publish

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not formats or set(formats) - set(FILE_FORMATS):
        raise InputError(f"publish --format {args.format}: use {', '.join(FILE_FORMATS)}")
    if args.keep_runs < 1:
        raise InputError("--keep-runs must be at least 1")
    check_out_dir(args.out)
    if args.state_dir is not None:
        check_out_dir(args.state_dir, "--state-dir")
    to = destinations(args.to or list(DEFAULT_DESTINATIONS), formats, args.pg_schema, args.out)
    options = DestinationOptions(args.out, tuple(formats), 10_000, args.keep_runs, pg_schema=args.pg_schema)
    for flag, share in (("--max-error-rate", args.max_error_rate), ("--max-drift", args.max_drift)):
        if not 0 <= share <= 1:
            raise InputError(f"{flag} must be a share from 0 to 1, got {share}")
    return publish(args.redis, args.out, to, options,
                   limits=(args.min_articles, args.max_error_rate, args.max_drift), state_dir=args.state_dir)


def run_crawl_command(args: argparse.Namespace) -> int:
    if args.redis and args.resume:
        raise InputError("--resume is one-process only: a distributed run (--redis) lives in Redis "
                         "until it is published, and a dead worker's requests go back to the queue; "
                         "start a worker again to continue it (README, Scaling out)")
    if args.redis and args.state_dir is not None:
        raise InputError("--state-dir is for seed and publish in a distributed run: workers never "
                         "open the state store (README, Scaling out)")
    target = resolve_target(args.site, args.start_url)
    params = CrawlParams.from_args(site=target.site, start_url=target.start_url)
    overrides = {**target.settings, **crawl_overrides(args)}
    overrides["HEALTHCRAWL_HOST_MAP"] = {**target.host_map, **_host_map(args.host_map)}
    if args.redis:
        from crawler.distributed.commands import worker_overrides, worker_report

        worker: dict[str, object] = {**overrides,
                                     **worker_overrides(args.redis, args.redis_idle, args.incremental)}
        return worker_report(run_crawl(params, worker))
    return _report(run_crawl(params, overrides), args.out, Path(str(overrides["HEALTHCRAWL_STATE_DIR"])))


def crawl_overrides(args: argparse.Namespace) -> dict[str, object]:
    """Settings the shared crawl flags stand for."""
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(FILE_FORMATS))
    if unknown or not formats:
        raise InputError(f"unknown --format {','.join(unknown) or '(empty)'}: use {', '.join(FILE_FORMATS)}")
    to = destinations(args.to or list(DEFAULT_DESTINATIONS), formats, args.pg_schema, args.out)
    if args.max_pages < 0:
        raise InputError("--max-pages must be 0 or more")
    if args.min_articles < 0:
        raise InputError("--min-articles must be 0 or more")
    if args.keep_runs < 1:
        raise InputError("--keep-runs must be at least 1")
    if args.keep_days < 0:
        raise InputError("--keep-days must be 0 or more")
    for flag, share in (("--max-error-rate", args.max_error_rate), ("--max-drift", args.max_drift)):
        if not 0 <= share <= 1:
            raise InputError(f"{flag} must be a share from 0 to 1, got {share}")
    # Workers of a distributed run write parts side by side; the publication takes the lock.
    check_out_dir(args.out, probe_lock=not getattr(args, "redis", None))
    state_dir = state_dir_for(args.out, args.state_dir)
    if args.state_dir is not None:
        check_out_dir(args.state_dir, "--state-dir")
    resumed = {}
    if args.resume:
        try:
            run_id = resumable_run(state_dir)
        except StateError as error:
            raise InputError(str(error)) from None
        if run_id is not None:
            print(f"healthcrawl: resuming run {run_id}", file=sys.stderr, flush=True)
            resumed = {"HEALTHCRAWL_RUN_ID": run_id, "HEALTHCRAWL_RESUME": True}
    return {
        "HEALTHCRAWL_EXPORT_DIR": str(args.out),
        "HEALTHCRAWL_STATE_DIR": str(state_dir),
        "HEALTHCRAWL_INCREMENTAL": args.incremental,
        "HEALTHCRAWL_EXPORT_KEEP_RUNS": args.keep_runs,
        "HEALTHCRAWL_EXPORT_KEEP_DAYS": args.keep_days,
        **resumed,
        "HEALTHCRAWL_EXPORT_FORMATS": formats,
        "HEALTHCRAWL_DESTINATIONS": list(to),
        "HEALTHCRAWL_POSTGRES_SCHEMA": args.pg_schema,
        "CLOSESPIDER_PAGECOUNT": args.max_pages,
        "HEALTHCRAWL_PUBLISH_PARTIAL": args.publish_partial,
        "HEALTHCRAWL_MIN_ARTICLES": args.min_articles,
        "HEALTHCRAWL_MAX_ERROR_RATE": args.max_error_rate,
        "HEALTHCRAWL_MAX_DRIFT": args.max_drift,
        "LOG_LEVEL": args.log_level,
        **_settings_flags(args.set),
    }


def destinations(to: list[str], formats: list[str], pg_schema: str, out: Path) -> tuple[str, ...]:
    """The ``--to`` values, each checked: :class:`InputError` for an unknown or malformed
    one, :class:`DestinationUnavailable` for one that cannot be used now (a database
    that refuses the connection or the login): said before the crawl starts, in one
    line, the password masked."""
    try:
        checked = check_destinations(to)
        options = DestinationOptions(out, check_formats(formats), 1, pg_schema=pg_schema)
        built = [build(spec, options) for spec in checked if spec != "files"]
    except ValueError as error:
        raise InputError(f"--to: {error}") from None
    for destination in built:
        try:
            destination.open(RunInfo("probe", 0))
        except DestinationError as error:
            raise DestinationUnavailable(str(error)) from None
        finally:
            destination.abort()
    return checked


def check_out_dir(out: Path, flag: str = "--out", probe_lock: bool = True) -> None:
    """:class:`InputError` when ``out`` cannot take publications: a file, a folder this
    user cannot write, or one whose ``latest`` is a real folder; :class:`RunLocked` when
    another run is writing there (the export stage takes the lock for the run itself),
    unless told not to look."""
    existing = next((p for p in (out, *out.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise InputError(f"{flag} {out}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{flag} {out}: {existing} is not writable")
    latest = out / "latest"
    if latest.exists() and not latest.is_symlink():
        raise InputError(f"--out {out}: {latest} is a real folder, not the link runs publish "
                         "through; move it away")
    if probe_lock:
        probe = RunLock(out)  # a run already writing there: say so before starting a crawl
        probe.acquire(record=False)
        probe.release()


def _settings_flags(pairs: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set wants NAME=VALUE, got {pair!r}")
        values[name.strip()] = setting_value(value)
    return values


def _host_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        host, sep, address = pair.partition("=")
        if not sep or not host or not address:
            raise InputError(f"--host-map wants HOST=IP, got {pair!r}")
        mapping[host.strip().lower()] = address.strip()
    return mapping


def run_demo_command(args: argparse.Namespace) -> int:
    from crawler.demo import run_demo

    if args.pages < 1:
        raise InputError("--pages must be at least 1")
    overrides = crawl_overrides(args)
    if args.state_dir is None:  # each demo site is new: a state would call the last one removed
        del overrides["HEALTHCRAWL_STATE_DIR"]
    return _report(run_demo(args.pages, overrides), args.out, args.state_dir)


def run_serve_demo_command(args: argparse.Namespace) -> int:
    from crawler.demo_site.faults import Faults
    from crawler.demo_site.generator import LAYOUTS, parse_article_blocks
    from crawler.demo_site.server import run_demo_server

    if args.pages < 1:
        raise InputError("--pages must be at least 1")
    if args.layout not in LAYOUTS:
        raise InputError(f"--layout {args.layout}: expected one of {', '.join(LAYOUTS)}")
    try:
        blocks = None if args.article_blocks is None else parse_article_blocks(args.article_blocks)
    except ValueError as error:
        raise InputError(f"--article-blocks {args.article_blocks}: {error}") from None
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port {args.port}: a port is 0 (any free one) to 65535")
    if args.dir is not None and args.dir.exists() and not args.dir.is_dir():
        raise InputError(f"--dir {args.dir} is not a folder")
    if not (0 <= args.edit <= 1 and 0 <= args.remove <= 1 and args.edit + args.remove <= 1):
        raise InputError("--edit and --remove are shares from 0 to 1 that add up to at most 1")
    try:
        faults = Faults.parse(args.faults, seed=args.fault_seed)
    except ValueError as error:
        raise InputError(f"--faults {args.faults!r}: {error}") from None
    try:
        run_demo_server(args.pages, args.port, args.dir, edit=args.edit, remove=args.remove,
                        faults=faults, layout=args.layout, article_blocks=blocks)
    except OSError as error:
        where = f"port {args.port}" + (f", folder {args.dir}" if args.dir is not None else "")
        raise InputError(f"cannot serve the demo site ({where}): {error.strerror or error}") from None
    return EXIT_OK


def _report(result: CrawlResult, out: Path, state_dir: Path | None = None) -> int:
    """Print the summary and the outcome's line; the run record gets the exit code."""
    code = _outcome(result, out)
    run_id = result.stats.get(RUN_ID)
    if run_id:
        update_run_record(out, state_dir, str(run_id), exit_code=code, summary=result.summary())
    return code


def _outcome(result: CrawlResult, out: Path) -> int:
    print(f"healthcrawl: {result.summary()}", file=sys.stderr, flush=True)
    if result.outcome != "published" and (result.interrupted or result.finish_reason == "shutdown"):
        print(f"healthcrawl: interrupted; nothing published, {_previous(out)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.outcome in ("partial", "unhealthy"):
        print(f"healthcrawl: not published: {result.error}; {_previous(out)}", file=sys.stderr)
        return EXIT_NOT_PUBLISHED
    if result.outcome != "published":
        why = result.error or f"the run did not finish cleanly ({result.finish_reason})"
        print(f"healthcrawl: error: {why}; {_previous(out)}", file=sys.stderr)
        return EXIT_FAILED
    partial = " (a partial run: --publish-partial)" if result.finish_reason != "finished" else ""
    for name, place in result.places:
        if name == "files":
            latest = out.resolve() / "latest"
            print(f"healthcrawl: tables published{partial} in {latest} (data dictionary: "
                  f"{latest / 'dictionary.json'}; run details: {latest / 'manifest.json'})")
        else:
            print(f"healthcrawl: tables loaded{partial} into {mask(place)}")
    return EXIT_OK


def _previous(out: Path) -> str:
    """What readers of ``out`` still see."""
    latest = out / "latest"
    if latest.is_symlink() and latest.exists():
        return f"{latest} still holds the previous publication ({latest.resolve().name})"
    return f"nothing has been published in {out} yet"


def run_parse(args: argparse.Namespace) -> int:
    profile = get_profile(args.site) if args.site else None
    data = read_html_file(args.file)
    url = args.url or args.file.resolve().as_uri()
    try:
        canonicalize_url(url)
    except ValueError as error:
        raise InputError(f"--url {url!r} is no valid URL: {error}") from None
    record = parse_article(data, url, profile=profile)
    _print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))
    return EXIT_OK


def read_html_file(path: Path) -> bytes:
    """The bytes of an HTML file; :class:`InputError` says in one line why a file is not one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"is a directory, not an HTML file: {path}") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    if not data.strip():
        raise InputError(f"empty file: {path}")
    if _HTML_TAG.search(data[:65536]) is None and b"\x00" not in data[:4096]:
        raise InputError(f"not an HTML document (no HTML tags): {path}")
    return data


def _print(text: str) -> None:
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `healthcrawl parse x.html | head` is not an error
        sys.stderr.close()


if __name__ == "__main__":  # the same program as ``python -m crawler``, signals and all
    from crawler.__main__ import main as program

    program()
