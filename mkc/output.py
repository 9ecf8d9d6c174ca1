"""Standard output that fails in one way: `StdoutFailed`, whatever wrote to
it (click.echo, a transcript, a run's activity log) and whenever the failure
shows (a write, or the flush at the end).

A full disk (`> /dev/full`), a closed descriptor (`>&-`) or a reader that went
away (`| head -1`) then ends the command in one line rather than a
traceback, and a run over a database rolls back (`mkc.store.commands`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys


class StdoutFailed(Exception):
    """Standard output could not be written."""

    def __init__(self, err: OSError | None, after: str = ""):
        self.err = err
        self.after = after  # what the command says after the reason (what it did not keep)
        super().__init__(self.reason + after)

    @property
    def closed_pipe(self) -> bool:
        """The reader went away (`| head -1`): Unix tools stop quietly then."""
        return isinstance(self.err, BrokenPipeError) or getattr(self.err, "errno", None) == errno.EPIPE

    @property
    def reason(self) -> str:
        if self.err is None:
            return "standard output is closed"
        return f"cannot write to standard output: {self.err.strerror or self.err}"


class _Guarded:
    """A text stream whose write and flush raise StdoutFailed, and go on raising
    it once it happened (a caller may swallow the first: click probes streams
    with writes); else the stream itself. What is still buffered then goes
    nowhere, so that Python's own flush at exit does not fail again."""

    def __init__(self, stream):
        self._stream = stream
        self._failure: StdoutFailed | None = None

    def write(self, text: str) -> int:
        if self._stream is None:  # started with descriptor 1 closed
            self._failure = self._failure or StdoutFailed(None)
        if self._failure is not None:
            raise self._failure
        try:
            return self._stream.write(text)
        except (OSError, ValueError) as err:  # ValueError: the stream was closed
            raise self._failed(err) from None

    def flush(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except (OSError, ValueError) as err:
            raise self._failed(err) from None

    def _failed(self, err: Exception) -> StdoutFailed:
        with contextlib.suppress(Exception):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)
        self._failure = StdoutFailed(err if isinstance(err, OSError) else None)
        return self._failure

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def guarded_stdout():
    """`sys.stdout` guarded for the duration, and flushed at the end (an exit
    included), so a failure surfaces as StdoutFailed here."""
    stream = sys.stdout
    if stream is not None and stream.isatty():  # a terminal neither fills up nor goes away; the REPL draws on it
        yield
        return
    sys.stdout = _Guarded(stream)
    try:
        try:
            yield
        except StdoutFailed:
            raise
        except BaseException:  # an exit, or an error: what was written still goes out first
            sys.stdout.flush()
            raise
        sys.stdout.flush()
    finally:
        sys.stdout = stream


def goes_nowhere(stream) -> bool:
    """Whether `stream` is the null device (`> /dev/null`): what is written to
    it is thrown away, so a command need not make it (GNU tar does the same)."""
    try:
        here, null = os.fstat(stream.fileno()), os.stat(os.devnull)
    except (AttributeError, OSError, ValueError):  # no descriptor (a test's buffer), or a closed one
        return False
    return (here.st_dev, here.st_ino, here.st_rdev) == (null.st_dev, null.st_ino, null.st_rdev)
