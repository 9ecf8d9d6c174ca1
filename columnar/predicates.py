"""Smart lists and conditions as SQL: a pure compiler (issue 18), nothing runs here.

`smart_list(sl, scope, ctx)` and `condition(cond, scope, ctx)` give a SQL
boolean expression, never NULL, that is true for exactly the people for whom
the reference interpreter's `Conditions.qualifies` / `Conditions.holds`
(interpreter/conditions.py) answers true, with Marketo's operator quirks as
docs/semantics.md pins them (stdlib/conditions.py `FIELD_TESTS`,
stdlib/values.py). What cannot be matched exactly raises `Unsupported`,
naming the construct: the caller runs that campaign through the reference
interpreter instead, so the answer is never a different one.

The SQL reads one row of the store's `people` table (store/schema.py), or
any relation with its columns, under the alias `p` (`FROM people AS p`): the
typed field columns, `p._pid` and `p._extra`. Membership conditions are `EXISTS` subqueries over the store's
`list_members` and `program_members` tables by `pid`, with the keys the store
keeps (`codec.dump_key` of the runtime's key), or read a column of `p` where
`Context.members` names one. `field_value(name, columns)`
is a person's field as text (`values.text`, NULL when empty), as the
interpreter reads it from such a row (`store.batches.fields_reader`); `field`
gives every view of it the operators use (`Field`).

`ctx` is a `Context`: the people's columns (`Store.columns()`), the clock's
`now` (for `in_past`/`in_future`), a `Runtime` over the model (references
resolve through `runtime.resolve`, keys come from `runtime.keys`) and,
optionally, the `TokenContext` that answers `my.*`, `system.*`, `campaign.*`,
`program.*` and `trigger.*` tokens in operands once for everyone. A token that
depends on the person (`lead.*`, `member.status`, a My Token holding one) is
Unsupported.

A few values the SQL does not model raise a DuckDB error whose message holds
`NOT_MODELLED` when a row holds them (the query fails instead of answering
differently): a NaN in a DOUBLE column, an `_extra` value that is a list or
another tagged value than a date or a date-time, numeric text in non-ASCII
digits (Python reads `"١٢"` as 12), a whole number of 1e38 or more shown as
text.

    from mkc.columnar import predicates

    ctx = predicates.Context(store.columns(), now, runtime, TokenContext(campaign))
    try:
        where = predicates.smart_list(campaign.smart_list, campaign.scope, ctx)
    except predicates.Unsupported as err:
        ...  # the reference interpreter runs it; err.reason says why
    pids = con.execute(f"SELECT p._pid FROM people AS p WHERE {where} ORDER BY p._pid")
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping

import attrs

from mkc.columnar import unicode_tables
from mkc.columnar.values import timestamp
from mkc.grammar import ast
from mkc.grammar import logic as logic_line
from mkc.interpreter.conditions import Conditions
from mkc.interpreter.runtime import Runtime, Unresolved
from mkc.interpreter.tokens import TokenContext, TokenError, Tokens, needs_tokens
from mkc.stdlib import CONDITIONS
from mkc.stdlib.values import as_number, duration_delta, from_literal, text, within
from mkc.store import codec
from mkc.store.schema import quote


class Unsupported(Exception):
    """A construct the SQL cannot answer exactly; `reason` names it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@attrs.frozen
class Context:
    """What compiling needs besides the condition (see the module's docstring)."""

    columns: Mapping[str, str]  # field -> DuckDB column type, as `Store.columns()`
    now: dt.datetime
    runtime: Runtime  # resolves references and gives their keys
    tokens: TokenContext | None = None  # answers non-person tokens in operands; None: tokens are Unsupported
    # `members(target)`: the column of `p` holding the person's membership of a list (BOOLEAN) or program
    # (its status, NULL: none) when `p` has one (a run's working table), else None: the stored tables
    members: Callable[[object], str | None] | None = None


