"""The bound program: what the checker resolved, kept for every tool to read.

`bind(model)` (once per model, when first asked for: `Model.bound`; the
checker's rules are its first readers) walks every campaign's smart list and
flow, and the scenarios, and records, as frozen values and read-only maps:

- each trigger and step bound (`BoundCall`, `BoundStep`): its spec, its
  arguments matched to the signature, and each reference argument resolved
  (`Target`) from the campaign's scope, the way `Model.resolve` resolves it;
- each `execute_campaign` as an edge (`Execute`) with its parent-context
  flag: `use_parent_token_context` is read here and nowhere else;
- each scenario `request` and `schedule` as a start through the API
  (`ApiStart`), with the campaign it names and the My Tokens it gives;
- how `my.*` is looked up in a token context (`Chain`): the campaign's own
  lexical chain, extended by each executable a parent-context edge passes the
  context to, or started afresh by an edge that does not. The checker's
  token checks, the interpreter's `TokenContext` and insight's calling
  contexts look tokens up through it; the REPL's `:tokens` lists the same
  edges.

The interpreter compiles steps from these bindings instead of resolving
names again; insight, `mkc refs` and the REPL read the edges and targets
instead of walking the AST for names. The model it binds is the checker's
`Model` (scopes, campaigns, assets); this module adds no diagnostics: the
checker's rules report what does not bind.

It lives in the checker because it is the checker's output and depends on
nothing downstream (the model, the grammar's AST and the standard library).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

import attrs

from mkc.checker.model import CampaignInfo, Model, Resolution, Scope
from mkc.grammar import ast, walk
from mkc.stdlib import STEPS, TRIGGERS
from mkc.stdlib.signatures import REFERENCE_TYPES, Param
from mkc.stdlib.steps import StepSpec
from mkc.stdlib.triggers import TriggerSpec

PARENT_CONTEXT = "use_parent_token_context"  # execute_campaign's flag (spec section 5)
THIS_CAMPAIGN = ("this_campaign",)  # the name a `Param.this_campaign` argument gives the campaign the call is in
NOTHING: Mapping = MappingProxyType({})


@attrs.frozen(eq=False, weakref_slot=False)  # one per reference argument: 8 bytes less each
class Target:
    """A reference argument and what it names: `kind` (campaign, program, list,
    smart_list, email, webhook), the node as written, and its resolution (no
    target: `resolution.problem` says why; None: the node is no name at all).
    `this_campaign`: the node is `this_campaign`, which names the call's own
    campaign without naming it (`Param.this_campaign`)."""

    kind: str
    node: object
    resolution: Resolution | None
    this_campaign: bool = False

    @property
    def value(self):
        """The campaign, program or asset named, or None."""
        return self.resolution.target if self.resolution is not None else None


@attrs.frozen(eq=False, weakref_slot=False)  # one per step and trigger: 8 bytes less each
class BoundCall:
    """One trigger or flow step of one campaign (a clone's are bound again in the clone)."""

    node: ast.Step | ast.Trigger
    campaign: CampaignInfo
    spec: StepSpec | TriggerSpec | None  # None: no such step or trigger (the checker reports it)
    targets: Mapping[str, Target | tuple[Target, ...]]  # reference parameters given, resolved

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def args(self) -> Mapping[str, object]:
        """Parameter name -> value as written (`Signature.bind`). Bound when
        asked for, not kept: a dict per call would outweigh the call's node."""
        if self.spec is None:
            return NOTHING
        return MappingProxyType(self.spec.signature.bind(self.node.args, self.node.kwargs))

    def target(self, name: str):
        """What the reference argument `name` names, or None."""
        found = self.targets.get(name)
        return found.value if isinstance(found, Target) else None


@attrs.frozen(eq=False, weakref_slot=False)
class BoundStep(BoundCall):
    """A flow step, and where it stands."""

    in_choice: bool = False  # written in a choice's branch
    parent_context: bool = False  # an execute_campaign with use_parent_token_context=true


class Targets(Mapping):
    """A call's reference arguments resolved: parameter name -> `Target` (a
    tuple of them for a repeating one), in signature order. Read-only, and a
    fifth of a dict's size with its proxy: every step and trigger has one.
    One argument is kept as its name and value, more as a tuple of each."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: tuple[str, ...], values: tuple):
        if len(names) == 1:
            (names,), (values,) = names, values
        self._names, self._values = _NAMES.setdefault(names, names), values  # few distinct names: shared

    def _items(self):
        return ((self._names, self._values),) if type(self._names) is str else zip(self._names, self._values)

    def __getitem__(self, name: str):
        for n, value in self._items():
            if n == name:
                return value
        raise KeyError(name)

    def get(self, name: str, default=None):
        for n, value in self._items():
            if n == name:
                return value
        return default

    def __iter__(self) -> Iterator[str]:
        return iter((self._names,) if type(self._names) is str else self._names)

    def __len__(self) -> int:
        return 1 if type(self._names) is str else len(self._names)

    def __repr__(self) -> str:
        return f"Targets({dict(self)!r})"


_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}
_FEW = 8  # steps in a flow that `Bound.step` looks through without an index


@attrs.frozen(eq=False)
class Execute:
    """An `execute_campaign` step whose campaign resolves: `caller` runs
    `target` in series, passing its token context down when `parent_context`."""

    caller: CampaignInfo
    target: CampaignInfo
    step: ast.Step
    parent_context: bool
    in_choice: bool = False

    @property
    def executable(self) -> bool:
        """Whether the target can be executed (else the checker reports not-executable)."""
        return self.target.kind == "executable"


@attrs.frozen(eq=False)
class ApiStart:
    """A scenario's `request` or `schedule`: a start through the API, which may
    give My Tokens that come before every declared one (spec section 6)."""

    scenario: ast.Scenario
    command: ast.Request | ast.ScheduleRun
    campaign: CampaignInfo | None  # what the command names, from outside every workspace (None: nothing)

    @property
    def tokens(self) -> dict[str, ast.TokenDecl]:
        """The My Tokens it gives, by name."""
        given = self.command.tokens
        return {d.name: d for d in given.decls if d.scope == "my"} if given is not None else {}


@attrs.frozen
class Chain:
    """Where `my.*` is looked up in one token context: lexical chains of scopes,
    in order, each with the campaign whose scope starts it (a chain of no
    campaign is the root's alone). An executable run with its caller's context
    adds its own chain after the caller's; one run with its own context starts
    afresh."""

    links: tuple[tuple[Scope, CampaignInfo], ...] = ()

    @classmethod
    def of(cls, campaign: CampaignInfo | None) -> Chain:
        """A campaign's own lexical context (None: outside every campaign)."""
        return cls(((campaign.scope, campaign),)) if campaign is not None else cls()

    def passed_to(self, campaign: CampaignInfo) -> Chain:
        """This context, passed down to `campaign` with use_parent_token_context=true."""
        return Chain((*self.links, (campaign.scope, campaign)))

    def through(self, edge: Execute) -> Chain:
        """The context `edge`'s target runs in, when the caller runs in this one."""
        return self.passed_to(edge.target) if edge.parent_context else Chain.of(edge.target)

    @property
    def scopes(self) -> tuple[Scope, ...]:
        return tuple(scope for scope, _ in self.links)

    def lookup(self, model: Model, name: str) -> tuple[ast.TokenDecl, Scope, CampaignInfo | None] | None:
        """`my.NAME`: its declaration, the scope declaring it and the campaign
        whose chain found it, or None. The first chain that declares it wins;
        each chain is looked up from its scope outward to the root."""
        if not self.links:
            found = model.lexical_token(model.root, name)
            return (found[0], found[1], None) if found is not None else None
        for scope, owner in self.links:
            found = model.lexical_token(scope, name)
            if found is not None:
                return found[0], found[1], owner
        return None


@attrs.frozen(eq=False)
class Bound:
    """Every campaign's triggers and flow steps bound, the execute edges
    between campaigns, and the starts through the API."""

    model: Model
    triggers: Mapping[CampaignInfo, tuple[BoundCall, ...]]  # in smart list order; campaigns with triggers
    steps: Mapping[CampaignInfo, tuple[BoundStep, ...]]  # in flow order, choices' steps included
    executes: tuple[Execute, ...]  # every execute_campaign that resolves, in declaration and step order
    api_starts: tuple[ApiStart, ...]  # every scenario request and schedule, in file order
    _out_of: Mapping[CampaignInfo, tuple[Execute, ...]] = attrs.field(repr=False)
    _runs: Mapping[CampaignInfo, tuple[Execute, ...]] = attrs.field(repr=False)  # those into executables
    _into: Mapping[CampaignInfo, tuple[Execute, ...]] = attrs.field(repr=False)
    # For `step`: id(step) -> its binding, made when first asked, for a flow of many steps
    _by_node: dict[CampaignInfo, dict[int, BoundStep]] = attrs.field(factory=dict, repr=False, init=False)

    def triggers_of(self, campaign: CampaignInfo) -> tuple[BoundCall, ...]:
        return self.triggers.get(campaign, ())

    def steps_of(self, campaign: CampaignInfo) -> tuple[BoundStep, ...]:
        return self.steps.get(campaign, ())

    def step(self, campaign: CampaignInfo | None, node) -> BoundStep | None:
        """The binding of `node` in `campaign`'s flow, or None (not one of its steps)."""
        if campaign is None:
            return None
        steps = self.steps.get(campaign, ())
        if len(steps) <= _FEW:  # most flows: looked through, no index kept (an int and an entry per step)
            return next((b for b in steps if b.node is node), None)
        index = self._by_node.get(campaign)
        if index is None:
            index = self._by_node[campaign] = {id(b.node): b for b in steps}
        return index.get(id(node))

    def executes_from(self, campaign: CampaignInfo) -> tuple[Execute, ...]:
        """The campaign's execute_campaign edges, any target kind, in step order."""
        return self._out_of.get(campaign, ())

    def calls(self, campaign: CampaignInfo) -> tuple[Execute, ...]:
        """The campaign's execute edges whose target is an executable (those that run)."""
        return self._runs.get(campaign, ())

    def callers(self, campaign: CampaignInfo) -> tuple[Execute, ...]:
        """The execute edges into `campaign`, in declaration and step order."""
        return self._into.get(campaign, ())


def bind(model: Model) -> Bound:
    """Bind every campaign's triggers and flow (see the module's docstring)."""
    resolved: dict[tuple, Resolution] = {}  # (kind, parts, id(scope)) -> resolution: a name is resolved once per scope

    def resolve(kind: str, node, scope: Scope) -> Resolution:
        key = (kind, node.parts if isinstance(node, ast.Ref) else (node.text,), id(scope))
        found = resolved.get(key)
        if found is None:
            found = resolved[key] = model.resolve(kind, node, scope)
        return found

    triggers = {c: tuple(_bind(t, c, TRIGGERS, resolve) for t in c.triggers) for c in model.campaigns if c.triggers}
    steps: dict[CampaignInfo, tuple[BoundStep, ...]] = {}
    executes: list[Execute] = []
    for c in model.campaigns:
        top = {id(item) for item in c.steps}
        out = []
        for node in walk.steps(c.steps):
            in_choice = id(node) not in top
            # The one place the flag is read: `true` passes the context, anything else does not.
            flag = walk.kwarg(node, PARENT_CONTEXT) if node.name == "execute_campaign" else None
            step = _bind(node, c, STEPS, resolve, in_choice, isinstance(flag, ast.Bool) and flag.value)
            out.append(step)
            if node.name == "execute_campaign":
                target = step.target("campaign")
                if isinstance(target, CampaignInfo):
                    executes.append(Execute(c, target, node, step.parent_context, step.in_choice))
        steps[c] = tuple(out)
    out_of: dict[CampaignInfo, list[Execute]] = {}
    into: dict[CampaignInfo, list[Execute]] = {}
    for edge in executes:
        out_of.setdefault(edge.caller, []).append(edge)
        into.setdefault(edge.target, []).append(edge)
    api_starts = tuple(
        ApiStart(scenario, command, _campaign(model.resolve_global("campaign", command.campaign)))
        for scenario in model.scenarios
        for command in scenario.commands
        if isinstance(command, (ast.Request, ast.ScheduleRun))
    )
    return Bound(
        model,
        MappingProxyType(triggers),
        MappingProxyType(steps),
        tuple(executes),
        api_starts,
        MappingProxyType({c: tuple(es) for c, es in out_of.items()}),
        MappingProxyType({c: runs for c, es in out_of.items() if (runs := tuple(e for e in es if e.executable))}),
        MappingProxyType({c: tuple(es) for c, es in into.items()}),
    )


def _bind(node, c: CampaignInfo, table: Mapping, resolve, *step):
    """A trigger (`table`: TRIGGERS) or a step (STEPS, and the step's `in_choice`
    and `parent_context`) bound in campaign `c`."""
    bound = BoundStep if step else BoundCall
    spec = table.get(node.name)
    if spec is None:
        return bound(node, c, None, NOTHING, *step)
    args = spec.signature.bind(node.args, node.kwargs)
    names, targets = [], []
    for param in spec.signature.params:
        value = args.get(param.name)
        if param.type not in REFERENCE_TYPES or value is None:
            continue
        names.append(param.name)
        if param.repeat:
            targets.append(tuple(_target(param, v, c, resolve) for v in value))
        else:
            targets.append(_target(param, value, c, resolve))
    return bound(node, c, spec, Targets(tuple(names), tuple(targets)) if names else NOTHING, *step)


def _target(param: Param, value, c: CampaignInfo, resolve) -> Target:
    kind = param.type
    if not isinstance(value, (ast.Ref, ast.Str)):
        return Target(kind, value, None)
    if param.this_campaign and isinstance(value, ast.Ref) and value.parts == THIS_CAMPAIGN:
        return Target(kind, value, Resolution(c), this_campaign=True)
    return Target(kind, value, resolve(kind, value, c.scope))


def _campaign(res: Resolution) -> CampaignInfo | None:
    return res.target if isinstance(res.target, CampaignInfo) else None
