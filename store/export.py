"""Exports: the activity log, or people, as JSON Lines, CSV or Parquet (the
output file's extension picks the format), in a deterministic order
(activities by time, then the order they were logged; people in the
database's order).

An activity is exported as Marketo's REST activity record
(interpreter/records.py; REST.md, Activity records), the same record `mkc
run --format jsonl` and `mkc serve` give, with the ids the database keeps
(rest_ids.py). JSON Lines has keys sorted; CSV and Parquet have the record's
keys as columns, `attributes` as JSON text. People are written by DuckDB
straight from the database.
"""

from __future__ import annotations

import itertools
import json
import os

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from mkc.interpreter.records import Ids, record_json, rest_record
from mkc.source import BadInput
from mkc.store import codec
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
    records = activity_records(store)
    count = 0
    if fmt == "json":
        with open(path, "w", encoding="utf-8") as out:
            while batch := list(itertools.islice(records, 10_000)):
                out.write("".join(record_json(r) + "\n" for r in batch))
                count += len(batch)
        return count
    fields = [pa.field(name, t) for name, t in zip(ACTIVITY_COLUMNS, (*_ARROW_TYPES, pa.string()))]
    schema = pa.schema(fields)
    writer = pq.ParquetWriter(path, schema) if fmt == "parquet" else pa_csv.CSVWriter(path, schema)
    with writer:
        while batch := list(itertools.islice(records, 10_000)):
            columns = {name: [r[name] for r in batch] for name in ACTIVITY_COLUMNS[:-1]}
            columns["attributes"] = [json.dumps(r["attributes"], ensure_ascii=False) for r in batch]
            writer.write_table(pa.table(columns, schema=schema))
            count += len(batch)
    return count


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def people_query(store: Store, changed: bool) -> str:
    con = store.con
    columns = store.columns()
    headers = dict(con.execute("SELECT field, header FROM fields").fetchall())
    overflow = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT unnest(json_keys(_extra)) FROM people WHERE _extra IS NOT NULL AND _extra <> '{}'"
        ).fetchall()
    }
    names = list(columns)
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
        col = quote(name)
        if name in overflow:  # values that did not fit the column are in `_extra` (dates tagged)
            path = _sql_text('$."' + name + '"')
            tagged = _sql_text('$."' + name + '".v')
            extra = f"COALESCE(json_extract_string(_extra, {tagged}), json_extract_string(_extra, {path}))"
            col = f"COALESCE(CAST({col} AS VARCHAR), {extra})"
        select.append(f"{col} AS {quote(headers.get(name, name))}")
    return f"SELECT {', '.join(select)} FROM people {where} ORDER BY _pid"


def export(store: Store, out: str, what: str = "activities", changed: bool = False) -> int:
    """Write the export to `out`; returns the number of records."""
    fmt = output_format(out)
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise BadInput(f"{out}: no such directory {folder}")
    if os.path.isdir(out):
        raise BadInput(f"{out}: is a directory")
    if os.path.exists(out) and not os.path.isfile(out):  # the file replaces what is there: only a file
        raise BadInput(f"{out}: not a regular file; an export writes a new file in its place")
    if not os.access(folder, os.W_OK):
        raise BadInput(f"{out}: cannot write in {folder}")
    options = {"json": "FORMAT json", "csv": "FORMAT csv, HEADER", "parquet": "FORMAT parquet"}[fmt]
    target = os.path.realpath(out)  # through a symbolic link, to its file
    partial = target + ".partial"
    # One thread: DuckDB then sorts a large log within its memory limit, and
    # writes the file in order.
    store.con.execute("SET threads = 1")
    try:
        if what == "activities":
            written = _write_activities(store, partial, fmt)
        else:
            query = people_query(store, changed)
            written = store.con.execute(f"COPY ({query}) TO {_sql_text(partial)} ({options})").fetchone()[0]
        os.replace(partial, target)
    except BaseException as err:
        if os.path.exists(partial):
            os.unlink(partial)
        if isinstance(err, OSError) or (isinstance(err, duckdb.IOException) and partial in str(err)):  # a full disk
            said = getattr(err, "strerror", None) or str(err).rsplit(": ", 1)[-1].strip()
            raise BadInput(f"{out}: cannot write it ({said})") from None
        raise
    return written
