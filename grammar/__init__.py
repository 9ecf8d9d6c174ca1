"""The parser facade: the only module that talks to Lark.

`parse(text, file)` gives an `ast.Module` or raises `DiagnosticError` with
every syntax diagnostic, worded for people; nothing downstream sees Lark.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from mkc.diagnostics import Diagnostic, DiagnosticError
from mkc.grammar import ast, walk
from mkc.source import Span

GRAMMAR = Path(__file__).with_name("mkc.lark")
OPTIONS = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": True, "start": ["start", "repl_line"]}


@functools.cache
def parser(strict: bool = False) -> Lark:
    # No parse tree and no positions from Lark: `ToAst` builds the AST, with
    # spans, as the parser reduces (see `_parse`).
    if strict:  # the tests' check for conflicts: always built afresh
        return Lark.open(str(GRAMMAR), strict=True, **OPTIONS)
    from mkc.grammar.cache import load_parser

    return load_parser(GRAMMAR, OPTIONS)


@functools.cache
def _reductions() -> list:
    from mkc.grammar.transform import reductions

    return reductions(parser().rules)


MAX_SYNTAX_ERRORS = 100
"""Syntax errors reported per file; one more diagnostic counts the rest (docs/diagnostics.md)."""


def parse(text: str, file: str = "<input>"):
    """Parse a whole file into an `ast.Module`; every syntax error is reported."""
    return _parse(text, file, "start", recover=True)


def parse_line(text: str, file: str = "<repl>"):
    """Parse one REPL entry: a declaration, a flow step or a scenario command.

    Stops at the first error: the REPL asks for another line only when that
    error is the entry's end inside an open block (`repl.continuation`)."""
    return _parse(text, file, "repl_line", recover=False)


def unquote(text: str) -> str:
    """A quoted name or string as written (`"Spring Sale"`) made into its text;
    anything not quoted is returned as it is."""
    from mkc.grammar.transform import unquote as unquoted

    return unquoted(text)


def _parse(text: str, file: str, start: str, recover: bool):
    from mkc.grammar.recover import Recovery
    from mkc.grammar.transform import Problems, ToAst

    if not text.endswith("\n"):
        text += "\n"
    # Only the diagnostics shown are kept, and the one the count of the rest starts at.
    errors, built = Problems(MAX_SYNTAX_ERRORS + 1), Problems(MAX_SYNTAX_ERRORS + 1)
    builder = ToAst(file, built)
    ip = parser().parse_interactive(text, start)
    # Reductions call the builder instead of making tree nodes: no tree to walk afterwards.
    callbacks = builder.callbacks(_reductions())
    guard = _nesting_guard(ip.parser_state)
    callbacks.update(dict.fromkeys(_OPENERS, guard))
    ip.parser_state.parse_conf.callbacks = callbacks
    recovery = Recovery(text) if recover else None
    result, feed = None, []
    while True:
        try:
            for token in feed:
                ip.feed_token(token)
            result = ip.resume_parse()
            break
        except _TooDeep as err:  # the rest of the file is not read: its nesting is unknown
            errors.append(err.diagnostic(file))
            break
        except UnexpectedInput as err:
            err.interactive_parser = ip  # also when feeding failed
            token = err.token if isinstance(err, UnexpectedToken) else None
            at_end = token is not None and token.type == "$END"
            pos = len(text) if at_end else (token.start_pos if token is not None else err.pos_in_stream)
            if recovery is None or recovery.reports(ip, token, pos):
                errors.append(syntax_diagnostic(err, text, file))
            if recovery is None or at_end:
                break
            feed = recovery.resync(ip, token, pos)
    # The parser's state holds the callbacks, and the nesting guard holds the
    # state: a cycle that would keep the builder and its texts until the
    # next collection.
    callbacks.clear()
    problems = sorted(errors.kept + built.kept, key=Diagnostic.sort_key)
    if errors.count + built.count > MAX_SYNTAX_ERRORS:  # a file of junk: a screenful to fix, not megabytes
        rest = problems[MAX_SYNTAX_ERRORS]
        more = errors.count + built.count - MAX_SYNTAX_ERRORS
        problems = problems[:MAX_SYNTAX_ERRORS]
        problems.append(Diagnostic("syntax", f"{more:,} more syntax errors from here on are not shown", rest.span))
    if problems:
        raise DiagnosticError(problems)
    return builder.root(result)


