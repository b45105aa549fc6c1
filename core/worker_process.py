"""A worker process: ``python -m core.worker_process``, driven by ``core.worker_pool``.

It reads jobs from stdin and writes their results to stdout, in order, one frame each:
a 4-byte big-endian length, then a pickle. A job is an object with ``run()``; a result
frame is ``(True, value)`` or ``(False, exception)``. End of stdin ends the worker.
Ctrl-C is ignored: the crawl's process decides how a run ends and closes the worker's
stdin. Both ends are our own code, so pickle carries nothing from outside.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import pickle
import signal
import struct
import sys
from pathlib import Path
from typing import IO, Any

HEADER = struct.Struct(">I")
QUIET_GC_THRESHOLDS = (50_000, 20, 100)
"""Cyclic-GC thresholds of the children, and the crawl's default (``crawler.gc_tuning``)."""
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def frame(value: Any) -> bytes:
    """``value`` pickled, behind its length."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def read_frame(stream: IO[bytes]) -> Any | None:
    """The next value framed on a blocking ``stream``; None at its end."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    size = HEADER.unpack(header)[0]
    payload = stream.read(size)
    return pickle.loads(payload) if len(payload) == size else None


def child_env() -> dict[str, str]:
    """The environment of a child running ``python -m`` one of our modules: this one's,
    with the project on ``PYTHONPATH`` wherever the crawl was started from."""
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def enlarge_pipes(*streams: IO[bytes], size: int = 1 << 20) -> None:
    """Let each pipe hold ``size`` bytes (Linux; 64 KB by default, about one page and a
    half), so neither end waits on the other for a short stall. Elsewhere, or above the
    system's limit, the pipes stay as they are."""
    for stream in streams:
        with contextlib.suppress(AttributeError, OSError):
            fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, size)


def serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """Run every job read from ``source``, writing each result to ``sink``, until EOF."""
    while (job := read_frame(source)) is not None:
        try:
            result: tuple[bool, Any] = (True, job.run())
        except Exception as error:  # the job's own failure goes back to the caller
            result = (False, error)
        try:
            data = frame(result)
        except Exception as error:  # e.g. an exception that cannot be pickled
            data = frame((False, RuntimeError(f"{type(error).__name__}: {error}")))
        sink.write(data)
        sink.flush()


def quiet_gc() -> None:
    """A child does one job after another, freeing almost everything by reference
    counting: collect cycles rarely, and never scan what start-up imported (the crawl
    process does the same while its spider runs, ``crawler.gc_tuning``)."""
    gc.freeze()
    gc.set_threshold(*QUIET_GC_THRESHOLDS)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet_gc()
    frames = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt a frame
    enlarge_pipes(sys.stdin.buffer, frames)
    serve(sys.stdin.buffer, frames)


if __name__ == "__main__":
    main()
