"""The one unparser: AST -> mkc source in the canonical layout (`mkc fmt`).

Pieces (`value`, `cond`, `call`, `command`) are for anything that shows a
part of a program as it would be written; `unparse` writes a whole file,
putting back the comments the parser drops (`comments`).

The layout (docs/editors.md): two-space indent, one item per line, a
block's `>` on its own line. A block stays on one line when it fits in
`WIDTH` columns, holds no comment and is a leaf: a `flow`, `smart_list`,
`tokens`, `fields`, `when` or `default` with one item, or a `person`,
`email`, `webhook` or a `request`'s `tokens` with any number (their items
may share a line, §1). Containers (workspace, folder, program, campaign,
choice, people, scenario) always open onto their own lines. Blank lines
between items are kept, one at most; items keep the order they were
written in. Names are bare where they read as names, assets' names always
quoted (they are named by strings: `send_email "Welcome"`).
"""

from __future__ import annotations

import re
from decimal import Decimal

import attrs

from mkc.grammar import ast, walk

WIDTH = 120
"""The widest a one-line block may be, indentation included (the Python code's own limit)."""

INDENT = "  "

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Words a name is quoted as, where the parser could read them as keywords
# (spec §1: "a name that reads as a keyword where it stands is written quoted").
RESERVED = frozenset(
    {"not", "in", "and", "or", "between", "contains", "choice", "true", "false", "null"}
    | {"activity", "no", "tokens"}
    | {"minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months"}
)


# ---- pieces ---------------------------------------------------------------------


def string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def name(text: str) -> str:
    """A name where a string may stand for it: bare when it reads as a name."""
    return text if _NAME.fullmatch(text) and text not in RESERVED else string(text)


def number(x: int | float) -> str:
    if isinstance(x, int):
        return str(x)  # exact, however large
    if x.is_integer():
        return str(int(x))
    shown = repr(x)
    return shown if "e" not in shown else f"{Decimal(shown):f}"  # `1e-07` is no mkc number


def ref(r: ast.Ref) -> str:
    """A reference standing as a value (a lone name: as a lone string it would be text)."""
    first = name(r.parts[0]) if len(r.parts) > 1 else bare(r.parts[0])
    return ".".join([first, *(bare(p) for p in r.parts[1:])])


def bare(text: str) -> str:
    """A name where no keyword is read (after a `.`): quoted only when it is no name."""
    return text if _NAME.fullmatch(text) else string(text)


def target(r: ast.Ref) -> str:
    """A campaign named where only a reference can stand (`run`, `clone_of`): any part may be quoted."""
    return ".".join(name(p) for p in r.parts)


def value(v) -> str:
    if isinstance(v, ast.Str):
        return string(v.text)
    if isinstance(v, ast.Num):
        return number(v.value)
    if isinstance(v, ast.Bool):
        return "true" if v.value else "false"
    if isinstance(v, ast.Null):
        return "null"
    if isinstance(v, ast.ListValue):
        return "[" + ", ".join(value(x) for x in v.items) + "]"
    if isinstance(v, ast.Ref):
        return ref(v)
    if isinstance(v, ast.ScoreChange):
        sign = "=" if v.op == "=" else ("+" if v.amount >= 0 else "")
        return sign + number(v.amount)
    if isinstance(v, ast.Duration):
        return f"{number(v.amount)} {v.unit}{'' if v.amount == 1 else 's'}"
    return str(v)  # time of day, date-time, token: each node prints itself as written


def kwarg(k: ast.KwArg) -> str:
    return f"{k.name}={value(k.value)}"


def call(node) -> str:
    """A step, trigger or named condition as written: `fills_out_form "Demo"`."""
    return " ".join([node.name, *(value(v) for v in node.args), *(kwarg(k) for k in node.kwargs)])


def cond(c) -> str:
    """A condition as written; `and` inside `or` is put in parentheses too, for
    the reader. With a stack, not recursion: `not not … x` nests as deep as the
    parser allows, and each phase must walk it on a shallow stack."""
    out: list[str] = []
    todo: list = [c]  # what is still to write, last first: text, or a condition
    while todo:
        c = todo.pop()
        if isinstance(c, str):
            out.append(c)
        elif isinstance(c, ast.FieldCond):
            operands = [value(v) for v in c.operands]
            rest = " and ".join(operands) if c.op == "between" else " ".join(operands)
            out.append(f"{name(c.field)} {c.op}" + (f" {rest}" if rest else ""))
        elif isinstance(c, ast.FuncCond):
            out.append(call(c))
        elif isinstance(c, ast.Not):
            todo += reversed(["not ", *_group(c.cond, isinstance(c.cond, (ast.And, ast.Or)))])
        else:
            # A chain, flat (`terms` walks it); a term of either kind after
            # the first was written in parentheses, or it would have joined the chain.
            join, inner = (" and ", ast.Or) if isinstance(c, ast.And) else (" or ", ast.And)
            parts: list = []
            for i, term in enumerate(ast.terms(c)):
                bracket = isinstance(term, inner) or (i > 0 and isinstance(term, (ast.And, ast.Or)))
                parts += [join] * (i > 0) + _group(term, bracket)
            todo += reversed(parts)
    return "".join(out)


