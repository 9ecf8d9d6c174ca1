"""The mkc language server (`mkc lsp`): lsp.server speaks the protocol,
lsp.program is its one view of the checked program."""
