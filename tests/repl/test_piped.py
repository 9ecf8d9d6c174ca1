"""`mkc repl` with input piped in: a plain transcript, continued by the parser, scriptable."""

import subprocess
import sys


def repl(*args, stdin=""):
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", "repl", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_a_block_continues_until_the_parser_says_it_is_complete(program):
    code, out, err = repl(
        str(program),
        stdin=('# try a campaign\ncampaign Welcome <\n  flow <\n    send_email "Welcome"\n\n  >\n>\n:check\n'),
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"loaded {program}: 4 campaigns, 2 people, 1 scenario",
        "person ann, campaign Europe.Scratch (scratch), workspace Europe",
        "mkc> # try a campaign",
        "mkc> campaign Welcome <",
        "...>   flow <",
        '...>     send_email "Welcome"',
        "...>",
        "...>   >",
        "...> >",
        "added batch campaign Europe.Welcome",
        "mkc> :check",
        "ok: no errors, 0 warnings",
    ]
    assert "\x1b" not in out


def test_an_error_in_the_middle_leaves_the_session_usable_and_exit_1(program):
    code, out, err = repl(
        str(program), stdin=("campaign Bad < flow < no_such_step > >\ncampaign Good < flow < do_nothing > >\n:people\n")
    )
    assert code == 1 and err == ""
    assert "<repl:1>:1:23: error[unknown-step]: there is no flow step `no_such_step`" in out
    assert "added batch campaign Europe.Good" in out
    assert "* ann" in out and "\x1b" not in out


def test_input_ending_inside_a_block_is_reported(program):
    code, out, _ = repl(str(program), stdin="campaign A <\n  flow <\n")
    assert code == 1
    assert "error[syntax]: input ended inside the `flow` block opened at 2:8" in out


def test_quit_stops_reading(program):
    code, out, _ = repl(str(program), stdin=":quit\n:frobnicate\n")
    assert code == 0 and "frobnicate" not in out.replace("mkc> :frobnicate", "")


def test_without_a_file(tmp_path):
    saved = tmp_path / "new.mkc"
    code, out, _ = repl(stdin=f"campaign A < flow < do_nothing > >\n:save {saved}\n")
    assert code == 0
    assert out.splitlines() == [
        "mkc> campaign A < flow < do_nothing > >",
        "added batch campaign Default.A",
        f"mkc> :save {saved}",
        f"saved 1 declaration to {saved}",
    ]
    assert saved.read_text() == "campaign A < flow < do_nothing > >\n"


def test_a_missing_file_is_bad_input():
    code, out, err = repl("no/such.mkc")
    assert code == 2 and out == "" and err.strip() == "mkc: error: no/such.mkc: no such file"


def _project(tmp_path):
    root = tmp_path / "proj"
    (root / "web").mkdir(parents=True)
    (root / "mkc.toml").write_text("")
    (root / "a.mkc").write_text('people < person ann < email "ann@x.com" > >\n')
    (root / "web" / "b.mkc").write_text("program Web < campaign Hello < flow < do_nothing > > >\n")
    return root


def test_a_project_directory_is_the_whole_project(tmp_path):
    # spec section 10: `mkc repl [PATH]`, a PATH being a file or a directory (a project loaded whole)
    root = _project(tmp_path)
    code, out, err = repl(str(root / "web"), stdin=":people\n")
    assert (code, err) == (0, "")
    assert (
        out.splitlines()[0]
        == f"loaded {root / 'web' / 'b.mkc'} with 1 other file of its project: 1 campaign, 1 person, 0 scenarios"
    )
    code, out, err = repl(str(root), stdin="")
    assert (code, err) == (0, "") and out.startswith(f"loaded {root / 'a.mkc'} with 1 other file")


def test_no_path_is_the_project_of_the_current_directory(tmp_path, monkeypatch):
    root = _project(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", "repl"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root / "web",
    )
    assert proc.returncode == 0 and proc.stdout.startswith("loaded ") and "with 1 other file" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", "repl"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0 and not proc.stdout.startswith("loaded ")


def test_a_directory_outside_a_project_is_bad_input(tmp_path):
    (tmp_path / "x.mkc").write_text("")
    code, out, err = repl(str(tmp_path))
    assert code == 2 and out == ""
    assert (
        err
        == f"mkc: error: {tmp_path}: a directory outside a project (no mkc.toml) is not one program; give a .mkc file\n"
    )


def test_help_has_an_example():
    code, out, _ = repl("--help")
    assert code == 0 and "Example:  mkc repl" in out


def test_steps_and_scenario_commands_run(program):
    code, out, _ = repl(
        str(program),
        stdin=(
            ":use ParentA\n"
            "execute_campaign Score use_parent_token_context=true\n"
            "expect ann lead_score = 10\n"
            "expect ann lead_score = 11\n"
        ),
    )
    assert code == 1  # an expect failed
    assert out.splitlines()[2:] == [
        "mkc> :use ParentA",
        "campaign Ops.ParentA: batch, workspace Europe; bare steps run in its context",
        "mkc> execute_campaign Score use_parent_token_context=true",
        "2026-01-01T00:00  ann  Executed Campaign  Scoring.Score  qualified=TRUE  use_parent_token_context=TRUE"
        "  flow=Ops.ParentA",
        "2026-01-01T00:00  ann  Change Score  lead_score  0 -> 10  change=+10  flow=Scoring.Score  via=Ops.ParentA",
        "  ann.lead_score: 0 -> 10",
        "mkc> expect ann lead_score = 10",
        "PASS expect ann lead_score = 10",
        "mkc> expect ann lead_score = 11",
        "FAIL expect ann lead_score = 11, got 10",
    ]


def test_a_file_of_a_project_loads_with_its_project():
    # Spec section 2: the REPL, like every command, sees the whole project of the file it loads.
    code, out, err = repl("examples/project/scenarios.mkc", stdin='run "Mark Attended" for bob\n')
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (
        lines[0]
        == "loaded examples/project/scenarios.mkc with 3 other files of its project: 6 campaigns, 2 people, 2 scenarios"
    )
    assert any("bob  Change Score  lead_score  40 -> 80  change=+40  flow=Shared.Score" in line for line in lines)
