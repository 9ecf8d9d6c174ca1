"""Importing Marketo's person export (CSV, or Parquet) into a store.

- Headers are Marketo's display names ("Email Address", "Lead Score", "First
  Name", custom fields) or REST names ("leadScore", "title"). A standard
  field's name in any of its spellings (stdlib/fields.py: its Marketo label,
  REST name, old UI names, name) is that field (`Job Title`, `title` ->
  job_title; `Num Employees` -> number_of_employees); any other header becomes
  its snake_case (`Favourite Colour` -> favourite_colour). `Id` is the
  person's key and handle.
- A standard field has its table type: text; number (integer when every value
  is whole, else number); boolean (`true`/`false`, any case); date as a
  date-time. A value that is not of that type is a bad row (`Lead Score` =
  `lots`), never a reason to make the column text. `--type` may narrow it
  (`integer`, `number`; `date`, `datetime`) but not contradict it.
- Other fields' types are inferred from every value of a column: integer,
  number, boolean (`true`/`false`), date (`2026-01-05`), date-time
  (`2026-01-05T09:00[:SS][Z]` or with a space), else text; a number with a
  leading zero (`007`, a postal code) stays text. `--type FIELD=WORD`
  overrides.
- A field the database already has keeps its type (an integer column becomes
  a number column when decimals arrive).
- Bad rows (a wrong number of fields, no Id, a duplicate Id, a value that is
  not of its field's type, a number too large to be kept) are all reported,
  `FILE:LINE: message`, and nothing is imported, unless `skip_bad_rows`: then
  the good rows are (the first of duplicate Ids stays).
- An Id already in the database updates that person: a non-empty cell sets the
  field, an empty one leaves it as it is (as Marketo's list import does). New
  Ids join the end of the database's order, in the file's order.

Rows are streamed with Python's csv module (for exact line numbers, quoted
newlines included) into a staging table in chunks; duplicates, types and
casts are SQL over that table.
"""

from __future__ import annotations

import csv
import io
import os
import re

import attrs

from mkc.source import BadInput
from mkc.stdlib.fields import standard_field
from mkc.store import bulk
from mkc.store.db import Store
from mkc.store.progress import Bar
from mkc.store.schema import FIELD_TYPE_OF_COLUMN, TYPE_WORDS, WORD_OF_TYPE, quote

CHUNK = 20_000

KEY_HEADERS = {"id", "leadid", "personid", "marketoid"}

# A standard field's type (stdlib/fields.py) as the column it is imported into.
STANDARD_COLUMN = {"text": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "TIMESTAMP"}

# What each type's text looks like (Python here, the same in SQL below).
_RE = {
    "BIGINT": r"-?(0|[1-9][0-9]*)",
    "DOUBLE": r"-?(0|[1-9][0-9]*)(\.[0-9]+)?",
    "BOOLEAN": r"(?i)(true|false)",
    "DATE": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "TIMESTAMP": r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?Z?)?",
}
_PY_RE = {t: re.compile(r) for t, r in _RE.items()}
INFERRED = ("BIGINT", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP")  # tried in this order; else VARCHAR
SAMPLE = 1000


@attrs.define
class ImportResult:
    rows: int = 0  # good rows imported
    added: int = 0
    updated: int = 0
    skipped: list[str] = attrs.Factory(list)  # messages of the bad rows left out
    fields: dict[str, str] = attrs.Factory(dict)  # field -> type word


class BadRows(BadInput):
    """Rows that cannot be imported: every message is `FILE:LINE: text`."""

    def __init__(self, path: str, messages: list[str]):
        self.messages = messages
        n = len(messages)
        super().__init__(
            f"{path}: {n} bad row{'s' if n != 1 else ''}; nothing imported (--skip-bad-rows imports the others)"
        )


def field_name(header: str) -> str:
    """A column header as a field name: the standard field it names, else its snake_case."""
    text = header.strip()
    spec = standard_field(text)
    if spec is not None:
        return spec.name
    if not re.search(r"[\s_-]", text):
        text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)  # leadScore -> lead_Score
    return re.sub(r"\W+", "_", text.casefold()).strip("_")


def is_key(header: str) -> bool:
    return re.sub(r"[\s_-]+", "", header.strip().casefold()) in KEY_HEADERS


