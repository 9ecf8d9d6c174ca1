"""Crash safety: a real `mkc run --campaign REF --db PATH`, killed (SIGKILL) or
stopped (SIGTERM) at random moments, leaves a database that reads back
exactly as before the run, or, when the moment fell after the commit, as
after the whole run. Never anything in between, and it always opens.

What is compared is what a user reads back: every table's rows, read as mkc
reads them (DuckDB replays a log, PATH.wal, that a kill left behind), not
the file's bytes.

The moments are random but seeded: MKC_CRASH_SEED (default 13) makes a
failure repeatable. CI stops 3 runs with SIGKILL and 1 with SIGTERM; the long
mode, MKC_LONG=1, stops 40 with SIGKILL and 10 with SIGTERM:

    MKC_LONG=1 python -m pytest tests/store/test_store_crash.py -n0 -s
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from collections import Counter

import pytest
from store_helpers import content, database_after_one_run, run_mkc, spawn_mkc

LONG = bool(os.environ.get("MKC_LONG"))
SEED = int(os.environ.get("MKC_CRASH_SEED", "13"))
KILLS, TERMS = (40, 10) if LONG else (3, 1)
N = 3000  # people: a run of a second or two
RUN = ("--campaign", "Every", "--at", "2026-01-09T09:00")


_mkc = spawn_mkc


def _state(db: str) -> dict[str, list]:
    """What the database holds, without the wall-clock time a run started."""
    state = content(db)
    state["runs"] = [row[:-1] for row in state["runs"]]
    return state


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A database of N people after one run, its state, the state after one
    more run (the run the tests stop), and how long that run takes."""
    tmp = tmp_path_factory.mktemp("crash")
    db, mkc_file = database_after_one_run(tmp, N, "template.duckdb")
    done = str(tmp / "done.duckdb")
    shutil.copy(db, done)
    start = time.monotonic()
    proc = _mkc("run", mkc_file, *RUN, "--db", done)
    assert proc.wait() == 0, proc.stderr.read()
    took = time.monotonic() - start
    before, after = _state(db), _state(done)
    assert before != after
    return db, mkc_file, before, after, took


def _stop(world, tmp_path, capsys, sig, delay: float) -> tuple[str, int]:
    """Run on a copy of the template, send `sig` after `delay` seconds; which
    state the database is left in ('before' or 'after'), and the exit status."""
    template, mkc_file, before, after, _ = world
    db = str(tmp_path / "stopped.duckdb")
    shutil.copy(template, db)
    proc = _mkc("run", mkc_file, *RUN, "--db", db)
    time.sleep(delay)
    proc.send_signal(sig)
    code = proc.wait(timeout=120)
    said = proc.stderr.read()
    where = f"(seed {SEED}, signal {sig}, after {delay:.3f} s: exit {code}, {said!r})"
    state = _state(db)
    if code == 130 and sig == signal.SIGTERM:  # mkc caught it: rolled back, and said so in one line
        assert said == f"mkc: interrupted; {db} is as it was before the run\n", where
        assert state == before, where
    elif code == 0:  # the signal came after the end
        assert state == after, where
    else:  # killed: by SIGKILL, or by SIGTERM before mkc set its handler
        assert code == -sig, where
        assert state in (before, after), f"the database is neither as before nor as after the run {where}"
    opened, _, err = run_mkc(capsys, "db", "info", "--db", db)  # and mkc opens it
    assert opened == 0, err
    for path in (db, db + ".wal"):
        if os.path.exists(path):
            os.unlink(path)
    return ("before" if state == before else "after"), code


def _delays(count: int, took: float, salt: int) -> list[float]:
    """Moments from the end of Python's start-up (before it, the database is
    not even open) to a little past the end, the commit included."""
    rng = random.Random(SEED * 1000 + salt)
    return [rng.uniform(0.3, 1.05) * took for _ in range(count)]


@pytest.mark.parametrize("sig, count", [(signal.SIGKILL, KILLS), (signal.SIGTERM, TERMS)], ids=["kill", "term"])
def test_a_run_stopped_at_random_moments_leaves_the_database_before_or_after(world, tmp_path, capsys, sig, count):
    outcomes = [_stop(world, tmp_path, capsys, sig, delay) for delay in _delays(count, world[4], int(sig))]
    if LONG:
        with capsys.disabled():
            print(
                f"\n{signal.Signals(sig).name} x{count}: {Counter(s for s, _ in outcomes)} states, "
                f"{Counter(c for _, c in outcomes)} exit statuses (seed {SEED}, a run takes {world[4]:.1f} s)"
            )


def test_a_stop_once_the_commit_has_begun_keeps_the_run_and_does_not_say_it_was_rolled_back(tmp_path):
    # The race the random SIGTERMs found on a loaded machine: a signal during or right after
    # COMMIT raised KeyboardInterrupt, and mkc said the database was as before, though it was not.
    from mkc.store.commands import interruptible
    from mkc.store.db import Store

    store = Store.open(str(tmp_path / "s.duckdb"))
    real = store.con

    class Connection:  # DuckDB's is read-only: stand in front of it
        def __getattr__(self, name):
            return getattr(real, name)

        def execute(self, sql, *args):
            result = real.execute(sql, *args)
            if sql == "COMMIT":
                os.kill(os.getpid(), signal.SIGTERM)  # arrives as the commit returns
            return result

    store.con = Connection()
    with interruptible() as committing, store.transaction(committing):
        store.set_meta("clock", "2026-02-01T00:00")
    store.con = real
    assert store.meta("clock") == "2026-02-01T00:00"
    store.close()
