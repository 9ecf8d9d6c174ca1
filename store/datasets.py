"""Parquet datasets: a folder of `.parquet` files that together hold one
table, the way warehouses and object stores keep large tables (and the way a
partitioned run's slices can live beside a cluster).

`mkc db import FOLDER` reads every `.parquet` file in the folder, in name
order, as one export (its rows numbered across the files); `mkc db export
FOLDER --format parquet` writes `part-00000.parquet`, `part-00001.parquet`,
... of up to `ROWS_PER_FILE` rows each, in the export's order. The folder is
written beside its place and moved in whole: a failed export leaves what was
there.
"""

from __future__ import annotations

import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq

from mkc.source import BadInput

ROWS_PER_FILE = 1_000_000
_PART = "part-{:05d}.parquet"


def files(folder: str) -> list[str]:
    """The `.parquet` files of a dataset folder, in name order; BadInput if none."""
    try:
        names = sorted(n for n in os.listdir(folder) if n.casefold().endswith(".parquet"))
    except OSError as err:
        raise BadInput(f"{folder}: {err.strerror}") from None
    found = [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]
    if not found:
        raise BadInput(f"{folder}: a directory without .parquet files (a Parquet dataset is a folder of them)")
    return found


def is_dataset(out: str, fmt: str) -> bool:
    """Whether an export to `out` in `fmt` is a dataset: Parquet to a folder
    (one there, or a path ending in a separator or without an extension)."""
    if fmt != "parquet":
        return False
    return os.path.isdir(out) or out.endswith(os.sep) or not os.path.splitext(out)[1]


def query_tables(con, query: str, rows: int = 100_000) -> tuple[pa.Schema, object]:
    """A query's schema, and its rows as Arrow tables of up to `rows` rows."""
    reader = con.sql(query).to_arrow_reader(rows)
    return reader.schema, (pa.Table.from_batches([batch]) for batch in reader)


def write(out: str, schema: pa.Schema, tables, rows_per_file: int = ROWS_PER_FILE) -> int:
    """Write Arrow tables of `schema` as a dataset folder at `out`, replacing a
    dataset there (a folder of only `.parquet` files); the rows written."""
    out = out.rstrip(os.sep) or os.sep
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        raise BadInput(f"{out}: no such directory {parent}")
    if os.path.exists(out) and not os.path.isdir(out):
        raise BadInput(f"{out}: not a folder; a Parquet dataset is written as a folder of files")
    if os.path.isdir(out) and any(not n.casefold().endswith(".parquet") for n in os.listdir(out)):
        raise BadInput(f"{out}: holds more than .parquet files; a dataset export replaces only a dataset")
    if not os.access(parent, os.W_OK):
        raise BadInput(f"{out}: cannot write in {parent}")
    partial = out + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    try:
        count = _write_parts(partial, schema, tables, rows_per_file)
        if os.path.isdir(out):
            old = out + ".old"
            os.replace(out, old)
            os.replace(partial, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(partial, out)
    except BaseException as err:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(err, OSError):
            raise BadInput(f"{out}: cannot write it ({err.strerror})") from None
        raise
    return count


def _write_parts(folder: str, schema: pa.Schema, tables, rows_per_file: int) -> int:
    count, part, writer, in_part = 0, 0, None, 0
    try:
        for table in tables:
            while table.num_rows:
                if writer is None:
                    writer = pq.ParquetWriter(os.path.join(folder, _PART.format(part)), schema)
                take = min(table.num_rows, rows_per_file - in_part)
                writer.write_table(table.slice(0, take))
                table, in_part, count = table.slice(take), in_part + take, count + take
                if in_part == rows_per_file:
                    writer.close()
                    writer, part, in_part = None, part + 1, 0
        if count == 0:  # no rows: one empty file still tells the columns
            pq.write_table(schema.empty_table(), os.path.join(folder, _PART.format(0)))
    finally:
        if writer is not None:
            writer.close()
    return count
