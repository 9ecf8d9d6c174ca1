"""Shell completion (issue 16): click's, plus the campaigns, scenarios and
people of the file on the command line."""

from __future__ import annotations

import os

import pytest
from click.shell_completion import ShellComplete
from mkc_cli import mkc

from mkc.cli import cli

PROGRAM = """\
workspace Europe <
  program Scoring <
    campaign Score executable < flow < change_score +5 > >
  >
  program Ops <
    campaign Nightly <
      smart_list < filter lead_score > 0 >
      flow < execute_campaign Scoring.Score >
    >
    campaign Score <
      smart_list < trigger campaign_is_requested source=flow_action >
      flow < change_score +1 >
    >
  >
>
people <
  person ann < lead_score 1 >
  person bob < lead_score 2 >
>
scenario "nightly scores" < run Ops.Nightly >
scenario "nothing" < at 2026-01-02 >
"""


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "p.mkc"
    path.write_text(PROGRAM)
    return str(path)


def completions(*words: str, incomplete: str = "") -> list[tuple[str, str | None]]:
    found = ShellComplete(cli, {}, "mkc", "_MKC_COMPLETE").get_completions(list(words), incomplete)
    return [(item.value, item.help) for item in found]


def test_campaigns_complete_by_full_name_and_by_a_bare_name_naming_one(program):
    assert completions("explain", program, "--person", "ann", "--campaign") == [
        ("Scoring.Score", "executable"),
        ("Ops.Nightly", "batch"),
        ("Ops.Score", "trigger"),
        ("Nightly", "batch"),  # `Score` names two campaigns: only their full names are offered
    ]


def test_run_and_diff_offer_the_batch_campaigns_they_can_run(program):
    assert completions("run", program, "--campaign") == [("Ops.Nightly", "batch"), ("Nightly", "batch")]
    assert completions("diff", program, program, "--campaign") == [("Ops.Nightly", "batch"), ("Nightly", "batch")]


def test_what_is_typed_narrows_them_whatever_its_case(program):
    assert completions("explain", program, "--person", "ann", "--campaign", incomplete="ops.") == [
        ("Ops.Nightly", "batch"),
        ("Ops.Score", "trigger"),
    ]


def test_scenarios_and_people_complete_too(program):
    assert [v for v, _ in completions("run", program, "--scenario")] == ["nightly scores", "nothing"]
    assert [v for v, _ in completions("explain", program, "--person", incomplete="b")] == ["bob"]


def test_diff_completes_from_new(tmp_path, program):
    new = tmp_path / "new.mkc"
    new.write_text(PROGRAM.replace("Nightly", "Weekly"))
    assert ("Ops.Weekly", "batch") in completions("diff", program, str(new), "--campaign")


@pytest.mark.parametrize("text", [None, "campaign A <\n", "\xff"])
def test_a_missing_or_broken_file_completes_nothing(tmp_path, text):
    path = tmp_path / "f.mkc"
    if text is not None:
        path.write_bytes(text.encode("latin-1"))
    assert completions("run", str(path), "--campaign") == []


def test_the_shell_gets_them_through_clicks_protocol(program):
    env = dict(
        os.environ, _MKC_COMPLETE="bash_complete", COMP_WORDS=f"mkc run {program} --campaign Ops.N", COMP_CWORD="4"
    )
    assert mkc(env=env) == (0, "plain,Ops.Nightly\n", "")
    code, out, err = mkc(env=dict(os.environ, _MKC_COMPLETE="bash_source"))
    assert code == 0 and out.startswith("_mkc_completion() {") and "complete -o nosort -F _mkc_completion mkc" in out
