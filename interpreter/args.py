"""A step's arguments, prepared once, when its flow is compiled.

`prepare` binds a step's call to its signature (`prepare_call` takes the
binding the checker made, `mkc.checker.bound`) and turns each argument into
an `Arg`: the node as written; its run-time value, known now for a literal
(and its text), or else a ready function of the person's `Tokens` (a token's
compiled look-up, or a string's compiled renderer); its text as a field
name; and, for a reference, what it names in the step's campaign (or why it
names nothing). `StepArgs` is what a step's `compile` reads them through (see
`mkc.stdlib.steps`): values as getters of the person's token answers, with
the step's activities and events made ready to log and fire. Triggers read
the same `Arg`s at run time (`TriggerEnv` in flow.py).
"""

from __future__ import annotations

from collections.abc import Callable

from mkc.checker.bound import BoundCall, Target
from mkc.checker.model import CampaignInfo
from mkc.grammar import ast
from mkc.interpreter.runtime import StepFailure, Unresolved
from mkc.interpreter.tokens import compiled, needs_tokens, renderer
from mkc.stdlib.signatures import REFERENCE_TYPES
from mkc.stdlib.triggers import Event, produced_by
from mkc.stdlib.values import as_score_change, from_literal, is_empty, literal, text

THIS_CAMPAIGN = ast.Ref(("this_campaign",))  # a campaign reference: the campaign the step is in


class Arg:
    """One prepared argument (see the module's docstring)."""

    __slots__ = ("node", "get", "value", "text", "field", "kind", "target", "problem")

    def __init__(self, node, kind: str | None = None, target=None, problem: str | None = None):
        self.node = node  # as written (or the parameter's default)
        # Its run-time value, as `Tokens.value(node)` gives it: known now (`value`,
        # and as text `text`), or `get(tokens)` when it holds tokens.
        self.get: Callable | None = getter(node) if needs_tokens(node) else None
        self.value = from_literal(node) if self.get is None else None
        self.text = (self.value if isinstance(self.value, str) else text(self.value)) if self.get is None else None
        self.field = field_name(node)  # as a field argument
        self.kind = kind  # for a reference: what it names (campaign, list, ...)
        self.target = target  # ... and what it resolved to
        self.problem = problem  # ... or why it resolved to nothing


def prepare(spec, args: tuple, kwargs: tuple, runtime, campaign: CampaignInfo | None) -> dict[str, object]:
    """A step's call bound to `spec`'s signature, each value an `Arg`
    (a repeating parameter: a tuple of them; a parameter not given and
    without a default stays None)."""
    return prepare_bound(spec, spec.signature.bind(args, kwargs), runtime, campaign)


def prepare_bound(spec, bound: dict, runtime, campaign: CampaignInfo | None, targets=None) -> dict[str, object]:
    """`prepare` for a call already bound to its signature (parameter name ->
    value); `targets`: what its references were resolved to, when known."""
    params = {p.name: p for p in spec.signature.params}
    scope = campaign.scope if campaign is not None else None
    targets = targets or {}
    prepared: dict[str, object] = {}
    for name, value in bound.items():
        param = params.get(name)
        if value is None or param is None:
            prepared[name] = value
        elif name in targets:
            target = targets[name]
            prepared[name] = tuple(_bound(t, runtime) for t in target) if param.repeat else _bound(target, runtime)
        elif param.repeat:
            prepared[name] = tuple(_arg(v, param.type, runtime, scope, campaign) for v in value)
        else:
            prepared[name] = _arg(value, param.type, runtime, scope, campaign)
    return prepared


def prepare_call(call: BoundCall, runtime) -> dict[str, object]:
    """`prepare` for a step or trigger the checker bound (`mkc.checker.bound`):
    its references are what the checker resolved them to, not looked up again."""
    return prepare_bound(call.spec, call.args, runtime, call.campaign, call.targets)


def _bound(target: Target, runtime) -> Arg:
    try:
        return Arg(target.node, target.kind, runtime.target(target))
    except Unresolved as err:
        return Arg(target.node, target.kind, problem=str(err))


def _arg(node, kind: str, runtime, scope, campaign) -> Arg:
    if kind not in REFERENCE_TYPES:
        return Arg(node)
    if kind == "campaign" and node == THIS_CAMPAIGN:
        return Arg(node, kind, campaign)
    try:
        return Arg(node, kind, runtime.resolve(kind, node, scope))
    except Unresolved as err:
        return Arg(node, kind, problem=str(err))


