"""Smart lists and conditions as SQL (columnar/predicates.py) against the
reference interpreter, person by person.

People with messy fields (empty, mixed case, numeric text, spaces, dates as
text, values in `_extra` that did not fit their column, NULL columns, fields
with no column at all) are written into a real store's `people` table; each
one is read back the way a run reads it (`store.batches.fields_reader`) and
the reference's `Conditions.holds` / `qualifies` is asked, and the compiled
SQL is evaluated over the table. They must agree for everyone.
MKC_LONG=1 runs thousands of examples instead of a few hundred.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib

import attrs
import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkc.checker.model import Model
from mkc.columnar import predicates
from mkc.columnar.predicates import Context, Unsupported
from mkc.grammar import ast
from mkc.interpreter.conditions import Conditions
from mkc.interpreter.runtime import PersonState, PersonView, Runtime, Unresolved
from mkc.interpreter.tokens import TokenContext, TokenError, Tokens
from mkc.load import load_source
from mkc.source import Source
from mkc.stdlib.conditions import FIELD_OPS
from mkc.stdlib.values import text
from mkc.store import codec
from mkc.store.batches import StoreSource, add_people, fields_reader
from mkc.store.db import Store
from mkc.store.schema import quote

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
LONG = bool(os.environ.get("MKC_LONG"))
NOW = dt.datetime(2026, 1, 10, 12, 0)

PROGRAM = """
tokens < my.country = "NL"; my.score = 10; my.day = 2026-01-05; my.lead = "<<lead.country>>" >
list "Hot"
list "Cold"
program Webinar <
  statuses ["Invited", "Registered", "Attended"]
  campaign Invite < smart_list < filter member_of_program Webinar status="Registered" >; flow < do_nothing > >
