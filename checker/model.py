"""The resolved program: scopes, campaigns, assets, tokens, people, scenarios.

`build(module)` turns a parsed file into a `Model` that both the checker and
the interpreter use. It reports what building itself reveals (duplicate
names, clone problems, kind mismatches); the checker's rules add the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from mkc.diagnostics import Diagnostic
from mkc.grammar import ast
from mkc.source import Span
from mkc.stdlib.fields import STANDARD_FIELDS, TYPES, FieldSpec

if TYPE_CHECKING:
    from mkc.checker.bound import Bound

DEFAULT_WORKSPACE = "Default"
ASSET_KINDS = {
    ast.ListAsset: "list",
    ast.SmartListAsset: "smart_list",
    ast.EmailAsset: "email",
    ast.WebhookAsset: "webhook",
}
ASSET_WORDS = {
    "list": "list",
    "smart_list": "smart list",
    "email": "email",
    "webhook": "webhook",
    "campaign": "campaign",
    "program": "program",
}

KIND_WORDS = {"batch": "a batch campaign", "trigger": "a trigger campaign", "executable": "an executable campaign"}


@attrs.define(eq=False)
class Scope:
    """A workspace, folder or program: it holds tokens and assets."""

    kind: str  # root, workspace, folder, program
    name: str
    parent: Scope | None = attrs.field(repr=False)
    workspace: str | None
    node: object = attrs.field(default=None, repr=False)
    tokens: dict[str, ast.TokenDecl] = attrs.Factory(dict)
    assets: dict[str, dict[str, object]] = attrs.Factory(dict)  # kind -> name -> asset node

    def chain(self):
        """This scope and every enclosing one, innermost first."""
        scope = self
        while scope is not None:
            yield scope
            scope = scope.parent

    @property
    def label(self) -> str:
        return "root" if self.kind == "root" else f"{self.kind} {self.name}"


@attrs.define(eq=False)
class ProgramInfo(Scope):
    statuses: tuple[str, ...] | None = None
    implicit: bool = False  # a workspace's root program
    campaigns: dict[str, CampaignInfo] = attrs.Factory(dict)


@attrs.define(eq=False, weakref_slot=False)  # one per campaign: 8 bytes less each
class CampaignInfo:
    name: str
    node: ast.Campaign = attrs.field(repr=False)
    # The program names the campaign and answers `program.*`/`member.*`; the
    # scope is where it was declared: token and asset look-ups start there.
    program: ProgramInfo = attrs.field(repr=False)
    scope: Scope = attrs.field(repr=False)
    kind: str = "batch"  # effective kind: batch, trigger, executable
    settled: bool = attrs.field(default=False, repr=False)
    # The campaign `clone_of` copied from (None when it copies nothing).
    base: CampaignInfo | None = attrs.field(default=None, repr=False)

    # Effective parts, after `clone_of` has been applied: read from the
    # nodes, not kept (six fields less per campaign).
    @property
    def description(self) -> str | None:
        return self._part("description")

    @property
    def smart_list(self) -> ast.SmartList | None:
        return self._part("smart_list")

    @property
    def flow(self) -> ast.Flow | None:
        return self._part("flow")

    @property
    def qualification(self) -> ast.Qualification | None:
        return self._part("qualification")

    @property
    def schedule(self) -> ast.Schedule | None:
        return self.node.schedule  # not copied by `clone_of`

    @property
    def active(self) -> bool:
        return self.node.active if self.node.active is not None else True

    def _part(self, name: str):
        """The campaign's own part, else what it is cloned from gives (a loop, not recursion: chains are long)."""
        c = self
        while True:
            own = getattr(c.node, name)
            if own is not None or c.base is None:
                return own
            c = c.base

    @property
    def full_name(self) -> str:
        return f"{self.program.name}.{self.name}"

    @property
    def workspace(self) -> str:
        return self.program.workspace

    @property
    def span(self) -> Span | None:
        return self.node.span

    @property
    def triggers(self) -> tuple[ast.Trigger, ...]:
        return self.smart_list.triggers if self.smart_list else ()

    @property
    def steps(self) -> tuple:
        return self.flow.steps if self.flow else ()

    def requestable_by(self, source: str) -> bool:
        """Whether a `campaign_is_requested` trigger admits `source` ("flow_action" or "api");
        a trigger without `source=` admits both."""
        for trigger in self.triggers:
            if trigger.name != "campaign_is_requested":
                continue
            given = next((kw.value for kw in trigger.kwargs if kw.name == "source"), None)
            if given is None or not is_reference(given) or ref_text(given) not in ("flow_action", "api"):
                return True  # no (or an unreadable) source: the checker reports a bad one
            if ref_text(given) == source:
                return True
        return False


