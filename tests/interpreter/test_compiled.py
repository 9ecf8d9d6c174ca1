"""What compiling flows must not change: each shortcut the interpreter takes
gives the answer of the plain rule it stands for, for any input."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from interp_helpers import model_of

from mkc.checker.tokens import TOKEN_RE
from mkc.grammar import ast
from mkc.interpreter import Interpreter, PersonState, TokenContext, flow, run_scenarios
from mkc.interpreter.runtime import WorkQueue
from mkc.interpreter.tokens import Tokens
from mkc.stdlib.conditions import COMPARE_OPS, FIELD_TESTS, SET_OPS, TEXT_OPS, field_test
from mkc.stdlib.values import _NUMBER_RE, as_number, text

NOW = dt.datetime(2026, 1, 5, 9, 0)

# Values a field or an operand may hold: text that reads as a number or not, in
# any case and with spaces, numbers, booleans, dates, empties.
scalars = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "NL", "nl", "Nl ", "manager", "Marketing Manager", "10", " 10 ", "10.0", "+3", "-0"]),
    st.sampled_from(["abc", "٣", "²", "1e3", "true", "FALSE", "2026-01-05", "2026-01-05T09:00"]),
    st.text(max_size=6),
    st.integers(min_value=-5, max_value=120),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.booleans(),
    st.sampled_from([dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 9, 0), dt.datetime(2026, 1, 4, 23, 59)]),
)


@settings(max_examples=400, deadline=None)
@given(op=st.sampled_from(COMPARE_OPS + TEXT_OPS), value=scalars, operand=scalars)
def test_a_field_test_with_known_operands_answers_as_the_plain_test(op, value, operand):
    if op in TEXT_OPS and operand is None:
        operand = ""
    assert field_test(op, [operand])(value, NOW) == FIELD_TESTS[op](value, [operand], NOW)


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from(SET_OPS), value=scalars, operands=st.lists(scalars, max_size=4))
def test_in_with_known_operands_answers_as_the_plain_test(op, value, operands):
    assert field_test(op, [tuple(operands)])(value, NOW) == FIELD_TESTS[op](value, [tuple(operands)], NOW)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=8), st.sampled_from(["٣", "²", " +4 ", "-", "+", "07", "1.5", "1.", ".5"])))
def test_as_number_reads_text_as_the_pattern_does(value):
    stripped = value.strip()
    expected = (float(stripped) if "." in stripped else int(stripped)) if _NUMBER_RE.fullmatch(stripped) else None
    assert as_number(value) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet="ab<>.:=lmy_ ", max_size=12).map(lambda s: s.replace("my_", "<<lead.a>>")),
        max_size=4,
    ).map("".join)
)
def test_a_string_renders_as_substituting_every_token(template):
    person = PersonState("ann", {"a": "A"})
    model = model_of("campaign C < flow < do_nothing > >")
    interp = Interpreter(model)
    interp.runtime.people = {"ann": person}
    tokens = Tokens(interp.runtime, TokenContext(None), "ann")

    def substitute(m: re.Match) -> str:
        return text(tokens.answer(ast.Token(m.group(1), m.group(2).strip(), m.group(3))))

    try:
        expected = TOKEN_RE.sub(substitute, template)
    except Exception as err:  # noqa: BLE001 - the same error either way
        with pytest.raises(type(err)):
            tokens.render(template)
        return
    assert tokens.render(template) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 4), st.just(None)), max_size=40))
def test_the_work_queue_keeps_time_then_queueing_order(plan):
    """Pushes (a time) and pops (None) in any order: the same items come out
    as from a heap of (time, sequence number)."""
    queue, heap, seq = WorkQueue(), [], itertools.count()
    for step in plan:
        if step is None:
            got = queue.pop(None)
            want = heapq.heappop(heap) if heap else None
            assert got == (None if want is None else (want[0], want[2]))
        else:
            when = dt.datetime(2026, 1, 1) + dt.timedelta(hours=step)
            item = next(seq)
            queue.push(when, item)
            heapq.heappush(heap, (when, item, item))
    assert queue.items() == [(when, item) for when, _, item in sorted(heap)]
    until = dt.datetime(2026, 1, 1, 2)
    while (got := queue.pop(until)) is not None:
        assert got[0] <= until


def test_a_batch_run_over_many_people_is_not_a_runaway_loop(monkeypatch):
    monkeypatch.setattr(flow, "MAX_WORK", 50)
    model = model_of("campaign C < flow < change_score +1 > >")
    interp = Interpreter(model, schedules=False)
    interp.runtime.people = {f"p{i}": PersonState(f"p{i}") for i in range(200)}
    interp.engine.batch_run(interp.campaign("C"))
    interp.engine.run_due(None)
    assert len(interp.log) == 200


EDITED = """
list "L"
campaign Child executable < flow < add_to_list "L" > >
campaign Parent < flow < execute_campaign Child; change_score +{n} > >
people < person ann < >; person bob < > >
"""


def test_an_edited_model_runs_its_new_flows():
    interp = Interpreter(model_of(EDITED.format(n=1)))
    interp.command(ast.Run(ast.Ref(("Parent",)), ("ann",)))
    interp.use(model_of(EDITED.format(n=5)))
    interp.command(ast.Run(ast.Ref(("Parent",)), ("bob",)))
    scores = {a.person: a.attributes["new"] for a in interp.log if a.type == "Change Score"}
    assert scores == {"ann": 1, "bob": 5}


def test_remove_from_flow_this_campaign_still_names_the_running_campaign():
    text = """
campaign C < flow < change_score +1; remove_from_flow this_campaign; change_score +1 > >
people < person ann < > >
scenario s < run C; expect ann lead_score = 1; expect activity ann "Remove from Flow" campaign=C >
"""
    (result,) = run_scenarios(model_of(text))
    assert result.passed, result.transcript
