"""Where a name is used: `mkc refs FILE NAME`.

NAME may be a campaign (`Score` or `Program.Score`), a program, an asset
(list, smart list, email, webhook), a person field (declared in `fields` or
standard), a person of `people`, or a My Token (`my.NAME`, or NAME alone).
Every kind that has something by that name is reported, each thing
separately: two emails called "Welcome" in two workspaces are two things,
and a reference counts for the one it resolves to, exactly as the checker
and the interpreter resolve it (`Model.resolve`).

For a My Token, refs also gives the value each campaign that uses it would
see in each calling context (insight/contexts.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import attrs

from mkc.checker.bound import BoundCall, BoundStep
from mkc.checker.model import ASSET_KINDS, ASSET_WORDS, CampaignInfo, Model, ProgramInfo, Scope, ref_text
from mkc.checker.smart_lists import smart_list_assets
from mkc.checker.tokens import campaign_uses, tokens_in
from mkc.grammar import ast, walk
from mkc.grammar.dump import show_value
from mkc.insight.contexts import run_contexts
from mkc.source import Span
from mkc.stdlib import CONDITIONS, STEPS, TRIGGERS
from mkc.stdlib.signatures import REFERENCE_TYPES

ASSET_TYPES = tuple(ASSET_KINDS.values())  # list, smart_list, email, webhook
BY_NAME = ("field", "token", "person")  # kinds whose Place.target is the name itself, not a node


@attrs.frozen
class Place:
    """One use of something: where, what uses it, and what it names."""

    span: Span | None
    kind: str  # campaign, program, list, smart_list, email, webhook, field, token, person
    target: object  # the CampaignInfo / ProgramInfo / asset node it resolves to (None: nothing); a name
    # for BY_NAME kinds
    name: str  # as written
    what: str  # "execute_campaign in Ops.ParentA"
    declaration: bool = False

    def sort_key(self):
        s = self.span
        return (s.file, s.line, s.column, self.what) if s else ("", 0, 0, self.what)


@attrs.define
class Section:
    """Everything found for one thing named NAME."""

    title: str
    declared: list[Place] = attrs.Factory(list)
    uses: list[Place] = attrs.Factory(list)
    values: list[tuple[str, list[tuple[str, str]]]] = attrs.Factory(list)  # campaign -> (context, value)


# ---- every place, once ---------------------------------------------------------------


def places(model: Model) -> list[Place]:
    """Every use of a campaign, program, asset, field, person or My Token in
    the file, and every declaration, sorted by position."""
    return sorted(_Collector(model).run(), key=Place.sort_key)


class _Collector:
    def __init__(self, model: Model):
        self.model = model
        self.found: list[Place] = []

    def add(self, span, kind, target, name, what, declaration=False) -> None:
        self.found.append(Place(span, kind, target, name, what, declaration))

    def run(self) -> list[Place]:
        model = self.model
        for scope in model.all_scopes:
            self.scope_declarations(scope)
        for c in model.campaigns:
            self.campaign(c)
        for asset, scope in smart_list_assets(model):
            for i, f in enumerate(asset.body.filters, 1):
                self.condition(f.cond, scope, f'filter {i} of smart list "{asset.name}"')
        for name, decl in model.field_decls.items():
            self.add(decl.span, "field", name, name, f"in fields: {decl.type}", declaration=True)
        for person in model.people:
            self.add(person.span, "person", person.handle, person.handle, "in people", declaration=True)
            for fv in person.fields:
                self.add(fv.field_span or fv.span, "field", fv.field, fv.field, f"person {person.handle}")
        for scenario in model.scenarios:
            for cmd in scenario.commands:
                self.command(cmd, f'scenario "{scenario.name}"')
        return self.found

    # ---- declarations -----------------------------------------------------------

    def scope_declarations(self, scope: Scope) -> None:
        for name, decl in scope.tokens.items():
            self.add(decl.span, "token", name, name, f"{scope.label}: {show_value(decl.value)}", declaration=True)
            self.tokens(decl.value, None, f"the value of my.{name} in {scope.label}")
        if isinstance(scope, ProgramInfo) and not scope.implicit and scope.node is not None:
            self.add(scope.node.span, "program", scope, scope.name, _in(scope.parent), declaration=True)
        for kind, table in scope.assets.items():
            for name, node in table.items():
                self.add(node.span, kind, node, name, _in(scope), declaration=True)
                for prop in getattr(node, "props", ()):
                    self.tokens(prop.value, None, f'{prop.name} of {ASSET_WORDS[kind]} "{name}"')

    # ---- campaigns --------------------------------------------------------------------

    def campaign(self, c: CampaignInfo) -> None:
        name = c.full_name
        self.add(c.node.span, "campaign", c, c.name, f"{c.kind} campaign in {c.scope.label}", declaration=True)
        if c.node.clone_of is not None:
            self.reference("campaign", c.node.clone_of, c.scope, f"clone_of in {name}")
        copied = f" (copied by {name} through clone_of)"
        if c.smart_list is not None:
            note = "" if c.node.smart_list is not None else copied
            for trigger in self.model.bound.triggers_of(c):
                self.bound_call(trigger, f"trigger in {name}{note}")
            for i, f in enumerate(c.smart_list.filters, 1):
                self.condition(f.cond, c.scope, f"filter {i} of {name}{note}")
        note = "" if c.node.flow is not None else copied
        for cond in walk.branch_conditions(c.steps):
            self.condition(cond, c.scope, f"choice in {name}{note}")
        for step in self.model.bound.steps_of(c):
            extra = " (use_parent_token_context=true)" if step.parent_context else ""
            self.bound_call(step, f"{step.name} in {name}{extra}{note}")
            for param in step.spec.signature.params if step.spec is not None else ():
                if param.type == "field" and param.default is not None and walk.kwarg(step.node, param.name) is None:
                    default = f"{step.name} in {name} (the default field){note}"
                    self.add(step.node.span, "field", param.default, param.default, default)

    # ---- calls, conditions, values --------------------------------------------------------

    def bound_call(self, call: BoundCall, what: str) -> None:
        """A campaign's trigger or flow step: its references as the checker
        bound them, then its fields and tokens."""
        for targets in call.targets.values():
            for target in _each(targets):
                if target.resolution is not None and not target.this_campaign:
                    self.add(target.node.span, target.kind, target.value, ref_text(target.node), what)
        table = STEPS if isinstance(call, BoundStep) else TRIGGERS
        self.call(call.node, table, call.campaign.scope, what, references=False)

    def call(self, call, table: dict, scope: Scope | None, what: str, references: bool = True) -> None:
        spec = table.get(call.name)
        if spec is not None:
            bound = spec.signature.bind(call.args, call.kwargs)
            for param in spec.signature.params:
                for value in _each(bound.get(param.name)):
                    if value is None or value is param.default:
                        continue
                    if param.type in REFERENCE_TYPES:
                        if references:
                            self.reference(param.type, value, scope, what)
                    elif param.type == "field" and isinstance(value, (ast.Ref, ast.Str)):
                        self.add(value.span or call.span, "field", ref_text(value), ref_text(value), what)
        for value in walk.call_values(call):
            self.tokens(value, scope, what)

    def condition(self, cond, scope: Scope | None, what: str) -> None:
        for atom in walk.atoms(cond):
            if isinstance(atom, ast.FieldCond):
                self.add(atom.field_span or atom.span, "field", atom.field, atom.field, what)
                for value in atom.operands:
                    self.tokens(value, scope, what)
            else:
                self.call(atom, CONDITIONS, scope, what)

    def reference(self, kind: str, value, scope: Scope | None, what: str) -> None:
        if not isinstance(value, (ast.Ref, ast.Str)):
            return
        model = self.model
        res = model.resolve(kind, value, scope) if scope is not None else model.resolve_global(kind, value)
        self.add(value.span, kind, res.target, ref_text(value), what)

    def tokens(self, value, scope: Scope | None, what: str) -> None:
        for use in tokens_in(value):
            if use.scope == "my":
                self.add(use.span, "token", use.name, use.name, what)
            elif use.scope == "lead":
                self.add(use.span, "field", use.name, use.name, f"{use.text} in {what}")

    # ---- scenarios ---------------------------------------------------------------------------

    def command(self, cmd, where: str) -> None:
        person = getattr(cmd, "person", None)  # event, set, expect, expect activity: whose; the span is
        if person is not None:  # the command's, as the checker's unknown-person says
            word = type(cmd).__name__.lower()
            if isinstance(cmd, ast.ExpectActivity):
                word = "expect no activity" if cmd.negated else "expect activity"
            self.add(cmd.span, "person", person, person, f"{word} in {where}")
        if isinstance(cmd, (ast.Run, ast.Request, ast.ScheduleRun, ast.Activate, ast.Deactivate)):
            word = {
                ast.Run: "run",
                ast.Request: "request",
                ast.ScheduleRun: "schedule",
                ast.Activate: "activate",
                ast.Deactivate: "deactivate",
            }[type(cmd)]
            self.reference("campaign", cmd.campaign, None, f"{word} in {where}")
            for handle in getattr(cmd, "people", None) or ():  # `run C` without `for`: everyone, named nowhere
                self.add(cmd.span, "person", handle, handle, f"{word} in {where}")
            tokens = getattr(cmd, "tokens", None)
            for decl in tokens.decls if tokens is not None else ():
                self.add(
                    decl.span,
                    "token",
                    decl.name,
                    decl.name,
                    f"API override in {where}: {show_value(decl.value)}",
                    declaration=True,
                )
        elif isinstance(cmd, ast.Event):
            self.call(
                ast.Trigger(cmd.trigger, cmd.args, cmd.kwargs, span=cmd.span), TRIGGERS, None, f"event in {where}"
            )
        elif isinstance(cmd, ast.Set):
            self.add(cmd.field_span or cmd.span, "field", cmd.field, cmd.field, f"set in {where}")
            self.tokens(cmd.value, None, f"set in {where}")
        elif isinstance(cmd, ast.Expect):
            self.condition(cmd.cond, None, f"expect in {where}")
        elif isinstance(cmd, ast.ExpectActivity):
            self.expect_activity(cmd, where)

    def expect_activity(self, cmd: ast.ExpectActivity, where: str) -> None:
        """`campaign=` matches by full or bare name, `email=`/`list=`/... by name,
        as `expect activity` compares them."""
        what = f"expect activity in {where}"
        for kw in cmd.kwargs:
            if not isinstance(kw.value, (ast.Ref, ast.Str)):
                continue
            text = ref_text(kw.value).casefold()
            if kw.name == "campaign":
                matches = [c for c in self.model.campaigns if text in (c.full_name.casefold(), c.name.casefold())]
            elif kw.name == "program":
                matches = [p for ps in self.model.programs.values() for p in ps.values() if p.name.casefold() == text]
            elif kw.name in ASSET_TYPES:
                matches = [
                    node
                    for s in self.model.all_scopes
                    for n, node in s.assets.get(kw.name, {}).items()
                    if n.casefold() == text
                ]
            elif kw.name == "field":
                self.add(kw.value.span, "field", ref_text(kw.value), ref_text(kw.value), what)
                continue
            else:
                continue
            for target in matches or [None]:
                self.add(kw.value.span, kw.name, target, ref_text(kw.value), what)


def _each(value) -> Iterator:
    if isinstance(value, (tuple, list)):
        yield from value
    else:
        yield value


def _in(scope: Scope | None) -> str:
    return f"in {scope.label}" if scope is not None else ""


# ---- what NAME names -------------------------------------------------------------------------


def find(model: Model, name: str) -> list[Section]:
    """A section for each thing called `name`, in the order: campaigns,
    programs, assets, field, person, My Token, references that do not resolve."""
    found = places(model)
    sections: list[Section] = []
    token_only = name.startswith("my.")
    field_only = name.startswith("lead.")
    bare = name[3:].strip() if token_only else name[5:].strip() if field_only else name
    if not (token_only or field_only):
        for c in model.campaigns:
            if name in (c.name, c.full_name):
                sections.append(_section(f"campaign {c.full_name} ({c.kind})", found, "campaign", c))
        for programs in model.programs.values():
            program = programs.get(name)
            if program is not None and not program.implicit:
                sections.append(
                    _section(f"program {program.name} (workspace {program.workspace})", found, "program", program)
                )
        for scope in model.all_scopes:
            for kind in ASSET_TYPES:
                node = scope.assets.get(kind, {}).get(name)
                if node is not None:
                    sections.append(_section(f'{ASSET_WORDS[kind]} "{name}" in {scope.label}', found, kind, node))
    if not token_only:
        field = _section(f"person field {bare}", found, "field", bare)
        if field.uses or field.declared:
            sections.append(field)
    if not (token_only or field_only):
        person = _section(f"person {name}", found, "person", name)
        if person.uses or person.declared:
            sections.append(person)
    if not field_only:
        token = _section(f"My Token my.{bare}", found, "token", bare)
        if token.uses or token.declared:
            token.values = token_values(model, bare)
            sections.append(token)
    if not (token_only or field_only):
        loose = [p for p in found if p.target is None and p.name == name and p.kind not in BY_NAME]
        if loose:
            sections.append(Section(f"references to `{name}` that resolve to nothing", uses=loose))
    return sections


def _section(title: str, found: list[Place], kind: str, target) -> Section:
    section = Section(title)
    for place in found:
        if place.kind != kind:
            continue
        hit = place.target == target if kind in BY_NAME else place.target is target
        if hit:
            (section.declared if place.declaration else section.uses).append(place)
    return section


def token_values(model: Model, name: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """For each campaign whose smart list, flow or the emails and webhooks it
    uses hold `my.NAME`: the value in each context it can run in."""
    contexts = run_contexts(model)
    out = []
    for c in model.campaigns:
        if not any(use.scope == "my" and use.name == name for use in campaign_uses(model, c)):
            continue
        rows = []
        for ctx in contexts[id(c)]:
            source = ctx.my(model, name)
            value = f"{show_value(source.value)} ({source.describe()})" if source else "undefined: a Failed Step"
            rows.append((ctx.describe(), value))
        out.append((c.full_name, rows))
    return out


def suggestions(model: Model, name: str) -> list[str]:
    """Names close to one that names nothing."""
    names = {c.name for c in model.campaigns} | {c.full_name for c in model.campaigns}
    names |= {p.name for ps in model.programs.values() for p in ps.values() if not p.implicit}
    for scope in model.all_scopes:
        names |= set(scope.tokens) | {f"my.{t}" for t in scope.tokens}
        for table in scope.assets.values():
            names |= set(table)
    names |= {p.target for p in places(model) if p.kind == "field"} | {p.handle for p in model.people}
    return difflib.get_close_matches(name, sorted(names), n=3)


# ---- text --------------------------------------------------------------------------------------


def render(sections: list[Section]) -> str:
    out: list[str] = []
    for section in sections:
        count = len(section.uses)
        out.append(f"{section.title}: {count} use{'' if count == 1 else 's'}")
        if section.declared:
            out.append("  declared:")
            out += [f"    {_where(p)}  {p.what}" for p in section.declared]
        if section.uses:
            out.append("  used:")
            out += [f"    {_where(p)}  {p.what}" for p in section.uses]
        if section.values:
            out.append("  values, per campaign using it and calling context:")
            for campaign, rows in section.values:
                out.append(f"    {campaign}")
                out += [f"      {context}: {value}" for context, value in rows]
        out.append("")
    return "\n".join(out)


def _where(place: Place) -> str:
    return str(place.span) if place.span else "?"
