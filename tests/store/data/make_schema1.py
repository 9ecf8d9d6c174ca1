"""Makes schema1.duckdb.gz: a database as mkc's importer made it before the field
schema (schema version 1, commit c3ba1fd), for the migration tests.

It was made by running this from a checkout of c3ba1fd (`python
tests/store/data/make_schema1.py`); today's importer makes version 2, so the
committed file is the fixture, and this script says how it came about.
Gzipped: the database file is 1.5 MB, mostly empty blocks.

What version 1 did that version 2 does not: headers named by a snake_case rule
(`title`, `num_employees`, `lead_rating`), standard fields typed by their
values (a `Phone Number` of digits an integer, a `Created At` of dates a date,
a column empty at its first import text for good).
"""

import gzip
import os
import pathlib
import tempfile

from mkc.store.commands import db_import

HERE = pathlib.Path(__file__).parent
DB = HERE / "schema1.duckdb"

# The first import: Lead Score and Unsubscribed empty, so they became text.
FIRST = (
    "Id,Email Address,First Name,title,Num Employees,Lead Rating,Lead Score,Unsubscribed,Created At,Phone Number,"
    "Favourite Colour\n"
    """\
1,ann@example.com,Ann,CEO,50,Hot,,,2026-01-05,5551234,blue
2,bob@example.com,Bob,CTO,7,Cold,,,2026-01-06,5559876,green
"""
)
# The second: values for them, kept as text (a field keeps its type).
SECOND = """\
Id,Lead Score,Unsubscribed
1,10,true
2,25,FALSE
3,,
"""

if __name__ == "__main__":
    for suffix in ("", ".wal"):
        pathlib.Path(str(DB) + suffix).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("first.csv", FIRST), ("second.csv", SECOND)):
            path = os.path.join(tmp, name)
            pathlib.Path(path).write_text(text)
            db_import(path, str(DB), {}, False)
    pathlib.Path(str(DB) + ".gz").write_bytes(gzip.compress(DB.read_bytes(), 9, mtime=0))
    DB.unlink()
