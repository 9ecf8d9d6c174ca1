"""Exports: the activity log, or people, as JSON Lines, CSV or Parquet (the
output file's extension picks the format), in a deterministic order
(activities by time, then the order they were logged; people in the
database's order).

An activity is exported as Marketo's REST activity record
(interpreter/records.py; REST.md, Activity records), the same record `mkc
run --format jsonl` and `mkc serve` give, with the ids the database keeps
(rest_ids.py). JSON Lines has keys sorted; CSV and Parquet have the record's
keys as columns, `attributes` as JSON text. People are written by DuckDB
straight from the database, shaped as Marketo's person export.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import tempfile

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from mkc.interpreter.records import Ids, record_json, rest_record
from mkc.source import BadInput
from mkc.stdlib.fields import standard_field
from mkc.store import codec, datasets
from mkc.store.db import Store
from mkc.store.rest_ids import load_ids
from mkc.store.schema import quote

FORMATS = {".jsonl": "json", ".ndjson": "json", ".csv": "csv", ".parquet": "parquet"}
WHAT = ("activities", "people")


def output_format(out: str) -> str:
    ext = os.path.splitext(out)[1].casefold()
    if ext not in FORMATS:
        raise BadInput(f"{out}: the extension picks the format: .jsonl, .csv or .parquet")
    return FORMATS[ext]


ACTIVITY_COLUMNS = (
    "id",
    "marketoGUID",
    "leadId",
    "activityDate",
    "activityTypeId",
    "campaignId",
    "primaryAttributeValueId",
    "primaryAttributeValue",
    "attributes",
)
_ARROW_TYPES = (pa.int64(), pa.string(), pa.int64(), pa.string(), pa.int64(), pa.int64(), pa.int64(), pa.string())


def activity_records(
    store: Store, run: int | None = None, ids: Ids | None = None, where: str = "", params=(), limit: int | None = None
):
    """The log's activities (of one `run`, or those `where` picks, at most
    `limit`) as REST records, in the log's order, read a batch at a time."""
    ids = ids or load_ids(store)
    clauses = [c for c in (f"run = {int(run)}" if run is not None else "", where) if c]
    query = (
        "SELECT seq, time, person, type, attributes, flow, via, target, run FROM activities "
        + (f"WHERE {' AND '.join(clauses)} " if clauses else "")
        + "ORDER BY time, seq"
        + (f" LIMIT {int(limit)}" if limit is not None else "")
    )
    cursor = store.con.execute(query, list(params))
    load_key, loads = codec.load_key, json.loads
    vias: dict = {}  # a log has few callers' chains
    while rows := cursor.fetchmany(10_000):
        for seq, when, person, type_, attributes, flow, via, target, run_ in rows:
            key = load_key(target) if target else None
            chain = vias.get(via)
            if chain is None:
                chain = vias[via] = loads(via)
            yield rest_record(seq, when, person, type_, loads(attributes), flow, chain, key, ids, run_)


def _write_activities(store: Store, path: str, fmt: str) -> int:
    count = 0
    if fmt == "json":
        records = activity_records(store)
        with open(path, "w", encoding="utf-8") as out:
            while batch := list(itertools.islice(records, 10_000)):
                out.write("".join(record_json(r) + "\n" for r in batch))
                count += len(batch)
        return count
    writer = pq.ParquetWriter(path, ACTIVITY_SCHEMA) if fmt == "parquet" else pa_csv.CSVWriter(path, ACTIVITY_SCHEMA)
    with writer:
        for table in activity_tables(store):
            writer.write_table(table)
            count += table.num_rows
    return count


ACTIVITY_SCHEMA = pa.schema([pa.field(name, t) for name, t in zip(ACTIVITY_COLUMNS, (*_ARROW_TYPES, pa.string()))])


def activity_tables(store: Store):
    """The log's REST records as Arrow tables of up to 10,000 rows, in the log's
    order, `attributes` as JSON text (the CSV and Parquet exports)."""
    records = activity_records(store)
    while batch := list(itertools.islice(records, 10_000)):
        columns = {name: [r[name] for r in batch] for name in ACTIVITY_COLUMNS[:-1]}
        columns["attributes"] = [json.dumps(r["attributes"], ensure_ascii=False) for r in batch]
        yield pa.table(columns, schema=ACTIVITY_SCHEMA)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


HEADERS = ("marketo", "fields")


def people_query(store: Store, changed: bool, fmt: str = "csv", headers: str = "marketo") -> str:
    """The people as Marketo's person export has them: `Id`, then each field
    under Marketo's header (a standard field's from the field table, `Lead
    Score`; another's as it was imported), or the field's name (`headers`
    "fields"); the fields kept only in `_extra` too. In CSV and JSON a
    date-time is UTC with its `Z`, a whole number has no `.0`."""
    con = store.con
    columns = store.columns()
    imported = dict(con.execute("SELECT field, header FROM fields").fetchall())
    overflow = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT unnest(json_keys(_extra)) AS k FROM people WHERE _extra IS NOT NULL AND _extra <> '{}' "
            "ORDER BY k"
        ).fetchall()
    ]
    names = list(columns) + [name for name in overflow if name not in columns]
    where = ""
    if changed:
        touched = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT json_extract_string(attributes, '$.field') FROM activities "
                "WHERE type IN ('Change Data Value', 'Change Score')"
            ).fetchall()
        }
        names = [n for n in names if n in touched]
        where = (
            "WHERE _pid IN (SELECT pid FROM activities WHERE type IN ('Change Data Value', 'Change Score') "
            "AND pid IS NOT NULL)"
        )
    select = ['id AS "Id"']
    for name in names:
        ctype = columns.get(name)
        col = _written(quote(name), ctype, fmt) if ctype else None
        if name in overflow:  # values that did not fit the column (or had none) are in `_extra`
            extra = _extra_value(name, fmt)
            col = extra if col is None else f"COALESCE({col}, {extra})"
        select.append(f"{col} AS {quote(_header(name, imported, headers))}")
    return f"SELECT {', '.join(select)} FROM people {where} ORDER BY _pid"