# ---- nesting -------------------------------------------------------------------

MAX_NESTING = 64
"""How many blocks `< >`, lists `[ ]`, parentheses and `not`s may be open at
once (docs/semantics.md). No campaign comes close; deeper input is refused
with a `syntax` error, so every later phase may walk the AST recursively.
Long flat sequences (a block's items, `a and b and ...`) are not nesting."""

# The tokens that open a level. Each stays on the parser's value stack until
# its level closes: a `<` that compares is reduced to `cmp_op` before the next
# token is shifted, so every `<` on the stack opens a block.
_OPENERS = ("LESSTHAN", "LSQB", "LPAR", "NOT")


class _TooDeep(Exception):
    def __init__(self, token: Token):
        self.token = token

    def diagnostic(self, file: str) -> Diagnostic:
        tok = self.token
        span = Span(file, tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1)
        return Diagnostic(
            "syntax",
            f"nesting deeper than {MAX_NESTING} levels (blocks, lists, parentheses and `not` count)",
            span,
            hints=("the rest of the file is not read",),
        )


def _nesting_guard(state):
    """The parser's callback as it shifts an opener: raises `_TooDeep` at the one past the limit."""

    def opened(token: Token) -> Token:
        stack = state.value_stack
        # Counted only on a stack long enough to hold that many openers: no cost at usual depths.
        if len(stack) >= MAX_NESTING and sum(type(v) is Token and v.type in _OPENERS for v in stack) >= MAX_NESTING:
            raise _TooDeep(token)
        return token

    return opened


# ---- readable syntax errors --------------------------------------------------

_WORDS = {
    "NAME": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "SCORE_ADD": "a score change",
    "TIME": "a time of day",
    "DATETIME": "a date-time",
    "TOKEN": "a token",
    "_NL": "a new line",
    "$END": "the end of the file",
}
_VALUE_STARTS = {"STRING", "NUMBER", "SCORE_ADD", "TIME", "DATETIME", "TOKEN", "LSQB", "TRUE", "FALSE", "NULL"}
_SEPARATORS = {"_NL", "SEMICOLON"}

# `{{my.score}}`: a token as Marketo writes it.
_MARKETO_TOKEN = re.compile(r"\{\{([A-Za-z_]+\.[^{}\n]+?)\}\}")

# What a block holds, by the keyword that opened it.
_BLOCK_ITEMS = {
    "flow": "a flow step",
    "smart_list": "`trigger`, `filter` or `logic`",
    "campaign": "a campaign part (`description`, `smart_list`, `flow`, `qualification`, `schedule`, `active`)",
    "scenario": "a scenario command (`at`, `run`, `request`, `schedule`, `event`, `set`, `activate`, "
    "`deactivate`, `advance`, `expect`)",
    "people": "`person`",
    "person": "a field and its value",
    "choice": "`when` or `default`",
    "tokens": "a token declaration (`my.NAME = value`)",
    "email": "a property and its value",
    "webhook": "a property and its value",
    "program": "a declaration (`campaign`, `tokens`, `statuses`, an asset)",
    "folder": "a declaration (`program`, `folder`, `campaign`, `tokens`, an asset)",
    "workspace": "a declaration (`program`, `folder`, `campaign`, `tokens`, an asset)",
    "when": "a flow step",
    "default": "a flow step",
}
_TOP_ITEMS = "a declaration (`campaign`, `program`, `folder`, `workspace`, `tokens`, an asset, `people`, `scenario`)"


def _terminal_text(name: str) -> str:
    if name in _WORDS:
        return _WORDS[name]
    for term in parser().terminals:
        if term.name == name and term.pattern.type == "str":
            return f"`{term.pattern.value}`"
    return name.lower()


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "_NL":
        return "end of line"
    if tok.type in _WORDS and tok.type != "NAME":
        return f"{_WORDS[tok.type]} `{tok}`"
    return f"`{tok}`"


