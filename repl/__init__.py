"""`mkc repl`: try declarations, flow steps and scenario commands one at a time.

`Session` (session.py) is the REPL without a terminal; `app.py` puts it on
prompt_toolkit, `piped.py` reads it from a pipe; `lexer.py` colours mkc for
Pygments; `completion.py` completes names from the loaded program.
"""

from mkc.repl.session import Reply, Session

__all__ = ["Reply", "Session"]
