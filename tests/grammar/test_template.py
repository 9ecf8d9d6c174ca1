"""Strings with tokens: the one splitter (grammar/template.py) and the one
shape of a token, which the grammar's TOKEN terminal repeats."""

from __future__ import annotations

from mkc.grammar import ast, parser, template
from mkc.grammar.template import TokenAt


def test_split_gives_text_and_tokens_in_order_with_offsets():
    text = "Hi <<lead.first_name:default=there>>, score << my.x >>><<system.date>>"
    parts = template.split(text)
    assert parts == (
        "Hi ",
        TokenAt(ast.Token("lead", "first_name", "there"), "<<lead.first_name:default=there>>", 3, 36),
        ", score << my.x >>>",  # a scope has no spaces: not a token
        TokenAt(ast.Token("system", "date"), "<<system.date>>", 55, 70),
    )
    assert "".join(p if isinstance(p, str) else text[p.start : p.end] for p in parts) == text
    assert [t.text for t in template.tokens(text)] == ["<<lead.first_name:default=there>>", "<<system.date>>"]


def test_names_are_stripped_and_empty_defaults_kept():
    assert template.parse_token("<<my. Event Name :default=>>") == ast.Token("my", "Event Name", "")
    assert template.parse_token("<<my.x>> ") is None
    assert template.split("") == ()
    assert template.split("plain") == ("plain",)
    assert not template.has_tokens("a << b >> c") and template.has_tokens("<<a.b>>")


def test_a_token_that_is_cut_short_is_seen_while_typed():
    assert template.UNFINISHED_TOKEN.search('send_alert "x" to="<<my.Na').group(1) == "my.Na"
    assert template.UNFINISHED_TOKEN.search("<<my.done>> next") is None


def test_the_grammar_lexes_tokens_as_the_splitter_finds_them():
    (terminal,) = [t for t in parser().terminals if t.name == "TOKEN"]
    assert terminal.pattern.value.replace("\n", "\\n") == template.TOKEN_PATTERN
