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

import glob
import hashlib
import os
import shutil

from mkc.columnar.run import resources
from mkc.columnar.values import sql_text
from mkc.scale.worker import SLICES
from mkc.store.db import Store

_PART = "mkc_scale_part"  # a temporary table: _pid -> partition


def partition_of(person_id: str, parts: int) -> int:
    """The partition of the person with this `id` (as `write_slices` puts them)."""
    return int.from_bytes(hashlib.md5(person_id.encode()).digest(), "little") % parts


def part_sql(column: str, parts: int) -> str:
    """`partition_of` in DuckDB's SQL, of the text column `column`. DuckDB's
    modulo of the 128-bit `md5_number` is slow (3.7 s of CPU a million people,
    most of writing the slices), so the number is split into its 64-bit halves,
    each reduced on its own: (hi * 2^64 + lo) % N, all below 2^64 for N < 2^31."""
    n = int(parts)
    if not 0 < n < 1 << 31:
        raise ValueError(f"{n} partitions: from 1 to {(1 << 31) - 1}")
    h = f"md5_number({column})"
    hi, lo = f"({h} >> 64)::UBIGINT", f"({h} & {(1 << 64) - 1}::UHUGEINT)::UBIGINT"
    return f"((({hi} % {n}) * {(1 << 64) % n} + {lo} % {n}) % {n})::INTEGER"


def write_slices(store: Store, parts: int, folder: str) -> list[str]:
    """Write each partition's slice as Parquet files, one per table, in a
    folder of its own under `folder`; the folders. Reads the database as the
    running transaction sees it (a run's import included).

    Each table is read once for all the partitions (`COPY ... PARTITION_BY`,
    into `folder/TABLE/part=K/`), and each partition's file is then moved to
    its own folder as `TABLE.parquet`; a partition without rows of a table
    gets an empty file of the table's columns. The worker orders the rows as
    it loads them (worker.py `SLICES`), so the order in a file is free."""
    con = store.con
    # (the engine's threads and memory: the store's 256 MB ran out at 10,000,000 people)
    with resources(con, store.count_people()):
        return _write(con, parts, folder)


def _write(con, parts: int, folder: str) -> list[str]:
    part_of = part_sql("id", parts)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_PART} AS SELECT _pid, {part_of} AS part, "
        "row_number() OVER (ORDER BY _pid) - 1 AS rank FROM people"
    )
    folders = [os.path.join(folder, f"part-{part:05d}") for part in range(parts)]
    for where in folders:
        os.makedirs(where)
    for table in SLICES:
        if table == "people":  # `_row`: the person's rank by `_pid` among all the people (the global batches)
            rows = f"SELECT p.*, r.rank AS _row, r.part FROM people p JOIN {_PART} r ON r._pid = p._pid"
        else:
            rows = f"SELECT t.*, t.rowid AS _row, r.part FROM {table} t JOIN {_PART} r ON r._pid = t.pid"
        spread = os.path.join(folder, table)
        con.execute(f"COPY ({rows}) TO {sql_text(spread)} (FORMAT parquet, PARTITION_BY (part))")
        for part, where in enumerate(folders):
            _place(con, os.path.join(spread, f"part={part}"), os.path.join(where, f"{table}.parquet"), rows)
        shutil.rmtree(spread)
    con.execute(f"DROP TABLE {_PART}")
    return folders


def _place(con, written: str, path: str, rows: str) -> None:
    """One partition's file of a table at `path`: the one DuckDB wrote in
    `written`, or its several files as one, or none of the rows."""
    files = sorted(glob.glob(os.path.join(glob.escape(written), "*.parquet")))
    if len(files) == 1:
        os.rename(files[0], path)
        return
    if files:  # (a writer that closed and reopened its partition's file)
        found = "[" + ", ".join(sql_text(f) for f in files) + "]"
        rows = f"FROM read_parquet({found}, hive_partitioning = false)"
    else:
        rows = f"SELECT * EXCLUDE (part) FROM ({rows}) LIMIT 0"
    con.execute(f"COPY ({rows}) TO {sql_text(path)} (FORMAT parquet)")
