"""The ``healthcrawl`` program (also ``python -m crawler``).

Loading the CLI imports Scrapy, Twisted and pyarrow, which takes about a second: a Ctrl-C
then must end the program like any other Ctrl-C (one line, exit 130), not with a
traceback, so the CLI is imported and started here, inside the guard.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from crawler.cli import main as run_command

        code = run_command()
    except KeyboardInterrupt:  # the CLI turns one during a command into 130 itself
        print("healthcrawl: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    sys.exit(code)


if __name__ == "__main__":
    main()
