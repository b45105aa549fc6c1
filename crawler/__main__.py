"""The ``healthcrawl`` program (also ``python -m crawler``).

Loading the CLI imports Scrapy, Twisted and pyarrow, which takes about a second: a Ctrl-C
then must end the program like any other Ctrl-C (one line, exit 130), not with a
traceback, so the CLI is imported and started here, inside the guard, and the interrupt
waits until the imports are done (``crawler.interrupts``).
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    from crawler import interrupts

    interrupts.defer()
    try:
        from crawler.cli import main as run_command

        interrupts.install()
        interrupts.raise_if_received()
        code = run_command()
        interrupts.ignore()
    except KeyboardInterrupt:  # the CLI turns one during a command into 130 itself
        interrupts.ignore()
        print("healthcrawl: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED:
        _forget_unhandled_interrupt()
    sys.exit(code)


def _forget_unhandled_interrupt() -> None:
    """CPython marks a KeyboardInterrupt that escapes code run by ``exec`` of a string (as
    ``dataclasses`` does while a module is imported) as unhandled, even once it is caught,
    and then ends the interpreter by SIGINT (-2) instead of with our exit code. Each such
    ``exec`` clears the mark first, so one more clears it."""
    exec("pass")  # noqa: S102


if __name__ == "__main__":
    main()
