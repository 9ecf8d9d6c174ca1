"""Tokens rendered column-wise: a value as written in a flow, in one token
context, as a `values.Value` — a constant when it needs no person and no
trigger (worked out once by the reference's own `Tokens`), else an SQL
expression over the person's row (`lead.*`) and the flow's trigger columns
(`trigger.*`).

`lead.*` reads a field's column in the run's working table; `trigger.*`
reads the text of the event that started a trigger campaign's flow, which
the flow's rows carry (`TRIGGER_COLUMNS`). `my.*` is looked up in the
context's chain (`checker.bound.Chain`) as the interpreter does; a My Token
holding tokens is rendered where it is asked for.
"""

from __future__ import annotations

from mkc.columnar import values
from mkc.columnar.values import Value
from mkc.grammar import ast
from mkc.interpreter.tokens import (
    MAX_DEPTH,
    TokenContext,
    TokenError,
    Tokens,
    compiled,
    needs_tokens,
    template_parts,
)
from mkc.stdlib.triggers import token_key
from mkc.stdlib.values import from_literal
from mkc.stdlib.values import text as py_text

# `trigger.*` (token keys) -> the column of a flow's rows that holds its text ('' for an empty value).
TRIGGER_COLUMNS = {"name": "t_name", "triggername": "t_title", "oldvalue": "t_old", "newvalue": "t_new"}


class NotCompiled(Exception):
    """A value the engine cannot render column-wise (the plan says why)."""


class Renderer:
    """Values in token contexts, for one model and one run's working table.

    `field(name)` gives the `Value` of a person's field (None: no such column,
    the field is empty for everyone); `trigger_keys` are the `trigger.*`
    token keys the flow's events answer (None: no trigger started it)."""

    def __init__(self, runtime, field):
        self.rt = runtime
        self.field = field

    def person_free(self, node, context: TokenContext, trigger_keys, depth: int = 0) -> bool:
        """Whether `node` is known without the person or the trigger."""
        if depth > MAX_DEPTH:
            raise NotCompiled("My Tokens that refer to each other in a loop")
        if isinstance(node, ast.Token):
            scope = node.scope.casefold()
            if scope in ("lead", "trigger", "member"):
                return False
            if scope == "my":
                found = context.my(self.rt.model, node.name)
                return (
                    found is None
                    or not needs_tokens(found)
                    or self.person_free(found, context, trigger_keys, depth + 1)
                )
            return True
        if isinstance(node, ast.Str):
            return all(
                type(p) is str or self.person_free(p.token, context, trigger_keys, depth)
                for p in template_parts(node.text)
            )
        if isinstance(node, ast.ListValue):
            return all(self.person_free(v, context, trigger_keys, depth) for v in node.items)
        return True

    def constant(self, get, context: TokenContext):
        """A getter's value (`interpreter.args`) for no one: raises NotCompiled
        where the reference would fail the step."""
        try:
            return get(Tokens(self.rt, context, None))
        except TokenError as err:
            raise NotCompiled(f"a token without an answer ({err})") from None

    def text(self, node, context: TokenContext, trigger_keys, depth: int = 0) -> Value:
        """A value holding `lead.*` or `trigger.*` tokens, as text (`values.text`)."""
        if depth > MAX_DEPTH:
            raise NotCompiled("My Tokens that refer to each other in a loop")
        if isinstance(node, ast.Token):
            return self._answer(node, context, trigger_keys, depth)
        if isinstance(node, ast.Str):
            pieces = []
            for part in template_parts(node.text):
                if type(part) is str:
                    pieces.append(values.sql_text(part))
                else:
                    pieces.append(values.text(self._answer(part.token, context, trigger_keys, depth)))
            return Value("(" + " || ".join(pieces) + ")", "text")
        if isinstance(node, ast.ListValue):
            raise NotCompiled("a list holding tokens")
        return Value.of(from_literal(node))

    def _answer(self, token: ast.Token, context: TokenContext, trigger_keys, depth: int) -> Value:
        """A token's answer, with its `:default=` where it is empty."""
        scope = token.scope.casefold()
        if scope not in ("lead", "trigger", "my") or (
            scope == "my" and self.person_free(token, context, trigger_keys, depth)
        ):
            if scope == "member":
                raise NotCompiled("member.* tokens")
            value = self.constant(lambda t: compiled(token).answer(t, depth), context)
            return Value.of(py_text(value))  # (inside a rendered string, only its text matters)
        if scope == "my":
            found = context.my(self.rt.model, token.name)
            if not isinstance(found, (ast.Token, ast.Str)):
                raise NotCompiled(f"{token} holds a list")
            answer = self.text(found, context, trigger_keys, depth + 1)
        elif scope == "lead":
            answer = self.field(token.name)
            if answer is None:
                answer = Value.of(None)
        else:
            key = token_key(token.name)
            if trigger_keys is None or key not in trigger_keys:
                if token.default is None:
                    raise NotCompiled(f"{token}: no trigger answers it here")
                return Value.of(token.default)
            answer = Value(TRIGGER_COLUMNS[key], "text")
        if token.default is None:
            return answer
        empty = f"({answer.sql} IS NULL)" if answer.kind != "text" else f"coalesce({answer.sql}, '') = ''"
        return Value(
            f"(CASE WHEN {empty} THEN {values.sql_text(token.default)} ELSE {values.text(answer)} END)", "text"
        )
