"""Calls: every step, condition and trigger against its signature in the
standard library, and the names its arguments refer to.

Codes: unknown-step, unknown-condition, unknown-trigger, bad-argument,
unknown-reference, ambiguous-reference, cross-workspace-call, and
invalid-smart-list for a reference inside a smart list that does not resolve.
"""

from __future__ import annotations

import difflib

import attrs

from mkc.checker.bound import BoundCall
from mkc.checker.model import ASSET_WORDS, CampaignInfo, Model, ProgramInfo, Resolution, Scope, ref_text
from mkc.checker.report import Report
from mkc.checker.smart_lists import smart_list_assets
from mkc.grammar import ast, walk
from mkc.grammar.dump import show_value
from mkc.stdlib import CONDITIONS, STEPS, TRIGGERS
from mkc.stdlib.conditions import DATE_OPS, RANGE_OPS, RELATIVE_OPS, SET_OPS, TEXT_OPS
from mkc.stdlib.signatures import REFERENCE_TYPES, TYPES, Param, Signature

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MOMENT_TYPES = ("web", "email", "milestone")
SOURCES = ("flow_action", "api")
ORDER_OPS = ("<", ">", "<=", ">=")


@attrs.frozen
class Site:
    """Where a call stands: what its references resolve against, who owns it,
    and whether a reference that does not resolve makes a smart list invalid."""

    scope: Scope | None  # None: a scenario, outside every workspace
    owner: CampaignInfo | None = None
    smart_list: bool = False


def check(model: Model, report: Report) -> None:
    calls, bound = Calls(model, report), model.bound
    for c in model.campaigns:
        if c.smart_list is not None:
            in_list = Site(c.scope, c, smart_list=True)
            for trigger in bound.triggers_of(c):
                calls.trigger(trigger.node, in_list, _resolved(trigger))
            for f in c.smart_list.filters:
                calls.condition(f.cond, in_list)
        site = Site(c.scope, c)
        for step in bound.steps_of(c):
            calls.step(step.node, site, _resolved(step))
        for cond in walk.branch_conditions(c.steps):
            calls.condition(cond, site)
    for asset, scope in smart_list_assets(model):
        calls.smart_list(asset.body, Site(scope, smart_list=True))


