"""Calling contexts: every way a campaign can come to run, and where each of
its My Tokens comes from in each (spec section 6).

A campaign that is not an executable runs in its own lexical context, or,
started through the API (a scenario's `request`/`schedule` with `tokens`),
with those overrides first. An executable runs in the context each chain of
`execute_campaign` steps gives it: with use_parent_token_context=true the
caller's whole context (overrides included), falling back to the
executable's own lexical chain; with false its own lexical context. This is
the checker's model of contexts (checker/tokens.py), kept per calling chain
so that each chain can be named.
"""

from __future__ import annotations

import attrs

from mkc.checker.bound import ApiStart, Chain, Execute
from mkc.checker.executables import MAX_LEVELS
from mkc.checker.model import CampaignInfo, Model, Scope
from mkc.grammar import ast


def api_label(api: ApiStart) -> str:
    word = "request" if isinstance(api.command, ast.Request) else "schedule"
    line = api.command.span.line if api.command.span else "?"
    return f'API {word} in scenario "{api.scenario.name}" (line {line})'


@attrs.frozen(eq=False)
class RunContext:
    """One way `campaign` comes to run: started itself (`calls` empty), or at
    the end of a chain of execute_campaign steps from a starting campaign."""

    campaign: CampaignInfo
    calls: tuple[Execute, ...] = ()
    api: ApiStart | None = None  # overrides the starting campaign was given
    called: bool = True  # False: an executable that nothing executes

    @property
    def start(self) -> CampaignInfo:
        return self.calls[0].caller if self.calls else self.campaign

    def describe(self) -> str:
        """`own context`, or the chain: `A > B (parent context)`."""
        if not self.called:
            return "no campaign executes it; its own context"
        head = api_label(self.api) + ", " if self.api else ""
        if not self.calls:
            return head + "its own context"
        names = " > ".join([self.start.full_name, *(call.target.full_name for call in self.calls)])
        kind = "parent context" if self.calls[-1].parent_context else "own context"
        return f"{head}{names} ({kind})"

    def chain(self) -> Chain:
        """Where My Tokens are looked up at the end of the chain of calls."""
        chain = Chain.of(self.start)
        for call in self.calls:
            chain = chain.through(call)
        return chain

    def api_reaches(self) -> bool:
        """Whether the API overrides are still in force at the end of the chain."""
        return self.api is not None and all(call.parent_context for call in self.calls)

    def my(self, model: Model, name: str) -> TokenSource | None:
        """Where `my.NAME` comes from in this context, or None."""
        given = self.api.tokens if self.api_reaches() else {}
        if name in given:
            decl = given[name]
            return TokenSource(decl.value, "API", None, self.start, decl)
        found = self.chain().lookup(model, name)
        if found is None:
            return None
        decl, where, owner = found
        return TokenSource(decl.value, where.label, where, owner if owner is not self.campaign else None, decl)


@attrs.frozen
class TokenSource:
    """A My Token's value in one context and where it came from."""

    value: object  # the declared AST value
    origin: str  # "API", or the declaring scope's label: root, workspace W, folder F, program P
    scope: Scope | None
    via: CampaignInfo | None  # the caller whose context passed it down (None: the campaign's own)
    decl: ast.TokenDecl

    def describe(self) -> str:
        if self.origin == "API":
            return "from the API"
        if self.via is not None:
            return f"passed down from {self.via.full_name}, declared in {self.origin}"
        return f"lexical, declared in {self.origin}"


def run_contexts(model: Model, max_levels: int = MAX_LEVELS) -> dict[int, list[RunContext]]:
    """For each campaign (by id), every context it can run in, in a stable
    order: its own start first, then chains in declaration and step order,
    then API starts. Chains stop at `max_levels` executables below the start
    (Marketo's limit) and never go round a loop."""
    calls = model.bound.calls
    out: dict[int, list[RunContext]] = {id(c): [] for c in model.campaigns}

    def descend(ctx: RunContext, depth: int) -> None:
        out[id(ctx.campaign)].append(ctx)
        if depth >= max_levels:
            return
        seen = {id(ctx.start), *(id(call.target) for call in ctx.calls)}
        for call in calls(ctx.campaign):
            if id(call.target) not in seen:
                descend(RunContext(call.target, (*ctx.calls, call), ctx.api), depth + 1)

    for c in model.campaigns:
        if c.kind != "executable":
            descend(RunContext(c), 0)
    for api in model.bound.api_starts:
        if api.tokens and api.campaign is not None and api.campaign.kind != "executable":
            descend(RunContext(api.campaign, (), api), 0)
    for c in model.campaigns:
        if not out[id(c)]:
            out[id(c)].append(RunContext(c, called=False))
    return out
