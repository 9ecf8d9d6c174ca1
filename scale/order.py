"""Order keys: where each piece of work of a partition falls in the log of the
whole run, so that partitions run apart merge into the single-process order.

A batch's queue runs work by (time, the order it was queued). Which items
were queued before which is a global fact, but each item's place in that
order can be named from its own history alone, as a byte string that sorts
as the single-process run would have queued it (its *insertion key*):

- a stored wait of the batch, resumed first: `00` + its `seq` (the store's
  order among the batch's waits, which are queued in (due, seq) order);
- a child queued while a wait-derived item ran (before the batch's entries):
  `01` + the parent's time + the parent's key + its index among the parent's
  children;
- a person entering the campaign: `02` + their `_pid` (entries are queued
  after every wait due by `--at` has run, in `_pid` order);
- a child queued after the entries: `03` + the same as `01`.

Items run in (time, key) order: the keys are prefix-free, so byte order is
the tuple order. An activity's key is its item's time and key, then its index
among the item's activities; a flow still waiting at the end of the run is
kept by (due, key), after the batch's waits of campaigns this model does not
have (`00` + due + seq, in the store's order).
"""

from __future__ import annotations

import datetime as dt

from mkc.interpreter import Interpreter, Runtime
from mkc.interpreter.runtime import WorkQueue

_EPOCH = dt.datetime(1970, 1, 1)
_US = dt.timedelta(microseconds=1)


def time_key(when: dt.datetime) -> bytes:
    """A naive datetime as 8 bytes that sort as the times do."""
    return ((when - _EPOCH) // _US + (1 << 63)).to_bytes(8, "big")


def number_key(n: int) -> bytes:
    return n.to_bytes(8, "big")


class KeyedQueue(WorkQueue):
    """The work queue, giving each item its insertion key (see the module) and
    noting, for each item run, where its activities begin in the log."""

    def __init__(self, runtime: Runtime):
        super().__init__()
        self.runtime = runtime
        self.clear()

    def clear(self) -> None:
        super().clear()
        self.keys: dict[int, bytes] = {}  # id(item) -> its key, while it is queued
        self.marks: list[tuple[int, bytes]] = []  # (log index, time + key) of each item run, in order
        self.parent: bytes | None = None  # the prefix of the running item's children
        self.children = 0
        self.root: bytes | None = None  # the key of the next item queued while none runs (a stored wait)
        self.pids: dict[str, int] | None = None  # set when the batch's people enter: handle -> _pid

    def push(self, when: dt.datetime, item) -> None:
        if self.parent is not None:
            key = self.parent + self.children.to_bytes(4, "big")
            self.children += 1
        elif self.root is not None:
            key = self.root
        elif self.pids is not None:
            key = b"\x02" + number_key(self.pids[item.run.person])
        else:  # (nothing else queues work in a batch run)
            raise AssertionError(f"work queued outside a batch run's order: {item!r}")
        self.keys[id(item)] = key
        super().push(when, item)

    def pop(self, until: dt.datetime | None):
        due = super().pop(until)
        if due is not None:
            when, item = due
            key = self.keys.pop(id(item))
            at = time_key(when)
            self.marks.append((len(self.runtime.log), at + key))
            self.parent = (b"\x03" if self.pids is not None else b"\x01") + at + key
            self.children = 0
        return due

    def enter(self, pids: dict[str, int]) -> None:
        """The batch's people are about to enter: they queue as roots, by `_pid`."""
        self.parent = None
        self.pids = pids

    def keyed_items(self) -> list[tuple[dt.datetime, object, bytes]]:
        """Every queued item, in the order it would run, with its key."""
        return [(when, item, self.keys[id(item)]) for when, item in self.items()]

    def activity_keys(self, count: int) -> list[bytes]:
        """The order keys of the first `count` activities of the log."""
        marks = self.marks
        if count and (not marks or marks[0][0] != 0):
            raise AssertionError("an activity logged outside the queue's work")
        keys = []
        for i, (start, key) in enumerate(marks):
            end = marks[i + 1][0] if i + 1 < len(marks) else count
            keys.extend(key + n.to_bytes(4, "big") for n in range(end - start))
        return keys


class KeyedRuntime(Runtime):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._queue = self.queue = KeyedQueue(self)


class KeyedInterpreter(Interpreter):
    """The reference interpreter over one partition, its queue keyed. Before
    each batch, `wait_seqs` are the `seq`s of the batch's stored waits in the
    order handed over; after it, `wait_keys` order the waits it hands back."""

    runtime_class = KeyedRuntime

    def begin_batch(self, wait_seqs: list[int]) -> None:
        self.wait_seqs = wait_seqs
        self.kept_keys: list[bytes] = []
        self._resumed = 0

    @property
    def queue(self) -> KeyedQueue:
        return self.runtime.queue

    def _resume(self, wait, campaign) -> bool:
        seq = number_key(self.wait_seqs[self._resumed])
        self._resumed += 1
        self.queue.root = b"\x00" + seq
        try:
            resumed = super()._resume(wait, campaign)
        finally:
            self.queue.root = None
        if not resumed:
            self.kept_keys.append(b"\x00" + time_key(wait.due) + seq)
        return resumed

    def _waiting(self):
        waits, keys = [], []
        for when, item, key in self.queue.keyed_items():
            wait = self._wait_of(when, item)
            if wait is not None:
                waits.append(wait)
                keys.append(b"\x01" + time_key(when) + key)
        self.wait_keys = self.kept_keys + keys
        return waits