def parse_types(options) -> dict[str, str]:
    """`--type FIELD=WORD` options -> field -> column type; ValueError when malformed."""
    types = {}
    for option in options:
        name, sep, word = option.partition("=")
        name, word = field_name(name), word.strip().casefold()
        if not sep or not name:
            raise ValueError(f"--type {option!r}: write FIELD=TYPE, as in --type lead_score=number")
        if word not in TYPE_WORDS:
            raise ValueError(f"--type {option!r}: the types are {', '.join(TYPE_WORDS)}")
        spec = standard_field(name)
        if spec is not None and FIELD_TYPE_OF_COLUMN[TYPE_WORDS[word]] != spec.type:  # integer for number: fine
            raise ValueError(f"--type {option!r}: {spec.name} is a standard field, always {spec.type}")
        types[name] = TYPE_WORDS[word]
    return types


class _Staging:
    """The file's rows in a temporary table `_stage (_line, c0 ... cN)`, all text."""

    def __init__(self, store: Store, path: str):
        self.store = store
        self.path = path
        self.parquet = path.casefold().endswith(".parquet")
        self.headers: list[str] = []
        self.fields: list[str] = []  # each column's field ('' for the key)
        self.key = -1  # the key column
        self.header_errors: list[str] = []
        self.errors: list[tuple[int, str]] = []  # bad rows: (line, message)
        self.samples: list[list[str]] = []  # up to SAMPLE values of each column

    def fail(self, line: int, message: str) -> None:
        self.errors.append((line, message))

    def read(self) -> None:
        if self.parquet:
            self.read_parquet()
        else:
            self.read_csv(os.path.getsize(self.path))

    def header(self, headers: list[str]) -> bool:
        """Check the header row and map each column to its field; False if it is bad."""
        self.headers = headers
        columns = {name.casefold(): name for name in self.store.columns()}  # DuckDB's names ignore case
        seen: dict[str, str] = {}
        bad = self.header_errors
        for i, header in enumerate(headers):
            if is_key(header):
                if self.key >= 0:
                    bad.append(f"two Id columns: {headers[self.key]!r} and {header!r}")
                self.key = i
                self.fields.append("")
                continue
            name = field_name(header)
            name = columns.get(name.casefold(), name)
            if not name:
                bad.append(f"column {i + 1} has no name" if not header.strip() else f"column {header!r}: no field name")
            elif name in seen:
                bad.append(f"columns {seen[name]!r} and {header!r} are both the field `{name}`")
            seen.setdefault(name, header)
            self.fields.append(name)
        if self.key < 0:
            bad.append("no Id column (Marketo's person export has one; it is the person's key)")
        return not bad

    def create(self) -> None:
        cols = ", ".join(f"c{i} VARCHAR" for i in range(len(self.headers)))
        self.store.con.execute(f"CREATE OR REPLACE TEMP TABLE _stage (_line BIGINT, {cols})")

    def read_csv(self, bar_total: int) -> int:
        """Stream the CSV's rows into `_stage`; returns the number of rows read."""
        csv.field_size_limit(1 << 27)
        rows = 0
        samples: list[list[str]] = []
        try:
            raw = open(self.path, "rb")  # noqa: SIM115 - closed below
        except OSError as err:
            raise BadInput(f"{self.path}: {err.strerror}") from None
        with raw, Bar(bar_total, f"importing {os.path.basename(self.path)}", unit="bytes", threshold=1 << 20) as bar:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            try:
                headers = next(reader, None)
                if headers is None:
                    raise BadInput(f"{self.path}: empty file, no header row")
                if not self.header(headers):
                    return 0
                self.create()
                width, key = len(headers), self.key
                samples = [[] for _ in headers]
                chunk: list = []
                last = reader.line_num
                done = 0
                for row in reader:
                    line, last = last + 1, reader.line_num
                    if not row:
                        continue  # a blank line
                    rows += 1
                    if len(row) != width:
                        self.fail(line, f"{len(row)} fields, expected {width}")
                        continue
                    ident = row[key].strip()
                    if not ident:
                        self.fail(line, "no Id")
                        continue
                    row[key] = ident
                    chunk.append((line, *[v if v != "" else None for v in row]))
                    if len(chunk) >= CHUNK:
                        _sample(samples, chunk)
                        self.stage(chunk)
                        chunk = []
                        pos = raw.tell()
                        bar.advance(pos - done)
                        done = pos
                _sample(samples, chunk)
                self.stage(chunk)
            except csv.Error as err:
                self.fail(reader.line_num, f"cannot read CSV: {err}")
            except UnicodeDecodeError as err:
                raise BadInput(f"{self.path}: not UTF-8 text ({err.reason} near byte {raw.tell()})") from None
        self.samples = samples
        return rows

    def stage(self, rows: list[tuple]) -> None:
        """Rows (line, text...) into `_stage`."""
        if rows:
            columns = list(zip(*rows))
            staged = {"_line": ("BIGINT", columns[0])}
            staged.update({f"c{i}": ("VARCHAR", values) for i, values in enumerate(columns[1:])})
            bulk.insert(self.store.con, "_stage", staged)

    def read_parquet(self) -> int:
        con = self.store.con
        try:
            described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [self.path]).fetchall()
        except Exception as err:  # duckdb.Error: not a Parquet file
            raise BadInput(f"{self.path}: cannot read it as Parquet ({str(err).splitlines()[0]})") from None
        headers = [r[0] for r in described]
        if not self.header(headers):
            return 0
        self.create()
        values = ", ".join(
            f"NULLIF({'trim' if i == self.key else ''}(CAST({quote(h)} AS VARCHAR)), '')" for i, h in enumerate(headers)
        )
        con.execute(
            f"INSERT INTO _stage SELECT file_row_number + 1, {values} "
            "FROM read_parquet(?, file_row_number = true) ORDER BY file_row_number",
            [self.path],
        )
        for (line,) in con.execute(f"SELECT _line FROM _stage WHERE c{self.key} IS NULL ORDER BY _line").fetchall():
            self.fail(line, "no Id")
        con.execute(f"DELETE FROM _stage WHERE c{self.key} IS NULL")
        samples = [[] for _ in headers]
        cols = ", ".join(f"c{i}" for i in range(len(headers)))
        _sample(samples, [(0, *r) for r in con.execute(f"SELECT {cols} FROM _stage LIMIT {SAMPLE}").fetchall()])
        self.samples = samples
        return con.execute("SELECT count(*) FROM _stage").fetchone()[0] + len(self.errors)


