"""The mkc syntax tree: one frozen attrs class per grammar construct.

Every node carries a `span`, excluded from equality, so two trees compare by
what they say and not where they were written.
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.source import Span, pack_span, unpack_span, unpack_within


def node(cls):
    """Make `cls` a frozen attrs class with a keyword-only `span`.

    A parse makes about one node per ten bytes of source, so nodes keep
    what they hold compactly, and give it back as declared when read:

    - spans (`span`, `field_span`, ...) packed, an int each
      (`mkc.source.pack_span`), in attributes named `_span`, `_field_span`...:
      a `Span` costs 40 bytes more. They are given and read as `Span`s; a
      packed int is accepted too. Another span that starts where the node's
      own does, on its line, is kept as its width (`pack_within`): a small
      int, which Python shares.
    - tuples (`steps`, `args`, ...) in attributes named `_steps`, `_args`...,
      where a tuple of one item is kept as the item: most are of one (a
      campaign's one filter, a step's one argument, a name's one part), and
      such a tuple costs 48 bytes. They are given and read as tuples.

    Equality and hashing compare what is kept, the same for the same tuple."""
    annotations, renamed = {}, []
    for name, kind in {**cls.__annotations__, "span": None}.items():
        if name.endswith("span"):
            packed = attrs.field(
                default=None, eq=False, repr=False, kw_only=name == "span", alias=name, converter=_packed
            )
        elif kind.startswith("tuple"):
            default = cls.__dict__.get(name, attrs.NOTHING)
            packed = attrs.field(default=default, repr=False, alias=name, converter=_one_bare)
        else:
            annotations[name] = kind
            continue
        if name in cls.__dict__:
            delattr(cls, name)  # the class body's `attrs.field(default=None, eq=False)`, or a default
        annotations["_" + name] = "int | None" if name.endswith("span") else kind
        setattr(cls, "_" + name, packed)
        renamed.append(name)
    cls.__annotations__ = annotations
    cls = attrs.frozen(cls, weakref_slot=False, repr=False)  # no weak references: 8 bytes less per node
    for name in renamed:
        if name == "span":
            cls.span = property(lambda self: unpack_span(self._span))
        elif name.endswith("span"):
            cls_slot = getattr(cls, "_" + name)
            setattr(cls, name, property(lambda self, slot=cls_slot: unpack_within(self._span, slot.__get__(self))))
        else:
            setattr(cls, name, property(_tuple_getter(getattr(cls, "_" + name))))
    cls.__repr__ = _repr
    return cls


def _packed(span: Span | int | None) -> int | None:
    return pack_span(span.file, span.line, span.column, span.end_line, span.end_column) if type(span) is Span else span


def _one_bare(items):
    """A tuple of one item as the item (not when the item is None, a tuple or a list: those stay in theirs)."""
    if type(items) is tuple and len(items) == 1:
        item = items[0]
        if item is not None and type(item) not in _SEQUENCES:
            return item
    return items


_SEQUENCES = (tuple, list)


def _tuple_getter(slot):
    get = slot.__get__

    def getter(self):
        items = get(self)
        return items if items is None or type(items) in _SEQUENCES else (items,)

    return getter


def _repr(self) -> str:
    """As attrs writes it, with the names and values as declared."""
    fields = (f for f in attrs.fields(type(self)) if not f.alias.endswith("span"))
    return f"{type(self).__name__}({', '.join(f'{f.alias}={getattr(self, f.alias)!r}' for f in fields)})"


# ---- values --------------------------------------------------------------


@node
class Str:
    """A string literal; its `text` may hold `<<scope.name>>` tokens."""

    text: str


@node
class Num:
    value: int | float


@node
class ScoreChange:
    """`+N`, `-N` (written as a negative number), `=N` or `=-N`."""

    op: str  # "+" or "="
    amount: int | float

    def __str__(self) -> str:
        if self.op == "=":
            return f"={_num(self.amount)}"
        return f"+{_num(self.amount)}" if self.amount >= 0 else _num(self.amount)


UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60, "week": 7 * 24 * 60, "month": 30 * 24 * 60}


@node
class Duration:
    amount: int | float
    unit: str  # singular: minute, hour, day, week, month

    @property
    def delta(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.amount * UNIT_MINUTES[self.unit])

    def __str__(self) -> str:
        plural = "" if self.amount == 1 else "s"
        return f"{_num(self.amount)} {self.unit}{plural}"


@node
class TimeOfDay:
    hour: int
    minute: int

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


@node
class DateTime:
    value: dt.datetime
    has_time: bool

    def __str__(self) -> str:
        return format_datetime(self.value) if self.has_time else self.value.date().isoformat()


@node
class Token:
    """`<<scope.name>>` or `<<scope.name:default=text>>` standing as a value."""

    scope: str
    name: str
    default: str | None = None

    def __str__(self) -> str:
        d = f":default={self.default}" if self.default is not None else ""
        return f"<<{self.scope}.{self.name}{d}>>"


@node
class ListValue:
    items: tuple[Value, ...]


@node
class Bool:
    value: bool


@node
class Null:
    pass


@node
class Ref:
    """A bare name, or `program.campaign`."""

    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def qualifier(self) -> str | None:
        return self.parts[0] if len(self.parts) > 1 else None

    def __str__(self) -> str:
        return ".".join(self.parts)


Value = Str | Num | ScoreChange | Duration | TimeOfDay | DateTime | Token | ListValue | Bool | Null | Ref


@node
class KwArg:
    name: str
    value: Value


# ---- conditions -----------------------------------------------------------


@node
class FieldCond:
    """`FIELD OP operand...`: comparisons, `in`, text, date and emptiness tests."""

    field: str
    op: str
    operands: tuple[Value, ...]
    field_span: Span | None = attrs.field(default=None, eq=False, repr=False)  # where the field is named


@node
class FuncCond:
    """`NAME args`: `member_of_list "L"`, `was_sent_email "E"`, ..."""

    name: str
    args: tuple[Value, ...]
    kwargs: tuple[KwArg, ...]


@node
class Not:
    cond: Cond


@node
class And:
    left: Cond
    right: Cond


@node
class Or:
    left: Cond
    right: Cond


Cond = FieldCond | FuncCond | Not | And | Or


def terms(cond: And | Or) -> list[Cond]:
    """The terms of a chain of one operator, in order. `a and b and c` is
    `And(And(a, b), c)`, as deep as the chain is long: walk it with this, not
    by recursion, which a few thousand terms would exhaust."""
    kind, out = type(cond), []
    while type(cond) is kind:
        out.append(cond.right)
        cond = cond.left
    out.append(cond)
    out.reverse()
    return out


# ---- campaigns -------------------------------------------------------------


@node
class Trigger:
    name: str
    args: tuple[Value, ...]
    kwargs: tuple[KwArg, ...]


@node
class Filter:
    cond: Cond


@node
class Logic:
    text: str


@node
class SmartList:
    triggers: tuple[Trigger, ...]
    filters: tuple[Filter, ...]
    logic: Logic | None = None


@node
class Step:
    name: str
    args: tuple[Value, ...]
    kwargs: tuple[KwArg, ...]


@node
class When:
    cond: Cond
    step: FlowItem


@node
class Choice:
    whens: tuple[When, ...]
    default: FlowItem | None
    default_span: Span | None = attrs.field(default=None, eq=False)


FlowItem = Step | Choice


@node
class Flow:
    steps: tuple[FlowItem, ...]


@node
class Qualification:
    mode: str  # every_time, once, once_every
    period: Duration | None = None


@node
class Schedule:
    at: DateTime
    every: Duration | None = None
    until: DateTime | None = None


@node
class Campaign:
    name: str
    kind: str | None  # as written: batch, trigger, executable, or None
    clone_of: Ref | None
    description: str | None = None
    smart_list: SmartList | None = None
    flow: Flow | None = None
    qualification: Qualification | None = None
    schedule: Schedule | None = None
    active: bool | None = None
    active_span: Span | None = attrs.field(default=None, eq=False, repr=False)  # where `active` is written
    description_span: Span | None = attrs.field(default=None, eq=False, repr=False)  # for `mkc fmt`'s comments


# ---- declarations ----------------------------------------------------------


@node
class TokenDecl:
    scope: str  # "my" for a valid declaration; the checker says otherwise
    name: str
    value: Value


@node
class Tokens:
    decls: tuple[TokenDecl, ...]


@node
class ListAsset:
    name: str


@node
class SmartListAsset:
    name: str
    body: SmartList


@node
class Prop:
    name: str
    value: Value


@node
class EmailAsset:
    name: str
    props: tuple[Prop, ...]

    def prop(self, name: str) -> Value | None:
        return next((p.value for p in self.props if p.name == name), None)


@node
class WebhookAsset:
    name: str
    props: tuple[Prop, ...]

    def prop(self, name: str) -> Value | None:
        return next((p.value for p in self.props if p.name == name), None)


Asset = ListAsset | SmartListAsset | EmailAsset | WebhookAsset


@node
class Statuses:
    names: tuple[str, ...]


@node
class Program:
    name: str
    items: tuple  # Tokens, Statuses, Campaign, Asset


@node
class Folder:
    name: str
    items: tuple  # Tokens, Folder, Program, Campaign, Asset


@node
class Workspace:
    name: str
    items: tuple


@node
class FieldDecl:
    """A custom person field: `renewal_date date "Renewal Date"`."""

    name: str
    type: str  # as written; the checker says when it is no field type
    label: str | None = None  # the name Marketo shows for it
    type_span: Span | None = attrs.field(default=None, eq=False, repr=False)


@node
class Fields:
    decls: tuple[FieldDecl, ...]


# ---- people and scenarios ----------------------------------------------------


@node
class FieldValue:
    field: str
    value: Value
    field_span: Span | None = attrs.field(default=None, eq=False, repr=False)


@node
class Person:
    handle: str
    fields: tuple[FieldValue, ...]


@node
class People:
    persons: tuple[Person, ...]


@node
class At:
    when: DateTime


@node
class Run:
    campaign: Ref
    people: tuple[str, ...] | None


@node
class Request:
    campaign: Ref
    people: tuple[str, ...]
    tokens: Tokens | None


@node
class ScheduleRun:
    campaign: Ref
    at: DateTime
    tokens: Tokens | None


@node
class Event:
    person: str
    trigger: str
    args: tuple[Value, ...]
    kwargs: tuple[KwArg, ...]


@node
class Set:
    person: str
    field: str
    value: Value
    field_span: Span | None = attrs.field(default=None, eq=False, repr=False)


@node
class Activate:
    campaign: Ref


@node
class Deactivate:
    campaign: Ref


@node
class Advance:
    duration: Duration


@node
class Expect:
    person: str
    cond: Cond


@node
class ExpectActivity:
    person: str
    activity: str
    kwargs: tuple[KwArg, ...]
    negated: bool = False


Command = At | Run | Request | ScheduleRun | Event | Set | Activate | Deactivate | Advance | Expect | ExpectActivity


@node
class Scenario:
    name: str
    commands: tuple[Command, ...]


@node
class Module:
    """One parsed file."""

    file: str
    items: tuple


# ---- helpers ------------------------------------------------------------------


def _num(x: int | float) -> str:
    if isinstance(x, int):
        return str(x)  # exact, however large
    return str(int(x)) if x.is_integer() else repr(x)


def format_datetime(value: dt.datetime) -> str:
    """`YYYY-MM-DDTHH:MM`, every date-time printed; not strftime, whose `%Y` drops a year's leading zeros."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}"
