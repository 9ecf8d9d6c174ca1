"""The REPL fed from a pipe or a file: plain text in, a plain transcript out.

Lines are read one at a time and gathered into entries by the same rule as
at the terminal (the parser decides whether an open block continues). Each
entry is echoed after a plain prompt (`mkc> `, then `...> ` for its
continued lines) and followed by what it printed, so the output reads as a
transcript. No colour, no escape codes.
"""

from __future__ import annotations

from typing import TextIO

from mkc.repl.continuation import is_blank, needs_more
from mkc.repl.session import Session

PROMPT = "mkc> "
CONTINUATION = "...> "


def run_piped(session: Session, stdin: TextIO, stdout: TextIO) -> int:
    """Run every entry of `stdin`; 0 if none failed (an error, a failed `expect`), else 1."""
    failed = session.startup.failed
    if session.startup.lines:
        stdout.write(session.startup.text + "\n")
        stdout.flush()
    pending: list[str] = []
    for raw in stdin:
        line = raw.rstrip("\r\n")
        if not pending and not line.strip():
            continue
        stdout.write(((CONTINUATION if pending else PROMPT) + line).rstrip() + "\n")
        pending.append(line)
        text = "\n".join(pending)
        if needs_more(text):
            continue
        pending = []
        if is_blank(text):
            continue
        failed |= _show(session, text, stdout)
        if session.done:
            break
    if pending:  # the input ended inside a block: say so, as a file would
        failed |= _show(session, "\n".join(pending), stdout)
    stdout.flush()
    return 1 if failed else 0


def _show(session: Session, text: str, stdout: TextIO) -> bool:
    reply = session.handle(text)
    if reply.lines:
        stdout.write(reply.text + "\n")
    stdout.flush()  # a program driving the REPL through a pipe sees each reply at once
    return reply.failed
