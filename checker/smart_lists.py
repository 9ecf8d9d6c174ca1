"""Smart lists: the `logic` line, triggers in smart list assets, and smart
lists that contain themselves.

Codes: bad-argument for a logic line that cannot be read (including `and`
mixed with `or` without parentheses) and for a trigger in a smart list
asset; invalid-smart-list (a warning) for a logic line naming a filter
number that does not exist and for a smart list that, through
`member_of_smart_list`, contains itself.
"""

from __future__ import annotations

import re

from mkc.checker import walk
from mkc.checker.model import Model, Scope
from mkc.checker.report import Report
from mkc.grammar import ast


def check(model: Model, report: Report) -> None:
    for c in model.campaigns:
        if c.smart_list is not None:
            check_logic(c.smart_list, report, c)
    assets = list(walk.smart_list_assets(model))
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


# ---- logic ---------------------------------------------------------------------

_LEX = re.compile(r"\s*(?:(\d+)|([A-Za-z_]+)|(.))")
# Parentheses and `not`s open at once. Marketo's logic lines are short; the
# limit keeps a pathological line from exhausting the interpreter's stack.
MAX_LOGIC_DEPTH = 100


class LogicError(Exception):
    pass


def parse_logic(text: str) -> list[int]:
    """The filter numbers a logic string uses; LogicError when it is malformed.

    `all`, `any`, or numbers joined by `and`/`or` (any case), `not`, and
    parentheses; `and` and `or` at one level need parentheses to mix.
    """
    if text.strip().lower() in ("all", "any"):
        return []
    tokens: list[str] = []
    for m in _LEX.finditer(text):
        number, word, other = m.groups()
        if number:
            tokens.append(number)
        elif word:
            if word.lower() not in ("and", "or", "not"):
                raise LogicError(f"`{word}` is not a filter number, `and`, `or` or `not`")
            tokens.append(word.lower())
        elif other and not other.isspace():
            if other not in "()":
                raise LogicError(f"`{other}` cannot stand in a logic line")
            tokens.append(other)
    if not tokens:
        raise LogicError("the logic line is empty")
    # One pass, no recursion. Each open parenthesis (and the line itself) has
    # a frame: the `and`/`or` used at that level so far, and the `not`s
    # written just before its `(`, which close with it.
    numbers: list[int] = []
    frames: list[list] = [[None, 0]]
    operand = True  # a filter number, `not` or `(` comes next
    nots = 0  # `not`s in a row before the coming operand
    depth = 0  # parentheses and `not`s open now
    for tok in tokens:
        if operand:
            if tok in ("not", "("):
                depth += 1
                if depth > MAX_LOGIC_DEPTH:
                    raise LogicError(
                        f"parentheses and `not` nest more than {MAX_LOGIC_DEPTH} deep; write the line more simply"
                    )
                if tok == "not":
                    nots += 1
                else:
                    frames.append([None, nots])
                    nots = 0
            elif tok.isdigit():
                numbers.append(int(tok))
                operand, depth, nots = False, depth - nots, 0
            else:
                raise LogicError(f"`{tok}` where a filter number was expected")
        elif tok in ("and", "or"):
            if frames[-1][0] is not None and frames[-1][0] != tok:
                raise LogicError("`and` and `or` are mixed without parentheses, so the meaning is unclear")
            frames[-1][0] = tok
            operand = True
        elif tok == ")" and len(frames) > 1:
            depth -= 1 + frames.pop()[1]
        elif len(frames) > 1:
            raise LogicError("a `(` is never closed")
        else:
            raise LogicError(f"unexpected `{tok}`")
    if operand:
        raise LogicError("the logic line ends where a filter number was expected")
    if len(frames) > 1:
        raise LogicError("a `(` is never closed")
    return numbers


def check_logic(body: ast.SmartList, report: Report, owner=None) -> None:
    logic = body.logic
    if logic is None:
        return
    try:
        numbers = parse_logic(logic.text)
    except LogicError as err:
        report.error(
            "bad-argument",
            f"this logic cannot be read: {err}",
            logic.span,
            'write `all`, `any`, or numbers with and/or/not and parentheses, as in "1 and (2 or 3)"',
            owner=owner,
        )
        return
    count = len(body.filters)
    for n in dict.fromkeys(numbers):
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
