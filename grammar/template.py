"""Strings with tokens (spec section 6): the one definition of how a token is
written, `<<scope.name>>` or `<<scope.name:default=text>>`, and the one
splitter of a string into its literal text and its tokens.

The checker finds the tokens a string uses with `split`/`tokens`, the
interpreter renders the parts `split` gives, insight and the REPL read them
the same way. TOKEN_PATTERN is the same shape for a bigger regular
expression (the error recovery's and the REPL's lexers); grammar/mkc.lark
spells it once more as its TOKEN terminal, which a test keeps equal.
"""

from __future__ import annotations

import re

import attrs

from mkc.grammar import ast

# A scope, a name (spaces around it are dropped) and an optional default.
_SCOPE_CHAR, _NAME_CHAR, _DEFAULT = r"[A-Za-z_]", r"[^<>:\n]", r"[^>\n]*"
TOKEN_PATTERN = rf"<<{_SCOPE_CHAR}+\.{_NAME_CHAR}+?(?::default={_DEFAULT})?>>"
"""A token as written, without groups, to be part of a bigger regular expression."""
TOKEN_RE = re.compile(rf"<<({_SCOPE_CHAR}+)\.({_NAME_CHAR}+?)(?::default=({_DEFAULT}))?>>")
"""A token with its scope, name and default as groups 1 to 3 (`split` reads them)."""
UNFINISHED_TOKEN = re.compile(rf"<<({_SCOPE_CHAR}*(\.{_NAME_CHAR}*)?)$")
"""A token being typed at the end of a text (the REPL completes it)."""


@attrs.frozen
class TokenAt:
    """A token found in a string: what it says and where it is written."""

    token: ast.Token
    text: str  # as written, `<<my.name:default=x>>`
    start: int  # its offsets in the string
    end: int


def split(text: str) -> tuple[str | TokenAt, ...]:
    """The string's literal text (`str`, never empty) and its tokens, in order."""
    parts: list[str | TokenAt] = []
    pos = 0
    for found in tokens(text):
        if found.start > pos:
            parts.append(text[pos : found.start])
        parts.append(found)
        pos = found.end
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts)


def tokens(text: str) -> list[TokenAt]:
    """The tokens a string holds, in order."""
    if "<<" not in text:  # most strings: no regular expression to run
        return []
    return [TokenAt(_token(m), m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def has_tokens(text: str) -> bool:
    return TOKEN_RE.search(text) is not None


def parse_token(text: str) -> ast.Token | None:
    """The token that is the whole of `text`, or None."""
    m = TOKEN_RE.fullmatch(text)
    return _token(m) if m else None


def _token(m: re.Match) -> ast.Token:
    return ast.Token(m.group(1), m.group(2).strip(), m.group(3))
