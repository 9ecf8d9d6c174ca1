"""`:tokens [CAMPAIGN]`: every token a campaign can see, and where it comes from.

Spec section 6: a campaign's `my.*` tokens come from its lexical chain
(program, folders, workspace, root), from a caller that passes its context
(`execute_campaign ... use_parent_token_context=true`), or from the API
(`request`/`schedule ... tokens < >`, `--token`) for one run.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from mkc.checker.model import CampaignInfo, Model, Scope
from mkc.grammar import ast, unparse
from mkc.grammar.dump import show_value


@attrs.frozen
class ApiTokens:
    """Tokens given through the API to one run: where they were given, and the values."""

    where: str  # e.g. `scenario "x"` or `this session`
    command: str  # e.g. `request Nurture for ann`
    decls: tuple[ast.TokenDecl, ...]


def scope_label(scope: Scope) -> str:
    if scope.kind == "program" and getattr(scope, "implicit", False):
        return f"workspace {scope.name} (root program)"
    return scope.label


def lexical(campaign: CampaignInfo) -> list[tuple[ast.TokenDecl, Scope, list[Scope]]]:
    """Each `my.*` token the campaign sees lexically: the winning declaration,
    its scope, and the outer scopes whose declaration of the name it overrides."""
    found: dict[str, tuple[ast.TokenDecl, Scope, list[Scope]]] = {}
    for scope in campaign.scope.chain():
        for name, decl in scope.tokens.items():
            if name in found:
                found[name][2].append(scope)
            else:
                found[name] = (decl, scope, [])
    return list(found.values())


def report(model: Model, campaign: CampaignInfo, api_of: Callable[[CampaignInfo], list[ApiTokens]]) -> list[str]:
    """The `:tokens` listing; `api_of(c)` gives the API tokens known to have been given to `c`."""
    lines = [f"tokens of {campaign.full_name} ({campaign.kind} campaign, workspace {campaign.workspace})"]
    lines.append("  lexical (own program, then folders, workspace, root):")
    lines += _aligned(_lexical_rows(campaign), "    ") or ["    (no My Tokens)"]
    if campaign.kind == "executable":
        lines.append("  parent (callers that pass their context, API tokens included):")
        parent = _parent_lines(model, campaign, api_of, "    ", seen={id(campaign)})
        lines += parent or ["    (no caller uses use_parent_token_context=true)"]
    else:
        lines.append("  API (given to one run, before any declared token):")
        lines += _aligned(_api_rows(api_of(campaign)), "    ") or [
            "    (none given; e.g. `request C for ann tokens < my.x = 1 >`)"
        ]
    lines.append("  campaign and program:")
    lines.append(f"    campaign.name = {campaign.full_name}")
    if campaign.description:
        lines.append(f"    campaign.description = {show_value(ast.Str(campaign.description))}")
    lines.append(f"    program.name = {campaign.program.name}")
    return lines


def _name(name: str) -> str:
    return name if name.isidentifier() else f'"{name}"'


def _lexical_rows(campaign: CampaignInfo) -> list[tuple[str, str]]:
    rows = []
    for decl, scope, overridden in lexical(campaign):
        note = ""
        if overridden:
            note = "  (overrides " + ", ".join(scope_label(s) for s in overridden) + ")"
        rows.append((f"my.{_name(decl.name)} = {show_value(decl.value)}", scope_label(scope) + note))
    return rows


def _api_rows(given: list[ApiTokens]) -> list[tuple[str, str]]:
    return [
        (f"my.{_name(d.name)} = {show_value(d.value)}", f"API, from {api.where}: {api.command}")
        for api in given
        for d in api.decls
    ]


def _aligned(rows: list[tuple[str, str]], pad: str) -> list[str]:
    width = max((len(text) for text, _ in rows), default=0)
    return [f"{pad}{text.ljust(width)}  {where}" for text, where in rows]


def _parent_lines(model: Model, campaign: CampaignInfo, api_of, pad: str, seen: set[int]) -> list[str]:
    """The callers that pass `campaign` their context, and theirs above them.
    With a stack, not recursion: executables can pass it on a thousand deep."""
    lines: list[str] = []
    bound = model.bound
    todo: list = [(campaign, pad, seen)]  # last first: lines to add, or a campaign whose callers to list
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            lines += item
            continue
        campaign, pad, seen = item
        parts: list = []
        for edge in bound.callers(campaign):
            caller = edge.caller
            if not edge.parent_context:
                own = f"{caller.full_name} calls it with use_parent_token_context=false: its own lexical tokens apply"
                parts.append([pad + own])
                continue
            part = [f"{pad}from {caller.full_name} (use_parent_token_context=true):"]
            if caller.kind == "executable":
                if id(caller) not in seen:
                    parts += [part, (caller, pad + "  ", seen | {id(caller)})]
                    part = []
                part.append(f"{pad}  or, when {caller.full_name} runs in its own context:")
                rows = _lexical_rows(caller)
            else:
                rows = _api_rows(api_of(caller)) + _lexical_rows(caller)
            parts.append(part + (_aligned(rows, pad + "  ") or [f"{pad}  (no My Tokens)"]))
        todo += reversed(parts)
    return lines


def api_tokens_in_scenarios(model: Model, campaign: CampaignInfo) -> list[ApiTokens]:
    """API tokens the program's scenarios give the campaign (`request`/`schedule ... tokens < >`)."""
    return [
        ApiTokens(f'scenario "{api.scenario.name}"', describe_command(api.command), api.command.tokens.decls)
        for api in model.bound.api_starts
        if api.command.tokens and api.campaign is campaign
    ]


def describe_command(command) -> str:
    """A `request` or `schedule` as written, without the tokens it gives (they are listed beside it)."""
    return unparse.command(attrs.evolve(command, tokens=None))
