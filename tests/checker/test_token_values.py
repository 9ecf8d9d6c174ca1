"""My Tokens holding tokens (issue 13): the checker follows them without
rendering them. Ten My Tokens each holding the previous ten times make a
10^10-character value from a 1 KB file; `mkc check` measures it instead
(bad-argument beyond MAX_RENDERED characters), and reports loops and
nesting deeper than the interpreter answers (undefined-token)."""

from mkc_cli import mkc

from mkc.checker import check, tokens
from mkc.grammar import parse
from mkc.insight import callgraph, refs
from mkc.interpreter import run_scenarios
from mkc.interpreter import tokens as interpreter_tokens
from mkc.load import load_source
from mkc.source import Source

PEOPLE = 'people <\n  person ann < email "a@x" >\n>\nscenario "s" <\n  run C\n>\n'


def blow_up(levels: int, copies: int = 10) -> str:
    """my.t0 is ten characters; each next one holds the one before `copies` times."""
    decls = ['  my.t0 = "0123456789"'] + [
        f'  my.t{i} = "' + f"<<my.t{i - 1}>>" * copies + '"' for i in range(1, levels)
    ]
    return (
        "tokens <\n" + "\n".join(decls) + "\n>\n"
        f'campaign C < flow < change_data_value city "<<my.t{levels - 1}>>" > >\n' + PEOPLE
    )


def found(text: str):
    model, diags = check(parse(text, "t.mkc"))
    return model, [(d.code, d.span.line, d.span.column) for d in diags]


def test_the_limits_are_the_interpreters():
    assert tokens.MAX_DEPTH == interpreter_tokens.MAX_DEPTH


def test_a_twelve_level_blow_up_is_measured_not_rendered():
    text = blow_up(12)  # 10^13 characters
    assert len(text) < 2000
    model, got = found(text)
    # my.t6 is the first beyond 1,000,000 characters (my.t5 is exactly that);
    # the campaign's token goes 11 levels deep
    assert got == [("bad-argument", 8, 3), ("undefined-token", 15, 45)]
    _, diags = check(parse(text, "t.mkc"))
    assert "at least 10,000,000 characters" in diags[0].message
    assert "11 levels" in diags[1].message
    # the insight commands do not render it either
    callgraph.build(model, diags)
    assert refs.find(model, "my.t11")
    assert refs.token_values(model, "t11")


def test_the_insight_commands_finish_on_a_blow_up(tmp_path):
    path = tmp_path / "b.mkc"
    path.write_text(blow_up(12))
    assert mkc("check", str(path))[0] == 1
    assert mkc("refs", str(path), "my.t11")[0] == 0
    assert mkc("graph", str(path))[0] == 0
    code, out, err = mkc("explain", str(path), "--campaign", "C", "--person", "ann")
    assert code == 1 and "Traceback" not in err


def test_ten_levels_within_the_depth_still_report_the_size():
    assert found(blow_up(10))[1] == [("bad-argument", 8, 3)]


def test_exactly_the_limit_is_allowed():
    assert found(blow_up(6))[1] == []  # my.t5: 1,000,000 characters


def test_depth_ten_runs_and_eleven_is_what_the_interpreter_fails():
    ten = blow_up(11, copies=1)  # my.t10 holds my.t9 ... holds my.t0: answered 10 levels down
    assert found(ten)[1] == []
    (result,) = run_scenarios(load_source(Source("t.mkc", ten)).model)
    assert [a.type for a in result.activities] == ["Change Data Value"]
    eleven = blow_up(12, copies=1)
    assert found(eleven)[1] == [("undefined-token", 15, 45)]
    loaded = load_source(Source("t.mkc", eleven))
    (result,) = run_scenarios(loaded.model)
    assert [a.type for a in result.activities] == ["Failed Step"]


def test_a_loop_of_my_tokens_is_undefined_token_where_it_closes():
    text = 'tokens <\n  my.a = "x<<my.b>>"\n  my.b = "<<my.a>>"\n>\n'
    text += 'campaign C < flow < change_data_value city "<<my.a>>" > >\n' + PEOPLE
    model, got = found(text)
    assert got == [("undefined-token", 3, 11)]
    _, diags = check(parse(text, "t.mkc"))
    assert "(my.a > my.b > my.a)" in diags[0].message


def test_a_token_holding_itself():
    text = 'tokens < my.a = "<<my.a>>" >\ncampaign C < flow < change_data_value city "<<my.a>>" > >\n' + PEOPLE
    assert found(text)[1] == [("undefined-token", 1, 18)]


def test_a_loop_and_a_chain_of_1000_my_tokens_do_not_recurse():
    loop = [f'  my.t{i} = "<<my.t{(i + 1) % 1000}>>"' for i in range(1000)]
    text = "tokens <\n" + "\n".join(reversed(loop)) + "\n>\n"
    text += 'campaign C < flow < change_data_value city "<<my.t0>>" > >\n' + PEOPLE
    assert [code for code, _, _ in found(text)[1]] == ["undefined-token"]
    chain = ['  my.t0 = "x"'] + [f'  my.t{i} = "<<my.t{i - 1}>>"' for i in range(1, 1000)]
    text = "tokens <\n" + "\n".join(reversed(chain)) + "\n>\n"
    text += 'campaign C < flow < change_data_value city "<<my.t999>>" > >\n' + PEOPLE
    (diag,) = check(parse(text, "t.mkc"))[1]
    assert diag.code == "undefined-token" and "999 levels" in diag.message


def test_tokens_a_my_token_holds_are_checked_in_the_context_that_asks():
    text = """tokens <
  my.a = "hi <<trigger.name>>"
  my.b = "x <<my.nope>>"
  my.c = "<<lead.first_name>> <<campaign.name>>"
>
campaign C <
  flow <
    change_data_value city "<<my.a>>"
    change_data_value city "<<my.b>>"
    change_data_value city "<<my.c>>"
  >
>
campaign T <
  smart_list < trigger fills_out_form "F" >
  flow < change_data_value city "<<my.a>>" >
>
"""
    # a batch campaign has no trigger; my.nope is declared nowhere; my.c is fine
    assert found(text)[1] == [("undefined-token", 2, 14), ("undefined-token", 3, 13)]
