"""Import throughput: `python -m bench.import_speed [N ...]` (default 1,000,000).

For each N, a generated person export (bench/people_csv.py, UTF-8, comma
separated, ISO dates) is imported into a new database with `mkc db import`,
in a process of its own; then the same file is read by DuckDB alone
(`read_csv` into a table, in a process of its own too), the baseline. The
machine is shared, so each figure moves with its load: the ratio `mkc /
duckdb` is what compares across runs (and across versions of the importer).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench import people_csv

DUCKDB_ALONE = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true)", [sys.argv[1]])
"""


def _seconds(*command: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "people.csv")
        people_csv.write(n, path)
        mkc = _seconds(
            sys.executable,
            "-c",
            "from mkc.cli import main; main()",
            "db",
            "import",
            path,
            "--db",
            os.path.join(tmp, "a.duckdb"),
        )
        alone = _seconds(sys.executable, "-c", DUCKDB_ALONE, path, os.path.join(tmp, "b.duckdb"))
        print(
            f"{n:>10,} rows  mkc db import {mkc:6.2f} s {n / mkc:>9,.0f} rows/s   "
            f"duckdb read_csv {alone:6.2f} s {n / alone:>9,.0f} rows/s   mkc / duckdb {mkc / alone:5.2f}",
            flush=True,
        )


def main() -> None:
    for n in [int(a) for a in sys.argv[1:]] or [1_000_000]:
        measure(n)


if __name__ == "__main__":
    main()
