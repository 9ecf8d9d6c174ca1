"""A run's limits (issue 13): at most `Limits.work` pieces of work in one run
and no work more than `Limits.years` after a command began, whoever loops;
the message names the busiest campaigns; `--max-work`/`--max-years` change
them on `mkc run`, `mkc diff` and `mkc repl`; with `--db` nothing is written.

Set MKC_LONG=1 to also run the issue's big cases with the default limits
(a minute or two each)."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from interp_helpers import model_of
from mkc_cli import mkc

from mkc.interpreter import Interpreter, InterpreterError, Limits, flow, run_scenarios

LOOP = """
campaign Kick < flow < change_score +1 > >
campaign Ping < smart_list < trigger score_is_changed >; flow < change_score +1 >; qualification every_time >
"""
WAIT_LOOP = """
campaign Start < flow < request_campaign Daily > >
campaign Daily < smart_list < trigger campaign_is_requested >
                 flow < wait 1 day; change_score +1; request_campaign Daily >
                 qualification every_time >
"""


def people(n: int) -> str:
    return "people <\n" + "\n".join(f"  person p{i} < >" for i in range(n)) + "\n>\n"


def write(tmp_path, text: str, name: str = "a.mkc") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_defaults():
    assert Limits() == Limits(1_000_000, 100)
    with pytest.raises(ValueError):
        Limits(0, 100)


def test_many_looping_people_stop_at_the_runs_work_limit():
    # 20 people, each well under the per-person limit: only the run's limit stops them
    interp = Interpreter(model_of(LOOP + people(20)), schedules=False, limits=Limits(work=2000))
    with pytest.raises(InterpreterError) as err:
        interp.run_campaign("Kick")
    assert str(err.value) == (
        "more than 2000 pieces of work in one run (the limit: `--max-work` changes it); "
        "the busiest campaigns: Default.Ping"
    )
    assert len(interp.log) == 2000  # what was done before the stop is kept
    assert interp.pending == []


def test_a_wait_loop_stops_at_the_time_limit():
    interp = Interpreter(model_of(WAIT_LOOP + people(2)), schedules=False, limits=Limits(years=1))
    with pytest.raises(InterpreterError) as err:
        interp.run_campaign("Start")
    assert str(err.value) == (
        "work due at 2027-01-02T00:00, more than 1 year after 2026-01-01T00:00 "
        "(the limit: `--max-years` changes it); the busiest campaigns: Default.Daily"
    )
    assert interp.log[-1].time.isoformat() == "2027-01-01T00:00:00"


def test_a_scenario_that_runs_away_ends_with_an_error_line_and_a_clock_jump_costs_nothing():
    text = WAIT_LOOP + people(1) + "scenario s <\n  request Daily for p0\n  advance 400 days\n>\n"
    text += "scenario jump <\n  at 2500-01-01\n  advance 1 day\n>\n"
    loop, jump = run_scenarios(model_of(text), limits=Limits(years=1))
    assert loop.error is not None and loop.error.startswith("line 11: work due at 2027-01-02T00:00")
    assert jump.error is None


def test_one_person_looping_is_still_caught_at_one_moment_and_a_schedule_every_minute_is_no_loop(monkeypatch):
    monkeypatch.setattr(flow, "MAX_WORK", 500)
    (result,) = run_scenarios(model_of(LOOP + people(1) + "scenario s < run Kick >\n"))
    assert result.error == (
        "line 7: more than 500 pieces of work without a pause for p0: campaigns that trigger each other "
        "without end?; the busiest campaigns: Default.Ping"
    )
    every_minute = """
campaign Tick < flow < change_score +1 >; schedule at 2026-01-01T00:00 every 1 minute; qualification every_time >
people < person ann < > >
scenario s <
  advance 1 day
  expect ann lead_score = 1441
