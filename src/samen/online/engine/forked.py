"""Work run in a forked copy of the coordinator beside its own (ADRs 0094, 0115, 0120).

After the cluster phase the coordinator leaves the second core idle for most of its work, which
runs on one thread; a forked copy of the process has the index, the clusters and the analysis as
they are, without pickling them. The child writes what it makes into files opened before the
fork (shared with this process) and sends back a short result (bytes) through a pipe. A child
that fails (an exception, killed, out of memory) ends with a status other than 0, and ``result``
gives None: the caller then does that work itself, the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable


def can_fork() -> bool:
    """Whether a second process can be forked here: on Linux (elsewhere fork is unavailable or
    unsafe with threads), as ``LocalEngine`` decides."""
    return sys.platform == "linux" and hasattr(os, "fork")


class ForkedChild:
    """A forked process running ``work``; ``result`` waits for it and gives what it returned."""

    def __init__(self, pid: int, reader: int) -> None:
        self.pid: int | None = pid
        self.reader: int | None = reader

    @classmethod
    def start(cls, work: Callable[[], bytes]) -> ForkedChild | None:
        """Fork and run ``work`` in the child, which never returns; None where fork is not
        available."""
        if not can_fork():
            return None
        reader, writer = os.pipe()
        # What this process has buffered would be written twice, once by the child.
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(reader)
                payload = work()
                with os.fdopen(writer, "wb") as out:
                    # Its length first: a child that ends early (os._exit, a signal) with
                    # status 0 is not taken for one that finished.
                    out.write(len(payload).to_bytes(8, "little"))
                    out.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        return cls(pid, reader)

    def result(self) -> bytes | None:
        """What ``work`` returned, once the process has ended; None when it did not end with
        status 0 after sending all of it (or was already waited for or ended)."""
        if self.pid is None or self.reader is None:
            return None
        chunks = []
        try:
            with os.fdopen(self.reader, "rb") as incoming:
                while chunk := incoming.read(1 << 20):
                    chunks.append(chunk)
        except OSError:
            pass
        finally:
            self.reader = None
            try:
                _, status = os.waitpid(self.pid, 0)
            except OSError:
                status = -1
            self.pid = None
        if status == -1 or os.waitstatus_to_exitcode(status) != 0:
            return None
        received = b"".join(chunks)
        if len(received) < 8 or int.from_bytes(received[:8], "little") != len(received) - 8:
            return None
        return received[8:]

    def cancel(self) -> None:
        """End the process (if it runs) and reap it; close the pipe."""
        end(self.pid, self.reader)
        self.pid = self.reader = None


def end(pid: int | None, reader: int | None) -> None:
    """Kill and reap process ``pid`` and close its pipe's end ``reader`` (either may be None);
    a function of its own, so that a finalizer can hold it without the object."""
    if pid is not None:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
    if reader is not None:
        with contextlib.suppress(OSError):
            os.close(reader)