def head_cond(c) -> str:
    """A condition that a block's `<` or `>` follows (a `when`'s, a filter's):
    ending with a condition named bare it would read as a comparison there,
    so it goes in parentheses."""
    text = cond(c)
    return f"({text})" if walk.is_bare(walk.last_atom(c)) else text


def _group(c, bracket: bool) -> list:
    return ["(", c, ")"] if bracket else [c]


def token_decl(d: ast.TokenDecl) -> str:
    return f"{d.scope}.{bare(d.name)} = {value(d.value)}"


def command(c) -> str:
    """A scenario command on one line (a `tokens` block given to `request` or `schedule` included)."""
    return "\n".join(_Printer([]).item(c, 0))


# ---- whole files ---------------------------------------------------------------------


@attrs.frozen
class Comment:
    line: int
    column: int
    text: str
    own_line: bool  # nothing but blanks before it on its line


def comments(text: str) -> list[Comment]:
    """The `#` comments of a file that parses, in order (the parser drops them)."""
    from mkc.grammar import parser

    lines = text.split("\n")  # as the lexer counts lines (`splitlines` also splits at \f, \x1c, ...)
    out = []
    for tok in parser().lex(text if text.endswith("\n") else text + "\n", dont_ignore=True):
        if tok.type == "COMMENT":
            before = lines[tok.line - 1][: tok.column - 1]
            out.append(Comment(tok.line, tok.column, str(tok).rstrip(), not before.strip()))
    return out


def unparse(module: ast.Module, text: str | None = None) -> str:
    """`module` in the canonical layout; with the `text` it was parsed from,
    its comments and blank lines are kept where they were."""
    found = comments(text) if text is not None else []
    blank = {i for i, line in enumerate(text.split("\n"), 1) if not line.strip()} if text is not None else set()
    printer = _Printer(found, blank)
    lines = printer.items(list(module.items), 0, None)
    if printer.left:  # a comment no item could hold: never dropped, at the end
        lines += [c.text for c in printer.left]
    return "\n".join(lines) + "\n" if lines else ""


_CONTAINERS = (ast.Workspace, ast.Folder, ast.Program, ast.People, ast.Scenario)


def _pos(span) -> tuple[int, int]:
    return (span.line, span.column)


def _end(span) -> tuple[int, int]:
    return (span.end_line, span.end_column)


class _Branch:
    """`when COND < step >` or `default < step >`: a choice's item, with its span."""

    def __init__(self, head: str, step, span):
        self.head, self.step, self.span = head, step, span


class _Part:
    """A campaign part written as one line: `description`, `qualification`, `schedule`, `active`."""

    def __init__(self, text: str, span):
        self.text, self.span = text, span


