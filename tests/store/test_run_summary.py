"""`mkc run --summary`: counts per activity type instead of the lines, and
the terminal rule (a long log on a terminal gets the summary by default; a
file or pipe always gets every line)."""

from __future__ import annotations

import collections
import io
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest
from store_helpers import people_csv, run_mkc, write_campaigns

from mkc.store import commands, run_summary
from mkc.store.db import Store

BUSY_PEOPLE = 1_260  # Busy logs 8 activities a person: 10,080, just above SUMMARY_ABOVE


@pytest.fixture(scope="module")
def busy_db(tmp_path_factory):
    """A database of BUSY_PEOPLE people and the campaign file (no run yet)."""
    tmp = tmp_path_factory.mktemp("busy")
    db = str(tmp / "s.duckdb")
    mkc_file = write_campaigns(tmp)
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", "db", "import", people_csv(tmp, BUSY_PEOPLE)]
        + ["--db", db],
        capture_output=True,
    )
    assert proc.returncode == 0, proc.stderr
    return tmp, db, mkc_file


def _copy(tmp, db: str, name: str) -> str:
    return shutil.copyfile(db, tmp / name).as_posix()


def test_the_summary_counts_what_the_lines_show(tmp_path, capsys):
    mkc_file = write_campaigns(tmp_path)
    csv_path = people_csv(tmp_path, 40)
    first, second = str(tmp_path / "a.duckdb"), str(tmp_path / "b.duckdb")
    run = ["run", mkc_file, "--campaign", "Welcome", "--people", csv_path, "--at", "2026-01-05T09:00"]
    code, lines, _ = run_mkc(capsys, *run, "--db", first)
    assert code == 0
    code, out, err = run_mkc(capsys, *run, "--db", second, "--summary")
    assert code == 0 and "activities" not in err
    counted = collections.Counter(line.split("  ")[2] for line in lines.splitlines())
    head, *rows, total = out.splitlines()
    entered = len({line.split("  ")[1] for line in lines.splitlines()})
    assert head == f"Default.Welcome at 2026-01-05T09:00: 40 people, {entered} entered"
    assert [row.split() for row in rows] == [[*t.split(), str(n)] for t, n in sorted(counted.items())]
    assert total.split() == ["total", str(sum(counted.values()))]
    # the same database content whichever way the log is printed
    assert commands.Store.open(first, create=False).con.execute("SELECT count(*) FROM activities").fetchone()[0] == (
        sum(counted.values())
    )


def test_the_summary_as_json(tmp_path, capsys):
    mkc_file = write_campaigns(tmp_path)
    args = ["run", mkc_file, "--campaign", "Every", "--people", people_csv(tmp_path, 5), "--summary"]
    code, out, _ = run_mkc(capsys, *args, "--db", str(tmp_path / "s.duckdb"), "--format", "jsonl")
    assert code == 0
    assert json.loads(out) == {
        "campaign": "Default.Every",
        "at": "2026-01-01T00:00",
        "people": 5,
        "entered": 5,
        "activities": 5,
        "types": {"Change Score": 5},
    }
    # a run that logs nothing: an empty table and a total of 0
    nothing = ["run", mkc_file, "--campaign", "Nothing", "--people", people_csv(tmp_path, 5), "--summary"]
    code, out, _ = run_mkc(capsys, *nothing)
    assert code == 0 and out.splitlines()[-1].split() == ["total", "0"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--summary", "--lines"], "--summary and --lines cannot be used together"),
        (["--summary", "--db", None], "--summary and --lines cannot"),
        (["--summary"], "--summary and --lines go with --db or --people"),
        (["--lines"], "--summary and --lines go with --db or --people"),
    ],
)
def test_bad_summary_options_are_one_line_exit_2(tmp_path, capsys, args, message):
    mkc_file = write_campaigns(tmp_path)
    args = [str(tmp_path / "s.duckdb") if a is None else a for a in args]
    if "--db" in args:
        args.append("--lines")
    code, out, err = run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", *args)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err, err


@pytest.mark.parametrize(
    "output, activities, isatty, summary",
    [
        ("auto", run_summary.SUMMARY_ABOVE + 1, True, True),
        ("auto", run_summary.SUMMARY_ABOVE, True, False),  # "more than" the stated number
        ("auto", 10**7, False, False),  # a file or a pipe: every line
        ("lines", 10**7, True, False),
        ("summary", 0, False, True),
    ],
)
def test_the_terminal_rule(output, activities, isatty, summary):
    assert run_summary.wants_summary(output, activities, isatty) is summary


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_print_run_on_a_fake_terminal(busy_db, monkeypatch, capsys):
    tmp, db, mkc_file = busy_db
    db = _copy(tmp, db, "fake.duckdb")
    code, _, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Busy", "--db", db, "--summary")
    assert code == 0
    store = Store.open(db, create=False)
    try:
        screen = _Terminal()
        monkeypatch.setattr(sys, "stdout", screen)
        commands._print_run(store, 1, "text", "auto")
        assert screen.getvalue().splitlines()[-1].split() == ["total", f"{8 * BUSY_PEOPLE:,}"]
        assert "--lines" in capsys.readouterr().err
        monkeypatch.setattr(run_summary, "SUMMARY_ABOVE", 8 * BUSY_PEOPLE)  # no longer more than the limit
        screen = _Terminal()
        monkeypatch.setattr(sys, "stdout", screen)
        commands._print_run(store, 1, "text", "auto")
        assert screen.getvalue().count("\n") == 8 * BUSY_PEOPLE and capsys.readouterr().err == ""
    finally:
        store.close()


def _on_a_pty(*args) -> tuple[str, str]:
    """`mkc ARGS` with stdout on a pseudo-terminal: (what the terminal got, stderr)."""
    main, secondary = os.openpty()
    chunks: list[bytes] = []

    def read():
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:  # EIO: the other end is closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from mkc.cli import main; main()", *args],
        stdout=secondary,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "MKC_PROGRESS"},
    )
    os.close(secondary)
    _, err = proc.communicate(timeout=120)
    reader.join(timeout=30)
    os.close(main)
    assert proc.returncode == 0, err
    return b"".join(chunks).decode().replace("\r\n", "\n"), err.decode()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_terminal_gets_the_summary_of_a_long_log(busy_db):
    tmp, db, mkc_file = busy_db
    run = ["run", mkc_file, "--campaign", "Busy", "--at", "2026-01-05T09:00"]
    screen, err = _on_a_pty(*run, "--db", _copy(tmp, db, "tty1.duckdb"))
    assert screen.splitlines() == [
        f"Default.Busy at 2026-01-05T09:00: {BUSY_PEOPLE:,} people, {BUSY_PEOPLE:,} entered",
        f"  Change Score  {8 * BUSY_PEOPLE:,}",
        f"  total         {8 * BUSY_PEOPLE:,}",
    ]
    assert run_summary.how_to_get_lines(8 * BUSY_PEOPLE) in err
    # --lines, or an explicit --format, get every line on the terminal too
    for ask in (["--lines"], ["--format", "text"]):
        screen, err = _on_a_pty(*run, "--db", _copy(tmp, db, "tty2.duckdb"), *ask)
        assert screen.count("Change Score") == 8 * BUSY_PEOPLE and "--lines" not in err
    # a pipe gets every line
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", *run, "--db", _copy(tmp, db, "pipe.duckdb")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and proc.stdout.count("\n") == 8 * BUSY_PEOPLE and "--lines" not in proc.stderr
