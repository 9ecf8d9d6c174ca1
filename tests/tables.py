"""Every table of an mkc database, to compare two runs' results (the columnar
engine's and the reference interpreter's, spread and one process, a database
before and after a refused command): the one dump the tests share.

Each table is its columns (name and type, in order) and then its rows, every
value as DuckDB's text of it (so 1 and 1.0, or -0.0 and 0.0, differ), except
`runs.started` (the wall clock); `rest_ids` too where a command made it. Two
orders:

- `STORED`: each table's rows in the order they are stored (rowid: a run's
  write-back decides it, and the next run reads memberships, entries and
  waits back in it), the activity log in its own order (`seq`; its rows'
  storage order means nothing, store/schema.py). For two runs on one process.
- `SORTED`: every table's rows sorted by all their values: a spread run with
  the reference interpreter in its workers stores rows by person
  (docs/scale.md), so only the rows, not their order, must be the same.
"""

from __future__ import annotations

import pathlib
import shutil
import sys

import duckdb

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `bench` is a folder of the repository, not an installed package

from bench.e2e import extra_tables  # noqa: E402
from mkc.store.schema import TABLES, quote  # noqa: E402

STORED, SORTED = "stored", "sorted"
SKIP = {("runs", "started")}
NO_DATABASE = {"(the database)": ["(none: the run removed it or never made it)"]}


def dump(path: str, order: str = STORED) -> dict[str, list[tuple]]:
    """Every table: `[(column, type)...]` and then its rows, in `order` (none: no database)."""
    if order not in (STORED, SORTED):
        raise ValueError(f"order is {STORED!r} or {SORTED!r}, not {order!r}")
    if not pathlib.Path(path).exists():
        return dict(NO_DATABASE)
    con = duckdb.connect(path, read_only=True)
    try:
        found = {}
        for table in (*TABLES, *extra_tables(con)):
            columns = [r[:2] for r in con.execute(f"DESCRIBE {table}").fetchall() if (table, r[0]) not in SKIP]
            select = ", ".join(f"CAST({quote(name)} AS VARCHAR)" for name, _ in columns)
            by = "ALL" if order == SORTED else "seq" if table == "activities" else "rowid"
            found[table] = [tuple(columns), *con.execute(f"SELECT {select} FROM {table} ORDER BY {by}").fetchall()]
        return found
    finally:
        con.close()


def differences(a: dict, b: dict, names: tuple[str, str] = ("first", "second"), limit: int = 5) -> list[str]:
    """What differs between two dumps: for each table that does, its first
    `limit` differing rows (row 0: the columns), each as `names` saw it."""
    said = []
    for table in dict.fromkeys([*a, *b]):
        left, right = a.get(table, ["(no table)"]), b.get(table, ["(no table)"])
        shown = 0
        for index in range(max(len(left), len(right))):
            x = left[index] if index < len(left) else "(no row)"
            y = right[index] if index < len(right) else "(no row)"
            if x != y and shown < limit:
                what = "columns" if index == 0 else f"row {index}"
                rows = f"{len(left) - 1} rows vs {len(right) - 1}"
                said.append(f"{table}, {what} ({rows}):\n  {names[0]}:  {x!r}\n  {names[1]}: {y!r}")
                shown += 1
    return said


def copies(path: str, *names: str) -> list[str]:
    """Copies of the database at `path`, beside it, named `names`."""
    out = []
    for name in names:
        target = f"{path}.{name}"
        shutil.copyfile(path, target)
        out.append(target)
    return out
