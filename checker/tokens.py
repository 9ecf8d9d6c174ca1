"""Tokens (spec section 6): every `<<scope.name>>` a campaign uses must be
answerable in every token context the campaign can run in.

A non-executable runs in its own lexical context. An executable runs in the
context each `execute_campaign` gives it: with use_parent_token_context=true
the caller's (itself perhaps passed down), falling back to the executable's
own lexical chain for My Tokens; with false its own lexical context. An
executable nothing calls is not checked for My Tokens. API override tokens
exist only at run time and answer nothing here.

A missing token is reported at the token, or at the `execute_campaign` that
passes down a context lacking it. Codes: undefined-token, and bad-argument
for a declared token whose value is not one a My Token can hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from mkc.checker import walk
from mkc.checker.executables import Call, execute_calls
from mkc.checker.model import KIND_WORDS, CampaignInfo, Model, Scope
from mkc.checker.report import Report
from mkc.grammar import ast
from mkc.grammar.dump import show_value
from mkc.source import Span
from mkc.stdlib import TRIGGERS
from mkc.stdlib.triggers import token_key

TOKEN_RE = re.compile(r"<<([A-Za-z_]+)\.([^<>:\n]+?)(?::default=([^>\n]*))?>>")
KNOWN = {"system": ("date", "dateTime"), "campaign": ("name", "id", "description"), "program": ("name", "id")}
SCOPES = ("my", "lead", "campaign", "program", "member", "trigger", "system")
EMAIL_STEPS = {"send_email": "email", "send_alert": "email", "call_webhook": "webhook"}
MAX_CHAIN = 5  # a starting campaign and four levels: one beyond the nesting limit


@attrs.frozen
class Use:
    """One token written somewhere, and who owns the place it is written."""

    scope: str
    name: str
    text: str
    span: Span | None
    owner: CampaignInfo | None


@attrs.frozen(eq=False)
class Context:
    """What answers a campaign's tokens in one way it can run."""

    chains: tuple[Scope, ...]  # my.* is looked up along each scope's lexical chain, in order
    trigger: frozenset[str]  # the triggers that can start it (none: trigger.* is unknown)
    origin: Call | None = None  # the execute_campaign that passed this context down
    check_my: bool = True


def check(model: Model, report: Report) -> None:
    _declared_values(model, report)
    contexts = token_contexts(model)
    reported: set = set()
    for c in model.campaigns:
        uses = list(campaign_uses(model, c))
        for ctx in contexts.get(id(c), ()):
            for use in uses:
                _check_use(model, c, ctx, use, report, reported)
    # Emails and webhooks no flow uses still must not name an unknown token.
    for scope in model.all_scopes:
        for kind in ("email", "webhook"):
            for asset in scope.assets.get(kind, {}).values():
                for prop in asset.props:
                    for use in tokens_in(prop.value):
                        problem = context_free_problem(use)
                        if problem is not None:
                            _report(use, problem, True, None, report, reported)


# ---- where tokens are written ------------------------------------------------------


def tokens_in(value, owner: CampaignInfo | None = None) -> Iterator[Use]:
    """The tokens a value holds: a token itself, or tokens inside a string."""
    for v in walk.values(value):
        if isinstance(v, ast.Token):
            yield Use(v.scope, v.name, str(v), v.span, owner)
        elif isinstance(v, ast.Str):
            for m in TOKEN_RE.finditer(v.text):
                span = v.span
                if span is not None:
                    col = span.column + 1 + m.start()
                    span = Span(span.file, span.line, col, span.line, col + len(m.group(0)))
                yield Use(m.group(1), m.group(2).strip(), m.group(0), span, owner)


def campaign_uses(model: Model, c: CampaignInfo) -> Iterator[Use]:
    """Every token in a campaign's smart list and flow, and in the emails and
    webhooks its flow sends or calls."""
    if c.smart_list is not None:
        for trigger in c.smart_list.triggers:
            for v in walk.call_values(trigger):
                yield from tokens_in(v, c)
        for f in c.smart_list.filters:
            yield from _condition_uses(f.cond, c)
    for cond in walk.branch_conditions(c.steps):
        yield from _condition_uses(cond, c)
    for step in walk.steps(c.steps):
        for v in walk.call_values(step):
            yield from tokens_in(v, c)
        kind = EMAIL_STEPS.get(step.name)
        if kind and step.args and isinstance(step.args[0], (ast.Ref, ast.Str)):
            res = model.resolve(kind, step.args[0], c.scope)
            if res.ok:
                for prop in res.target.props:
                    yield from tokens_in(prop.value)