>
smart_list "Dutch" < filter country in ["NL", "nl "] >
smart_list "HotDutch" < filter member_of_list "Hot"; filter member_of_smart_list "Dutch"; logic "1 and 2" >
smart_list "LoopA" < filter member_of_smart_list "LoopB" >
smart_list "LoopB" < filter not member_of_smart_list "LoopA"; filter score > 1; logic any >
smart_list "NamesLoop" < filter not member_of_smart_list "LoopA" >
campaign Main < flow < do_nothing > >
"""

# The people table: a column per type, and `ghost`, a field without a column.
COLUMNS = {
    "country": "VARCHAR",
    "score": "BIGINT",
    "amount": "DOUBLE",
    "flag": "BOOLEAN",
    "day": "DATE",
    "moment": "TIMESTAMP",
}
FIELDS = [*COLUMNS, "ghost"]

TEXTS = [
    "", " ", "NL", "nl", " Nl ", "nl ", "BE", "10", " 10 ", "10.0", "+5", "-3.5", "0", "007", "abc", "ABC def",
    "manager", "Sales Manager", "MANAGER of", "2026-01-05", "2026-01-05 09:30", "2026-01-05T09:30:15",
    " 2026-01-05\t", "2026-02-30", "2026-01-05T24:00", "2026-01-05T9:00", "0000-01-01", "true", "FALSE", " True ",
    "falſe", "ß", "STRASSE", "straße", "İstanbul", "i̇stanbul", "ǅ", "ΣΑΣ", "١٢", "\u00a010\u00a0", "\u3000nl",
    "1e3", "12345678901234567890", "O'Brien", "a%b_c", "\\", "2026-01-09T12:00", "2026-01-10 11:00", "2025-12-31",
]  # fmt: skip
NUMBERS = [0, 1, -1, 5, 10, 20, 2**62, -(2**62), 3, 100]
FLOATS = [0.0, 0.5, -2.25, 10.0, 1e-07, 123456.789, 1e16, 3.0e20, -0.0, 2.5, 1e300]
DAYS = [dt.date(2026, 1, d) for d in (1, 4, 5, 6, 9, 10, 11)] + [dt.date(1, 1, 1), dt.date(9999, 12, 31)]
MOMENTS = [
    dt.datetime(2026, 1, 5, 0, 0),
    dt.datetime(2026, 1, 5, 9, 30),
    dt.datetime(2026, 1, 9, 12, 0),  # now - 1 day
    NOW,
    NOW - dt.timedelta(hours=1),
    NOW + dt.timedelta(days=1),
    NOW + dt.timedelta(minutes=1),
    dt.datetime(2026, 1, 10, 11, 59, 59, 999999),
    dt.datetime(2026, 1, 11, 12, 0, 0, 1),
    dt.datetime(2026, 1, 3, 12, 0),
]
# Operands chosen to meet the values above: the same text in another case or
# spacing, numbers as text, dates as text, the day of a moment.
OPERANDS = [
    "nl", "NL ", "be", "10", "10.0", "+5", "5", "0", "", " ", "abc", "man", "manager", "MANAGER", "2026-01-05",
    "2026-01-05 09:30", "2026-01-09T12:00", "true", "False", "strasse", "ß", "i̇", "١٢", "O'BRIEN", 0, 5, 10, -1, 20,
    0.5, 2.5, 10.0, -3.5, True, False, None, *DAYS[:7], *MOMENTS,
]  # fmt: skip

texts = st.one_of(st.sampled_from(TEXTS), st.sampled_from(TEXTS), st.text(max_size=6))
numbers = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(NUMBERS), st.integers(-(2**63), 2**63 - 1))
floats = st.one_of(st.sampled_from(FLOATS), st.floats(allow_nan=False, allow_infinity=False))
scalars = st.one_of(
    texts, numbers, floats, st.booleans(), st.sampled_from(DAYS), st.sampled_from(MOMENTS), st.datetimes()
)
# What `_extra` holds: anything a field can hold, ints too big for BIGINT included.
extras = st.one_of(scalars, st.sampled_from([2**64, -(2**70), 10**30]), st.none())

COLUMN_VALUES = {
    "VARCHAR": texts,
    "BIGINT": numbers,
    "DOUBLE": st.one_of(floats, st.sampled_from([float("inf"), float("-inf")])),
    "BOOLEAN": st.booleans(),
    "DATE": st.one_of(st.sampled_from(DAYS), st.dates()),
    "TIMESTAMP": st.one_of(st.sampled_from(MOMENTS), st.datetimes()),
}


@st.composite
def people_rows(draw):
    """(columns' values, `_extra`) per person: a column may be NULL; the extra
    value may stand beside a column that holds one too (the column wins)."""
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        values = {}
        for name, ctype in COLUMNS.items():
            values[name] = draw(st.one_of(st.none(), COLUMN_VALUES[ctype]))
        extra = {name: draw(extras) for name in draw(st.sets(st.sampled_from(FIELDS), max_size=3))}
        lists = draw(st.sets(st.sampled_from(["Hot", "Cold"])))
        status = draw(st.sampled_from([None, "Invited", "registered", "Registered", "Attended"]))
        rows.append((values, extra, lists, status))
    return rows


# ---- operands and conditions ----------------------------------------------------------------


def literal(value):
    if isinstance(value, str):
        return ast.Str(value)
    if isinstance(value, bool):
        return ast.Bool(value)
    if isinstance(value, (int, float)):
        return ast.Num(value)
    if isinstance(value, dt.datetime):
        return ast.DateTime(value, True)
    if isinstance(value, dt.date):
        return ast.DateTime(dt.datetime(value.year, value.month, value.day), False)
    return ast.Null()


operand_values = st.one_of(
    st.sampled_from(OPERANDS),
    st.sampled_from(OPERANDS),
    st.sampled_from(TEXTS),
    st.sampled_from(NUMBERS[:6] + [2**52, -(2**52) + 1]),
    st.sampled_from(FLOATS[:8]),
)
# Tokens answered once for everyone, one without an answer, one with a default, one in a string.
token_operands = st.sampled_from(
    [
        ast.Token("my", "country"),
        ast.Token("my", "score"),
        ast.Token("my", "day"),
        ast.Token("system", "date"),
        ast.Token("my", "undefined"),
        ast.Token("my", "undefined", "nl"),
        ast.Str("n<<my.country:default=x>>"),
    ]
)
operands = st.one_of(operand_values.map(literal), operand_values.map(literal), token_operands)
durations = st.one_of(
    st.sampled_from([ast.Duration(0, "minute"), ast.Duration(1, "day"), ast.Duration(1, "hour")]),
    st.builds(ast.Duration, st.sampled_from([0, 1, 2, 5, 10**9]), st.sampled_from(["minute", "hour", "day", "month"])),
)


def variants(value) -> list:
    """The value as an operand meeting it: in another case or spacing, as text,
    a number as text or as a float, a moment's day."""
    if isinstance(value, str):
        return [
            value,
            value.upper(),
            value.lower(),
            value.strip(),
            f" {value}",
            value[:2],
            value[-2:],
            value.casefold(),
        ]
    if isinstance(value, bool):
        return [value, str(value), str(value).upper(), not value]
    if isinstance(value, (int, float)):
        return [value, str(value), f" {value} ", float(value), f"+{value}", value + 1, text(value)]
    if isinstance(value, dt.datetime):
        return [value, value.date(), text(value), value.isoformat(), value + dt.timedelta(minutes=1)]
    if isinstance(value, dt.date):
        return [value, value.isoformat(), dt.datetime(value.year, value.month, value.day, 9, 30)]
    return [None, ""]


def values_of(rows) -> list[tuple[str, object]]:
    """(field, value) of every value the people hold, in a column or in `_extra`."""
    return [(name, v) for columns, extra, _, _ in rows for name, v in (*columns.items(), *extra.items())]


def operands_meeting(rows):
    """Operands, half of them made from the people's own values."""
    met = st.sampled_from(values_of(rows)).flatmap(lambda pair: st.sampled_from(variants(pair[1]))).map(literal)
    return st.one_of(met, operands)


@st.composite
def field_conds(draw, operands, rows=None):
    """A field test; given the people, half of them test a field one of
    them holds against a variant of its value."""
    op = draw(st.sampled_from(FIELD_OPS))
    name = draw(st.sampled_from(FIELDS))
    if rows is not None and draw(st.booleans()):
        name, value = draw(st.sampled_from(values_of(rows)))
        operands = st.one_of(st.sampled_from(variants(value)).map(literal), operands)
    if op in ("in", "not_in"):
        args = (ast.ListValue(tuple(draw(st.lists(operands, max_size=4)))),)
    elif op in ("in_past", "in_future"):
        args = (draw(durations),)
    elif op == "between":
        args = (draw(operands), draw(operands))
    elif op in ("is_empty", "not_empty"):
        args = ()
    else:
        args = (draw(operands),)
    return ast.FieldCond(name, op, args)


member_conds = st.sampled_from(
    [
        ast.FuncCond("member_of_list", (ast.Str("Hot"),), ()),
        ast.FuncCond("member_of_list", (ast.Str("Cold"),), ()),
        ast.FuncCond("member_of_program", (ast.Ref(("Webinar",)),), ()),
        ast.FuncCond("member_of_program", (ast.Ref(("Webinar",)),), (ast.KwArg("status", ast.Str("REGISTERED")),)),
        ast.FuncCond("member_of_smart_list", (ast.Str("Dutch"),), ()),
        ast.FuncCond("member_of_smart_list", (ast.Str("HotDutch"),), ()),
        ast.FuncCond("member_of_smart_list", (ast.Str("LoopA"),), ()),
        ast.FuncCond("member_of_smart_list", (ast.Str("NamesLoop"),), ()),
    ]
)


def conditions(rows=None):
    """Conditions of up to five field tests and memberships, with `not`, `and`, `or`."""
    met = operands if rows is None else operands_meeting(rows)
    return st.recursive(
        st.one_of(field_conds(met, rows), field_conds(met, rows), member_conds),
        lambda inner: st.one_of(
            inner.map(ast.Not),
            st.tuples(inner, inner).map(lambda t: ast.And(*t)),
            st.tuples(inner, inner).map(lambda t: ast.Or(*t)),
        ),
        max_leaves=5,
    )


LOGIC = ["all", "any", "1", "not 1", "1 and (2 or not 3)", "(1 or 2) and not (3 or 4)", "not (1 and 2)", "4 or 1"]


@st.composite
def smart_lists(draw, rows=None):
    filters = tuple(ast.Filter(c) for c in draw(st.lists(conditions(rows), max_size=4)))
    text_ = draw(st.sampled_from([None, *LOGIC]))
    return ast.SmartList((), filters, ast.Logic(text_) if text_ else None)


# ---- the world both sides look at -----------------------------------------------------------


class World:
    """A model, a runtime over it, and a store whose `people` the tests fill."""

    def __init__(self):
        loaded = load_source(Source("predicates.mkc", PROGRAM))
        assert not [d for d in loaded.diagnostics if d.is_error], loaded.diagnostics
        self.model: Model = loaded.model
        self.rt = Runtime(self.model, NOW)
        self.scope = self.model.campaigns[0].scope
        self.campaign = self.model.campaigns[0]
        self.store = Store.open(None)
        for name, ctype in COLUMNS.items():
            self.store.add_column(name, ctype)
        self.lists = {name: self.rt.resolve("list", ast.Str(name), self.scope) for name in ("Hot", "Cold")}
        self.program = self.rt.resolve("program", ast.Ref(("Webinar",)), self.scope)
        self.ctx = Context(self.store.columns(), NOW, self.rt, TokenContext(self.campaign))

    def load(self, rows) -> list[PersonState]:
        """Write the rows into the store; the people as a run reads them back."""
        con = self.store.con
        for table in ("people", "list_members", "program_members"):
            con.execute(f"DELETE FROM {table}")
        names = list(COLUMNS)
        placeholders = ", ".join("?" for _ in range(3 + len(names)))
        for pid, (values, extra, lists, status) in enumerate(rows, 1):
            con.execute(
                f"INSERT INTO people (_pid, id, _extra, {', '.join(map(quote, names))}) VALUES ({placeholders})",
                [pid, f"p{pid}", codec.dump_map(extra) if extra else None, *(values[n] for n in names)],
            )
            for name in lists:
                key = self.rt.keys(self.lists[name])
                con.execute("INSERT INTO list_members VALUES (?, ?, ?)", [pid, codec.dump_key(key), name])
            if status is not None:
                key = codec.dump_key(self.rt.keys(self.program))
                con.execute("INSERT INTO program_members VALUES (?, ?, 'Webinar', ?)", [pid, key, status])
        reader = fields_reader(self.store)
        select = ", ".join(["_pid", "id", "_extra", *map(quote, names)])
        people = []
        for row in con.execute(f"SELECT {select} FROM people ORDER BY _pid").fetchall():
            values, extra, lists, status = rows[row[0] - 1]
            state = PersonState(row[1], reader(row))
            state.lists = {self.rt.keys(self.lists[n]): n for n in lists}
            if status is not None:
                state.programs = {self.rt.keys(self.program): status}
            people.append(state)
        return people

    def sql(self, predicate: str, rows: str = "people") -> list[bool]:
        return [r[0] for r in self.store.con.execute(f"SELECT {predicate} FROM {rows} AS p ORDER BY _pid").fetchall()]

    def sql_or_none(self, predicate: str, rows: str = "people") -> list[bool] | None:
        """The answers, or None when a row holds a value the SQL does not model
        (the query fails on purpose: the engine falls back, never answers differently)."""
        try:
            return self.sql(predicate, rows)
        except duckdb.Error as err:
            if predicates.NOT_MODELLED not in str(err):
                raise
            return None

    def reference(self, people, ask) -> list:
        """`ask(conditions, view, tokens)` per person: its answer, or the error it raised."""
        conds = Conditions(self.rt)
        self.rt.people = {s.handle: s for s in people}
        answers = []
        for state in people:
            tokens = Tokens(self.rt, TokenContext(self.campaign), state.handle)
            try:
                answers.append(ask(conds, PersonView(state, self.rt.keys), tokens))
            except (Unresolved, TokenError) as err:
                answers.append(err)
        return answers

    def member_column(self, target) -> str:
        """`Context.members`: the lists' and the program's columns of `with_members`."""
        return "m$p" if target is self.program else f"m${target.name}"

    def with_members(self) -> str:
        """`people` with a column per list (in it) and for the program (the status, NULL: none),
        as a run's working table holds them."""
        lists = "".join(
            f", EXISTS (SELECT 1 FROM list_members m WHERE m.pid = p._pid AND m.list_key = "
            f"'{codec.dump_key(self.rt.keys(target))}') AS {quote(self.member_column(target))}"
            for target in self.lists.values()
        )
        status = (
            f"(SELECT min(status) FROM program_members m WHERE m.pid = p._pid AND m.program_key = "
            f"'{codec.dump_key(self.rt.keys(self.program))}') AS {quote(self.member_column(self.program))}"
        )
        return f"(SELECT p.*{lists}, {status} FROM people p)"


WORLD = World()
EXAMPLES = 3000 if LONG else 250


def agree(people, reference: list, compiled: list[bool] | None, what) -> None:
    if compiled is None:
        return
    for state, want, got in zip(people, reference, compiled, strict=True):
        assert got is want, f"{what}\nperson {state.fields} {state.lists} {state.programs}: SQL {got}, reference {want}"


# What the compiler refuses of what the generator makes (the run falls back):
# numbers at or beyond 2**53, a condition that fails when evaluated, and a
# NUL in an operand (drawn from a person's value; not compiled).
REFUSED = ("a condition that fails when evaluated", "a text with a NUL character")


@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(people_rows(), st.data())
def test_conditions_agree_with_the_reference(rows, data):
    people = WORLD.load(rows)
    conds = data.draw(st.lists(conditions(rows), min_size=1, max_size=4))
    for cond in conds:
        reference = WORLD.reference(people, lambda c, view, tokens, cond=cond: c.holds(cond, view, WORLD.scope, tokens))
        try:
            sql = predicates.condition(cond, WORLD.scope, WORLD.ctx)
        except Unsupported as err:  # only what the generator is known to make
            assert err.reason.startswith(REFUSED) or "below 2**53" in err.reason, err.reason
            continue
        agree(people, reference, WORLD.sql_or_none(sql), cond)


@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(people_rows(), st.data())
def test_smart_lists_agree_with_the_reference(rows, data):
    people = WORLD.load(rows)
    lists = data.draw(st.lists(smart_lists(rows), min_size=1, max_size=3))
    for sl in lists:
        reference = WORLD.reference(people, lambda c, view, tokens, sl=sl: c.qualifies(sl, WORLD.scope, view, tokens))
        try:
            sql = predicates.smart_list(sl, WORLD.scope, WORLD.ctx)
        except Unsupported as err:
            assert err.reason.startswith(REFUSED) or "below 2**53" in err.reason, err.reason
            continue
        agree(people, reference, WORLD.sql_or_none(sql), sl)


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people_rows(), st.data())
def test_conditions_on_membership_columns_agree_with_the_reference(rows, data):
    """Asked in the middle of a run: memberships from the working table's columns (`Context.members`)."""
    people = WORLD.load(rows)
    ctx = attrs.evolve(WORLD.ctx, members=WORLD.member_column)
    for cond in data.draw(st.lists(conditions(rows), min_size=1, max_size=4)):
        reference = WORLD.reference(people, lambda c, view, tokens, cond=cond: c.holds(cond, view, WORLD.scope, tokens))
        try:
            sql = predicates.condition(cond, WORLD.scope, ctx)
        except Unsupported as err:
            assert err.reason.startswith(REFUSED) or "below 2**53" in err.reason, err.reason
            continue
        assert "list_members" not in sql and "program_members" not in sql
        agree(people, reference, WORLD.sql_or_none(sql, WORLD.with_members()), cond)


