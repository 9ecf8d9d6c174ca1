"""A step's arguments, prepared once, when its flow is compiled.

`prepare` binds a step's call to its signature and turns each argument into
an `Arg`: the node as written; its run-time value, known now for a literal
(and its text), or else a ready function of the person's `Tokens` (a token's
compiled look-up, or a string split into text and compiled tokens); its text
as a field name; and, for a reference, what it names in the step's campaign
(or why it names nothing: the step fails when it runs, with the message it
would have had). The step's effect (`StepSpec.run`) reads them through
`StepEnv` exactly as it reads written values, so the standard library needs
no second, compiled version of a step.
"""

from __future__ import annotations

from collections.abc import Callable

from mkc.checker.model import CampaignInfo
from mkc.grammar import ast
from mkc.interpreter.runtime import Unresolved
from mkc.interpreter.tokens import compiled, needs_tokens
from mkc.stdlib.signatures import REFERENCE_TYPES
from mkc.stdlib.values import from_literal, text

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
    bound = spec.signature.bind(args, kwargs)
    params = {p.name: p for p in spec.signature.params}
    scope = campaign.scope if campaign is not None else None
    prepared: dict[str, object] = {}
    for name, value in bound.items():
        param = params.get(name)
        if value is None or param is None:
            prepared[name] = value
        elif param.repeat:
            prepared[name] = tuple(_arg(v, param.type, runtime, scope, campaign) for v in value)
        else:
            prepared[name] = _arg(value, param.type, runtime, scope, campaign)
    return prepared


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
        answer = compiled(node).answer
        return lambda tokens: answer(tokens, 0)
    if isinstance(node, ast.Str):
        template = node.text
        return lambda tokens: tokens.render(template)
    return lambda tokens: tokens.value(node)  # a list holding tokens


def field_name(node) -> str:
    """A field argument (a name, or a string for a name with spaces) as text."""
    return node.text if isinstance(node, ast.Str) else str(node)
