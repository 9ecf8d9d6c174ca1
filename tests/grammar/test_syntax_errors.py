"""Syntax errors: located, worded for people, never a raw Lark dump."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkc.diagnostics import DiagnosticError, render
from mkc.grammar import parse
from mkc.source import Source


def error(text):
    with pytest.raises(DiagnosticError) as err:
        parse(text, "t.mkc")
    (diag,) = err.value.diagnostics
    assert diag.code == "syntax"
    return diag


# The ten mistakes people make most, with where they are reported and what
# the message must say.
MISTAKES = [
    (
        "unclosed block",
        "campaign A <\n  flow <\n    wait 1 day\n",
        (2, 8),
        "input ended inside the `flow` block opened at 2:8",
    ),
    (
        "missing value after an operator",
        "campaign A <\n  smart_list <\n    filter lead_score >=\n  >\n>",
        (3, 25),
        "expected a value",
    ),
    (
        "`<` where a step was expected",
        "campaign A <\n  flow <\n    < wait 1 day >\n  >\n>",
        (3, 5),
        "unexpected `<`; expected a flow step or `>`",
    ),
    ("block opened on the next line", "campaign A <\n  flow\n  <\n  >\n>", (2, 7), "expected `<`"),
    ("unterminated string", 'campaign A < flow < send_email "Hi > >', (1, 32), "string is never closed"),
    ("unknown character", "campaign A < flow < send_email @welcome > >", (1, 32), "unexpected character `@`"),
    ("unknown qualification", "campaign A < qualification twice >", (1, 28), "expected `every_time`"),
    (
        "two steps in a choice branch",
        "campaign A < flow < choice < when x = 1 < do_nothing; do_nothing > > > >",
        (1, 55),
        "unexpected `do_nothing`; expected `>`",
    ),
    ("invalid date", "campaign A < schedule at 2026-13-45 >", (1, 26), "`2026-13-45` is not a valid date"),
    ("misspelt declaration", "campain A < >", (1, 1), "unexpected `campain`; expected a declaration"),
    ("missing keyword value", 'campaign A < flow < send_alert "E" to= > >', (1, 40), "expected a value"),
    ("stray closing angle", "campaign A < flow < do_nothing > > >", (1, 36), "unexpected `>`"),
    ("once_every without a duration", "campaign A < qualification once_every >", (1, 14), "needs a duration"),
]


@pytest.mark.parametrize("what, text, where, words", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_common_mistakes(what, text, where, words):
    diag = error(text)
    assert (diag.span.line, diag.span.column) == where
    assert words in diag.message
    assert "Token(" not in diag.message and "$END" not in diag.message


def test_rendered_syntax_error_shows_the_line_and_a_caret():
    text = "campaign A <\n  flow <\n    < wait 1 day >\n  >\n>"
    out = render(error(text), {"t.mkc": Source("t.mkc", text)})
    assert out.splitlines() == [
        "t.mkc:3:5: error[syntax]: unexpected `<`; expected a flow step or `>`",
        "  |",
        "3 |     < wait 1 day >",
        "  |     ^",
    ]


def test_hint_for_block_on_next_line():
    assert error("campaign A <\n  flow\n  <\n  >\n>").hints


ALPHABET = st.sampled_from(
    list('<>;=.,[]()"\n #+-:')
    + ["campaign", "flow", "A", "1", "day", "<<my.x>>", "when", "choice", "filter", "smart_list", " "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_parser_only_ever_raises_syntax_diagnostics(text):
    try:
        parse(text, "fuzz.mkc")
    except DiagnosticError as err:
        assert err.diagnostics and all(d.code == "syntax" and d.span for d in err.diagnostics)
        # Every error once, in file order.
        places = [(d.span.line, d.span.column) for d in err.diagnostics]
        assert places == sorted(set(places))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_parser_survives_arbitrary_text(text):
    try:
        parse(text, "fuzz.mkc")
    except DiagnosticError as err:
        assert all(d.code == "syntax" for d in err.diagnostics)