# ---- unit tests: the quirks, one by one ------------------------------------------------------


def ask(cond_text_or_node, rows):
    """(SQL answers, reference answers) for one condition over the rows."""
    cond = cond_text_or_node
    people = WORLD.load(rows)
    reference = WORLD.reference(people, lambda c, view, tokens: c.holds(cond, view, WORLD.scope, tokens))
    return WORLD.sql(predicates.condition(cond, WORLD.scope, WORLD.ctx)), reference


def row(extra=None, **values):
    return ({name: values.get(name) for name in COLUMNS}, extra or {}, set(), None)


@pytest.mark.parametrize(
    ("cond", "rows", "expected"),
    [
        # text is case-insensitive, but spaces count
        (ast.FieldCond("country", "=", (ast.Str("nl"),)), [row(country="NL"), row(country=" NL")], [True, False]),
        # numeric text is a number; an empty number is 0 in every comparison
        (ast.FieldCond("country", "=", (ast.Num(10),)), [row(country=" 10 "), row(country="10.0")], [True, True]),
        (ast.FieldCond("score", "<", (ast.Num(10),)), [row(), row(score=12)], [True, False]),
        (ast.FieldCond("score", "!=", (ast.Num(0),)), [row(), row(country="")], [False, False]),
        # Python's casefold: ß is ss, İ folds with a dot
        (ast.FieldCond("country", "=", (ast.Str("STRASSE"),)), [row(country="straße")], [True]),
        (ast.FieldCond("country", "contains", (ast.Str("i̇"),)), [row(country="İstanbul")], [True]),
        # an empty field contains nothing; not_contains takes it
        (ast.FieldCond("ghost", "contains", (ast.Str(""),)), [row(), row(extra={"ghost": "x"})], [False, True]),
        (ast.FieldCond("ghost", "not_contains", (ast.Str("x"),)), [row()], [True]),
        # booleans are false until set; `true` as text is a boolean
        (
            ast.FieldCond("flag", "=", (ast.Bool(False),)),
            [row(), row(flag=True), row(extra={"flag": " TRUE "})],
            [True, False, False],
        ),
        # before takes an empty date, after does not; a date operand is the whole day
        (
            ast.FieldCond("moment", "before", (ast.DateTime(dt.datetime(2026, 1, 5), False),)),
            [row(), row(moment=dt.datetime(2026, 1, 5, 23, 59))],
            [True, False],
        ),
        (
            ast.FieldCond("moment", "on_or_before", (ast.DateTime(dt.datetime(2026, 1, 5), False),)),
            [row(moment=dt.datetime(2026, 1, 5, 23, 59))],
            [True],
        ),
        (
            ast.FieldCond("country", "after", (ast.DateTime(dt.datetime(2026, 1, 5), False),)),
            [row(country="2026-01-06"), row(country="2026-02-30"), row(country="soon")],
            [True, False, False],
        ),
        # in_past D: from now - D to now, closed
        (
            ast.FieldCond("moment", "in_past", (ast.Duration(1, "day"),)),
            [row(moment=dt.datetime(2026, 1, 9, 12)), row(moment=dt.datetime(2026, 1, 9, 11, 59)), row()],
            [True, False, False],
        ),
        # the column wins; `_extra` holds what did not fit, and a field with no column
        (
            ast.FieldCond("score", "=", (ast.Str("high"),)),
            [row(extra={"score": "HIGH"}), row(score=3, extra={"score": "high"})],
            [True, False],
        ),
        (ast.FieldCond("score", ">", (ast.Num(10),)), [row(extra={"score": 2**70})], [True]),
        (ast.FieldCond("amount", "=", (ast.Str("10"),)), [row(amount=10.0)], [True]),
        (
            ast.FieldCond("amount", "starts_with", (ast.Str("10.5"),)),
            [row(amount=10.5), row(amount=10.0)],
            [True, False],
        ),
        (ast.FieldCond("day", "=", (ast.Str("2026-01-05"),)), [row(day=dt.date(2026, 1, 5))], [True]),
        (
            ast.FieldCond("moment", "ends_with", (ast.Str("t09:30"),)),
            [row(moment=dt.datetime(2026, 1, 5, 9, 30, 7))],
            [True],
        ),
        (
            ast.FieldCond("country", "in", (ast.ListValue((ast.Str("nl"), ast.Num(10))),)),
            [row(country="NL"), row(country="10.00"), row(country="be")],
            [True, True, False],
        ),
        (
            ast.FieldCond("score", "between", (ast.Num(1), ast.Num(10))),
            [row(score=10), row(), row(extra={"score": "5"})],
            [True, False, True],
        ),
    ],
)
def test_quirks(cond, rows, expected):
    sql, reference = ask(cond, rows)
    assert reference == expected
    assert sql == expected


