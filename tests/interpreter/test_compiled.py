"""What compiling flows must not change: each shortcut the interpreter takes
gives the answer of the plain rule it stands for, for any input."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from interp_helpers import model_of

from mkc.grammar import ast
from mkc.grammar.template import TOKEN_RE
from mkc.interpreter import Interpreter, PersonState, TokenContext, flow, format_activity, run_campaign, run_scenarios
from mkc.interpreter import conditions as conditions_module
from mkc.interpreter.args import Arg
from mkc.interpreter.conditions import lazy_logic, logic
from mkc.interpreter.flow import Engine
from mkc.interpreter.runtime import InterpreterError, PersonView, WorkCount, WorkQueue
from mkc.interpreter.tokens import Tokens
from mkc.stdlib import TRIGGERS
from mkc.stdlib.conditions import COMPARE_OPS, EMPTY_OPS, FIELD_TESTS, SET_OPS, TEXT_OPS, field_test
from mkc.stdlib.triggers import Event
from mkc.stdlib.values import _NUMBER_RE, _same, apply_score, as_number, as_score_change, number_text, same, text

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
@given(op=st.sampled_from(COMPARE_OPS + TEXT_OPS + EMPTY_OPS), value=scalars, operand=scalars)
def test_a_field_test_with_known_operands_answers_as_the_plain_test(op, value, operand):
    if op in TEXT_OPS and operand is None:
        operand = ""
    assert field_test(op, [operand])(value, NOW) == FIELD_TESTS[op](value, [operand], NOW)


@settings(max_examples=300, deadline=None)
@given(
    op=st.sampled_from(("<", ">", "<=", ">=")),
    value=st.one_of(scalars, st.just(math.nan), st.just(-0.0), st.integers(), st.floats()),
    operand=st.one_of(st.integers(), st.floats(allow_nan=False)),
)
def test_an_order_against_a_number_answers_as_the_plain_test(op, value, operand):
    """One comparison stands for `order`'s -1/0/1 and the check, NaN included."""
    assert field_test(op, [operand])(value, NOW) == FIELD_TESTS[op](value, [operand], NOW)


@settings(max_examples=400, deadline=None)
@given(a=scalars, b=scalars)
def test_same_answers_as_its_rule(a, b):
    """`same` answers two texts itself: as the whole rule (`_same`) does."""
    assert same(a, b) == _same(a, b)


@settings(max_examples=300, deadline=None)
@given(st.one_of(scalars, st.integers(), st.floats(), st.builds(lambda s: type("Name", (str,), {})(s), st.text())))
def test_as_number_answers_as_its_rule(value):
    if isinstance(value, bool):
        expected = None
    elif isinstance(value, (int, float)):
        expected = value
    elif isinstance(value, str) and _NUMBER_RE.fullmatch(value.strip()):
        expected = float(value.strip()) if "." in value else int(value.strip())
    else:
        expected = None
    got = as_number(value)
    assert got is expected or got == expected or (got != got and expected != expected)  # NaN is itself


@settings(max_examples=200, deadline=None)
@given(
    op=st.sampled_from(["+", "="]),
    amount=st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6)),
    base=st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6)),
)
def test_apply_score_keeps_whole_results_whole(op, amount, base):
    result = amount if op == "=" else base + amount
    expected = int(result) if float(result).is_integer() else result
    got = apply_score(ast.ScoreChange(op, amount), base)
    assert got == expected and type(got) is type(expected)


def _logic_texts(count: int):
    """Logic lines over filters 1..count: numbers, `not`, `and`, `or`, parentheses."""
    leaf = st.integers(1, count).map(str)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            inner.map(lambda t: f"not {t}"),
            st.tuples(inner, st.sampled_from(["and", "or", "AND"]), inner).map(" ".join),
            inner.map(lambda t: f"({t})"),
        ),
        max_leaves=8,
    )


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(_logic_texts(n), st.lists(st.booleans(), min_size=n, max_size=n))))
def test_lazy_logic_answers_as_the_logic_over_every_result(case):
    """Called filter by filter and stopping at its answer, a logic line gives
    what it gives over every filter's result."""
    text_, results = case

    def pred(index):
        return lambda person, tokens: results[index]

    for line in (text_, "all", "any"):
        assert lazy_logic(line, [pred(i) for i in range(len(results))])(None, None) is logic(line, len(results))(
            results
        )


