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
    numbers: list[int] = []
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def unary():
        nonlocal pos
        tok = peek()
        if tok is None:
            raise LogicError("the logic line ends where a filter number was expected")
        pos += 1
        if tok == "not":
            unary()
        elif tok == "(":
            expr()
            if peek() != ")":
                raise LogicError("a `(` is never closed")
            pos += 1
        elif tok.isdigit():
            numbers.append(int(tok))
        else:
            raise LogicError(f"`{tok}` where a filter number was expected")

    def expr():
        nonlocal pos
        unary()
        joiner = None
        while peek() in ("and", "or"):
            if joiner is not None and peek() != joiner:
                raise LogicError("`and` and `or` are mixed without parentheses, so the meaning is unclear")
            joiner = peek()
            pos += 1
            unary()

    expr()
    if pos != len(tokens):
        raise LogicError(f"unexpected `{tokens[pos]}`")
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
    state: dict[int, str] = {}

    def visit(asset) -> None:
        state[id(asset)] = "open"
        for target, ref in edges.get(id(asset), ()):
            if state.get(id(target)) == "open":
                report.warning(
                    "invalid-smart-list",
                    f"smart list `{target.name}` contains itself through `member_of_smart_list`: nobody will qualify",
                    ref.span,
                    "Marketo does not let a smart list refer back to itself; break the loop",
                )
            elif id(target) not in state:
                visit(target)
        state[id(asset)] = "done"

    for asset, _scope in assets:
        if id(asset) not in state:
            visit(asset)
