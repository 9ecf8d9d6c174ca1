"""Benchmarks. `python -m bench` (from the repository's root) runs the
interpreter against a hand-written baseline (bench/runner.py); the scripts
bench/parse_speed.py and bench/insight_speed.py time parsing and insight."""