def test_field_value_is_the_text_the_interpreter_shows():
    rows = [
        row(country="", amount=10.0, day=dt.date(2026, 1, 5), extra={"country": "NL", "ghost": 2**70}),
        row(amount=0.5, moment=dt.datetime(2026, 1, 5, 9, 30, 15), flag=True, extra={"ghost": 1e16}),
    ]
    WORLD.load(rows)
    got = {
        name: WORLD.sql(predicates.field_value(name, WORLD.store.columns()))
        for name in ("country", "amount", "day", "moment", "flag", "ghost", "score")
    }
    assert got == {
        "country": ["NL", None],
        "amount": ["10", "0.5"],
        "day": ["2026-01-05", None],
        "moment": [None, "2026-01-05T09:30"],
        "flag": [None, "true"],
        "ghost": [str(2**70), "10000000000000000"],
        "score": [None, None],
    }


def test_values_the_sql_does_not_model_fail_the_query_not_the_answer():
    WORLD.load([row(extra={"ghost": ("a", "b")})])
    with pytest.raises(duckdb.Error, match=predicates.NOT_MODELLED):
        WORLD.sql(predicates.condition(ast.FieldCond("ghost", "is_empty", ()), WORLD.scope, WORLD.ctx))
    WORLD.load([row(country="١٢")])
    with pytest.raises(duckdb.Error, match="non-ASCII digits"):
        WORLD.sql(predicates.condition(ast.FieldCond("country", "=", (ast.Num(12),)), WORLD.scope, WORLD.ctx))


