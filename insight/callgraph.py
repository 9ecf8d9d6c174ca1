"""The call graph of a program, as data for `mkc graph`.

Nodes are campaigns, grouped by workspace, folder and program; the events
that start trigger campaigns (one node per distinct trigger, shared by every
campaign listening for it); and the targets of calls that do not resolve.
Edges:

- `execute`: an `execute_campaign` step, labelled with the token context
  the child gets (`parent` with use_parent_token_context=true, else `own`);
- `request`: a `request_campaign` step;
- `trigger`: an event starting a trigger campaign;
- `fires`: a flow step that can cause an event some campaign listens for
  (`change_data_value lifecycle_stage "MQL"` feeds
  `data_value_changes lifecycle_stage to="MQL"`).

The checker's errors are attached where they stand: an error inside a call
step or a trigger marks that edge, any other error inside a campaign marks
the campaign. The renderers draw both in red.
"""

from __future__ import annotations

import bisect

import attrs

from mkc.checker.bound import BoundCall, BoundStep, Target
from mkc.checker.model import CampaignInfo, Model, Scope, ref_text
from mkc.checker.report import inside
from mkc.diagnostics import Diagnostic
from mkc.grammar import ast
from mkc.grammar.unparse import call as show_call
from mkc.source import Span
from mkc.stdlib.signatures import REFERENCE_TYPES
from mkc.stdlib.values import from_literal, same

CALL_STEPS = ("execute_campaign", "request_campaign")


@attrs.define(eq=False)
class Node:
    id: str
    kind: str  # campaign, trigger, missing
    lines: tuple[str, ...]  # the label, one entry per line
    problems: list[str] = attrs.Factory(list)  # checker codes
    campaign: CampaignInfo | None = None

    @property
    def label(self) -> tuple[str, ...]:
        if not self.problems:
            return self.lines
        return (*self.lines, "error: " + ", ".join(dict.fromkeys(self.problems)))


@attrs.define(eq=False)
class Edge:
    kind: str  # execute, request, trigger, fires
    source: str
    target: str
    text: str  # the label without problems
    span: Span | None = None  # the step or trigger, for attaching diagnostics
    problems: list[str] = attrs.Factory(list)

    @property
    def label(self) -> str:
        if not self.problems:
            return self.text
        codes = ", ".join(dict.fromkeys(self.problems))
        return f"{self.text}: {codes}" if self.text else codes


@attrs.define(eq=False)
class Group:
    """A workspace, folder or program box."""

    id: str
    label: str
    groups: list[Group] = attrs.Factory(list)
    nodes: list[str] = attrs.Factory(list)


@attrs.define(eq=False)
class CallGraph:
    nodes: dict[str, Node]  # in drawing order
    edges: list[Edge]
    groups: list[Group]  # the outermost boxes
    loose: list[str]  # node ids outside every box (events, unknown targets)

    def campaign_node(self, full_name: str) -> Node | None:
        return next((n for n in self.nodes.values() if n.campaign and n.campaign.full_name == full_name), None)


def build(model: Model, diagnostics: list[Diagnostic] = ()) -> CallGraph:
    return _Builder(model).run(diagnostics)