FIELDS_PEOPLE = st.dictionaries(
    st.sampled_from(["lead_score", "country", "job_title", "email"]),
    st.one_of(scalars, st.sampled_from(["NL", "be", "Marketing Manager", "VP Sales", 25, 79, 80])),
    max_size=4,
)
FILTERS = [
    "lead_score >= 20",
    'country in ["NL", "BE", "DE"]',
    'job_title contains "manager"',
    'not job_title starts_with "VP"',
    'not country = "nl"',
    "email not_empty",
    "lead_score between 10 and 50",
    "created_at before 2026-01-01",
]


@settings(max_examples=100, deadline=None)
@given(
    people=st.lists(FIELDS_PEOPLE, min_size=1, max_size=6),
    filters=st.lists(st.sampled_from(FILTERS), min_size=1, max_size=4),
    logic_line=st.sampled_from(["", "any", "1 or (2 and not 3)", "not 1 and 2", "(1 or 2) and (3 or 4)"]),
)
def test_a_smart_list_of_total_filters_qualifies_as_evaluating_every_filter(people, filters, logic_line):
    """Filters that always answer are evaluated lazily (`lazy_logic`); every
    filter evaluated first, then the logic, qualifies the same people."""
    numbers = {int(n) for n in re.findall(r"\d+", logic_line)}
    if numbers and max(numbers) > len(filters):
        logic_line = ""
    lines = "; ".join(f"filter {f}" for f in filters) + (f'; logic "{logic_line}"' if logic_line else "")
    model = model_of(f"campaign C < smart_list < {lines} >; flow < do_nothing > >")
    campaign = model.campaigns[0]
    fast, plain = Interpreter(model), Interpreter(model)
    conditions_plain = plain.engine.conditions
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conditions_module, "_total", lambda cond: False)
        plain_pred = conditions_plain.smart_list(campaign.smart_list, campaign.scope)
    fast_pred = fast.engine.conditions.smart_list(campaign.smart_list, campaign.scope)
    assert fast_pred is not plain_pred
    for fields in people:
        state = PersonState("p", dict(fields))
        fast.runtime.people = plain.runtime.people = {"p": state}
        for interp, pred in ((fast, fast_pred), (plain, plain_pred)):
            tokens = Tokens(interp.runtime, TokenContext(campaign), "p")
            if interp is fast:  # a batch run gives it no tokens: it reads none
                assert not fast.engine.conditions.reads_tokens(campaign.smart_list)
                tokens = None
            result = pred(PersonView(state, interp.runtime.keys), tokens)
            assert isinstance(result, bool)
            if interp is fast:
                expected = result
            else:
                assert result == expected, (fields, lines)


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
        st.text(alphabet="ab<>.:=lmy_ {}'\"\\", max_size=12).map(lambda s: s.replace("my_", "<<lead.a>>")),
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


# Trigger campaigns, each listening for one kind of change; a batch flow makes
# changes of every kind, to what they listen for and to what they do not.
LISTENERS = {
    "field_a": "trigger data_value_changes a",
    "field_a_to_x": 'trigger data_value_changes a to="X"',
    "score_s": "trigger score_is_changed field=s",
    "any_score": "trigger score_is_changed",
    "list_one": 'trigger added_to_list "One"',
    "program_p": 'trigger program_status_changes P to="Done"',
}
CHANGES = [
    'change_data_value a "X"',
    'change_data_value a "<<lead.b>>y"',
    'change_data_value b "X"',
    "change_score +1 field=s",
    "change_score +2 field=t",
    'add_to_list "One"',
    'add_to_list "Two"',
    'change_program_status P "Done"',
    'change_program_status Q "Done"',
]


@settings(max_examples=60, deadline=None)
@given(
    listening=st.lists(st.sampled_from(sorted(LISTENERS)), unique=True, max_size=4),
    steps=st.lists(st.sampled_from(CHANGES), min_size=1, max_size=6),
)
def test_a_step_fires_what_it_would_fire_if_it_always_made_the_event(listening, steps):
    """A step builds no event where no trigger campaign could take it
    (`Engine.listens`); each run's log and people are those of a run whose
    steps fire every event they make, for anyone listening."""
    campaigns = "\n".join(
        f"campaign On_{name} < smart_list < {LISTENERS[name]} >; flow < change_score +1 field=heard_{name} > >"
        for name in listening
    )
    text = f"""
list "One"
list "Two"
program P < statuses ["Started", "Done"] >
program Q < statuses ["Started", "Done"] >
{campaigns}
campaign Batch < flow < {"; ".join(steps)} >; qualification every_time >
people < person ann < b "X" >; person bob < a "x" > >
"""
    model = model_of(text)
    fast = run_campaign(model, "Batch")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Engine, "listens", lambda self, trigger, name: True)
        plain = run_campaign(model, "Batch")
    assert [format_activity(a) for a in fast.activities] == [format_activity(a) for a in plain.activities]


