"""The bound program (checker/bound.py): steps bound to their specs and
resolved targets, execute edges with their parent-context flag, and token
chains: what the checker resolved, as every tool reads it."""

import attrs
import pytest

from mkc.checker import check
from mkc.checker.bound import Chain
from mkc.grammar import parse
from mkc.stdlib import STEPS

TEXT = """
tokens < my.who = "root" >
program Ops <
  tokens < my.who = "ops"  my.only_ops = 1 >
  list "Hot"
  campaign Parent <
    flow <
      execute_campaign Child use_parent_token_context=true
      choice <
        when lead_score > 5 < execute_campaign Lib.Helper >
        default < execute_campaign Other use_parent_token_context=false >
      >
      add_to_list "Hot"
      remove_from_flow this_campaign
    >
  >
  campaign Child executable < flow < change_data_value city "<<my.who>>" > >
  campaign Other executable < flow < change_data_value city "x" > >
>
program Lib <
  tokens < my.who = "lib"  my.only_lib = 2 >
  campaign Helper executable < flow < change_data_value city "<<my.only_lib>>" > >
  campaign Child executable < flow < change_data_value city "lib" > >
  campaign Copy clone_of Ops.Parent < >
>
"""


@pytest.fixture(scope="module")
def model():
    model, diags = check(parse(TEXT, "t.mkc"))
    assert [d for d in diags if d.is_error] == []
    return model


def campaign(model, full_name):
    return next(c for c in model.campaigns if c.full_name == full_name)


def test_it_is_made_once_per_model(model):
    assert model.bound is model.bound


def test_every_step_is_bound_to_its_spec_arguments_and_targets(model):
    parent = campaign(model, "Ops.Parent")
    steps = model.bound.steps_of(parent)
    assert [s.name for s in steps] == [
        "execute_campaign",
        "execute_campaign",
        "execute_campaign",
        "add_to_list",
        "remove_from_flow",
    ]
    assert all(s.spec is STEPS[s.name] and s.campaign is parent for s in steps)
    assert [s.in_choice for s in steps] == [False, True, True, False, False]
    assert steps[0].target("campaign") is campaign(model, "Ops.Child")
    assert steps[1].target("campaign") is campaign(model, "Lib.Helper")
    hot = steps[3].target("list")
    assert hot is model.programs["Default"]["Ops"].assets["list"]["Hot"]
    assert steps[3].args["list"].text == "Hot"
    # remove_from_flow's `this_campaign` is the campaign itself, named by no name
    (this,) = steps[4].targets["campaign"]
    assert this.value is parent and this.this_campaign
    assert not steps[0].targets["campaign"].this_campaign
    assert model.bound.step(parent, steps[3].node) is steps[3]
    assert model.bound.step(None, steps[3].node) is None


def test_triggers_are_bound_too():
    text = """
    list "Hot"
    campaign OnHot <
      smart_list <
        trigger added_to_list "Hot"
        trigger fills_out_form "Demo"
      >
    >
    campaign Odd < smart_list < trigger no_such_trigger > >
    """
    model, _ = check(parse(text, "t.mkc"))
    on_hot, odd = model.campaigns
    added, form = model.bound.triggers_of(on_hot)
    assert added.spec.name == "added_to_list" and added.campaign is on_hot
    assert added.target("list") is model.workspaces["Default"].assets["list"]["Hot"]
    assert form.args["form"].text == "Demo" and dict(form.targets) == {}
    (unknown,) = model.bound.triggers_of(odd)
    assert unknown.spec is None and dict(unknown.args) == {}
    assert model.bound.steps_of(on_hot) == ()


def test_the_parent_context_flag_is_on_the_step_and_its_edge(model):
    parent = campaign(model, "Ops.Parent")
    assert [s.parent_context for s in model.bound.steps_of(parent)] == [True, False, False, False, False]
    edges = model.bound.executes_from(parent)
    assert [(e.target.name, e.parent_context, e.in_choice) for e in edges] == [
        ("Child", True, False),
        ("Helper", False, True),
        ("Other", False, True),
    ]


