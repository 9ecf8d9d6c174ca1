"""What a step's effect receives (see `mkc.stdlib.steps`), as protocols: the
standard library says what it needs, and the interpreter provides it
(`mkc.interpreter.args.StepArgs` and `mkc.interpreter.flow.Frame`), so no
step imports the interpreter.

A getter, `get(tokens)`, gives a run-time value from the person's token
answers (`Frame.tokens`); a token without an answer raises from it, which
fails the step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NoReturn, Protocol, runtime_checkable

Getter = Callable[[Any], Any]  # get(tokens) -> the value
Log = Callable[["Frame", dict], None]  # log(ex, attributes)
Fire = Callable[["Frame", dict], None]  # fire(ex, data)


@runtime_checkable
class Frame(Protocol):
    """`ex`: where a step runs, for one person."""

    person: Any  # the person: get(field), set(field, value), status(program), in_list(list), ...
    tokens: Any  # their token answers here, for getters
    handle: str

    @property
    def now(self) -> dt.datetime: ...

    def fail(self, reason: str) -> NoReturn: ...

    def execute(self, campaign, use_parent: bool) -> None: ...

    def request(self, campaign) -> None: ...

    def remove_from_flow(self, campaigns) -> None: ...

    def delete_person(self) -> None: ...


@runtime_checkable
class Args(Protocol):
    """`a`: a step's arguments as written in one flow, read once when the flow is compiled."""

    def given(self, name: str) -> bool: ...

    def field(self, name: str) -> str: ...

    def target(self, name: str) -> Any: ...

    def targets(self, name: str) -> tuple: ...

    def value(self, name: str) -> Getter: ...

    def text(self, name: str) -> Getter: ...

    def text_of(self, node) -> Getter: ...

    def score(self, name: str) -> Getter: ...

    def logger(self, type_: str, target=None) -> Log: ...

    def firing(self, activity: str, name: str) -> Fire | None: ...


Effect = Callable[[Frame], "dt.datetime | None"]  # run(ex): when a wait ends, else None
