"""A run is one transaction: killed, interrupted or failing half way, it leaves
the database exactly as it was; and a database from elsewhere is refused in
one line."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys

import duckdb
import pytest
from store_helpers import content, database_after_one_run, people_csv, run_mkc, spawn_mkc, write_campaigns

from mkc.store import commands
from mkc.store.batches import StoreSource

N = 20_000  # enough people for a run to be half way through when it is killed


@pytest.fixture(scope="module")
def big_template(tmp_path_factory):
    """A database of N people that has had one run (waits, history, activities)."""
    return database_after_one_run(tmp_path_factory.mktemp("big"), N)


@pytest.fixture
def big(big_template, tmp_path):
    """A copy of the template, for one test to stop runs on."""
    template, mkc_file = big_template
    db = tmp_path / "state.duckdb"
    db.write_bytes(pathlib.Path(template).read_bytes())
    return str(db), mkc_file


def _mkc(*args, env=None):
    return spawn_mkc(*args, env={"MKC_PROGRESS": "lines", **(env or {})})


def _stop_half_way(db, mkc_file, sig) -> subprocess.Popen:
    """Start a run and send `sig` half way. A kill waits until DuckDB has begun
    writing the uncommitted run into the file (a run that logs eight
    activities a person gets there after some 16,000 people)."""
    written = os.stat(db).st_mtime_ns
    busy = sig == signal.SIGKILL
    proc = _mkc("run", mkc_file, "--campaign", "Busy" if busy else "Every", "--db", db, "--at", "2026-01-09T09:00")
    for line in proc.stderr:
        done = int(line.split()[1].split("/")[0].replace(",", ""))
        if done >= N // 2 and (not busy or os.stat(db).st_mtime_ns != written):
            proc.send_signal(sig)
            break
    else:
        pytest.fail("the run ended before it was half way")
    proc.wait(timeout=60)
    return proc


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["kill", "term", "ctrl-c"])
def test_a_run_stopped_half_way_leaves_the_database_as_it_was(big, sig):
    db, mkc_file = big
    before = content(db)
    assert len(before["people"]) == N and before["waits"]
    proc = _stop_half_way(db, mkc_file, sig)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        said = proc.stderr.read()
        assert proc.returncode == 130, said
        assert said.strip() == f"mkc: interrupted; {db} is as it was before the run"
    assert content(db) == before  # same rows in every table, and it still opens
    info = _mkc("db", "info", "--db", db)
    assert info.wait() == 0 and info.stderr.read() == ""


def test_an_error_half_way_rolls_the_run_back(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "s.duckdb")
    mkc_file = write_campaigns(tmp_path)
    run_mkc(capsys, "db", "import", people_csv(tmp_path, 12), "--db", db)
    run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", "2026-01-05T09:00")
    before = content(db)

    class Failing(StoreSource):
        def __init__(self, store, run):
            super().__init__(store, run, batch_size=2)
            self.writes = 0

        def write(self, changes):
            super().write(changes)
            self.writes += 1
            if self.writes == 3:
                raise RuntimeError("disk on fire")

    monkeypatch.setattr(commands, "StoreSource", Failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_mkc(capsys, "run", mkc_file, "--campaign", "Every", "--db", db, "--at", "2026-01-10")
    assert content(db) == before


def test_a_run_that_fails_on_a_new_database_leaves_no_file(tmp_path, capsys):
    db = tmp_path / "new.duckdb"
    mkc_file = write_campaigns(tmp_path)
    code, _, err = run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--until", "2025-01-01")
    assert code == 2 and "--until 2025-01-01T00:00 is before --at 2026-01-01T00:00" in err
    assert not db.exists()


def test_a_database_of_another_schema_version_is_refused(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    run_mkc(capsys, "db", "import", people_csv(tmp_path, 2), "--db", db)
    con = duckdb.connect(db)
    con.execute("UPDATE mkc_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    code, _, err = run_mkc(capsys, "db", "info", "--db", db)
    assert code == 2 and err == f"mkc: error: {db}: an mkc database of schema version 99; this mkc reads version 2\n"


def test_files_that_are_not_mkc_databases_are_refused(tmp_path, capsys):
    mkc_file = write_campaigns(tmp_path)
    other = str(tmp_path / "other.duckdb")
    duckdb.connect(other).execute("CREATE TABLE t (a INT)").close()
    text = people_csv(tmp_path, 2)
    for db, message in (
        (other, f"{other}: a DuckDB database, but not an mkc one (it has no mkc_meta table)"),
        (text, f"{text}: not an mkc database (not a DuckDB database file)"),
        (str(tmp_path), f"{tmp_path}: is a directory, not a database"),
    ):
        code, _, err = run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db)
        assert (code, err) == (2, f"mkc: error: {message}\n")


def test_a_database_in_use_is_one_line(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    run_mkc(capsys, "db", "import", people_csv(tmp_path, 2), "--db", db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({db!r}); print('open', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        proc = _mkc("db", "info", "--db", db)
        assert proc.wait() == 2 and proc.stderr.read() == f"mkc: error: {db}: in use by another process\n"
    finally:
        holder.communicate("")