def _condition_uses(cond, owner) -> Iterator[Use]:
    for atom in walk.atoms(cond):
        values = atom.operands if isinstance(atom, ast.FieldCond) else list(walk.call_values(atom))
        for v in values:
            yield from tokens_in(v, owner)


# ---- the contexts a campaign runs in ---------------------------------------------------


def token_contexts(model: Model) -> dict[int, list[Context]]:
    """For each campaign (by id), the token contexts it can run in."""
    calls = execute_calls(model)
    contexts: dict[int, list[Context]] = {}
    seen: set = set()

    def enter(c: CampaignInfo, ctx: Context, path: tuple) -> None:
        key = (id(c), tuple(id(s) for s in ctx.chains), ctx.trigger, id(ctx.origin), ctx.check_my)
        if key in seen:
            return
        seen.add(key)
        contexts.setdefault(id(c), []).append(ctx)
        if len(path) > MAX_CHAIN:
            return
        for call in calls.get(id(c), ()):
            t = call.target
            if any(p is t for p in path):
                continue  # a loop: reported as call-cycle
            if call.parent_context:
                passed = Context((*ctx.chains, t.scope), ctx.trigger, call, ctx.check_my)
            else:
                passed = Context((t.scope,), frozenset())
            enter(t, passed, (*path, t))

    # Campaigns that start flows run in their own lexical context.
    for c in model.campaigns:
        if c.kind != "executable":
            enter(c, Context((c.scope,), frozenset(t.name for t in c.triggers if t.name in TRIGGERS)), (c,))
    # An executable nothing calls never runs, so nobody knows its My Tokens;
    # what it calls with `false` still runs in its own context.
    called = {id(call.target) for cs in calls.values() for call in cs}
    for c in model.campaigns:
        if c.kind == "executable" and id(c) not in called:
            enter(c, Context((c.scope,), frozenset(), check_my=False), (c,))
    for c in model.campaigns:  # loops of executables that nothing else calls
        if c.kind == "executable" and id(c) not in contexts:
            enter(c, Context((c.scope,), frozenset(), check_my=False), (c,))
    return contexts


# ---- checking one use in one context ---------------------------------------------------


def _check_use(model: Model, c: CampaignInfo, ctx: Context, use: Use, report: Report, reported: set) -> None:
    problem = context_free_problem(use)
    at_token = True
    if problem is None and use.scope == "trigger" and not ctx.trigger:
        at_token = ctx.origin is None
        if at_token:
            problem = (
                f"`{use.text}` is known only in a trigger campaign (it describes the event that fired it), "
                f"and {c.full_name} is {KIND_WORDS[c.kind]}",
                "use a `lead.*` token, or execute this campaign from a trigger campaign with "
                "use_parent_token_context=true"
                if c.kind == "executable"
                else "use a `lead.*` token, or add a trigger to the smart list",
            )
        else:
            problem = (
                f"{c.full_name} uses `{use.text}` (line {_line(use)}), but this passes it a token context "
                "that no trigger started, so there is no trigger to describe",
                "execute it from a trigger campaign, or do not use `trigger.*` in it",
            )
    elif problem is None and use.scope == "trigger":
        lacking = sorted(TRIGGERS[t].title for t in ctx.trigger if not TRIGGERS[t].has_token(use.name))
        if lacking:
            at_token = ctx.origin is None
            problem = _missing_trigger_field(c, ctx, use, lacking)
    elif problem is None and use.scope == "my":
        if not ctx.check_my or any(model.lexical_token(s, use.name) for s in ctx.chains):
            return
        at_token = ctx.origin is None
        problem = _missing_my(model, c, ctx, use)
    if problem is not None:
        _report(use, problem, at_token, ctx, report, reported)