def _sample(samples: list[list[str]], chunk) -> None:
    for i, sample in enumerate(samples):
        if len(sample) < SAMPLE:
            sample.extend(v for row in chunk[: SAMPLE * 2] if (v := row[i + 1]) is not None)
            del sample[SAMPLE:]


def _ok(col: str, ctype: str) -> str:
    """SQL: the text in `col` is a value of `ctype`."""
    v = f"trim({col})"
    if ctype == "BIGINT":
        return f"(regexp_full_match({v}, '{_RE['BIGINT']}') AND TRY_CAST({v} AS BIGINT) IS NOT NULL)"
    if ctype == "DOUBLE":
        return f"regexp_full_match({v}, '{_RE['DOUBLE']}')"
    if ctype == "BOOLEAN":
        return f"lower({v}) IN ('true', 'false')"
    if ctype == "DATE":
        return f"(regexp_full_match({v}, '{_RE['DATE']}') AND TRY_CAST({v} AS DATE) IS NOT NULL)"
    if ctype == "TIMESTAMP":
        return f"(regexp_full_match({v}, '{_RE['TIMESTAMP']}') AND TRY_CAST({_ts(v)} AS TIMESTAMP) IS NOT NULL)"
    return "true"


def _ts(v: str) -> str:
    return f"replace(rtrim({v}, 'Z'), 'T', ' ')"


def _cast(col: str, ctype: str) -> str:
    """SQL: the text in `col` as a value of `ctype`."""
    v = f"trim({col})"
    if ctype == "BOOLEAN":
        return f"(lower({v}) = 'true')"
    if ctype == "TIMESTAMP":
        return f"CAST({_ts(v)} AS TIMESTAMP)"
    if ctype == "VARCHAR":
        return col
    return f"CAST({v} AS {ctype})"


def _describe(ctype: str) -> str:
    word = WORD_OF_TYPE[ctype]
    return {"integer": "a whole number", "number": "a number", "boolean": "true or false"}.get(word, f"a {word}")