# ---- SQL text -------------------------------------------------------------------------

TRUE, FALSE = "TRUE", "FALSE"


def _text(value: str) -> str:
    if "\x00" in value:
        raise Unsupported("a text with a NUL character")
    return "'" + value.replace("'", "''") + "'"


def _number(value: int | float) -> str:
    """A number operand as a DOUBLE. Every field number is compared as a
    DOUBLE: exact against an operand below 2**53 (a field number beyond it
    rounds to 2**53 or further, so it stays on the same side)."""
    if not math.isfinite(value) or abs(value) >= 2**53:
        raise Unsupported(f"the number {value} (only numbers below 2**53 compare exactly in SQL)")
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def _bool(value: bool) -> str:
    return TRUE if value else FALSE


def _any(terms: list[str]) -> str:
    return "(" + " OR ".join(terms) + ")" if terms else FALSE


def _all(terms: list[str]) -> str:
    return "(" + " AND ".join(terms) + ")" if terms else TRUE


def _not(sql: str) -> str:
    return f"(NOT {sql})"


def _class(chars) -> str:
    """A regular expression's class of `chars`, runs of code points as ranges."""
    runs: list[list[int]] = []
    for point in sorted(map(ord, chars)):
        if runs and runs[-1][1] == point - 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return "[" + "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in runs) + "]"


@functools.cache
def _unicode() -> tuple:
    """What Python's `str.strip()` and `str.casefold()` do beyond ASCII, as
    SQL constants, worked out once (`unicode_tables`):

    - `space`: what `str.strip()` removes (what `str.isspace()` calls space);
    - `special`: the characters whose folding is not DuckDB's `lower()`
      (which agrees with Python's `lower()` but for `İ`, lowered to a bare `i`);
    - `folds`: those that fold further than they lower (`ß` to `ss`): after
      `lower()` the common ones are mapped always, the rare ones (`rare`, as
      `sources` and `|`-separated `targets`) only in text that holds one."""
    space, special, folds = unicode_tables.tables()
    rare = [c for c in folds if c not in _COMMON]
    assert "|" not in "".join(folds.values())
    return (
        _class(space),
        _class("\u0130" + special),
        {c: folds[c] for c in _COMMON},
        _class(rare),
        _text("".join(rare)),
        _text("|".join(folds[c] for c in rare)),
    )


_COMMON = "ßµςſ"


def fold(sql: str) -> str:
    """`str.casefold()` of a VARCHAR: `lower()` for ASCII text (as a byte
    count equal to the character count says) and most other text, else
    exactly Python's folding, character by character."""
    _, special, common_folds, rare_class, sources, targets = _unicode()
    common = f"lower(replace({sql}, '\u0130', 'i\u0307'))"
    for c, folded in common_folds.items():
        common = f"replace({common}, '{c}', {_text(folded)})"
    # The rare ones by a look-up per character in two constant strings: one
    # expression, not one per character. (The branches not taken still cost:
    # a chain of some 180 `replace`s made every fold three times slower.)
    rare = (
        f"array_to_string(list_transform(string_split({common}, ''), lambda ch: coalesce("
        f"string_split({targets}, '|')[nullif(strpos({sources}, ch), 0)], ch)), '')"
    )
    return (
        f"(CASE WHEN {sql} IS NULL THEN NULL WHEN strlen({sql}) = length({sql}) THEN lower({sql}) "
        f"WHEN NOT regexp_matches({sql}, '{special}') THEN lower({sql}) "
        f"WHEN regexp_matches({common}, '{rare_class}') THEN {rare} ELSE {common} END)"
    )


def _strip(sql: str) -> str:
    space = _unicode()[0]
    return f"regexp_replace({sql}, '^{space}+|{space}+$', '', 'g')"


NOT_MODELLED = "a value the columnar engine does not model"


def _fail(what: str) -> str:
    return f"error({_text(f'mkc: {what} ({NOT_MODELLED})')})"