>
"""
    (result,) = run_scenarios(model_of(every_minute))
    assert result.error is None and result.passed, result.transcript


def test_mkc_run_options(tmp_path):
    path = write(tmp_path, WAIT_LOOP + people(2) + "scenario s <\n  request Daily for p0\n  advance 400 days\n>\n")
    code, out, err = mkc("run", path, "--max-years", "1")
    assert code == 1 and err == ""
    assert out.splitlines()[-1].startswith("ERROR line 12: work due at 2027-01-02T00:00, more than 1 year after")
    code, out, err = mkc("run", path, "--campaign", "Start", "--max-work", "10")
    assert code == 1 and len(out.splitlines()) == 10
    assert err == (
        "mkc: error: more than 10 pieces of work in one run (the limit: `--max-work` changes it); "
        "the busiest campaigns: Default.Daily, Default.Start\n"
    )
    code, out, err = mkc("run", path, "--max-work", "0")
    assert (code, out) == (2, "") and err.startswith("mkc: error: Invalid value for '--max-work'")
    assert len(err.splitlines()) == 1


def test_with_a_database_a_run_that_hits_a_limit_writes_nothing(tmp_path):
    path = write(tmp_path, WAIT_LOOP + people(3))
    db = str(tmp_path / "s.duckdb")
    assert mkc("run", path, "--campaign", "Start", "--db", db, "--until", "2026-01-03T00:00")[0] == 0
    before = mkc("db", "info", "--db", db)
    code, out, err = mkc(
        "run", path, "--campaign", "Start", "--db", db, "--until", "2029-01-01T00:00", "--max-work", "50"
    )
    assert code == 1 and out == ""
    assert err.startswith("mkc: error: more than 50 pieces of work in one run") and "nothing was written" in err
    assert mkc("db", "info", "--db", db) == before


def test_mkc_diff_and_the_repl_take_the_limits(tmp_path):
    old = write(tmp_path, WAIT_LOOP + people(1) + "scenario s <\n  request Daily for p0\n  advance 3 days\n>\n")
    new = write(
        tmp_path, WAIT_LOOP.replace("+1", "+2") + people(1) + "scenario s <\n  request Daily for p0\n>\n", "b.mkc"
    )
    code, out, _ = mkc("diff", old, new, "--max-work", "4")
    assert code == 1 and "OLD stopped: line 11: more than 4 pieces of work in one run" in out
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", "repl", old, "--max-years", "1"],
        input="request Daily for p0\nadvance 400 days\n",
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "error: work due at 2027-01-02T00:00, more than 1 year after 2026-01-01T00:00" in proc.stdout


@pytest.mark.skipif(not os.environ.get("MKC_LONG"), reason="long mode: MKC_LONG=1")
@pytest.mark.parametrize("text,campaign", [(LOOP + people(100), "Kick"), (WAIT_LOOP + people(20), "Start")])
def test_long_the_issues_cases_stop_at_the_default_limits(tmp_path, text, campaign):
    code, out, err = mkc("run", write(tmp_path, text), "--campaign", campaign)
    assert code == 1 and "more than 1000000 pieces of work in one run" in err


GROWING = """
campaign Kick < flow < change_data_value a "go" > >
campaign Ping < smart_list < trigger data_value_changes a >; flow < change_data_value b "<<lead.a>>x" >
                qualification every_time >
campaign Pong < smart_list < trigger data_value_changes b >; flow < change_data_value a "<<lead.b>>y" >
                qualification every_time >
people < person p0 < > >
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="the memory limit is read from Linux's /proc")
def test_a_loop_logging_ever_longer_strings_stops_at_the_memory_limit(tmp_path):
    # One person, far below the work limits, but each activity holds a longer string: 10^4 of them
    # are 10^8 characters. A fresh process, so that memory other tests freed is not reused.
    script = (
        "import sys\n"
        "from mkc.interpreter import Interpreter, InterpreterError, Limits\n"
        "from mkc.load import load_source\n"
        "from mkc.source import Source\n"
        f"model = load_source(Source('a.mkc', {GROWING!r})).model\n"
        "interp = Interpreter(model, schedules=False, limits=Limits(memory=50 << 20))\n"
        "try:\n"
        "    interp.run_campaign('Kick')\n"
        "except InterpreterError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.startswith("the run took more than 50 MB of memory (")
    assert out.endswith("activities logged); the busiest campaigns: Default.Ping, Default.Pong\n")


def test_writing_a_few_lines_at_a_time_gives_the_rendered_transcript_byte_for_byte():
    from interp_helpers import HERE

    from mkc.interpreter import render, render_activities, write, write_activities

    model = model_of((HERE.parent.parent / "examples" / "token_inheritance.mkc").read_text())
    results = run_scenarios(model)
    log = [a for r in results for a in r.activities]
    for fmt in ("text", "jsonl"):
        out = io.StringIO()
        write(out, results, fmt)
        assert out.getvalue() == render(results, fmt)
        out = io.StringIO()
        write_activities(out, log, fmt)
        assert out.getvalue() == render_activities(log, fmt)
