"""The standard library's entries are the one place a step, trigger or
activity type is described: what the interpreter, `mkc graph`, `mkc explain`
and the scenario `event` command do follows from them, and agrees."""

import pytest
from insight_helpers import load

from mkc.insight import callgraph
from mkc.insight import explain as ex
from mkc.interpreter import Interpreter, run_scenarios
from mkc.interpreter.args import StepArgs
from mkc.interpreter.flow import FlowRun
from mkc.interpreter.tokens import TokenContext
from mkc.stdlib import STEPS, TRIGGERS, effects
from mkc.stdlib.activities import ACTIVITIES

# For each trigger: declarations it needs, the trigger as a listener writes it,
# and a step that fires it (None: only a scenario's `event` does). A new
# trigger needs a row here: test_every_trigger_has_an_example says so.
EXAMPLES = {
    "campaign_is_requested": ("", "campaign_is_requested", None),
    "data_value_changes": ("", 'data_value_changes stage to="MQL"', 'change_data_value stage "MQL"'),
    "score_is_changed": ("", "score_is_changed", "change_score +5"),
    "added_to_list": ('list "L"', 'added_to_list "L"', 'add_to_list "L"'),
    "fills_out_form": ("", 'fills_out_form "Demo"', None),
    "program_status_changes": (
        'program Webinar < statuses ["Invited", "Registered"] >',
        'program_status_changes Webinar to="Registered"',
        'change_program_status Webinar "Registered"',
    ),
    "person_is_created": ("", "person_is_created", None),
    "added_to_sfdc_campaign": (
        "",
        'added_to_sfdc_campaign "Webinar" status="Invited"',
        'add_to_sfdc_campaign "Webinar" status="Invited"',
    ),
}


def program(trigger: str, declarations: str = "", scenario: str = "", step: str | None = None) -> str:
    source = f"""
{declarations}
campaign Listener trigger <
  smart_list < trigger {trigger} >
  flow < interesting_moment milestone "fired" >
  qualification every_time
>
people < person ann < email "ann@example.com" > >
"""
    if step is not None:
        source += f"campaign Step batch < flow < {step} > >\n"
    if scenario:
        source += f'scenario "s" <\n  at 2026-01-05T09:00\n{scenario}\n>\n'
    return source


def test_every_trigger_has_an_example():
    assert set(EXAMPLES) == set(TRIGGERS)


def test_about_names_real_parameters_and_attributes():
    for step in STEPS.values():
        if step.logs is None:
            assert not step.about, step.name
            continue
        assert set(step.about) <= {p.name for p in step.signature.params}, step.name
        assert set(step.about.values()) <= set(step.logs.attributes), step.name
    for trigger in TRIGGERS.values():
        assert set(trigger.about) <= {p.name for p in trigger.signature.params}, trigger.name
        assert set(trigger.about.values()) <= set(ACTIVITIES[trigger.activity].attributes), trigger.name


def test_every_trigger_can_happen():
    """Its activity is a known type, and a scenario's `event` can make it
    happen: the trigger says how, or a step logs its activity."""
    for trigger in TRIGGERS.values():
        assert trigger.activity in ACTIVITIES, trigger.name
        logged = [s for s in STEPS.values() if s.logs is not None and s.logs.name == trigger.activity]
        assert trigger.happens is not None or logged, trigger.name


def test_fires_is_derived_from_the_activity():
    fires = {name: step.fires for name, step in STEPS.items() if step.fires}
    assert fires["change_data_value"] == ("data_value_changes",)
    assert fires["change_score"] == ("score_is_changed",)
    assert fires["add_to_list"] == ("added_to_list",)
    assert fires["change_program_status"] == ("program_status_changes",)
    for name, triggers in fires.items():
        for trigger in triggers:
            assert TRIGGERS[trigger].activity == STEPS[name].logs.name


@pytest.mark.parametrize("name", sorted(n for n in EXAMPLES if n != "campaign_is_requested"))
def test_an_event_fires_the_trigger_and_explain_finds_it(name):
    """`event ann TRIGGER` starts the listener once, and explain matches
    that one activity: the event the activity fired and the event explain
    rebuilds from the log agree."""
    declarations, trigger, _ = EXAMPLES[name]
    text = program(trigger, declarations, f"  event ann {trigger}")
    model = load(text).model
    moment = ex.moment(model, "s")
    fired = [a for a in moment.interp.log if a.type == "Interesting Moment"]
    assert len(fired) == 1, moment.interp.log
    listener = next(c for c in model.campaigns if c.name == "Listener")
    (row,) = ex.explain(moment, listener, "ann").triggers
    assert len(row.matched) == 1 and row.others == 0


@pytest.mark.parametrize("name", sorted(n for n, e in EXAMPLES.items() if e[2] is not None))
def test_a_step_that_fires_the_trigger_is_drawn_and_explained(name):
    """The step's run fires the listener, `mkc graph` draws the `fires`
    edge, and explain matches the step's activity."""
    declarations, trigger, step = EXAMPLES[name]
    loaded = load(program(trigger, declarations, "  run Step", step))
    graph = callgraph.build(loaded.model, loaded.diagnostics)
    label = {n.id: n.lines[0] for n in graph.nodes.values()}
    fires = [(label[e.source], label[e.target], e.label) for e in graph.edges if e.kind == "fires"]
    assert fires == [("Step", trigger, step.split()[0])]
    moment = ex.moment(loaded.model, "s")
    assert [a.type for a in moment.interp.log][-1] == "Interesting Moment"
    listener = next(c for c in loaded.model.campaigns if c.name == "Listener")
    (row,) = ex.explain(moment, listener, "ann").triggers
    assert len(row.matched) == 1


def test_the_interpreter_gives_effects_what_the_protocols_say():
    interp = Interpreter(load(program("person_is_created")).model)
    engine = interp.engine
    run = FlowRun(None, "ann", TokenContext(None))
    assert isinstance(engine.frame(None, run.context, run), effects.Frame)
    assert isinstance(StepArgs(engine, {}), effects.Args)


def test_an_event_without_what_happens_is_the_commands_error():
    loaded = load(program("person_is_created", scenario="  event ann data_value_changes stage"))
    (result,) = run_scenarios(loaded.model)
    assert result.error == "line 11: event data_value_changes needs to=: it is what happens to ann"
