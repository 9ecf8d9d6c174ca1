"""Tokens (spec section 6): every `<<scope.name>>` a campaign uses must be
answerable in every token context the campaign can run in.

A non-executable runs in its own lexical context. An executable runs in the
context each `execute_campaign` gives it: with use_parent_token_context=true
the caller's (itself perhaps passed down), falling back to the executable's
own lexical chain for My Tokens; with false its own lexical context. An
executable nothing calls is not checked for My Tokens. API override tokens
exist only at run time and answer nothing here.

A missing token is reported at the token, or at the `execute_campaign` that
passes down a context lacking it. The tokens a My Token's value holds are
checked in the context that asks for it (`MyValues`). Codes:
undefined-token (also for My Tokens in a loop, or nested deeper than the
interpreter answers), and bad-argument for a declared token whose value is
not one a My Token can hold, or renders to more than MAX_RENDERED characters.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import attrs

from mkc.checker.bound import Chain, Execute
from mkc.checker.model import KIND_WORDS, CampaignInfo, Model, Scope
from mkc.checker.report import Report
from mkc.grammar import ast, template, walk
from mkc.grammar.dump import show_value
from mkc.source import Span
from mkc.stdlib import TRIGGERS
from mkc.stdlib.triggers import token_key

KNOWN = {"system": ("date", "dateTime"), "campaign": ("name", "id", "description"), "program": ("name", "id")}
SCOPES = ("my", "lead", "campaign", "program", "member", "trigger", "system")
MAX_CHAIN = 5  # a starting campaign and four levels: one beyond the nesting limit
# What the interpreter refuses when it renders a My Token holding tokens
# (interpreter/tokens.py): tokens answered more than MAX_DEPTH levels below
# the one written (taken for a loop), and a rendered value longer than
# MAX_RENDERED characters. Keep both equal to the interpreter's.
MAX_DEPTH = 10
MAX_RENDERED = 1_000_000


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

    chain: Chain  # where my.* is looked up
    trigger: frozenset[str]  # the triggers that can start it (none: trigger.* is unknown)
    origin: Execute | None = None  # the execute_campaign that passed this context down
    check_my: bool = True


def check(model: Model, report: Report) -> None:
    _declared_values(model, report)
    contexts = executable_contexts(model)
    reported: set = set()
    values = MyValues(model, report)
    for c in model.campaigns:
        uses = list(campaign_uses(model, c))
        for ctx in contexts.get(c, ()) if c.kind == "executable" else (own_context(c),):
            for use in uses:
                _check_use(model, c, ctx, use, report, reported)
            # the tokens My Tokens hold are answered in the same context
            for use in values.nested(ctx.chain, uses):
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
            for found in template.tokens(v.text):
                span = v.span
                if span is not None:
                    col = span.column + 1 + found.start
                    span = Span(span.file, span.line, col, span.line, col + len(found.text))
                yield Use(found.token.scope, found.token.name, found.text, span, owner)


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
    for step in model.bound.steps_of(c):
        for v in walk.call_values(step.node):
            yield from tokens_in(v, c)
        renders = step.spec.renders if step.spec is not None else None
        asset = step.target(renders) if renders else None  # the email or webhook it renders
        if asset is not None:
            for prop in asset.props:
                yield from tokens_in(prop.value)


def _condition_uses(cond, owner) -> Iterator[Use]:
    for atom in walk.atoms(cond):
        values = atom.operands if isinstance(atom, ast.FieldCond) else list(walk.call_values(atom))
        for v in values:
            yield from tokens_in(v, owner)


# ---- the contexts a campaign runs in ---------------------------------------------------


def own_context(c: CampaignInfo) -> Context:
    """The one token context a campaign that is not executable runs in: its own lexical one."""
    return Context(Chain.of(c), _triggers(c))


def executable_contexts(model: Model) -> dict[CampaignInfo, list[Context]]:
    """For each executable campaign, the token contexts it can run in (any
    other runs in its own, `own_context`: not kept for thousands of campaigns)."""
    bound = model.bound
    contexts: dict[CampaignInfo, list[Context]] = {}
    seen: set = set()

    def enter(c: CampaignInfo, ctx: Context, path: tuple) -> None:
        """Depth-first from `c` along the calls, each campaign before those it calls."""
        todo = [(c, ctx, path)]
        while todo:
            c, ctx, path = todo.pop()
            if c.kind == "executable":  # the others are entered once each, below
                # Campaigns, scopes and calls compare as themselves (`eq=False`): no `id()`s, 32 bytes each.
                key = (c, ctx.chain.scopes, ctx.trigger, ctx.origin, ctx.check_my)
                if key in seen:
                    continue
                seen.add(key)
                contexts.setdefault(c, []).append(ctx)
            if len(path) > MAX_CHAIN:
                continue
            passed = []
            for call in bound.calls(c):
                t = call.target
                if any(p is t for p in path):
                    continue  # a loop: reported as call-cycle
                if call.parent_context:
                    passed.append((t, Context(ctx.chain.through(call), ctx.trigger, call, ctx.check_my), (*path, t)))
                else:
                    passed.append((t, Context(ctx.chain.through(call), NO_TRIGGERS), (*path, t)))
            todo += reversed(passed)

    # Campaigns that start flows run in their own lexical context.
    for c in model.campaigns:
        if c.kind != "executable":
            enter(c, own_context(c), (c,))
    # An executable nothing calls never runs, so nobody knows its My Tokens;
    # what it calls with `false` still runs in its own context.
    called = {id(call.target) for call in bound.executes if call.executable}
    for c in model.campaigns:
        if c.kind == "executable" and id(c) not in called:
            enter(c, Context(Chain.of(c), NO_TRIGGERS, check_my=False), (c,))
    for c in model.campaigns:  # loops of executables that nothing else calls
        if c.kind == "executable" and c not in contexts:
            enter(c, Context(Chain.of(c), NO_TRIGGERS, check_my=False), (c,))
    return contexts


NO_TRIGGERS: frozenset[str] = frozenset()  # one for every context: an empty frozenset is 216 bytes


def _triggers(c: CampaignInfo) -> frozenset[str]:
    names = [t.name for t in c.triggers if t.name in TRIGGERS]
    return frozenset(names) if names else NO_TRIGGERS


# ---- My Tokens holding tokens ------------------------------------------------------------


@attrs.define
class Measure:
    """What a My Token's value comes to in one chain of scopes, without rendering it."""

    size: int = 0  # characters it renders to, at least (tokens other than My Tokens count as empty)
    height: int = 0  # levels below the My Token that its deepest token is answered at
    loop: bool = False  # its value reaches a loop of My Tokens
    largest: int = 0  # the longest My Token it holds, rendered

    def add(self, inner: Measure) -> None:
        self.size += inner.size
        self.height = max(self.height, inner.height + 1)
        self.loop = self.loop or inner.loop
        self.largest = max(self.largest, inner.size)


