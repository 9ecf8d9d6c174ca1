"""`mkc test`: golden transcripts, diffs, --update, -k, and the pytest plugin."""

import subprocess
import sys
import textwrap

import pytest
from mkc_cli import mkc

PROGRAM = """
campaign Score < flow < change_score +{n} > >
people < person ann < lead_score 0 > >
scenario "first" <
  run Score
  expect ann lead_score = {n}
>
scenario "second" <
  run Score
  run Score
>
"""

ONE = """
campaign Tag < flow < change_data_value segment "{value}" > >
people < person ann < email "ann@example.com" > >
scenario "only" < run Tag >
"""


@pytest.fixture
def case(tmp_path):
    path = tmp_path / "score.mkc"
    path.write_text(PROGRAM.format(n=5))
    return path


def test_missing_golden_fails_until_update_writes_it(case):
    code, out, _ = mkc("test", str(case.parent))
    assert code == 1
    assert "no golden file" in out and out.rstrip().endswith("0 passed, 2 failed")
    assert not case.with_suffix(".golden").exists()

    code, out, _ = mkc("test", str(case.parent), "--update")
    assert code == 0 and f"created {case.with_suffix('.golden')}" in out
    golden = case.with_suffix(".golden").read_text()
    code, run_out, _ = mkc("run", str(case))
    assert golden == run_out  # the golden is exactly what `mkc run` prints

    code, out, _ = mkc("test", str(case.parent))
    assert code == 0 and out.rstrip().endswith("2 passed, 0 failed")


def test_a_change_in_behaviour_is_a_diff_naming_the_scenario(case):
    mkc("test", str(case), "--update")
    case.write_text(PROGRAM.format(n=7).replace("= 7", "= 7"))
    code, out, _ = mkc("test", str(case))
    assert code == 1
    assert f"FAIL {case} :: first: transcript differs" in out
    assert "-2026-01-01T00:00  ann  Change Score  lead_score  0 -> 5  change=+5  flow=Default.Score" in out
    assert "+2026-01-01T00:00  ann  Change Score  lead_score  0 -> 7  change=+7  flow=Default.Score" in out
    assert out.rstrip().endswith("0 passed, 2 failed")


def test_update_rewrites_only_what_changed(case, tmp_path):
    other = tmp_path / "one.mkc"
    other.write_text(ONE.format(value="A"))
    mkc("test", str(tmp_path), "--update")
    other.write_text(ONE.format(value="B"))
    code, out, _ = mkc("test", str(tmp_path), "--update")
    assert code == 0
    assert f"updated {other.with_suffix('.golden')}" in out
    assert str(case.with_suffix(".golden")) not in out


def test_single_scenario_file_has_no_header_and_passes(tmp_path):
    path = tmp_path / "one.mkc"
    path.write_text(ONE.format(value="A"))
    mkc("test", str(path), "--update")
    assert not path.with_suffix(".golden").read_text().startswith("scenario")
    assert mkc("test", str(path))[0] == 0


def test_k_selects_scenarios_and_update_keeps_the_others(case):
    mkc("test", str(case), "--update")
    before = case.with_suffix(".golden").read_text()
    case.write_text(PROGRAM.format(n=7))
    code, out, _ = mkc("test", str(case), "-k", "sec")
    assert code == 1 and ":: second:" in out and ":: first:" not in out
    assert out.rstrip().endswith("0 passed, 1 failed")
    mkc("test", str(case), "-k", "second", "--update")
    after = case.with_suffix(".golden").read_text()
    first_before = before.split('scenario "second"')[0]
    assert after.startswith(first_before)  # "first" kept its old section
    assert after != before


def test_failing_expect_fails_even_with_update(case):
    case.write_text(PROGRAM.format(n=5).replace("lead_score = 5", "lead_score = 6"))
    code, out, _ = mkc("test", str(case), "--update")
    assert code == 1 and ":: first: an expect failed" in out


def test_check_errors_fail_the_file_with_diagnostics(tmp_path):
    path = tmp_path / "bad.mkc"
    path.write_text('campaign A executable < flow < wait 1 day > >\nscenario "s" < at 2026-01-01 >\n')
    code, out, err = mkc("test", str(tmp_path))
    assert code == 1
    assert f"FAIL {path}: check errors" in out
    assert "error[wait-in-executable]" in err


def test_removed_scenario_makes_the_golden_stale(case):
    case.write_text(PROGRAM.format(n=5) + 'scenario "third" < run Score >\n')
    mkc("test", str(case), "--update")
    case.write_text(PROGRAM.format(n=5))
    code, out, _ = mkc("test", str(case))
    assert code == 1 and "golden file holds scenarios" in out
    assert '-scenario "third"' in out


def test_files_without_scenarios_are_not_cases(tmp_path):
    (tmp_path / "lib.mkc").write_text("campaign A executable < flow < wait 1 day > >\n")
    code, out, err = mkc("test", str(tmp_path))  # nothing selected: exit 5, as pytest
    assert (code, out, err) == (5, f"nothing selected: no .mkc file with scenarios under {tmp_path}\n", "")


def test_missing_path_is_bad_input():
    code, out, err = mkc("test", "no/such/dir")
    assert code == 2 and err.strip() == "mkc: error: no/such/dir: no such file or directory"


def test_pytest_plugin_collects_scenarios(case):
    mkc("test", str(case), "--update")
    (case.parent / "pytest.ini").write_text("[pytest]\nmkc_golden = true\n")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(case.parent)],
        capture_output=True,
        text=True,
        cwd=case.parent,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout

    case.write_text(PROGRAM.format(n=7))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(case.parent)],
        capture_output=True,
        text=True,
        cwd=case.parent,
    )
    assert run.returncode == 1
    assert "transcript differs from the golden file" in run.stdout
    assert textwrap.dedent("""+2026-01-01T00:00  ann  Change Score  lead_score  0 -> 7""").strip() in run.stdout


def test_pytest_plugin_is_off_by_default(case):
    mkc("test", str(case), "--update")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(case.parent)],
        capture_output=True,
        text=True,
        cwd=case.parent,
    )
    assert "no tests ran" in run.stdout
