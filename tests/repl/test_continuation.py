"""Enter continues an entry only when the parser says a block is still open."""

import pytest

from mkc.repl.continuation import indent_for_next_line, needs_more


@pytest.mark.parametrize(
    "text",
    [
        "campaign A <",
        "campaign A <\n  flow <",
        "campaign A <\n  flow < change_score +1 >",
        "people <\n",
        "choice <\n  when lead_score > 10 < do_nothing >",  # `>` as an operator is not a block's end
        'tokens < my.x = "a > b"',  # nor is `>` in a string
        "campaign A < flow < change_score <<my.x>>",  # nor the `>>` of a token
    ],
)
def test_open_blocks_continue(text):
    assert needs_more(text)


@pytest.mark.parametrize(
    "text",
    [
        "change_score +1",
        "campaign A < flow < change_score +1 > >",
        "campaign A <\n  flow < change_score +1 >\n>",
        "campaign A < flow < change_score +1 > > >",  # too many `>`: an error, submitted at once
        "bogus <",  # an error before the block opens
        'send_email "Hi',  # an unclosed string
        "",
        "# only a comment",
        ":help",
        ":save x <",
        "change_score <<my.score>>",  # a token is not a block
    ],
)
def test_everything_else_is_submitted(text):
    assert not needs_more(text)


def test_indentation_follows_the_open_block():
    assert indent_for_next_line("campaign A <") == "  "
    assert indent_for_next_line("campaign A <\n  flow <  # steps") == "    "
    assert indent_for_next_line("campaign A <\n  flow < do_nothing >") == "  "
