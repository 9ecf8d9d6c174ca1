"""A bounded memo: what is costly to make and asked for again and again
(a compiled token, a formatted time) is made once and looked up after."""

from __future__ import annotations

from collections.abc import Callable


class Memo(dict):
    """`memo[key]` is `make(key)`, made on the first look-up and remembered.
    Past `limit` entries it starts afresh, so a long REPL session or a run
    over millions of distinct values stays bounded; a look-up that finds its
    value costs what a dict's does."""

    __slots__ = ("make", "limit")

    def __init__(self, make: Callable, limit: int):
        super().__init__()
        self.make, self.limit = make, limit

    def __missing__(self, key):
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.make(key)
        return value