# ---- Unsupported, each reason ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cond", "reason"),
    [
        (ast.FuncCond("was_sent_email", (ast.Str("Welcome"),), ()), "`was_sent_email` reads history"),
        (ast.FuncCond("was_executed_campaign", (ast.Ref(("Main",)),), ()), "`was_executed_campaign` reads history"),
        (ast.FieldCond("country", "=", (ast.Token("lead", "country"),)), "depend on the person"),
        (ast.FieldCond("country", "=", (ast.Token("my", "lead"),)), "depend on the person"),
        (ast.FieldCond("score", "=", (ast.Num(2**53),)), "below 2**53"),
        (ast.FieldCond("country", "=", (ast.Token("my", "undefined"),)), "fails when evaluated"),
        (ast.FuncCond("member_of_list", (ast.Str("Nowhere"),), ()), "fails when evaluated"),
        (ast.FuncCond("no_such_condition", (), ()), "fails when evaluated"),
        (ast.FieldCond("ghost", "in_past", (ast.Num(3),)), "not a duration"),
        (ast.FieldCond('a"b', "is_empty", ()), "JSON path"),
        (ast.FieldCond("country", "=", (ast.Str("a\x00b"),)), "NUL character"),
    ],
)
def test_unsupported_names_the_construct(cond, reason):
    with pytest.raises(Unsupported, match=reason.replace("*", r"\*")):
        predicates.condition(cond, WORLD.scope, WORLD.ctx)


