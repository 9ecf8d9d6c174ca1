"""`mkc lsp`: the language server, registered in mkc/cli.py."""

from __future__ import annotations

import click


@click.command("lsp", epilog="Editors start it themselves: see docs/editors.md.")
def lsp_command() -> None:
    """A language server on standard input and output: diagnostics as you
    type, completion, hover, definition, references, rename, symbols and
    formatting for .mkc files and projects."""
    from mkc.lsp.server import main

    main()
