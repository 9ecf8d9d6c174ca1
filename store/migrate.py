"""Bringing a database of an older schema version to this one.

Version 1 -> 2 (the field schema, spec section 2): version 1's importer named
fields by a snake_case rule and typed standard fields by their values; version
2 names and types them by stdlib/fields.py. So every column that is a standard
field in one of its spellings (`title`, `num_employees`, `lead_rating`) is
renamed to the field (job_title, number_of_employees, rating), in `people`,
`fields` and the keys of `_extra`, and given the field's type: text; a number
stays integer or number, text becomes integer when every value is whole, else
number; a boolean from text `true`/`false`; a date as a date-time. A value
that cannot have its field's type, or two columns that are the same field,
stop the migration with one line saying how to mend the data; the database is
then as it was.

A command that writes migrates the database it opens, in one transaction,
before it does anything else; `mkc db migrate` does only that. Commands that
only read refuse an older database and say how to migrate it, but for `mkc db
export` (the way out when a value stops the migration) and the checker's view
of the database's fields (store/fields.py), which read it as it is.
"""

from __future__ import annotations

from mkc.source import BadInput
from mkc.stdlib.fields import standard_field
from mkc.store import codec
from mkc.store.cells import DEFAULT
from mkc.store.csv_import import STANDARD_COLUMN
from mkc.store.schema import FIELD_TYPE_OF_COLUMN, SCHEMA_VERSION, quote

MIGRATES = ("1",)  # the versions this mkc migrates


def migrate(store) -> None:
    """Migrate `store` (version 1) to SCHEMA_VERSION, in one transaction."""
    with store.transaction():
        _fields_1_to_2(store)
        store.set_meta("schema_version", SCHEMA_VERSION)


def _fields_1_to_2(store) -> None:
    con, columns = store.con, dict(store.columns())
    folded = {name.casefold(): name for name in columns}  # DuckDB's names ignore case
    renames: dict[str, str] = {}
    for name in columns:
        spec = standard_field(name)
        if spec is None or spec.name == name:
            continue
        other = renames.get(spec.name) or folded.get(spec.name.casefold())
        if other is not None and other != name:
            raise BadInput(
                f"{store.path}: cannot migrate to schema version {SCHEMA_VERSION}: the columns {other} and {name} "
                f"are both the standard field {spec.name}; export the people (mkc db export people.csv --db "
                f"{store.path} --what people), keep one of the two columns, and import the file into a new database"
            )
        renames[spec.name] = name
    for new, old in renames.items():
        con.execute(f"ALTER TABLE people RENAME COLUMN {quote(old)} TO {quote(new)}")
        con.execute("UPDATE fields SET field = ? WHERE field = ?", [new, old])
        columns = {new if n == old else n: t for n, t in columns.items()}
    if renames:
        _rename_extra(store, {old: new for new, old in renames.items()})
    for name, ctype in columns.items():
        spec = standard_field(name)
        if spec is None or FIELD_TYPE_OF_COLUMN[ctype] == spec.type and ctype != "DATE":
            continue
        target = STANDARD_COLUMN[spec.type]
        col = f"CAST({quote(name)} AS VARCHAR)"
        if target == "DOUBLE" and _all(con, DEFAULT.ok(col, "BIGINT"), name):
            target = "BIGINT"
        if target != "VARCHAR":  # anything can be text
            bad = con.execute(
                f"SELECT id, {col} FROM people WHERE {quote(name)} IS NOT NULL AND NOT {DEFAULT.ok(col, target)} "
                "ORDER BY _pid LIMIT 1"
            ).fetchone()
            if bad is not None:
                raise BadInput(
                    f"{store.path}: cannot migrate to schema version {SCHEMA_VERSION}: {name} is a standard "
                    f"{spec.type} field, but person {bad[0]} has {bad[1]!r}; export the people (mkc db export "
                    f"people.csv --db {store.path} --what people) and import the file into a new database "
                    "(--skip-bad-rows leaves such rows out)"
                )
        con.execute(f"ALTER TABLE people ALTER COLUMN {quote(name)} TYPE {target} USING {DEFAULT.cast(col, target)}")
    store._columns = None


def _all(con, condition: str, name: str) -> bool:
    return (
        con.execute(f"SELECT bool_and({condition}) FROM people WHERE {quote(name)} IS NOT NULL").fetchone()[0]
        is not False
    )


def _rename_extra(store, renames: dict[str, str]) -> None:
    """The values kept outside their columns (`_extra`), under the new names."""
    con = store.con
    rows = con.execute("SELECT _pid, _extra FROM people WHERE _extra IS NOT NULL AND _extra <> '{}'").fetchall()
    for pid, text in rows:
        extra = codec.load_map(text)
        if any(name in renames for name in extra):
            renamed = {renames.get(name, name): value for name, value in extra.items()}
            con.execute("UPDATE people SET _extra = ? WHERE _pid = ?", [codec.dump_map(renamed), pid])
