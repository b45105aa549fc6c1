"""Child processes: the one way healthcrawl talks to a process it starts beside its own.

One Scrapy process runs on one core, so CPU work (parsing pages, MinHash signatures,
writing tables) runs in children: ``python -m core.child MODULE:HANDLER``. A child reads
:class:`Request` s from stdin and applies its *handler* (``MODULE:HANDLER``, a callable
made once at start) to each request's message, in order; a request that asks for one gets
a :class:`Reply` on stdout. Frames are a 4-byte big-endian length, then a pickle; both
ends are our own code, so pickle carries nothing from outside.

A request that wants no reply (a table append) may fail; the child then skips the
requests that want none and answers the next one that does with that failure, so the
caller learns of it at its next waiting call and nothing after it is half-applied. A
message whose class says ``cleans_up = True`` (dropping what a failed run wrote) is still
applied then, and answered with its own outcome.

A thread reads requests ahead into memory, so the parent never finds the pipe full and
waits while the child is busy with a long job (a row group being written). End of stdin
ends the child; Ctrl-C is ignored, since the crawl's process decides how a run ends.

Parents: :class:`ChildProcess` (blocking calls, each bounded by a timeout and by Ctrl-C;
the table writer) and
``core.worker_pool`` (the reactor's asyncio loop, the parse workers) speak the same
frames; :class:`InProcess` applies a handler in the caller's process behind the same
interface as :class:`ChildProcess` (its failures are raised at once).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import gc
import importlib
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, Protocol, TypeVar

HEADER = struct.Struct(">I")
QUIET_GC_THRESHOLDS = (50_000, 20, 100)
"""Cyclic-GC thresholds of the children, and the crawl's default (``crawler.gc_tuning``)."""
PROJECT_ROOT = Path(__file__).resolve().parents[1]
READ_AHEAD = 20_000
"""Requests a child holds in memory before the parent's writes wait for it."""
CALL_TIMEOUT = 120.0
"""Seconds a :class:`ChildProcess` waits for an answer, or for room in the child's pipe."""
SEND_BATCH = 1 << 20
"""Bytes of requests without a reply gathered before they go down the pipe."""
SIGNAL_CHECK_SECONDS = 0.2
"""How often a wait on a child looks whether Ctrl-C or SIGTERM came meanwhile."""

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
    return b"".join(frame_parts(value))


def frame_parts(value: Any) -> tuple[bytes, bytes]:
    """:func:`frame` as its header and its payload, for a writer that joins frames anyway."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)), data


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
    wherever the crawl was started from, and this process's pid (:func:`die_with_parent`)."""
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, PARENT_PID: str(os.getpid())}


PARENT_PID = "HEALTHCRAWL_PARENT_PID"
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """End this child as soon as its parent ends, however it ends (on Linux the kernel
    sends it SIGKILL). A crawl killed with SIGKILL otherwise leaves its table writer
    working through the requests it had read ahead, writing the state store while the
    next run (``--resume``) reads it: that run then fetched a page again that it also
    found stored, and dropped it as a copy of itself. What the child had not handled is
    fetched again by the resumed run."""
    with contextlib.suppress(OSError, AttributeError):  # no prctl: not Linux
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = os.environ.get(PARENT_PID)
    if parent is not None and os.getppid() != int(parent):  # it ended before prctl
        os._exit(1)


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
        """Hand over what :meth:`send` buffered, without waiting for it to be handled;
        raise if a child serving the messages died or stopped keeping up."""

    def close(self) -> None:
        """Let the handler finish and release it."""


class ChildHung(ChildEnded):
    """The child process stopped answering: no reply, or no room in its pipe, within
    the caller's timeout (it is killed when closed)."""


class ChildInterrupted(ChildEnded):
    """Ctrl-C or SIGTERM came while the caller waited for the child."""


@dataclass(frozen=True, slots=True)
class Ping:
    """A request :func:`serve` answers itself, after every request sent before it: the
    child is alive and keeping up (or the failure of an earlier request)."""


_EARLY: dict[str, subprocess.Popen[bytes]] = {}
"""Children started ahead (:func:`start_early`), by handler, until a ChildProcess takes one."""


def start_early(handler: str) -> None:
    """Start the child serving ``handler`` now, for the next :class:`ChildProcess` of it to
    take: its interpreter and imports (a fifth of a second) then overlap the rest of this
    process's start instead of delaying the first call. One not taken ends with this
    process."""
    if handler not in _EARLY:
        if not _EARLY:
            atexit.register(_end_early)
        _EARLY[handler] = _spawn(handler)


