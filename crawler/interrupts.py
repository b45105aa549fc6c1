"""Ctrl-C and SIGTERM from the program's first line to its last.

Python turns SIGINT into a KeyboardInterrupt wherever the main thread happens to be. One
raised inside a weakref callback, a destructor or a Twisted callback is printed and
dropped, and one raised while numpy's C extension loads becomes an ImportError: the
program would go on as if no one had asked it to stop, or die with a traceback. So the
handler here remembers the signal; while the program's modules load it does nothing more
(the interrupt is raised once they have), and the crawl refuses to start after one whose
exception was lost. SIGTERM ends the program as Ctrl-C does (exit 130, temporary folders
removed).
"""

from __future__ import annotations

import signal
from types import FrameType

_received: list[int] = []


def defer() -> None:
    """Remember SIGINT and SIGTERM without raising (while imports run)."""
    signal.signal(signal.SIGINT, _remember)
    signal.signal(signal.SIGTERM, _remember)


def install() -> None:
    """Make SIGINT and SIGTERM raise KeyboardInterrupt, remembering that they came."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def ignore() -> None:
    """The program's exit code is decided: SIGINT and SIGTERM change nothing from here on.
    CPython's teardown puts back their default action, so one arriving while a large
    program unloads would kill the process by that signal (-2) instead of letting it end
    with its code (a second Ctrl-C 0.2 s after the first, on a slow machine)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def raise_if_received() -> None:
    """Raise KeyboardInterrupt if SIGINT or SIGTERM came and may not have been acted on."""
    if _received:
        raise KeyboardInterrupt


def _remember(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise KeyboardInterrupt
