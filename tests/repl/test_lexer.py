"""The Pygments lexer: registered as `mkc`, never confused by tokens, colours the spec's examples."""

import pathlib

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Error, Keyword, Name, Number, Operator, Punctuation, String

from mkc.repl.lexer import MkcLexer

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "tests" / "spec_examples").glob("*.mkc")) + sorted((ROOT / "examples").glob("*.mkc"))


def tokens(text):
    """The lexer's tokens, without the whitespace between them."""
    return [(t, v) for t, v in MkcLexer().get_tokens(text) if v.strip()]


def test_registered_with_pygments_by_entry_point():
    assert isinstance(get_lexer_by_name("mkc"), MkcLexer)
    assert isinstance(get_lexer_for_filename("campaigns.mkc"), MkcLexer)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_lex_without_errors_and_round_trip(path):
    text = path.read_text()
    toks = list(MkcLexer().get_tokens(text))
    assert not [v for t, v in toks if t is Error]
    assert "".join(v for _, v in toks) == text if text.endswith("\n") else text + "\n"


def test_a_token_is_one_token_and_blocks_close_after_it():
    assert tokens("flow < change_score <<my.score>> >") == [
        (Keyword, "flow"),
        (Punctuation, "<"),
        (Name.Function, "change_score"),
        (String.Interpol, "<<my.score>>"),
        (Punctuation, ">"),
    ]
    assert tokens("<<my.x>>>>")[1:] == [(Punctuation, ">"), (Punctuation, ">")]


def test_tokens_inside_strings_and_escapes():
    assert tokens(r'subject "Hi <<lead.first_name:default=there>> \"x\""') == [
        (Name, "subject"),
        (String.Double, '"'),
        (String.Double, "Hi "),
        (String.Interpol, "<<lead.first_name:default=there>>"),
        (String.Escape, r"\""),
        (String.Double, "x"),
        (String.Escape, r"\""),
        (String.Double, '"'),
    ]


def test_literals_keywords_and_stdlib_names():
    toks = dict(
        (v, t)
        for t, v in tokens(
            'campaign A executable < smart_list < trigger data_value_changes lead_status to="MQL"\n'
            'filter country in ["NL"] > >\n'
            'wait 3 days at=09:00\nat 2026-01-05T09:00\nchange_score =-5\nexpect ann member_of_list "L"'
        )
    )
    assert toks["campaign"] is Keyword.Declaration
    assert toks["executable"] is Keyword.Type
    assert toks["data_value_changes"] is Name.Builtin
    assert toks["member_of_list"] is Name.Builtin
    assert toks["to"] is Name.Attribute
    assert toks["in"] is Operator.Word
    assert toks["days"] is Keyword.Type and toks["3"] is Number
    assert toks["09:00"] is Number.Other and toks["2026-01-05T09:00"] is Number.Other
    assert toks["=-5"] is Number
    assert toks["wait"] is Name.Function and toks["expect"] is Keyword.Reserved


def test_repl_commands_only_at_the_start():
    assert tokens(":load x.mkc")[0] == (Keyword.Pseudo, ":load")
    assert (Keyword.Pseudo, ":00") not in tokens("at 09:00")


def test_an_unclosed_string_ends_with_its_line():
    assert tokens('send_email "Hi\nwait 1 day')[-3:] == [(Name.Function, "wait"), (Number, "1"), (Keyword.Type, "day")]
