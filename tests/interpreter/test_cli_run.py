"""`mkc run` (spec section 10): transcripts, exit statuses, bad input, and the
seeds' example against its golden transcript."""

from __future__ import annotations

import json

from interp_helpers import HERE
from mkc_cli import mkc

ROOT = HERE.parent.parent
EXAMPLE = ROOT / "examples" / "token_inheritance.mkc"


def write(tmp_path, text, name="a.mkc"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_token_inheritance_example_matches_its_golden_transcript():
    code, out, err = mkc("run", "examples/token_inheritance.mkc", cwd=ROOT)
    assert (code, err) == (0, "")
    assert out == (ROOT / "examples" / "token_inheritance.golden").read_text()


def test_the_seeds_example_lines_come_out_exactly():
    code, out, _ = mkc("run", "examples/token_inheritance.mkc", "--scenario", "parent context true", cwd=ROOT)
    lines = out.splitlines()
    assert code == 0
    assert (
        "2026-01-05T09:00  ann  Executed Campaign  Scoring.Score  qualified=TRUE  use_parent_token_context=TRUE"
        "  flow=Ops.ParentA" in lines
    )
    assert (
        "2026-01-05T09:00  ann  Change Score  lead_score  0 -> 10  change=+10  flow=Scoring.Score  via=Ops.ParentA"
        in lines
    )


def test_the_three_ways_the_example_scores():
    code, out, _ = mkc("run", str(EXAMPLE))
    changes = [line.split("  ")[4] for line in out.splitlines() if "  Change Score  " in line]
    assert code == 0 and changes == ["0 -> 10", "0 -> 0", "0 -> 7"]


SCENARIOS = """
campaign C < flow < change_score +1 > >
people < person ann < lead_score 0 > >
scenario "passes" < run C; expect ann lead_score = 1 >
scenario "fails" < run C; expect ann lead_score = 5 >
"""


def test_a_failing_expect_exits_1_and_says_what_it_got(tmp_path):
    code, out, err = mkc("run", write(tmp_path, SCENARIOS))
    assert code == 1 and err == ""
    assert out.splitlines() == [
        'scenario "passes"',
        "2026-01-01T00:00  ann  Change Score  lead_score  0 -> 1  change=+1  flow=Default.C",
        "PASS expect ann lead_score = 1",
        'scenario "fails"',
        "2026-01-01T00:00  ann  Change Score  lead_score  0 -> 1  change=+1  flow=Default.C",
        "FAIL expect ann lead_score = 5, got 1",
    ]


def test_one_scenario_in_a_file_has_no_header(tmp_path):
    one = SCENARIOS[: SCENARIOS.index('scenario "fails"')]
    code, out, _ = mkc("run", write(tmp_path, one))
    assert code == 0 and out.splitlines()[0].startswith("2026-01-01T00:00  ann  Change Score")


def test_scenario_option_selects(tmp_path):
    code, out, _ = mkc("run", write(tmp_path, SCENARIOS), "--scenario", "passes")
    assert code == 0 and "fails" not in out and out.startswith('scenario "passes"\n')


def test_jsonl_is_one_sorted_object_per_line(tmp_path):
    code, out, _ = mkc("run", write(tmp_path, SCENARIOS), "--format", "jsonl", "--scenario", "passes")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["record"] for r in records] == ["scenario", "activity", "expect"]
    activity = records[1]
    assert activity["activityTypeId"] == 22 and activity["primaryAttributeValue"] == "Lead Score"
    assert activity["person"] == "ann" and activity["leadId"] == 1 and activity["scenario"] == "passes"
    assert activity["attributes"] == [
        {"name": "Change Value", "value": "+1"},
        {"name": "Old Value", "value": "0"},
        {"name": "New Value", "value": "1"},
        {"name": "mkc Flow", "value": "Default.C"},
    ]
    for line in out.splitlines():
        assert line == json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)


def test_output_is_deterministic(tmp_path):
    path = write(tmp_path, SCENARIOS)
    assert mkc("run", path) == mkc("run", path)


def test_check_errors_refuse_to_run(tmp_path):
    code, out, err = mkc("run", write(tmp_path, "campaign C < flow < execute_campaign Nope > >\n"))
    assert code == 1 and out == ""
    assert "error[" in err


def test_warnings_do_not_stop_a_run(tmp_path):
    text = (
        'campaign C < smart_list < filter member_of_list "Gone" >; flow < do_nothing > >\n'
        'people < person ann < > >\nscenario s < run C; expect no activity ann "Change Score" >\n'
    )
    code, out, err = mkc("run", write(tmp_path, text))
    assert code == 0 and "warning[invalid-smart-list]" in err and "PASS" in out


def test_campaign_option_runs_one_batch_campaign_with_api_tokens():
    code, out, err = mkc(
        "run", str(EXAMPLE), "--campaign", "Ops.ParentA", "--at", "2026-01-05T09:00", "--token", "my.score=+7"
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        "2026-01-05T09:00  ann  Change Score  lead_score  0 -> 7  change=+7  flow=Scoring.Score  via=Ops.ParentA"
    )


def test_campaign_option_runs_waits_to_the_end(tmp_path):
    text = "campaign C < flow < wait 2 days; change_score +1 > >\npeople < person ann < > >\n"
    code, out, _ = mkc("run", write(tmp_path, text), "--campaign", "C", "--at", "2026-03-01")
    assert code == 0 and out.startswith("2026-03-03T00:00  ann  Change Score")


def test_campaign_option_exits_1_when_a_step_failed(tmp_path):
    text = 'campaign C < flow < change_score <<lead.x>> > >\npeople < person ann < x "many" > >\n'
    code, out, _ = mkc("run", write(tmp_path, text), "--campaign", "C")
    assert code == 1 and "Failed Step" in out


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    path = write(tmp_path, SCENARIOS)
    for args in (
        ["--scenario", "nope"],
        ["--campaign", "C", "--token", "score=+1"],
        ["--campaign", "C", "--at", "tomorrow"],
        ["--campaign", "Nope"],
        ["--token", "my.x=1"],
        ["--format", "xml"],
    ):
        code, out, err = mkc("run", path, *args)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, (args, err)
        assert err.startswith("mkc: error:"), err


def test_missing_file_is_bad_input():
    code, _, err = mkc("run", "no/such.mkc")
    assert code == 2 and err.strip() == "mkc: error: no/such.mkc: no such file"


def test_ambiguous_campaign_names_its_candidates():
    code, out, err = mkc("run", "examples/workspaces.mkc", "--campaign", "Welcome", cwd=ROOT)
    assert code == 2
    assert "names more than one campaign (Americas.Welcome, Belgium.Welcome, Netherlands.Welcome)" in err
