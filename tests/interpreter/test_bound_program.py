"""The interpreter runs the program the checker bound (mkc.checker.bound): the
references of flows and triggers are the checker's resolutions, not looked up again, and
My Tokens are looked up along the bound model's token chains."""

from __future__ import annotations

import attrs
import pytest
from interp_helpers import model_of

from mkc.checker.bound import Chain, Target
from mkc.checker.model import Model, Resolution
from mkc.interpreter import Interpreter, format_activity
from mkc.interpreter.tokens import TokenContext

TEXT = """
tokens < my.where = "root" >
program Ops <
  tokens < my.where = "ops" >
  list "Hot"
  email "Hello" < subject "Hi <<my.where>>" from "a@x" >
  campaign Batch < flow <
    add_to_list "Hot"
    execute_campaign Lib.Helper use_parent_token_context=true
    execute_campaign Lib.Helper
  > >
>
program Lib <
  tokens < my.where = "lib"  my.own = "lib's own" >
  campaign Helper executable <
    flow <
      send_email "Hello"
      interesting_moment web "<<my.where>> / <<my.own>>"
    >
    qualification every_time
  >
>
people < person ann < email "ann@x" > >
"""


def test_flows_run_with_the_references_the_checker_resolved(monkeypatch):
    model = model_of(TEXT)
    batch, helper = (c for c in model.campaigns if c.name in ("Batch", "Helper"))
    assert model.bound.steps_of(batch)  # bound by the checker, before the run

    def resolved_again(*args, **kwargs):
        raise AssertionError("the interpreter resolved a name the checker had bound")

    for name in ("resolve", "resolve_campaign", "resolve_asset", "resolve_program", "resolve_global"):
        monkeypatch.setattr(Model, name, resolved_again)
    result = Interpreter(model, schedules=False).run_campaign(batch)
    lines = [format_activity(a) for a in result.activities]
    assert not result.failed, lines
    moments = [a.attributes["description"] for a in result.activities if a.type == "Interesting Moment"]
    # passed down, Batch's chain answers first; run in its own context, Helper's
    assert moments == ["ops / lib's own", "lib / lib's own"]
    subjects = [a.attributes["subject"] for a in result.activities if a.type == "Send Email"]
    assert subjects == ["Hi ops", "Hi lib"]


def test_a_token_context_looks_my_tokens_up_along_its_chain():
    model = model_of(TEXT)
    batch, helper = (c for c in model.campaigns if c.name in ("Batch", "Helper"))
    own = TokenContext(batch)
    assert own.chain == Chain.of(batch)
    passed = own.passed_to(helper)
    assert passed.chain == Chain.of(batch).passed_to(helper)
    assert passed.campaign is batch  # campaign.* and program.* stay the caller's
    assert [model.bound.executes_from(batch)[0].parent_context] == [True]
    assert passed.chain == Chain.of(batch).through(model.bound.executes_from(batch)[0])
    assert passed.my(model, "where").text == "ops"
    assert passed.my(model, "own").text == "lib's own"
    assert TokenContext(None).my(model, "where").text == "root"


@pytest.mark.parametrize("flag", ["true", "false"])
def test_the_flag_the_interpreter_logs_is_the_bound_edges(flag):
    model = model_of(
        TEXT.replace("Lib.Helper use_parent_token_context=true", f"Lib.Helper use_parent_token_context={flag}")
    )
    batch = next(c for c in model.campaigns if c.name == "Batch")
    result = Interpreter(model, schedules=False).run_campaign(batch)
    logged = [a.attributes["use_parent_token_context"] for a in result.activities if a.type == "Executed Campaign"]
    assert logged == [e.parent_context for e in model.bound.executes_from(batch)] == [flag == "true", False]


def test_trigger_campaigns_listen_for_what_the_checker_bound():
    """A trigger campaign takes the events about the list its trigger was bound
    to: bound (here, by hand) to another list, it no longer takes "Hot"'s."""
    text = """
    list "Hot"
    list "Cold"
    campaign OnList <
      smart_list < trigger added_to_list "Hot" >
      flow < interesting_moment milestone "listed" >
      qualification every_time
    >
    campaign Batch < flow < add_to_list "Hot" > >
    people < person ann < email "ann@x" > >
    """

    def listed(model):
        batch = next(c for c in model.campaigns if c.name == "Batch")
        result = Interpreter(model, schedules=False).run_campaign(batch)
        return [a.attributes.get("list") for a in result.activities if a.type in ("Add to List", "Interesting Moment")]

    model = model_of(text)
    assert listed(model) == ["Hot", None]
    on_list = model.campaigns[0]
    (trigger,) = model.bound.triggers_of(on_list)
    cold = model.workspaces["Default"].assets["list"]["Cold"]
    rebound = attrs.evolve(trigger, targets={"list": Target("list", trigger.targets["list"].node, Resolution(cold))})
    model._bound = attrs.evolve(model.bound, triggers={**model.bound.triggers, on_list: (rebound,)})
    assert listed(model) == ["Hot"]
