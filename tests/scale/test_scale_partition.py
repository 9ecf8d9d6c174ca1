"""The partitions: DuckDB's `part_sql` puts every person where Python's
`partition_of` says, and `write_slices` gives each partition its files."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from mkc.scale.partition import part_sql, partition_of


@settings(max_examples=50, deadline=None)
@given(ids=st.lists(st.text(min_size=0, max_size=30), min_size=1, max_size=40), parts=st.integers(1, (1 << 31) - 1))
def test_sql_partition_is_pythons(ids, parts):
    con = duckdb.connect()
    con.execute("CREATE TABLE p (i INTEGER, id TEXT)")
    con.executemany("INSERT INTO p VALUES (?, ?)", list(enumerate(ids)))
    found = con.execute(f"SELECT {part_sql('id', parts)} FROM p ORDER BY i").fetchall()
    assert [f for (f,) in found] == [partition_of(i, parts) for i in ids]


def test_small_partition_counts_over_many_ids():
    con = duckdb.connect()
    con.execute("CREATE TABLE p AS SELECT i, 'person-' || i AS id FROM range(5000) r(i)")
    ids = [f"person-{i}" for i in range(5000)]
    for parts in (1, 2, 3, 7, 16, 1000):
        found = con.execute(f"SELECT {part_sql('id', parts)} FROM p ORDER BY i").fetchall()
        assert [f for (f,) in found] == [partition_of(i, parts) for i in ids]


def test_a_local_worker_makes_no_scratch_folder(tmp_path, monkeypatch):
    """A local worker reads its slice's folder and writes its result file: it
    makes no scratch folder, so one the parent stops (a fallback elsewhere)
    leaves none behind."""
    import pickle
    import tempfile

    from mkc.interpreter import Limits
    from mkc.scale import worker

    made = []
    real = tempfile.TemporaryDirectory
    monkeypatch.setattr(tempfile, "TemporaryDirectory", lambda *a, **k: made.append(1) or real(*a, **k))
    job = worker.Job("", {}, "C", [], None, None, None, {}, Limits(), 1, "columnar", "raise:0")
    out = tmp_path / "result"
    assert worker.run_task(worker.Task(0, 1, job, str(tmp_path), str(out))) is None
    with open(out, "rb") as fh:
        assert pickle.load(fh)[0] == "failed"
    assert made == []


def test_slices_are_written_with_the_engines_memory(tmp_path, capsys):
    """The slices are written with the memory a run over that many people
    gets (`columnar.run.resources`), not the store's own small limit: at
    10,000,000 people the store's 256 MB ran out. Here a limit of 2 MB."""
    import pathlib
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    from scale_helpers import run_mkc

    from bench.people_csv import write as write_people
    from mkc.scale.partition import write_slices
    from mkc.store.db import Store

    people, db = str(tmp_path / "people.csv"), str(tmp_path / "s.duckdb")
    write_people(20_000, people)
    assert run_mkc(capsys, "db", "import", people, "--db", db)[0] == 0
    store = Store.open(db)
    try:
        store.con.execute("SET memory_limit = '2MB'")
        folders = write_slices(store, 2, str(tmp_path / "slices"))
        counts = [duckdb.connect().execute(f"SELECT count(*) FROM '{f}/people.parquet'").fetchone()[0] for f in folders]
    finally:
        store.close()
    assert sum(counts) == 20_000


def test_a_worker_spills_into_its_slice_folder(tmp_path):
    """A worker's in-memory database spills beside its slice (removed with
    the run's temporary folder), not into `.tmp` of whatever directory mkc
    was started in (a 10M run left 460 MB there)."""
    from mkc.scale.worker import SLICES, _slice_database

    con = duckdb.connect()
    from mkc.store.schema import DDL

    con.execute(DDL)
    for table in SLICES:
        con.execute(f"COPY (SELECT *, 0 AS _row FROM {table}) TO '{tmp_path / table}.parquet' (FORMAT parquet)")
    con.close()
    worker = _slice_database(str(tmp_path))
    try:
        found = worker.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    finally:
        worker.close()
    assert found == str(tmp_path / "spill")