def import_people(
    store: Store, path: str, types: dict[str, str] | None = None, skip_bad_rows: bool = False
) -> ImportResult:
    """Import a person export into `store` (inside the caller's transaction).
    Raises BadRows (nothing imported) unless `skip_bad_rows`; BadInput for a
    file that cannot be read at all."""
    types = dict(types or {})
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such file")
    if os.path.isdir(path):
        raise BadInput(f"{path}: is a directory, not a person export")
    stage = _Staging(store, path)
    stage.read()
    if stage.header_errors:
        raise BadRows(path, [f"{path}:1: {msg}" for msg in stage.header_errors])
    unknown = [name for name in types if name not in stage.fields]
    if unknown:
        raise BadInput(f"--type {unknown[0]}=...: {path} has no column for the field `{unknown[0]}`")
    chosen, type_errors = _types(stage, types)
    errors = sorted(stage.errors + _duplicates(stage) + type_errors, key=lambda e: e[0])
    messages = [f"{path}:{line}: {msg}" for line, msg in errors]
    if errors and not skip_bad_rows:
        raise BadRows(path, messages)
    if errors:
        _drop_lines(store, sorted({line for line, _ in errors}))
    result = _merge(stage, chosen)
    result.skipped = messages
    return result


def _duplicates(stage: _Staging) -> list[tuple[int, str]]:
    """Every occurrence of an Id after its first."""
    key = f"c{stage.key}"
    found = []
    for ident, lines in stage.store.con.execute(
        f"SELECT {key}, list(_line ORDER BY _line) FROM _stage GROUP BY {key} HAVING count(*) > 1 ORDER BY min(_line)"
    ).fetchall():
        found += [(line, f"duplicate Id {ident} (first at line {lines[0]})") for line in lines[1:]]
    return found


def _types(stage: _Staging, types: dict[str, str]) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """Each column's type: given by `--type`, the database's, a standard
    field's, or inferred from every value; and the values that do not fit a
    type that is not inferred."""
    store, con, fields = stage.store, stage.store.con, stage.fields
    existing = store.columns()
    chosen: dict[int, str] = {}
    candidates: dict[int, list[str]] = {}  # types to check against every value, the first that fits wins
    standard: dict[int, str] = {}  # standard fields' columns -> their table type
    for i, name in enumerate(fields):
        if not name:
            continue
        spec = standard_field(name)
        if spec is not None:
            standard[i] = STANDARD_COLUMN[spec.type]
        if name in types:
            fixed = types[name]
            if name in existing and existing[name] != fixed and (existing[name], fixed) != ("BIGINT", "DOUBLE"):
                raise BadInput(
                    f"--type {name}={WORD_OF_TYPE[fixed]}: {name} is {WORD_OF_TYPE[existing[name]]} in {store.name}"
                )
            chosen[i] = fixed
        elif name in existing:
            chosen[i] = existing[name]
            if existing[name] == "BIGINT":
                candidates[i] = ["DOUBLE"]  # decimals turn an integer field into a number field
        elif i in standard:
            chosen[i] = standard[i]
            if chosen[i] == "DOUBLE":
                candidates[i] = ["BIGINT"]  # whole numbers: an integer field
        else:
            sample = [v.strip() for v in stage.samples[i]] if stage.samples else []
            candidates[i] = [t for t in INFERRED if all(_PY_RE[t].fullmatch(v) for v in sample)] if sample else []
            chosen[i] = "VARCHAR"
    checks = [(i, t) for i, ts in candidates.items() for t in ts]
    if checks:
        # A standard field's values that are not of its type are bad rows, so
        # they do not count against a narrower type.
        row = con.execute(
            "SELECT "
            + ", ".join(
                f"bool_and(c{i} IS NULL OR {_ok(f'c{i}', t)}"
                + (f" OR NOT {_ok(f'c{i}', standard[i])})" if i in standard and fields[i] not in existing else ")")
                for i, t in checks
            )
            + " FROM _stage"
        ).fetchone()
        passed = {check for check, ok in zip(checks, row) if ok is not False}
        for i, ts in candidates.items():
            good = next((t for t in ts if (i, t) in passed), None)
            if good is not None and not (existing.get(fields[i]) == "BIGINT" and _fits_all(con, i, "BIGINT")):
                chosen[i] = good
    errors = []
    for i, ctype in chosen.items():
        name = fields[i]
        if ctype == "DOUBLE":  # written as a number, but too large for one: it would be stored as infinity
            for line, value in con.execute(
                f"SELECT _line, c{i} FROM _stage WHERE {_ok(f'c{i}', ctype)} "
                f"AND NOT isfinite(TRY_CAST(trim(c{i}) AS DOUBLE)) ORDER BY _line"
            ).fetchall():
                errors.append((line, f"{stage.headers[i]}: {_abridged(value)} is too large for a number"))
        if name in types:
            why = f"--type {name}={WORD_OF_TYPE[ctype]}"
        elif name in existing:
            why = f"{name} is {WORD_OF_TYPE[existing[name]]} in {store.name}"
        elif i in standard:
            ctype = standard[i]  # checked against the field's type, whichever column it gets
            why = f"{name} is a standard {FIELD_TYPE_OF_COLUMN[ctype]} field"
        else:
            continue  # inferred: every value fits
        if ctype == "VARCHAR":
            continue
        for line, value in con.execute(
            f"SELECT _line, c{i} FROM _stage WHERE c{i} IS NOT NULL AND NOT {_ok(f'c{i}', ctype)} ORDER BY _line"
        ).fetchall():
            errors.append((line, f"{stage.headers[i]}: {_abridged(value)} is not {_describe(ctype)} ({why})"))
    return chosen, errors