def test_tokens_answered_for_everyone():
    cond = ast.FieldCond("country", "=", (ast.Token("my", "country"),))
    sql, reference = ask(cond, [row(country="nl"), row(country="BE")])
    assert sql == reference == [True, False]
    cond = ast.FieldCond("day", "on_or_after", (ast.Token("my", "day"),))
    sql, reference = ask(cond, [row(day=dt.date(2026, 1, 5)), row(day=dt.date(2026, 1, 4))])
    assert sql == reference == [True, False]
    no_tokens = Context(WORLD.store.columns(), NOW, WORLD.rt)
    with pytest.raises(Unsupported, match="no token context"):
        predicates.condition(ast.FieldCond("country", "=", (ast.Token("my", "country"),)), WORLD.scope, no_tokens)


def test_a_token_without_an_answer_makes_the_smart_list_false():
    failing = ast.Filter(ast.FieldCond("country", "=", (ast.Token("my", "undefined"),)))
    sl = ast.SmartList((), (ast.Filter(ast.FieldCond("score", "is_empty", ())), failing), ast.Logic("1 or 2"))
    people = WORLD.load([row(), row(score=3)])
    reference = WORLD.reference(people, lambda c, view, tokens: c.qualifies(sl, WORLD.scope, view, tokens))
    assert WORLD.sql(predicates.smart_list(sl, WORLD.scope, WORLD.ctx)) == reference == [False, False]


