"""Every syntax error of a file is reported, each once, without follow-on errors."""

import pathlib

import pytest
from mkc_cli import mkc
from test_syntax_errors import MISTAKES

from mkc.diagnostics import DiagnosticError
from mkc.grammar import parse, parse_line

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.mkc"))


def errors(text):
    with pytest.raises(DiagnosticError) as err:
        parse(text, "t.mkc")
    assert all(d.code == "syntax" for d in err.value.diagnostics)
    return [((d.span.line, d.span.column), d.message) for d in err.value.diagnostics]


THREE = """\
campaign A <
  flow < wait 1 day at= >
>
campaign B < qualification twice >
list "Newsletter"
campaign C <
  smart_list < filter lead_score >= >
>
"""


def test_three_errors_in_three_declarations():
    assert errors(THREE) == [
        ((2, 25), "unexpected `>`; expected a value"),
        ((4, 28), "unexpected `twice`; expected `every_time`, `once_every` or `once`"),
        ((7, 37), "unexpected `>`; expected a value"),
    ]


def test_an_error_in_a_flow_does_not_hide_the_next_campaigns():
    text = """\
campaign A <
  flow <
    send_email @welcome
    wait 1 day
  >
>
campaign B <
  flow < wait 1 day >
  qualification once_every
>
campaign C <
  flow < wait 1 day at= >
>
"""
    assert errors(text) == [
        ((3, 16), "unexpected character `@`"),
        ((9, 3), "`once_every` needs a duration, as in `qualification once_every 30 days`"),
        ((12, 25), "unexpected `>`; expected a value"),
    ]


@pytest.mark.parametrize(
    "text, where",
    [
        ("campaign A <\n  flow <\n    wait 1 day\n    send_email @hi\n", (4, 16)),
        ("workspace W <\n  program P <\n    campaign A <\n      flow <\n        wait 1 day\n", None),
        ('campaign A < flow < send_email "Hi > >\ncampaign B < flow < do_nothing > >\n', (1, 32)),
    ],
    ids=["after an error", "four blocks deep", "after an unclosed string"],
)
def test_an_unclosed_block_is_one_error(text, where):
    found = errors(text)
    assert len(found) == 1
    if where is None:
        assert found[0][1].startswith("input ended inside the `flow` block")
    else:
        assert found[0][0] == where


def test_a_block_opened_on_the_next_line_is_still_read():
    found = errors("campaign A <\n  flow\n  <\n    wait 1 day at=\n  >\n>\ncampaign B < qualification twice >\n")
    assert [where for where, _ in found] == [(2, 7), (4, 19), (7, 28)]


def test_a_missing_open_angle_is_supplied():
    text = 'campaign A <\n  flow add_to_list "Hot"\n    wait 1 day at=\n  >\n>\ncampaign B < qualification twice >'
    found = errors(text)
    assert found[0] == ((2, 8), "unexpected `add_to_list`; expected `<`")
    assert [where for where, _ in found] == [(2, 8), (3, 19), (6, 28)]


def test_a_comparison_in_a_skipped_item_opens_no_block():
    text = "campaign A <\n  smart_list < filter x = @ and lead_score < 5 >\n>\ncampaign B < qualification twice >\n"
    assert [where for where, _ in errors(text)] == [(2, 27), (4, 28)]


# Mistakes whose item ends where it should: the rest of the file parses as written.
CONTAINED = [m for m in MISTAKES if m[0] not in ("unclosed block", "unterminated string")]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("what, mistake, where, words", CONTAINED, ids=[m[0] for m in CONTAINED])
def test_a_mistake_before_or_after_a_good_file_is_its_only_error(what, mistake, where, words, example):
    good = example.read_text()
    assert [w for w, _ in errors(mistake + "\n" + good)] == [where]
    after = good.count("\n") + 1
    assert [w for w, _ in errors(good + "\n" + mistake)] == [(where[0] + after, where[1])]


def test_a_repl_entry_stops_at_its_first_error():
    # The REPL continues an entry only when its one error is an open block.
    with pytest.raises(DiagnosticError) as err:
        parse_line("campaign A < flow < wait @ 1 day\n  do_nothing")
    assert [d.message for d in err.value.diagnostics] == ["unexpected character `@`"]


def test_check_counts_every_syntax_error(tmp_path):
    f = tmp_path / "three.mkc"
    f.write_text(THREE)
    code, out, err = mkc("check", str(f))
    assert code == 1 and out == ""
    assert [line.split(": error")[0] for line in err.splitlines() if "error[syntax]" in line] == [
        f"{f}:2:25",
        f"{f}:4:28",
        f"{f}:7:37",
    ]
    assert err.rstrip().endswith("mkc check: 3 errors in 1 file")


def test_a_file_of_errors_reports_the_first_hundred_and_counts_the_rest():
    text = "".join(f"campaign A{i} < flow < wait 1 day at= > >\n" for i in range(1, 151))
    found = errors(text)
    assert len(found) == 101
    assert found[:2] == [((1, 37), "unexpected `>`; expected a value"), ((2, 37), "unexpected `>`; expected a value")]
    assert found[99][0] == (100, 39)
    assert found[100] == ((101, 39), "50 more syntax errors from here on are not shown")