class Calls:
    def __init__(self, model: Model, report: Report):
        self.model = model
        self.report = report

    # ---- the three kinds of call ---------------------------------------------

    def smart_list(self, body: ast.SmartList, site: Site) -> None:
        for trigger in body.triggers:
            self.trigger(trigger, site)
        for f in body.filters:
            self.condition(f.cond, site)

    def step(self, step: ast.Step, site: Site, resolved=None) -> dict | None:
        spec = STEPS.get(step.name)
        if spec is None:
            self.error(
                "unknown-step",
                f"there is no flow step `{step.name}`",
                step.span,
                site,
                *_unknown_hints(step.name, STEPS, "step"),
            )
            return None
        bound = self.bind(spec.signature, step, step.name, site, resolved)
        self.statuses(spec.signature, bound, site)
        for message, hint in spec.problems(step):
            self.error("bad-argument", message, step.span, site, hint)
        return bound

    def trigger(self, trigger: ast.Trigger, site: Site, resolved=None) -> dict | None:
        spec = TRIGGERS.get(trigger.name)
        if spec is None:
            self.error(
                "unknown-trigger",
                f"there is no trigger `{trigger.name}`",
                trigger.span,
                site,
                *_unknown_hints(trigger.name, TRIGGERS, "trigger"),
            )
            return None
        bound = self.bind(spec.signature, trigger, trigger.name, site, resolved)
        self.statuses(spec.signature, bound, site)
        return bound

    def condition(self, cond, site: Site) -> None:
        for atom in walk.atoms(cond):
            if isinstance(atom, ast.FieldCond):
                self.field_condition(atom, site)
                continue
            spec = CONDITIONS.get(atom.name)
            if spec is None:
                self.error(
                    "unknown-condition",
                    f"there is no condition `{atom.name}`",
                    atom.span,
                    site,
                    *_unknown_hints(atom.name, CONDITIONS, "condition", atom),
                )
                continue
            bound = self.bind(spec.signature, atom, atom.name, site)
            if atom.name == "member_of_program":
                self.status(bound.get("program"), bound.get("status"), site)

    def field_condition(self, cond: ast.FieldCond, site: Site) -> None:
        op = cond.op
        for value in cond.operands:
            problem = None
            if isinstance(value, ast.ScoreChange) and value.op == "=":
                problem = _set_score_problem(value)
            elif op in DATE_OPS:
                if not isinstance(value, (ast.DateTime, ast.Token)):
                    problem = (
                        f"`{op}` compares dates, and {show_value(value)} is not a date",
                        "write a date or date-time such as 2026-01-05 or 2026-01-05T09:00",
                    )
            elif op in SET_OPS:
                items = value.items if isinstance(value, ast.ListValue) else ()
                if not items:
                    problem = (
                        f"`{cond.field} {op} []` names no value, so it can never be decided",
                        'write at least one value, as in `country in ["NL", "BE"]`',
                    )
                for item in items:
                    self.check_type("value", item, f"{cond.field} {op}", site)
            elif op in ORDER_OPS or op in RANGE_OPS:
                if not isinstance(value, (ast.Num, ast.DateTime, ast.Token, ast.ScoreChange, ast.Str)):
                    problem = (f"`{op}` compares numbers or dates, not {show_value(value)}", None)
            elif op in RELATIVE_OPS:
                if not isinstance(value, ast.Duration) or value.amount <= 0:
                    problem = (f"`{op}` needs a positive duration, not {show_value(value)}", None)
            elif op in TEXT_OPS:
                if not isinstance(value, (ast.Str, ast.Token, ast.Num, ast.Ref)):
                    problem = (f"`{op}` tests text, not {show_value(value)}", 'write the text in quotes: "…"')
            else:  # = and !=
                self.check_type("value", value, f"{cond.field} {op}", site)
            if problem:
                self.error("bad-argument", problem[0], value.span, site, problem[1])
        if op in RANGE_OPS and len(cond.operands) == 2:
            low, high = cond.operands
            kinds = {type(v) for v in (low, high) if not isinstance(v, ast.Token)}
            if len(kinds) > 1 and not kinds <= {ast.Num, ast.ScoreChange}:
                self.error("bad-argument", "`between` needs two numbers or two dates", cond.span, site)

    # ---- arguments -------------------------------------------------------------

    def bind(self, signature: Signature, call, label: str, site: Site, resolved=None) -> dict:
        """Match a call's arguments to its signature; report what does not fit.
        `resolved`: what the binder resolved its references to (`_resolved`)."""
        usage = f"{label} {signature.describe()}".strip()
        bound: dict = {}
        args = list(call.args)
        i = 0
        for param in signature.positional:
            if param.repeat:
                rest, i = args[i:], len(args)
                if rest:
                    bound[param.name] = rest
                elif param.required:
                    self.missing(param, label, usage, call, site)
                break
            if i < len(args):
                bound[param.name] = args[i]
                i += 1
            elif param.required:
                self.missing(param, label, usage, call, site)
        if i < len(args):
            n = len(signature.positional)
            takes = "no values" if n == 0 else f"{n} value{'s' if n > 1 else ''}"
            self.error(
                "bad-argument",
                f"`{label}` takes {takes}; {show_value(args[i])} is one too many",
                args[i].span,
                site,
                f"write `{usage}`" if usage != label else f"write `{label}` alone",
            )
        keywords = signature.keywords
        positional = {p.name for p in signature.positional}
        for kw in call.kwargs:
            param = keywords.get(kw.name)
            if param is None:
                if kw.name in positional:
                    hint = f"give {kw.name.upper()} without its name: `{usage}`"
                else:
                    close = difflib.get_close_matches(kw.name, list(keywords), n=1)
                    hint = (
                        f"did you mean `{close[0]}=`?"
                        if close
                        else (
                            f"`{label}` takes {', '.join(f'`{k}=`' for k in keywords)}"
                            if keywords
                            else f"`{label}` takes no named arguments"
                        )
                    )
                self.error("bad-argument", f"`{label}` has no argument `{kw.name}`", kw.span, site, hint)
                continue
            if kw.name in bound:
                self.error("bad-argument", f"`{kw.name}=` is given twice", kw.span, site, "keep one")
                continue
            bound[kw.name] = kw.value
        for param in keywords.values():
            if param.required and param.name not in bound:
                self.missing(param, label, usage, call, site)
        params = {p.name: p for p in signature.params}
        for name, value in list(bound.items()):
            param = params[name]
            where = label if param.positional else f"{label} {name}="
            for v in value if isinstance(value, list) else [value]:
                if not self.check_type(param.type, v, where, site):
                    bound.pop(name, None)
                elif param.type in REFERENCE_TYPES and not (param.this_campaign and _is_this_campaign(v)):
                    target = self.reference(param.type, v, label, site, (resolved or {}).get(id(v)))
                    if not isinstance(value, list):
                        bound[name] = _Resolved(v, target)
        return bound

    def missing(self, param: Param, label: str, usage: str, call, site: Site) -> None:
        what = param.name.upper() if param.positional else f"`{param.name}=`"
        self.error("bad-argument", f"`{label}` needs {what}: {TYPES[param.type]}", call.span, site, f"write `{usage}`")

    def check_type(self, type_: str, value, label: str, site: Site) -> bool:
        problem = type_problem(type_, value, label)
        if problem is None:
            return True
        self.error("bad-argument", problem[0], value.span, site, problem[1])
        return False

    def statuses(self, signature: Signature, bound: dict, site: Site) -> None:
        """Each argument that is a status of a program argument (`Param.of`) is one of its statuses."""
        for param in signature.params:
            if param.of is not None and signature.param(param.of).type == "program":
                self.status(bound.get(param.of), bound.get(param.name), site)

    def status(self, program, status, site: Site) -> None:
        program = program.target if isinstance(program, _Resolved) else None
        if not isinstance(program, ProgramInfo) or program.statuses is None or status is None:
            return
        if isinstance(status, ast.Str):
            text = status.text
        elif isinstance(status, ast.Ref) and len(status.parts) == 1:
            text = status.name
        else:
            return  # a token: known only at run time
        if text in program.statuses:
            return
        close = difflib.get_close_matches(text, program.statuses, n=1)
        listed = ", ".join(f'"{s}"' for s in program.statuses)
        self.error(
            "bad-argument",
            f'program {program.name} has no status "{text}"; its statuses are {listed}',
            status.span,
            site,
            f'did you mean "{close[0]}"?' if close else None,
        )

    # ---- references ------------------------------------------------------------

    def reference(self, kind: str, value, label: str, site: Site, res: Resolution | None = None):
        """The campaign, program or asset `value` names, or None (reported);
        `res`: what it resolves to, when the binder knows."""
        model = self.model
        if res is None:
            res = (
                model.resolve(kind, value, site.scope) if site.scope is not None else model.resolve_global(kind, value)
            )
        if res.ok:
            return res.target
        word = ASSET_WORDS[kind]
        name = ref_text(value)
        if site.smart_list:
            why = "is ambiguous" if res.problem == "ambiguous-reference" else "does not exist"
            self.warning(
                "invalid-smart-list",
                f"this smart list names the {word} `{name}`, which {why}: nobody will qualify, as in Marketo",
                value.span,
                site,
                *self.unknown_hints(kind, value, res, site),
            )
            return None
        if res.problem == "ambiguous-reference":
            where = ", ".join(sorted(self.where(t) for t in res.candidates))
            self.error(
                "ambiguous-reference",
                f"`{name}` names more than one {word}: {where}",
                value.span,
                site,
                "qualify it as `Program.Name`",
            )
            return None
        if kind == "campaign" and label == "execute_campaign" and res.elsewhere:
            spaces = sorted({c.workspace for c in res.elsewhere})
            here = site.scope.workspace if site.scope else None
            self.error(
                "cross-workspace-call",
                f"campaign `{name}` is in workspace {', '.join(spaces)}, not in "
                f"{here}: Marketo executes campaigns only within one workspace",
                value.span,
                site,
                f"move `{name}` (or a copy of it) into workspace {here}",
            )
            return None
        self.error(
            "unknown-reference",
            f"no {word} named `{name}`",
            value.span,
            site,
            *self.unknown_hints(kind, value, res, site),
        )
        return None

    def unknown_hints(self, kind, value, res, site: Site) -> list[str]:
        if res.problem == "ambiguous-reference":
            return ["qualify it as `Program.Name`"]
        name = ref_text(value)
        hints = []
        if kind == "campaign" and _is_this_campaign(value):
            hints.append(f"`this_campaign` is only for {_THIS_CAMPAIGN_STEPS}")
        if res.elsewhere:
            spaces = sorted({getattr(t, "workspace", "?") for t in res.elsewhere})
            hints.append(f"`{name}` is in workspace {', '.join(spaces)}; a campaign only sees its own workspace")
        names = self.names(kind, site)
        close = difflib.get_close_matches(name, names, n=1) if name not in names else []
        if close:
            hints.append(f"did you mean `{close[0]}`?")
        for other in ("list", "smart_list", "email", "webhook", "campaign", "program"):
            if other != kind and name in self.names(other, site):
                hints.append(f"there is a {ASSET_WORDS[other]} named `{name}`, but no {ASSET_WORDS[kind]}")
        if not hints and kind in ("list", "smart_list", "email", "webhook"):
            hints.append(f"declare it, as in `{_declare_example(kind, name)}`")
        return hints

    def names(self, kind: str, site: Site) -> list[str]:
        model = self.model
        workspaces = [site.scope.workspace] if site.scope is not None else list(model.workspaces)
        names: list[str] = []
        for ws in workspaces:
            if kind == "campaign":
                names += [c.name for c in model.campaigns_in(ws)] + [c.full_name for c in model.campaigns_in(ws)]
            elif kind == "program":
                names += [p.name for p in model.programs.get(ws, {}).values() if not p.implicit]
            else:
                for scope in [*model.scopes_in(ws), model.root]:
                    names += list(scope.assets.get(kind, {}))
        return names

    def where(self, target) -> str:
        if isinstance(target, CampaignInfo):
            return target.full_name
        if isinstance(target, ProgramInfo):
            return f"program {target.name} in workspace {target.workspace}"
        for scope in self.model.all_scopes:
            for table in scope.assets.values():
                if any(asset is target for asset in table.values()):
                    return f"`{target.name}` in {scope.label}"
        return f"`{getattr(target, 'name', '?')}`"

    # ---- reporting ---------------------------------------------------------------

    def error(self, code, message, span, site: Site, *hints):
        self.report.error(code, message, span, *hints, owner=site.owner)

    def warning(self, code, message, span, site: Site, *hints):
        self.report.warning(code, message, span, *hints, owner=site.owner)