def getter(node) -> Callable:
    """`get(tokens)`: the value of a written value that holds tokens."""
    if isinstance(node, ast.Token):
        return compiled(node).answer
    if isinstance(node, ast.Str):
        return renderer(node.text)
    return lambda tokens: tokens.value(node)  # a list holding tokens


def field_name(node) -> str:
    """A field argument (a name, or a string for a name with spaces) as text."""
    return node.text if isinstance(node, ast.Str) else str(node)


class StepArgs:
    """A step's prepared arguments (`prepare`) as its `compile` reads them, in
    the engine that will run it (see `mkc.stdlib.steps`). Getters take the
    person's token answers (`Tokens`: `ex.tokens` where the step runs); a
    token without an answer raises `TokenError` from them, which fails the
    step."""

    def __init__(self, engine, args: dict[str, object]):
        self.engine = engine
        self.args = args

    def given(self, name: str) -> bool:
        return self.args[name] is not None

    def field(self, name: str) -> str:
        return self.args[name].field

    def target(self, name: str):
        """What a reference names. One naming nothing raises StepFailure now,
        and the engine makes the step one that fails with that reason when it
        runs (a step reads its references before it does anything else)."""
        return _target(self.args[name])

    def targets(self, name: str) -> tuple:
        return tuple(_target(arg) for arg in self.args[name])

    def value(self, name: str) -> Callable:
        """`get(tokens)`: the argument's run-time value."""
        arg = self.args[name]
        if arg.get is None:
            value = arg.value
            return lambda tokens: value
        return arg.get

    def text(self, name: str) -> Callable:
        """`get(tokens)`: the argument's run-time value as text."""
        return _text(self.args[name])

    def text_of(self, node) -> Callable:
        """`get(tokens)`: a written value that is not an argument (an asset's property), as text."""
        return _text(Arg(node))

    def score(self, name: str) -> Callable:
        """`get(tokens)`: the argument as a score change (+N, -N, =N) and that
        change as text (`+10`); anything else fails the step."""
        arg = self.args[name]
        shown = str(arg.node) if isinstance(arg.node, ast.Token) else "the value"

        def wrong(value):
            found = "empty" if is_empty(value) else literal(value)
            raise StepFailure(f"{shown} is {found}, not a score change such as +10, -5 or =0")

        if arg.get is None:
            value, change = arg.value, as_score_change(arg.value)
            known = (change, str(change))
            return (lambda tokens: known) if change is not None else (lambda tokens: wrong(value))
        get = arg.get
        # A token most often answers with the very same value again (a My Token
        # of the campaign's context): the change it makes is worked out once for it.
        # (Values are never changed in place, so the same value is the same change.)
        last: list = [None, None]

        def read(tokens):
            value = get(tokens)
            if value is not last[0] or last[1] is None:
                change = as_score_change(value)
                if change is None:
                    wrong(value)
                last[:] = value, (change, str(change))
            return last[1]

        return read

    def logger(self, type_: str, target=None) -> Callable:
        """`log(ex, attributes)`: log an activity of `type_` about `target` (a
        campaign or asset) for the frame's person, in its flow (`Runtime.logger`)."""
        rt = self.engine.rt
        return rt.logger(type_, rt.keys(target) if target is not None else None)

    def firing(self, activity: str, name: str | None) -> Callable | None:
        """`fire(ex, data, about=None)`: fire the triggers an activity of type
        `activity` produces (`produced_by`) for an event about `name` (a
        field, list or program; None: known only when the step runs, then
        given as `about`) that happened to the frame's person; None when no
        trigger campaign could take such an event (`Engine.listens`)."""
        triggers = [t for t in produced_by(activity) if self.engine.listens(t, name)]
        if not triggers:
            return None
        fire = self.engine.fire

        def fire_events(ex, data: dict, about: str | None = None) -> None:
            for trigger in triggers:
                fire(Event(trigger, ex.handle, name if about is None else about, data))

        return fire_events


def _target(arg: Arg):
    if arg.problem is not None:
        raise StepFailure(arg.problem)
    return arg.target


def _text(arg: Arg) -> Callable:
    if arg.get is None:
        known = arg.text
        return lambda tokens: known
    get = arg.get
    if isinstance(arg.node, ast.Str):  # a rendered string is text already
        return get

    def as_text(tokens) -> str:
        value = get(tokens)
        return value if isinstance(value, str) else text(value)

    return as_text