def _number_of_text(sql: str) -> str:
    """`values.as_number` of text: a number written in ASCII digits, spaces around it."""
    space = _unicode()[0]
    return (
        f"(CASE WHEN regexp_full_match({sql}, '{space}*[+-]?[0-9]+(\\.[0-9]+)?{space}*') "
        f"THEN TRY_CAST({_strip(sql)} AS DOUBLE) "
        f"WHEN regexp_full_match({sql}, '{space}*[+-]?\\p{{Nd}}+(\\.\\p{{Nd}}+)?{space}*') "
        f"THEN {_fail('a number in non-ASCII digits')} END)"
    )


# `values.as_datetime` of text: `YYYY-MM-DD`, then ` HH:MM` or `THH:MM`, then
# `:SS`, in ASCII digits (`datetime.fromisoformat` refuses others), spaces
# around it; a valid date of year 1 or later (DuckDB's cast checks the day)
# and a valid time.
_YEAR = "([1-9][0-9]{3}|[0-9][1-9][0-9]{2}|[0-9]{2}[1-9][0-9]|[0-9]{3}[1-9])"
_DATETIME = f"{_YEAR}-[0-9]{{2}}-[0-9]{{2}}([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?"


def _time_of_text(sql: str) -> str:
    space = _unicode()[0]
    return (
        f"(CASE WHEN regexp_full_match({sql}, '{space}*{_DATETIME}{space}*') "
        f"THEN TRY_CAST(replace({_strip(sql)}, 'T', ' ') AS TIMESTAMP) END)"
    )


def _bool_of_text(sql: str) -> str:
    """`values._bool` of non-empty text: `true`/`false` in any case, spaces
    around it; else NULL. (The regular expression's `(?i)` folds case as
    `str.casefold()` does for these letters: `ſ` is an `s` for both.)"""
    space = _unicode()[0]
    return (
        f"(CASE WHEN regexp_full_match({sql}, '{space}*(?i:true){space}*') THEN TRUE "
        f"WHEN regexp_full_match({sql}, '{space}*(?i:false){space}*') THEN FALSE END)"
    )


def _number_text(sql: str) -> str:
    """`values.text` of a DOUBLE: a whole number as an integer, others as Python's `repr`."""
    return (
        f"(CASE WHEN isnan({sql}) THEN {_fail('NaN')} WHEN isinf({sql}) THEN CAST({sql} AS VARCHAR) "
        f"WHEN {sql} <> trunc({sql}) THEN CAST({sql} AS VARCHAR) "
        f"WHEN abs({sql}) < 1e38 THEN CAST(CAST({sql} AS HUGEINT) AS VARCHAR) "
        f"ELSE {_fail('a whole number of 1e38 or more as text')} END)"
    )


def _datetime_text(sql: str) -> str:
    """`values.text` of a date-time: `YYYY-MM-DDTHH:MM` (`ast.format_datetime`)."""
    return f"(lpad(CAST(year({sql}) AS VARCHAR), 4, '0') || strftime({sql}, '-%m-%dT%H:%M'))"


# ---- a person's field -----------------------------------------------------------------


@attrs.frozen
class Views:
    """A value as SQL, in the views the operators read. `empty` is never
    NULL; the others are NULL when the value has no such view."""

    empty: str  # BOOLEAN: never set, null or "" (`values.is_empty`)
    text: str  # VARCHAR: `values.text(value)` (undefined when empty)
    number: str  # DOUBLE: `values.as_number(value)` (NULL when empty)
    time: str  # TIMESTAMP: `values.as_datetime(value)` (NULL when empty)
    boolean: str  # BOOLEAN: true/false for a boolean or its text, else NULL (undefined when empty)
    folded: str  # VARCHAR: the text, `str.casefold()`ed (only text needs `fold`: the others' text is ASCII)


