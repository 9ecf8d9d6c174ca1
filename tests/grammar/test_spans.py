"""AST nodes keep their spans packed in one int (`mkc.source.pack_span`) and
give them back as `Span`s: the same places, byte for byte in diagnostics."""

import attrs
import pytest

from mkc.diagnostics import DiagnosticError
from mkc.grammar import ast, parse, transform
from mkc.source import Span, pack_span, pack_within, unpack_span, unpack_within

PLACES = [
    (1, 1, 1, 2),
    (7, 12, 7, 30),
    (2_097_151, 4095, 2_097_151 + 127, 4095),  # the largest that fit the compact layout
    (2_097_152, 1, 2_097_152, 2),  # a line past it
    (3, 4096, 3, 5000),  # a long line
    (10, 5, 500_000, 2),  # a block of many lines
    (0, 0, 0, 0),
    (5, 3, 4, 1),  # ends before it starts: still given back as made
    (-1, -20, 10**30, 2**70),
]


@pytest.mark.parametrize("place", PLACES)
def test_a_packed_span_gives_back_the_span(place):
    span = Span("dir/a.mkc", *place)
    assert unpack_span(pack_span(span.file, *place)) == span


def test_equal_spans_pack_equal_and_different_spans_differently():
    packed = {pack_span(f, *p) for f in ("a.mkc", "b.mkc") for p in PLACES}
    assert len(packed) == 2 * len(PLACES)
    assert pack_span("a.mkc", 7, 12, 7, 30) == pack_span("a.mkc", 7, 12, 7, 30)
    assert unpack_span(None) is None


def test_many_files_each_keep_their_name():
    spans = [Span(f"f{i}.mkc", i + 1, 2, i + 1, 3) for i in range(300)]  # past the compact layout's 128 files
    assert [unpack_span(pack_span(s.file, s.line, s.column, s.end_line, s.end_column)) for s in spans] == spans


def test_a_node_takes_and_gives_spans():
    span, field = Span("t.mkc", 3, 5, 3, 20), Span("t.mkc", 3, 5, 3, 15)
    cond = ast.FieldCond("lead_score", ">", (), field, span=span)
    assert (cond.span, cond.field_span) == (span, field)
    assert type(cond._span) is int  # kept packed
    moved = attrs.evolve(cond, op="<")
    assert (moved.span, moved.field_span, moved.op) == (span, field, "<")
    assert cond == ast.FieldCond("lead_score", ">", (), None)  # spans take no part in equality
    assert ast.Null().span is None


def test_parsed_spans_are_the_written_places():
    text = 'campaign A <\n  flow <\n    send_email "Hi"\n  >\n>\n'
    step = parse(text, "t.mkc").items[0].flow.steps[0]
    assert step.span == Span("t.mkc", 3, 5, 3, 20)
    assert step.args[0].span == Span("t.mkc", 3, 16, 3, 20)
    assert parse(text, "t.mkc").items[0].span == Span("t.mkc", 1, 1, 5, 2)


def _diagnostics(text):
    with pytest.raises(DiagnosticError) as err:
        parse(text, "t.mkc")
    return err.value.diagnostics


def test_only_the_diagnostics_shown_are_kept_and_they_are_the_same(monkeypatch):
    # Syntax errors and the builder's problems, many more than the hundred
    # shown, and found in another order than shown: a campaign's repeated
    # parts are found at its end, after the bad dates among them.
    parts = "  qualification once\n  schedule at 2026-02-30T10:00\n" * 300
    text = "campaign A < flow < wait 1 day at= > >\n" * 50 + "campaign C <\n" + parts + ">\n"
    shown = _diagnostics(text)
    keep_all = transform.Problems.__init__
    monkeypatch.setattr(transform.Problems, "__init__", lambda self, keep: keep_all(self, 10**9))
    assert _diagnostics(text) == shown
    assert [d.span.line for d in shown[49:54]] == [50, 53, 54, 55, 55]
    assert shown[-1].message == "848 more syntax errors from here on are not shown"


@pytest.mark.parametrize("inner", PLACES[:6] + [(7, 12, 7, 13), (7, 12, 7, 268), (7, 12, 7, 269), (7, 12, 8, 2)])
def test_a_span_within_its_node_is_given_back(inner):
    outer = pack_span("a.mkc", 7, 12, 9, 3)
    kept = pack_within(outer, pack_span("a.mkc", *inner))
    assert unpack_within(outer, kept) == Span("a.mkc", *inner)
    assert pack_within(None, None) is None and unpack_within(outer, None) is None


def test_a_conditions_field_is_kept_as_its_width():
    text = 'campaign A <\n  smart_list <\n    filter lead_score > 5\n    filter "Lead Score" > 5\n  >\n>\n'

    def check(file):
        bare, quoted = (f.cond for f in parse(text, file).items[0].smart_list.filters)
        assert (bare._field_span, quoted._field_span) == (10, 12)  # small ints, shared
        assert bare.field_span == Span(file, 3, 12, 3, 22)
        assert quoted.field_span == Span(file, 4, 12, 4, 24)

    check("t.mkc")  # packed narrow (unless other tests made 128 files before)
    for i in range(130):  # files known to the process: past 128, a new one's spans pack wide
        pack_span(f"known{i}.mkc", 1, 1, 1, 2)
    check("wide.mkc")