class _Printer:
    def __init__(self, found: list[Comment], blank: set[int] = frozenset(), inline: bool = False):
        self.left = list(found)  # comments not yet placed, in order
        self.blank = blank
        self.inline = inline  # writing a one-line block's items

    # -- comments
    def _take(self, start, end) -> list[Comment]:
        """The comments from `start` (included) to `end` (excluded), each placed once."""
        taken = [
            c
            for c in self.left
            if (start is None or (c.line, c.column) >= start) and (end is None or (c.line, c.column) < end)
        ]
        if taken:
            self.left = [c for c in self.left if c not in taken]
        return taken

    def _inside(self, span) -> bool:
        return span is not None and any(_pos(span) < (c.line, c.column) < _end(span) for c in self.left)

    def _gap(self, after: int | None, before: int) -> bool:
        """A blank line somewhere between two source lines."""
        return after is not None and any(n in self.blank for n in range(after + 1, before))

    # -- blocks
    def items(self, nodes: list, indent: int, block_span) -> list[str]:
        """A block's items, one a line, each with the comments around it."""
        pad = INDENT * indent
        if all(getattr(n, "span", None) is not None for n in nodes):
            nodes = sorted(nodes, key=lambda n: _pos(n.span))  # as written (a smart list's triggers and filters)
        lines: list[str] = []
        last = None  # the source line the previous thing ended on
        for i, node in enumerate(nodes):
            span = getattr(node, "span", None)
            if span is not None:
                for c in self._take(None, _pos(span)):  # the comments before it, on their own lines
                    if c.own_line or not lines:
                        if lines and self._gap(last, c.line):
                            lines.append("")
                        lines.append(pad + c.text)
                    else:  # after the previous item, on its line
                        lines[-1] += "  " + c.text
                    last = c.line
                if lines and self._gap(last, span.line):
                    lines.append("")
            out = self.item(node, indent)
            if span is not None:
                nxt = nodes[i + 1].span if i + 1 < len(nodes) else None
                limit = (span.end_line + 1, 0)
                if nxt is not None and _pos(nxt) < limit:
                    limit = _pos(nxt)
                if block_span is not None and _end(block_span) < limit:
                    limit = _end(block_span)
                for c in self._take(_end(span), limit):  # on the line it ends
                    out[-1] += "  " + c.text
                last = span.end_line
            lines += out
        if block_span is not None:  # before the block's `>`
            for c in self._take(None, _end(block_span)):
                if lines and self._gap(last, c.line):
                    lines.append("")
                lines.append(pad + c.text)
                last = c.line
        else:
            for c in self._take(None, None):
                if lines and self._gap(last, c.line):
                    lines.append("")
                lines.append(pad + c.text)
                last = c.line
        return lines

    def block(self, head: str, nodes: list, indent: int, span, one_line: bool = True) -> list[str]:
        pad = INDENT * indent
        if not nodes and not self._inside(span):
            return [f"{pad}{head} < >"]
        share = one_line == "share"
        if one_line and (share or len(nodes) == 1) and not self._inside(span):
            inner = [_Printer([], inline=True).item(n, 0) for n in nodes]
            if all(len(x) == 1 for x in inner):
                text = f"{pad}{head} < {' '.join(x[0] for x in inner)} >"
                if len(text) <= WIDTH:
                    return [text]
        first = [f"{pad}{head} <"]
        if span is not None and nodes and getattr(nodes[0], "span", None) is not None:
            # A comment after the `<` on the header's line.
            start = min(_pos(n.span) for n in nodes)
            for c in self._take(_pos(span), min(start, (span.line + 1, 0))):
                first[0] += "  " + c.text
        return first + self.items(nodes, indent + 1, span) + [pad + ">"]

    # -- one item
    def item(self, node, indent: int) -> list[str]:
        pad = INDENT * indent
        span = getattr(node, "span", None)
        if isinstance(node, _CONTAINERS):
            keyword = type(node).__name__.lower()
            if isinstance(node, ast.People):
                return self.block("people", list(node.persons), indent, span, one_line=False)
            kids = node.commands if isinstance(node, ast.Scenario) else node.items
            return self.block(f"{keyword} {name(node.name)}", list(kids), indent, span, one_line=False)
        if isinstance(node, ast.Campaign):
            return self.block(_campaign_head(node), _campaign_parts(node), indent, span, one_line=False)
        if isinstance(node, _Part):
            return [pad + node.text]
        if isinstance(node, ast.Tokens):
            return self.block("tokens", list(node.decls), indent, span)
        if isinstance(node, ast.TokenDecl):
            return [pad + token_decl(node)]
        if isinstance(node, ast.Fields):
            return self.block("fields", list(node.decls), indent, span)
        if isinstance(node, ast.FieldDecl):
            label = f" {string(node.label)}" if node.label is not None else ""
            return [f"{pad}{name(node.name)} {node.type}{label}"]
        if isinstance(node, ast.Statuses):
            return [pad + "statuses [" + ", ".join(string(s) for s in node.names) + "]"]
        if isinstance(node, ast.ListAsset):
            return [f"{pad}list {string(node.name)}"]
        if isinstance(node, ast.SmartListAsset):
            return self.block(f"smart_list {string(node.name)}", _smart_list_items(node.body), indent, span)
        if isinstance(node, (ast.EmailAsset, ast.WebhookAsset)):
            keyword = "email" if isinstance(node, ast.EmailAsset) else "webhook"
            return self.block(f"{keyword} {string(node.name)}", list(node.props), indent, span, "share")
        if isinstance(node, ast.Prop):
            return [f"{pad}{node.name} {value(node.value)}"]
        if isinstance(node, ast.SmartList):
            return self.block("smart_list", _smart_list_items(node), indent, span)
        if isinstance(node, ast.Trigger):
            return [f"{pad}trigger {call(node)}"]
        if isinstance(node, ast.Filter):  # a filter is one term: `and` and `or` go in parentheses
            if isinstance(node.cond, (ast.And, ast.Or)):
                return [f"{pad}filter ({cond(node.cond)})"]
            return [f"{pad}filter {head_cond(node.cond)}"]
        if isinstance(node, ast.Logic):
            return [f"{pad}logic {name(node.text)}"]
        if isinstance(node, ast.Flow):
            one = not any(isinstance(s, ast.Choice) for s in node.steps)
            return self.block("flow", list(node.steps), indent, span, one)
        if isinstance(node, ast.Step):
            return [pad + call(node)]
        if isinstance(node, ast.Choice):
            branches = [_Branch(f"when {head_cond(w.cond)}", w.step, w.span) for w in node.whens]
            if node.default is not None:
                branches.append(_Branch("default", node.default, node.default_span))
            return self.block("choice", branches, indent, span, one_line=False)
        if isinstance(node, _Branch):
            return self.block(node.head, [node.step], indent, span, not isinstance(node.step, ast.Choice))
        if isinstance(node, ast.Person):
            return self.block(f"person {name(node.handle)}", list(node.fields), indent, span, "share")
        if isinstance(node, ast.FieldValue):
            return [f"{pad}{name(node.field)} {value(node.value)}"]
        return self._command(node, indent)

    def _command(self, c, indent: int) -> list[str]:
        pad = INDENT * indent
        if isinstance(c, ast.At):
            return [f"{pad}at {c.when}"]
        if isinstance(c, ast.Run):
            people = f" for {' '.join(name(p) for p in c.people)}" if c.people else ""
            return [f"{pad}run {target(c.campaign)}{people}"]
        if isinstance(c, (ast.Request, ast.ScheduleRun)):
            if isinstance(c, ast.Request):
                head = f"{pad}request {target(c.campaign)} for {' '.join(name(p) for p in c.people)}"
            else:
                head = f"{pad}schedule {target(c.campaign)} at {c.at}"
            if c.tokens is None:
                return [head]
            lines = self.block("tokens", list(c.tokens.decls), indent, c.tokens.span, "share")
            return [head + " " + lines[0].lstrip(), *lines[1:]]
        if isinstance(c, ast.Event):
            args = [c.trigger, *(value(v) for v in c.args), *(kwarg(k) for k in c.kwargs)]
            return [f"{pad}event {name(c.person)} {' '.join(args)}"]
        if isinstance(c, ast.Set):
            return [f"{pad}set {name(c.person)} {name(c.field)} {value(c.value)}"]
        if isinstance(c, ast.Activate):
            return [f"{pad}activate {target(c.campaign)}"]
        if isinstance(c, ast.Deactivate):
            return [f"{pad}deactivate {target(c.campaign)}"]
        if isinstance(c, ast.Advance):
            return [f"{pad}advance {value(c.duration)}"]
        if isinstance(c, ast.Expect):
            return [f"{pad}expect {name(c.person)} {cond(c.cond)}"]
        if isinstance(c, ast.ExpectActivity):
            words = "expect no activity" if c.negated else "expect activity"
            kwargs = "".join(f" {kwarg(k)}" for k in c.kwargs)
            return [f"{pad}{words} {name(c.person)} {string(c.activity)}{kwargs}"]
        raise TypeError(f"no source form for {type(c).__name__}")


def _campaign_head(c: ast.Campaign) -> str:
    head = f"campaign {name(c.name)}"
    if c.kind is not None:
        head += f" {c.kind}"
    if c.clone_of is not None:
        head += f" clone_of {target(c.clone_of)}"
    return head


def _campaign_parts(c: ast.Campaign) -> list:
    parts: list = []
    if c.description is not None:
        parts.append(_Part(f"description {string(c.description)}", c.description_span))
    parts += [p for p in (c.smart_list, c.flow) if p is not None]
    if c.qualification is not None:
        q = c.qualification
        period = f" {value(q.period)}" if q.period is not None else ""
        parts.append(_Part(f"qualification {q.mode}{period}", q.span))
    if c.schedule is not None:
        s = c.schedule
        text = f"schedule at {s.at}"
        if s.every is not None:
            text += f" every {value(s.every)}"
        if s.until is not None:
            text += f" until {s.until}"
        parts.append(_Part(text, s.span))
    if c.active is not None:
        parts.append(_Part(f"active {'true' if c.active else 'false'}", c.active_span))
    return parts


def _smart_list_items(body: ast.SmartList) -> list:
    return [*body.triggers, *body.filters, *([body.logic] if body.logic is not None else [])]
