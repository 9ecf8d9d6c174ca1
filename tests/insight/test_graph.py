"""`mkc graph`: the call graph as data, and as Mermaid and dot text."""

import os
import shutil

import pytest
from insight_helpers import ROOT, load, load_file, mkc

from mkc.insight import callgraph, dot, mermaid


def graph_of(text):
    loaded = load(text)
    return callgraph.build(loaded.model, loaded.diagnostics)


def edges(graph, kind=None):
    """(source label, target label, edge label) for each edge, names as drawn."""
    name = {n.id: n.lines[0] for n in graph.nodes.values()}
    return [(name[e.source], name[e.target], e.label) for e in graph.edges if kind is None or e.kind == kind]


def test_lead_scoring_three_parents_pass_their_context():
    g = callgraph.build(load_file(ROOT / "examples/lead_scoring.mkc").model)
    assert edges(g, "execute") == [
        ("Scored", "Score", "parent"),
        ("Scored", "Score", "parent"),
        ("Monthly", "Score", "parent"),
    ]
    assert edges(g, "trigger") == [
        ('fills_out_form "Webinar Attendance"', "Scored", ""),
        ('fills_out_form "Newsletter Preferences"', "Scored", ""),
    ]
    assert [grp.label for grp in g.groups] == [
        "program Scoring",
        "program Webinar Attended",
        "program Newsletter Click",
        "program Decay",
    ]
    assert not any(n.problems for n in g.nodes.values())


def test_own_context_request_and_choice_labels():
    g = graph_of("""
campaign Child executable < flow < change_score +1 > >
campaign Asked < smart_list < trigger campaign_is_requested >; flow < do_nothing > >
campaign Parent <
  flow <
    execute_campaign Child
    request_campaign Asked
    choice < when lead_score > 1 < execute_campaign Child use_parent_token_context=true > >
  >
>
""")
    assert edges(g) == [
        ("Parent", "Child", "own"),
        ("Parent", "Asked", "request"),
        ("Parent", "Child", "parent (in a choice)"),
    ]
    assert g.campaign_node("Default.Asked").lines == ("Asked", "trigger, requestable")
    assert not g.groups  # one implicit workspace, no programs: no boxes


CYCLE = """
campaign Start < flow < execute_campaign Ping > >
campaign Ping executable < flow < execute_campaign Pong > >
campaign Pong executable < flow < execute_campaign Ping > >
campaign Self executable < flow < execute_campaign Self > >
"""
CROSS = """
workspace Europe < campaign Score executable < flow < change_score +5 > > >
workspace Americas <
  campaign Route <
    flow <
      execute_campaign Score
      execute_campaign Scor
      execute_campaign Mine
    >
  >
  campaign Mine executable < flow < change_score +1 > >
>
"""
DEEP = """
campaign Parent < flow < execute_campaign L1 > >
campaign L1 executable < flow < execute_campaign L2 > >
campaign L2 executable < flow < execute_campaign L3 > >
campaign L3 executable <
  flow < choice < when lead_score > 10 < execute_campaign L4 > > >
>
campaign L4 executable < flow < change_score +1 > >
"""
NOT_EXECUTABLE = """
campaign Batch < flow < do_nothing > >
campaign Requested < smart_list < trigger campaign_is_requested >; flow < do_nothing > >
campaign Caller < flow < execute_campaign Batch; execute_campaign Requested; request_campaign Requested > >
"""


@pytest.mark.parametrize(
    "text, expected",
    [
        (CYCLE, [("Pong", "Ping", "own: call-cycle"), ("Self", "Self", "own: call-cycle")]),
        (CROSS, [("Route", "Score", "own: cross-workspace-call"), ("Route", "Scor", "own: unknown-reference")]),
        (DEEP, [("L3", "L4", "own (in a choice): nesting-too-deep")]),
        (NOT_EXECUTABLE, [("Caller", "Batch", "own: not-executable"), ("Caller", "Requested", "own: not-executable")]),
    ],
    ids=["call-cycle", "cross-workspace-call", "nesting-too-deep", "not-executable"],
)
def test_checker_rejections_are_on_the_edges(text, expected):
    assert [e for e in edges(graph_of(text)) if ":" in e[2]] == expected


def test_cross_workspace_edge_goes_to_the_other_workspace():
    g = graph_of(CROSS)
    score = g.campaign_node("Europe.Score")
    assert any(e.target == score.id and e.problems == ["cross-workspace-call"] for e in g.edges)
    assert [grp.label for grp in g.groups] == ["workspace Europe", "workspace Americas"]
    missing = [n for n in g.nodes.values() if n.kind == "missing"]
    assert [n.lines for n in missing] == [("Scor", "no such campaign")]
    assert f"class {missing[0].id} error" in mermaid.render(g)
    assert "linkStyle 0,1 stroke:#d00,color:#d00" in mermaid.render(g)