class MyValues:
    """My Tokens whose values hold tokens, followed without rendering them.

    A token in a My Token's value is answered in the context that asked for
    the My Token, so what a value holds, how deep its tokens go and how long
    it renders depend on the `Chain` `my.*` is looked up along (a context's,
    or the root alone in a scenario). Each is found once
    per chain, by walks with their own stacks: chains of My Tokens can be
    thousands long, and ten levels of ten copies each are 10^10 characters.

    Reports: undefined-token at the token that closes a loop of My Tokens and
    at a token whose answer goes more than MAX_DEPTH levels deep (the
    interpreter takes both for a loop); bad-argument at a declaration whose
    value renders to more than MAX_RENDERED characters while each My Token
    it holds renders to fewer."""

    def __init__(self, model: Model, report: Report):
        self.model = model
        self.report = report
        self._measured: dict[tuple, dict[str, Measure]] = {}  # chain's scope ids -> name -> measure
        self._tokens: dict[int, list[Use]] = {}  # declaration id -> the tokens its value holds
        self._reported: set = set()

    def lookup(self, chain: Chain, name: str) -> ast.TokenDecl | None:
        found = chain.lookup(self.model, name)
        return found[0] if found is not None else None

    def tokens(self, decl: ast.TokenDecl) -> list[Use]:
        found = self._tokens.get(id(decl))
        if found is None:
            found = self._tokens[id(decl)] = list(tokens_in(decl.value))
        return found

    def nested(self, chain: Chain, uses) -> list[Use]:
        """Every token that the My Tokens among `uses` hold, directly or
        through other My Tokens (each declaration's once), to be checked in
        the same context; loops, depth and size are reported here."""
        out: list[Use] = []
        seen: set[int] = set()
        todo = [use for use in uses if use.scope == "my"]
        for use in todo:
            measure = self.measure(chain, use.name)
            if measure is not None and not measure.loop and measure.height > MAX_DEPTH:
                self._once(
                    ("depth", use.span, id(use.owner)),
                    "undefined-token",
                    f"`{use.text}` holds tokens {measure.height} levels deep (My Tokens holding My Tokens), and "
                    f"mkc answers at most {MAX_DEPTH} levels below the token written: deeper is taken for a loop",
                    use.span,
                    "have the deepest My Tokens hold their text instead of more tokens",
                    owner=use.owner,
                )
        while todo:
            decl = self.lookup(chain, todo.pop().name)
            if decl is None or id(decl) in seen:
                continue
            seen.add(id(decl))
            inner = self.tokens(decl)
            out += inner
            todo += [use for use in inner if use.scope == "my"]
        return out

    def measure(self, chain: Chain, name: str) -> Measure | None:
        """`my.NAME`'s measure along `chain`, or None when no scope declares it."""
        done = self._measured.setdefault(tuple(map(id, chain.scopes)), {})
        if name in done:
            return done[name]
        decl = self.lookup(chain, name)
        if decl is None:
            return None
        # Depth-first; each frame: the name, its declaration, the tokens left
        # to look at, and the measure so far.
        stack = [(name, decl, iter(self.tokens(decl)), self._literal(decl))]
        open_at = {name: 0}  # name -> its frame's place on the stack
        while stack:
            _, _, todo, measure = stack[-1]
            for use in todo:
                if use.scope != "my":
                    measure.height = max(measure.height, 1)
                elif use.name in open_at:
                    self._loop([frame[0] for frame in stack[open_at[use.name] :]], use)
                    measure.loop = True
                elif use.name in done:
                    measure.add(done[use.name])
                elif (inner := self.lookup(chain, use.name)) is None:
                    measure.height = max(measure.height, 1)  # undefined: reported as such, or its default
                    measure.size += len(_default(use) or "")
                else:
                    open_at[use.name] = len(stack)
                    stack.append((use.name, inner, iter(self.tokens(inner)), self._literal(inner)))
                    break
            else:
                name_, decl_, _, measure = stack.pop()
                del open_at[name_]
                done[name_] = measure
                if not measure.loop and measure.size > MAX_RENDERED >= measure.largest:
                    self._too_long(name_, decl_, measure)
                if stack:
                    stack[-1][3].add(measure)
        return done[name]

    def _literal(self, decl: ast.TokenDecl) -> Measure:
        """The measure of a value's own text, its tokens left out."""
        value = decl.value
        if isinstance(value, ast.Str):
            return Measure(len(value.text) - sum(len(use.text) for use in self.tokens(decl)))
        return Measure(len(show_value(value)))

    def _loop(self, names: list[str], use: Use) -> None:
        chain = " > ".join(f"my.{n}" for n in [*names, use.name])
        self._once(
            ("loop", use.span),
            "undefined-token",
            f"My Tokens refer to each other in a loop ({chain}), so `{use.text}` can never be answered",
            use.span,
            "break the loop: have one of them hold its text instead of the other token",
        )

    def _too_long(self, name: str, decl: ast.TokenDecl, measure: Measure) -> None:
        self._once(
            ("size", id(decl)),
            "bad-argument",
            f"`my.{name}` renders to at least {measure.size:,} characters through the My Tokens it holds, "
            f"more than the {MAX_RENDERED:,} a rendered value may have: every step using it would fail",
            decl.span,
            "hold each My Token fewer times, or write the text it should be",
        )

    def _once(self, key, code: str, message: str, span, hint: str, owner=None) -> None:
        if key not in self._reported:
            self._reported.add(key)
            self.report.error(code, message, span, hint, owner=owner)


def _default(use: Use) -> str | None:
    token = template.parse_token(use.text)
    return token.default if token else None


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
        if not ctx.check_my or ctx.chain.lookup(model, use.name) is not None:
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


def my_token_text(name: str) -> str:
    """A My Token's name as written in a declaration: quoted when it is not a plain name."""
    return f"my.{name}" if name.isidentifier() else f'my."{name}"'


def _missing_my(model: Model, c: CampaignInfo, ctx: Context, use: Use) -> tuple[str, str]:
    token = f"my.{use.name}"
    elsewhere = sorted({s.label for s in model.all_scopes if use.name in s.tokens})
    known = sorted({name for start in ctx.chain.scopes for scope in start.chain() for name in scope.tokens})
    close = difflib.get_close_matches(use.name, known, n=1)
    if close and ctx.origin is None:
        message = f"{c.full_name} has no My Token `{token}`: it is not declared in {_chain_words(c.scope)}"
        return message, f"did you mean `<<my.{close[0]}>>`?"
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
            hint = f"declare it: `tokens < {my_token_text(use.name)} = … >` in {c.scope.label}"
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