@settings(max_examples=200, deadline=None)
@given(
    trigger=st.sampled_from(["data_value_changes", "score_is_changed"]),
    written=st.sampled_from(["a", "b", "lead_score"]),
    happened=st.sampled_from(["a", "b", "lead_score"]),
    given_field=st.booleans(),
    old=scalars,
    new=scalars,
)
def test_a_trigger_takes_only_events_about_its_subject(trigger, written, happened, given_field, old, new):
    """`subject` is never narrower than `matches`: an event about something
    else than the subject is never taken."""
    spec = TRIGGERS[trigger]
    model = model_of("campaign C < flow < do_nothing > >")
    env = flow.TriggerEnv(Engine(Interpreter(model).runtime), model.campaigns[0])
    field = Arg(written) if given_field or trigger == "data_value_changes" else None
    args = {"field": field, "from": None, "to": None}
    event = Event(trigger, "ann", happened, {"field": happened, "old": old, "new": new})
    subject = spec.subject(env, args)
    if spec.matches(env, args, event):
        assert subject is None or subject == event.name


def test_a_reference_naming_nothing_fails_its_step_when_it_runs():
    """Resolved when the flow is compiled, a missing list still fails its step
    only when the step runs: after the steps before it, with the message a
    run-time look-up gives."""
    text = 'campaign C < flow < change_score +1; add_to_list "Nope"; change_score +1 > >\npeople < person ann < > >'
    result = run_campaign(model_of(text, allow_errors=True), "C")
    assert [a.type for a in result.activities] == ["Change Score", "Failed Step"]
    assert result.activities[1].attributes == {"step": "add_to_list", "reason": "no list named `Nope`", "line": 1}
    interp = Interpreter(model_of('list "L"\npeople < person ann < > >'))
    with pytest.raises(InterpreterError, match="no list named `Nope`"):
        interp.command(ast.Event("ann", "added_to_list", (ast.Str("Nope"),), ()))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans()))
def test_a_number_shows_as_number_text(value):
    assert text(value) == (("true" if value else "false") if isinstance(value, bool) else number_text(value))


BONUSES = st.sampled_from(["+2", "=5", "-3", " +7 ", "many", "", 3, 2.5, None, "+2"])


@settings(max_examples=60, deadline=None)
@given(st.lists(BONUSES, min_size=1, max_size=8))
def test_a_score_token_changes_each_score_by_its_own_value(bonuses):
    """The change a token's answer makes is remembered for that very answer
    only: people whose bonuses differ (or fail) each get their own."""
    people = "; ".join(
        f"person p{i} < {'' if b is None else 'bonus ' + (repr(b) if not isinstance(b, str) else json.dumps(b))} >"
        for i, b in enumerate(bonuses)
    )
    model = model_of(f"campaign C < flow < change_score <<lead.bonus>> > >\npeople < {people} >")
    result = run_campaign(model, "C")
    for i, bonus in enumerate(bonuses):
        (activity,) = [a for a in result.activities if a.person == f"p{i}"]
        change = as_score_change(None if bonus == "" else bonus)
        if change is None:
            assert activity.type == "Failed Step"
        else:
            assert activity.type == "Change Score" and activity.attributes["change"] == str(change)
            assert activity.attributes["new"] == apply_score(change, 0)


@settings(max_examples=300, deadline=None)
@given(limit=st.integers(1, 12), items=st.lists(st.sampled_from(["ann", "bob", "cy", None]), max_size=80))
def test_work_is_counted_per_person_as_a_dict_would(limit, items):
    """`WorkCount` lists items and counts them per person only now and then:
    it says an item takes its person past the limit exactly when counting
    every item in a dict would."""
    work, counts = WorkCount(limit), {}
    for who in items:
        counts[who] = counts.get(who, 0) + 1
        assert work.passes(who) == (counts[who] > limit)


