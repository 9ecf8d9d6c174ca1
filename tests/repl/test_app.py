"""The prompt_toolkit app, driven by keystrokes through a pipe input.

The app runs in a thread; the test types keys and waits for what a user
would see: the text in the input line, and what the REPL printed.
"""

import io
import re
import threading
import time

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from mkc.repl.app import BANNER, ReplApp, history_path, make_history

ENTER, TAB, CTRL_C, CTRL_D = "\r", "\t", "\x03", "\x04"


class Screen(io.StringIO):
    encoding = "utf-8"


class Driver:
    def __init__(self, session, output=None, history=None):
        self.printed: list[str] = []
        self._pipe = create_pipe_input()
        self.input = self._pipe.__enter__()
        self.app = ReplApp(
            session,
            input=self.input,
            output=output or DummyOutput(),
            history=history or InMemoryHistory(),
            write=self.printed.append,
        )
        self.result = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.wait(lambda: self.app.prompt.app.is_running, "the prompt to start")

    def _run(self):
        self.result = self.app.run()

    @property
    def line(self) -> str:
        """The text in the input area, as the user sees it."""
        return self.app.prompt.default_buffer.text

    def wait(self, predicate, what, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return
            time.sleep(0.01)
        raise AssertionError(f"waited for {what}; input is {self.line!r}, printed {self.printed!r}")

    def type(self, keys: str) -> None:
        self.input.send_text(keys)

    def submit(self, text: str) -> str:
        """Type an entry and Enter; what the REPL printed for it."""
        before = len(self.printed)
        self.type(text + ENTER)
        self.wait(lambda: len(self.printed) > before, f"a reply to {text!r}")
        return "\n".join(self.printed[before:])

    def quit(self) -> int:
        if self.line:
            self.type(CTRL_C)
            self.wait(lambda: self.line == "", "an empty prompt")
        self.type(CTRL_D)
        self.thread.join(10)
        assert not self.thread.is_alive()
        self._pipe.__exit__(None, None, None)
        return self.result


@pytest.fixture
def driver(session):
    d = Driver(session)
    yield d
    if d.thread.is_alive():
        d.quit()


def test_banner_and_startup(driver, program):
    assert driver.printed[0] == BANNER
    assert driver.printed[1].startswith(f"loaded {program}: 4 campaigns")
    assert driver.quit() == 0  # Ctrl-D leaves


def test_tab_completes_steps_assets_and_commands(driver):
    driver.type("send_em" + TAB)
    driver.wait(lambda: driver.line == "send_email", "the step name")
    driver.type(' "W' + TAB)
    driver.wait(lambda: driver.line == 'send_email "Welcome"', "the email's name")
    driver.type(CTRL_C)  # cancel: nothing runs
    driver.type(":pe" + TAB)  # two commands match: a menu of both
    buffer = driver.app.prompt.default_buffer
    # The menu appears first and fills as the completions come in (on a loaded machine, later).
    driver.wait(lambda: buffer.complete_state is not None and len(buffer.complete_state.completions) >= 2, "the menu")
    menu = buffer.complete_state.completions
    assert [c.text for c in menu] == [":people", ":person"]
    driver.type(TAB)
    driver.wait(lambda: driver.line == ":people", "the first of :people, :person")
    driver.type(TAB)
    driver.wait(lambda: driver.line == ":person", "the next completion")
    driver.type(ENTER)  # Enter takes the completion shown...
    driver.wait(lambda: driver.app.prompt.default_buffer.complete_state is None, "the menu to close")
    assert driver.line == ":person"
    assert driver.submit(" bob").startswith("person bob")  # ...and the next Enter submits


def test_a_multi_line_block_is_continued_by_the_parser(driver, session):
    driver.type("campaign Welcome <" + ENTER)
    driver.wait(lambda: driver.line == "campaign Welcome <\n  ", "a new, indented line")
    driver.type("flow <" + ENTER)
    driver.wait(lambda: driver.line.endswith("flow <\n    "), "a deeper line")
    driver.type('send_email "Welcome"' + ENTER)
    driver.wait(lambda: driver.line.endswith('"Welcome"\n    '), "the block still open")
    driver.type(">")  # a `>` that starts a line dedents it
    driver.wait(lambda: driver.line.endswith('"Welcome"\n  >'), "the `>` under `flow`")
    driver.type(ENTER)
    driver.wait(lambda: driver.line.endswith(">\n  "), "the campaign still open")
    assert driver.submit(">") == "added batch campaign Europe.Welcome"
    assert session.entries[-1].text == 'campaign Welcome <\n  flow <\n    send_email "Welcome"\n  >\n>'


def test_an_error_in_the_middle_leaves_the_session_usable(driver, session):
    out = driver.submit("campaign Bad < flow < no_such_step > >")
    assert "error[unknown-step]" in out and "not added" in out
    out = driver.submit("bogus <")  # a syntax error is submitted at once, not continued
    assert "error[syntax]" in out
    assert driver.submit("campaign Good < flow < do_nothing > >") == "added batch campaign Europe.Good"
    assert driver.submit(":people").startswith("* ann")
    assert [e.text for e in session.entries] == ["campaign Good < flow < do_nothing > >"]


def test_ctrl_c_cancels_the_input_and_ctrl_d_leaves(driver, session):
    driver.type("campaign Half <" + ENTER + "flow <")
    driver.wait(lambda: driver.line.endswith("flow <"), "the half-typed block")
    driver.type(CTRL_C)
    driver.wait(lambda: driver.line == "", "an empty prompt")
    assert driver.submit(":check") == "ok: no errors, 0 warnings"
    assert session.entries == []
    assert driver.quit() == 0


def test_alt_enter_always_inserts_a_new_line(driver):
    driver.type("change_score +1\x1b\r")
    driver.wait(lambda: driver.line == "change_score +1\n", "a new line")


def test_quit_command_ends_the_app(driver):
    driver.submit(":help")
    driver.type(":quit" + ENTER)
    driver.thread.join(10)
    assert not driver.thread.is_alive() and driver.result == 0


def test_history_is_kept_in_the_file_named_by_MKC_HISTORY(session, tmp_path, monkeypatch):
    path = tmp_path / "hist"
    monkeypatch.setenv("MKC_HISTORY", str(path))
    assert history_path() == str(path)
    history = make_history()
    assert isinstance(history, FileHistory)
    d = Driver(session, history=history)
    d.submit(":people")
    d.quit()
    assert "+:people" in path.read_text()
    # ...and it suggests from history as you type.
    d = Driver(session, history=make_history())
    d.type(":peo")
    d.wait(lambda: d.app.prompt.default_buffer.suggestion is not None, "a suggestion")
    assert d.app.prompt.default_buffer.suggestion.text == "ple"
    d.type(CTRL_C)
    d.quit()


def test_an_unwritable_history_file_does_not_stop_the_repl(session, tmp_path):
    d = Driver(session, history=make_history(str(tmp_path / "no" / "such" / "dir" / "hist")))
    assert d.submit(":check") == "ok: no errors, 0 warnings"
    d.quit()


def test_the_screen_shows_the_prompts(session):
    """With a real terminal output: the prompt, and the continuation prompt of an open block."""
    screen = Screen()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=100), term="xterm")
    d = Driver(session, output=output)
    d.type("campaign X <" + ENTER)
    d.wait(lambda: "\n" in d.line, "the continuation")
    d.wait(lambda: "...>" in _plain(screen.getvalue()), "the continuation prompt on screen")
    d.type(CTRL_C)
    d.quit()
    text = _plain(screen.getvalue())
    assert "mkc> campaign X <" in text and "...>" in text
    assert "\x1b[" in screen.getvalue()  # the input is coloured


def _plain(raw: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]", "", raw)


def test_a_step_shows_its_activities_and_changed_fields(driver):
    driver.type("change_sc" + TAB)
    driver.wait(lambda: driver.line == "change_score", "the step name")
    assert driver.submit(" +5") == (
        "2026-01-01T00:00  ann  Change Score  lead_score  0 -> 5  change=+5  flow=Europe.Scratch\n"
        "  ann.lead_score: 0 -> 5"
    )
    assert driver.app.toolbar() == " person ann | campaign scratch | clock 2026-01-01T00:00 | Tab completes, :help"
