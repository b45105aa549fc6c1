"""The ``healthcrawl`` command: a thin shell over the library, testable in-process.

``main(argv)`` parses, dispatches to one function per subcommand and returns the exit
code; every expected failure is one line on stderr and a documented code:

====  ==========================================================================
code  meaning
====  ==========================================================================
0     success
1     the run failed (crawl errors, export failure); details in the log
2     bad input: missing/empty/binary/non-HTML file, unknown site, bad option
3     another run holds the lock (nothing was done)
130   interrupted (Ctrl-C)
====  ==========================================================================
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from crawler.errors import HealthcrawlError, InputError
from crawler.parsing import parse_article
from crawler.profiles import get_profile, profile_names

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
_HTML_TAG = re.compile(rb"<\s*[a-zA-Z!/]")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.run
    try:
        return command(args)
    except HealthcrawlError as error:
        print(f"healthcrawl: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("healthcrawl: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="healthcrawl",
        description="Crawl health-article sites and publish tidy CSV/Parquet tables.",
        epilog="Exit codes: 0 ok, 1 run failed, 2 bad input, 3 another run holds the lock, "
        "130 interrupted.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    _add_parse(commands)
    return parser


def _add_parse(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parse = commands.add_parser(
        "parse", help="parse one saved HTML page and print its record as JSON",
        description="Parse one saved article page (any encoding) and print the record as JSON.",
    )
    parse.add_argument("file", type=Path, metavar="FILE", help="the saved HTML page")
    parse.add_argument("--url", help="URL the page was fetched from (resolves links, "
                       "picks the site profile); default: the file's file:// URL")
    parse.add_argument("--site", choices=None, metavar="NAME",
                       help=f"site profile to use instead of the URL's ({', '.join(profile_names())})")
    parse.set_defaults(run=run_parse)


def run_parse(args: argparse.Namespace) -> int:
    profile = get_profile(args.site) if args.site else None
    data = read_html_file(args.file)
    url = args.url or args.file.resolve().as_uri()
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