class _Builder:
    def __init__(self, model: Model):
        self.model = model
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.loose: list[str] = []
        self.node_of: dict[int, str] = {}  # id(campaign) -> node id
        self.triggers: dict[tuple, str] = {}  # trigger key -> node id
        self.listeners: dict[str, list[BoundCall]] = {}  # node id -> the triggers that listen
        self.missing: dict[tuple, str] = {}

    def run(self, diagnostics) -> CallGraph:
        model = self.model
        for i, c in enumerate(model.campaigns, 1):
            node = Node(f"c{i}", "campaign", (c.name, _describe(c)), campaign=c)
            self.nodes[node.id] = node
            self.node_of[id(c)] = node.id
        groups = self.groups()
        for c in model.campaigns:
            self.trigger_edges(c)
        for c in model.campaigns:
            self.call_edges(c)
        self.fires_edges()
        _attach(model, self.nodes, self.edges, diagnostics)
        return CallGraph(self.nodes, self.edges, groups, self.loose)

    # ---- boxes ------------------------------------------------------------------

    def groups(self) -> list[Group]:
        model = self.model
        order = {id(s): i for i, s in enumerate(model.all_scopes, 1)}
        boxes: dict[int, Group] = {}
        top: list[Group] = []
        only_default = list(model.workspaces) == ["Default"] and model.workspaces["Default"].node is None

        def box(scope: Scope) -> Group | None:
            if scope.kind == "root" or (scope.kind == "workspace" and only_default):
                return None
            if id(scope) not in boxes:
                group = Group(f"s{order.get(id(scope), 0)}", scope.label)
                boxes[id(scope)] = group
                parent = box(scope.parent)
                (parent.groups if parent else top).append(group)
            return boxes[id(scope)]

        for c in model.campaigns:
            home = c.program.parent if c.program.implicit else c.program
            group = box(home)
            node_id = self.node_of[id(c)]
            if group is None:
                self.loose.append(node_id)
            else:
                group.nodes.append(node_id)
        return top

    # ---- edges ------------------------------------------------------------------

    def trigger_edges(self, c: CampaignInfo) -> None:
        for bound in self.model.bound.triggers_of(c):
            trigger = bound.node
            if trigger.name == "campaign_is_requested":
                continue  # shown on the campaign, and by the request edges into it
            key = self.trigger_key(c, bound)
            node_id = self.triggers.get(key)
            if node_id is None:
                node_id = f"t{len(self.triggers) + 1}"
                self.triggers[key] = node_id
                self.nodes[node_id] = Node(node_id, "trigger", (show_call(trigger),))
                self.loose.append(node_id)
            self.listeners.setdefault(node_id, []).append(bound)
            self.edges.append(Edge("trigger", node_id, self.node_of[id(c)], "", trigger.span))

    def trigger_key(self, c: CampaignInfo, trigger: BoundCall) -> tuple:
        """Triggers are one event when they read the same and name the same assets."""
        if trigger.spec is None:
            return (show_call(trigger.node), c.workspace)
        targets = []
        for param in trigger.spec.signature.params:
            target = trigger.targets.get(param.name)
            if isinstance(target, Target) and target.resolution is not None:
                targets.append(id(target.value) if target.resolution.ok else (c.workspace, ref_text(target.node)))
        return (show_call(trigger.node), *targets)

    def call_edges(self, c: CampaignInfo) -> None:
        for step in self.model.bound.steps_of(c):
            bound = step.targets.get("campaign") if step.name in CALL_STEPS else None
            if not isinstance(bound, Target) or bound.resolution is None:
                continue
            ref, res = bound.node, bound.resolution
            targets = [res.target] if res.ok else (res.elsewhere or res.candidates)
            if step.name == "execute_campaign":
                text, kind = "parent" if step.parent_context else "own", "execute"
            else:
                text, kind = "request", "request"
            if step.in_choice:
                text += " (in a choice)"
            ids = [self.node_of[id(t)] for t in targets] or [self.missing_node(c, ref)]
            for target in ids:
                self.edges.append(Edge(kind, self.node_of[id(c)], target, text, step.node.span))

    def missing_node(self, c: CampaignInfo, ref) -> str:
        key = (c.workspace, ref_text(ref))
        if key not in self.missing:
            node_id = f"m{len(self.missing) + 1}"
            self.missing[key] = node_id
            self.nodes[node_id] = Node(node_id, "missing", (ref_text(ref), "no such campaign"))
            self.loose.append(node_id)
        return self.missing[key]

    def fires_edges(self) -> None:
        by_trigger: dict[str, list[str]] = {}
        for node_id, listening in self.listeners.items():
            by_trigger.setdefault(listening[0].name, []).append(node_id)
        for c in self.model.campaigns:
            drawn: set[str] = set()
            for step in self.model.bound.steps_of(c):
                for fired in step.spec.fires if step.spec is not None else ():
                    for node_id in by_trigger.get(fired, ()):
                        if node_id not in drawn and _may_fire(step, self.listeners[node_id][0]):
                            drawn.add(node_id)
                            self.edges.append(Edge("fires", self.node_of[id(c)], node_id, step.name))


