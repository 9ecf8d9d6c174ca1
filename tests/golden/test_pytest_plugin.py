"""The pytest plugin (issue 16): scenarios run in their test items, so `-k`
and `--collect-only` decide what runs and what `--mkc-update` writes; a
failure shows the failing expects, as `mkc test` does."""

from __future__ import annotations

import pytest

from mkc.golden import run_case

pytest_plugins = ["pytester"]

PROGRAM = """campaign Score < flow < change_score +{n} > >
people < person ann < lead_score 0 > >
scenario "{first}" <
  run Score
  expect ann lead_score = {expect}
>
scenario "{second}" <
  run Score
  run Score
>
"""


def program(n=5, expect=5, first="newsletter signup", second="webinar"):
    return PROGRAM.format(n=n, expect=expect, first=first, second=second)


@pytest.fixture
def tree(pytester):
    """Two files with goldens recorded at +5: one with a `newsletter` scenario."""
    pytester.makeini("[pytest]\nmkc_golden = true\n")
    (pytester.path / "mail.mkc").write_text(program())
    (pytester.path / "events.mkc").write_text(program(first="register", second="attend"))
    record(pytester.path / "mail.mkc", pytester.path / "events.mkc")
    return pytester


def record(*paths):
    for path in paths:
        assert run_case(path, update=True).golden_written


def goldens(pytester) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(pytester.path.glob("*.golden"))}


def test_each_scenario_is_a_test_and_passes_against_its_golden(tree):
    result = tree.runpytest("-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["events.mkc::attend PASSED*", "mail.mkc::newsletter signup PASSED*"])
    (tree.path / "tests" / "cases").mkdir(parents=True)
    (tree.path / "tests" / "cases" / "fixture.mkc").write_text(program())  # below, and no golden beside it
    tree.runpytest().assert_outcomes(passed=4)
    tree.runpytest("tests/cases").assert_outcomes(failed=2)  # named: its scenarios have no golden


def test_update_with_k_rewrites_only_the_scenario_selected(tree):
    before = goldens(tree)
    (tree.path / "mail.mkc").write_text(program(n=7, expect=7))
    (tree.path / "events.mkc").write_text(program(n=7, expect=7, first="register", second="attend"))
    result = tree.runpytest("--mkc-update", "-k", "newsletter")
    result.assert_outcomes(passed=1, deselected=3)
    result.stdout.fnmatch_lines(["mkc: updated mail.golden"])
    after = goldens(tree)
    assert after["events.golden"] == before["events.golden"]
    newsletter, webinar = after["mail.golden"].split('scenario "webinar"\n')
    assert "0 -> 7" in newsletter and "0 -> 5" in webinar  # the webinar section kept its +5 lines
    assert webinar == before["mail.golden"].split('scenario "webinar"\n')[1]


def test_collect_only_runs_and_writes_nothing(pytester):
    pytester.makeini("[pytest]\nmkc_golden = true\n")
    (pytester.path / "mail.mkc").write_text(program())
    result = pytester.runpytest("--collect-only", "--mkc-update", "-q")
    result.stdout.fnmatch_lines(["mail.mkc::newsletter signup", "mail.mkc::webinar"])
    assert goldens(pytester) == {}


def test_a_failure_shows_the_failing_expect_and_the_first_difference(tree):
    (tree.path / "mail.mkc").write_text(program(expect=6))
    result = tree.runpytest("-k", "newsletter")
    result.assert_outcomes(failed=1, deselected=3)
    result.stdout.fnmatch_lines(
        [
            "FAIL mail.mkc :: newsletter signup: transcript differs from the golden file",
            "  mail.mkc:5: FAIL expect ann lead_score = 6, got 5",
            "  first difference at mail.golden:3",
            "    golden: PASS expect ann lead_score = 5",
            "    actual: FAIL expect ann lead_score = 6, got 5",
        ]
    )


def test_update_never_records_a_failing_expect(tree):
    before = goldens(tree)
    (tree.path / "mail.mkc").write_text(program(n=7, expect=6))
    result = tree.runpytest("--mkc-update", "-k", "newsletter")
    result.assert_outcomes(failed=1, deselected=3)
    result.stdout.fnmatch_lines(["*: an expect failed", "  mail.mkc:5: FAIL expect ann lead_score = 6, got 7"])
    assert goldens(tree) == before


def test_a_missing_golden_says_how_to_write_it(pytester):
    pytester.makeini("[pytest]\nmkc_golden = true\n")
    (pytester.path / "mail.mkc").write_text(program())
    result = pytester.runpytest("-k", "webinar")
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(
        ["*webinar: no golden transcript (run pytest with `--mkc-update` to write mail.golden)"]
    )


def test_check_errors_are_one_failing_test(pytester):
    pytester.makeini("[pytest]\nmkc_golden = true\n")
    (pytester.path / "bad.mkc").write_text('campaign A executable < flow < wait 1 day > >\nscenario "s" < >\n')
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["check errors:", "bad.mkc:1:32: error?wait-in-executable?: *"])


def test_a_removed_scenario_makes_the_golden_stale_until_updated(tree):
    mail = tree.path / "mail.mkc"
    mail.write_text(program() + 'scenario "third" < run Score >\n')
    record(mail)
    mail.write_text(program())
    result = tree.runpytest("mail.mkc")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["FAIL mail.mkc :: (golden file): the golden file holds scenarios*", '-scenario "third"']
    )
    tree.runpytest("--mkc-update", "mail.mkc").assert_outcomes(passed=3)  # the stale part dropped
    assert run_case(mail).passed
