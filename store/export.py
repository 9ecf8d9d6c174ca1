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
import shutil
import sys
import tempfile

import duckdb

from mkc.interpreter.transcript import CHANGE, LAYOUTS
from mkc.source import BadInput
from mkc.stdlib.fields import standard_field
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
) -> int:
    """Write the export to `out` (`-`: standard output) in `fmt` (default: by
    `out`'s extension; to standard output, JSON Lines for activities and CSV
    for people); returns the number of records."""
    stdout = out == "-"
    if fmt is None:
        fmt = ("json" if what == "activities" else "csv") if stdout else output_format(out)
    else:
        fmt = FORMATS["." + fmt]
    if not stdout:
        _writable(out)
    query = activities_query(fmt) if what == "activities" else people_query(store, changed, fmt, headers)
    options = {"json": "FORMAT json", "csv": "FORMAT csv, HEADER", "parquet": "FORMAT parquet"}[fmt]
    if stdout:  # written whole to a file first: standard output may be a pipe, or a terminal
        with tempfile.TemporaryDirectory(prefix="mkc-export-") as folder:
            path = os.path.join(folder, "export")
            written = _copy(store, query, path, options)
            with open(path, "rb") as written_file:
                shutil.copyfileobj(written_file, sys.stdout.buffer)
            sys.stdout.flush()
        return written
    target = os.path.realpath(out)  # through a symbolic link, to its file
    partial = target + ".partial"
    try:
        written = _copy(store, query, partial, options)
        os.replace(partial, target)
    except BaseException as err:
        if os.path.exists(partial):
            os.unlink(partial)
        if isinstance(err, (duckdb.IOException, OSError)) and partial in str(err):  # a full disk, say
            raise BadInput(f"{out}: cannot write it ({str(err).rsplit(': ', 1)[-1].strip()})") from None
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


def _copy(store: Store, query: str, path: str, options: str) -> int:
    # One thread: DuckDB then sorts a large log within its memory limit, and
    # writes the file in order.
    store.con.execute("SET threads = 1")
    return store.con.execute(f"COPY ({query}) TO {_sql_text(path)} ({options})").fetchone()[0]
