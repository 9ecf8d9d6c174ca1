"""Qualification rules hold for any sequence of runs, events and time passing."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from interp_helpers import model_of

from mkc.grammar import ast
from mkc.interpreter import Interpreter

TEXT = """
campaign Once < flow < change_score +1 field=once > >
campaign Weekly < flow < change_score +1 field=weekly >; qualification once_every 1 week >
campaign Child executable < flow < change_score +1 field=child > >
campaign Caller < flow < execute_campaign Child >; qualification every_time >
campaign OnForm <
  smart_list < trigger fills_out_form "F"; filter open = true >
  flow < change_score +1 field=form; wait 1 day; change_score +1 field=form_after_wait >
  qualification once_every 2 days
>
people < person ann < open true >; person bob < > >
"""
MODEL = model_of(TEXT)
CAMPAIGNS = ["Once", "Weekly", "Caller"]

commands = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.sampled_from(CAMPAIGNS)),
        st.tuples(st.just("advance"), st.integers(min_value=1, max_value=60 * 24 * 10)),
        st.tuples(st.just("event"), st.sampled_from(["ann", "bob"])),
        st.tuples(st.just("open"), st.booleans()),
    ),
    max_size=25,
)


def play(steps):
    interp = Interpreter(MODEL)
    for kind, arg in steps:
        if kind == "run":
            interp.command(ast.Run(ast.Ref((arg,)), None))
        elif kind == "advance":
            interp.command(ast.Advance(ast.Duration(arg, "minute")))
        elif kind == "event":
            interp.command(ast.Event(arg, "fills_out_form", (ast.Str("F"),), ()))
        else:
            interp.command(ast.Set("ann", "open", ast.Bool(arg)))
    return interp


def entries(interp, person, field):
    return [
        a.time for a in interp.log if a.person == person and a.type == "Change Score" and a.attributes["field"] == field
    ]


@settings(max_examples=60, deadline=None)
@given(commands)
def test_once_never_lets_a_person_run_twice(steps):
    interp = play(steps)
    for person in ("ann", "bob"):
        assert len(entries(interp, person, "once")) <= 1
        assert len(entries(interp, person, "child")) <= 1  # executables are `once` by default too


@settings(max_examples=60, deadline=None)
@given(commands)
def test_once_every_keeps_runs_at_least_the_period_apart(steps):
    interp = play(steps)
    for person in ("ann", "bob"):
        for field, period in (("weekly", dt.timedelta(weeks=1)), ("form", dt.timedelta(days=2))):
            times = entries(interp, person, field)
            assert all(b - a >= period for a, b in zip(times, times[1:]))


@settings(max_examples=60, deadline=None)
@given(commands)
def test_filters_hold_at_the_moment_of_the_event(steps):
    interp = play(steps)
    assert not entries(interp, "bob", "form")  # bob's `open` is never set