def _spawn(handler: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(child_command(handler), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            bufsize=0, env=child_env())


def _end_early() -> None:
    """End the children started ahead that nothing took: their input closes, and they end
    (a child serves until its input ends)."""
    while _EARLY:
        child = _EARLY.popitem()[1]
        assert child.stdin is not None and child.stdout is not None
        child.stdin.close()
        child.stdout.close()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()


class ChildProcess:
    """An :class:`Endpoint` served by a child process (blocking calls, each bounded).

    No wait lasts longer than ``timeout`` seconds (:class:`ChildHung`), nor past a Ctrl-C
    or SIGTERM (:class:`ChildInterrupted`, the signal's own handler still runs), so a
    child that hangs cannot hang its caller. :meth:`flush` also asks the child, without
    waiting, whether it is alive and keeping up (:class:`Ping`): a child that died, or
    has not answered the last ping within ``timeout``, raises there."""

    def __init__(self, handler: str, timeout: float = CALL_TIMEOUT) -> None:
        self.handler = handler
        self.timeout = timeout
        early = _EARLY.pop(handler, None)
        self._child = early if early is not None else _spawn(handler)
        assert self._child.stdin is not None and self._child.stdout is not None
        self._stdin, self._stdout = self._child.stdin.fileno(), self._child.stdout.fileno()
        os.set_blocking(self._stdin, False)
        self._outbox: list[bytes] = []
        """Framed requests not yet in the pipe: messages sent without a reply leave in
        batches, joined once (a growing buffer would copy itself at each growth)."""
        self._outbox_bytes = 0
        self._pinged: float | None = None
        """When the ping not yet answered was sent."""
        self._broken: ChildEnded | None = None

    def send(self, message: Any) -> None:
        self._post(Request(message, reply=False))
        if self._outbox_bytes >= SEND_BATCH:
            self._drain()

    def call(self, message: Any) -> Any:
        self._post(Request(message))
        self._drain()
        if self._pinged is not None:
            self._reply()  # the ping's answer comes first
            self._pinged = None
        return self._reply().unwrap()

    def flush(self) -> None:
        """Hand over what :meth:`send` buffered, and check on the child (see the class doc)."""
        self._check()
        if self._child.poll() is not None:
            raise self._broke(self._ended())
        if self._pinged is not None and _readable(self._stdout):
            self._reply().unwrap()
            self._pinged = None
        if self._pinged is None:
            self._post(Request(Ping()))
            self._pinged = time.monotonic()
        elif time.monotonic() - self._pinged > self.timeout:
            raise self._broke(self._hung("is not keeping up"))
        self._drain()

    def close(self) -> None:
        """Hand over what is left, close the child's input and wait for it to end: at
        most ``timeout`` seconds, and not at all for one that already failed, which is
        killed."""
        with contextlib.suppress(ChildEnded):
            if self._broken is None:
                self._drain()
        for pipe in (self._child.stdin, self._child.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        try:
            self._child.wait(0 if self._broken is not None else self.timeout)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()

    def _post(self, request: Request) -> None:
        header, payload = frame_parts(request)
        self._outbox += (header, payload)
        self._outbox_bytes += len(header) + len(payload)

    def _drain(self) -> None:
        """Write the whole outbox into the pipe, waiting for room at most ``timeout``."""
        self._check()
        if not self._outbox:
            return
        data = self._outbox[0] if len(self._outbox) == 1 else b"".join(self._outbox)
        deadline = time.monotonic() + self.timeout
        sent = 0
        with _signals_noted() as signalled, memoryview(data) as view:
            try:
                while sent < len(view):  # through a view: no copy of what is left a write
                    try:
                        sent += os.write(self._stdin, view[sent:])
                    except BlockingIOError:
                        self._wait(self._stdin, select.POLLOUT, deadline, signalled,
                                   "does not read its input")
                    except (BrokenPipeError, ValueError):
                        raise self._broke(self._ended()) from None
            finally:
                self._outbox = [data[sent:] if sent else data] if sent < len(data) else []
                self._outbox_bytes = len(data) - sent

    def _reply(self) -> Reply:
        """The next reply, waited for at most ``timeout``."""
        self._check()
        deadline = time.monotonic() + self.timeout
        with _signals_noted() as signalled:
            header = self._read(HEADER.size, deadline, signalled)
            reply: Reply = pickle.loads(self._read(HEADER.unpack(header)[0], deadline, signalled))
        return reply

    def _read(self, size: int, deadline: float, signalled: list[int]) -> bytes:
        data = bytearray()
        while len(data) < size:
            self._wait(self._stdout, select.POLLIN, deadline, signalled, "does not answer")
            chunk = os.read(self._stdout, size - len(data))
            if not chunk:
                raise self._broke(self._ended())
            data += chunk
        return bytes(data)

    def _wait(self, fd: int, event: int, deadline: float, signalled: list[int], what: str) -> None:
        """Until ``fd`` is ready; a timeout or a signal ends the wait and the child."""
        poller = select.poll()
        poller.register(fd, event)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._broke(self._hung(what))
            if poller.poll(min(left, SIGNAL_CHECK_SECONDS) * 1000):
                return
            if signalled:
                raise self._broke(ChildInterrupted(
                    f"stopped waiting for the child process {self.handler}: interrupted"))

    def _check(self) -> None:
        if self._broken is not None:
            raise self._broken

    def _broke(self, error: ChildEnded) -> ChildEnded:
        """Remember ``error``: the exchange is out of step, every later use raises it."""
        self._broken = error
        return error

    def _hung(self, what: str) -> ChildHung:
        return ChildHung(f"the child process {self.handler} {what} within {self.timeout:g} s")

    def _ended(self) -> ChildEnded:
        return ChildEnded(f"the child process {self.handler} ended "
                          f"(exit code {self._child.wait()})")


def _readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


@contextlib.contextmanager
def _signals_noted() -> Iterator[list[int]]:
    """While the block waits on a child, note SIGINT and SIGTERM (in the main thread),
    handing each to the handler that was there, so the wait can give up."""
    signalled: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield signalled
        return
    signums = (signal.SIGINT, signal.SIGTERM)
    previous: dict[int, Any] = {signum: signal.getsignal(signum) for signum in signums}

    def note(signum: int, frame: FrameType | None) -> None:
        handler = previous[signum]
        if handler == signal.SIG_IGN:
            return
        signalled.append(signum)
        if callable(handler):
            handler(signum, frame)
        else:  # the default: the program ends as it would have
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    for signum in previous:
        signal.signal(signum, note)
    try:
        yield signalled
    finally:
        for signum, handler in previous.items():
            if signal.getsignal(signum) is note:  # else its handler put another there (a force-kill)
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


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
        if failure is not None and not getattr(request.message, "cleans_up", False):
            reply = Reply(False, failure)
        elif isinstance(request.message, Ping):
            reply = Reply(True, None)
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
    die_with_parent()
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