def context_free_problem(use: Use) -> tuple[str, str | None] | None:
    """What is wrong with a token wherever it runs: an unknown scope or name."""
    if use.scope in KNOWN and use.name not in KNOWN[use.scope]:
        known = ", ".join(f"`{use.scope}.{n}`" for n in KNOWN[use.scope])
        return (f"there is no token `{use.scope}.{use.name}`: the {use.scope} tokens are {known}", None)
    if use.scope not in SCOPES:
        return (f"`{use.text}` has an unknown scope `{use.scope}`: token scopes are {', '.join(SCOPES)}", None)
    return None


def _report(use: Use, problem, at_token: bool, ctx: Context | None, report: Report, reported: set) -> None:
    if at_token:
        span, owner = use.span, use.owner
    else:
        span, owner = ctx.origin.step.span, ctx.origin.caller
    key = (span, use.text, at_token, id(owner))
    if key in reported:
        return
    reported.add(key)
    report.error("undefined-token", problem[0], span, *([problem[1]] if problem[1] else []), owner=owner)


def _missing_my(model: Model, c: CampaignInfo, ctx: Context, use: Use) -> tuple[str, str]:
    token = f"my.{use.name}"
    elsewhere = sorted({s.label for s in model.all_scopes if use.name in s.tokens})
    if ctx.origin is None:
        where = _chain_words(c.scope)
        message = f"{c.full_name} has no My Token `{token}`: it is not declared in {where}"
        if use.text.find(":default=") >= 0:
            message += " (`:default=` applies only to person fields)"
        if elsewhere:
            hint = f"`{token}` is declared in {', '.join(elsewhere)}, which {c.name} does not inherit from"
            if c.kind == "executable":
                hint += "; to take it from the caller, execute with use_parent_token_context=true"
        else:
            hint = f"declare it: `tokens < {token} = … >` in {c.scope.label}"
        return message, hint
    call = ctx.origin
    return (
        f"`execute_campaign {call.target.name} use_parent_token_context=true` gives {call.target.name} a token "
        f"context without `{token}`, which it uses (line {_line(use)}), and {call.target.name}'s own "
        f"{_chain_words(call.target.scope)} do not declare it either",
        f"declare `{token}` for {call.caller.full_name}, or in {call.target.scope.label}",
    )


def _missing_trigger_field(c: CampaignInfo, ctx: Context, use: Use, lacking: list[str]) -> tuple[str, str]:
    """A `trigger.*` token that some trigger able to start the campaign does not have (spec section 6)."""
    words = " and ".join(f"`{t}`" for t in lacking)
    one = TRIGGERS[min(t for t in ctx.trigger if TRIGGERS[t].title in lacking)]
    has = ", ".join(f"`trigger.{n}`" for n in one.tokens)
    if ctx.origin is None:
        message = f"`{use.text}` is unknown when {words} starts {c.full_name}: {one.title} has {has}"
    else:
        message = (
            f"{c.full_name} uses `{use.text}` (line {_line(use)}), but this passes it the context of "
            f"{words}, which has only {has}"
        )
    if token_key(use.name) in ("oldvalue", "newvalue"):
        return message, "old and new values come with data_value_changes, score_is_changed and program_status_changes"
    return message, "write one of those"


def _chain_words(scope: Scope) -> str:
    labels = [s.label if s.kind != "root" else "the root" for s in scope.chain()]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _line(use: Use) -> str:
    return str(use.span.line) if use.span else "?"


# ---- declared values ---------------------------------------------------------------------


def declared_value_problem(value) -> str | None:
    """Why a value cannot be a My Token's, or None."""
    if isinstance(value, (ast.ScoreChange, ast.Num, ast.Str, ast.DateTime, ast.Bool)):
        return None
    if isinstance(value, ast.Ref) and len(value.parts) == 1:
        return None  # a bare word, taken as text
    return f"a My Token holds a score change, number, string, date-time or boolean, not {show_value(value)}"


def _declared_values(model: Model, report: Report) -> None:
    for scope in model.all_scopes:
        for decl in scope.tokens.values():
            problem = declared_value_problem(decl.value)
            if problem:
                report.error("bad-argument", problem, decl.value.span)
