"""Rows into DuckDB in bulk, column by column, through Arrow.

A run writes hundreds of thousands of rows (an activity for each step of each
person); DuckDB's row appender converts each Python value on its own, while an
Arrow column is built from a list in one call, in C. Measured on the
benchmark's activities (480,000 rows of 12 columns): 4.1 s through the
appender, 1.2–1.7 s as Arrow columns, conversion included.

Columns are given as `{name: (column type, values)}`, values a Python list
(or any sequence Arrow reads) in the table's column types (`db.column_type`).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from mkc.store.schema import quote

ARROW_TYPES = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(),
}
_VIEW = "_mkc_rows"  # the name statements read the rows by (see `_run`)
# The C library's allocator: pyarrow's default (mimalloc) took 1.6 times as much
# CPU to build a run's columns, next to DuckDB's own allocations.
_POOL = pa.system_memory_pool()

Columns = dict[str, tuple[str, object]]


def arrow(columns: Columns) -> pa.Table:
    return pa.table(
        {name: pa.array(values, ARROW_TYPES[ctype], memory_pool=_POOL) for name, (ctype, values) in columns.items()}
    )


def _run(con: duckdb.DuckDBPyConnection, columns: Columns, sql: str) -> None:
    """Run `sql`, which reads the rows as `_mkc_rows`: DuckDB finds the Arrow
    table by that name among this function's variables (a replacement scan).
    Not `con.register`, which keeps the table in memory until the transaction
    ends (a run's whole output, again), nor a relation's `query`, which binds
    the statement once more (twice the time of a small statement)."""
    _run_table(con, arrow(columns), sql)


def _run_table(con: duckdb.DuckDBPyConnection, rows: pa.Table, sql: str) -> None:
    _mkc_rows = rows  # noqa: F841 (read by the statement, by name)
    con.execute(sql)


def insert(con: duckdb.DuckDBPyConnection, table: str, columns: Columns) -> None:
    """Add rows to `table` (columns not given are NULL)."""
    names = ", ".join(quote(n) for n in columns)
    _run(con, columns, f"INSERT INTO {table} ({names}) SELECT {names} FROM {_VIEW}")


def insert_table(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Add the rows of an Arrow table to `table`, by column name."""
    names = ", ".join(quote(n) for n in rows.column_names)
    _run_table(con, rows, f"INSERT INTO {table} ({names}) SELECT {names} FROM {_VIEW}")


def with_column(rows: pa.Table, name: str, ctype: str, values) -> pa.Table:
    """`rows` with one more column: `values` (a sequence), or one value for every row."""
    if not isinstance(values, (range, list)):
        values = [values] * rows.num_rows
    return rows.append_column(name, pa.array(values, ARROW_TYPES[ctype], memory_pool=_POOL))


def update(con: duckdb.DuckDBPyConnection, table: str, key: str, columns: Columns) -> None:
    """Set the other columns given in the rows of `table` whose BIGINT `key` matches."""
    sets = ", ".join(f"{quote(n)} = r.{quote(n)}" for n in columns if n != key)
    where = f"{table}.{key} = r.{key} AND {_between(f'{table}.{key}', columns[key][1])}"
    _run(con, columns, f"UPDATE {table} SET {sets} FROM {_VIEW} AS r WHERE {where}")


def delete(con: duckdb.DuckDBPyConnection, table: str, key: str, values: list[int]) -> None:
    """Remove the rows of `table` whose BIGINT `key` is one of `values`."""
    where = f"{_between(key, values)} AND {key} IN (SELECT {key} FROM {_VIEW})"
    _run(con, {key: ("BIGINT", values)}, f"DELETE FROM {table} WHERE {where}")


def _between(column: str, keys) -> str:
    """The keys' range, said outright: DuckDB then skips the row groups outside
    it (a batch's people are one range of `_pid`s) instead of joining the whole
    table with the rows."""
    return f"{column} BETWEEN {int(min(keys))} AND {int(max(keys))}"
