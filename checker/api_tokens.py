"""My Tokens given through the API (`mkc run --token my.x=VALUE`, spec
section 10): a token that neither the campaign nor an executable it runs
with the parent's context uses would be ignored, so it is refused.

Which My Tokens a run can read: those written in the campaign's smart list,
flow and the emails and webhooks it uses, and, down every chain of
`execute_campaign … use_parent_token_context=true`, those of the
executables the context passes to (their own context does not see the API's
tokens). Walked with a work list: chains may be long or loop.
"""

from __future__ import annotations

import difflib

from mkc.checker.model import CampaignInfo, Model
from mkc.checker.tokens import campaign_uses, tokens_in


def api_token_uses(model: Model, campaign: CampaignInfo, given=()) -> set[str]:
    """The My Token names a run of `campaign` started through the API can read:
    those its flows write, and those the values of those tokens hold in turn,
    declared along the flows' scopes or `given` by the API itself (values)."""
    bound = model.bound
    names: set[str] = set()
    scopes = []
    seen: set[int] = set()
    todo = [campaign]
    while todo:
        c = todo.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        scopes.append(c.scope)
        names |= {u.name for u in campaign_uses(model, c) if u.scope == "my"}
        todo += [call.target for call in bound.calls(c) if call.parent_context]
    pending = [*names, *(u.name for value in given for u in tokens_in(value) if u.scope == "my")]
    names.update(pending)
    while pending:  # a token whose value holds another reads that one too
        name = pending.pop()
        for scope in scopes:
            found = model.lexical_token(scope, name)
            for use in tokens_in(found[0].value) if found else ():
                if use.scope == "my" and use.name not in names:
                    names.add(use.name)
                    pending.append(use.name)
    return names


def unused_api_token(model: Model, campaign: CampaignInfo, given: dict) -> str | None:
    """Why one of the `given` My Tokens (name -> value) would be ignored, or None."""
    used = api_token_uses(model, campaign, list(given.values()))
    for name in given:
        if name in used:
            continue
        shown = f"my.{name}" if name.replace("_", "").replace("-", "").isalnum() else f'my."{name}"'
        message = f"--token {shown}: {campaign.full_name} uses no My Token `{name}`"
        close = difflib.get_close_matches(name, sorted(used), n=1)
        if close:
            return f"{message}; did you mean my.{close[0]}?"
        listed = ", ".join(f"my.{n}" for n in sorted(used))
        return f"{message} (it uses {listed})" if used else f"{message} (it uses none)"
    return None