def test_a_campaign_the_checker_rejects_is_red():
    loaded = load("""
campaign Child executable < flow < wait 1 day; change_score +1 > >
campaign Parent < flow < execute_campaign Child > >
""")
    g = callgraph.build(loaded.model, loaded.diagnostics)
    child = g.campaign_node("Default.Child")
    assert child.problems == ["wait-in-executable"]
    assert child.label[-1] == "error: wait-in-executable"
    assert f"class {child.id} error" in mermaid.render(g)
    assert (
        f'{child.id} [label="Child\\nexecutable\\nerror: wait-in-executable", style=rounded, color="#d00000"'
        in dot.render(g)
    )


def test_steps_that_fire_triggers():
    g = callgraph.build(load_file(ROOT / "examples/lifecycle.mkc").model)
    assert edges(g, "fires") == [
        ("Become MQL", 'data_value_changes lifecycle_stage to="MQL"', "change_data_value"),
        ("Engagement", "score_is_changed", "change_score"),
    ]
    # "Sales Accepted" sets lifecycle_stage to "SQL": it cannot fire the MQL trigger.


def test_fires_needs_the_same_list_and_a_possible_value():
    g = graph_of("""
list "A"
list "B"
campaign OnA < smart_list < trigger added_to_list "A" >; flow < do_nothing > >
campaign OnB < smart_list < trigger added_to_list "B" >; flow < do_nothing > >
campaign Adds < flow < add_to_list "A" > >
campaign Token < flow < change_data_value status "<<my.s>>" > >
campaign OnHot < smart_list < trigger data_value_changes status to="Hot" >; flow < do_nothing > >
tokens < my.s = "Hot" >
""")
    assert edges(g, "fires") == [
        ("Adds", 'added_to_list "A"', "add_to_list"),
        ("Token", 'data_value_changes status to="Hot"', "change_data_value"),
    ]


def test_triggers_naming_the_same_event_share_a_node():
    g = graph_of("""
campaign A < smart_list < trigger fills_out_form "Demo" >; flow < do_nothing > >
campaign B < smart_list < trigger fills_out_form "Demo" >; flow < do_nothing > >
""")
    triggers = [n for n in g.nodes.values() if n.kind == "trigger"]
    assert len(triggers) == 1 and edges(g, "trigger") == [
        ('fills_out_form "Demo"', "A", ""),
        ('fills_out_form "Demo"', "B", ""),
    ]


def test_mermaid_text():
    text = mermaid.render(callgraph.build(load_file(ROOT / "examples/request_vs_execute.mkc").model))
    assert text.splitlines()[:4] == [
        "flowchart LR",
        '  subgraph s3["program Tagging"]',
        '    c1("Tag (executable)<br/>executable")',
        '    c2["Tag (requested)<br/>trigger, requestable"]',
    ]
    assert '  c3 -->|"own"| c1' in text and '  c4 -.->|"request"| c2' in text


def test_mermaid_escapes_quotes_and_angles():
    g = graph_of('campaign A < smart_list < trigger fills_out_form "Say \\"<hi>\\"" >; flow < do_nothing > >\n')
    assert 't1(["fills_out_form #quot;Say \\#quot;#lt;hi#gt;\\#quot;#quot;"])' in mermaid.render(g)


def test_dot_text_and_escapes():
    g = graph_of('campaign A < smart_list < trigger fills_out_form "Say \\"hi\\"" >; flow < do_nothing > >\n')
    text = dot.render(g)
    assert text.startswith("digraph mkc {\n  rankdir=LR;")
    assert 't1 [label="fills_out_form \\"Say \\\\\\"hi\\\\\\"\\"", shape=ellipse' in text
    assert text.rstrip().endswith("}")


def test_output_is_deterministic(example):
    first, second = load_file(example), load_file(example)
    for render in (mermaid.render, dot.render):
        a = render(callgraph.build(first.model, first.diagnostics))
        b = render(callgraph.build(second.model, second.diagnostics))
        assert a == b


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_every_example_renders_with_graphviz(example, tmp_path):
    out = tmp_path / "g.svg"
    code, stdout, err = mkc("graph", str(example), "--svg", str(out))
    assert code == 0 and err == "" and stdout == ""
    assert out.read_text().lstrip().startswith("<?xml") and "<svg" in out.read_text()


def test_svg_without_graphviz_is_one_line_exit_2(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # no `dot` here
    code, out, err = mkc("graph", "examples/lead_scoring.mkc", "--svg", str(tmp_path / "g.svg"), env=env)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "apt-get install graphviz" in err and "Traceback" not in err
    assert not (tmp_path / "g.svg").exists()


def test_cli_formats():
    code, out, err = mkc("graph", "examples/lead_routing.mkc")
    assert code == 0 and out.startswith("flowchart LR\n")
    code, out, err = mkc("graph", "examples/lead_routing.mkc", "--format", "dot")
    assert code == 0 and out.startswith("digraph mkc {\n")
    code, out, err = mkc("graph", "examples/lead_routing.mkc", "--format", "png")
    assert code == 2 and "png" in err and "Traceback" not in err


def test_cli_syntax_error_exits_1(tmp_path):
    f = tmp_path / "bad.mkc"
    f.write_text("campaign A < flow < wait > \n")
    code, out, err = mkc("graph", str(f))
    assert code == 1 and "error[syntax]" in err and out == ""


def test_help_shows_an_example():
    code, out, err = mkc("graph", "--help")
    assert code == 0 and "Example:" in out and "--svg" in out
