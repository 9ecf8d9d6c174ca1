"""Importing Marketo's person export (CSV, or Parquet) into a store.

- The file's encoding and delimiter are found out (store/csv_dialect.py) or
  given; how numbers and dates are written is read from its values
  (`_reading`, store/cells.py) or given. A file that is not UTF-8,
  comma-separated with ISO dates gets one line saying how it was read.
- Headers are Marketo's display names ("Email Address", "Lead Score", "First
  Name", custom fields) or REST names ("leadScore", "title"). A standard
  field's name in any of its spellings (stdlib/fields.py: its Marketo label,
  REST name, old UI names, name) is that field (`Job Title`, `title` ->
  job_title; `Num Employees` -> number_of_employees); any other header becomes
  its snake_case (`Favourite Colour` -> favourite_colour). `Id` is the
  person's key and handle.
- A standard field has its table type: text; number (integer when every value
  is whole, else number; thousands separators allowed); boolean (`true`/
  `false`, `yes`/`no`, `1`/`0`, any case); date as a date-time (ISO, with an
  offset taken off, or as Excel writes it). A value that is not of that type
  is a bad row (`Lead Score` = `lots`), never a reason to make the column
  text. `--type` may narrow it (`integer`, `number`; `date`, `datetime`) but
  not contradict it.
- Other fields' types are inferred from every value of a column: integer,
  number, boolean (`true`/`false`), date (`2026-01-05`, `1/5/2026`),
  date-time, else text; a number with a leading zero (`007`, a postal code)
  stays text. `--type FIELD=WORD` overrides. A column that stays text
  although it looks like dates (most values are, or its header ends in
  `Date`, `Time` or `At`) gets a warning naming its first value that is not.
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
from mkc.store import bulk, cells, csv_dialect, datasets
from mkc.store.cells import Reading
from mkc.store.db import Store
from mkc.store.progress import Bar
from mkc.store.schema import FIELD_TYPE_OF_COLUMN, TYPE_WORDS, WORD_OF_TYPE, quote

CHUNK = 20_000

KEY_HEADERS = {"id", "leadid", "personid", "marketoid"}

# A standard field's type (stdlib/fields.py) as the column it is imported into.
STANDARD_COLUMN = {"text": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "TIMESTAMP"}

SAMPLE = 1000


@attrs.frozen
class ImportOptions:
    """How to read the file, where not found out (`--encoding`, `--delimiter`,
    `--decimal`, `--date-format`)."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None  # "," or "."
    date_format: str | None = None  # "m/d/y", "d/m/y" or a strptime format


DATE_ORDERS = {"m/d/y": False, "d/m/y": True}


def date_format_option(text: str) -> str:
    """`--date-format`: m/d/y, d/m/y, or a strptime format (`%d.%m.%Y %H:%M`)."""
    if text.casefold() in DATE_ORDERS or "%" in text:
        return text.casefold() if "%" not in text else text
    raise ValueError(f"--date-format {text!r}: give m/d/y, d/m/y or a format such as '%d/%m/%Y %H:%M'")


def decimal_option(text: str) -> str:
    if text not in (",", "."):
        raise ValueError(f"--decimal {text!r}: give ',' or '.'")
    return text


@attrs.define
class ImportResult:
    rows: int = 0  # good rows imported
    added: int = 0
    updated: int = 0
    skipped: list[str] = attrs.Factory(list)  # messages of the bad rows left out
    fields: dict[str, str] = attrs.Factory(dict)  # field -> type word
    notes: list[str] = attrs.Factory(list)  # how the file was read, columns that look wrong: for stderr


