"""Smart lists and conditions (spec section 3).

`Conditions.holds` evaluates one condition (a filter, a choice's `when`, an
`expect`) for one person; `Conditions.qualifies` a smart list's filters with
its `logic`. Field operators and named conditions come from the standard
library (`FIELD_TESTS`, `ConditionSpec.evaluate`). A smart list that names a
missing asset or filter number is invalid, and nobody qualifies for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mkc.checker.walk import atoms
from mkc.grammar import ast
from mkc.interpreter.runtime import PersonView, Runtime, Unresolved
from mkc.interpreter.tokens import TokenError, Tokens, needs_tokens
from mkc.stdlib import CONDITIONS, TRIGGERS
from mkc.stdlib.conditions import FIELD_TESTS, field_test
from mkc.stdlib.signatures import REFERENCE_TYPES
from mkc.stdlib.values import from_literal


class Conditions:
    """Conditions and smart lists, compiled once into predicates
    `pred(person, tokens) -> bool` (references are resolved, when a predicate
    runs, through the runtime's cache; literal operands are read once)."""

    def __init__(self, runtime: Runtime):
        self.rt = runtime
        self._valid: dict[tuple[int, int], bool] = {}
        self._inside: set[int] = set()  # smart lists being evaluated (one that contains itself qualifies nobody)
        self._lists: dict[tuple[int, int], tuple] = {}  # (id(smart list), id(scope)) -> (smart list, scope, pred)

    def holds(self, cond, person: PersonView, scope, tokens: Tokens) -> bool:
        """Whether `cond` holds for `person`; references resolve from `scope`
        (None: a scenario's). Raises Unresolved or TokenError."""
        return self.compile(cond, scope)(person, tokens)

    def compile(self, cond, scope) -> Callable[[PersonView, Tokens], bool]:
        """`cond` as a predicate. What cannot be evaluated (an unknown
        condition, a token without an answer) raises when the predicate runs,
        as `holds` would."""
        if isinstance(cond, ast.Not):
            inner = self.compile(cond.cond, scope)
            return lambda person, tokens: not inner(person, tokens)
        if isinstance(cond, (ast.And, ast.Or)):
            # One predicate per chain, looping over its terms: nested closures
            # would recurse once per term of `a and b and ...`, as long as it is.
            preds, join = [self.compile(t, scope) for t in ast.terms(cond)], any if isinstance(cond, ast.Or) else all
            return lambda person, tokens: join(pred(person, tokens) for pred in preds)
        if isinstance(cond, ast.FieldCond):
            return self._field(cond)
        spec = CONDITIONS.get(cond.name)
        if spec is None:
            message = f"`{cond.name}` is not a condition"

            def unknown(person, tokens):
                raise Unresolved(message)

            return unknown
        evaluate, args = spec.evaluate, spec.signature.bind(cond.args, cond.kwargs)
        return lambda person, tokens: bool(evaluate(_Env(self, person, scope, tokens), args))

    def _field(self, cond: ast.FieldCond):
        test, field, rt = FIELD_TESTS[cond.op], cond.field, self.rt
        if any(needs_tokens(v) for v in cond.operands):
            written = cond.operands
            return lambda person, tokens: test(person.get(field), [tokens.value(v) for v in written], rt.now)
        known = field_test(cond.op, [from_literal(v) for v in cond.operands])
        return lambda person, tokens: known(person.get(field), rt.now)

    def qualifies(self, smart_list: ast.SmartList | None, scope, person: PersonView, tokens: Tokens) -> bool:
        """A smart list's filters, joined by its logic. No smart list or no
        filters: everyone. An invalid one, or one that cannot be evaluated: nobody."""
        return self.smart_list(smart_list, scope)(person, tokens)

    def smart_list(self, smart_list: ast.SmartList | None, scope) -> Callable[[PersonView, Tokens], bool]:
        """The smart list as one predicate (compiled once per smart list and scope)."""
        if smart_list is None:
            return everyone
        key = (id(smart_list), id(scope))
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = (smart_list, scope, self._smart_list(smart_list, scope))
        return found[2]

    def _smart_list(self, smart_list: ast.SmartList, scope):
        if not smart_list.filters or not self.valid(smart_list, scope):
            return everyone if not smart_list.filters and self.valid(smart_list, scope) else nobody
        preds = [self.compile(f.cond, scope) for f in smart_list.filters]
        text = smart_list.logic.text if smart_list.logic else "all"
        if all(_total(f.cond) for f in smart_list.filters):
            # No filter can fail, so none needs evaluating for its failure: the
            # logic stops at its answer (`1 and ...` at a false 1).
            return lazy_logic(text, preds)
        combine = logic(text, len(preds))

        def evaluate(person, tokens) -> bool:
            try:
                results = [pred(person, tokens) for pred in preds]  # every filter, as one that fails counts
            except (Unresolved, TokenError):
                return False
            return combine(results)

        nested = any(
            isinstance(atom, ast.FuncCond) and atom.name == "member_of_smart_list"
            for f in smart_list.filters
            for atom in atoms(f.cond)
        )
        if not nested:  # no smart list inside, so it cannot meet itself
            return evaluate
        ident, inside = id(smart_list), self._inside

        def guarded(person, tokens) -> bool:  # a smart list that contains itself qualifies nobody
            if ident in inside:
                return False
            inside.add(ident)
            try:
                return evaluate(person, tokens)
            finally:
                inside.discard(ident)

        return guarded

    def reads_tokens(self, smart_list: ast.SmartList | None) -> bool:
        """Whether the smart list's predicate may use its `tokens` (else any
        value will do, None too): not when every filter is a field test on
        literal operands."""
        return smart_list is not None and not all(_total(f.cond) for f in smart_list.filters)

    def valid(self, smart_list: ast.SmartList, scope) -> bool:
        key = (id(smart_list), id(scope))
        if key not in self._valid:
            self._valid[key] = self._check(smart_list, scope)
        return self._valid[key]

    def _check(self, smart_list: ast.SmartList, scope) -> bool:
        if smart_list.logic is not None:
            try:
                logic(smart_list.logic.text, len(smart_list.filters))
            except ValueError:
                return False
        calls = [(TRIGGERS.get(t.name), t) for t in smart_list.triggers]
        calls += [
            (CONDITIONS.get(atom.name), atom)
            for f in smart_list.filters
            for atom in atoms(f.cond)
            if isinstance(atom, ast.FuncCond)
        ]
        for spec, call in calls:
            if spec is None:
                return False
            bound = spec.signature.bind(call.args, call.kwargs)
            for param in spec.signature.params:
                values = bound[param.name] if param.repeat else (bound[param.name],)
                if param.type not in REFERENCE_TYPES:
                    continue
                for value in values:
                    if value is None:
                        continue
                    try:
                        self.rt.resolve(param.type, value, scope)
                    except Unresolved:
                        return False
        return True


class _Env:
    """What a named condition's `evaluate` sees."""

    def __init__(self, conditions: Conditions, person: PersonView, scope, tokens: Tokens):
        self.conditions = conditions
        self.person = person
        self.scope = scope
        self.tokens = tokens

    def resolve(self, kind: str, value):
        return self.conditions.rt.resolve(kind, value, self.scope)

    def key(self, target):
        return self.conditions.rt.keys(target)

    def text(self, value) -> str:
        return str(self.tokens.value(value))

    def activities(self):
        return self.conditions.rt.activities_of(self.person.handle)

    def qualifies(self, asset: ast.SmartListAsset) -> bool:
        rt = self.conditions.rt
        return self.conditions.qualifies(
            asset.body, rt.keys.scope_of.get(id(asset), self.scope), self.person, self.tokens
        )


def _total(cond) -> bool:
    """Whether a condition's predicate always answers: field tests on literal
    operands (no token to answer, no reference to resolve), joined by `and`,
    `or`, `not`. Others may raise Unresolved or TokenError, which makes the
    whole smart list false."""
    if isinstance(cond, ast.Not):
        return _total(cond.cond)
    if isinstance(cond, (ast.And, ast.Or)):
        return all(_total(t) for t in ast.terms(cond))
    return isinstance(cond, ast.FieldCond) and not any(needs_tokens(v) for v in cond.operands)


def everyone(person, tokens) -> bool:  # no smart list, or one without filters
    return True


def nobody(person, tokens) -> bool:
    return False


# ---- logic: "all", "any", or "1 and (2 or not 3)" ------------------------------------

_LOGIC_TOKEN = re.compile(r"\s*(\d+|[A-Za-z_]+|[()])")
_LOGIC_CACHE: dict[tuple[str, int], Callable[[list[bool]], bool]] = {}


def logic(text: str, count: int) -> Callable[[list[bool]], bool]:
    """The function a logic line computes over the filters' results; `not`
    binds tightest, then `and`, then `or`. ValueError when the line cannot be
    read or names a filter number that does not exist."""
    key = (text, count)
    if key not in _LOGIC_CACHE:
        word = text.strip().casefold()
        if word in ("all", "any"):
            _LOGIC_CACHE[key] = all if word == "all" else any
        else:
            combine = _parse_logic(text, [_result(index) for index in range(count)])
            _LOGIC_CACHE[key] = lambda results: combine(results, None)
    return _LOGIC_CACHE[key]


def lazy_logic(text: str, preds: list) -> Callable:
    """`pred(person, tokens)`: the logic line over the filters' predicates
    themselves, each called only when the answer still depends on it (as
    Python's `and` and `or` do); the same answer as `logic` over all their
    results, for predicates that always answer."""
    return _parse_logic(text, preds)


def _result(index: int):
    return lambda results, _: results[index]


def _parse_logic(text: str, leaves: list) -> Callable:
    """The logic line as nested closures of two arguments over `leaves` (filter
    1 is `leaves[0]`), each called with the same two arguments."""
    word = text.strip().casefold()
    if word == "all":
        return _both(leaves)
    if word == "any":
        return _either(leaves)
    count = len(leaves)
    tokens, pos = [], 0
    while pos < len(text):
        m = _LOGIC_TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip():
                raise ValueError(f"cannot read logic {text!r}")
            break
        tokens.append(m.group(1).casefold())
        pos = m.end()
    at = 0

    def peek():
        return tokens[at] if at < len(tokens) else None

    def take():
        nonlocal at
        at += 1
        return tokens[at - 1]

    def disjunction():
        parts = [conjunction()]
        while peek() == "or":
            take()
            parts.append(conjunction())
        return _either(parts)

    def conjunction():
        parts = [negation()]
        while peek() == "and":
            take()
            parts.append(negation())
        return _both(parts)

    def negation():
        token = peek()
        if token == "not":
            take()
            inner = negation()
            return lambda x, y: not inner(x, y)
        if token == "(":
            take()
            inner = disjunction()
            if peek() != ")":
                raise ValueError(f"unclosed `(` in logic {text!r}")
            take()
            return inner
        if token is not None and token.isdigit() and 1 <= int(token) <= count:
            take()
            return leaves[int(token) - 1]
        raise ValueError(f"logic {text!r}: expected a filter number from 1 to {count}, got {token!r}")

    result = disjunction()
    if peek() is not None:
        raise ValueError(f"logic {text!r}: unexpected {peek()!r}")
    return result


def _either(parts: list) -> Callable:
    """`a or b or ...` as nested closures (no generator to run per person)."""
    if len(parts) == 1:
        return parts[0]
    first, rest = parts[0], _either(parts[1:])
    return lambda x, y: first(x, y) or rest(x, y)


def _both(parts: list) -> Callable:
    if len(parts) == 1:
        return parts[0]
    first, rest = parts[0], _both(parts[1:])
    return lambda x, y: first(x, y) and rest(x, y)
