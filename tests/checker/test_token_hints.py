"""Hints for tokens (issue 15): a misspelt My Token gets a did-you-mean, a
declaration hint quotes a name with spaces so that it parses, and Marketo's
own `{{my.score}}` syntax is pointed to `<<my.score>>`."""

from __future__ import annotations

from mkc.grammar import parse
from mkc.load import load_source
from mkc.source import Source


def only(text: str):
    (diag,) = load_source(Source("t.mkc", text)).diagnostics
    return diag


def test_a_misspelt_my_token_gets_the_closest_declared_one():
    diag = only("program P <\n  tokens < my.score = +5 >\n  campaign A < flow < change_score <<my.scroe>> > >\n>\n")
    assert diag.code == "undefined-token" and diag.hints == ("did you mean `<<my.score>>`?",)


def test_the_declaration_hint_parses():
    diag = only('campaign B < flow < interesting_moment web "<<my.Webinar Date>>" > >\n')
    assert diag.hints == ('declare it: `tokens < my."Webinar Date" = … >` in workspace Default',)
    suggested = diag.hints[0].split("`")[1]
    parse(suggested.replace("…", '"2026-03-01"') + "\n", "hint.mkc")  # what the hint says to write is mkc


def test_marketo_token_syntax_points_to_mkc_syntax():
    diag = only("campaign C < flow < change_score {{my.score}} > >\n")
    assert diag.code == "syntax" and "Marketo's token syntax" in diag.message
    assert diag.hints == ("write `<<my.score>>`",)