def test_a_batch_smart_list_with_tokens_gets_them():
    """Only a smart list of field tests on literals goes without tokens; one
    that reads a token, or names a list, is given the person's."""
    text = """
tokens < my.home = "NL" >
list "VIP"
campaign Home < smart_list < filter country = "<<my.home>>" >; flow < change_score +1 > >
campaign Vips < smart_list < filter member_of_list "VIP"; filter country != "<<my.home>>" >; flow < change_score +1 > >
people < person ann < country "nl" >; person bob < country "BE" > >
"""
    model = model_of(text)
    assert run_campaign(model, "Home").entered == ("ann",)
    interp = Interpreter(model, schedules=False)
    interp.command(ast.Event("bob", "added_to_list", (ast.Str("VIP"),), ()))
    assert interp.engine.batch_run(interp.campaign("Vips")) == ["bob"]
    assert all(interp.engine.conditions.reads_tokens(c.smart_list) for c in model.campaigns)


CHOICES = """
campaign Child executable < flow <
  choice <
    when nickname = "x" < change_score +1 field=nickname >
    default < change_score +1 field=nickname >
  >
> >
campaign Parent < flow <
  choice <
    when bonus = "<<my.missing>>" < change_score +1 >
    default < change_score +2 >
  >
> >
campaign Branch < flow <
  change_score +1
  choice < when lead_score > 0 < change_score +1 field=nickname > >
  change_score +1
> >
campaign Waits < flow <
  choice < when lead_score >= 0 < wait 2 days > >
  change_score +5
  execute_campaign Child
  change_score +1
> >
people < person ann < nickname "Annie" >; person bob < > >
"""
CHOICES_LOG = [
    "2026-01-01T00:00  ann  Failed Step  choice  "
    'reason="<<my.missing>> is not defined in this campaign\'s token context"  line=9  '
    "flow=Default.Parent",
    "2026-01-01T00:00  bob  Failed Step  choice  "
    'reason="<<my.missing>> is not defined in this campaign\'s token context"  line=9  '
    "flow=Default.Parent",
    "2026-01-01T00:00  ann  Change Score  lead_score  null -> 1  change=+1  flow=Default.Branch",
    "2026-01-01T00:00  ann  Failed Step  change_score  "
    'reason="nickname holds \\"Annie\\", not a number"  line=16  flow=Default.Branch',
    "2026-01-01T00:00  bob  Change Score  lead_score  null -> 1  change=+1  flow=Default.Branch",
    "2026-01-01T00:00  bob  Change Score  nickname  null -> 1  change=+1  flow=Default.Branch",
    "2026-01-01T00:00  bob  Change Score  lead_score  1 -> 2  change=+1  flow=Default.Branch",
    "2026-01-03T00:00  ann  Change Score  lead_score  null -> 5  change=+5  flow=Default.Waits",
    "2026-01-03T00:00  ann  Executed Campaign  Default.Child  qualified=TRUE  "
    "use_parent_token_context=FALSE  flow=Default.Waits",
    "2026-01-03T00:00  ann  Failed Step  change_score  "
    'reason="nickname holds \\"Annie\\", not a number"  line=5  flow=Default.Child  via=Default.Waits',
    "2026-01-03T00:00  bob  Change Score  lead_score  null -> 5  change=+5  flow=Default.Waits",
    "2026-01-03T00:00  bob  Executed Campaign  Default.Child  qualified=TRUE  "
    "use_parent_token_context=FALSE  flow=Default.Waits",
    "2026-01-03T00:00  bob  Change Score  nickname  null -> 1  change=+1  flow=Default.Child  via=Default.Waits",
    "2026-01-03T00:00  bob  Change Score  lead_score  5 -> 6  change=+1  flow=Default.Waits",
]


def test_a_failure_is_logged_for_the_step_that_failed():
    """Steps run in a loop that logs a failure for the item it ran: a step,
    a choice's step (not the choice), the choice for a condition it cannot
    evaluate, a step of an executable (with its caller); a wait in a
    choice's step goes on after the choice. (The transcript is the one the
    interpreter gave before flows were compiled this way.)"""
    model = model_of(CHOICES, allow_errors=True)  # (the checker sees the missing token too)
    lines = [format_activity(a) for c in ("Parent", "Branch", "Waits") for a in run_campaign(model, c).activities]
    assert lines == CHOICES_LOG
