"""Going on after a syntax error, so a file reports all of them (spec section 9).

The parser is popped back to the start of the innermost item holding the
error (a declaration, a step, a filter, a scenario command, ...) and the
input is skipped to that item's end: the next newline or `;` outside any
block the item opens, or the `>` that closes the block around it. Parsing
goes on from there with the next item. A block's `<` written on the line
after its header, or left out before items on the header's line, is read as
if it were in place, so the block's items are still read.

An error where parsing resumes, before the next item starts (only newlines,
`;` and `>` read), is taken as a consequence of the one before and is not
reported; nor is the file ending inside a block opened before parsing last
resumed (the skip may have taken its `>`).

Works on the parser's stacks and the text; the facade feeds Lark.
"""

from __future__ import annotations

import re

from mkc.grammar.template import TOKEN_PATTERN

# The text read just well enough to find where an item ends: strings, tokens
# and comments are skipped whole, `<` and `>` are counted.
_LEX = re.compile(
    r"""(?P<sep>\r?\n|;)
    | (?P<space>[ \t\f\r]+|\#[^\n]*)
    | (?P<name>"(?:\\.|[^"\\\n])*"?|[A-Za-z_]\w*)
    | (?P<word>"""
    + TOKEN_PATTERN
    + r"""|[<>!]=|[\w.+:-]+|.)
    """,
    re.VERBOSE,
)
# `<` and `>` compare after a field name that follows one of these (or `expect PERSON`).
_BEFORE_FIELD = {"filter", "when", "not", "and", "or", "("}


class Recovery:
    def __init__(self, text: str):
        self.text = text
        self.quiet = -1  # an error up to this offset is a consequence of the last one
        self.resumed = -1  # where parsing last went on after an error
        self.last = -1  # where the last error was

    def reports(self, ip, token, pos: int) -> bool:
        """Whether the error at offset `pos`, at `token` (None: at a character no token starts with), is reported."""
        if pos <= self.quiet:
            return False
        if token is not None and token.type == "$END":
            opened = next((v for v in ip.parser_state.value_stack if getattr(v, "type", None) == "LESSTHAN"), None)
            return opened is None or opened.start_pos > self.resumed
        return True

    def resync(self, ip, token, pos: int) -> list:
        """Makes `ip` ready to go on after the error at `pos`; returns the tokens to feed it first."""
        state, lexer = ip.parser_state, ip.lexer_thread.state.line_ctr
        again = token is not None and pos == self.last  # feeding that token failed: skip it this time
        self.last = pos
        actions = state.parse_conf.states[state.position]
        if token is not None and not again and "LESSTHAN" in actions and "MORETHAN" not in actions:
            # A block's header wants its `<` (where a `>` may come too, `<` compares).
            kinds, line_end = self._line(pos)
            if token.type != "_NL" and "<" not in kinds:  # `flow add_to_list "A" >`
                self.resumed, self.quiet = pos, line_end  # the rest of the line may not fit the guess
                return [type(token).new_borrow_pos("LESSTHAN", "<", token), token]
            opened = self._next_item(token.end_pos)
            if token.type == "_NL" and self.text.startswith("<", opened):  # `<` on the next line
                self.resumed = self.quiet = pos
                lexer.feed(self.text[lexer.char_pos : opened])
                return []
        depth, closes = _pop(state)
        ends_item = token is not None and (token.type in ("_NL", "SEMICOLON") or (token.type == "MORETHAN" and closes))
        if ends_item and not again and depth == 0:  # the token itself ends the broken item
            self.resumed, self.quiet = token.end_pos, self._next_item(token.end_pos)
            return [token]
        end = self._item_end(token.end_pos if again else pos, depth, closes, skip_first=not again)
        self.resumed = end = max(end, lexer.char_pos)
        lexer.feed(self.text[lexer.char_pos : end])
        self.quiet = self._next_item(end)
        return []

    def _item_end(self, pos: int, depth: int, closes: bool, skip_first: bool) -> int:
        for kind, at in _words(self.text, pos):
            if skip_first:
                skip_first = False
            elif depth == 0 and (kind == "\n" or (kind == ">" and closes)):
                return at
            if kind == "<":
                depth += 1
            elif kind == ">":
                depth = max(depth - 1, 0)  # a `>` closing nothing is skipped
        return len(self.text)

    def _line(self, pos: int) -> tuple[list[str], int]:
        """The kinds of the words from `pos` to the end of its line, and where it ends."""
        kinds = []
        for kind, at in _words(self.text, pos):
            if kind == "\n":
                return kinds, at
            kinds.append(kind)
        return kinds, len(self.text)

    def _next_item(self, pos: int) -> int:
        """Where the next item can start after `pos`: past separators and `>`."""
        return next((at for kind, at in _words(self.text, pos) if kind not in ("\n", ">")), len(self.text))


def _words(text: str, pos: int):
    """(kind, offset) of each word from `pos` on; kind is "\\n" for a newline or
    `;`, "<" or ">" for a block's, else "name" or "word"."""
    recent: list[tuple[str, str]] = []  # the last three, to tell `a < b` from a block's `<`
    for m in _LEX.finditer(text, pos):
        kind, word = m.lastgroup, m.group()
        if kind == "space":
            continue
        if kind == "sep":
            kind = "\n"
        elif word in ("<", ">") and not _compares(recent):
            kind = word
        yield kind, m.start()
        recent = [*recent[-2:], (kind, word)]


def _compares(recent: list[tuple[str, str]]) -> bool:
    """Whether a `<` or `>` after these compares, as in `filter lead_score < 10`."""
    if not recent or recent[-1][0] != "name":
        return False
    before = [word for _, word in recent[:-1]]
    return (bool(before) and before[-1] in _BEFORE_FIELD) or (len(before) == 2 and before[0] == "expect")


def _pop(state) -> tuple[int, bool]:
    """Pops the stacks to the start of the innermost item: just after a block's
    `<`, a separator or a block's `>`, where a new line may come. Returns how
    many blocks the popped part left open, and whether a `>` may come next."""
    states = state.parse_conf.states
    stack, values = state.state_stack, state.value_stack
    depth, k = 0, len(stack) - 1
    while k > 0:
        actions = states[stack[k]]
        kind = getattr(values[k - 1], "type", None)  # a token's; a block's `<` or `>` may be followed by a newline
        if "_NL" in actions and kind in ("LESSTHAN", "_NL", "SEMICOLON", "MORETHAN"):
            if "MORETHAN" in actions or "$END" in actions:
                break
            if kind == "LESSTHAN":  # `when ... <` holds one step: it cannot close at once
                depth += 1
        k -= 1
    del stack[k + 1 :], values[k:]
    return depth, "MORETHAN" in states[stack[k]]
