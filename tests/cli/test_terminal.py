"""What a terminal shows (issue 16): carets placed by display width (CJK,
emoji, tabs), and colour through rich only on a terminal, never with
NO_COLOR, as `--color auto|always|never` says."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from mkc_cli import mkc

from mkc.diagnostics import render
from mkc.load import load_source
from mkc.source import Source
from mkc.terminal import cells, paint

RED = "\x1b[1;31m"


def rendered(text: str) -> list[str]:
    """The first diagnostic's heading, source line and carets."""
    source = Source("w.mkc", text)
    (diag,) = load_source(source).diagnostics
    head, _, line, carets = render(diag, {source.name: source}).splitlines()[:4]
    return [head, line, carets]


def test_the_caret_stays_under_the_error_after_cjk_and_emoji():
    head, line, carets = rendered(
        'campaign A < flow < send_alert "日本語🎉" to=5 > >\nemail "日本語🎉" < subject "x" >\n'
    )
    assert head.startswith("w.mkc:1:42: error[bad-argument]")
    assert line == '1 | campaign A < flow < send_alert "日本語🎉" to=5 > >'
    # Eight cells for four characters: the caret is four columns further right than the column.
    assert carets == "  | " + " " * 45 + "^"
    assert cells(line[: len("1 | ") + 41]) == len(carets) - 1


def test_carets_under_a_wide_span_are_as_wide_as_it_shows():
    _, line, carets = rendered('campaign A < flow < send_email "日本語" > >\n')
    assert line == '1 | campaign A < flow < send_email "日本語" > >'
    assert carets == "  | " + " " * 31 + "^" * 8  # "日本語" and its quotes take 8 cells


def test_a_tab_shows_as_four_spaces_and_the_caret_follows():
    _, line, carets = rendered('campaign A <\n\tflow <\tsend_alert "E" to=5 > >\nemail "E" < subject "x" >\n')
    assert line == '2 |     flow <    send_alert "E" to=5 > >'
    assert carets.index("^") == line.index("5")


def test_ascii_lines_render_as_before():
    assert rendered("campaign Welcome <\n  flow <\n    change_score 5\n  >\n>\n")[1:] == [
        "3 |     change_score 5",
        "  |                  ^",
    ]


def test_paint_writes_rich_styles_as_ansi_codes_and_nothing_without_colour():
    assert paint("error", "bold red") == RED + "error\x1b[0m"
    assert paint("error", "bold red", color=False) == "error"


@pytest.fixture
def bad(tmp_path):
    path = tmp_path / "bad.mkc"
    path.write_text("campaign A executable < flow < wait 1 day > >\n")
    return path


def env(**changes):
    out = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    out.update(changes)
    return out


@pytest.mark.parametrize("command", ["check", "run", "parse", "test"])
def test_color_always_colours_diagnostics_never_and_piped_do_not(bad, command):
    args = (command, str(bad)) if command != "parse" else (command, str(bad.with_name("syntax.mkc")))
    if command == "parse":
        bad.with_name("syntax.mkc").write_text("campaign A <\n")
    always = mkc(*args, "--color", "always", env=env())[2]
    assert RED + "error[" in always
    for extra, environment in (((), env()), (("--color", "never"), env()), (("--color", "auto"), env())):
        assert "\x1b[" not in mkc(*args, *extra, env=environment)[2]  # piped: auto is plain


def test_no_color_wins_over_color_always(bad):
    # The reference (section 10): never colour when NO_COLOR is set.
    assert "\x1b[" not in mkc("check", str(bad), "--color", "always", env=env(NO_COLOR="1"))[2]
    assert RED in mkc("check", str(bad), "--color", "always", env=env())[2]


def terminal_stderr(args, environment) -> str:
    """`mkc ARGS` with standard error on a pseudo-terminal: what it shows."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from mkc.cli import main; main()", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=environment,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait()
    os.close(leader)
    return b"".join(chunks).decode()


def test_on_a_terminal_colour_is_on_unless_no_color_or_never(bad):
    assert RED + "error[wait-in-executable]" in terminal_stderr(["check", str(bad)], env())
    assert "\x1b[" not in terminal_stderr(["check", str(bad)], env(NO_COLOR="1"))
    assert "\x1b[" not in terminal_stderr(["check", str(bad), "--color", "never"], env())


def test_mkc_test_colours_its_results_only_when_asked(tmp_path):
    path = tmp_path / "s.mkc"
    path.write_text('people < person ann < lead_score 0 > >\nscenario "s" <\n  expect ann lead_score = 1\n>\n')
    code, out, _ = mkc("test", str(path), "--color", "always")
    assert code == 1 and out.startswith(RED + "FAIL\x1b[0m ") and out.endswith(RED + "0 passed, 1 failed\x1b[0m\n")
    code, out, _ = mkc("test", str(path))
    assert code == 1 and "\x1b[" not in out


@pytest.mark.parametrize("command", ["check", "run", "test", "parse", "explain", "graph", "refs", "diff", "repl"])
def test_every_command_printing_diagnostics_or_results_takes_color(command):
    from click.testing import CliRunner

    from mkc.cli import cli

    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "--color [auto|always|never]" in result.output


def test_a_bad_color_is_bad_input(bad):
    code, out, err = mkc("check", str(bad), "--color", "sometimes")
    assert (code, out) == (2, "") and err.startswith("mkc: error: Invalid value for '--color'")
