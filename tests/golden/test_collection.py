"""Which files `mkc test` takes (issue 16): in a directory, the scenario files
directly in it, in a project, or beside `.golden` files; files named always.
So the help examples work at the root of a repository whose tests/ holds
fixture files with scenarios and no goldens, and neither the repository nor
examples/ is a project."""

from __future__ import annotations

import pathlib

import pytest
from mkc_cli import mkc

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCORE = """campaign Score < flow < change_score +5 > >
people < person ann < lead_score 0 > >
scenario "parent context scores" <
  run Score
  expect ann lead_score = 5
>
scenario "other" < run Score >
"""

FIXTURE_WITH_ERRORS = 'campaign A executable < flow < wait 1 day > >\nscenario "parent context" < at 2026-01-01 >\n'
FIXTURE_NO_GOLDEN = 'people < person ann < lead_score 0 > >\nscenario "parent context alone" < at 2026-01-01 >\n'


@pytest.fixture
def repo(tmp_path):
    """A tree shaped like mkc's repository: examples with goldens (and a project
    among them), and test fixtures with scenarios but no goldens."""
    root = tmp_path / "repo"
    files = {
        "examples/scoring.mkc": SCORE,
        "examples/project/mkc.toml": "",
        "examples/project/scenarios.mkc": SCORE.replace("parent context scores", "project scores"),
        "tests/checker/cases/bad.mkc": FIXTURE_WITH_ERRORS,
        "tests/spec_examples/alone.mkc": FIXTURE_NO_GOLDEN,
        "README.md": "not mkc\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for name in ("examples/scoring.mkc", "examples/project/scenarios.mkc"):
        assert mkc("test", name, "--update", cwd=root)[0] == 0
    return root


def test_at_the_root_the_help_example_takes_only_files_beside_goldens(repo):
    code, out, err = mkc("test", "-k", "parent context", cwd=repo)
    assert (code, out, err) == (0, "1 passed, 0 failed\n", "")
    code, out, err = mkc("test", cwd=repo)
    assert (code, out, err) == (0, "4 passed, 0 failed\n", "")  # the project's scenarios too
    assert not (repo / "mkc.toml").exists() and not (repo / "examples" / "mkc.toml").exists()


def test_a_new_file_in_a_folder_of_goldens_fails_until_it_has_its_own(repo):
    (repo / "examples" / "new.mkc").write_text(SCORE)
    code, out, _ = mkc("test", cwd=repo)
    assert code == 1
    assert "FAIL examples/new.mkc: no golden file (run `mkc test examples/new.mkc --update`" in out


def test_a_directory_named_takes_the_scenario_files_directly_in_it(repo):
    code, out, err = mkc("test", "tests/spec_examples", cwd=repo)
    assert code == 1 and "FAIL tests/spec_examples/alone.mkc: no golden file" in out
    code, out, err = mkc("test", "tests/checker/cases/bad.mkc", cwd=repo)  # a file named is always a case
    assert code == 1 and "FAIL tests/checker/cases/bad.mkc: check errors" in out


def test_nothing_selected_names_what_was_left_out(repo):
    code, out, err = mkc("test", cwd=repo / "tests")
    assert (code, err) == (5, "")
    assert out == (
        "nothing selected: no .mkc file with scenarios directly under ., in a project or beside a .golden"
        " file (2 others left out, such as checker/cases/bad.mkc: name a file or its directory to test it)\n"
    )


def test_the_help_examples_work_at_the_real_repository_root():
    # tests/ holds checker fixtures with scenarios and no goldens: none is collected.
    code, out, err = mkc("test", "-k", "parent context", cwd=ROOT)
    assert (code, err) == (0, "") and out.endswith(" passed, 0 failed\n") and "FAIL" not in out
    code, out, err = mkc("test", "examples/webinar.mkc", cwd=ROOT)
    assert (code, err) == (0, "") and out.endswith(" passed, 0 failed\n")