def _abridged(value: str) -> str:
    """A cell's text for a message: its start and end when it is long."""
    return repr(value if len(value) <= 40 else f"{value[:20]}...{value[-10:]}")


def _fits_all(con, i: int, ctype: str) -> bool:
    return con.execute(f"SELECT bool_and(c{i} IS NULL OR {_ok(f'c{i}', ctype)}) FROM _stage").fetchone()[0] is not False


def _drop_lines(store: Store, lines: list[int]) -> None:
    """Leave the bad rows out (`--skip-bad-rows`)."""
    if lines:
        bulk.delete(store.con, "_stage", "_line", lines)


def _merge(stage: _Staging, chosen: dict[int, str]) -> ImportResult:
    """The staged rows into `people`: new columns, then the Ids the database
    has (a filled cell sets the field), then new people at the end."""
    store, con, fields, key = stage.store, stage.store.con, stage.fields, f"c{stage.key}"
    existing = store.columns()
    result = ImportResult()
    for i, ctype in chosen.items():
        name = fields[i]
        if name not in existing:
            store.add_column(name, ctype)
        elif existing[name] != ctype:
            store.set_column_type(name, ctype)
        result.fields[name] = WORD_OF_TYPE[ctype]
    if chosen:
        con.execute(
            "INSERT INTO fields SELECT * FROM (VALUES "
            + ", ".join("(?, ?)" for _ in chosen)
            + ") AS v(field, header) WHERE field NOT IN (SELECT field FROM fields)",
            [x for i in chosen for x in (fields[i], stage.headers[i].strip())],
        )
    casts = {i: _cast(f"s.c{i}", ctype) for i, ctype in chosen.items()}
    result.updated = con.execute(f"SELECT count(*) FROM _stage s JOIN people p ON p.id = s.{key}").fetchone()[0]
    if result.updated and casts:
        sets = ", ".join(f"{quote(fields[i])} = COALESCE({cast}, p.{quote(fields[i])})" for i, cast in casts.items())
        con.execute(f"UPDATE people AS p SET {sets} FROM _stage s WHERE p.id = s.{key}")
    result.added = con.execute(f"SELECT count(*) FROM _stage s ANTI JOIN people p ON p.id = s.{key}").fetchone()[0]
    if result.added:
        first = store.counter("next_pid", result.added)
        names = "".join(", " + quote(fields[i]) for i in casts)
        values = "".join(", " + cast for cast in casts.values())
        con.execute(
            f"INSERT INTO people (_pid, id{names}) "
            f"SELECT {first} + row_number() OVER (ORDER BY s._line) - 1, s.{key}{values} "
            f"FROM _stage s ANTI JOIN people p ON p.id = s.{key} ORDER BY s._line"
        )
    con.execute("DROP TABLE _stage")
    result.rows = result.added + result.updated
    return result