@attrs.frozen
class Field:
    """A person's field as SQL over `p`: its column's views where `present`
    (None: the field has no column), else its `_extra` views. Each view is
    one expression (`empty`, `text`, ...: see `Views`); `view(name, how)`
    applies `how` to each source's view apart, so a column's stays a plain
    expression of the column."""

    present: str | None
    column: Views | None
    extra: Views

    def view(self, name: str) -> str:
        extra = getattr(self.extra, name)
        if self.present is None:
            return extra
        return f"(CASE WHEN {self.present} THEN {getattr(self.column, name)} ELSE {extra} END)"

    empty = property(lambda self: self.view("empty"))
    text = property(lambda self: self.view("text"))
    number = property(lambda self: self.view("number"))
    time = property(lambda self: self.view("time"))
    boolean = property(lambda self: self.view("boolean"))
    folded = property(lambda self: self.view("folded"))


def _column_views(sql: str, ctype: str, name: str) -> tuple[str, Views]:
    """Whether a typed column holds a value, and its views."""
    null = "NULL"
    if ctype == "VARCHAR":
        views = (sql, _number_of_text(sql), _time_of_text(sql), _bool_of_text(sql), fold(sql))
        return f"({sql} IS NOT NULL AND {sql} <> '')", Views(FALSE, *views)
    if ctype == "BIGINT":
        text_ = f"CAST({sql} AS VARCHAR)"
        views = (text_, f"CAST({sql} AS DOUBLE)", null, null, text_)
    elif ctype == "DOUBLE":
        text_ = _number_text(sql)
        views = (text_, f"(CASE WHEN isnan({sql}) THEN {_fail('NaN')} ELSE {sql} END)", null, null, f"lower({text_})")
    elif ctype == "BOOLEAN":
        text_ = f"(CASE WHEN {sql} THEN 'true' ELSE 'false' END)"
        views = (text_, null, null, sql, text_)
    elif ctype == "DATE":
        text_ = f"CAST({sql} AS VARCHAR)"
        views = (text_, null, f"CAST({sql} AS TIMESTAMP)", null, text_)
    elif ctype == "TIMESTAMP":
        text_ = _datetime_text(sql)
        views = (text_, null, sql, null, f"lower({text_})")
    else:
        raise Unsupported(f"the column `{name}` of type {ctype}")
    return f"({sql} IS NOT NULL)", Views(FALSE, *views)


def _extra_views(name: str) -> Views:
    """The views of the field's value in `_extra`
    (JSON by store/codec.py: plain JSON values, dates and date-times tagged).
    Most rows have no `_extra`: that is asked first."""
    if any(c in name for c in '"\\') or not name.isprintable():
        raise Unsupported(f"the field name {name!r} in a JSON path")
    path = f'$."{name}"'
    kind = f"json_type(p._extra, {_text(path)})"
    raw = f"json_extract_string(p._extra, {_text(path)})"
    tag_path = path + '."$"'
    tag = f"json_extract_string(p._extra, {_text(tag_path)})"
    tagged = f"json_extract_string(p._extra, {_text(path + '.v')})"
    exotic = _fail(f"the field `{name}` holding a list or another value in _extra")

    def by_kind(none: str, text_: str, boolean: str, number: str, date: str, datetime: str) -> str:
        """One view: for no value, text, a boolean, a number, a date and a date-time."""
        return (
            f"(CASE WHEN p._extra IS NULL OR {kind} IS NULL OR {kind} = 'NULL' THEN {none} "
            f"WHEN {kind} = 'VARCHAR' THEN {text_} WHEN {kind} = 'BOOLEAN' THEN {boolean} "
            f"WHEN {kind} IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE') THEN {number} "
            f"WHEN {kind} = 'OBJECT' AND {tag} = 'date' THEN {date} "
            f"WHEN {kind} = 'OBJECT' AND {tag} = 'datetime' THEN {datetime} ELSE {exotic} END)"
        )

    # JSON numbers: Python wrote an int as digits (perhaps too many for any
    # integer type), a float with a point or an exponent.
    number_text = (
        f"(CASE WHEN regexp_full_match({raw}, '-?[0-9]+') THEN {raw} ELSE {_number_text(f'CAST({raw} AS DOUBLE)')} END)"
    )
    when = f"CAST({tagged} AS TIMESTAMP)"
    null = "NULL"
    return Views(
        by_kind(TRUE, f"({raw} = '')", FALSE, FALSE, FALSE, FALSE),
        by_kind(null, raw, raw, number_text, tagged, _datetime_text(when)),
        by_kind(null, _number_of_text(raw), null, f"CAST({raw} AS DOUBLE)", null, null),
        by_kind(null, _time_of_text(raw), null, null, when, when),
        by_kind(null, _bool_of_text(raw), f"({raw} = 'true')", null, null, null),
        by_kind(null, fold(raw), raw, f"lower({number_text})", tagged, f"lower({_datetime_text(when)})"),
    )