def _resolved(call: BoundCall) -> dict[int, Resolution]:
    """A bound trigger's or step's references (by node) and what they resolve to."""
    return {
        id(target.node): target.resolution
        for targets in call.targets.values()
        for target in (targets if isinstance(targets, tuple) else (targets,))
        if target.resolution is not None
    }


@attrs.frozen
class _Resolved:
    """A reference argument and what it names (None when it does not resolve)."""

    value: object
    target: object


# ---- types -------------------------------------------------------------------------


def type_problem(type_: str, value, label: str) -> tuple[str, str | None] | None:
    """Why `value` is not of `type_` (a key of stdlib TYPES), or None when it is."""
    shown = show_value(value)
    if isinstance(value, ast.ScoreChange) and value.op == "=" and type_ != "score":
        return _set_score_problem(value)
    if type_ == "score":
        if isinstance(value, (ast.ScoreChange, ast.Token)):
            return None
        if isinstance(value, ast.Num):
            if value.value < 0:
                return None
            n = show_value(value)
            return (
                f"`{n}` is a bare number: say whether to add it or to set the score to it",
                f"write +{n} to add {n}, or ={n} to set the score to {n}",
            )
        return (f"`{label}` needs a score change (+N, -N, =N) or a token holding one, not {shown}", None)
    ok = _OK.get(type_)
    if ok is not None and ok(value):
        return None
    if type_ in REFERENCE_TYPES:
        if isinstance(value, ast.Token):
            return (f"a token cannot name {TYPES[type_]}: `{label}` needs its name", None)
        return (f"`{label}` needs {TYPES[type_]}, named by a name or a string, not {shown}", None)
    if type_ == "weekdays" and isinstance(value, ast.ListValue):
        if not value.items:
            return ("`weekdays=` lists no day, so the wait would never end", "write weekdays=[mon, tue, wed, thu, fri]")
        bad = next(i for i in value.items if not _is_word(i, WEEKDAYS))
        return (
            f"{show_value(bad)} is not a weekday; weekdays are {', '.join(WEEKDAYS)}",
            "write weekdays=[mon, tue, wed, thu, fri]",
        )
    if type_ == "moment_type":
        return (
            f"an interesting moment's type is web, email or milestone, not {shown}",
            'write `interesting_moment milestone "…"`',
        )
    if type_ == "source":
        return (
            f'`source=` is "flow_action" or "api", not {shown}',
            'write source="flow_action" (a flow\'s request_campaign) or source="api" (a scenario\'s request)',
        )
    if type_ == "duration" and isinstance(value, ast.Duration):
        return (f"a duration must be more than zero, not {shown}", None)
    hint = None
    if type_ in ("text", "value") and isinstance(value, ast.Ref):
        hint = f'write it in quotes: "{value}"'
    return (f"`{label}` needs {TYPES[type_]} here, not {shown}", hint)


