"""A shallow stack for tests that prove something does not recurse."""

from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def shallow(frames: int):
    """Allow only `frames` more stack frames than the caller has: recursion
    along a program a thousand items long then fails, loops do not."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
