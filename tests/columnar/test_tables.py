"""The tests' one table dump (tests/tables.py): a stored-order comparison
sees two rows that swapped places, a sorted one does not; the activity log
is compared in its own order (`seq`), the wall clock of a run not at all."""

from __future__ import annotations

import duckdb
import pytest
from diff_harness import mkc
from tables import SORTED, copies, differences, dump

PROGRAM = 'campaign Main < flow < add_to_list "A"; change_score +1 > >\nlist "A"\n'
PEOPLE = "Id,Email Address\n1,a@example.com\n2,b@example.com\n3,c@example.com\n"


@pytest.fixture
def db(tmp_path) -> str:
    """A database after one run: three people in a list, three activities each."""
    (tmp_path / "p.mkc").write_text(PROGRAM)
    (tmp_path / "people.csv").write_text(PEOPLE)
    path = str(tmp_path / "s.duckdb")
    code, _, err = mkc(
        "run", tmp_path / "p.mkc", "--campaign", "Main", "--db", path, "--people", tmp_path / "people.csv"
    )
    assert code == 0, err
    return path


def rewrite(path: str, table: str, order: str, sql: str = "") -> None:
    """`table`'s rows stored again in `order` (after `sql`)."""
    con = duckdb.connect(path)
    try:
        con.execute(sql or "SELECT 1")
        con.execute(f"CREATE TEMP TABLE t AS SELECT * FROM {table} ORDER BY {order}")
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} SELECT * FROM t")
    finally:
        con.close()


def test_two_rows_that_swap_places_differ_in_stored_order_only(db):
    (swapped,) = copies(db, "swapped")
    rewrite(swapped, "list_members", "rowid DESC")
    said = differences(dump(db), dump(swapped))
    assert said and said[0].startswith("list_members, row 1 (3 rows vs 3)")
    assert dump(db, SORTED) == dump(swapped, SORTED)


def test_the_log_in_its_own_order_and_no_wall_clock(db):
    (other,) = copies(db, "other")
    rewrite(other, "activities", "seq DESC", "UPDATE runs SET started = started + INTERVAL 1 HOUR")
    assert differences(dump(db), dump(other)) == []
    rewrite(
        other, "activities", "seq", "UPDATE activities SET seq = seq + 1 WHERE seq = (SELECT max(seq) FROM activities)"
    )
    assert differences(dump(db), dump(other), limit=1)[0].startswith("activities, row ")


def test_a_changed_value_differs_in_either_order(db):
    (other,) = copies(db, "other")
    con = duckdb.connect(other)
    con.execute("UPDATE people SET id = id || ' ' WHERE _pid = (SELECT min(_pid) FROM people)")
    con.close()
    assert differences(dump(db), dump(other), ("one", "two"))[0].startswith("people, row 1")
    assert dump(db, SORTED) != dump(other, SORTED)
    assert dump(str(db) + ".none") == {"(the database)": ["(none: the run removed it or never made it)"]}
    with pytest.raises(ValueError):
        dump(db, "rowid")