def _header(name: str, imported: dict[str, str], headers: str) -> str:
    if headers == "fields":
        return name
    spec = standard_field(name)
    if spec is not None and spec.name == name and spec.label:
        return spec.label
    return imported.get(name, name)


def _written(col: str, ctype: str, fmt: str) -> str:
    """SQL: a column's value as the export writes it (Parquet: as it is)."""
    if fmt == "parquet":
        return col
    if ctype == "TIMESTAMP":
        return f"strftime({col}, '%Y-%m-%dT%H:%M:%SZ')"
    if ctype == "DOUBLE":  # a whole number as one (3, not 3.0), exactly
        whole = f"{col} = trunc({col}) AND abs({col}) < 9e18"
        if fmt == "json":
            return f"CASE WHEN {whole} THEN to_json(CAST({col} AS BIGINT)) ELSE to_json({col}) END"
        return f"CASE WHEN {whole} THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END"
    if fmt == "json" or ctype == "VARCHAR":
        return col
    return f"CAST({col} AS VARCHAR)"


def _extra_value(name: str, fmt: str) -> str:
    """SQL: a field's value kept in `_extra` (store/codec.py's JSON) as text: a
    date-time with its `Z`, a whole number without `.0`."""
    path = _sql_text('$."' + name.replace('"', '\\"') + '"')
    tag = f"json_extract_string(_extra, {path} || '.\"$\"')"
    tagged = f"json_extract_string(_extra, {path} || '.v')"
    plain = f"json_extract_string(_extra, {path})"
    text = (
        f"CASE WHEN {tag} = 'datetime' THEN replace({tagged}, '+00:00', '') || 'Z' "
        f"WHEN {tag} IS NOT NULL THEN {tagged} "
        f"WHEN json_type(_extra, {path}) = 'DOUBLE' AND regexp_full_match({plain}, '-?[0-9]+\\.0') "
        f"THEN regexp_replace({plain}, '\\.0$', '') ELSE {plain} END"
    )
    return f"to_json({text})" if fmt == "json" else text


def export(
    store: Store,
    out: str,
    what: str = "activities",
    changed: bool = False,
    fmt: str | None = None,
    headers: str = "marketo",
    rows_per_file: int = datasets.ROWS_PER_FILE,
) -> int:
    """Write the export to `out` (`-`: standard output) in `fmt` (default: by
    `out`'s extension; to standard output, JSON Lines for activities and CSV
    for people); Parquet to a folder is a dataset of files of up to
    `rows_per_file` rows (datasets.py). Returns the number of records."""
    stdout = out == "-"
    if fmt is None:
        fmt = ("json" if what == "activities" else "csv") if stdout else output_format(out)
    else:
        fmt = FORMATS["." + fmt]
    query = None if what == "activities" else people_query(store, changed, fmt, headers)
    if not stdout and datasets.is_dataset(out, fmt):
        store.con.execute("SET threads = 1")  # (as `_write`: the log sorted within DuckDB's memory, in order)
        if query is None:
            schema, tables = ACTIVITY_SCHEMA, activity_tables(store)
        else:
            schema, tables = datasets.query_tables(store.con, query)
        return datasets.write(out, schema, tables, rows_per_file)
    if not stdout:
        _writable(out)
    if stdout:  # written whole to a file first: standard output may be a pipe, or a terminal
        with tempfile.TemporaryDirectory(prefix="mkc-export-") as folder:
            path = os.path.join(folder, "export")
            written = _write(store, query, path, fmt)
            with open(path, "rb") as written_file:
                shutil.copyfileobj(written_file, sys.stdout.buffer)
            sys.stdout.flush()
        return written
    target = os.path.realpath(out)  # through a symbolic link, to its file
    partial = target + ".partial"
    try:
        written = _write(store, query, partial, fmt)
        os.replace(partial, target)
    except BaseException as err:
        if os.path.exists(partial):
            os.unlink(partial)
        if isinstance(err, OSError) or (isinstance(err, duckdb.IOException) and partial in str(err)):  # a full disk
            said = getattr(err, "strerror", None) or str(err).rsplit(": ", 1)[-1].strip()
            raise BadInput(f"{out}: cannot write it ({said})") from None
        raise
    return written


def _writable(out: str) -> None:
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise BadInput(f"{out}: no such directory {folder}")
    if os.path.isdir(out):
        raise BadInput(f"{out}: is a directory")
    if os.path.exists(out) and not os.path.isfile(out):  # the file replaces what is there: only a file
        raise BadInput(f"{out}: not a regular file; an export writes a new file in its place")
    if not os.access(folder, os.W_OK):
        raise BadInput(f"{out}: cannot write in {folder}")


def _write(store: Store, query: str | None, path: str, fmt: str) -> int:
    """The activities (`query` None) or the people `query` selects, written to `path`."""
    # One thread: DuckDB then sorts a large log within its memory limit, and
    # writes the file in order.
    store.con.execute("SET threads = 1")
    if query is None:
        return _write_activities(store, path, fmt)
    options = {"json": "FORMAT json", "csv": "FORMAT csv, HEADER", "parquet": "FORMAT parquet"}[fmt]
    return store.con.execute(f"COPY ({query}) TO {_sql_text(path)} ({options})").fetchone()[0]
