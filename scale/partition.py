"""Splitting a database's people into partitions, and writing each
partition's slice for its worker.

A person's partition is the MD5 digest of their `id`, read as a
little-endian number, modulo the number of partitions (DuckDB's
`md5_number(id) % N`): stable across runs, machines and Python versions, and
independent of the order people were added in. Everything a run reads of a
person goes with them: their memberships, campaign entries, waits and past
activities (for the conditions on history).
"""

from __future__ import annotations

import hashlib
import os

from mkc.scale.worker import SLICES
from mkc.store.db import Store

_PART = "mkc_scale_part"  # a temporary table: _pid -> partition


def partition_of(person_id: str, parts: int) -> int:
    """The partition of the person with this `id` (as `write_slices` puts them)."""
    return int.from_bytes(hashlib.md5(person_id.encode()).digest(), "little") % parts


def write_slices(store: Store, parts: int, folder: str) -> list[str]:
    """Write each partition's slice as Parquet files, one per table, in a
    folder of its own under `folder`; the folders. Reads the database as the
    running transaction sees it (a run's import included)."""
    con = store.con
    part_of = f"(md5_number(id) % {int(parts)})::INTEGER"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_PART} AS SELECT _pid, {part_of} AS part, "
        "row_number() OVER (ORDER BY _pid) - 1 AS rank FROM people"
    )
    folders = []
    for part in range(parts):
        where = os.path.join(folder, f"part-{part:05d}")
        os.makedirs(where)
        for table in SLICES:
            path = os.path.join(where, f"{table}.parquet")
            if table == "people":  # `_row`: the person's rank by `_pid` among all the people (the global batches)
                rows = (
                    f"SELECT p.*, r.rank AS _row FROM people p JOIN {_PART} r ON r._pid = p._pid WHERE r.part = {part}"
                )
            else:
                rows = (
                    f"SELECT *, rowid AS _row FROM {table} WHERE pid IN (SELECT _pid FROM {_PART} WHERE part = {part})"
                )
            con.execute(f"COPY ({rows}) TO '{_sql_text(path)}' (FORMAT parquet)")
        folders.append(where)
    con.execute(f"DROP TABLE {_PART}")
    return folders


def _sql_text(text: str) -> str:
    return text.replace("'", "''")