def field(name: str, columns: Mapping[str, str]) -> Field:
    """The field `name` of the person `p`, as `store.batches.fields_reader`
    reads it: its column (by its exact name) when that holds a value (not
    NULL, not ""), else its value in `_extra`, else empty."""
    extra = _extra_views(name)
    ctype = columns.get(name)
    if ctype is None:
        return Field(None, None, extra)
    present, own = _column_views(f"p.{quote(name)}", ctype, name)
    return Field(present, own, extra)


def field_value(name: str, columns: Mapping[str, str]) -> str:
    """A person's field as the interpreter shows it (`values.text`): VARCHAR, NULL when empty."""
    f = field(name, columns)
    return f"(CASE WHEN {f.empty} THEN NULL ELSE {f.text} END)"


# ---- field operators (stdlib/conditions.py FIELD_TESTS, stdlib/values.py) -------------------


def _equals(f: Field, operand) -> str:
    """`values.equals(value, operand)`."""
    if isinstance(operand, bool):
        return f"coalesce(CASE WHEN {f.empty} THEN FALSE ELSE {f.boolean} END = {_bool(operand)}, FALSE)"
    if operand is None or operand == "":
        return f.empty
    if isinstance(operand, (int, float)):
        return (
            f"coalesce(CASE WHEN {f.empty} THEN {_bool(operand == 0)} ELSE {f.number} = {_number(operand)} END, FALSE)"
        )
    if isinstance(operand, dt.datetime):
        return f"coalesce({f.time} = {timestamp(operand)}, FALSE)"
    if isinstance(operand, dt.date):
        return f"coalesce(CAST({f.time} AS DATE) = DATE '{operand.isoformat()}', FALSE)"
    same = f"{f.folded} = {_text(text(operand).casefold())}"
    other = as_number(operand)
    if other is not None:
        same = f"(CASE WHEN {f.number} IS NOT NULL THEN {f.number} = {_number(other)} ELSE {same} END)"
    return f"(NOT {f.empty} AND coalesce({same}, FALSE))"


def _member(f: Field, operands) -> str:
    """`any(equals(value, v) for v in operands)`: the texts that are no number in one `IN`."""
    try:
        values = list(operands)
    except TypeError:
        raise Unsupported(f"`in` with {operands!r}, which is not a list") from None
    plain = [v for v in values if isinstance(v, str) and v != "" and as_number(v) is None]
    terms = [_equals(f, v) for v in values if not (isinstance(v, str) and v in plain)]
    if plain:
        folded = sorted({v.casefold() for v in plain})
        terms.insert(0, f"(NOT {f.empty} AND coalesce({f.folded} IN ({', '.join(map(_text, folded))}), FALSE))")
    return _any(terms)


