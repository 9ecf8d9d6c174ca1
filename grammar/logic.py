"""The smart list's `logic` line (spec section 3): the one parser of
`"all"`, `"any"` and `"1 and (2 or not 3)"`.

`parse(text)` gives a small immutable tree (`Every`, `Filter`, `Not`, `And`,
`Or`) or raises `LogicError` with a message and the offset in the text where
reading stopped. The checker reports its errors, the interpreter compiles the
tree (interpreter/conditions.py), `mkc explain` fills in each `Filter` where
it was written. Filter numbers are not checked against the smart list here:
a number with no filter is the checker's warning and, at run time, an invalid
smart list.

Parsing is one pass with an explicit stack, and `folded` walks a tree with
one, so a line of thousands of terms needs no recursion; parentheses and
`not`s may be open at most MAX_DEPTH at once (deeper is an error). `and` and
`or` at one level need parentheses to mix; asked to (`mixed=True`) the parser
reads them as Python would, `and` binding tighter.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs

# Parentheses and `not`s open at once. Marketo's logic lines are short; the
# limit keeps a pathological line from exhausting the interpreter's stack.
MAX_DEPTH = 100


@attrs.frozen
class Every:
    """`all` or `any`: every filter joined by `and` or by `or`."""

    word: str  # "all" or "any"


@attrs.frozen
class Filter:
    number: int
    start: int  # where the number is written in the line
    end: int


@attrs.frozen
class Not:
    term: Node


@attrs.frozen
class And:
    terms: tuple[Node, ...]


@attrs.frozen
class Or:
    terms: tuple[Node, ...]


Node = Filter | Not | And | Or
Tree = Every | Node


class LogicError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset  # where in the line reading stopped


_LEX = re.compile(r"\s*(?:(\d+)|([A-Za-z_]+)|(.))")


def parse(text: str, mixed: bool = False) -> Tree:
    """The tree of a logic line; LogicError when it cannot be read (or, unless
    `mixed`, when it mixes `and` and `or` at one level)."""
    word = text.strip().lower()
    if word in ("all", "any"):
        return Every(word)
    tokens = _tokens(text)
    # One pass, no recursion. Each open parenthesis (and the line itself) has
    # a frame: its `or` terms so far, the `and` terms of the run being read,
    # the operator used at that level (for the mixing rule) and the `not`s
    # written just before its `(`, which close with it.
    frames = [_Frame(0)]
    operand = True  # a filter number, `not` or `(` comes next
    nots = 0  # `not`s in a row before the coming operand
    depth = 0  # parentheses and `not`s open now
    for tok, start, end in tokens:
        if operand:
            if tok in ("not", "("):
                depth += 1
                if depth > MAX_DEPTH:
                    raise LogicError(
                        f"parentheses and `not` nest more than {MAX_DEPTH} deep; write the line more simply", start
                    )
                if tok == "not":
                    nots += 1
                else:
                    frames.append(_Frame(nots))
                    nots = 0
            elif tok.isdigit():
                frames[-1].run.append(_negated(Filter(int(tok), start, end), nots))
                operand, depth, nots = False, depth - nots, 0
            else:
                raise LogicError(f"`{tok}` where a filter number was expected", start)
        elif tok in ("and", "or"):
            frame = frames[-1]
            if frame.op is not None and frame.op != tok and not mixed:
                raise LogicError("`and` and `or` are mixed without parentheses, so the meaning is unclear", start)
            frame.op = tok
            if tok == "or":
                frame.close_run()
            operand = True
        elif tok == ")" and len(frames) > 1:
            frame = frames.pop()
            depth -= 1 + frame.nots
            frames[-1].run.append(_negated(frame.node(), frame.nots))
        elif len(frames) > 1:
            raise LogicError("a `(` is never closed", start)
        else:
            raise LogicError(f"unexpected `{tok}`", start)
    if operand:
        raise LogicError("the logic line ends where a filter number was expected", len(text))
    if len(frames) > 1:
        raise LogicError("a `(` is never closed", len(text))
    return frames[0].node()


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """The words of a line (numbers, `and`/`or`/`not` lower-cased, parentheses) with their offsets."""
    tokens = []
    for m in _LEX.finditer(text):
        number, word, other = m.groups()
        if number:
            tokens.append((number, m.start(1), m.end(1)))
        elif word:
            if word.lower() not in ("and", "or", "not"):
                raise LogicError(f"`{word}` is not a filter number, `and`, `or` or `not`", m.start(2))
            tokens.append((word.lower(), m.start(2), m.end(2)))
        elif other and not other.isspace():
            if other not in "()":
                raise LogicError(f"`{other}` cannot stand in a logic line", m.start(3))
            tokens.append((other, m.start(3), m.end(3)))
    if not tokens:
        raise LogicError("the logic line is empty", 0)
    return tokens


class _Frame:
    """A parenthesis being read (or the line itself)."""

    def __init__(self, nots: int):
        self.nots = nots
        self.op: str | None = None
        self.ors: list[Node] = []
        self.run: list[Node] = []  # the terms joined by `and` since the last `or`

    def close_run(self) -> None:
        self.ors.append(self.run[0] if len(self.run) == 1 else And(tuple(self.run)))
        self.run = []

    def node(self) -> Node:
        self.close_run()
        return self.ors[0] if len(self.ors) == 1 else Or(tuple(self.ors))


def _negated(node: Node, nots: int) -> Node:
    for _ in range(nots):
        node = Not(node)
    return node


def filters(tree: Tree) -> list[Filter]:
    """The filter numbers a line names, in the order they are written."""
    if type(tree) is Every:
        return []
    return folded(tree, lambda f: [f], lambda inner: inner, lambda terms: [f for t in terms for f in t])


def folded(
    tree: Node,
    leaf: Callable[[Filter], object],
    negate: Callable[[object], object],
    join: Callable[..., object],
    either: Callable[..., object] | None = None,
):
    """The tree folded bottom-up without recursion: `leaf(filter)`,
    `negate(inner)`, `join(terms)` for `And` and `either(terms)` for `Or`
    (default: `join`), each given what its children gave, in order."""
    either = either or join
    done: list = []  # what each finished node gave
    todo: list = [(tree, False)]
    while todo:
        node, expanded = todo.pop()
        if type(node) is Filter:
            done.append(leaf(node))
        elif not expanded:
            todo.append((node, True))
            todo += ((t, False) for t in reversed(_children(node)))
        elif type(node) is Not:
            done.append(negate(done.pop()))
        else:
            count = len(node.terms)
            terms, done[-count:] = done[-count:], []
            done.append((join if type(node) is And else either)(terms))
    return done[0]


def _children(node: Node) -> tuple:
    return (node.term,) if type(node) is Not else node.terms
