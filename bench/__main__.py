"""`python -m bench` from the repository's root: see bench/runner.py."""

from .runner import main

main()
