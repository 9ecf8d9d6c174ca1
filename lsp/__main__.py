from mkc.lsp.server import main

main()
