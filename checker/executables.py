"""Calling campaigns from flows (spec section 5).

Codes: not-executable (`execute_campaign` of a batch or trigger campaign),
executable-not-callable (`request_campaign` of an executable),
not-requestable (`request_campaign` of a campaign without a
`campaign_is_requested` trigger that admits flow actions), call-cycle
(executables that execute each other, at the step that closes the loop) and
nesting-too-deep (a fourth level of executables below the campaign that
starts the flow, at the step that goes one level too deep).
`cross-workspace-call` is reported where the reference is resolved
(checker/calls.py).
"""

from __future__ import annotations

from mkc.checker.model import KIND_WORDS, CampaignInfo, Model, ref_text
from mkc.checker.report import Report
from mkc.grammar import ast

MAX_LEVELS = 3  # Parent > Child > Child > Child


def check(model: Model, report: Report) -> None:
    bound = model.bound
    for c in model.campaigns:
        for step in bound.steps_of(c):
            if step.name in ("execute_campaign", "request_campaign"):
                target = step.target("campaign")
                if isinstance(target, CampaignInfo):
                    _target_kind(c, step.node, target, report)
    cycle_edges = _cycles(model, report)
    _nesting(model, cycle_edges, report)


def _target_kind(c: CampaignInfo, step: ast.Step, target: CampaignInfo, report: Report) -> None:
    ref = step.args[0]
    name = ref_text(ref)
    if step.name == "execute_campaign":
        if target.kind == "executable":
            return
        hint = (
            f"run it in parallel with `request_campaign {name}` instead"
            if target.requestable_by("flow_action")
            else f"declare it `campaign {target.name} executable < … >` (without triggers)"
        )
        report.error(
            "not-executable",
            f"`execute_campaign` runs only executable campaigns, and {target.full_name} is {KIND_WORDS[target.kind]}",
            ref.span,
            hint,
            owner=c,
        )
        return
    if target.kind == "executable":
        report.error(
            "executable-not-callable",
            f"{target.full_name} is an executable campaign: it can only be executed, never requested",
            ref.span,
            f"write `execute_campaign {name}`",
            owner=c,
        )
    elif not target.requestable_by("flow_action"):
        if any(t.name == "campaign_is_requested" for t in target.triggers):
            why = 'its `campaign_is_requested` trigger admits only source="api"'
            hint = 'drop `source="api"` from its trigger, or write source="flow_action"'
        else:
            why = "it has no `campaign_is_requested` trigger"
            hint = f"add `trigger campaign_is_requested` to the smart list of {target.full_name}"
        report.error(
            "not-requestable", f"{target.full_name} cannot be requested from a flow: {why}", ref.span, hint, owner=c
        )


def _cycles(model: Model, report: Report) -> set[int]:
    """Report each step that closes a loop of executables; give the ids of
    every call that lies on a loop (they do not count for nesting)."""
    # Depth-first with an explicit stack, as chains of executables can be a
    # thousand long: `path` holds the open campaigns, `stack` what is left of
    # each one's calls.
    # Tables keyed by the campaigns themselves (they hash as themselves, no
    # `id()` to make), and only of those that call: a campaign that calls
    # nothing closes no loop.
    calls = model.bound.calls
    state: dict[CampaignInfo, str] = {}
    callers = [c for c in model.campaigns if calls(c)]
    for start in [c for c in callers if c.kind != "executable"] + callers:
        if start in state:
            continue
        state[start] = "open"
        path: list[CampaignInfo] = [start]
        stack = [iter(calls(start))]
        while stack:
            c = path[-1]
            for call in stack[-1]:
                t = call.target
                if state.get(t) == "open":
                    loop = path[next(i for i, p in enumerate(path) if p is t) :] + [t]
                    chain = _chain(loop)
                    report.error(
                        "call-cycle",
                        f"executable campaigns execute each other: {chain}; Marketo rejects a loop of executables",
                        call.step.span,
                        "break the loop: remove this `execute_campaign`, or move the shared steps into a "
                        "separate executable",
                        owner=c,
                    )
                elif t not in state:
                    state[t] = "open"
                    path.append(t)
                    stack.append(iter(calls(t)))
                    break
            else:
                state[c] = "done"
                path.pop()
                stack.pop()
    # A call lies on a loop when its caller and target are in one strongly
    # connected component (a call to itself included).
    component = _components(model, callers)
    return {
        id(call)
        for call in model.bound.executes
        if call.executable and component[call.caller] is component[call.target]
    }


def _chain(campaigns: list[CampaignInfo]) -> str:
    """`A > B > C`, with the middle of a long chain left out."""
    names = [c.name for c in campaigns]
    if len(names) > 12:
        names = [*names[:5], f"… ({len(names) - 10} more)", *names[-5:]]
    return " > ".join(names)


def _components(model: Model, callers: list[CampaignInfo]) -> dict[CampaignInfo, CampaignInfo]:
    """Each campaign's strongly connected component in the graph of calls
    (Tarjan's algorithm, without recursion), for the campaigns that call
    (`callers`) and those they call: campaign -> the component's first
    campaign visited."""
    calls = model.bound.calls
    index: dict[CampaignInfo, int] = {}
    low: dict[CampaignInfo, int] = {}
    component: dict[CampaignInfo, CampaignInfo] = {}
    members: list[CampaignInfo] = []  # Tarjan's stack: visited, component not yet known
    for start in callers:
        if start in index:
            continue
        index[start] = low[start] = len(index)
        members.append(start)
        path = [(start, iter(calls(start)))]
        while path:
            c, todo = path[-1]
            for call in todo:
                t = call.target
                if t not in index:
                    index[t] = low[t] = len(index)
                    members.append(t)
                    path.append((t, iter(calls(t))))
                    break
                if t not in component:  # still on Tarjan's stack
                    low[c] = min(low[c], index[t])
            else:
                path.pop()
                if path:
                    parent = path[-1][0]
                    low[parent] = min(low[parent], low[c])
                if low[c] == index[c]:
                    while True:
                        m = members.pop()
                        component[m] = c  # named by its root
                        if m is c:
                            break
    return component


def _nesting(model: Model, on_loop: set[int], report: Report) -> None:
    calls = model.bound.calls
    reported: set[tuple[int, int]] = set()
    # Levels count from each campaign that starts a flow, and from the top of
    # a chain of executables that nothing calls.
    called = {id(call.target) for call in model.bound.executes if call.executable}
    for root in model.campaigns:
        if root.kind == "executable" and id(root) in called:
            continue
        seen: set[tuple[int, int]] = set()
        todo: list[tuple[CampaignInfo, int, tuple[str, ...]]] = [(root, 0, (root.name,))]
        while todo:
            c, level, chain = todo.pop(0)
            for call in calls(c):
                if id(call) in on_loop:
                    continue
                deeper = (*chain, call.target.name)
                if level + 1 > MAX_LEVELS:
                    if (id(call.step), id(c)) not in reported:
                        reported.add((id(call.step), id(c)))
                        report.error(
                            "nesting-too-deep",
                            f"this is a fourth level of executable campaigns below "
                            f"{root.name}: {' > '.join(deeper)}; Marketo allows three "
                            "(Parent > Child > Child > Child)",
                            call.step.span,
                            f"have a campaign higher up execute {call.target.name} directly, or merge "
                            f"{call.target.name} into {c.name}",
                            owner=c,
                        )
                    continue
                if (id(call.target), level + 1) not in seen:
                    seen.add((id(call.target), level + 1))
                    todo.append((call.target, level + 1, deeper))
