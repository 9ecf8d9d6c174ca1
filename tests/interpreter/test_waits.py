"""Wait arithmetic (spec section 4)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from mkc.grammar import ast
from mkc.stdlib.steps import wait_end, weekday_numbers

WEEKDAYS = weekday_numbers(["mon", "tue", "wed", "thu", "fri"])


def test_the_spec_example_friday_17_00_plus_48_hours_is_monday_09_00():
    friday = dt.datetime(2026, 1, 2, 17, 0)
    assert friday.weekday() == 4
    assert wait_end(friday, dt.timedelta(hours=48), WEEKDAYS, ast.TimeOfDay(9, 0)) == dt.datetime(2026, 1, 5, 9, 0)


def test_a_plain_wait_is_the_duration():
    start = dt.datetime(2026, 1, 5, 10, 30)
    assert wait_end(start, dt.timedelta(days=3)) == dt.datetime(2026, 1, 8, 10, 30)


def test_at_is_the_same_day_when_still_ahead():
    start = dt.datetime(2026, 1, 5, 6, 0)
    assert wait_end(start, dt.timedelta(hours=1), None, ast.TimeOfDay(9, 0)) == dt.datetime(2026, 1, 5, 9, 0)


def test_at_exactly_the_end_is_allowed():
    start = dt.datetime(2026, 1, 5, 8, 0)
    assert wait_end(start, dt.timedelta(hours=1), None, ast.TimeOfDay(9, 0)) == dt.datetime(2026, 1, 5, 9, 0)


def test_weekdays_without_at_start_the_next_allowed_day_at_midnight():
    saturday = dt.datetime(2026, 1, 3, 15, 0)
    assert wait_end(saturday, dt.timedelta(0), WEEKDAYS) == dt.datetime(2026, 1, 5, 0, 0)


def test_weekday_names():
    assert weekday_numbers(["Mon", "sunday", "SAT"]) == {0, 6, 5}


starts = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
durations = st.integers(min_value=0, max_value=60 * 24 * 40).map(lambda m: dt.timedelta(minutes=m))
day_sets = st.sets(st.integers(min_value=0, max_value=6), min_size=1)
times = st.one_of(st.none(), st.builds(ast.TimeOfDay, st.integers(0, 23), st.integers(0, 59)))


@given(starts, durations, day_sets, times)
def test_a_wait_ends_at_or_after_the_duration_on_an_allowed_day_and_time(start, duration, days, at):
    end = wait_end(start, duration, days, at)
    assert end >= start + duration
    assert end.weekday() in days
    if at is not None:
        assert (end.hour, end.minute) == (at.hour, at.minute)
    # and it is the first such moment: a week later at the latest
    assert end - (start + duration) < dt.timedelta(days=8)


@given(starts, durations, day_sets, times)
def test_no_earlier_allowed_moment_is_skipped(start, duration, days, at):
    end = wait_end(start, duration, days, at)
    earliest = start + duration
    # every whole day between the earliest end and the end is either disallowed
    # or its allowed moment comes before the earliest end
    day = earliest.date()
    while day < end.date():
        if day.weekday() in days:
            moment = dt.datetime.combine(day, dt.time(at.hour, at.minute) if at else dt.time(0, 0))
            assert moment < earliest or (at is None and day == earliest.date())
        day += dt.timedelta(days=1)
