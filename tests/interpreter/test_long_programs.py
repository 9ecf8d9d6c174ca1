"""Long programs run without recursion (issue 13): a smart list of a thousand
filters, a logic line of a thousand terms or nested to the checker's limit, a
chain or a loop of a thousand smart lists through `member_of_smart_list`, and
`expect` conditions nested to the parser's limit or a thousand terms long.

Each program goes through `mkc run` (its scenario), `run_campaign` and
`mkc explain`, on a shallow stack (`shallow`), so recursion along the program
fails even where Python's default limit would let it pass. The long ones have
1,000 items; MKC_LONG=1 makes them 5,000.
"""

import os

import pytest
import shallow_stack
from click.testing import CliRunner

from mkc.cli import cli
from mkc.grammar.logic import MAX_DEPTH as MAX_LOGIC_DEPTH
from mkc.interpreter import run_campaign
from mkc.load import load_source
from mkc.source import Source

LONG = 5000 if os.environ.get("MKC_LONG") else 1000

PEOPLE = """people <
  person ann < email "ann@example.com" lead_score 9000 >
  person bob < email "bob@example.com" lead_score 3 >
>
"""
# C adds whoever qualifies to Hit: ann qualifies, bob does not (unless `swap`).
SCENARIO = """scenario "s" <
  run C
  expect ann member_of_list "Hit"
  expect bob not member_of_list "Hit"
>
"""
RUN = """2026-01-01T00:00  ann  Add to List  Hit  flow=Default.C
PASS expect ann member_of_list "Hit"
PASS expect bob not member_of_list "Hit"
"""


def shallow(frames: int = 80):
    return shallow_stack.shallow(frames)


def campaign(smart_list: str) -> str:
    return f'list "Hit"\ncampaign C <\n  smart_list <\n{smart_list}  >\n  flow < add_to_list "Hit" >\n>\n'


def field_filters(n: int) -> str:
    """n filters that ann passes and bob fails from the fourth on."""
    return "".join(f"    filter lead_score > {i}\n" for i in range(n))


def ran(tmp_path, program: str, scenario: str = SCENARIO, expected: str = RUN, added=("ann",)) -> str:
    """Runs `program` every way: `mkc run` prints `expected`, `run_campaign`
    adds `added` to Hit, and `mkc explain` says whether ann goes through C.
    Returns explain's output."""
    path = tmp_path / "long.mkc"
    path.write_text(program + PEOPLE + scenario)
    model = load_source(Source(str(path), path.read_text())).model
    with shallow():
        run = CliRunner().invoke(cli, ["run", str(path)])
        batch = run_campaign(model, "C")
        explain = CliRunner().invoke(cli, ["explain", str(path), "--campaign", "C", "--person", "ann"])
    assert run.exception is None and explain.exception is None, run.exception or explain.exception
    assert (run.exit_code, run.stdout) == (0, expected)
    assert tuple(a.person for a in batch.activities if a.type == "Add to List") == added
    assert explain.exit_code == 0
    verdict = explain.stdout.splitlines()[-1]
    assert ("would take ann through" in verdict) is ("ann" in added), verdict
    return explain.stdout


def test_filters_joined_by_the_default_all_any_and_a_flat_logic_line(tmp_path):
    ran(tmp_path, campaign(field_filters(LONG)))
    logic = " and ".join(str(i + 1) for i in range(LONG))
    ran(tmp_path, campaign(field_filters(LONG) + f'    logic "{logic}"\n'))
    # bob passes filters 1 to 3 only: `any` stops at filter 1 for both
    swapped = SCENARIO.replace("expect bob not", "expect bob")
    both = RUN.replace("flow=Default.C\n", "flow=Default.C\n2026-01-01T00:00  bob  Add to List  Hit  flow=Default.C\n")
    both = both.replace("PASS expect bob not", "PASS expect bob")
    ran(tmp_path, campaign(field_filters(LONG) + "    logic any\n"), swapped, both, ("ann", "bob"))


def test_a_flat_logic_line_over_filters_that_may_fail_to_answer(tmp_path):
    # a named condition makes every filter count (the logic is applied to all their results)
    filters = field_filters(LONG - 1) + '    filter not member_of_list "Hit"\n'
    logic = " or ".join(f"({i + 1} and {LONG})" for i in range(3, LONG - 1))
    ran(tmp_path, campaign(filters + f'    logic "{logic}"\n'))