@attrs.define(eq=False)
class Model:
    file: str
    root: Scope
    workspaces: dict[str, Scope] = attrs.Factory(dict)
    programs: dict[str, dict[str, ProgramInfo]] = attrs.Factory(dict)  # workspace -> name -> program
    campaigns: list[CampaignInfo] = attrs.Factory(list)  # declaration order
    people: list[ast.Person] = attrs.Factory(list)
    scenarios: list[ast.Scenario] = attrs.Factory(list)
    # The instance's person fields: the standard ones and those declared.
    fields: dict[str, FieldSpec] = attrs.Factory(lambda: dict(STANDARD_FIELDS))
    field_decls: dict[str, ast.FieldDecl] = attrs.Factory(dict)

    def campaigns_in(self, workspace: str) -> list[CampaignInfo]:
        return [c for c in self.campaigns if c.workspace == workspace]

    def campaigns_named(self, name: str) -> list[CampaignInfo]:
        """Every campaign with this bare name, any workspace, in declaration
        order. Indexed, so resolving N bare names is not N scans of every
        campaign; the index is rebuilt when a campaign has been added."""
        index = self._by_name
        if index is None or index[0] != len(self.campaigns):
            table: dict[str, list[CampaignInfo]] = {}
            for c in self.campaigns:
                table.setdefault(c.name, []).append(c)
            index = self._by_name = (len(self.campaigns), table)
        return index[1].get(name, [])

    def person(self, handle: str) -> ast.Person | None:
        return next((p for p in self.people if p.handle == handle), None)

    # ---- name resolution (spec section 2) ---------------------------------

    def resolve_campaign(self, ref, scope: Scope) -> Resolution:
        """Own program first, then outward, then unique in the workspace;
        `Program.Campaign` qualifies. Other workspaces only explain a miss."""
        parts = _ref_parts(ref)
        workspace = scope.workspace
        if len(parts) == 2:
            prog_name, name = parts
            program = self.programs.get(workspace, {}).get(prog_name)
            if program and name in program.campaigns:
                return Resolution(program.campaigns[name])
            elsewhere = [
                p.campaigns[name]
                for ws, progs in self.programs.items()
                if ws != workspace
                for p in progs.values()
                if p.name == prog_name and name in p.campaigns
            ]
            return Resolution(None, "unknown-reference", elsewhere=elsewhere)
        (name,) = parts
        for s in scope.chain():
            if isinstance(s, ProgramInfo) and name in s.campaigns:
                return Resolution(s.campaigns[name])
        # Campaigns outside any program live in the workspace's root program.
        root_program = self.programs.get(workspace, {}).get(workspace)
        if root_program and root_program.implicit and name in root_program.campaigns:
            return Resolution(root_program.campaigns[name])
        named = self.campaigns_named(name)
        found = [c for c in named if c.workspace == workspace]
        if len(found) == 1:
            return Resolution(found[0])
        if len(found) > 1:
            return Resolution(None, "ambiguous-reference", candidates=found)
        elsewhere = [c for c in named if c.workspace != workspace]
        return Resolution(None, "unknown-reference", elsewhere=elsewhere)

    def resolve_program(self, ref, scope: Scope) -> Resolution:
        parts = _ref_parts(ref)
        if len(parts) != 1:
            return Resolution(None, "unknown-reference")
        program = self.programs.get(scope.workspace, {}).get(parts[0])
        if program:
            return Resolution(program)
        elsewhere = [
            p
            for ws, progs in self.programs.items()
            if ws != scope.workspace
            for p in progs.values()
            if p.name == parts[0]
        ]
        return Resolution(None, "unknown-reference", elsewhere=elsewhere)

    def resolve_asset(self, kind: str, ref, scope: Scope) -> Resolution:
        parts = _ref_parts(ref)
        if len(parts) == 2:  # Program."Asset"
            program = self.programs.get(scope.workspace, {}).get(parts[0])
            asset = program.assets.get(kind, {}).get(parts[1]) if program else None
            return Resolution(asset) if asset is not None else Resolution(None, "unknown-reference")
        (name,) = parts
        for s in scope.chain():
            if name in s.assets.get(kind, {}):
                return Resolution(s.assets[kind][name])
        found = [s.assets[kind][name] for s in self.scopes_in(scope.workspace) if name in s.assets.get(kind, {})]
        if len(found) == 1:
            return Resolution(found[0])
        if len(found) > 1:
            return Resolution(None, "ambiguous-reference", candidates=found)
        return Resolution(None, "unknown-reference")

    def resolve(self, kind: str, ref, scope: Scope) -> Resolution:
        if kind == "campaign":
            return self.resolve_campaign(ref, scope)
        if kind == "program":
            return self.resolve_program(ref, scope)
        return self.resolve_asset(kind, ref, scope)

    def resolve_global(self, kind: str, ref) -> Resolution:
        """A reference from a scenario, which stands outside every workspace: it
        resolves as if written at file level (the `Default` workspace), else to
        the one match in any workspace; more than one is ambiguous."""
        default = self.workspaces.get(DEFAULT_WORKSPACE)
        if default is not None:
            res = self.resolve(kind, ref, default)
            if res.ok or res.problem == "ambiguous-reference":
                return res
        found: list = []
        for name, ws in self.workspaces.items():
            if name == DEFAULT_WORKSPACE:
                continue
            res = self.resolve(kind, ref, ws)
            found += [res.target] if res.ok else res.candidates
        if len(found) == 1:
            return Resolution(found[0])
        if len(found) > 1:
            return Resolution(None, "ambiguous-reference", candidates=found)
        return Resolution(None, "unknown-reference")

    def scopes_in(self, workspace: str) -> list[Scope]:
        return [s for s in self._all_scopes if s.workspace == workspace]

    @property
    def all_scopes(self) -> list[Scope]:
        """Every root, workspace, folder and program scope, in declaration order."""
        return list(self._all_scopes)

    _all_scopes: list[Scope] = attrs.Factory(list)
    # campaigns_named's index: (how many campaigns it covers, name -> campaigns)
    _by_name: tuple[int, dict[str, list[CampaignInfo]]] | None = attrs.field(default=None, init=False, repr=False)
    _bound: Bound | None = attrs.field(default=None, init=False, repr=False)

    @property
    def bound(self) -> Bound:
        """The bound program (checker/bound.py): steps, targets and execute
        edges, bound once, when first asked for (a model is complete by then)."""
        if self._bound is None:
            from mkc.checker.bound import bind  # (bound.py builds on this module)

            self._bound = bind(self)
        return self._bound

    # ---- tokens (spec section 6) -------------------------------------------

    def lexical_token(self, scope: Scope, name: str) -> tuple[ast.TokenDecl, Scope] | None:
        """`my.NAME` looked up from `scope` outward to the root."""
        for s in scope.chain():
            if name in s.tokens:
                return s.tokens[name], s
        return None