def _order(f: Field, operand, op: str) -> str:
    """`values.order(value, operand)` checked by `op` (`<`, `>`, `<=`, `>=`)."""
    if isinstance(operand, (int, float)) and not isinstance(operand, bool):
        return f"coalesce((CASE WHEN {f.empty} THEN 0 ELSE {f.number} END) {op} {_number(operand)}, FALSE)"
    if isinstance(operand, dt.datetime):
        return f"coalesce({f.time} {op} {timestamp(operand)}, FALSE)"
    if isinstance(operand, dt.date):
        return f"coalesce(CAST({f.time} AS DATE) {op} DATE '{operand.isoformat()}', FALSE)"
    if operand is None or isinstance(operand, (bool, tuple)):
        return FALSE
    return f"(NOT {f.empty} AND coalesce({f.folded} {op} {_text(text(operand).casefold())}, FALSE))"


# text operators: check(folded text, folded operand), and the answer for an empty field
_TEXT_OPS = {
    "contains": ("contains({}, {})", False),
    "not_contains": ("NOT contains({}, {})", True),
    "starts_with": ("starts_with({}, {})", False),
    "not_starts_with": ("NOT starts_with({}, {})", True),
    "ends_with": ("suffix({}, {})", False),
}
# date operators: the comparison, and the answer for an empty field (`before` matches it)
_DATE_OPS = {"before": ("<", True), "on_or_before": ("<=", True), "after": (">", False), "on_or_after": (">=", False)}


def _field_test(f: Field, op: str, operands: list, now: dt.datetime) -> str:
    """The SQL of `FIELD_TESTS[op](value, operands, now)`."""
    if op == "=":
        return _equals(f, operands[0])
    if op == "!=":
        return _not(_equals(f, operands[0]))
    if op in ("<", ">", "<=", ">="):
        return _order(f, operands[0], op)
    if op == "in":
        return _member(f, operands[0])
    if op == "not_in":
        return _not(_member(f, operands[0]))
    if op in _TEXT_OPS:
        check, when_empty = _TEXT_OPS[op]
        test = check.format(f.folded, _text(text(operands[0]).casefold()))
        return f"(CASE WHEN {f.empty} THEN {_bool(when_empty)} ELSE coalesce({test}, FALSE) END)"
    if op in _DATE_OPS:
        compare, when_empty = _DATE_OPS[op]
        test = _order(f, operands[0], compare) if isinstance(operands[0], dt.date) else FALSE
        return f"(CASE WHEN {f.empty} THEN {_bool(when_empty)} ELSE {test} END)"
    if op in ("in_past", "in_future"):
        if not isinstance(operands[0], ast.Duration):
            raise Unsupported(f"`{op}` with {operands[0]!r}, which is not a duration")
        start, end = within(now, duration_delta(operands[0]), op == "in_past")
        return f"coalesce({f.time} BETWEEN {timestamp(start)} AND {timestamp(end)}, FALSE)"
    if op == "between":
        return f"({_order(f, operands[0], '>=')} AND {_order(f, operands[1], '<=')})"
    if op == "is_empty":
        return f.empty
    if op == "not_empty":
        return _not(f.empty)
    raise Unsupported(f"the operator `{op}`")


# ---- conditions and smart lists ---------------------------------------------------------


@attrs.frozen
class _Pred:
    """A compiled condition: `sql`, and where the reference would raise
    instead of answering (Unresolved, TokenError): `raises` (SQL, None: never)
    and `why`."""

    sql: str
    raises: str | None = None
    why: str = ""


class _PersonDependent(Exception):
    """A token's value read the person (`lead.*`, `member.status`)."""


class _NoPerson:
    """The runtime as tokens see it when no person is known: reading a person raises."""

    def __init__(self, runtime: Runtime, now: dt.datetime):
        self._runtime = runtime
        self.now = now

    def __getattr__(self, name):
        return getattr(self._runtime, name)

    @property
    def people(self):
        raise _PersonDependent

    def person(self, handle):
        raise _PersonDependent