def test_a_clone_binds_the_steps_it_copies_in_its_own_scope(model):
    copy = campaign(model, "Lib.Copy")
    steps = model.bound.steps_of(copy)
    original = model.bound.steps_of(campaign(model, "Ops.Parent"))
    assert [s.node for s in steps] == [s.node for s in original]
    assert all(s.campaign is copy for s in steps)
    # `Child` from the clone is its own program's
    assert steps[0].target("campaign") is campaign(model, "Lib.Child")
    assert original[0].target("campaign") is campaign(model, "Ops.Child")
    assert [e.caller for e in model.bound.callers(campaign(model, "Lib.Helper"))] == [
        campaign(model, "Ops.Parent"),
        copy,
    ]


def test_calls_are_the_edges_into_executables_that_resolve():
    text = """
    campaign Batch < flow <
      execute_campaign Exe
      execute_campaign Other
      execute_campaign Nowhere
    > >
    campaign Exe executable < flow < wait 1 day > >
    campaign Other < flow < wait 1 day > >
    """
    model, _ = check(parse(text, "t.mkc"))
    batch = model.campaigns[0]
    nowhere = model.bound.steps_of(batch)[2].targets["campaign"]
    assert nowhere.value is None and nowhere.resolution.problem == "unknown-reference"
    assert [e.target.name for e in model.bound.executes_from(batch)] == ["Exe", "Other"]
    assert [e.target.name for e in model.bound.calls(batch)] == ["Exe"]
    assert model.bound.calls(model.campaigns[1]) == ()


def test_a_chain_looks_up_my_tokens_in_order(model):
    parent, child, helper = (campaign(model, n) for n in ("Ops.Parent", "Ops.Child", "Lib.Helper"))
    own = Chain.of(child)
    decl, scope, owner = own.lookup(model, "who")
    assert (decl.value.text, scope.name, owner) == ("ops", "Ops", child)
    assert own.lookup(model, "nothing") is None
    # passed down: the caller's chain first, then the executable's own
    edge = model.bound.executes_from(parent)[0]
    passed = Chain.of(parent).through(edge)
    assert passed.scopes == (parent.scope, child.scope)
    assert passed.lookup(model, "who")[2] is parent
    from_helper = Chain.of(parent).passed_to(helper)
    assert from_helper.lookup(model, "only_lib")[2] is helper
    assert from_helper.lookup(model, "who")[0].value.text == "ops"
    # not passed down: the executable's own context only
    other_edge = model.bound.executes_from(parent)[2]
    assert Chain.of(parent).through(other_edge) == Chain.of(other_edge.target)
    # outside every campaign: the root's tokens alone
    assert Chain().lookup(model, "who")[0].value.text == "root"
    assert Chain().lookup(model, "only_ops") is None


def test_the_model_is_immutable(model):
    step = model.bound.steps_of(model.campaigns[0])[0]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        step.parent_context = False
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        model.bound.executes = ()
    with pytest.raises(TypeError):
        step.args["campaign"] = None
    with pytest.raises(TypeError):
        model.bound.steps[model.campaigns[0]] = ()


def test_scenario_requests_and_schedules_are_api_starts():
    text = """
    campaign Nurture < smart_list < trigger campaign_is_requested > >
    campaign Nightly < flow < wait 1 day > >
    people < person ann < email "a@x" > >
    scenario "s" <
      request Nurture for ann tokens < my.x = 1 >
      schedule Nightly at 2026-01-05T09:00
      request Nowhere for ann
      run Nightly
    >
    """
    model, _ = check(parse(text, "t.mkc"))
    nurture, nightly = model.campaigns
    starts = model.bound.api_starts
    assert [(s.scenario.name, s.campaign) for s in starts] == [("s", nurture), ("s", nightly), ("s", None)]
    assert list(starts[0].tokens) == ["x"] and starts[1].tokens == {}
