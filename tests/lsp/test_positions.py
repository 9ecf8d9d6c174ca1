"""The one conversion between mkc's code points and the client's position
encoding (lsp.server.Positions), both ways, for each encoding LSP names."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pygls.workspace import PositionCodec

from mkc.lsp.server import Positions
from mkc.source import Span

TEXT = 'campaign "Form Fill" <\n  change_data_value city "🎉 é"; execute_campaign Score\n>\n'
NAME = TEXT.splitlines()[1].index("Score")  # code points into line 1: 🎉 is 1, é is 1


@pytest.mark.parametrize(
    "encoding, units",
    [
        (lsp.PositionEncodingKind.Utf16, NAME + 1),  # 🎉 is two UTF-16 code units
        (lsp.PositionEncodingKind.Utf8, NAME + 3 + 1),  # 🎉 is four bytes, é two
        (lsp.PositionEncodingKind.Utf32, NAME),
    ],
)
def test_a_position_after_an_astral_character_converts_both_ways(encoding, units):
    to = Positions(PositionCodec(encoding), TEXT)
    assert to.client(1, NAME) == lsp.Position(1, units)
    assert to.server(lsp.Position(1, units)) == lsp.Position(1, NAME)
    span = Span("f.mkc", 2, NAME + 1, 2, NAME + 6)  # 1-based, as mkc's spans are
    assert to.range(span) == lsp.Range(lsp.Position(1, units), lsp.Position(1, units + 5))


def test_positions_before_the_character_and_on_plain_lines_are_unchanged():
    to = Positions(PositionCodec(), TEXT)
    assert to.client(1, 2) == lsp.Position(1, 2)
    assert to.client(0, 9) == lsp.Position(0, 9)
    assert to.server(lsp.Position(0, 9)) == lsp.Position(0, 9)


def test_positions_past_a_line_or_the_text_keep_their_distance():
    to = Positions(PositionCodec(), TEXT)
    end = len(TEXT.splitlines()[1])
    assert to.client(1, end + 2) == lsp.Position(1, end + 1 + 2)
    assert to.server(lsp.Position(1, end + 1 + 2)) == lsp.Position(1, end + 2)
    assert to.client(7, 3) == lsp.Position(7, 3)
    assert to.server(lsp.Position(7, 3)) == lsp.Position(7, 3)
