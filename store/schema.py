"""The store's tables (schema version 2: fields named and typed by stdlib/fields.py; migrate.py).

- `mkc_meta (key, value)`: `format` = `mkc`, `schema_version`, the world's
  `clock` (the virtual time after the last run), and the counters `next_pid`,
  `next_seq`, `next_run`.
- `people (_pid, id, _extra, FIELD...)`: one row per person. `id` is Marketo's
  `Id`, the person's handle; `_pid` numbers people in the database's order (the
  order a batch campaign takes them in) and never changes; each field is a
  typed column named after the field; `_extra` (JSON) holds the values that do
  not fit their column's type, which win when the column is NULL.
- `fields (field, header)`: the column header a field was imported from, so an
  export writes `Email Address` again.
- `list_members (pid, list_key, list)`, `program_members (pid, program_key,
  program, status)`: memberships; keys are the interpreter's (JSON text).
- `entries (pid, campaign_key, campaign, time, run)`: every entry into a
  campaign's flow, for qualification rules.
- `activities (seq, run, time, pid, person, type, type_id, attributes, flow,
  via, target, line)`: the activity log; `attributes` is a JSON object in the
  order logged, `via` a JSON list, `line` the transcript line. `(time, seq)`
  is the log's order.
- `waits (pid, due, seq, campaign_key, campaign, step, context)`: flows waiting
  to go on at `step` of the campaign's flow; `context` holds API My Tokens and
  `trigger.*`.
- `runs (run, file, campaign, clock_from, run_at, run_until, people, entered,
  activities, started)`: one row per `mkc run`.

No primary keys or indexes: DuckDB's zone maps serve the range scans by `_pid`
that batches make, and the store keeps `id` unique itself.
"""

from __future__ import annotations

SCHEMA_VERSION = 2
FORMAT = "mkc"

# Columns of `people` that are not fields.
RESERVED = ("_pid", "id", "_extra")

DDL = """
CREATE TABLE mkc_meta (key VARCHAR, value VARCHAR);
CREATE TABLE people (_pid BIGINT NOT NULL, id VARCHAR NOT NULL, _extra VARCHAR);
CREATE TABLE fields (field VARCHAR, header VARCHAR);
CREATE TABLE list_members (pid BIGINT, list_key VARCHAR, list VARCHAR);
CREATE TABLE program_members (pid BIGINT, program_key VARCHAR, program VARCHAR, status VARCHAR);
CREATE TABLE entries (pid BIGINT, campaign_key VARCHAR, campaign VARCHAR, time TIMESTAMP, run BIGINT);
CREATE TABLE activities (
    seq BIGINT, run BIGINT, time TIMESTAMP, pid BIGINT, person VARCHAR, type VARCHAR, type_id INTEGER,
    attributes VARCHAR, flow VARCHAR, via VARCHAR, target VARCHAR, line VARCHAR
);
CREATE TABLE waits (
    pid BIGINT, due TIMESTAMP, seq BIGINT, campaign_key VARCHAR, campaign VARCHAR, step INTEGER, context VARCHAR
);
CREATE TABLE runs (
    run BIGINT, file VARCHAR, campaign VARCHAR, clock_from TIMESTAMP, run_at TIMESTAMP, run_until TIMESTAMP,
    people BIGINT, entered BIGINT, activities BIGINT, started TIMESTAMP
);
"""

TABLES = ("mkc_meta", "people", "fields", "list_members", "program_members", "entries", "activities", "waits", "runs")

# Field value types: the word a user writes (`--type lead_score=number`), and
# the DuckDB column type. `number` is BIGINT when every value is whole.
TYPE_WORDS = {
    "text": "VARCHAR",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
}
WORD_OF_TYPE = {
    "VARCHAR": "text",
    "DOUBLE": "number",
    "BIGINT": "integer",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "datetime",
}

# A column's type as a field type (stdlib/fields.py TYPES).
FIELD_TYPE_OF_COLUMN = {
    "VARCHAR": "text",
    "DOUBLE": "number",
    "BIGINT": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "date",
}


def quote(name: str) -> str:
    """A column name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
