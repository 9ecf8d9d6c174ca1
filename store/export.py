"""Exports: the activity log, or people, as JSON Lines, CSV or Parquet (the
output file's extension picks the format), written by DuckDB straight from
the database in a deterministic order (activities by time, then the order
they were logged; people in the database's order).

An activity record is close to Marketo's REST activity records:

    {"id": 7, "leadId": 1001, "activityDate": "2026-01-05T09:00:00Z",
     "activityTypeId": 22, "activityType": "Change Score",
     "primaryAttributeValue": "lead_score",
     "attributes": [{"name": "old", "value": 0}, {"name": "new", "value": 10}, ...],
     "flow": "Scoring.Score", "via": [], "run": 1}

`leadId` is a number when the person's Id is one; `activityTypeId` is null
where Marketo has no id; `primaryAttributeValue` is the activity's first
column in the transcript (the field, list, email, program, campaign...), and
`attributes` the others, named as in mkc's transcripts. In CSV and Parquet,
`attributes` and `via` are JSON text.
"""

from __future__ import annotations

import os

import duckdb

from mkc.interpreter.transcript import CHANGE, LAYOUTS
from mkc.source import BadInput
from mkc.store.db import Store
from mkc.store.schema import quote

FORMATS = {".jsonl": "json", ".ndjson": "json", ".csv": "csv", ".parquet": "parquet"}
WHAT = ("activities", "people")


def output_format(out: str) -> str:
    ext = os.path.splitext(out)[1].casefold()
    if ext not in FORMATS:
        raise BadInput(f"{out}: the extension picks the format: .jsonl, .csv or .parquet")
    return FORMATS[ext]


def _primary_names() -> str:
    """SQL: the name of each activity type's primary attribute."""
    whens = []
    for type_, layout in LAYOUTS.items():
        first = next((c for c in layout if c != CHANGE and not c.endswith("=")), None)
        if first is not None:
            whens.append(f"WHEN '{type_}' THEN '{first}'")
    return f"CASE type {' '.join(whens)} END"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def activities_query(fmt: str, run: int | None = None) -> str:
    json_out = fmt == "json"
    lead = (
        "CASE WHEN regexp_full_match(person, '-?[0-9]{1,18}') THEN to_json(CAST(person AS BIGINT)) "
        "ELSE to_json(person) END"
        if json_out
        else "person"
    )
    attrs = (
        "to_json(list_transform(list_filter(json_keys(attributes), lambda k: p IS NULL OR k <> p), "
        "lambda k: json_object('name', k, 'value', json_extract(attributes, '$.\"' || k || '\"'))))"
    )
    if not json_out:
        attrs = f"CAST({attrs} AS VARCHAR)"
    via = "CAST(via AS JSON)" if json_out else "via"
    where = f"WHERE run = {int(run)}" if run is not None else ""
    return f"""
        SELECT seq AS id, {lead} AS leadId, strftime(time, '%Y-%m-%dT%H:%M:%SZ') AS activityDate,
               type_id AS activityTypeId, type AS activityType,
               json_extract_string(attributes, '$."' || p || '"') AS primaryAttributeValue,
               {attrs} AS attributes, flow, {via} AS via, run
        FROM (SELECT *, {_primary_names()} AS p FROM activities {where})
        ORDER BY time, seq
    """


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
    query = activities_query(fmt) if what == "activities" else people_query(store, changed)
    options = {"json": "FORMAT json", "csv": "FORMAT csv, HEADER", "parquet": "FORMAT parquet"}[fmt]
    target = os.path.realpath(out)  # through a symbolic link, to its file
    partial = target + ".partial"
    # One thread: DuckDB then sorts a large log within its memory limit, and
    # writes the file in order.
    store.con.execute("SET threads = 1")
    try:
        written = store.con.execute(f"COPY ({query}) TO {_sql_text(partial)} ({options})").fetchone()[0]
        os.replace(partial, target)
    except BaseException as err:
        if os.path.exists(partial):
            os.unlink(partial)
        if isinstance(err, (duckdb.IOException, OSError)) and partial in str(err):  # a full disk, say
            raise BadInput(f"{out}: cannot write it ({str(err).rsplit(': ', 1)[-1].strip()})") from None
        raise
    return written
