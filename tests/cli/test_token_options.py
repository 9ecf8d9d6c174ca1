"""`mkc run --campaign REF --token my.x=VALUE` (spec section 10): a My Token
that neither the campaign's context nor an executable it runs with the
parent's context uses would be ignored, so it is bad input."""

from __future__ import annotations

import pathlib

import pytest
from mkc_cli import mkc

from mkc.checker.api_tokens import api_token_uses
from mkc.load import load_source
from mkc.source import Source

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = str(ROOT / "examples" / "token_inheritance.mkc")


def test_a_token_the_run_reads_is_taken():
    code, out, err = mkc("run", SEEDS, "--campaign", "ParentA", "--token", "my.score=+7")
    assert (code, err) == (0, "") and "change=+7" in out


@pytest.mark.parametrize(
    "campaign, token, message",
    [
        ("ParentA", "my.scor=+7", "--token my.scor: Ops.ParentA uses no My Token `scor`; did you mean my.score?"),
        (
            "ParentA",
            "my.nonexistent=+7",
            "--token my.nonexistent: Ops.ParentA uses no My Token `nonexistent` (it uses my.score)",
        ),
        # ParentB executes Score in Score's own context: the API's tokens never reach it.
        ("ParentB", "my.score=+7", "--token my.score: Ops.ParentB uses no My Token `score` (it uses none)"),
    ],
)
def test_a_token_the_run_would_ignore_is_bad_input(campaign, token, message):
    code, out, err = mkc("run", SEEDS, "--campaign", campaign, "--token", token)
    assert code == 2 and out == "" and err == f"mkc: error: {message}\n"


def test_tokens_pass_down_chains_of_parent_context_and_loops_end():
    text = """
    campaign Top < flow < execute_campaign A use_parent_token_context=true > >
    campaign A executable < flow < execute_campaign B use_parent_token_context=true; change_score <<my.a>> > >
    campaign B executable < flow < execute_campaign C; interesting_moment web "<<my.b>>" > >
    campaign C executable < flow < interesting_moment web "<<my.c>>" > >
    tokens < my.a = +1  my.b = "b"  my.c = "c" >
    """
    model = load_source(Source("t.mkc", text)).model
    top = next(c for c in model.campaigns if c.name == "Top")
    assert api_token_uses(model, top) == {"a", "b"}


def test_a_token_read_through_another_tokens_value_is_read():
    text = """program P <
  tokens < my.greeting = "Hi <<my.name>>"  my.name = "you" >
  campaign Hello < flow < interesting_moment web "<<my.greeting>>" > >
>
"""
    model = load_source(Source("t.mkc", text)).model
    hello = next(c for c in model.campaigns if c.name == "Hello")
    assert api_token_uses(model, hello) == {"greeting", "name"}


def test_a_token_option_read_through_a_declared_value_is_taken(tmp_path):
    path = tmp_path / "hello.mkc"
    path.write_text(
        'program P <\n  tokens < my.greeting = "Hi <<my.name>>"  my.name = "you" >\n'
        '  campaign Hello < flow < interesting_moment web "<<my.greeting>>" > >\n>\n'
        "people < person ann < > >\n"
    )
    code, out, err = mkc("run", str(path), "--campaign", "Hello", "--token", "my.name=Ann")
    assert (code, err) == (0, "") and 'description="Hi Ann"' in out


def test_a_token_option_read_through_another_token_options_value_is_taken(tmp_path):
    path = tmp_path / "hello.mkc"
    path.write_text(
        'program P <\n  tokens < my.greeting = "Hi" >\n'
        '  campaign Hello < flow < interesting_moment web "<<my.greeting>>" > >\n>\n'
        "people < person ann < > >\n"
    )
    code, out, err = mkc(
        "run", str(path), "--campaign", "Hello", "--token", "my.greeting=Hi <<my.name>>", "--token", "my.name=Ann"
    )
    assert (code, err) == (0, "") and 'description="Hi Ann"' in out