_PROBE = "\x00no person"  # a handle no person has: a token that reads the person tries to


class _Compiler:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.rt = ctx.runtime
        self.conditions = Conditions(ctx.runtime)  # the reference's own validity check
        self._fields: dict[str, Field] = {}
        self._assets: dict[tuple[int, int], str] = {}  # node -> its SQL
        self._reach: dict[tuple[int, int], set] = {}
        self._depth = 0

    def field(self, name: str) -> Field:
        found = self._fields.get(name)
        if found is None:
            found = self._fields[name] = field(name, self.ctx.columns)
        return found

    def value(self, node):
        """An operand's run-time value: its literal, or its tokens answered for everyone."""
        if not needs_tokens(node):
            return from_literal(node)
        if self.ctx.tokens is None:
            raise Unsupported(f"the token operand {node} (no token context given)")
        tokens = Tokens(_NoPerson(self.rt, self.ctx.now), self.ctx.tokens, _PROBE)
        try:
            return tokens.value(node)
        except _PersonDependent:
            raise Unsupported(f"the operand {node}, whose tokens depend on the person") from None

    # -- conditions

    def cond(self, cond, scope) -> _Pred:
        if isinstance(cond, ast.Not):
            inner = self.cond(cond.cond, scope)
            return _Pred(_not(inner.sql), inner.raises, inner.why)
        if isinstance(cond, (ast.And, ast.Or)):
            return self.chain(isinstance(cond, ast.And), [self.cond(t, scope) for t in ast.terms(cond)])
        if isinstance(cond, ast.FieldCond):
            try:
                operands = [self.value(v) for v in cond.operands]
            except TokenError as err:
                return _Pred(FALSE, TRUE, str(err))
            return _Pred(_field_test(self.field(cond.field), cond.op, operands, self.ctx.now))
        return self.named(cond, scope)

    @staticmethod
    def chain(conjunction: bool, preds: list[_Pred]) -> _Pred:
        """`a and b and ...` (or `or`), evaluated left to right up to the term
        that decides it: a term raises only where the terms before it did not decide."""
        raises, why, before = [], "", []
        for pred in preds:
            if pred.raises is not None:
                raises.append(_all([*before, pred.raises]))
                why = why or pred.why
            before.append(pred.sql if conjunction else _not(pred.sql))
        sql = (_all if conjunction else _any)([p.sql for p in preds])
        return _Pred(sql, _any(raises) if raises else None, why)

    def named(self, cond: ast.FuncCond, scope) -> _Pred:
        spec = CONDITIONS.get(cond.name)
        if spec is None:
            return _Pred(FALSE, TRUE, f"`{cond.name}` is not a condition")
        if cond.name not in ("member_of_list", "member_of_program", "member_of_smart_list"):
            raise Unsupported(f"`{cond.name}` reads history")
        args = spec.signature.bind(cond.args, cond.kwargs)
        kind = spec.signature.params[0].type
        try:
            target = self.rt.resolve(kind, args[spec.signature.params[0].name], scope)
        except Unresolved as err:
            return _Pred(FALSE, TRUE, str(err))
        if kind == "smart_list":
            return _Pred(self.asset(target, scope))
        column = self.ctx.members(target) if self.ctx.members is not None else None
        if column is not None:
            return self.member(kind, args, f"p.{quote(column)}")
        key = _text(codec.dump_key(self.rt.keys(target)))
        if kind == "list":
            return _Pred(f"EXISTS (SELECT 1 FROM list_members AS m WHERE m.pid = p._pid AND m.list_key = {key})")
        member = f"SELECT 1 FROM program_members AS m WHERE m.pid = p._pid AND m.program_key = {key}"
        if args["status"] is None:
            return _Pred(f"EXISTS ({member})")
        has_status = f"EXISTS ({member} AND m.status IS NOT NULL)"
        return self.status(
            args,
            has_status,
            lambda wanted: f"EXISTS ({member} AND m.status IS NOT NULL AND {fold('m.status')} = {wanted})",
        )

    def member(self, kind: str, args: dict, column: str) -> _Pred:
        """`member_of_list` / `member_of_program` over a column of `p` (`Context.members`)."""
        if kind == "list":
            return _Pred(f"coalesce({column}, false)")
        has_status = f"{column} IS NOT NULL"
        if args["status"] is None:
            return _Pred(has_status)
        return self.status(args, has_status, lambda wanted: f"coalesce({fold(column)} = {wanted}, false)")

    def status(self, args: dict, has_status: str, equals) -> _Pred:
        """`member_of_program status=`: `equals(the wanted status as SQL text,
        casefolded)`; a status token without an answer fails, asked only of
        those with a status (`has_status`)."""
        try:
            wanted = str(self.value(args["status"]))  # (as `_Env.text`: str, not values.text)
        except TokenError as err:
            return _Pred(FALSE, has_status, str(err))
        return _Pred(equals(_text(wanted.casefold())))

    # -- smart lists

    def smart_list(self, smart_list: ast.SmartList | None, scope) -> str:
        if smart_list is None:
            return TRUE
        valid = self.conditions.valid(smart_list, scope)
        if not smart_list.filters or not valid:
            return _bool(valid and not smart_list.filters)
        preds = [self.cond(f.cond, scope) for f in smart_list.filters]
        combined = _logic(smart_list.logic.text if smart_list.logic else "all", [p.sql for p in preds])
        raises = [p.raises for p in preds if p.raises is not None]
        # Each filter is evaluated, and one that cannot be makes the whole list false.
        return f"(NOT {_any(raises)} AND {combined})" if raises else combined

    def asset(self, asset: ast.SmartListAsset, scope) -> str:
        """`member_of_smart_list`: the asset's smart list in its own scope;
        nobody for one on a loop of smart lists naming each other."""
        node = self.conditions.node(asset, scope)
        found = self._assets.get(node)
        if found is None:
            if node in self.reach(node):
                found = FALSE
            else:
                self._depth += 1
                if self._depth > 50:
                    raise Unsupported("smart lists naming smart lists more than 50 deep")
                try:
                    found = self.smart_list(*self.conditions.bodies[node])
                finally:
                    self._depth -= 1
            self._assets[node] = found
        return found

    def reach(self, start: tuple[int, int]) -> set:
        """The nodes reachable from `start` in one step or more."""
        found = self._reach.get(start)
        if found is None:
            found, todo = set(), [start]
            while todo:
                for target in self.conditions.targets(todo.pop()):
                    if target not in found:
                        found.add(target)
                        todo.append(target)
            self._reach[start] = found
        return found


def _logic(text_: str, filters: list[str]) -> str:
    """The logic line over the filters' SQL (grammar/logic.py's tree; the
    smart list is valid, so every number names a filter)."""
    tree = logic_line.parse(text_, mixed=True)
    if type(tree) is logic_line.Every:
        return (_all if tree.word == "all" else _any)(filters)
    return logic_line.folded(tree, lambda f: filters[f.number - 1], _not, _all, _any)


def condition(cond, scope, ctx: Context) -> str:
    """SQL true for exactly the people for whom `Conditions.holds(cond, ...)`
    is true. Unsupported also where the reference would raise for someone
    (a reference that names nothing, a token without an answer)."""
    pred = _Compiler(ctx).cond(cond, scope)
    if pred.raises is not None:
        raise Unsupported(f"a condition that fails when evaluated: {pred.why}")
    return pred.sql


def smart_list(sl: ast.SmartList | None, scope, ctx: Context) -> str:
    """SQL true for exactly the people `Conditions.qualifies(sl, scope, ...)` admits."""
    return _Compiler(ctx).smart_list(sl, scope)