def test_no_smart_list_or_no_filters_is_everyone_and_an_invalid_one_nobody():
    WORLD.load([row(), row(score=1)])
    assert WORLD.sql(predicates.smart_list(None, WORLD.scope, WORLD.ctx)) == [True, True]
    assert WORLD.sql(predicates.smart_list(ast.SmartList((), ()), WORLD.scope, WORLD.ctx)) == [True, True]
    bad_logic = ast.SmartList((), (ast.Filter(ast.FieldCond("score", "is_empty", ())),), ast.Logic("1 and 2"))
    assert WORLD.sql(predicates.smart_list(bad_logic, WORLD.scope, WORLD.ctx)) == [False, False]
    missing = ast.SmartList((), (ast.Filter(ast.FuncCond("member_of_list", (ast.Str("Nowhere"),), ())),))
    assert predicates.smart_list(missing, WORLD.scope, WORLD.ctx) == "FALSE"


def test_the_bench_campaign_compiles_and_agrees():
    """bench/campaign.mkc's smart lists and `when`s over the benchmark's
    generated people, written by the store's own writer (`add_people`)."""
    from bench.people import records

    source = (ROOT / "bench" / "campaign.mkc").read_text(encoding="utf-8")
    model = load_source(Source("campaign.mkc", source)).model
    rt = Runtime(model, NOW)
    store = Store.open(None)
    add_people(store, [PersonState(handle, fields) for handle, fields, _ in records(300)])
    people = list(StoreSource(store, 1).batch(1, 300).people.values())
    rt.people = {s.handle: s for s in people}
    conds = Conditions(rt)
    ctx = Context(store.columns(), NOW, rt)
    asked = 0
    for campaign in model.campaigns:
        tokens = TokenContext(campaign)
        cases = [(campaign.smart_list, True)] if campaign.smart_list and not campaign.smart_list.triggers else []
        cases += [(w.cond, False) for w in walk_whens(campaign.flow)]
        for node, is_list in cases:
            if is_list:
                sql = predicates.smart_list(node, campaign.scope, attrs.evolve(ctx, tokens=tokens))
                want = [conds.qualifies(node, campaign.scope, PersonView(s, rt.keys), None) for s in people]
            else:
                sql = predicates.condition(node, campaign.scope, attrs.evolve(ctx, tokens=tokens))
                want = [conds.holds(node, PersonView(s, rt.keys), campaign.scope, None) for s in people]
            got = [r[0] for r in store.con.execute(f"SELECT {sql} FROM people AS p ORDER BY _pid").fetchall()]
            assert got == want, node
            asked += 1
    assert asked >= 5


def walk_whens(flow):
    """Every `when` of a flow's choices."""
    for step in flow.steps if flow else ():
        if isinstance(step, ast.Choice):
            yield from step.whens


