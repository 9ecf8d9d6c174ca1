"""Token contexts and string rendering (spec section 6).

A `TokenContext` answers `my.*`, `campaign.*`, `program.*`, `member.*` and
`trigger.*` for one run: lexically from its campaign, with API overrides
first, and, when a caller passes its context down with
`use_parent_token_context=true`, falling back to each executable's own
lexical chain for My Tokens. `lead.*` and `system.*` come from the person and
the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import attrs

from mkc.checker.model import CampaignInfo, Scope
from mkc.checker.tokens import TOKEN_RE
from mkc.grammar import ast
from mkc.stdlib.values import from_literal, is_empty, text

MAX_DEPTH = 10  # My Tokens holding tokens: deeper than this is a loop


class TokenError(Exception):
    """A token that cannot be answered at run time (a Failed Step in a flow)."""


@attrs.frozen
class TokenContext:
    campaign: CampaignInfo | None  # answers campaign.*, program.*, member.*; its scope starts my.*
    overrides: Mapping[str, object] = attrs.Factory(dict)  # API My Tokens: name -> AST value
    trigger: Mapping[str, object] | None = None  # the event that fired a trigger campaign
    fallbacks: tuple[Scope, ...] = ()  # executables' own scopes, when a context was passed down

    def passed_to(self, child: CampaignInfo) -> TokenContext:
        """This whole context, sent to `child` by `use_parent_token_context=true`."""
        return attrs.evolve(self, fallbacks=(*self.fallbacks, child.scope))

    def my(self, model, name: str):
        """The AST value of `my.NAME`, or None: API overrides, the campaign's
        lexical chain, then each fallback chain."""
        if name in self.overrides:
            return self.overrides[name]
        first = [self.campaign.scope] if self.campaign is not None else [model.root]
        for scope in (*first, *self.fallbacks):
            found = model.lexical_token(scope, name)
            if found is not None:
                return found[0].value
        return None


class Tokens:
    """Answers tokens for one person (or none) in one context."""

    def __init__(self, runtime, context: TokenContext, handle: str | None):
        self.rt = runtime
        self.context = context
        self.handle = handle

    def value(self, node, depth: int = 0):
        """The run-time value of an argument: a token is answered, a string rendered."""
        if isinstance(node, ast.Token):
            return self.answer(node, depth)
        if isinstance(node, ast.Str):
            return self.render(node.text, depth)
        if isinstance(node, ast.ListValue):
            return tuple(self.value(v, depth) for v in node.items)
        return from_literal(node)

    def render(self, template: str, depth: int = 0) -> str:
        return TOKEN_RE.sub(lambda m: text(self.answer(_token(m), depth)), template)

    def answer(self, token: ast.Token, depth: int = 0):
        if depth > MAX_DEPTH:
            raise TokenError(f"{_show(token)}: My Tokens refer to each other in a loop")
        try:
            found = self._lookup(token, depth)
        except TokenError:
            if token.default is None:
                raise
            return token.default
        if is_empty(found) and token.default is not None:
            return token.default
        return found

    def _lookup(self, token: ast.Token, depth: int):
        scope, name = token.scope.casefold(), token.name
        ctx, rt = self.context, self.rt
        if scope == "my":
            value = ctx.my(rt.model, name)
            if value is None:
                raise TokenError(f"{_show(token)} is not defined in this campaign's token context")
            return self.value(value, depth + 1)
        if scope == "lead":
            person = rt.person(self.handle) if self.handle else None
            if person is None:
                raise TokenError(f"{_show(token)}: there is no person here")
            return person.get(name)
        key = _normal(name)
        if scope == "system":
            if key in SYSTEM:
                return SYSTEM[key](rt.now)
            raise TokenError(f"{_show(token)}: system tokens are date, dateTime and time")
        if scope == "trigger":
            if ctx.trigger is None:
                raise TokenError(f"{_show(token)}: this campaign was not started by a trigger")
            if key not in ctx.trigger:
                raise TokenError(f"{_show(token)}: the trigger that started this campaign has no {name}")
            return ctx.trigger[key]
        campaign = ctx.campaign
        if scope in ("campaign", "program", "member") and campaign is None:
            raise TokenError(f"{_show(token)}: no campaign is running")
        if scope == "campaign" and key in ("name", "id", "description"):
            return {"name": campaign.full_name, "id": rt.keys.id_of(campaign), "description": campaign.description}[key]
        if scope == "program" and key in ("name", "id"):
            return campaign.program.name if key == "name" else rt.keys.id_of(campaign.program)
        if scope == "member" and key == "status":
            person = rt.person(self.handle) if self.handle else None
            return person.programs.get(rt.keys(campaign.program)) if person else None
        raise TokenError(f"{_show(token)} is not a token mkc knows")


SYSTEM = {
    "date": lambda now: now.date().isoformat(),
    "datetime": ast.format_datetime,
    "time": lambda now: now.strftime("%H:%M"),
}


def _normal(name: str) -> str:
    """`Trigger Name`, `trigger_name` and `triggerName` are one name."""
    return re.sub(r"[\s_]+", "", name).casefold()


def _token(m: re.Match) -> ast.Token:
    return ast.Token(m.group(1), m.group(2).strip(), m.group(3))


def _show(token: ast.Token) -> str:
    return f"<<{token.scope}.{token.name}>>"


def trigger_tokens(event, title: str) -> dict:
    """`trigger.*` for an event: name, trigger_name, and old/new values of a change.
    Keys are normalised like token names (`Trigger Name` and `trigger_name` agree)."""
    tokens = {"name": event.name, "triggername": title}
    if "old" in event.data or "new" in event.data:
        tokens["oldvalue"] = event.data.get("old")
        tokens["newvalue"] = event.data.get("new")
    return tokens


# ---- API token values written on the command line ---------------------------------

_SCORE = re.compile(r"(=)?([+-]?\d+(\.\d+)?)")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{1,2}:\d{2})?")


def parse_datetime(text_: str) -> ast.DateTime:
    """`2026-01-05` or `2026-01-05T09:00`; ValueError otherwise."""
    if not _DATETIME.fullmatch(text_.strip()):
        raise ValueError(f"`{text_}` is not a date or date-time such as 2026-01-05T09:00")
    value = dt.datetime.fromisoformat(text_.strip())
    return ast.DateTime(value, "T" in text_)


def parse_token_value(text_: str):
    """A `--token` value as the AST value a `tokens < >` block would hold:
    `+7`, `-5`, `=0` are score changes, then numbers, booleans, date-times,
    a quoted string, and anything else is text."""
    raw = text_.strip()
    m = _SCORE.fullmatch(raw)
    if m and (m.group(1) or raw[0] in "+-"):
        amount = float(m.group(2)) if m.group(3) else int(m.group(2))
        return ast.ScoreChange("=" if m.group(1) else "+", amount)
    if m:
        return ast.Num(float(raw) if "." in raw else int(raw))
    if raw in ("true", "false"):
        return ast.Bool(raw == "true")
    if _DATETIME.fullmatch(raw):
        try:
            return parse_datetime(raw)
        except ValueError:
            pass
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    return ast.Str(raw)


def parse_token_option(option: str) -> tuple[str, object]:
    """`my.NAME=VALUE` -> (NAME, AST value); ValueError with a readable message."""
    name, sep, value = option.partition("=")
    name = name.strip()
    if not sep or not name.startswith("my.") or not name[3:].strip():
        raise ValueError(f"--token {option!r}: write my.NAME=VALUE, as in --token my.score=+7")
    return name[3:].strip(), parse_token_value(value)
