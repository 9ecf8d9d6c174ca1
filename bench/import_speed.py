"""Import throughput: `python -m bench.import_speed [--against DIR] [N ...]`
(default 1,000,000).

For each N, a generated person export (bench/people_csv.py, UTF-8, comma
separated, ISO dates) is imported into a new database with `mkc db import`,
in a process of its own; then the same file is read by DuckDB alone
(`read_csv` into a table, in a process of its own too), the baseline. The
machine is shared, so each figure moves with its load: the ratio `mkc /
duckdb` is what compares across runs. `--against DIR` imports the file with
another version of mkc too (before or after this one, in turns) and gives
`this / other`: DIR holds
its `mkc` package as installed (e.g. `git archive REV`, with each part copied
to `mkc/PART` as pyproject.toml's package-dir says).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench import people_csv

OTHER_MKC = """
import sys
sys.path.insert(0, sys.argv.pop(1))
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]  # not this checkout's mkc
from mkc.cli import main
main()
"""
DUCKDB_ALONE = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true)", [sys.argv[1]])
"""


def _seconds(*command: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(n: int, against: str | None, other_first: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "people.csv")
        people_csv.write(n, path)

        def this() -> float:
            run = ("-c", "from mkc.cli import main; main()")
            return _seconds(sys.executable, *run, "db", "import", path, "--db", os.path.join(tmp, "a.duckdb"))

        def other() -> float:
            run = ("-c", OTHER_MKC, against)
            return _seconds(sys.executable, *run, "db", "import", path, "--db", os.path.join(tmp, "c.duckdb"))

        # Which goes first alternates from one N to the next: the load drifts.
        theirs = other() if against and other_first else None
        mkc = this()
        if against and theirs is None:
            theirs = other()
        line = f"{n:>10,} rows  mkc db import {mkc:6.2f} s {n / mkc:>9,.0f} rows/s   "
        if theirs is not None:
            line += f"other mkc {theirs:6.2f} s {n / theirs:>9,.0f} rows/s   this / other {mkc / theirs:5.2f}   "
        alone = _seconds(sys.executable, "-c", DUCKDB_ALONE, path, os.path.join(tmp, "b.duckdb"))
        print(line + f"duckdb read_csv {alone:6.2f} s   mkc / duckdb {mkc / alone:5.2f}", flush=True)


def main() -> None:
    args = sys.argv[1:]
    against = None
    if args[:1] == ["--against"]:
        against, args = args[1], args[2:]
    for i, n in enumerate([int(a) for a in args] or [1_000_000]):
        measure(n, against, other_first=i % 2 == 1)


if __name__ == "__main__":
    main()
