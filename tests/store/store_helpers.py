"""Shared helpers for the store's tests: a campaign file, generated person
exports, the command line in-process, and a database's content."""

from __future__ import annotations

import csv
import os
import pathlib
import subprocess
import sys

import duckdb

from mkc.cli import main
from mkc.load import load_source
from mkc.source import Source
from mkc.store.schema import TABLES

CAMPAIGNS = """
tokens < my.bonus = +1 >
list "Newsletter"
email "Welcome" < subject "Hi <<lead.first_name:default=there>>" >
email "Followup" < subject "Still there?" >

campaign Welcome <
  smart_list < filter lead_score >= 10 >
  flow <
    send_email "Welcome"
    add_to_list "Newsletter"
    change_score +5
    wait 2 days
    send_email "Followup"
  >
>
campaign Again <
  smart_list < filter was_sent_email "Welcome" >
  flow < change_data_value lead_status "Engaged" >
>
campaign Stop < flow < remove_from_flow Welcome > >
campaign Nothing < smart_list < filter lead_status = "never" >; flow < do_nothing > >
campaign Engaged <
  smart_list < trigger data_value_changes lead_status >
  flow < wait 1 day; interesting_moment milestone "now <<trigger.new_value>>" >
  qualification every_time
>
campaign Tokened < flow < wait 1 hour; change_score <<my.bonus>> > >
campaign Delete < smart_list < filter lead_score < 8 >; flow < delete_person > >
campaign Every < flow < change_score +1 >; qualification every_time >
campaign Fortnightly < flow < change_score +1 >; qualification once_every 14 days >
campaign Broken < flow < change_score <<lead.bonus>> > >
campaign Busy <
  flow <
    change_score +1; change_score +1; change_score +1; change_score +1
    change_score +1; change_score +1; change_score +1; change_score +1
  >
  qualification every_time
>
fields < bonus text >
"""

# Waits (with weekdays), choices, program statuses, an executable with the
# parent's tokens, a request, list triggers, Remove from Flow, activity
# history and Delete Person: what a store must carry from batch to batch and
# from run to run.
RICH = """
tokens < my.bonus = +3 >
list "Newsletter"
list "Hot"
email "Welcome" < subject "Hi <<lead.first_name:default=there>>" >
email "Nudge" < subject "Nudge <<my.bonus>>" >

program Webinar <
  statuses ["Invited", "Registered", "Attended"]
  campaign Invite <
    smart_list < filter country in ["NL", "BE"] >
    flow <
      change_program_status Webinar "Invited"
      send_email "Welcome"
      wait 1 day
      choice <
        when lead_score >= 20 < change_program_status Webinar "Registered" >
        default < do_nothing >
      >
      wait 2 days weekdays=[mon, tue, wed, thu, fri] at=09:00
      send_email "Nudge"
      request_campaign Followup
    >
  >
  campaign Followup <
    smart_list < trigger campaign_is_requested >
    flow <
      wait 3 hours
      add_to_list "Hot"
      interesting_moment milestone "followed up <<trigger.name>>"
    >
  >
>

campaign Score executable < flow < change_score <<my.bonus>> > >
campaign Scoring <
  smart_list < filter lead_score >= 5 >
  flow <
    execute_campaign Score use_parent_token_context=true
    add_to_list "Newsletter"
  >
  qualification every_time
>
campaign OnList <
  smart_list < trigger added_to_list "Newsletter" >
  flow < wait 1 hour; change_data_value lead_status "Subscribed" >
  qualification every_time
>
campaign Removal <
  smart_list < filter member_of_program Webinar status="Registered" >
  flow < remove_from_flow Webinar.Invite >
>
campaign Mailed <
  smart_list < filter was_sent_email "Welcome" >
  flow < change_score +100 >
>
campaign Cleanup <
  smart_list < filter lead_score < 3 >
  flow < delete_person >
>

people <
  person ann < first_name "Ann" country "NL" lead_score 25 >
  person bob < country "BE" lead_score 4 >
  person cy < first_name "Cy" country "DE" lead_score 10 >
  person dee < country "nl" lead_score 0 >
  person eve < first_name "Eve" lead_score 2 >
  person fay < first_name "Fay" country "BE" lead_score 30 >
  person gus < country "NL" >
  person hal < first_name "Hal" country "FR" lead_score 7.5 >
>
"""

HEADER = ["Id", "First Name", "Email Address", "Lead Score", "Country", "Created At", "Subscribed"]


def write_campaigns(tmp_path: pathlib.Path, text: str = CAMPAIGNS, name: str = "c.mkc") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def model_of(text: str = CAMPAIGNS):
    loaded = load_source(Source("c.mkc", text))
    assert loaded.model is not None and not loaded.has_errors, loaded.diagnostics
    return loaded.model


def write_csv(path: pathlib.Path, header: list[str], rows: list[list]) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def person_row(i: int) -> list:
    """A generated person: Id 1000+i; every third without a first name; scores 0..29."""
    return [
        str(1000 + i),
        "" if i % 3 == 0 else f"Name{i}",
        f"p{i}@example.com",
        str((i * 7) % 30),
        ("NL", "BE", "DE", "")[i % 4],
        f"2025-01-{1 + i % 28:02d}T10:00:00Z",
        "true" if i % 2 else "false",
    ]


def people_csv(tmp_path: pathlib.Path, n: int, name: str = "people.csv") -> str:
    return write_csv(tmp_path / name, HEADER, [person_row(i) for i in range(1, n + 1)])


def run_mkc(capsys, *args) -> tuple[int, str, str]:
    """`mkc ARGS` in this process: exit status, stdout, stderr."""
    capsys.readouterr()
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


def content(db: str) -> dict[str, list]:
    """Every table's rows, sorted: equal when two databases hold the same."""
    con = duckdb.connect(db, read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        con.close()


def query(db: str, sql: str, params=()) -> list:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def spawn_mkc(*args, env=None) -> subprocess.Popen:
    """`mkc ARGS...` started as a real process (to be stopped by a test), its stderr kept."""
    return subprocess.Popen(
        [sys.executable, "-c", "from mkc.cli import main; main()", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def database_after_one_run(tmp: pathlib.Path, n: int, name: str = "state.duckdb") -> tuple[str, str]:
    """A database of `n` people that has had one run (waits, history,
    activities), and the campaign file: (database, file)."""
    db = str(tmp / name)
    mkc_file = write_campaigns(tmp)
    for args in (
        ["db", "import", people_csv(tmp, n), "--db", db],
        ["run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", "2026-01-05T09:00"],
    ):
        proc = spawn_mkc(*args)
        assert proc.wait() == 0, proc.stderr.read()
    return db, mkc_file
