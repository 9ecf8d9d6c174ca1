"""Smart lists and conditions (spec section 3).

`Conditions.holds` evaluates one condition (a filter, a choice's `when`, an
`expect`) for one person; `Conditions.qualifies` a smart list's filters with
its `logic`. Field operators and named conditions come from the standard
library (`FIELD_TESTS`, `ConditionSpec.evaluate`). A smart list that names a
missing asset or filter number is invalid, and nobody qualifies for it.
"""

from __future__ import annotations

from collections.abc import Callable

from mkc.grammar import ast
from mkc.grammar import logic as logic_line
from mkc.grammar.walk import atoms
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
        # (id(asset), id(scope)) -> (asset, scope, its node, its `_order` once asked for from outside)
        self._members: dict[tuple[int, int], tuple] = {}
        self._known: dict[tuple[int, int], bool] | None = None  # answers while `member_of` evaluates
        self.bodies: dict[tuple[int, int], tuple] = {}  # node -> (smart list, scope), see `node`
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
            negate = False
            while isinstance(cond, ast.Not):  # `not not …` by its parity: no closure (or frame) per `not`
                cond, negate = cond.cond, not negate
            inner = self.compile(cond, scope)
            return (lambda person, tokens: not inner(person, tokens)) if negate else inner  # (predicates answer bools)
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

        return evaluate

    def member_of(self, asset: ast.SmartListAsset, scope, person: PersonView, tokens: Tokens) -> bool:
        """Whether `person` qualifies for smart list asset `asset`, named from
        `scope`. The assets it reaches through `member_of_smart_list` are
        evaluated first, those they reach before them, each once (a chain a
        thousand deep runs without recursion, and a diamond once per asset),
        and their answers are kept until this one is known."""
        found = self._members.get((id(asset), id(scope)))
        if found is None:
            found = self._members[id(asset), id(scope)] = (asset, scope, self.node(asset, scope), [])
        _, _, node, order = found
        known = self._known
        if known is not None:  # inside the loop below: what it asks for came before it
            return known[node]
        if not order:
            order += self._order(node)
        if len(order) == 1:  # it reaches no other asset
            return order[0][1](person, tokens)
        self._known = known = {}
        try:
            for key, pred in order:
                known[key] = pred(person, tokens)
        finally:
            self._known = None
        return known[node]

    def node(self, asset: ast.SmartListAsset, scope) -> tuple[int, int]:
        """An asset's node in the graph of smart lists: its body in its own
        scope (where `scope` names it when it has none)."""
        scope = self.rt.keys.scope_of.get(id(asset), scope)
        key = (id(asset.body), id(scope))
        self.bodies.setdefault(key, (asset.body, scope))
        return key

    def targets(self, node: tuple[int, int]) -> list[tuple[int, int]]:
        """The assets a valid smart list names in `member_of_smart_list` (the
        columnar engine's predicates walk the same graph)."""
        body, scope = self.bodies[node]
        if not self.valid(body, scope):
            return []  # it qualifies nobody, asking nothing
        spec, found = CONDITIONS["member_of_smart_list"], []
        for f in body.filters:
            for atom in atoms(f.cond):
                if isinstance(atom, ast.FuncCond) and atom.name == spec.name:
                    ref = spec.signature.bind(atom.args, atom.kwargs)["smart_list"]
                    found.append(self.node(self.rt.resolve("smart_list", ref, scope), scope))
        return found

    def _order(self, start: tuple[int, int]) -> list[tuple[tuple[int, int], Callable]]:
        """The nodes `start` reaches, each after every node it reaches, with
        their predicates. A smart list that contains itself, through any
        loop, qualifies nobody (docs/semantics.md), and what it names is not
        asked. Tarjan's strongly connected components, with an explicit stack."""
        edges: dict[tuple[int, int], list] = {}
        index: dict[tuple[int, int], int] = {}
        low: dict[tuple[int, int], int] = {}
        stack: list[tuple[int, int]] = []
        on_stack: set[tuple[int, int]] = set()
        looped: set[tuple[int, int]] = set()
        order: list[tuple[int, int]] = []  # components as they close: each after what it reaches

        def visit(node):
            index[node] = low[node] = len(index)
            stack.append(node)
            on_stack.add(node)
            edges[node] = self.targets(node)
            work.append((node, iter(edges[node])))

        work: list = []
        visit(start)
        while work:
            node, todo = work[-1]
            for target in todo:
                if target not in index:
                    visit(target)
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = [stack.pop()]
                    while component[-1] != node:
                        component.append(stack.pop())
                    on_stack.difference_update(component)
                    if len(component) > 1 or node in edges[node]:
                        looped.update(component)
                    order += component
        # Only what `start` asks for: nothing behind a smart list that contains itself.
        needed, todo = {start}, [start]
        while todo:
            node = todo.pop()
            if node not in looped:
                fresh = [t for t in edges[node] if t not in needed]
                needed.update(fresh)
                todo += fresh
        return [
            (node, nobody if node in looped else self.smart_list(*self.bodies[node]))
            for node in order
            if node in needed
        ]

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

    def has_done(self, type_: str, target) -> bool:
        return self.conditions.rt.has_done(self.person.handle, type_, target)

    def qualifies(self, asset: ast.SmartListAsset) -> bool:
        return self.conditions.member_of(asset, self.scope, self.person, self.tokens)


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


# ---- logic: "all", "any", or "1 and (2 or not 3)" (read by grammar/logic.py) ----------------

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
            _LOGIC_CACHE[key] = eval(f"lambda r: {_logic_expression(text, count, 'r[{}]')}", {})
    return _LOGIC_CACHE[key]


def lazy_logic(text: str, preds: list) -> Callable:
    """`pred(person, tokens)`: the logic line over the filters' predicates
    themselves, each called only when the answer still depends on it (as
    Python's `and` and `or` do); the same answer as `logic` over all their
    results, for predicates that always answer."""
    names = ", ".join(f"p{index}" for index in range(len(preds)))
    body = _logic_expression(text, len(preds), "p{}(x, y)")
    return eval(f"lambda {names}: lambda x, y: {body}", {})(*preds)


def _logic_expression(text: str, count: int, leaf: str) -> str:
    """The logic line as one Python expression, filter N written as
    `leaf.format(N - 1)`. Python's `not`, `and` and `or` keep the tree's
    order and stop where it stops, and evaluating the expression calls
    nothing per `and` or `(`: a line of thousands of terms or parentheses at
    the nesting limit runs without recursion (only numbers, `and`, `or`,
    `not` and parentheses reach `eval`). ValueError as for `logic`."""
    tree = logic_line.parse(text, mixed=True)  # `and` and `or` mixed: the checker's error, read as Python reads them
    if type(tree) is logic_line.Every:
        joiner = " and " if tree.word == "all" else " or "
        return joiner.join(leaf.format(index) for index in range(count))

    def filter_(f: logic_line.Filter) -> tuple[str, bool]:
        if not 1 <= f.number <= count:
            raise ValueError(f"logic {text!r}: expected a filter number from 1 to {count}, got {f.number}")
        return leaf.format(f.number - 1), False

    def joined(word: str):
        # (expression, whether it needs parentheses as a term of another)
        return lambda terms: (f" {word} ".join(f"({t})" if paren else t for t, paren in terms), True)

    def negate(inner: tuple[str, bool]) -> tuple[str, bool]:
        return f"not ({inner[0]})" if inner[1] else f"not {inner[0]}", False

    return logic_line.folded(tree, filter_, negate, joined("and"), joined("or"))[0]
