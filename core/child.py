"""Child processes: the one way healthcrawl talks to a process it starts beside its own.

One Scrapy process runs on one core, so CPU work (parsing pages, MinHash signatures,
writing tables) runs in children: ``python -m core.child MODULE:HANDLER``. A child reads
:class:`Request` s from stdin and applies its *handler* (``MODULE:HANDLER``, a callable
made once at start) to each request's message, in order; a request that asks for one gets
a :class:`Reply` on stdout. Frames are a 4-byte big-endian length, then a pickle; both
ends are our own code, so pickle carries nothing from outside.

A request that wants no reply (a table append) may fail; the child then skips the
requests that want none and answers the next one that does with that failure, so the
caller learns of it at its next waiting call and nothing after it is half-applied.

A thread reads requests ahead into memory, so the parent never finds the pipe full and
waits while the child is busy with a long job (a row group being written). End of stdin
ends the child; Ctrl-C is ignored, since the crawl's process decides how a run ends.

Parents: :class:`ChildProcess` (blocking calls, the table writer) and
``core.worker_pool`` (the reactor's asyncio loop, the parse workers) speak the same
frames; :class:`InProcess` applies a handler in the caller's process behind the same
interface as :class:`ChildProcess` (its failures are raised at once).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import importlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

HEADER = struct.Struct(">I")
QUIET_GC_THRESHOLDS = (50_000, 20, 100)
"""Cyclic-GC thresholds of the children, and the crawl's default (``crawler.gc_tuning``)."""
PROJECT_ROOT = Path(__file__).resolve().parents[1]
READ_AHEAD = 20_000
"""Requests a child holds in memory before the parent's writes wait for it."""

T_co = TypeVar("T_co", covariant=True)
Handler = Callable[[Any], Any]


class Job(Protocol[T_co]):
    """A picklable unit of work; a worker calls ``run()`` (handler :func:`run_job`)."""

    def run(self) -> T_co: ...


def run_job(job: Job[T_co]) -> T_co:
    """The parse workers' handler: each message is a :class:`Job`."""
    return job.run()


def run_jobs() -> Handler:
    """Factory of :func:`run_job` for ``python -m core.child core.child:run_jobs``."""
    return run_job


@dataclass(frozen=True, slots=True)
class Request:
    """One message for the child's handler; ``reply``: answer with a :class:`Reply`."""

    message: Any
    reply: bool = True


@dataclass(frozen=True, slots=True)
class Reply:
    """The handler's return value (``ok``) or the exception it raised."""

    ok: bool
    value: Any

    def unwrap(self) -> Any:
        """The value, or the exception raised here."""
        if not self.ok:
            raise self.value
        return self.value


class ChildEnded(RuntimeError):
    """The child process ended while a caller still needed it."""


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


def child_command(handler: str) -> list[str]:
    """The command line of a child serving ``handler`` (``MODULE:FACTORY``)."""
    return [sys.executable, "-m", "core.child", handler]


def child_env() -> dict[str, str]:
    """The environment of a child: this one's, with the project on ``PYTHONPATH``
    wherever the crawl was started from."""
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def enlarge_pipes(*streams: IO[bytes], size: int = 1 << 20) -> None:
    """Let each pipe hold ``size`` bytes (Linux's default holds a page and a half of a
    large article), so neither end waits on the other for a short stall. Elsewhere, or
    above the system's limit, the pipes stay as they are."""
    for stream in streams:
        with contextlib.suppress(AttributeError, OSError):
            fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, size)


class Endpoint(Protocol):
    """Where a caller's messages are handled: in a child, or in the caller's process."""

    def send(self, message: Any) -> None:
        """Hand ``message`` over without waiting for its answer. A failure is raised here
        in the caller's process, and by the next :meth:`call` from a child."""

    def call(self, message: Any) -> Any:
        """Handle ``message`` and return the handler's value (or raise its exception)."""

    def flush(self) -> None:
        """Hand over what :meth:`send` buffered, without waiting for it to be handled."""

    def close(self) -> None:
        """Let the handler finish and release it."""


