"""Long chains and long flat sequences are checked without recursion: a
chain of 1,000 executables, clones or smart lists is reported normally, never
a RecursionError (issue 13).

Every check here runs on a shallow stack (`shallow`), so recursion along a
chain or a sequence fails even where Python's default limit would let it
pass. The flat sequences have 1,000 items; MKC_LONG=1 makes them 5,000.
"""

import os

import shallow_stack

from mkc.checker import check
from mkc.grammar import ast, parse, walk
from mkc.grammar import logic as logic_line
from mkc.insight import callgraph, contexts, refs
from mkc.interpreter import run_scenarios
from mkc.load import load_source
from mkc.source import Source

CHAIN = 1000
FLAT = 5000 if os.environ.get("MKC_LONG") else 1000


def shallow(frames: int = 150):
    return shallow_stack.shallow(frames)


def checked(text: str):
    module = parse(text, "long.mkc")
    with shallow():
        model, diags = check(module)
        # the insight commands walk the same chains
        callgraph.build(model, diags)
        contexts.run_contexts(model)
        refs.places(model)
    return model, [(d.code, d.span.line if d.span else None) for d in diags], diags


def lines(items) -> str:
    # declared last-first, so a walk in declaration order meets the long end first
    return "\n".join(reversed(items)) + "\n"


def test_execute_chain_of_1000_is_nesting_too_deep_once():
    items = ["campaign C0 < flow < execute_campaign C1 > >"]
    items += [f"campaign C{i} executable < flow < execute_campaign C{i + 1} > >" for i in range(1, CHAIN)]
    items += [f"campaign C{CHAIN} executable < flow < do_nothing > >"]
    _, found, diags = checked(lines(items))
    assert [code for code, _ in found] == ["nesting-too-deep"]
    assert "C0 > C1 > C2 > C3 > C4" in diags[0].message


def test_execute_chain_of_1000_passing_the_context_down_checks_its_tokens():
    parent = "use_parent_token_context=true"
    items = [f"campaign C0 < flow < execute_campaign C1 {parent} > >"]
    items += [f"campaign C{i} executable < flow < execute_campaign C{i + 1} {parent} > >" for i in range(2, CHAIN)]
    items += [f"campaign C{CHAIN} executable < flow < do_nothing > >"]
    items += [f"campaign C1 executable < flow <\n  change_score <<my.missing>>\n  execute_campaign C2 {parent}\n> >"]
    _, found, _ = checked(lines(items))
    assert sorted(code for code, _ in found) == ["nesting-too-deep", "undefined-token"]


def test_call_cycle_of_1000_is_one_call_cycle_with_the_loop_shortened():
    items = [f"campaign C{i} executable < flow < execute_campaign C{(i + 1) % CHAIN} > >" for i in range(CHAIN)]
    items.append("campaign Start < flow < execute_campaign C0 > >")
    _, found, diags = checked(lines(items))
    assert [code for code, _ in found] == ["call-cycle"]
    assert f"… ({CHAIN - 9} more)" in diags[0].message and len(diags[0].message) < 300


def test_clone_chain_of_1000_copies_from_the_far_end():
    items = ['campaign C0 < flow < add_to_list "L" > >', 'list "L"']
    items += [f'campaign C{i} clone_of C{i - 1} < description "{i}" >' for i in range(1, CHAIN + 1)]
    model, found, _ = checked(lines(items))
    assert found == []
    last = next(c for c in model.campaigns if c.name == f"C{CHAIN}")
    assert last.flow is next(c for c in model.campaigns if c.name == "C0").flow


def test_clone_loop_of_1000_is_one_call_cycle():
    items = [f'campaign C{i} clone_of C{(i + 1) % CHAIN} < description "{i}" >' for i in range(CHAIN)]
    model, found, _ = checked(lines(items))
    assert [code for code, _ in found] == ["call-cycle"]
    # the campaign that closes the loop has no base, so no chain of bases goes round
    for c in model.campaigns:
        seen = set()
        while c is not None:
            assert id(c) not in seen
            seen.add(id(c))
            c = c.base