@attrs.frozen
class Resolution:
    target: object | None
    problem: str | None = None  # unknown-reference or ambiguous-reference
    candidates: list = attrs.Factory(list)
    elsewhere: list = attrs.Factory(list)  # matches in other workspaces

    @property
    def ok(self) -> bool:
        return self.target is not None


def _ref_parts(ref) -> tuple[str, ...]:
    if isinstance(ref, ast.Ref):
        return ref.parts
    if isinstance(ref, ast.Str):
        return (ref.text,)
    if isinstance(ref, str):
        return (ref,)
    raise TypeError(f"not a reference: {ref!r}")


def ref_text(ref) -> str:
    return ".".join(_ref_parts(ref))


def is_reference(value) -> bool:
    return isinstance(value, (ast.Ref, ast.Str))


# ---- building ----------------------------------------------------------------


class _Builder:
    def __init__(self, module: ast.Module):
        self.module = module
        self.diags: list[Diagnostic] = []
        root = Scope("root", "root", None, None, module)
        self.model = Model(module.file, root)
        self.model._all_scopes.append(root)
        self.first_person: dict[str, ast.Person] = {}
        self.folders: dict[tuple[int, str], Scope] = {}

    def error(self, code, message, span, *hints, severity="error"):
        self.diags.append(Diagnostic(code, message, span, severity, tuple(hints)))

    def workspace(self, name: str, node=None) -> Scope:
        ws = self.model.workspaces.get(name)
        if ws is None:
            ws = Scope("workspace", name, self.model.root, name, node)
            self.model.workspaces[name] = ws
            self.model.programs[name] = {}
            self.model._all_scopes.append(ws)
        return ws

    def root_program(self, ws: Scope) -> ProgramInfo:
        progs = self.model.programs[ws.workspace]
        prog = progs.get(ws.name)
        if prog is None or not prog.implicit:
            if prog is not None:  # a real program named like the workspace: it is the root program
                return prog
            prog = ProgramInfo("program", ws.name, ws, ws.workspace, None, implicit=True)
            progs[ws.name] = prog
        return prog

    def run(self) -> Model:
        default = None
        for item in self.module.items:
            if isinstance(item, ast.Tokens):
                self.tokens(item, self.model.root)
            elif isinstance(item, ast.Fields):
                self.fields(item)
            elif isinstance(item, ast.Workspace):
                self.items(item.items, self.workspace(item.name, item))
            elif isinstance(item, ast.People):
                self.people(item)
            elif isinstance(item, ast.Scenario):
                self.scenario(item)
            else:
                default = default or self.workspace(DEFAULT_WORKSPACE)
                self.items([item], default)
        for campaign in self.model.campaigns:
            self.settle(campaign)
        return self.model

    def items(self, items, scope: Scope) -> None:
        for item in items:
            if isinstance(item, ast.Tokens):
                self.tokens(item, scope)
            elif isinstance(item, ast.Statuses):
                scope.statuses = item.names
            elif isinstance(item, (ast.Folder, ast.Program)):
                self.container(item, scope)
            elif isinstance(item, ast.Campaign):
                self.campaign(item, scope)
            elif type(item) in ASSET_KINDS:
                kind = ASSET_KINDS[type(item)]
                table = scope.assets.setdefault(kind, {})
                if item.name in table:
                    self.duplicate(ASSET_WORDS[kind], item.name, item.span, table[item.name].span, scope)
                else:
                    table[item.name] = item

    def container(self, node, parent: Scope) -> None:
        ws = parent.workspace
        if isinstance(node, ast.Folder):
            # A folder opened again (in a project, perhaps in another file) is the same folder.
            key = (id(parent), node.name)
            folder = self.folders.get(key)
            if folder is None:
                folder = self.folders[key] = self._new_scope(Scope("folder", node.name, parent, ws, node))
            self.items(node.items, folder)
            return
        if parent.kind == "program":
            self.error("syntax", "a program cannot hold another program", node.span, "put both programs in a folder")
            return
        progs = self.model.programs[ws]
        existing = progs.get(node.name)
        if existing is not None and not existing.implicit:
            self.duplicate("program", node.name, node.span, existing.node.span, parent, where=f"workspace {ws}")
            return
        prog = self._new_scope(ProgramInfo("program", node.name, parent, ws, node))
        if existing is not None:  # campaigns already placed in the implicit root program move in
            prog.campaigns.update(existing.campaigns)
            for c in existing.campaigns.values():
                c.program = prog
        progs[node.name] = prog
        self.items(node.items, prog)

    def _new_scope(self, scope):
        self.model._all_scopes.append(scope)
        return scope

    def duplicate(self, word, name, span, first_span, scope, where=None):
        where = where or scope.label
        hint = None
        if first_span is not None:  # in a project, the first may be in another file
            elsewhere = span is not None and first_span.file != span.file
            where_first = f"{first_span.file}:{first_span.line}" if elsewhere else f"line {first_span.line}"
            hint = f"the first is at {where_first}"
        self.error("duplicate-name", f"two {word}s named `{name}` in {where}", span, *([hint] if hint else []))

    def tokens(self, node: ast.Tokens, scope: Scope) -> None:
        for decl in node.decls:
            if decl.scope != "my":
                self.error(
                    "bad-argument",
                    f"only My Tokens can be declared: write `my.{decl.name}`, not `{decl.scope}.{decl.name}`",
                    decl.span,
                )
                continue
            if decl.name in scope.tokens:
                self.duplicate("token", f"my.{decl.name}", decl.span, scope.tokens[decl.name].span, scope)
                continue
            scope.tokens[decl.name] = decl

    def fields(self, node: ast.Fields) -> None:
        model = self.model
        for decl in node.decls:
            if decl.type not in TYPES:
                self.error(
                    "bad-argument",
                    f"`{decl.type}` is no field type: a field is {', '.join(TYPES[:-1])} or {TYPES[-1]}",
                    decl.type_span,
                    f"write `{_field_word(decl.name)} text`, for example",
                )
                continue
            if decl.name in STANDARD_FIELDS:
                self.error(
                    "duplicate-name",
                    f"`{decl.name}` is a standard Marketo field ({STANDARD_FIELDS[decl.name].type}): "
                    "it is built in, not declared",
                    decl.span,
                    "remove this line",
                )
                continue
            first = model.field_decls.get(decl.name)
            if first is not None:
                self.duplicate("field", decl.name, decl.span, first.span, model.root, where="fields")
                continue
            model.field_decls[decl.name] = decl
            model.fields[decl.name] = FieldSpec(decl.name, decl.type, decl.label)

    def campaign(self, node: ast.Campaign, scope: Scope) -> None:
        program = scope if isinstance(scope, ProgramInfo) else self.root_program(_workspace_scope(scope))
        if node.name in program.campaigns:
            self.duplicate("campaign", node.name, node.span, program.campaigns[node.name].span, program)
            return
        info = CampaignInfo(node.name, node, program, scope)
        program.campaigns[node.name] = info
        self.model.campaigns.append(info)

    def settle(self, c: CampaignInfo) -> None:
        """Fill in the effective parts (clone_of applied) and the kind of `c`,
        and first of every campaign it is cloned from. A loop, not recursion:
        a chain of clones can be thousands long."""
        chain: list[CampaignInfo] = []  # c, what it is cloned from, and so on
        on_chain: set[int] = set()
        x: CampaignInfo | None = c
        while x is not None and not x.settled:
            if id(x) in on_chain:  # x is cloned from itself: it settles without a base
                self.settle_one(x, loop=True)
                break
            chain.append(x)
            on_chain.add(id(x))
            x = self.clone_base(x)
        for x in reversed(chain):
            if not x.settled:
                self.settle_one(x)

    def clone_base(self, c: CampaignInfo) -> CampaignInfo | None:
        """The campaign `clone_of` names, quietly (settle_one reports a miss)."""
        if c.node.clone_of is None:
            return None
        res = self.model.resolve_campaign(c.node.clone_of, c.scope)
        return res.target if res.ok else None

    def settle_one(self, c: CampaignInfo, loop: bool = False) -> None:
        """Settle `c`, whose base (if any) is settled already."""
        node = c.node
        base: CampaignInfo | None = None
        if node.clone_of is not None:
            if loop:
                self.error(
                    "call-cycle", f"campaign {c.full_name} is cloned from itself through `clone_of`", node.clone_of.span
                )
            else:
                res = self.model.resolve_campaign(node.clone_of, c.scope)
                if not res.ok:
                    self.unresolved(res, "campaign", node.clone_of)
                else:
                    base = res.target
                    if base.triggers:
                        self.error(
                            "clone-of-triggered",
                            f"campaign {base.full_name} has triggers in its smart list, and Marketo "
                            "cannot clone a campaign with triggers",
                            node.clone_of.span,
                            "copy its smart list and flow by hand, or clone a batch campaign",
                        )
                        base = None
        c.base = base  # the effective parts follow from it (`CampaignInfo.smart_list`, ...)
        has_triggers = bool(c.smart_list and c.smart_list.triggers)
        if node.kind == "executable":
            c.kind = "executable"
        else:
            c.kind = "trigger" if has_triggers else "batch"
            if node.kind is not None and node.kind != c.kind:
                why = "has triggers" if has_triggers else "has no trigger in its smart list"
                self.error(
                    "kind-mismatch",
                    f"campaign {c.full_name} is declared `{node.kind}` but its smart list "
                    f"{why}, so it is a {c.kind} campaign",
                    node.span,
                    f"remove `{node.kind}`, or {'remove the triggers' if has_triggers else 'add a trigger'}",
                )
        c.settled = True

    def unresolved(self, res: Resolution, kind: str, ref) -> None:
        word = ASSET_WORDS[kind]
        if res.problem == "ambiguous-reference":
            where = ", ".join(sorted(getattr(t, "full_name", None) or getattr(t, "name", "?") for t in res.candidates))
            self.error(
                "ambiguous-reference",
                f"`{ref_text(ref)}` names more than one {word}: {where}",
                ref.span,
                "qualify it as `Program.Name`",
            )
        else:
            self.error("unknown-reference", f"no {word} named `{ref_text(ref)}`", ref.span)

    def people(self, node: ast.People) -> None:
        for person in node.persons:
            if person.handle in self.first_person:
                first = self.first_person[person.handle]
                self.duplicate("person", person.handle, person.span, first.span, self.model.root, where="people")
                continue
            self.first_person[person.handle] = person
            self.model.people.append(person)

    def scenario(self, node: ast.Scenario) -> None:
        for other in self.model.scenarios:  # scenario names are unique per file
            if other.name == node.name and _file(other) == _file(node):
                self.duplicate("scenario", node.name, node.span, other.span, self.model.root, where="this file")
                return
        self.model.scenarios.append(node)


def _file(node) -> str | None:
    return node.span.file if node.span is not None else None


def _field_word(name: str) -> str:
    return name if name.isidentifier() else f'"{name}"'


def _workspace_scope(scope: Scope) -> Scope:
    while scope.kind not in ("workspace", "root"):
        scope = scope.parent
    return scope


def build(module: ast.Module) -> tuple[Model, list[Diagnostic]]:
    builder = _Builder(module)
    model = builder.run()
    return model, builder.diags
