"""Projects (spec section 2, Files and projects): a directory with mkc.toml is
one program across its files, from the command line as a user runs it."""

from __future__ import annotations

import pathlib
import shutil

import pytest
from mkc_cli import mkc

from mkc.load import load_path
from mkc.project import find_project

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "project"


def write(root: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def project(tmp_path):
    return pathlib.Path(shutil.copytree(EXAMPLE, tmp_path / "project"))


def test_the_example_project_checks_runs_and_tests_from_its_directory(project):
    assert mkc("check", cwd=project) == (0, "", "")
    code, out, err = mkc("test", cwd=project)
    assert (code, err) == (0, "") and out.endswith("2 passed, 0 failed\n")
    code, out, err = mkc("run", "scenarios.mkc", cwd=project)
    assert code == 0 and out == (EXAMPLE / "scenarios.golden").read_text()


@pytest.mark.parametrize("name", ["shared.mkc", "web.mkc", "events.mkc", "scenarios.mkc"])
def test_any_file_of_the_project_loads_all_of_it(project, name):
    assert mkc("check", str(project / name)) == (0, "", "")
    loaded = load_path(str(project / name))
    assert sorted(pathlib.Path(n).name for n in loaded.sources) == [
        "events.mkc",
        "scenarios.mkc",
        "shared.mkc",
        "web.mkc",
    ]


def test_one_file_alone_does_not_resolve_without_its_project(tmp_path, project):
    # The same file outside its project stands alone, as before projects existed.
    alone = tmp_path / "web.mkc"
    shutil.copy(project / "web.mkc", alone)
    code, _, err = mkc("check", str(alone))
    assert code == 1 and "error[unknown-reference]" in err


def test_a_problem_in_another_file_is_reported_with_that_file(project):
    (project / "web.mkc").write_text(
        (project / "web.mkc").read_text().replace("execute_campaign Touch", "execute_campaign Tuch")
    )
    code, _, err = mkc("check", "events.mkc", cwd=project)
    assert code == 1 and err.startswith("web.mkc:") and "error[unknown-reference]" in err


def test_run_and_test_take_only_the_files_given(project):
    write(project, {"more.mkc": 'scenario "another file" <\n  run "Mark Attended" for ann\n>\n'})
    code, out, _ = mkc("run", "scenarios.mkc", cwd=project)
    assert "another file" not in out
    code, out, _ = mkc("run", "more.mkc", cwd=project)
    assert code == 0 and 'scenario "another file"' not in out and "ann  Change Program Status" in out
    code, out, _ = mkc("test", "scenarios.mkc", cwd=project)
    assert code == 0 and out.endswith("2 passed, 0 failed\n")


def test_a_second_declaration_in_another_file_is_a_duplicate_naming_it(tmp_path):
    root = write(
        tmp_path,
        {
            "mkc.toml": "",
            "a.mkc": 'list Newsletter\nfields < region text >\npeople < person ann < email "a@x.com" > >\n',
            "b.mkc": 'list Newsletter\nfields < region text >\npeople < person ann < email "b@x.com" > >\n',
        },
    )
    code, _, err = mkc("check", cwd=root)
    assert code == 1
    assert err.count("error[duplicate-name]") == 3
    assert err.count("the first is at a.mkc:") == 3


def test_workspaces_and_folders_merge_across_files(tmp_path):
    root = write(
        tmp_path,
        {
            "mkc.toml": "",
            "1.mkc": "workspace EU < folder Ops < tokens < my.x = +3 > > >\n",
            "2.mkc": "workspace EU < folder Ops < program P < campaign C < flow < change_score <<my.x>> > > > > >\n"
            "people < person ann < lead_score 0 > >\nscenario s < run C\n  expect ann lead_score = 3 >\n",
        },
    )
    assert mkc("check", cwd=root) == (0, "", "")
    code, out, _ = mkc("run", "2.mkc", cwd=root)
    assert code == 0 and "PASS expect ann lead_score = 3" in out


def test_scenario_names_are_unique_per_file(tmp_path):
    scenario = 'scenario "same" < at 2026-01-02 >\n'
    root = write(tmp_path, {"mkc.toml": "", "a.mkc": scenario, "b.mkc": scenario + scenario})
    code, _, err = mkc("check", cwd=root)
    assert code == 1 and err.count("error[duplicate-name]") == 1 and err.startswith("b.mkc:2:")


def test_files_are_read_in_path_order_and_hidden_nested_and_excluded_ones_are_left_out(tmp_path):
    root = write(
        tmp_path,
        {
            "mkc.toml": 'exclude = ["drafts/*"]\n',
            "b.mkc": "",
            "a/z.mkc": "",
            "a.mkc": "",
            "drafts/wip.mkc": "",
            ".hidden/h.mkc": "",
            "other/mkc.toml": "",
            "other/o.mkc": "",
        },
    )
    project = find_project(root / "a.mkc")
    # Part by part, as sorting path objects does: the folder `a` before the file `a.mkc`.
    assert [p.relative_to(root).as_posix() for p in project.files()] == ["a/z.mkc", "a.mkc", "b.mkc"]
    assert find_project(root / "other" / "o.mkc").root == root / "other"


def test_examples_is_not_a_project():
    assert find_project(ROOT / "examples" / "lead_scoring.mkc") is None


@pytest.mark.parametrize(
    "toml, message",
    [
        ("exclude = 3\n", "`exclude` is a list of globs"),
        ("exclud = []\n", "unknown setting `exclud`"),
        ("= x", "not valid TOML"),
    ],
)
def test_a_bad_mkc_toml_is_one_line_exit_2(tmp_path, toml, message):
    root = write(tmp_path, {"mkc.toml": toml, "a.mkc": ""})
    code, out, err = mkc("check", cwd=root)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err


def test_diff_puts_old_in_new_place_within_the_project(tmp_path, project):
    old = tmp_path / "web_old.mkc"
    old.write_text((project / "web.mkc").read_text().replace("my.points = +20", "my.points = +60"))
    code, out, err = mkc("diff", str(old), str(project / "web.mkc"))
    # Alone, web.mkc names executables it does not hold; in NEW's project it runs as part of the whole.
    assert (code, err) == (1, "") and "- Change Score +60  in Shared.Score" in out
    assert 'scenario "attending the webinar makes an MQL": no difference' in out


def test_test_with_no_path_in_a_folder_of_a_project_takes_all_of_it(project):
    # Spec section 2: no path inside a project means the whole project.
    (project / "sub").mkdir()
    code, out, err = mkc("test", cwd=project / "sub")
    assert (code, err) == (0, "") and out.endswith("2 passed, 0 failed\n")