def _set_score_problem(value) -> tuple[str, str]:
    return (
        f"`{value}` sets a score, and `=N` is only allowed as change_score's first argument, as a token's value "
        "or in `set`",
        f"write the number alone: {show_value(ast.Num(value.amount))}",
    )


def _is_word(value, words) -> bool:
    if isinstance(value, ast.Ref) and len(value.parts) == 1:
        return value.name in words
    return isinstance(value, ast.Str) and value.text in words


def _is_name(value) -> bool:
    return isinstance(value, ast.Ref) and len(value.parts) == 1 or isinstance(value, ast.Str)


# The steps that take `this_campaign` (`Param.this_campaign`), for a hint.
_THIS_CAMPAIGN_STEPS = " and ".join(
    f"`{s.name}`" for s in STEPS.values() if any(p.this_campaign for p in s.signature.params)
)


def _is_this_campaign(value) -> bool:
    return isinstance(value, ast.Ref) and value.parts == ("this_campaign",)


_SCALARS = (ast.Str, ast.Num, ast.DateTime, ast.Bool, ast.Null, ast.Token)

_OK = {
    "field": _is_name,
    "value": lambda v: (
        isinstance(v, _SCALARS)
        or (isinstance(v, ast.ScoreChange) and v.op == "+")
        or (isinstance(v, ast.Ref) and len(v.parts) == 1)
    ),
    "text": lambda v: isinstance(v, (ast.Str, ast.Token)) or (isinstance(v, ast.Ref) and len(v.parts) == 1),
    "number": lambda v: isinstance(v, ast.Num),
    "bool": lambda v: isinstance(v, ast.Bool),
    "duration": lambda v: isinstance(v, ast.Duration) and v.amount > 0,
    "datetime": lambda v: isinstance(v, ast.DateTime),
    "time": lambda v: isinstance(v, ast.TimeOfDay),
    "weekdays": lambda v: (
        isinstance(v, ast.ListValue) and bool(v.items) and all(_is_word(i, WEEKDAYS) for i in v.items)
    ),
    "moment_type": lambda v: _is_word(v, MOMENT_TYPES),
    "source": lambda v: _is_word(v, SOURCES),
    **{t: lambda v: isinstance(v, (ast.Ref, ast.Str)) for t in REFERENCE_TYPES},
}


