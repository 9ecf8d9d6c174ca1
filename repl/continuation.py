"""When is an entry complete? The parser decides, never a bracket count.

An entry is incomplete when parsing it as one REPL line fails only because
the input ended inside an open `<` block; then Enter continues it on a new
line. Any other result (a good parse, or any other error) submits it, so a
mistake is reported at once instead of leaving the user in an endless block.
"""

from __future__ import annotations

import re

from mkc.diagnostics import DiagnosticError
from mkc.grammar import parse_line

_OPEN_BLOCK = "input ended inside the "
_BLANK = re.compile(r"\s*(#[^\n]*)?\s*")


def is_blank(text: str) -> bool:
    """Only spaces and comments: nothing to do."""
    return all(_BLANK.fullmatch(line) for line in text.splitlines())


def is_command(text: str) -> bool:
    """A REPL command such as `:help`: one line, never continued."""
    return text.lstrip().startswith(":")


def needs_more(text: str) -> bool:
    """True if `text` is the beginning of an entry that an open block leaves unfinished."""
    if is_blank(text) or is_command(text):
        return False
    try:
        parse_line(text)
    except DiagnosticError as err:
        return any(d.code == "syntax" and d.message.startswith(_OPEN_BLOCK) for d in err.diagnostics)
    return False


def indent_for_next_line(text: str) -> str:
    """Indentation for a continued line: the last line's, two more after an opening `<`.

    Cosmetic only; whether to continue at all is `needs_more`'s call.
    """
    last = text.rsplit("\n", 1)[-1]
    indent = last[: len(last) - len(last.lstrip())]
    code = last.split("#", 1)[0].rstrip()
    return indent + "  " if code.endswith("<") else indent
