"""Import throughput: `python -m bench.import_speed [--against DIR] [N ...]`
(default 1,000,000).

For each N, a generated person export (bench/people_csv.py, UTF-8, comma
separated, ISO dates) is imported into a new database with `mkc db import`,
in a process of its own; then the same file is read by DuckDB alone
(`read_csv` into a table, in a process of its own too), the baseline. The
machine is shared, so each figure moves with its load: the ratio `mkc /
duckdb` is what compares across runs. `--against DIR` imports the file with
another version of mkc too, in between, and gives `this / other`: DIR holds
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


def measure(n: int, against: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "people.csv")
        people_csv.write(n, path)
        this = ("-c", "from mkc.cli import main; main()")
        mkc = _seconds(sys.executable, *this, "db", "import", path, "--db", os.path.join(tmp, "a.duckdb"))
        line = f"{n:>10,} rows  mkc db import {mkc:6.2f} s {n / mkc:>9,.0f} rows/s   "
        if against:
            other = _seconds(
                sys.executable, "-c", OTHER_MKC, against, "db", "import", path, "--db", os.path.join(tmp, "c.duckdb")
            )
            line += f"other mkc {other:6.2f} s {n / other:>9,.0f} rows/s   this / other {mkc / other:5.2f}   "
        alone = _seconds(sys.executable, "-c", DUCKDB_ALONE, path, os.path.join(tmp, "b.duckdb"))
        print(line + f"duckdb read_csv {alone:6.2f} s   mkc / duckdb {mkc / alone:5.2f}", flush=True)


def main() -> None:
    args = sys.argv[1:]
    against = None
    if args[:1] == ["--against"]:
        against, args = args[1], args[2:]
    for n in [int(a) for a in args] or [1_000_000]:
        measure(n, against)


if __name__ == "__main__":
    main()