# ---- hints ---------------------------------------------------------------------------


def _unknown_hints(name: str, table: dict, what: str, call=None) -> list[str]:
    hints = []
    if what != "step" and name in STEPS:
        hints.append(f"`{name}` is a flow step: it goes in a `flow`, not in a smart list")
    if what != "trigger" and name in TRIGGERS:
        hints.append(f"`{name}` is a trigger: write `trigger {name} …` in a smart list")
    if what != "condition" and name in CONDITIONS:
        hints.append(f"`{name}` is a condition: write `filter {name} …` in a smart list, or use it in `when`")
    if not hints:
        close = difflib.get_close_matches(name, list(table), n=1)
        if close:
            hints.append(f"did you mean `{close[0]}`?")
        elif what == "condition" and call is not None and len(call.args) == 1 and not call.kwargs:
            hints.append(f"to test a person field, write an operator: `{name} = {show_value(call.args[0])}`")
        else:
            hints.append(f"the {what}s are: {', '.join(table)}")
    return hints


def _declare_example(kind: str, name: str) -> str:
    quoted = f'"{name}"'
    return {
        "list": f"list {quoted}",
        "smart_list": f"smart_list {quoted} < filter … >",
        "email": f'email {quoted} < subject "…" from "…" >',
        "webhook": f'webhook {quoted} < url "https://…" method "POST" >',
    }[kind]
