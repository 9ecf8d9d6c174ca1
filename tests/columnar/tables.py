"""Every table of an mkc database, in a canonical order, to compare the
columnar engine's result with the reference interpreter's on copies of one
database: each table's rows in their stored order (rowid: the order rows
were written, which a run's write-back decides, and in which a run reads
memberships back), the activity log in its own order (`seq`; its rows'
storage order means nothing, store/schema.py), every column as text, except
`runs.started` (the wall clock)."""

from __future__ import annotations

import shutil

import duckdb

from mkc.store.schema import TABLES, quote

SKIP = {("runs", "started")}


def dump(path: str) -> dict[str, list[tuple]]:
    con = duckdb.connect(path, read_only=True)
    try:
        found = {}
        for table in TABLES:
            names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if (table, r[0]) not in SKIP]
            select = ", ".join(f"CAST({quote(n)} AS VARCHAR)" for n in names)
            order = "seq" if table == "activities" else "rowid"
            found[table] = [tuple(names), *con.execute(f"SELECT {select} FROM {table} ORDER BY {order}").fetchall()]
        return found
    finally:
        con.close()


def differences(a: dict, b: dict, limit: int = 5) -> list[str]:
    """What differs between two dumps: for each table, its first differing rows."""
    said = []
    for table in TABLES:
        ra, rb = a[table], b[table]
        if ra == rb:
            continue
        said.append(f"{table}: {len(ra) - 1} rows vs {len(rb) - 1}")
        shown = 0
        for i, (x, y) in enumerate(zip(ra, rb)):
            if x != y and shown < limit:
                said.append(f"  row {i}: {x}\n       vs {y}")
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
