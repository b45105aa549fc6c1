"""A run's :class:`~pipelines.tableset.TableSet` in its own process.

Turning records into CSV and Parquet row groups is CPU the crawl's single core can spare
least (PERFORMANCE.md). :class:`TableSetProcess` has the ``TableSet`` interface; each call
is sent to ``python -m pipelines.tableset_process``, which owns the real ``TableSet``.
Appends are sent without waiting for an answer; ``open``, ``close``, ``retract`` and ``row_counts``
wait for theirs. A failed append is kept by the child and raised by the next call that
waits, so the export stage still marks the run failed and never publishes it. The child
ends at end of input: when the crawl closes it, or dies.

Messages use the length-prefixed pickle frames of ``core.worker_process``.
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from core.records import ArticleRecord
from core.worker_process import child_env, enlarge_pipes, frame, quiet_gc, read_frame
from pipelines.tables import DuplicateRow
from pipelines.tableset import TableSet, check_formats
from pipelines.writers import DEFAULT_ROW_GROUP_SIZE


class TableSetProcess:
    """The ``TableSet`` interface, served by a child process (see the module doc)."""

    def __init__(
        self, folder: Path, formats: Sequence[str], row_group_size: int = DEFAULT_ROW_GROUP_SIZE
    ) -> None:
        self.formats = check_formats(formats)
        if row_group_size < 1:
            raise ValueError(f"row_group_size must be positive, got {row_group_size}")
        self.folder = folder
        self._child = subprocess.Popen(
            [sys.executable, "-m", "pipelines.tableset_process"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1 << 20,  # appends leave in batches
            env=child_env())
        # Not waited for: the child's start-up (a quarter of a second, pyarrow's import)
        # overlaps the crawl's own, and ``open`` waits for the child's answer.
        self._send("__init__", folder, self.formats, row_group_size)

    def open(self) -> None:
        """See :meth:`TableSet.open`; waits, so a child that cannot start or create the
        files fails the crawl before its first request, not at its end."""
        self._call("open")

    def write_record(self, record: ArticleRecord) -> None:
        """See :meth:`TableSet.write_record`; a failure surfaces at the next waiting call."""
        self._send("write_record", record)

    def write_duplicate(self, row: DuplicateRow) -> None:
        """See :meth:`TableSet.write_duplicate`."""
        self._send("write_duplicate", row)

    def close(self) -> None:
        """See :meth:`TableSet.close`; raises the first failure of the run's appends."""
        self._call("close")

    def retract(self, successors: Mapping[str, str]) -> None:
        """See :meth:`TableSet.retract`."""
        self._call("retract", dict(successors))

    def row_counts(self) -> dict[str, int]:
        """See :meth:`TableSet.row_counts`."""
        counts: dict[str, int] = self._call("row_counts")
        return counts

    def shutdown(self) -> None:
        """End the child process (its tables must be closed already to be complete)."""
        if self._child.poll() is None:
            assert self._child.stdin is not None
            self._child.stdin.close()
            self._child.wait()

    def _send(self, method: str, *args: Any, reply: bool = False) -> None:
        assert self._child.stdin is not None
        try:
            self._child.stdin.write(frame((method, args, reply)))
            if reply:
                self._child.stdin.flush()
        except BrokenPipeError:
            raise RuntimeError(f"the table writer process ended (exit code {self._child.wait()})") from None

    def _call(self, method: str, *args: Any) -> Any:
        self._send(method, *args, reply=True)
        assert self._child.stdout is not None
        answer = read_frame(self._child.stdout)
        if answer is None:
            raise RuntimeError(f"the table writer process ended (exit code {self._child.wait()})")
        ok, value = answer
        if not ok:
            raise value
        return value


def _read_ahead(source: IO[bytes], inbox: queue.Queue[Any]) -> None:
    while (message := read_frame(source)) is not None:
        inbox.put(message)
    inbox.put(None)


def serve(source: IO[bytes], sink: IO[bytes], read_ahead: int = 20_000) -> None:
    """Apply each ``(method, args, reply)`` read from ``source`` to this process's
    ``TableSet``; after a failure, skip appends and answer every waiting call with it.

    A thread reads up to ``read_ahead`` messages ahead: while a row group is being
    written (a second or so for 10,000 rows) the crawl's process must not find the pipe
    full and wait; only a writer that is slower on average holds the crawl back."""
    inbox: queue.Queue[Any] = queue.Queue(read_ahead)
    threading.Thread(target=_read_ahead, args=(source, inbox), daemon=True).start()
    tables: TableSet | None = None
    failure: BaseException | None = None
    while (message := inbox.get()) is not None:
        method, args, reply = message
        value = None
        if failure is None:
            try:
                if method == "__init__":
                    tables = TableSet(*args)
                else:
                    value = getattr(tables, method)(*args)
            except Exception as error:
                failure = error
        if reply:
            sink.write(frame((False, failure) if failure is not None else (True, value)))
            sink.flush()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl's process decides how a run ends
    quiet_gc()
    frames = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt a frame
    enlarge_pipes(sys.stdin.buffer)
    serve(sys.stdin.buffer, frames)


if __name__ == "__main__":
    main()