class ChildProcess:
    """An :class:`Endpoint` served by a child process (blocking calls)."""

    def __init__(self, handler: str) -> None:
        self.handler = handler
        self._child = subprocess.Popen(
            child_command(handler), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            bufsize=1 << 20,  # messages sent without a reply leave in batches
            env=child_env())

    def send(self, message: Any) -> None:
        self._write(Request(message, reply=False))

    def call(self, message: Any) -> Any:
        self._write(Request(message), flush=True)
        assert self._child.stdout is not None
        reply = read_frame(self._child.stdout)
        if reply is None:
            raise self._ended()
        return reply.unwrap()

    def flush(self) -> None:
        assert self._child.stdin is not None
        try:
            self._child.stdin.flush()
        except BrokenPipeError:
            raise self._ended() from None

    def close(self) -> None:
        """Close the child's input, wait for it to end, and release both pipes."""
        for pipe in (self._child.stdin, self._child.stdout):
            with contextlib.suppress(BrokenPipeError):
                if pipe is not None:
                    pipe.close()
        self._child.wait()

    def _write(self, request: Request, flush: bool = False) -> None:
        assert self._child.stdin is not None
        try:
            self._child.stdin.write(frame(request))
            if flush:
                self._child.stdin.flush()
        except BrokenPipeError:
            raise self._ended() from None

    def _ended(self) -> ChildEnded:
        return ChildEnded(f"the child process {self.handler} ended "
                          f"(exit code {self._child.wait()})")


class InProcess:
    """An :class:`Endpoint` that applies ``handler`` in the caller's process: a failed
    :meth:`send` raises at once, as a direct call would."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler

    def send(self, message: Any) -> None:
        self._handler(message)

    def call(self, message: Any) -> Any:
        return self._handler(message)

    def flush(self) -> None:
        """Nothing is buffered: :meth:`send` handled the message."""

    def close(self) -> None:
        """Nothing to release: the handler lives as long as its caller holds it."""


def serve(handler: Handler, source: IO[bytes], sink: IO[bytes], read_ahead: int = READ_AHEAD) -> None:
    """Apply ``handler`` to every request read from ``source``, answering on ``sink``
    those that ask, until the end of ``source`` (see the module doc for failures)."""
    inbox: queue.Queue[Request | None] = queue.Queue(read_ahead)
    threading.Thread(target=_read_ahead, args=(source, inbox), daemon=True).start()
    failure: Exception | None = None
    while (request := inbox.get()) is not None:
        if not request.reply:
            if failure is None:
                try:
                    handler(request.message)
                except Exception as error:
                    failure = error
            continue
        if failure is not None:
            reply = Reply(False, failure)
        else:
            try:
                reply = Reply(True, handler(request.message))
            except Exception as error:  # the handler's own failure goes back to the caller
                reply = Reply(False, error)
        try:
            data = frame(reply)
        except Exception as error:  # e.g. an exception that cannot be pickled
            data = frame(Reply(False, RuntimeError(f"{type(error).__name__}: {error}")))
        sink.write(data)
        sink.flush()


def _read_ahead(source: IO[bytes], inbox: queue.Queue[Request | None]) -> None:
    """Queue every request; at the end of input, or a request that cannot be read (the
    child ends then, and its parent reruns or reports what was pending), queue None."""
    try:
        while (request := read_frame(source)) is not None:
            inbox.put(request)
    except Exception:
        traceback.print_exc()  # to stderr, which the crawl's process shares
    finally:
        inbox.put(None)


def load_handler(spec: str) -> Handler:
    """The handler a ``MODULE:FACTORY`` spec makes (the factory is called once)."""
    module, _, factory = spec.partition(":")
    made: Handler = getattr(importlib.import_module(module), factory)()
    return made


def quiet_gc() -> None:
    """A child handles one message after another, freeing almost everything by reference
    counting: collect cycles rarely, and never scan what start-up imported (the crawl
    process does the same while its spider runs, ``crawler.gc_tuning``)."""
    gc.freeze()
    gc.set_threshold(*QUIET_GC_THRESHOLDS)


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    handler = load_handler(argv[0])
    quiet_gc()
    frames = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt a frame
    enlarge_pipes(sys.stdin.buffer, frames)
    serve(handler, sys.stdin.buffer, frames)


if __name__ == "__main__":
    from core import child  # what the child pickles must be core.child's classes, not __main__'s

    child.main(sys.argv[1:])
