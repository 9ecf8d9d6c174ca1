"""The AST walks (grammar/walk.py): order, and no recursion however long or
deep the program."""

from __future__ import annotations

import shallow_stack

from mkc.grammar import ast, parse, walk

FLOW = """campaign C <
  flow <
    add_to_list "A"
    choice <
      when lead_score > 1 < change_score +1 >
      when country = "NL" < choice <
        when city = "X" < change_score +2 >
        default < change_score +3 >
      > >
      default < do_nothing >
    >
    send_email "E"
  >
>
"""


def campaign(text: str) -> ast.Campaign:
    return parse(text).items[0]


def test_steps_and_choices_in_the_order_written():
    c = campaign(FLOW)
    assert [s.name for s in walk.steps(c.flow.steps)] == [
        "add_to_list",
        "change_score",
        "change_score",
        "change_score",
        "do_nothing",
        "send_email",
    ]
    outer, inner = walk.choices(c.flow.steps)
    assert [str(a.field) for a in map(next, map(walk.atoms, walk.branch_conditions(c.flow.steps)))] == [
        "lead_score",
        "country",
        "city",
    ]
    assert walk.branches(inner)[1].args == (ast.ScoreChange("+", 3),)
    assert walk.branches(outer)[1] is inner


def test_nodes_are_every_node_parents_first():
    module = parse('list "L"\n' + FLOW)
    found = list(walk.nodes(module))
    assert found[0] is module
    kinds = [type(n).__name__ for n in found]
    assert kinds.index("ListAsset") < kinds.index("Campaign") < kinds.index("Choice") < kinds.index("When")
    assert sum(isinstance(n, ast.Step) for n in found) == 6


def test_values_of_calls_flatten_lists():
    (step,) = campaign('campaign C < flow < call_webhook "W" tags=["a", ["b", "c"]] > >').flow.steps
    assert [v.text for v in walk.call_values(step)] == ["W", "a", "b", "c"]
    assert walk.kwarg(step, "tags").items[0] == ast.Str("a")
    assert walk.kwarg(step, "nothing") is None


def test_long_programs_need_no_recursion():
    chain = " and ".join(f"lead_score > {i}" for i in range(3000))
    steps = "\n".join(f'    add_to_list "L{i}"' for i in range(3000))
    module = parse(f"campaign C <\n  smart_list < filter ({chain}) >\n  flow <\n{steps}\n  >\n>\n")
    c = module.items[0]
    with shallow_stack.shallow(20):
        assert len(list(walk.atoms(c.smart_list.filters[0].cond))) == 3000
        assert len(list(walk.steps(c.flow.steps))) == 3000
        assert sum(isinstance(n, ast.FieldCond) for n in walk.nodes(module)) == 3000