def test_smart_lists_1000_deep_through_member_of_smart_list():
    items = ['smart_list "S0" < filter lead_score > 1 >']
    items += [f'smart_list "S{i}" < filter member_of_smart_list "S{i - 1}" >' for i in range(1, CHAIN + 1)]
    items.append(f'campaign C < smart_list < filter member_of_smart_list "S{CHAIN}" > >')
    _, found, _ = checked(lines(items))
    assert found == []


def test_smart_list_loop_of_1000_is_one_warning():
    items = [f'smart_list "S{i}" < filter member_of_smart_list "S{(i + 1) % CHAIN}" >' for i in range(CHAIN)]
    _, found, _ = checked(lines(items))
    assert [code for code, _ in found] == ["invalid-smart-list"]


def logic_campaign(logic: str, filters: int = 1) -> str:
    rows = "".join(f"    filter lead_score > {i}\n" for i in range(filters))
    return f'campaign C <\n  smart_list <\n{rows}    logic "{logic}"\n  >\n>\n'


def test_logic_nested_500_deep_is_bad_argument_at_the_logic_line():
    for logic in ("(" * 500 + "1" + ")" * 500, "not " * 500 + "1", "not (" * 250 + "1" + ")" * 250):
        _, found, diags = checked(logic_campaign(logic))
        assert found == [("bad-argument", 4)], logic[:20]
        assert f"nest more than {logic_line.MAX_DEPTH} deep" in diags[0].message


def test_logic_nested_to_the_limit_is_fine():
    depth = logic_line.MAX_DEPTH
    for logic in (
        "(" * depth + "1" + ")" * depth,
        "not " * depth + "1",
        "(not " * (depth // 2) + "1" + ")" * (depth // 2),
    ):
        assert checked(logic_campaign(logic))[1] == []
    # ... and the interpreter runs a line at the limit
    for logic in ("(" * depth + "1" + ")" * depth, "not " * (depth - 1) + "not 1"):
        text = logic_campaign(logic) + 'people <\n  person ann < email "a@x" >\n>\nscenario "s" <\n  run C\n>\n'
        (result,) = run_scenarios(load_source(Source("l.mkc", text)).model)
        assert result.error is None
    # closing parentheses free their depth again
    assert checked(logic_campaign(" and ".join(["((((1))))"] * depth)))[1] == []


def test_logic_with_5000_flat_terms():
    logic = " and ".join(str(i + 1) for i in range(FLAT))
    assert checked(logic_campaign(logic, FLAT))[1] == []
    assert [f.number for f in logic_line.filters(logic_line.parse(" or ".join(["1"] * 5000)))] == [1] * 5000


def test_many_campaigns_and_many_steps():
    campaigns = "".join(f"campaign C{i} < flow < add_to_list L > >\n" for i in range(FLAT))
    assert checked('list "L"\n' + campaigns)[1] == []
    steps = "".join(f"    change_score +{i}\n" for i in range(FLAT))
    assert checked(f"campaign C <\n  flow <\n{steps}  >\n>\n")[1] == []


def test_a_condition_of_5000_terms_is_walked_without_recursion():
    # built directly: how deep the parser lets conditions nest is the parser's
    # business; `a and b and … and z` nests as deep as it is long
    terms = [ast.FieldCond("lead_score", ">", (ast.Num(i),)) for i in range(5000)]
    cond = terms[0]
    for term in terms[1:]:
        cond = ast.And(cond, ast.Not(term)) if term.operands[0].value % 2 else ast.Or(term, cond)
    with shallow():
        found = list(walk.atoms(cond))
    assert sorted(a.operands[0].value for a in found) == list(range(5000))
    assert found[0] is terms[-2] and found[-1] is terms[-1]  # in written order
