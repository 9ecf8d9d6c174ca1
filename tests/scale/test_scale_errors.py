"""A spread run that cannot finish leaves the database as it was, and says
which partition failed in one line; bad options are bad input."""

from __future__ import annotations

import pytest
from scale_helpers import RICH, dump, people_csv, run_mkc, write_campaigns

from mkc.scale.worker import FAULT_ENV


@pytest.fixture
def world(tmp_path, capsys):
    """A database after one run, and the program."""
    program, people = write_campaigns(tmp_path, RICH), people_csv(tmp_path, 40)
    db = str(tmp_path / "w.duckdb")
    code, _, err = run_mkc(capsys, "run", program, "--campaign", "Webinar.Invite", "--people", people, "--db", db)
    assert code == 0, err
    return program, db


@pytest.mark.parametrize(
    ("fault", "said"), [("kill:1", "its worker was killed (SIGKILL)"), ("raise:0", "RuntimeError")]
)
def test_a_failed_worker_fails_the_run_and_changes_nothing(capsys, monkeypatch, world, fault, said):
    program, db = world
    before = dump(db)
    monkeypatch.setenv(FAULT_ENV, fault)
    code, out, err = run_mkc(capsys, "run", program, "--campaign", "Scoring", "--db", db, "--workers", "2")
    part = fault.split(":")[1]
    assert code == 1 and out == ""
    assert err.startswith(f"mkc: error: partition {part} of 2 failed: ") and said in err
    assert err.rstrip().endswith(f"nothing was written to {db}") and len(err.splitlines()) == 1
    assert dump(db) == before


def test_a_runaway_in_a_worker_stops_the_run_as_on_one_process(capsys, tmp_path, world):
    program, db = world
    before = dump(db)
    code, out, err = run_mkc(
        capsys, "run", program, "--campaign", "Scoring", "--db", db, "--workers", "2", "--max-work", "3"
    )
    assert code == 1 and out == ""
    assert err.startswith("mkc: error: more than 3 pieces of work in one run") and len(err.splitlines()) == 1
    assert dump(db) == before


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--workers", "2"], "--workers and --ray go with --campaign and --db (or --people)"),
        (["--campaign", "Scoring", "--workers", "2"], "--workers and --ray go with --campaign and --db (or --people)"),
        (["--campaign", "Scoring", "--workers", "0"], "--workers"),
    ],
)
def test_bad_options_are_bad_input(capsys, tmp_path, args, said):
    program = write_campaigns(tmp_path, RICH)
    code, _, err = run_mkc(capsys, "run", program, *args)
    assert code == 2 and said in err


def test_engine_columnar_spread_refuses_what_the_engine_does_not_run(capsys, world):
    program, db = world
    before = dump(db)
    code, out, err = run_mkc(
        capsys, "run", program, "--campaign", "Cleanup", "--db", db, "--workers", "2", "--engine", "columnar"
    )
    assert code == 2 and out == ""
    why = "delete person steps"
    assert err == f"mkc: error: --engine columnar: the columnar engine does not run Default.Cleanup: {why}\n"
    assert dump(db) == before


def test_a_spread_run_says_its_workers_run_the_reference(capsys, world):
    program, db = world
    code, _, err = run_mkc(
        capsys, "run", program, "--campaign", "Cleanup", "--db", db, "--workers", "2", "--engine", "auto"
    )
    assert code == 0
    assert "mkc run: reference interpreter on 2 worker processes (the columnar engine does not run " in err
