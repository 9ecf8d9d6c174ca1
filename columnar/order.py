"""The order key: one HUGEINT per activity (and per entry) whose order is
the reference interpreter's log order (see `activities.py` for what it
orders by), packed so that sorting a run's log is sorting numbers.

From the top bit down: the batch (17 bits), the wave plus one (4 bits; 0
orders a batch campaign's entries before everything its flows do), the
person's rank by `_pid` (27 bits), then one slot of 14 bits per level of
the flow's path: the position of a step in its flow (8 bits) and the place
of a trigger campaign among those one event starts (6 bits). A flow of wave
w holds w slots; what it logs goes in slot w + 1.
"""

from __future__ import annotations

BATCH, WAVE, RANK = 110, 106, 79
SLOT, INDEX = 14, 6  # a slot's width, and the place's within it (the position's is above)
MAX_WAVE = 4  # waves 0..4: slot 5 is the last
MAX_POS = 255
MAX_INDEX = 63
MAX_RANK = (1 << 27) - 1  # (its batch, at 2,000 people a batch, fits 17 bits)


def _shift(sql: str, bits: int) -> str:
    return f"(CAST({sql} AS HUGEINT) << {bits})"


def start(rank: str, batch_size: int) -> str:
    """SQL: the key of a batch campaign's flow for the person of rank `rank`."""
    return f"({_shift(f'{rank} // {batch_size}', BATCH)} + {_shift('1', WAVE)} + {_shift(rank, RANK)})"


def entered(rank: str, batch_size: int) -> str:
    """SQL: the key of the person's entry into the batch campaign (before all flows of the batch)."""
    return f"({_shift(f'{rank} // {batch_size}', BATCH)} + {_shift(rank, RANK)})"


def batch(key: str) -> str:
    """SQL: the batch of a key."""
    return f"({key} >> {BATCH})"


def at(key: str, wave: int, pos: int, index: int = 0) -> str:
    """SQL: the key of what the step at `pos` of a flow of `wave` (key `key`)
    logs; with `index`, of the trigger campaign it starts in that place."""
    base = RANK - SLOT * (wave + 1)
    return f"({key} + {(pos << (base + INDEX)) + (index << base)})"


def child(key: str, wave: int, pos: int, index: int) -> str:
    """SQL: the key of the flow a step at `pos` of a flow of `wave` starts, in place `index`."""
    return f"({at(key, wave, pos, index)} + {1 << WAVE})"


def placeholder(statement: int, rank: str) -> str:
    """SQL: the `seq` an activity is stored with until its chunk is numbered:
    negative (never a real `seq`), and one per statement and person (a step
    logs once for each flow it runs, and a person runs one flow at a time).
    It grows with the statement and the rank, as the rows are stored, so the
    numbering updates them in their stored order (scattered, that update
    was ten times slower)."""
    return f"({statement * (MAX_RANK + 1) - (1 << 62)} + {rank})"


def statement(seq: str) -> str:
    """SQL: the statement a placeholder `seq` was logged by."""
    return f"(({seq} + {1 << 62}) // {MAX_RANK + 1})"