# ---- labels ---------------------------------------------------------------------


def _describe(c: CampaignInfo) -> str:
    words = [c.kind]
    if c.kind == "trigger" and any(t.name == "campaign_is_requested" for t in c.triggers):
        words.append("requestable")
    if c.schedule is not None:
        s = c.schedule
        words.append(f"at {s.at}" + (f" every {s.every}" if s.every else "") + (f" until {s.until}" if s.until else ""))
    if not c.active:
        words.append("inactive")
    return ", ".join(words)


# ---- which steps can fire which triggers ----------------------------------------------


def _may_fire(step: BoundStep, trigger: BoundCall) -> bool:
    """Whether `step` can cause an event `trigger` matches. Only what can be
    known without running counts against it: a different field, asset or
    program, or a different literal value, where the step's argument and the
    trigger's constraint are about the same attribute of the activity (their
    specs' `about`)."""
    written = {attribute: param for param, attribute in step.spec.about.items()}  # attribute -> step's parameter
    for param in trigger.spec.signature.params:
        attribute = trigger.spec.about.get(param.name)
        if attribute not in written:
            continue  # known only when the step runs (a change's old value)
        wanted, value = trigger.args[param.name], step.args[written[attribute]]
        if wanted is None and not param.required:
            continue  # no constraint
        if param.type in REFERENCE_TYPES:
            possible = _same_target(step.targets.get(written[attribute]), trigger.targets.get(param.name))
        elif param.type == "field":
            possible = _name(value) == _name(wanted)
        else:
            possible = _could_equal(value, wanted)
        if not possible:
            return False
    return True


def _name(value) -> str | None:
    if isinstance(value, str):
        return value
    return ref_text(value) if isinstance(value, (ast.Ref, ast.Str)) else None


def _could_equal(value, wanted) -> bool:
    if wanted is None or value is None or _has_token(value) or _has_token(wanted):
        return True
    return same(from_literal(value), from_literal(wanted))


def _has_token(value) -> bool:
    return isinstance(value, ast.Token) or (isinstance(value, ast.Str) and "<<" in value.text)


def _same_target(a, b) -> bool:
    """Whether two resolved reference arguments name the same asset or program."""
    return isinstance(a, Target) and isinstance(b, Target) and a.value is not None and a.value is b.value


# ---- the checker's verdicts ---------------------------------------------------------


def _attach(model: Model, nodes: dict[str, Node], edges: list[Edge], diagnostics) -> None:
    """An error inside an edge's step or trigger goes on that edge (on every
    edge of that step: a clone shares its original's steps); any other error
    inside a campaign's declaration goes on the campaign."""
    by_line: dict[tuple[str, int], list[Edge]] = {}
    for edge in edges:
        if edge.span is not None:
            for line in range(edge.span.line, edge.span.end_line + 1):
                by_line.setdefault((edge.span.file, line), []).append(edge)
    campaigns = sorted(
        ((n.campaign.node.span, n) for n in nodes.values() if n.campaign and n.campaign.node.span),
        key=lambda e: (e[0].line, e[0].column),
    )
    starts = [(span.line, span.column) for span, _ in campaigns]
    for diag in diagnostics:
        span = diag.span
        if not diag.is_error or span is None:
            continue
        on_edges = [e for e in by_line.get((span.file, span.line), ()) if inside(span, e.span)]
        for edge in on_edges:
            edge.problems.append(diag.code)
        if on_edges:
            continue
        i = bisect.bisect_right(starts, (span.line, span.column)) - 1
        if i >= 0 and inside(span, campaigns[i][0]):
            campaigns[i][1].problems.append(diag.code)
