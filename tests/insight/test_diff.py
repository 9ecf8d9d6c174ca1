"""`mkc diff`: who an edit treats differently, checked against the interpreter's own runs."""

from collections import Counter

import pytest
from insight_helpers import ROOT, load, mkc

from mkc.insight import diff
from mkc.interpreter import run_scenario

SCORING = """
program Scoring <
  tokens < my.points = +10 >
  campaign Hot < smart_list < filter lead_score >= THRESHOLD >; flow < change_score <<my.points>> > >
>
people <
  person ann < lead_score 20 >
  person bob < lead_score 40 >
  person cat < lead_score 60 >
>
scenario "hot leads" < run Hot >
"""


def models(old, new):
    return load(old).model, load(new).model


def test_the_summary_line():
    old, new = models(SCORING.replace("THRESHOLD", "50"), SCORING.replace("THRESHOLD", "30"))
    diffs = diff.compare(old, new, diff.scenario_runs(old, new))
    assert diff.summary(diffs) == "this change affects 1 of 3 people: 1 more gets Change Score +10"
    (d,) = diffs
    assert [(p.person, p.lost, p.gained) for p in d.changed] == [("bob", (), ("Change Score +10  in Scoring.Hot",))]


def test_gained_and_lost_are_the_difference_of_the_two_runs():
    old_text = SCORING.replace("THRESHOLD", "30")
    new_text = old_text.replace("my.points = +10", "my.points = +5")
    old, new = models(old_text, new_text)
    (d,) = diff.compare(old, new, diff.scenario_runs(old, new))
    a, b = run_scenario(old, "hot leads"), run_scenario(new, "hot leads")
    for person in ("ann", "bob", "cat"):
        was = Counter(diff.label(x) for x in a.activities if x.person == person)
        now = Counter(diff.label(x) for x in b.activities if x.person == person)
        mine = next((p for p in d.changed if p.person == person), None)
        assert (mine.gained_labels if mine else Counter()) == now - was
        assert (mine.lost_labels if mine else Counter()) == was - now
    assert diff.summary([d]) == (
        "this change affects 2 of 3 people: 2 more get Change Score +5, 2 no longer get Change Score +10"
    )


def test_no_difference():
    old, new = models(SCORING.replace("THRESHOLD", "50"), SCORING.replace("THRESHOLD", "50"))
    diffs = diff.compare(old, new, diff.scenario_runs(old, new))
    assert diff.render(diffs) == 'scenario "hot leads": no difference\n\nthis change affects none of 3 people\n'


def test_old_values_do_not_make_a_difference():
    """Only `old` differs (ann starts higher): the same change is not reported."""
    old, new = models(SCORING.replace("THRESHOLD", "0"), SCORING.replace("THRESHOLD", "0").replace("20", "25"))
    (d,) = diff.compare(old, new, diff.scenario_runs(old, new))
    assert d.changed == ()


def test_expects_that_change_and_people_only_in_one_version():
    old_text = SCORING.replace("THRESHOLD", "50").replace("run Hot >", "run Hot; expect cat lead_score = 70 >")
    new_text = old_text.replace("my.points = +10", "my.points = +1").replace(
        "person cat < lead_score 60 >", "person cat < lead_score 60 >\n  person dan < lead_score 90 >"
    )
    old, new = models(old_text, new_text)
    (d,) = diff.compare(old, new, diff.scenario_runs(old, new))
    assert d.expects == (("expect cat lead_score = 70", "PASS", "FAIL"),)
    assert [p.person for p in d.changed] == ["cat", "dan"]
    assert diff.summary([d]) == (
        "this change affects 2 of 4 people: 2 more get Change Score +1, 1 no longer gets Change Score +10"
    )


def test_scenarios_only_in_one_file_run_on_both():
    old_text = SCORING.replace("THRESHOLD", "50")
    new_text = old_text + 'scenario "everyone" < run Hot for ann bob cat >\n'
    old, new = models(old_text, new_text)
    runs = diff.scenario_runs(old, new)
    assert [r.label for r in runs] == ['scenario "hot leads"', 'scenario "everyone" (only in NEW)']
    assert all(not d.changed for d in diff.compare(old, new, runs))


def test_render_text():
    old_text = (ROOT / "examples/lead_scoring.mkc").read_text()
    old, new = models(old_text, old_text.replace("my.score = +30", "my.score = +10"))
    text = diff.render(diff.compare(old, new, diff.scenario_runs(old, new)))
    assert text.splitlines() == [
        'scenario "each program scores with its own token": 1 of 2 people treated differently',
        "  ann",
        "    - Change Score +30  in Scoring.Score",
        '    - Interesting Moment milestone "score reached 50"  in Scoring.Score',
        "    + Change Score +10  in Scoring.Score",
        "  PASS -> FAIL  expect ann lead_score = 50",
        '  PASS -> FAIL  expect activity ann "Interesting Moment" type=milestone',
        'scenario "monthly decay runs once every 30 days": no difference',
        "",
        "this change affects 1 of 2 people: 1 more gets Change Score +10, 1 no longer gets Change Score +30, "
        '1 no longer gets Interesting Moment milestone "score reached 50"',
    ]


def test_every_example_against_itself(example):
    model = load(example.read_text()).model
    diffs = diff.compare(model, model, diff.scenario_runs(model, model))
    assert all(not d.changed and not d.expects for d in diffs)


def test_cli(tmp_path):
    new = tmp_path / "new.mkc"
    new.write_text((ROOT / "examples/lead_scoring.mkc").read_text().replace("my.score = +30", "my.score = +10"))
    code, out, err = mkc("diff", "examples/lead_scoring.mkc", str(new))
    assert (
        code == 1
        and err == ""
        and out.endswith(
            '1 no longer gets Change Score +30, 1 no longer gets Interesting Moment milestone "score reached 50"\n'
        )
    )
    code, out, err = mkc(
        "diff", "examples/lead_scoring.mkc", str(new), "--scenario", "monthly decay runs once every 30 days"
    )
    assert code == 0 and out == (
        'scenario "monthly decay runs once every 30 days": no difference\n\nthis change affects none of 2 people\n'
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--scenario", "nope"], 'no scenario named "nope" in either file'),
    ],
)
def test_cli_bad_input(extra, message):
    code, out, err = mkc("diff", "examples/lead_scoring.mkc", "examples/lead_scoring.mkc", *extra)
    assert code == 2 and message in err and "Traceback" not in err


def test_cli_check_errors_and_no_scenarios(tmp_path):
    bad = tmp_path / "bad.mkc"
    bad.write_text("campaign A executable < flow < wait 1 day > >\n")
    code, out, err = mkc("diff", "examples/lead_scoring.mkc", str(bad))
    assert code == 2 and "wait-in-executable" in err and f"{bad}: check errors" in err
    plain = tmp_path / "plain.mkc"
    plain.write_text("campaign A < flow < do_nothing > >\n")
    code, out, err = mkc("diff", str(plain), str(plain))
    assert code == 2 and "has a scenario to run" in err


def test_help_shows_an_example():
    code, out, err = mkc("diff", "--help")
    assert code == 0 and "Example:" in out
