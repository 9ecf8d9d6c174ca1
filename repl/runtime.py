"""The REPL's view of the interpreter: a running world it can poke one entry at a time.

The session needs, across entries, one world (people and their fields, the
log, the clock, the queue of waiting work) that survives new declarations.
`Runtime` is what the session asks of it (tests give the session a fake one
to test its own work apart from the interpreter); `InterpreterRuntime` is the
real one, over `mkc.interpreter`'s public API.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from mkc.grammar import ast
from mkc.interpreter import Interpreter, InterpreterError, PersonState, format_activity, render

START = dt.datetime(2026, 1, 1, 0, 0)  # spec section 7: the clock's start


class Runtime:
    """What the session asks of a world. Results of `run_steps` and `command`:
    `None`, or `(lines, ok)` for what is not an activity (an `expect`'s PASS/FAIL)."""

    def reset(self, model) -> None: ...

    def use(self, model) -> None: ...

    def run_steps(self, model, campaign, person: str, steps):
        raise NotImplementedError

    def command(self, model, command):
        raise NotImplementedError

    def play(self, model, name: str) -> tuple[list[str], bool]:
        """Play the scenario `name` in a fresh world, which it leaves at its
        end: (its transcript lines, whether it passed)."""
        raise NotImplementedError

    def log_size(self) -> int:
        raise NotImplementedError

    def log_lines(self, start: int = 0, person: str | None = None) -> list[str]:
        raise NotImplementedError

    def people(self) -> dict[str, dict]:
        raise NotImplementedError

    def clock(self) -> dt.datetime:
        raise NotImplementedError

    def pending(self) -> list[tuple[int, str]]:
        """Queued work, in the order it will run: (an id stable while it waits, a description)."""
        return []


class RuntimeFailure(Exception):
    """A command the world cannot carry out (the interpreter's `InterpreterError`)."""


class InterpreterRuntime(Runtime):
    """The world of one `mkc.interpreter.Interpreter`, kept across entries;
    each entry is a run of its own for `limits` (`mkc.interpreter.Limits`)."""

    def __init__(self, limits=None):
        self.interp = None
        self.limits = limits

    def reset(self, model) -> None:
        if self.interp is None:
            self.interp = Interpreter(model, limits=self.limits)
        else:
            self.interp.reset(model)

    def use(self, model) -> None:
        self.interp.use(model)
        # People declared since the world started join it as declared; who is
        # already there (or was deleted) keeps their state.
        deleted = self.interp.runtime.deleted
        for person in model.people:
            if person.handle not in self.interp.people and person.handle not in deleted:
                self.interp.people[person.handle] = PersonState.declared(person)

    def run_steps(self, model, campaign, person: str, steps):
        with self._failures():
            self.interp.run_steps(person, steps, campaign)
        return None

    def command(self, model, command):
        with self._failures():
            result = self.interp.command(command)
        if result is None:
            return None
        return [result.line_text], result.passed

    def play(self, model, name: str) -> tuple[list[str], bool]:
        self.interp.model = model
        with self._failures():
            result = self.interp.run_scenario(name)
        return render([result]).splitlines(), result.passed

    @contextlib.contextmanager
    def _failures(self):
        try:
            yield
        except InterpreterError as err:
            raise RuntimeFailure(str(err)) from None

    def log_size(self) -> int:
        return len(self.interp.log)

    def log_lines(self, start: int = 0, person: str | None = None) -> list[str]:
        return [format_activity(a) for a in self.interp.log[start:] if person is None or a.person == person]

    def people(self) -> dict[str, dict]:
        return {handle: dict(state.fields) for handle, state in self.interp.people.items()}

    def clock(self) -> dt.datetime:
        return self.interp.now

    def pending(self) -> list[tuple[int, str]]:
        return [(id(item), _describe_work(when, item)) for when, item in self.interp.pending]


def _describe_work(when: dt.datetime, item) -> str:
    at = ast.format_datetime(when)
    run = getattr(item, "run", None)
    if run is not None:  # a flow waiting to go on
        where = f"in {run.campaign.full_name} " if run.campaign is not None else ""
        items = run.items
        index = getattr(item, "index", len(items))
        if index == 0:
            return f"{at}  {run.person} enters {where}".rstrip()
        then = f"then {_step_name(items[index])}" if index < len(items) else "nothing after the wait"
        return f"{at}  {run.person} waits {where}until then; {then}"
    campaign = getattr(item, "campaign", None)
    if campaign is not None:  # a scheduled batch run
        every = getattr(item, "every", None)
        return f"{at}  scheduled run of {campaign.full_name}" + (f", every {every}" if every else "")
    return f"{at}  {type(item).__name__}"


def _step_name(item) -> str:
    return getattr(item, "name", None) or "choice"