def _open_blocks(err: UnexpectedToken) -> list[tuple[str, Token]]:
    """The blocks still open where the parser stopped: (keyword, its `<`)."""
    try:
        stack = err.interactive_parser.parser_state.value_stack
    except AttributeError:
        return []
    blocks, keyword = [], None
    for item in stack:
        if isinstance(item, Token):
            if item.type == "LESSTHAN":
                blocks.append((keyword or "block", item))
            elif item.type not in ("NAME", "KWARG_OP", "STRING", "_NL", "SEMICOLON", "DOT"):
                keyword = str(item)
    return blocks


def _at_item_start(err: UnexpectedToken) -> bool:
    try:
        stack = err.interactive_parser.parser_state.value_stack
    except AttributeError:
        return False
    if not stack:
        return True
    last = stack[-1]
    return isinstance(last, Token) and last.type in ("LESSTHAN", "SEMICOLON", "_NL")


def _expected_words(err: UnexpectedToken, blocks) -> str:
    # an operator's word as a keyword argument's name (`contains=`) is a name to whoever writes it
    expected = {"NAME" if e == "KWARG_OP" else e for e in err.expected or ()}
    words: list[str] = []
    if _at_item_start(err) and ("MORETHAN" in expected or "$END" in expected or not blocks):
        keyword = blocks[-1][0] if blocks else None
        words.append(_BLOCK_ITEMS.get(keyword, "an item") if keyword else _TOP_ITEMS)
        if "MORETHAN" in expected:
            words.append("`>`")
        return " or ".join(words)
    if len(expected & _VALUE_STARTS) >= 3:
        words.append("a value")
        expected -= _VALUE_STARTS | {"NAME"}
    if expected <= _SEPARATORS | {"$END"} and expected:
        return "the end of the line"
    only = expected - _SEPARATORS - {"$END"}
    words += sorted(_terminal_text(n) for n in only)
    if expected & _SEPARATORS and len(words) < 6:
        words.append("the end of the line")
    if len(words) > 8:
        words = words[:7] + ["…"]
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1] if words else "something else"


def syntax_diagnostic(err: UnexpectedInput, text: str, file: str) -> Diagnostic:
    if isinstance(err, UnexpectedCharacters):
        span = Span(file, err.line, err.column, err.line, err.column + 1)
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
        if char == '"':
            return Diagnostic("syntax", 'this string is never closed: a string ends with `"` on the same line', span)
        if char in "<>" and text.startswith("<<", err.pos_in_stream):
            return Diagnostic("syntax", "unexpected `<<`: a token is written `<<scope.name>>`", span)
        marketo = _MARKETO_TOKEN.match(text, err.pos_in_stream)
        if marketo is not None:  # Marketo's own token syntax
            return Diagnostic(
                "syntax",
                f"`{marketo.group(0)}` is Marketo's token syntax; mkc writes tokens `<<…>>`",
                span,
                hints=(f"write `<<{marketo.group(1).strip()}>>`",),
            )
        return Diagnostic("syntax", f"unexpected character `{char}`", span)
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    blocks = _open_blocks(err)
    if tok.type == "$END":
        lines = text.splitlines()
        last = len(lines)
        span = Span(file, last, len(lines[-1]) + 1 if lines else 1, last, len(lines[-1]) + 2 if lines else 2)
        if blocks:
            keyword, open_tok = blocks[-1]
            span = Span(file, open_tok.line, open_tok.column, open_tok.line, open_tok.column + 1)
            return Diagnostic(
                "syntax",
                f"input ended inside the `{keyword}` block opened at {open_tok.line}:{open_tok.column}",
                span,
                hints=("close the block with `>`",),
            )
        return Diagnostic("syntax", f"input ended early; expected {_expected_words(err, blocks)}", span)
    span = Span(file, tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1)
    if tok.type == "_NL":
        span = Span(file, tok.line, tok.column, tok.line, tok.column + 1)
    hints: tuple[str, ...] = ()
    expected = set(err.expected or ())
    bare = _bare_condition(err)
    if bare is not None:
        name, sign = bare
        written = f"when ({name}) < … >" if sign == "<" else f"filter ({name}) >"
        hints = (
            f"a condition with no arguments goes in parentheses before a `{sign}`: `{written}` "
            f"(after a bare name, `{sign}` compares)",
        )
    elif tok.type == "_NL" and "LESSTHAN" in expected:
        hints = ("the `<` that opens a block stays on the line of its header",)
    elif tok.type == "NAME" and str(tok) in _QUOTE_HINT:
        hints = (f'`{tok}` is a keyword here; write a name that reads as a keyword in quotes: "{tok}"',)
    message = f"unexpected {_describe_token(tok)}; expected {_expected_words(err, blocks)}"
    return Diagnostic("syntax", message, span, hints=hints)


