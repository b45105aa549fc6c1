"""The demo's temporary folders, and cleaning up after a demo that was killed.

``healthcrawl demo`` and ``serve-demo`` generate their site into a temporary folder that
goes when they end; a process killed with SIGKILL cannot remove it, so each folder names
its owner (``owner.pid``) and the next demo removes the folders of owners that are gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "healthcrawl-demo-"
OWNER = "owner.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_dead_scratch(parent: Path | None = None) -> list[Path]:
    """Remove the demo folders whose owner process is gone; returns them."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            pid = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            continue  # not ours, or its owner is still writing the pid
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextmanager
def demo_scratch() -> Iterator[Path]:
    """A temporary folder for one demo, removed at the end (or by a later demo)."""
    remove_dead_scratch()
    scratch = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        (scratch / OWNER).write_text(str(os.getpid()))
        yield scratch
    finally:
        # A child process may still be writing into it (the table writer's state, when a
        # Ctrl-C cut the crawl short): the removal never raises, tries a second time, and
        # what is left goes with the next demo (its owner is gone by then).
        for _ in range(2):
            shutil.rmtree(scratch, ignore_errors=True)
