"""Lark tree -> mkc AST. Only the parser facade uses this module."""

from __future__ import annotations

import datetime as dt
import re

from lark import Token as LarkToken
from lark import Transformer, v_args

from mkc.diagnostics import Diagnostic
from mkc.grammar import ast
from mkc.source import Span

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
_TOKEN_RE = re.compile(r"<<([A-Za-z_]+)\.([^<>:\n]+?)(?::default=([^>\n]*))?>>")
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


def parse_token(text: str) -> ast.Token:
    m = _TOKEN_RE.fullmatch(text)
    return ast.Token(m.group(1), m.group(2).strip(), m.group(3))


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


@v_args(meta=True)
class ToAst(Transformer):
    """Builds AST nodes; problems a grammar cannot express become diagnostics."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file
        self.problems: list[Diagnostic] = []

    # -- spans
    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok_span(self, tok: LarkToken) -> Span:
        return Span(self.file, tok.line, tok.column, tok.end_line, tok.end_column)

    def _problem(self, span, message, code="syntax"):
        self.problems.append(Diagnostic(code, message, span))

    # -- values
    def string(self, meta, c):
        return ast.Str(unquote(c[0]), span=self._tok_span(c[0]))

    def number(self, meta, c):
        return ast.Num(_number(c[0]), span=self._tok_span(c[0]))

    def score_add(self, meta, c):
        return ast.ScoreChange("+", _number(c[0][1:]), span=self._tok_span(c[0]))

    def score_set(self, meta, c):
        return ast.ScoreChange("=", _number(c[0]), span=self._span(meta))

    def duration(self, meta, c):
        return ast.Duration(_number(c[0]), c[1], span=self._span(meta))

    def unit(self, meta, c):
        return _UNITS.get(str(c[0]), str(c[0]))

    def time(self, meta, c):
        hour, minute = (int(p) for p in str(c[0]).split(":"))
        span = self._tok_span(c[0])
        if hour > 23 or minute > 59:
            self._problem(span, f"`{c[0]}` is not a time of day (HH:MM, 00:00 to 23:59)")
        return ast.TimeOfDay(hour, minute, span=span)

    def datetime(self, meta, c):
        return self._datetime(c[0])

    def _datetime(self, tok):
        span = self._tok_span(tok)
        try:
            value, has_time = parse_datetime(str(tok))
        except ValueError:
            self._problem(span, f"`{tok}` is not a valid date or date-time")
            value, has_time = dt.datetime(1970, 1, 1), False
        return ast.DateTime(value, has_time, span=span)

    def token(self, meta, c):
        t = parse_token(str(c[0]))
        return ast.Token(t.scope, t.name, t.default, span=self._tok_span(c[0]))

    def boolean(self, meta, c):
        return ast.Bool(str(c[0]) == "true", span=self._span(meta))

    def null(self, meta, c):
        return ast.Null(span=self._span(meta))

    def list(self, meta, c):
        return ast.ListValue(tuple(x for x in c if x is not None), span=self._span(meta))

    def ref(self, meta, c):
        parts = tuple(unquote(str(x)) for x in c if x is not None)
        return ast.Ref(parts, span=self._span(meta))

    target = ref

    def name(self, meta, c):
        return _Name(unquote(str(c[0])), self._tok_span(c[0]))

    def kwarg(self, meta, c):
        return ast.KwArg(str(c[0]), c[1], span=self._span(meta))

    # -- conditions
    def _op(self, meta, c):
        return str(c[0])

    cmp_op = set_op = text_op = date_op = rel_op = between_op = empty_op = _op

    def field_cond(self, meta, c):
        field, op, *operands = c
        return ast.FieldCond(field.text, op, tuple(operands), span=self._span(meta))

    def func_cond(self, meta, c):
        args, kwargs = _split_args(c[1:])
        return ast.FuncCond(str(c[0]), args, kwargs, span=self._span(meta))

    def not_cond(self, meta, c):
        return ast.Not(c[0], span=self._span(meta))

    def and_cond(self, meta, c):
        return ast.And(c[0], c[1], span=self._span(meta))

    def or_cond(self, meta, c):
        return ast.Or(c[0], c[1], span=self._span(meta))

    # -- campaigns
    def trigger(self, meta, c):
        args, kwargs = _split_args(c[1:])
        return ast.Trigger(str(c[0]), args, kwargs, span=self._span(meta))

    def filter(self, meta, c):
        return ast.Filter(c[0], span=self._span(meta))

    def logic(self, meta, c):
        return ast.Logic(unquote(str(c[0])), span=self._span(meta))

    def _smart_list_body(self, meta, items) -> ast.SmartList:
        triggers = tuple(i for i in items if isinstance(i, ast.Trigger))
        filters = tuple(i for i in items if isinstance(i, ast.Filter))
        logics = [i for i in items if isinstance(i, ast.Logic)]
        for extra in logics[1:]:
            self._problem(extra.span, "a smart list has one `logic`; this one repeats it")
        return ast.SmartList(triggers, filters, logics[0] if logics else None, span=self._span(meta))

    def smart_list(self, meta, c):
        return self._smart_list_body(meta, [x for x in c if x is not None])

    def step(self, meta, c):
        name, score, *rest = c
        args, kwargs = _split_args(rest)
        if score is not None:
            args = (score, *args)
        return ast.Step(str(name), args, kwargs, span=self._span(meta))

    def when(self, meta, c):
        return ast.When(c[0], c[1], span=self._span(meta))

    def default(self, meta, c):
        return _Default(c[0], self._span(meta))

    def choice(self, meta, c):
        whens, default, default_span = [], None, None
        for item in c:
            if item is None:
                continue
            if isinstance(item, _Default):
                if default is not None:
                    self._problem(item.span, "a choice has one `default`; this one repeats it")
                default, default_span = item.step, item.span
            else:
                if default is not None:
                    self._problem(item.span, "`when` after `default`: the `default` branch comes last")
                whens.append(item)
        return ast.Choice(tuple(whens), default, default_span, span=self._span(meta))

    def flow(self, meta, c):
        return ast.Flow(tuple(x for x in c if x is not None), span=self._span(meta))

    def qual_mode(self, meta, c):
        return str(c[0])

    def qualification(self, meta, c):
        mode, period = c
        span = self._span(meta)
        if mode == "once_every" and period is None:
            self._problem(span, "`once_every` needs a duration, as in `qualification once_every 30 days`")
        if mode != "once_every" and period is not None:
            self._problem(period.span, f"`{mode}` takes no duration; did you mean `once_every {period}`?")
            period = None
        return ast.Qualification(mode, period, span=span)

    def schedule(self, meta, c):
        at, every_word, every, until_word, until = c
        for word, expected in ((every_word, "every"), (until_word, "until")):
            if word is not None and word != expected:
                self._problem(self._tok_span(word), f"unexpected `{word}`; expected `{expected}`")
        until = self._datetime(until) if until else None
        return ast.Schedule(self._datetime(at), every, until, span=self._span(meta))

    def description(self, meta, c):
        return _Item("description", unquote(str(c[0])), self._span(meta))

    def active(self, meta, c):
        return _Item("active", c[0].value, self._span(meta))

    def kind(self, meta, c):
        return str(c[0])

    def clone_of(self, meta, c):
        return c[0]

    def campaign(self, meta, c):
        name, kind, clone_of, *items = c
        fields: dict = {}
        for item in items:
            if item is None:
                continue
            key, value, span = _campaign_part(item)
            if key in fields:
                self._problem(span, f"campaign {name.text} already has a `{key}`; write each part once")
                continue
            fields[key] = value
        return ast.Campaign(name.text, kind, clone_of, span=self._span(meta), **fields)

    # -- declarations
    def token_decl(self, meta, c):
        return ast.TokenDecl(str(c[0]), c[1].text, c[2], span=self._span(meta))

    def tokens(self, meta, c):
        return ast.Tokens(tuple(x for x in c if x is not None), span=self._span(meta))

    def list_asset(self, meta, c):
        return ast.ListAsset(c[0].text, span=self._span(meta))

    def smart_list_asset(self, meta, c):
        return ast.SmartListAsset(
            c[0].text, self._smart_list_body(meta, [x for x in c[1:] if x is not None]), span=self._span(meta)
        )

    def prop(self, meta, c):
        return ast.Prop(str(c[0]), c[1], span=self._span(meta))

    def email(self, meta, c):
        return ast.EmailAsset(c[0].text, tuple(c[1:]), span=self._span(meta))

    def webhook(self, meta, c):
        return ast.WebhookAsset(c[0].text, tuple(c[1:]), span=self._span(meta))

    def statuses(self, meta, c):
        names = []
        for item in c[0].items:
            if isinstance(item, ast.Str):
                names.append(item.text)
            elif isinstance(item, ast.Ref) and len(item.parts) == 1:
                names.append(item.name)
            else:
                self._problem(item.span, 'a status is a string, as in `statuses ["Invited", "Attended"]`')
        return ast.Statuses(tuple(names), span=self._span(meta))

    def _container(cls):
        def build(self, meta, c):
            return cls(c[0].text, tuple(x for x in c[1:] if x is not None), span=self._span(meta))

        return build

    program = _container(ast.Program)
    folder = _container(ast.Folder)
    workspace = _container(ast.Workspace)
    scenario = _container(ast.Scenario)

    # -- people and scenarios
    def field_value(self, meta, c):
        return ast.FieldValue(c[0].text, c[1], span=self._span(meta))

    def person(self, meta, c):
        return ast.Person(c[0].text, tuple(c[1:]), span=self._span(meta))

    def people(self, meta, c):
        return ast.People(tuple(x for x in c if x is not None), span=self._span(meta))

    def person_list(self, meta, c):
        return tuple(n.text for n in c)

    def at_cmd(self, meta, c):
        return ast.At(self._datetime(c[0]), span=self._span(meta))

    def run_cmd(self, meta, c):
        return ast.Run(c[0], c[1], span=self._span(meta))

    def request_cmd(self, meta, c):
        return ast.Request(c[0], c[1], c[2], span=self._span(meta))

    def schedule_cmd(self, meta, c):
        return ast.ScheduleRun(c[0], self._datetime(c[1]), c[2], span=self._span(meta))

    def event_cmd(self, meta, c):
        args, kwargs = _split_args(c[2:])
        return ast.Event(c[0].text, str(c[1]), args, kwargs, span=self._span(meta))

    def set_cmd(self, meta, c):
        return ast.Set(c[0].text, c[1].text, c[2], span=self._span(meta))

    def activate_cmd(self, meta, c):
        return ast.Activate(c[0], span=self._span(meta))

    def deactivate_cmd(self, meta, c):
        return ast.Deactivate(c[0], span=self._span(meta))

    def advance_cmd(self, meta, c):
        return ast.Advance(c[0], span=self._span(meta))

    def expect_cmd(self, meta, c):
        return ast.Expect(c[0].text, c[1], span=self._span(meta))

    def expect_activity_cmd(self, meta, c):
        return ast.ExpectActivity(c[0].text, unquote(str(c[1])), tuple(c[2:]), span=self._span(meta))

    def expect_no_activity_cmd(self, meta, c):
        return ast.ExpectActivity(c[0].text, unquote(str(c[1])), tuple(c[2:]), True, span=self._span(meta))

    # -- roots
    def start(self, meta, c):
        return ast.Module(self.file, tuple(x for x in c if x is not None), span=self._span(meta))

    def repl_line(self, meta, c):
        return c[0]


class _Name(str):
    """A name with the place it was written (names are plain strings in the AST)."""

    def __new__(cls, text, span):
        obj = super().__new__(cls, text)
        obj.span = span
        return obj

    @property
    def text(self) -> str:
        return str(self)


class _Default:
    def __init__(self, step, span):
        self.step, self.span = step, span


class _Item:
    def __init__(self, key, value, span):
        self.key, self.value, self.span = key, value, span


def _campaign_part(item):
    if isinstance(item, _Item):
        return item.key, item.value, item.span
    key = {
        ast.SmartList: "smart_list",
        ast.Flow: "flow",
        ast.Qualification: "qualification",
        ast.Schedule: "schedule",
    }[type(item)]
    return key, item, item.span


def _split_args(items) -> tuple[tuple, tuple]:
    args = tuple(x for x in items if x is not None and not isinstance(x, ast.KwArg))
    kwargs = tuple(x for x in items if isinstance(x, ast.KwArg))
    return args, kwargs
