"""A worker process: ``python -m crawler.worker_process``, driven by ``crawler.worker_pool``.

It reads jobs from stdin and writes their results to stdout, in order, one frame each:
a 4-byte big-endian length, then a pickle. A job is an object with ``run()``; a result
frame is ``(True, value)`` or ``(False, exception)``. End of stdin ends the worker.
Ctrl-C is ignored: the crawl's process decides how a run ends and closes the worker's
stdin. Both ends are our own code, so pickle carries nothing from outside.
"""

from __future__ import annotations

import pickle
import signal
import struct
import sys
from typing import IO, Any

HEADER = struct.Struct(">I")


def frame(value: Any) -> bytes:
    """``value`` pickled, behind its length."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """Run every job read from ``source``, writing each result to ``sink``, until EOF."""
    while (header := _read_exactly(source, HEADER.size)) is not None:
        payload = _read_exactly(source, HEADER.unpack(header)[0])
        if payload is None:
            return
        try:
            result: tuple[bool, Any] = (True, pickle.loads(payload).run())
        except Exception as error:  # the job's own failure goes back to the caller
            result = (False, error)
        try:
            data = frame(result)
        except Exception as error:  # e.g. an exception that cannot be pickled
            data = frame((False, RuntimeError(f"{type(error).__name__}: {error}")))
        sink.write(data)
        sink.flush()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    frames = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt a frame
    serve(sys.stdin.buffer, frames)


if __name__ == "__main__":
    main()