_QUOTE_HINT = {"not", "in", "and", "or", "between", "contains", "choice", "true", "false", "null"}


def _bare_condition(err: UnexpectedToken) -> tuple[str, str] | None:
    """A condition with no arguments that cannot stand where it is written,
    and the sign it stands before: in a `when`, before a newline (`when is_vip`
    with its `<` on the next line) or a `<`, which then compares (`when is_vip
    < do_nothing >`); anywhere, before a `>` (`smart_list < filter is_vip >`)."""
    from mkc.grammar.transform import _Ext, _Name

    try:
        stack = err.interactive_parser.parser_state.value_stack
    except AttributeError:
        return None
    # `… is_vip <` or `… is_vip >` read as the start of a comparison: its name, the sign, maybe a value
    for k in (len(stack) - 3, len(stack) - 2):
        if k < 1:
            continue
        found = stack[k + 1]  # `<` or `>`: as compared (`_Ext`), or still a token
        if type(stack[k]) is _Name and type(found) in (_Ext, Token) and getattr(found, "value", None) in ("<", ">"):
            sign = found.value
            if (sign == ">" and _is(stack[k - 1], "FILTER")) or _in_condition(stack, k - 1, sign):
                return stack[k].text, sign
            return None
    if len(stack) < 2 or not _is(stack[-2], "WHEN"):
        return None
    top = stack[-1]  # a condition in parentheses is not taken: it is wrapped (`_Ext`)
    atom = walk.last_atom(top)
    if not _ends_together(atom, top):  # `… and (is_vip)`
        return None
    if walk.is_bare(atom):
        return atom.name, "<"  # `when is_vip` and a newline
    if isinstance(atom, ast.FieldCond) and atom.op == "<" and err.token.type != "_NL":
        (value,) = atom.operands  # `when is_vip < do_nothing >`: the step was read as a value
        if isinstance(value, ast.Ref) and len(value.parts) == 1:
            return atom.field, "<"
    return None


def _in_condition(stack, k: int, sign: str) -> bool:
    """Whether the stack's item `k` (`and`, `or`, `not`, or `when` for `<`)
    starts a term of a condition outside parentheses, in a `when` for `<`."""
    if not any(_is(stack[k], kind) for kind in ("WHEN", "AND", "OR", "NOT")):
        return False
    for item in reversed(stack[: k + 1]):
        if _is(item, "WHEN") or (sign == ">" and _is(item, "FILTER")):
            return True
        if _is(item, "LESSTHAN") or _is(item, "LPAR"):
            return False
    return False


def _is(item, kind: str) -> bool:
    return type(item) is Token and item.type == kind


def _ends_together(a, b) -> bool:
    a, b = _span_of(a), _span_of(b)
    if a is None or b is None:
        return False
    return (a.end_line, a.end_column) == (b.end_line, b.end_column)


def _span_of(item):
    from mkc.grammar.transform import _Ext, _Name
    from mkc.source import unpack_span

    if type(item) in (_Ext, _Name):
        return unpack_span(item._span)  # those keep theirs packed
    return getattr(item, "span", None)  # (a token the parser has not reduced has none)