@pytest.mark.parametrize(
    "logic",
    [
        "(" * MAX_LOGIC_DEPTH + "4" + ")" * MAX_LOGIC_DEPTH,
        "not " * MAX_LOGIC_DEPTH + "4",
        "(4 and (1 or " * (MAX_LOGIC_DEPTH // 2) + "4" + "))" * (MAX_LOGIC_DEPTH // 2),
        # 33 times `not (not 4 or X)` around `not 4`: true for ann only (an odd number)
        "not (not 4 or " * 33 + "not 4" + ")" * 33,
    ],
    ids=["parentheses", "not", "and-or", "not-or"],
)
def test_a_logic_line_nested_to_the_checkers_limit(tmp_path, logic):
    ran(tmp_path, campaign(field_filters(4) + f'    logic "{logic}"\n'))


def test_a_chain_of_smart_lists(tmp_path):
    # S{LONG} names S{LONG-1} ... names S0; declared last-first
    assets = ['smart_list "S0" < filter lead_score > 10 >']
    assets += [f'smart_list "S{i}" < filter member_of_smart_list "S{i - 1}" >' for i in range(1, LONG + 1)]
    program = "\n".join(reversed(assets)) + "\n" + campaign(f'    filter member_of_smart_list "S{LONG}"\n')
    ran(tmp_path, program)


def test_a_loop_of_smart_lists_qualifies_nobody(tmp_path):
    assets = [f'smart_list "S{i}" < filter member_of_smart_list "S{(i + 1) % LONG}" >' for i in range(LONG)]
    program = "\n".join(assets) + "\n" + campaign('    filter member_of_smart_list "S0"\n')
    scenario = 'scenario "s" <\n  run C\n  expect ann not member_of_list "Hit"\n>\n'
    explained = ran(tmp_path, program, scenario, 'PASS expect ann not member_of_list "Hit"\n', ())
    assert 'filter 1 (member_of_smart_list "S0") fails' in explained


def test_expect_conditions_nested_to_the_parsers_limit_and_a_thousand_terms_long(tmp_path):
    # the parser's limit: 64 levels with the scenario's block
    deep = "not " * 61 + "((lead_score > 10000))"
    chain = " and ".join(f"lead_score > {i}" for i in range(LONG))
    scenario = SCENARIO.replace(">\n", f"  expect ann {deep}\n  expect ann {chain}\n  expect bob not ({chain})\n>\n")
    expected = RUN + "PASS expect ann " + "not " * 61 + "lead_score > 10000\n"
    expected += f"PASS expect ann {chain}\nPASS expect bob not ({chain})\n"
    ran(tmp_path, campaign(field_filters(5)), scenario, expected)


@pytest.mark.parametrize(
    "loop",
    [
        # S0 would hold if S1 did not, and S1 if S0 did
        'smart_list "S0" < filter not member_of_smart_list "S1" >\n'
        'smart_list "S1" < filter member_of_smart_list "S0" >\n',
        # S0 would hold for ann on her score alone
        'smart_list "S0" < filter member_of_smart_list "S1"; filter lead_score > 10; logic any >\n'
        'smart_list "S1" < filter member_of_smart_list "S0" >\n',
    ],
    ids=["not", "any"],
)
def test_a_smart_list_in_a_loop_qualifies_nobody_whatever_its_logic(tmp_path, loop):
    # docs/semantics.md: decided once for the loop, not by who asks first
    program = loop + campaign('    filter member_of_smart_list "S0"\n')
    scenario = 'scenario "s" <\n  run C\n  expect ann not member_of_smart_list "S0"\n>\n'
    ran(tmp_path, program, scenario, 'PASS expect ann not member_of_smart_list "S0"\n', ())


def test_smart_lists_outside_a_loop_still_see_its_answer(tmp_path):
    # S2 names the loop S0 <-> S1 without being in it: it holds when the loop does not
    program = (
        'smart_list "S0" < filter member_of_smart_list "S1" >\n'
        'smart_list "S1" < filter member_of_smart_list "S0" >\n'
        'smart_list "S2" < filter not member_of_smart_list "S0"; filter lead_score > 10 >\n'
    ) + campaign('    filter member_of_smart_list "S2"\n')
    ran(tmp_path, program)


def test_the_repl_lists_the_tokens_a_long_chain_of_executables_passes_down(tmp_path):
    # past Marketo's three levels this is a check error, but the repl loads it and answers `:tokens`
    parent = "use_parent_token_context=true"
    items = [f"campaign C0 < flow < execute_campaign C1 {parent} > >"]
    items += [f"campaign C{i} executable < flow < execute_campaign C{i + 1} {parent} > >" for i in range(1, LONG)]
    items.append(f"campaign C{LONG} executable < flow < do_nothing > >")
    path = tmp_path / "chain.mkc"
    path.write_text("\n".join(reversed(items)) + "\n")
    import mkc.repl.app  # noqa: F401  (imported first: importing takes frames a shallow stack lacks)

    with shallow():
        result = CliRunner().invoke(cli, ["repl", str(path)], input=f":tokens C{LONG}\n")
    # (exit status 1: the file has a check error)
    assert not isinstance(result.exception, Exception) and "internal error" not in result.stdout, result.exception
    lines = result.stdout.splitlines()
    assert f"    from Default.C{LONG - 1} (use_parent_token_context=true):" in lines
    # the outermost caller, indented once per level, then each caller's own context on the way back
    at = lines.index("  " * (LONG + 1) + "from Default.C0 (use_parent_token_context=true):")
    assert lines[at + 1 : at + 3] == [
        "  " * (LONG + 2) + "(no My Tokens)",
        "  " * (LONG + 1) + "or, when Default.C1 runs in its own context:",
    ]
    assert lines[-5:-3] == [f"      or, when Default.C{LONG - 1} runs in its own context:", "      (no My Tokens)"]


def test_a_diamond_of_smart_lists_evaluates_each_once(monkeypatch):
    # S{i} names S{i-1} twice: asked for by every path, S0 would be evaluated 2**DEEP times a person
    from mkc.interpreter import conditions

    evaluated = []
    real = conditions.field_test

    def counted(op, operands):
        test = real(op, operands)
        return lambda value, now: evaluated.append(value) or test(value, now)

    monkeypatch.setattr(conditions, "field_test", counted)
    deep = 12
    assets = ['smart_list "S0" < filter lead_score > 10 >']
    assets += [
        f'smart_list "S{i}" < filter member_of_smart_list "S{i - 1}"; filter member_of_smart_list "S{i - 1}" >'
        for i in range(1, deep + 1)
    ]
    program = "\n".join(assets) + "\n" + campaign(f'    filter member_of_smart_list "S{deep}"\n') + PEOPLE
    batch = run_campaign(load_source(Source("diamond.mkc", program)).model, "C")
    assert tuple(a.person for a in batch.activities if a.type == "Add to List") == ("ann",)
    assert sorted(evaluated) == [3, 9000]  # S0's filter, once for each person