class BadRows(BadInput):
    """Rows that cannot be imported: every message is `FILE:LINE: text`."""

    def __init__(self, path: str, messages: list[str], hint: bool = True):
        self.messages = messages
        n = len(messages)
        what = f"{n} bad row{'s' if n != 1 else ''}" if hint else "a bad header row"
        super().__init__(
            f"{path}: {what}; nothing imported" + (" (--skip-bad-rows imports the others)" if hint else "")
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

    def __init__(self, store: Store, path: str, options: ImportOptions):
        self.store = store
        self.path = path
        self.options = options
        self.dialect: csv_dialect.Dialect | None = None
        self.reading = cells.DEFAULT
        # A Parquet file, or a dataset: a folder of them, read in name order.
        self.files = datasets.files(path) if os.path.isdir(path) else [path]
        self.parquet = os.path.isdir(path) or path.casefold().endswith(".parquet")
        self.headers: list[str] = []
        self.fields: list[str] = []  # each column's field ('' for the key)
        self.key = -1  # the key column
        self.header_errors: list[str] = []
        self.errors: list[tuple[int, str]] = []  # bad rows: (line, message)
        self.samples: list[list[str]] = []  # up to SAMPLE values of each column
        self.dated: list[int] = []  # the columns with dates as Excel writes them (in their samples)

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
            bad.append("no Id column (Marketo's person export has one; it is the person's key)" + self._seen())
        return not bad

    def _seen(self) -> str:
        """What the header row was read as, when it has no Id column."""
        shown = ", ".join(repr(h) for h in self.headers[:6]) + (", ..." if len(self.headers) > 6 else "")
        count = f"{len(self.headers)} column{'s' if len(self.headers) != 1 else ''}"
        if self.dialect is None:
            return f"; the header has {count}: {shown}"
        return f"; read as {self.dialect.describe()}, the header has {count}: {shown}"

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
        dialect = self.dialect = csv_dialect.sniff(self.path, self.options.encoding, self.options.delimiter)
        with raw, Bar(bar_total, f"importing {os.path.basename(self.path)}", unit="bytes", threshold=1 << 20) as bar:
            text = io.TextIOWrapper(raw, encoding=dialect.encoding, errors=dialect.errors, newline="")
            reader = csv.reader(text, delimiter=dialect.delimiter)
            try:
                headers = next(reader, None)
                if headers is None:
                    raise BadInput(f"{self.path}: empty file, no header row")
                if headers and headers[0].startswith("\ufeff"):  # a BOM the encoding did not take
                    headers[0] = headers[0][1:]
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
            except UnicodeError as err:  # sniff found none: the file changed under us
                raise BadInput(f"{self.path}: not {dialect.encoding} text ({err.reason})") from None
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
            described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [self.files]).fetchall()
        except Exception as err:  # duckdb.Error: not a Parquet file
            raise BadInput(f"{self.path}: cannot read it as Parquet ({str(err).splitlines()[0]})") from None
        headers = [r[0] for r in described]
        if not self.header(headers):
            return 0
        self.create()
        values = ", ".join(
            f"NULLIF({'trim' if i == self.key else ''}(CAST({quote(h)} AS VARCHAR)), '')" for i, h in enumerate(headers)
        )
        # Rows numbered across the files, in name order, then each file's order.
        con.execute(
            f"INSERT INTO _stage SELECT row_number() OVER (ORDER BY list_position(?, filename), file_row_number), "
            f"{values} FROM read_parquet(?, file_row_number = true, filename = true) "
            "ORDER BY list_position(?, filename), file_row_number",
            [self.files, self.files, self.files],
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


def _describe(ctype: str) -> str:
    word = WORD_OF_TYPE[ctype]
    return {"integer": "a whole number", "number": "a number", "boolean": "true or false"}.get(word, f"a {word}")


def import_people(
    store: Store,
    path: str,
    types: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import a person export into `store` (inside the caller's transaction).
    Raises BadRows (nothing imported) unless `skip_bad_rows`; BadInput for a
    file that cannot be read at all."""
    types = dict(types or {})
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such file")
    stage = _Staging(store, path, options or ImportOptions())
    stage.read()
    if stage.header_errors:
        raise BadRows(path, [f"{path}:1: {msg}" for msg in stage.header_errors], hint=False)
    unknown = [name for name in types if name not in stage.fields]
    if unknown:
        raise BadInput(f"--type {unknown[0]}=...: {path} has no column for the field `{unknown[0]}`")
    stage.reading = _reading(stage)
    chosen, type_errors = _types(stage, types)
    errors = sorted(stage.errors + _duplicates(stage) + type_errors, key=lambda e: e[0])
    messages = [f"{path}:{line}: {msg}" for line, msg in errors]
    if errors and not skip_bad_rows:
        raise BadRows(path, messages)
    notes = _how_read(stage) + _text_dates(stage, chosen, types)
    if errors:
        _drop_lines(store, sorted({line for line, _ in errors}))
    result = _merge(stage, chosen)
    result.skipped = messages
    result.notes = notes
    return result


def _reading(stage: _Staging) -> Reading:
    """How the file writes numbers and dates: as given, else as its values show.

    The decimal mark: `.` in a comma-separated file (or Parquet); in another,
    the one its numbers show (`2,5` and `1.234,5` show a comma, `2.5` and
    `1,234.5` a point), else `,` when it is `;`-separated (Excel where the
    decimal mark is a comma) and `.` otherwise. Dates as 7/8/2025 are month
    first unless one of them cannot be (`20/7/2025`) and none can only be
    (`7/20/2025`)."""
    options, dialect = stage.options, stage.dialect
    values = [v.strip() for i, sample in enumerate(stage.samples) if i != stage.key for v in sample]
    decimal = options.decimal
    if decimal is None:
        if dialect is None or dialect.delimiter == ",":
            decimal = "."
        else:
            decimal = cells.decimal_shown(values) or ("," if dialect.delimiter == ";" else ".")
    dated = stage.dated = [i for i, sample in enumerate(stage.samples) if cells.has_excel_dates(sample)]
    given = options.date_format
    if given is not None:
        return Reading(decimal, DATE_ORDERS.get(given, False), None if given in DATE_ORDERS else given)
    day_first = False
    if dated:
        day, month = _any_of(stage, dated)
        day_first = bool(day) and not month
    return Reading(decimal, day_first)


def _any_of(stage: _Staging, dated: list[int]) -> tuple[bool, bool]:
    """Whether some Excel date in the columns `dated` is day first only, and month first only."""
    row = stage.store.con.execute(
        "SELECT "
        + ", ".join(
            "bool_or(" + " OR ".join(f"regexp_full_match(trim(c{i}), '{shown}')" for i in dated) + ")"
            for shown in (cells.DAY_FIRST_SHOWN, cells.MONTH_FIRST_SHOWN)
        )
        + " FROM _stage"
    ).fetchone()
    return row[0], row[1]


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
    store, con, fields, reading = stage.store, stage.store.con, stage.fields, stage.reading
    ok = reading.ok
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
            candidates[i] = reading.inferred(sample) if sample else []
            chosen[i] = "VARCHAR"
    checks = [(i, t) for i, ts in candidates.items() for t in ts]
    if checks:
        # A standard field's values that are not of its type are bad rows, so
        # they do not count against a narrower type.
        row = con.execute(
            "SELECT "
            + ", ".join(
                f"bool_and(c{i} IS NULL OR {ok(f'c{i}', t)}"
                + (f" OR NOT {ok(f'c{i}', standard[i])})" if i in standard and fields[i] not in existing else ")")
                for i, t in checks
            )
            + " FROM _stage"
        ).fetchone()
        passed = {check for check, ok in zip(checks, row) if ok is not False}
        for i, ts in candidates.items():
            good = next((t for t in ts if (i, t) in passed), None)
            whole = existing.get(fields[i]) == "BIGINT" and _fits_all(con, i, ok(f"c{i}", "BIGINT"))
            if good is not None and not whole:
                chosen[i] = good
    errors = []
    for i, ctype in chosen.items():
        name = fields[i]
        if ctype == "DOUBLE":  # written as a number, but too large for one: it would be stored as infinity
            for line, value in con.execute(
                f"SELECT _line, c{i} FROM _stage WHERE {ok(f'c{i}', ctype)} "
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
            f"SELECT _line, c{i} FROM _stage WHERE c{i} IS NOT NULL AND NOT {ok(f'c{i}', ctype)} ORDER BY _line"
        ).fetchall():
            errors.append((line, f"{stage.headers[i]}: {_abridged(value)} is not {_describe(ctype)} ({why})"))
    return chosen, errors


def _how_read(stage: _Staging) -> list[str]:
    """One line saying how the file was read, when it is not UTF-8, comma-separated
    with decimal points and ISO dates."""
    dialect, reading = stage.dialect, stage.reading
    parts = []
    if dialect is not None and (dialect.encoding != "utf-8" or dialect.delimiter != ","):
        parts.append(dialect.describe())
    if reading.decimal == "," and _separated_numbers(stage):
        parts.append("decimal comma")
    if reading.date_format is not None:
        parts.append(f"dates as {reading.date_format}")
    elif stage.dated:
        parts.append("dates day/month/year" if reading.day_first else "dates month/day/year")
    return [f"{stage.path}: read as {', '.join(parts)}"] if parts else []


def _separated_numbers(stage: _Staging) -> bool:
    """Whether some number in the file has a `.` or `,` in it (the decimal mark matters)."""
    number = re.compile(stage.reading.pattern("DOUBLE"))
    return any(
        ("," in v or "." in v) and number.fullmatch(v.strip())
        for i, sample in enumerate(stage.samples)
        if i != stage.key
        for v in sample
    )


_DATE_WORDS = re.compile(r"(?i).*\b(date|time|at)$")


def _text_dates(stage: _Staging, chosen: dict[int, str], types: dict[str, str]) -> list[str]:
    """Warnings for the columns that stay text although they look like dates: most
    of their values are, or their header says so (`Webinar Date`, `Signed Up At`)."""
    warnings = []
    for i, ctype in chosen.items():
        name, sample = stage.fields[i], [v.strip() for v in stage.samples[i]]
        if ctype != "VARCHAR" or name in types or not sample:
            continue
        looks = sum(1 for v in sample if stage.reading.is_date(v)) * 2 > len(sample)
        if not looks and not _DATE_WORDS.fullmatch(stage.headers[i].strip()):
            continue
        date = stage.reading.ok(f"c{i}", "TIMESTAMP")
        row = stage.store.con.execute(
            f"SELECT _line, c{i} FROM _stage WHERE c{i} IS NOT NULL AND NOT {date} ORDER BY _line LIMIT 1"
        ).fetchone()
        if row is not None:
            warnings.append(
                f"{stage.path}:{row[0]}: warning: column {stage.headers[i]!r} stays text: {_abridged(row[1])} "
                f"is not a date (--type {name}=datetime reads the others as dates and reports such rows)"
            )
    return warnings


def _abridged(value: str) -> str:
    """A cell's text for a message: its start and end when it is long."""
    return repr(value if len(value) <= 40 else f"{value[:20]}...{value[-10:]}")


def _fits_all(con, i: int, condition: str) -> bool:
    return con.execute(f"SELECT bool_and(c{i} IS NULL OR {condition}) FROM _stage").fetchone()[0] is not False


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
    casts = {i: stage.reading.cast(f"s.c{i}", ctype) for i, ctype in chosen.items()}
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
