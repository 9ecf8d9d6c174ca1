"""Smart lists: the `logic` line, triggers in smart list assets, and smart
lists that contain themselves.

Codes: bad-argument for a logic line that cannot be read (including `and`
mixed with `or` without parentheses) and for a trigger in a smart list
asset; invalid-smart-list (a warning) for a logic line naming a filter
number that does not exist and for a smart list that, through
`member_of_smart_list`, contains itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from mkc.checker.model import Model, Scope
from mkc.checker.report import Report
from mkc.grammar import ast, walk
from mkc.grammar import logic as logic_line


def check(model: Model, report: Report) -> None:
    for c in model.campaigns:
        if c.smart_list is not None:
            check_logic(c.smart_list, report, c)
    assets = list(smart_list_assets(model))
    for asset, _scope in assets:
        check_logic(asset.body, report)
        for trigger in asset.body.triggers:
            report.error(
                "bad-argument",
                f"smart list `{asset.name}` is a reusable list of filters: Marketo allows triggers only in a "
                "campaign's smart list",
                trigger.span,
                f"move `trigger {trigger.name}` into the smart list of the campaign that uses `{asset.name}`",
            )
    _self_containing(model, report, assets)


def smart_list_assets(model: Model) -> Iterator[tuple[ast.SmartListAsset, Scope]]:
    """Every smart list asset, with the scope it is declared in."""
    for scope in model.all_scopes:
        for asset in scope.assets.get("smart_list", {}).values():
            yield asset, scope


# ---- logic ---------------------------------------------------------------------


def check_logic(body: ast.SmartList, report: Report, owner=None) -> None:
    logic = body.logic
    if logic is None:
        return
    try:
        tree = logic_line.parse(logic.text)
    except logic_line.LogicError as err:
        report.error(
            "bad-argument",
            f"this logic cannot be read: {err}",
            logic.span,
            'write `all`, `any`, or numbers with and/or/not and parentheses, as in "1 and (2 or 3)"',
            owner=owner,
        )
        return
    count = len(body.filters)
    for n in dict.fromkeys(f.number for f in logic_line.filters(tree)):
        if not 1 <= n <= count:
            have = f"filters 1 to {count}" if count > 1 else ("filter 1" if count == 1 else "no filters")
            report.warning(
                "invalid-smart-list",
                f"the logic names filter {n}, but this smart list has {have}: nobody will qualify, as in Marketo",
                logic.span,
                "filters are numbered from 1 in order; triggers are not numbered",
                owner=owner,
            )


# ---- smart lists that contain themselves ------------------------------------------


def _self_containing(model: Model, report: Report, assets: list[tuple[ast.SmartListAsset, Scope]]) -> None:
    edges: dict[int, list[tuple[ast.SmartListAsset, ast.Ref | ast.Str]]] = {}
    for asset, scope in assets:
        out = edges.setdefault(id(asset), [])
        for f in asset.body.filters:
            for atom in walk.atoms(f.cond):
                if isinstance(atom, ast.FuncCond) and atom.name == "member_of_smart_list" and atom.args:
                    ref = atom.args[0]
                    if isinstance(ref, (ast.Ref, ast.Str)):
                        res = model.resolve("smart_list", ref, scope)
                        if res.ok:
                            out.append((res.target, ref))
    # Depth-first with an explicit stack (smart lists can refer to each other
    # a thousand deep): each entry is a list and what is left of its edges.
    state: dict[int, str] = {}
    for start, _scope in assets:
        if id(start) in state:
            continue
        state[id(start)] = "open"
        stack = [(start, iter(edges.get(id(start), ())))]
        while stack:
            asset, todo = stack[-1]
            for target, ref in todo:
                if state.get(id(target)) == "open":
                    report.warning(
                        "invalid-smart-list",
                        f"smart list `{target.name}` contains itself through `member_of_smart_list`: "
                        "nobody will qualify",
                        ref.span,
                        "Marketo does not let a smart list refer back to itself; break the loop",
                    )
                elif id(target) not in state:
                    state[id(target)] = "open"
                    stack.append((target, iter(edges.get(id(target), ()))))
                    break
            else:
                state[id(asset)] = "done"
                stack.pop()
