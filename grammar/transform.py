"""The mkc AST, built while the parser reduces. Only the parser facade uses this module.

Each rule's method gets the node's span and its children shaped as Lark
would shape a tree's (punctuation and keywords dropped, `_rules` spliced in,
None for a missing `[...]`), but no parse tree is ever built: building it
and walking it again cost more than the parse itself.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import partial

from mkc.diagnostics import Diagnostic
from mkc.grammar import ast
from mkc.grammar.template import parse_token
from mkc.source import pack_extent, pack_span, pack_within, unpack_span

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
_TEXTS_KEPT = 1000  # distinct texts `ToAst._str` remembers at once: repeats are near each other
_UNITS = {"minutes": "minute", "hours": "hour", "days": "day", "weeks": "week", "months": "month"}


def unquote(text: str) -> str:
    if not text.startswith('"'):
        return text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_datetime(text: str) -> tuple[dt.datetime, bool]:
    if "T" in text:
        date, time = text.split("T")
        parts = [int(p) for p in time.split(":")]
        return dt.datetime.fromisoformat(date).replace(hour=parts[0], minute=parts[1]), True
    return dt.datetime.fromisoformat(text), False


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


class Problems:
    """Diagnostics as they are found, of which only the first `keep` by place
    are kept (a file of junk has one per line), and how many were found."""

    def __init__(self, keep: int):
        self.keep, self.count, self.kept = keep, 0, []

    def append(self, diag: Diagnostic) -> None:
        self.count += 1
        self.kept.append(diag)
        if len(self.kept) >= 2 * self.keep:  # trimmed now and then: linear in the number found
            self.kept.sort(key=Diagnostic.sort_key)  # stable: equal places stay in the order found
            del self.kept[self.keep :]


class ToAst:
    """Builds AST nodes; problems a grammar cannot express become diagnostics."""

    def __init__(self, file: str, problems: Problems):
        self.file = file
        self.problems = problems
        self._texts: dict[str, str] = {}

    def _str(self, text) -> str:
        """`text` (a token, a string) as a plain string, one object per distinct
        text: names repeat all over a file, and each copy is 50 bytes or more."""
        text = str(text)
        texts = self._texts
        if len(texts) >= _TEXTS_KEPT:  # a file of distinct texts would double them in the table
            texts.clear()
        return texts.setdefault(text, text)

    def callbacks(self, plans: list) -> dict:
        """What the parser calls to reduce each grammar rule (`plans`: `reductions(rules)`)."""
        out = {}
        for rule, name, how in plans:
            out[rule] = how if name is None else partial(_reduce, *how, getattr(self, name, None), self.file)
        return out

    def root(self, value):
        return value.value if type(value) is _Ext else value

    # -- spans: packed ints (`mkc.source.pack_span`), as nodes keep them; a
    # method's `span` is one, and so is every node's and holder's `_span`
    def _tok_span(self, tok) -> int:
        return pack_span(self.file, tok.line, tok.column, tok.end_line, tok.end_column)

    def _problem(self, span: int, message, code="syntax"):
        self.problems.append(Diagnostic(code, message, unpack_span(span)))

    # -- values
    def _number(self, text, span) -> int | float:
        """A number literal; one beyond a double's range (Marketo's numbers are doubles) is refused."""
        value = _number(str(text))
        try:
            too_large = math.isinf(float(value))
        except OverflowError:  # an integer beyond any double
            too_large = True
        if too_large:
            self._problem(span, f"`{str(text)[:20]}…` is too large a number (at most about 1e308)")
            return 0
        return value

    def string(self, span, c):
        return ast.Str(self._str(unquote(c[0])), span=span)

    def number(self, span, c):
        return ast.Num(self._number(c[0], span), span=span)

    def score_add(self, span, c):
        return ast.ScoreChange("+", self._number(c[0][1:], span), span=span)

    def score_set(self, span, c):
        return ast.ScoreChange("=", self._number(c[0], span), span=span)

    def duration(self, span, c):
        return ast.Duration(self._number(c[0], span), c[1], span=span)

    def unit(self, span, c):
        return _UNITS.get(str(c[0])) or self._str(c[0])

    def time(self, span, c):
        hour, minute = (int(p) for p in str(c[0]).split(":"))
        if hour > 23 or minute > 59:
            self._problem(span, f"`{c[0]}` is not a time of day (HH:MM, 00:00 to 23:59)")
        return ast.TimeOfDay(hour, minute, span=span)

    def datetime(self, span, c):
        return self._datetime(c[0], span)

    def _datetime(self, tok, span=None):
        span = self._tok_span(tok) if span is None else span
        try:
            value, has_time = parse_datetime(str(tok))
        except ValueError:
            self._problem(span, f"`{tok}` is not a valid date or date-time")
            value, has_time = dt.datetime(1970, 1, 1), False
        return ast.DateTime(value, has_time, span=span)

    def token(self, span, c):
        t = parse_token(str(c[0]))  # the lexer's TOKEN: always one whole token
        return ast.Token(self._str(t.scope), self._str(t.name), t.default, span=span)

    def boolean(self, span, c):
        return ast.Bool(str(c[0]) == "true", span=span)

    def null(self, span, c):
        return ast.Null(span=span)

    def list(self, span, c):
        return ast.ListValue(_present(c), span=span)

    def ref(self, span, c):
        parts = tuple(self._str(unquote(str(x))) for x in c if x is not None)
        return ast.Ref(parts, span=span)

    target = ref

    def name(self, span, c):
        return _Name(self._str(unquote(str(c[0]))), span)

    def kwarg(self, span, c):
        return ast.KwArg(self._str(c[0]), c[1], span=span)

    # -- conditions
    def _op(self, span, c):
        return self._str(c[0])

    cmp_op = set_op = text_op = date_op = rel_op = between_op = empty_op = _op

    def field_cond(self, span, c):
        field, op, *operands = c
        return ast.FieldCond(field.text, op, tuple(operands), pack_within(span, field._span), span=span)

    def func_cond(self, span, c):
        args, kwargs = _split_args(c[1:])
        return ast.FuncCond(self._str(c[0]), args, kwargs, span=span)

    def not_cond(self, span, c):
        return ast.Not(c[0], span=span)

    def and_cond(self, span, c):
        return ast.And(c[0], c[1], span=span)

    def or_cond(self, span, c):
        return ast.Or(c[0], c[1], span=span)

    # -- campaigns
    def trigger(self, span, c):
        args, kwargs = _split_args(c[1:])
        return ast.Trigger(self._str(c[0]), args, kwargs, span=span)

    def filter(self, span, c):
        return ast.Filter(c[0], span=span)

    def logic(self, span, c):
        return ast.Logic(self._str(unquote(str(c[0]))), span=span)

    def _smart_list_body(self, span, items) -> ast.SmartList:
        triggers = tuple(i for i in items if isinstance(i, ast.Trigger))
        filters = tuple(i for i in items if isinstance(i, ast.Filter))
        logics = [i for i in items if isinstance(i, ast.Logic)]
        for extra in logics[1:]:
            self._problem(extra._span, "a smart list has one `logic`; this one repeats it")
        return ast.SmartList(triggers, filters, logics[0] if logics else None, span=span)

    def smart_list(self, span, c):
        return self._smart_list_body(span, [x for x in c if x is not None])

    def step(self, span, c):
        name, score, *rest = c
        args, kwargs = _split_args(rest)
        if score is not None:
            args = (score, *args)
        return ast.Step(self._str(name), args, kwargs, span=span)

    def when(self, span, c):
        return ast.When(c[0], c[1], span=span)

    def default(self, span, c):
        return _Default(c[0], span)

    def choice(self, span, c):
        whens, default, default_span = [], None, None
        for item in c:
            if item is None:
                continue
            if isinstance(item, _Default):
                if default is not None:
                    self._problem(item._span, "a choice has one `default`; this one repeats it")
                default, default_span = item.step, item._span
            else:
                if default is not None:
                    self._problem(item._span, "`when` after `default`: the `default` branch comes last")
                whens.append(item)
        return ast.Choice(tuple(whens), default, default_span, span=span)

    def flow(self, span, c):
        return ast.Flow(_present(c), span=span)

    def qual_mode(self, span, c):
        return self._str(c[0])

    def qualification(self, span, c):
        mode, period = c
        span = span
        if mode == "once_every" and period is None:
            self._problem(span, "`once_every` needs a duration, as in `qualification once_every 30 days`")
        if mode != "once_every" and period is not None:
            self._problem(period._span, f"`{mode}` takes no duration; did you mean `once_every {period}`?")
            period = None
        return ast.Qualification(mode, period, span=span)

    def schedule(self, span, c):
        at, every_word, every, until_word, until = c
        for word, expected in ((every_word, "every"), (until_word, "until")):
            if word is not None and word != expected:
                self._problem(self._tok_span(word), f"unexpected `{word}`; expected `{expected}`")
        until = self._datetime(until) if until else None
        return ast.Schedule(self._datetime(at), every, until, span=span)

    def description(self, span, c):
        return _Item("description", unquote(str(c[0])), span)

    def active(self, span, c):
        return _Item("active", c[0].value, span)

    def kind(self, span, c):
        return self._str(c[0])

    def clone_of(self, span, c):
        return c[0]

    def campaign(self, span, c):
        name, kind, clone_of, *items = c
        fields: dict = {}
        for item in items:
            if item is None:
                continue
            key, value, part_span = _campaign_part(item)
            if key in fields:
                self._problem(part_span, f"campaign {name.text} already has a `{key}`; write each part once")
                continue
            fields[key] = value
            if key in ("active", "description"):
                fields[f"{key}_span"] = part_span
        return ast.Campaign(name.text, kind, clone_of, span=span, **fields)

    # -- declarations
    def token_decl(self, span, c):
        return ast.TokenDecl(self._str(c[0]), c[1].text, c[2], span=span)

    def tokens(self, span, c):
        return ast.Tokens(_present(c), span=span)

    def field_decl(self, span, c):
        label = unquote(str(c[2])) if c[2] is not None else None
        return ast.FieldDecl(c[0].text, str(c[1]), label, self._tok_span(c[1]), span=span)

    def fields(self, span, c):
        return ast.Fields(_present(c), span=span)

    def list_asset(self, span, c):
        return ast.ListAsset(c[0].text, span=span)

    def smart_list_asset(self, span, c):
        return ast.SmartListAsset(
            c[0].text, self._smart_list_body(span, [x for x in c[1:] if x is not None]), span=span
        )

    def prop(self, span, c):
        return ast.Prop(self._str(c[0]), c[1], span=span)

    def email(self, span, c):
        return ast.EmailAsset(c[0].text, tuple(c[1:]), span=span)

    def webhook(self, span, c):
        return ast.WebhookAsset(c[0].text, tuple(c[1:]), span=span)

    def statuses(self, span, c):
        names = []
        for item in c[0].items:
            if isinstance(item, ast.Str):
                names.append(item.text)
            elif isinstance(item, ast.Ref) and len(item.parts) == 1:
                names.append(item.name)
            else:
                self._problem(item._span, 'a status is a string, as in `statuses ["Invited", "Attended"]`')
        return ast.Statuses(tuple(names), span=span)

    def _container(cls):
        def build(self, span, c):
            return cls(c[0].text, tuple(x for x in c[1:] if x is not None), span=span)

        return build

    program = _container(ast.Program)
    folder = _container(ast.Folder)
    workspace = _container(ast.Workspace)
    scenario = _container(ast.Scenario)

    # -- people and scenarios
    def field_value(self, span, c):
        return ast.FieldValue(c[0].text, c[1], pack_within(span, c[0]._span), span=span)

    def person(self, span, c):
        return ast.Person(c[0].text, tuple(c[1:]), span=span)

    def people(self, span, c):
        return ast.People(_present(c), span=span)

    def person_list(self, span, c):
        return tuple(n.text for n in c)

    def at_cmd(self, span, c):
        return ast.At(self._datetime(c[0]), span=span)

    def run_cmd(self, span, c):
        return ast.Run(c[0], c[1], span=span)

    def request_cmd(self, span, c):
        return ast.Request(c[0], c[1], c[2], span=span)

    def schedule_cmd(self, span, c):
        return ast.ScheduleRun(c[0], self._datetime(c[1]), c[2], span=span)

    def event_cmd(self, span, c):
        args, kwargs = _split_args(c[2:])
        return ast.Event(c[0].text, self._str(c[1]), args, kwargs, span=span)

    def set_cmd(self, span, c):
        return ast.Set(c[0].text, c[1].text, c[2], c[1]._span, span=span)

    def activate_cmd(self, span, c):
        return ast.Activate(c[0], span=span)

    def deactivate_cmd(self, span, c):
        return ast.Deactivate(c[0], span=span)

    def advance_cmd(self, span, c):
        return ast.Advance(c[0], span=span)

    def expect_cmd(self, span, c):
        return ast.Expect(c[0].text, c[1], span=span)

    def expect_activity_cmd(self, span, c):
        return ast.ExpectActivity(c[0].text, self._str(unquote(str(c[1]))), tuple(c[2:]), span=span)

    def expect_no_activity_cmd(self, span, c):
        return ast.ExpectActivity(c[0].text, self._str(unquote(str(c[1]))), tuple(c[2:]), True, span=span)

    # -- roots
    def start(self, span, c):
        return ast.Module(self.file, _present(c), span=span)

    def repl_line(self, span, c):
        return c[0]


class _Name(str):
    """A name with the place it was written (names are plain strings in the AST: `text`)."""

    def __new__(cls, text, span):
        obj = super().__new__(cls, text)
        obj._span, obj.text = span, text
        return obj


class _Default:
    def __init__(self, step, span):
        self.step, self._span = step, span


class _Item:
    def __init__(self, key, value, span):
        self.key, self.value, self._span = key, value, span


def _campaign_part(item):
    if isinstance(item, _Item):
        return item.key, item.value, item._span
    key = {
        ast.SmartList: "smart_list",
        ast.Flow: "flow",
        ast.Qualification: "qualification",
        ast.Schedule: "schedule",
    }[type(item)]
    return key, item, item._span


def _present(items: list) -> tuple:
    """`items` without the Nones of missing `[...]` parts. A block's items are
    many: their tuple is made at once, not grown, and no other list is made."""
    return tuple(items) if None not in items else tuple([x for x in items if x is not None])


def _split_args(items) -> tuple[tuple, tuple]:
    args = tuple(x for x in items if x is not None and not isinstance(x, ast.KwArg))
    kwargs = tuple(x for x in items if isinstance(x, ast.KwArg))
    return args, kwargs


# ---- reductions ----------------------------------------------------------------


def reductions(rules) -> list:
    """How to reduce each grammar rule: (rule, its method's name, (kept, Nones
    after them, whether a lone child stands for the rule as in `?rule`)), or
    (rule, None, its callback) for a spliced `_rule`, which needs no method.
    `kept` says which symbols the method sees, as Lark shapes a tree: (index,
    spliced `_rule`, Nones for missing `[...]` items before it) for each
    symbol not dropped as punctuation."""
    plans = []
    for rule in rules:
        empty = rule.options.empty_indices
        if empty:  # a flag per symbol and per missing `[...]` item: runs of 1s are Nones
            nones = [len(run) for run in "".join("1" if e else "0" for e in empty).split("0")]
        else:
            nones = [0] * (len(rule.expansion) + 1)
        kept, pending = [], 0
        for i, sym in enumerate(rule.expansion):
            pending += nones[i]
            if rule.options.keep_all_tokens or not (sym.is_term and sym.filter_out):
                kept.append((i, not sym.is_term and sym.name.startswith("_"), pending))
                pending = 0
        name = rule.alias or rule.origin.name
        if name.startswith("_"):
            plans.append((rule, None, partial(_splice, kept, pending + nones[-1])))
        else:
            plans.append((rule, name, (kept, pending + nones[-1], bool(rule.options.expand1) and not rule.alias)))
    return plans


def _children(kept, nones_after, raw: list) -> list:
    out = []
    for i, inline, nones in kept:
        if nones:
            out += [None] * nones
        x = raw[i]
        if inline:
            items = x.items
            if len(items) > len(out):  # the spliced list is this reduction's alone: a block's items are not copied
                items[:0] = out
                out = items
            else:
                out += items
        else:
            out.append(x.value if type(x) is _Ext else x)
    if nones_after:
        out += [None] * nones_after
    return out


def _splice(kept, nones_after, raw: list):
    first = raw[kept[0][0]] if kept else None
    if type(first) is _Splice and kept[0][1] and not kept[0][2]:
        # A list rule (`(_sep item)*`, `_sep`) is left-recursive: it grows its
        # first child's list, which nothing else holds, instead of copying it
        # per item (quadratic time and memory in a block's length).
        items = first.items
        items += _children(kept[1:], nones_after, raw)
    else:
        items = _children(kept, nones_after, raw)
    return _Splice(items, *_edges(raw))


def _reduce(kept, nones_after, single, method, file, raw: list):
    c = _children(kept, nones_after, raw)
    if single and len(c) == 1:  # `?rule` with one child: the child itself
        if len(raw) == 1:
            return raw[0]
        return _Ext(c[0], _extent(file, raw))  # `( cond )`: the parentheses still count for the parent
    span = _extent(file, raw)
    value = method(span, c)
    # A parent's span runs from its first child's start to its last child's
    # end, so a value that is not a node with this span (a keyword, a tuple,
    # the `target` of `clone_of`) keeps it aside.
    return value if getattr(value, "_span", None) is span else _Ext(value, span)


def _extent(file: str, raw: list) -> int | None:
    """From the start of the first child to the end of the last, keywords and `<` `>` included."""
    first, last = _edges(raw)
    return None if first is None else pack_extent(file, first, last)


def _edges(raw: list) -> tuple:
    """Where the first child starts and the last ends: each a token (its own
    position) or a packed span; (None, None) when there are none."""
    for first in raw:
        first = first.first if type(first) is _Splice else getattr(first, "_span", first)
        if first is not None:
            break
    else:
        return None, None
    for last in reversed(raw):
        last = last.last if type(last) is _Splice else getattr(last, "_span", last)
        if last is not None:
            return first, last


class _Splice:
    """A `_rule`'s children, spliced into its parent's; its edges only matter at the parent's.

    They are found at once (a token or a packed span each): a lazy search
    would recurse down a long list's chain."""

    __slots__ = ("items", "first", "last")

    def __init__(self, items, first, last):
        self.items, self.first, self.last = items, first, last


class _Ext:
    """A value with the span it was written at, when the value cannot carry it."""

    __slots__ = ("value", "_span")

    def __init__(self, value, span):
        self.value, self._span = value, span
