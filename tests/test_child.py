"""Child processes: replies in order, failures where the caller waits, and a clear error
when the child is gone."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.child import (
    _EARLY,
    ChildEnded,
    ChildHung,
    ChildInterrupted,
    ChildProcess,
    InProcess,
    Ping,
    Reply,
    Request,
    frame,
    read_frame,
    serve,
    start_early,
)
from tests.crawl.faulty_jobs import Sleeps

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Square:
    number: int

    def run(self) -> int:
        if self.number < 0:
            raise ValueError(f"negative: {self.number}")
        return self.number * self.number


def served(*requests: Request) -> list[Reply]:
    """The replies ``serve`` writes for ``requests`` (handler: run the job)."""
    source, sink = io.BytesIO(b"".join(frame(r) for r in requests)), io.BytesIO()
    serve(lambda job: job.run(), source, sink)
    sink.seek(0)
    replies = []
    while (reply := read_frame(sink)) is not None:
        replies.append(reply)
    return replies


def test_requests_that_ask_are_answered_in_order() -> None:
    assert [r.value for r in served(Request(Square(2)), Request(Square(3)))] == [4, 9]


def test_a_failed_job_is_answered_with_its_exception_and_the_next_still_runs() -> None:
    failed, next_one = served(Request(Square(-1)), Request(Square(4)))
    assert not failed.ok and isinstance(failed.value, ValueError)
    assert next_one == Reply(True, 16)


def test_a_failure_without_a_reply_is_raised_at_the_next_waiting_request() -> None:
    (reply,) = served(Request(Square(-1), reply=False), Request(Square(5), reply=False),
                      Request(Square(6)))
    with pytest.raises(ValueError, match="negative: -1"):
        reply.unwrap()


def test_in_process_endpoint_raises_a_failed_send_at_once() -> None:
    endpoint = InProcess(lambda job: job.run())
    with pytest.raises(ValueError, match="negative: -2"):
        endpoint.send(Square(-2))
    assert endpoint.call(Square(3)) == 9


def test_a_request_the_child_cannot_read_ends_it_instead_of_hanging(tmp_path: Path) -> None:
    # A class the child cannot import: unpickling fails in the read-ahead thread.
    script = tmp_path / "unreadable.py"
    script.write_text("""
from dataclasses import dataclass
from core.child import ChildEnded, ChildProcess

@dataclass(frozen=True)
class Local:
    def run(self) -> int:
        return 1

child = ChildProcess("core.child:run_jobs")
try:
    child.call(Local())
except ChildEnded as error:
    print("ended:", error)
finally:
    child.close()
""")
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:  # a file, not a pipe the hung child would hold open
        done = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=stderr,
                              text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.startswith("ended: the child process core.child:run_jobs ended"), errors.read_text()


def test_a_child_process_answers_what_the_handler_returns() -> None:
    child = ChildProcess("core.child:run_jobs")
    try:
        assert child.call(Square(7)) == 49
    finally:
        child.close()


def test_a_child_that_died_is_named_in_one_clear_error() -> None:
    child = ChildProcess("core.child:run_jobs")
    os.kill(child._child.pid, signal.SIGKILL)
    child._child.wait()
    with pytest.raises(ChildEnded, match="core.child:run_jobs ended"):
        child.call(Square(2))
    child.close()


def test_a_ping_is_answered_after_the_requests_before_it_with_their_failure() -> None:
    ok, failed = served(Request(Ping()), Request(Square(-1), reply=False), Request(Ping()))
    assert ok == Reply(True, None)
    with pytest.raises(ValueError, match="negative: -1"):
        failed.unwrap()


def test_a_call_the_child_never_answers_raises_after_the_timeout_and_close_kills_it() -> None:
    child = ChildProcess("core.child:run_jobs", timeout=1)
    with pytest.raises(ChildHung, match="does not answer within 1 s"):
        child.call(Sleeps(60))
    with pytest.raises(ChildHung):
        child.call(Square(2))  # the exchange is out of step: every later use fails alike
    child.close()
    assert child._child.returncode is not None


def test_flush_raises_once_a_child_died() -> None:
    child = ChildProcess("core.child:run_jobs")
    child.send(Square(2))
    os.kill(child._child.pid, signal.SIGKILL)
    child._child.wait()
    with pytest.raises(ChildEnded, match="core.child:run_jobs ended"):
        child.flush()
    child.close()


def test_flush_raises_once_a_child_stopped_keeping_up_for_the_timeout() -> None:
    child = ChildProcess("core.child:run_jobs", timeout=0.5)
    child.send(Sleeps(60))
    child.flush()  # asks the child for a sign of life, without waiting
    time.sleep(0.8)
    with pytest.raises(ChildHung, match="is not keeping up within 0.5 s"):
        child.flush()
    child.close()


def test_flush_of_a_child_keeping_up_raises_nothing() -> None:
    child = ChildProcess("core.child:run_jobs", timeout=30)
    assert child.call(Square(1)) == 1  # started: a slow start on a loaded machine is no hang
    child.timeout = 0.5
    for _ in range(3):
        child.send(Square(2))
        child.flush()
        time.sleep(0.3)
    assert child.call(Square(3)) == 9
    child.close()


def test_sigterm_ends_a_wait_on_a_hung_child_and_still_reaches_its_handler() -> None:
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    child = ChildProcess("core.child:run_jobs", timeout=60)
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM)).start()
    try:
        with pytest.raises(ChildInterrupted, match="interrupted"):
            child.call(Sleeps(60))
    finally:
        child.close()
        signal.signal(signal.SIGTERM, previous)
    assert received == [signal.SIGTERM]


def test_a_handler_that_installs_another_during_a_wait_keeps_it_in_place() -> None:
    def force_kill(signum: int, frame: object) -> None:
        pass

    def graceful(signum: int, frame: object) -> None:  # as Scrapy's first Ctrl-C does
        signal.signal(signal.SIGTERM, force_kill)

    previous = signal.signal(signal.SIGTERM, graceful)
    child = ChildProcess("core.child:run_jobs", timeout=60)
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM)).start()
    try:
        with pytest.raises(ChildInterrupted):
            child.call(Sleeps(60))
        assert signal.getsignal(signal.SIGTERM) is force_kill
    finally:
        child.close()
        signal.signal(signal.SIGTERM, previous)


def test_a_child_ends_as_soon_as_its_parent_is_killed_leaving_what_it_read_ahead() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", "import time; from core.child import ChildProcess; "
         "from tests.crawl.faulty_jobs import Sleeps; "
         "child = ChildProcess('core.child:run_jobs'); "
         "[child.send(Sleeps(1.0)) for _ in range(30)]; child.flush(); "
         "print(child._child.pid, flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child_pid)


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_child_started_early_is_the_one_the_next_child_process_of_its_handler_takes() -> None:
    start_early("core.child:run_jobs")
    early = _EARLY["core.child:run_jobs"]
    child = ChildProcess("core.child:run_jobs")
    try:
        assert child._child is early and "core.child:run_jobs" not in _EARLY
        assert child.call(Square(6)) == 36
    finally:
        child.close()


def test_a_child_started_early_that_nothing_takes_is_ended_and_reaped_with_its_parent() -> None:
    parent = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", "-c", "from core.child import start_early, _EARLY; "
         "start_early('core.child:run_jobs'); print(_EARLY['core.child:run_jobs'].pid)"],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=True)
    child_pid = int(parent.stdout)
    deadline = time.monotonic() + 5
    while _alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child_pid) and parent.stderr == ""
