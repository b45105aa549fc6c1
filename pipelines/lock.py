"""One run at a time per export folder: an OS file lock (``flock``) on ``<folder>/.lock``.

The kernel releases the lock when its process ends, however it ends (``kill -9``
included), so a stale lock cannot block the next run; the file itself stays and only
says who held it last. A second run finds the lock taken and stops at once with
:class:`~core.errors.RunLocked`, naming the holder's pid and start time.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from core.errors import InputError, RunLocked

LOCK_FILE = ".lock"


class RunLock:
    """The export folder's lock, held from :meth:`acquire` until :meth:`release` or the
    process's end."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        self._descriptor: int | None = None

    def acquire(self, record: bool = True) -> None:
        """Take the lock or raise :class:`RunLocked` (:class:`InputError` when the lock file
        cannot be opened); creates the folder if needed. ``record``: write this process's
        pid and start time in the file, for a run that is refused; a mere check before a
        run starts leaves there what the last holder wrote."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise InputError(f"cannot lock {self.path}: {error.strerror or error}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(descriptor)
            os.close(descriptor)
            raise RunLocked(f"another run is writing to {self.path.parent} ({holder}); "
                            "try again when it has finished") from None
        if record:
            os.ftruncate(descriptor, 0)
            os.write(descriptor, json.dumps({"pid": os.getpid(),
                                             "started_at": datetime.now(UTC).isoformat(timespec="seconds")})
                     .encode())
        self._descriptor = descriptor

    def release(self) -> None:
        """Let the next run in (closing the file releases the lock)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None


def _read_holder(descriptor: int) -> str:
    try:
        holder = json.loads(os.pread(descriptor, 4096, 0))
        return f"pid {holder['pid']}, started {holder['started_at']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
