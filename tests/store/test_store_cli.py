"""The command line around the store: option rules, `mkc db info`, and the
progress bar (a terminal only, never a pipe)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import pytest
from rich.console import Console
from store_helpers import people_csv, run_mkc, write_campaigns

from mkc.store.progress import THRESHOLD, Bar


@pytest.mark.parametrize(
    "args, message",
    [
        (["--db", "{tmp}/s.duckdb"], "--at, --token, --people, --db and --until go with --campaign"),
        (["--campaign", "Welcome", "--until", "2026-01-02"], "--until goes with --db"),
        (["--campaign", "Welcome", "--db", "{tmp}/s.duckdb", "--type", "a=text"], "--type and --skip-bad-rows go with"),
        (["--campaign", "Welcome", "--people", "{tmp}/none.csv"], "{tmp}/none.csv: no such file"),
        (["--campaign", "Welcome", "--db", "{tmp}/s.duckdb", "--until", "soon"], "--until soon: `soon` is not a date"),
        (["--campaign", "Engaged", "--db", "{tmp}/s.duckdb"], "--campaign Engaged: Default.Engaged is not a batch"),
        (["--campaign", "Welcome", "--bogus"], "--bogus"),
    ],
)
def test_run_options_bad_input_is_one_line_exit_2(tmp_path, capsys, args, message):
    mkc_file = write_campaigns(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = run_mkc(capsys, "run", mkc_file, *args)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert not (tmp_path / "s.duckdb").exists()


def test_db_info_tells_what_the_database_holds(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    mkc_file = write_campaigns(tmp_path)
    run_mkc(capsys, "db", "import", people_csv(tmp_path, 3), "--db", db)
    run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", "2026-01-05T09:00")
    code, out, _ = run_mkc(capsys, "db", "info", "--db", db)
    assert code == 0
    assert out.splitlines() == [
        f"{db}: mkc database, schema version 2, clock 2026-01-05T09:00",
        "people: 3; list memberships: 2; program memberships: 0",
        "activities: 6; waiting flows: 2; runs: 1",
        "fields: first_name text, email text, lead_score integer, country text, created_at datetime, "
        "subscribed boolean",
        "run 1: Default.Welcome at 2026-01-05T09:00: 3 people, 2 entered, 6 activities",
    ]


def test_db_help_shows_examples(capsys):
    code, out, _ = run_mkc(capsys, "db", "--help")
    assert code == 0 and "import" in out and "export" in out and "mkc db import people.csv" in out


def test_the_progress_bar_shows_people_per_second_on_a_terminal():
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with Bar(4 * THRESHOLD, "Default.Welcome", console=console) as bar:
        assert bar.shown
        for _ in range(4):
            time.sleep(0.01)
            bar.advance(THRESHOLD)
    text = screen.getvalue()
    assert "Default.Welcome" in text and f"{4 * THRESHOLD}/{4 * THRESHOLD}" in text and "people/s" in text


def test_small_runs_show_no_bar():
    with Bar(THRESHOLD, "x", console=Console(file=io.StringIO(), force_terminal=True)) as bar:
        assert not bar.shown


def test_nothing_on_a_pipe(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    mkc_file = write_campaigns(tmp_path)
    run_mkc(capsys, "db", "import", people_csv(tmp_path, THRESHOLD + 500), "--db", db)
    env = {k: v for k, v in os.environ.items() if k != "MKC_PROGRESS"}
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", "run", mkc_file, "--campaign", "Every", "--db", db],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.count("Change Score") == THRESHOLD + 500