def test_casefold_matches_python_for_every_character():
    """`fold` against `str.casefold` for the characters it maps and a sample
    of the rest (every code point with MKC_LONG)."""
    special = (i for i in range(0x110000) if chr(i).lower() != chr(i).casefold())
    points = range(0x110000) if LONG else sorted({*range(0x300), *special, 0x130})
    chars = [chr(i) for i in points if not 0xD800 <= i <= 0xDFFF and i]
    con = WORLD.store.con
    con.execute("CREATE OR REPLACE TEMP TABLE t (c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[c + c.upper() + "x"] for c in chars])
    got = con.execute(f"SELECT c, {predicates.fold('c')} FROM t").fetchall()
    wrong = [(c, f) for c, f in got if f != c.casefold()]
    assert wrong == []
    words = ["ΣΑΣ", "Straße", "ẞ", "İstanbul", "ﬁne µ", "falſe", "ǅ", "Ꭰꭰ"]
    assert [predicates_fold(con, w) for w in words] == [w.casefold() for w in words]


def predicates_fold(con, word: str) -> str:
    sql = predicates.fold("?")
    return con.execute(f"SELECT {sql}", [word] * sql.count("?")).fetchone()[0]


date_like = st.from_regex(r"\s{0,2}\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?)?\s{0,2}", fullmatch=True)
number_like = st.from_regex(r"\s{0,2}[+-]?[0-9]{1,25}(\.[0-9]{1,20})?\s{0,2}", fullmatch=True)
bool_like = st.from_regex(r"\s{0,2}(?i:true|false|ſ|tru|falſe)\s{0,2}", fullmatch=True)


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(st.lists(st.one_of(date_like, number_like, bool_like, st.text(max_size=12)), min_size=1, max_size=30))
def test_text_read_as_a_number_a_date_or_a_boolean_as_python_reads_it(texts_):
    """The number, date-time and boolean views of text against `values.as_number`,
    `as_datetime` and `_bool`'s reading (in one query per example)."""
    from mkc.stdlib.values import as_datetime, as_number

    views = predicates.field("country", {"country": "VARCHAR"}).column
    con = WORLD.store.con
    con.execute("CREATE OR REPLACE TEMP TABLE p (country VARCHAR)")
    query = f"SELECT country, {views.number}, {views.time}, {views.boolean} FROM p"
    con.executemany("INSERT INTO p VALUES (?)", [[t] for t in texts_])
    try:
        got = con.execute(query).fetchall()
    except duckdb.Error:  # a number in non-ASCII digits fails the query, on purpose: one by one
        got = []
        for value in texts_:
            con.execute("DELETE FROM p")
            con.execute("INSERT INTO p VALUES (?)", [value])
            try:
                got += con.execute(query).fetchall()
            except duckdb.Error as err:
                assert "non-ASCII digits" in str(err)
                assert as_number(value) is not None and not value.strip().isascii()
    for value, number, time, boolean in got:
        want = as_number(value)
        assert number == (None if want is None else float(want)), value
        assert time == as_datetime(value), value
        folded = value.strip().casefold()
        assert boolean == ({"true": True, "false": False}.get(folded)), value


def test_field_names_are_quoted():
    """A field named like SQL (a quote, a keyword) in a column and in `_extra`."""
    store = Store.open(None)
    store.add_column("O'Brien score", "BIGINT")
    store.con.execute(
        "INSERT INTO people VALUES (1, 'a', ?, 5), (2, 'b', NULL, NULL)", [codec.dump_map({"select": "x'y"})]
    )
    ctx = Context(store.columns(), NOW, WORLD.rt)
    got = []
    for cond in (ast.FieldCond("O'Brien score", "=", (ast.Num(5),)), ast.FieldCond("select", "=", (ast.Str("X'Y"),))):
        sql = predicates.condition(cond, WORLD.scope, ctx)
        got.append([r[0] for r in store.con.execute(f"SELECT {sql} FROM people AS p ORDER BY _pid").fetchall()])
    assert got == [[True, False], [True, False]]


def test_a_token_fails_only_where_the_chain_reaches_it():
    """`a and <failing>`: the reference stops at a false `a`, so the token
    fails (and the smart list is false) only for people where `a` holds."""
    failing = ast.FieldCond("country", "=", (ast.Token("my", "undefined"),))
    first = ast.Filter(ast.And(ast.FieldCond("score", "is_empty", ()), failing))
    second = ast.Filter(ast.FieldCond("score", ">", (ast.Num(1),)))
    sl = ast.SmartList((), (first, second), ast.Logic("1 or 2"))
    people = WORLD.load([row(), row(score=3), row(score=1)])
    reference = WORLD.reference(people, lambda c, view, tokens: c.qualifies(sl, WORLD.scope, view, tokens))
    assert WORLD.sql(predicates.smart_list(sl, WORLD.scope, WORLD.ctx)) == reference == [False, True, False]
