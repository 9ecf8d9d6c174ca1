"""`mkc repl` at a terminal: a prompt_toolkit PromptSession over a `Session`.

Enter asks the parser: an entry that ends inside an open `<` block goes on
to a new line (indented), anything else is submitted, errors included;
Alt-Enter (Esc, Enter) always inserts a new line; a `>` that starts a line
dedents it. The mkc Pygments lexer colours the input, Tab completes from the
loaded program, history lives in a file (~/.mkc_history, or $MKC_HISTORY)
and suggests as you type.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import PygmentsLexer

from mkc import __version__
from mkc.diagnostics import wants_color
from mkc.grammar import ast
from mkc.repl.completion import MkcCompleter
from mkc.repl.continuation import indent_for_next_line, needs_more
from mkc.repl.lexer import MkcLexer
from mkc.repl.piped import CONTINUATION, PROMPT, run_piped
from mkc.repl.runtime import InterpreterRuntime
from mkc.repl.session import Session

HISTORY_ENV = "MKC_HISTORY"
BANNER = f"mkc {__version__} repl: declarations, flow steps, scenario commands; :help for help, Ctrl-D to leave"


def history_path() -> str:
    return os.environ.get(HISTORY_ENV) or os.path.join(os.path.expanduser("~"), ".mkc_history")


class _QuietFileHistory(FileHistory):
    """A history file that cannot be written is not worth stopping the REPL for."""

    def load_history_strings(self):
        try:
            yield from super().load_history_strings()
        except OSError:
            return

    def store_string(self, string: str) -> None:
        with contextlib.suppress(OSError):
            super().store_string(string)


def make_history(path: str | None = None) -> History:
    path = path or history_path()
    try:
        return _QuietFileHistory(path)
    except OSError:  # pragma: no cover - FileHistory opens nothing until used
        return InMemoryHistory()


def key_bindings() -> KeyBindings:
    kb = KeyBindings()

    @kb.add("enter")
    def _enter(event) -> None:
        buffer = event.current_buffer
        if buffer.complete_state is not None:  # Enter takes the completion shown
            buffer.complete_state = None
            return
        if needs_more(buffer.text):
            buffer.insert_text("\n" + indent_for_next_line(buffer.document.text_before_cursor))
        else:
            buffer.validate_and_handle()

    @kb.add(">")
    def _close(event) -> None:
        """A `>` that starts a line closes a block: take back one level of indentation."""
        buffer = event.current_buffer
        before = buffer.document.current_line_before_cursor
        if "\n" in buffer.text and before and not before.strip():
            buffer.delete_before_cursor(min(2, len(before)))
        buffer.insert_text(">")

    @kb.add("escape", "enter")
    def _newline(event) -> None:
        event.current_buffer.insert_text("\n")

    return kb


class ReplApp:
    def __init__(
        self,
        session: Session,
        *,
        input=None,
        output=None,
        history: History | None = None,
        write: Callable[[str], None] | None = None,
    ):
        self.session = session
        self._write = write
        self._output = output
        self.prompt = PromptSession(
            PROMPT,
            multiline=True,
            prompt_continuation=lambda width, line_number, wrap_count: CONTINUATION.rjust(width),
            lexer=PygmentsLexer(MkcLexer),
            completer=MkcCompleter(session.vocabulary),
            complete_while_typing=False,
            auto_suggest=AutoSuggestFromHistory(),
            history=history if history is not None else make_history(),
            key_bindings=key_bindings(),
            bottom_toolbar=self.toolbar,
            input=input,
            output=output,
        )

    def write(self, text: str) -> None:
        if self._write is not None:
            self._write(text)
        else:
            print_formatted_text(ANSI(text), output=self._output)

    def toolbar(self) -> str:
        s = self.session
        campaign = s.campaign or "scratch"
        try:
            clock = ast.format_datetime(s.runtime.clock())
        except Exception:
            clock = "-"
        return f" person {s.person or '-'} | campaign {campaign} | clock {clock} | Tab completes, :help"

    def run(self) -> int:
        self.write(BANNER)
        if self.session.startup.lines:
            self.write(self.session.startup.text)
        while not self.session.done:
            try:
                text = self.prompt.prompt()
            except KeyboardInterrupt:  # Ctrl-C: drop this input, keep the session
                continue
            except EOFError:  # Ctrl-D
                break
            reply = self.session.handle(text)  # never raises
            if reply.lines:
                self.write(reply.text)
        return 0


def main(file: str | None = None, limits=None, stdin=None, stdout=None) -> int:
    """Interactive at a terminal, piped otherwise; the exit status. `limits`:
    how much one entry may do (`mkc.interpreter.Limits`; None: the defaults)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    color = interactive and wants_color(stdout)
    session = Session(file, color=color, runtime_factory=lambda: InterpreterRuntime(limits))
    if interactive:
        return ReplApp(session).run()
    return run_piped(session, stdin, stdout)
