"""The clock's range ends with year 9999: a wait, a schedule, `advance` or a
condition with a huge duration is a Failed Step, the end of a schedule, a
scenario's ERROR line or a condition cut at the range's end, never an
OverflowError (issue 13)."""

from __future__ import annotations

import datetime as dt

from interp_helpers import model_of
from mkc_cli import mkc

from mkc.interpreter import run_campaign, run_scenarios

END = "this wait would end after 9999-12-31T23:59, the end of the clock"


def failed_reasons(result) -> list[str]:
    return [a.attributes["reason"] for a in result.activities if a.type == "Failed Step"]


def test_a_huge_wait_is_a_failed_step_and_what_was_logged_stays():
    text = "campaign W < flow < change_score +1; wait 99999999 days; change_score +1 > >\npeople < person ann < > >\n"
    result = run_campaign(model_of(text), "W")
    assert [a.type for a in result.activities] == ["Change Score", "Failed Step"]
    assert failed_reasons(result) == [END]


def test_waits_near_the_end_of_year_9999_fail_cleanly():
    text = """
campaign D < flow < wait 2 hours; change_score +1 > >
campaign M < flow < wait 1 month; change_score +1 > >
campaign K < flow < wait 1 minute weekdays=[mon] at=09:00; change_score +1 > >
campaign A < flow < wait 1 minute at=09:00; change_score +1 > >
campaign U < flow < wait until=9999-12-31T23:59; wait 1 minute; change_score +1 > >
campaign T < flow < wait 10000000000000000000000 days; change_score +1 > >
people < person ann < > >
"""
    model = model_of(text)
    at = dt.datetime(9999, 12, 31, 22, 30)  # a Friday
    for name in "DMKAUT":
        assert failed_reasons(run_campaign(model, name, at=at)) == [END], name
    ok = run_campaign(model, "D", at=dt.datetime(9999, 12, 31, 21, 0))
    assert [a.type for a in ok.activities] == ["Change Score"]


def test_advance_past_the_end_of_the_clock_stops_the_scenario_with_its_line():
    text = """
campaign W < flow < change_score +1 > >
people < person ann < > >
scenario s <
  run W
  advance 100000000000000000000 days
  expect ann lead_score = 1
>
scenario t <
  at 9999-12-31T23:00
  advance 2 hours
>
"""
    s, t = run_scenarios(model_of(text))
    assert s.error == "line 6: advance 100000000000000000000 days: the clock would pass 9999-12-31T23:59, its end"
    assert [a.type for a in s.activities] == ["Change Score"]  # what was logged is kept
    assert t.error is not None and t.error.startswith("line 11: advance 2 hours")


def test_a_schedule_that_would_repeat_past_the_end_of_the_clock_stops_there():
    text = """
campaign B < flow < change_score +1 >; schedule at 9999-12-31T20:00 every 1 hour; qualification every_time >
campaign H < flow < change_score +1 >; schedule at 9999-12-31T20:00 every 1000000000000 days >
people < person ann < > >
scenario s <
  at 9999-12-31T19:00
  advance 4 hours
  expect ann lead_score = 5
>
"""
    (result,) = run_scenarios(model_of(text, allow_errors=True))  # (`check` rejects the longer one)
    assert result.error is None and result.passed, result.transcript


def test_once_every_and_in_past_with_huge_durations():
    text = """
campaign Q < flow < change_score +1 >; qualification once_every 100000000000000000 days >
campaign P < smart_list < filter signed_up in_past 100000000000000000 days >; flow < change_score +1 > >
campaign F < smart_list < filter signed_up in_future 9999999999 weeks >; flow < change_score +1 > >
people < person ann < signed_up 2026-01-01 > >
scenario s <
  run Q
  run Q
  expect activity ann "Change Score" count=1
  at 2026-01-02
  run P
  at 2025-01-01
  run F
  expect activity ann "Change Score" count=3
>
"""
    (result,) = run_scenarios(model_of(text, allow_errors=True))  # (`check` rejects once_every's)
    assert result.error is None and result.passed, result.transcript


def test_mkc_run_at_the_end_of_time_with_a_wait(tmp_path):
    path = tmp_path / "a.mkc"
    path.write_text("campaign W < flow < wait 1 day; change_score +1 > >\npeople < person ann < > >\n")
    code, out, err = mkc("run", str(path), "--campaign", "W", "--at", "9999-12-31T23:00")
    assert (code, err) == (1, "")
    assert out == (f'9999-12-31T23:00  ann  Failed Step  wait  reason="{END}"  line=1  flow=Default.W\n')
