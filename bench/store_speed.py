"""The store end to end: `python -m bench.store_speed [N ...]` (default 100,000
and 1,000,000).

For each N, in a fresh directory: a generated person export (bench/people_csv.py)
is imported with `mkc db import`; bench/campaign.mkc's Nurture.Qualify runs over
the database twice, a week apart (the second run enters nobody: `once`); a
simple campaign (one filter, three steps, a wait) runs once; the activity log
is exported as JSON Lines. Each command runs in its own process, so its time
is wall-clock time and its peak memory is the resident set size of that
process alone.

The first run is also set against the interpreter alone: the same campaign
over the same people in memory, in a process of its own (bench/workload.py,
the collector kept off the people as `python -m bench` does), timed without
start-up, parsing or output. `store / memory` is the run's time over that: what
the store costs on top of the interpreter, with start-up and printing every
activity. The machine is shared, so it is best read over several runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import duckdb

from bench import people, people_csv, runner, workload
from mkc.interpreter import PersonState

ROOT = pathlib.Path(__file__).resolve().parent.parent
AT = dt.datetime(2026, 3, 2)
SIMPLE = """
email "Welcome" < subject "Hi <<lead.first_name:default=there>>" >
campaign Welcome <
  smart_list < filter lead_score >= 50 >
  flow <
    send_email "Welcome"
    change_score +5
    wait 2 days
    change_data_value lead_status "Welcomed"
  >
>
"""


def timed(*args: str) -> tuple[float, float]:
    """Run `mkc ARGS` (stdout discarded): seconds and peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from mkc.cli import main; main()", *args], stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"mkc {' '.join(args)} failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def in_memory(n: int) -> None:
    """Print (as JSON) the interpreter's seconds, activities and added peak MB
    for Nurture.Qualify over the people of the export, held in memory: the
    fields the import reads back, keyed by the export's Ids, in no program
    (an export has no memberships)."""
    model = workload.load_model()
    persons = [PersonState(str(1_000_000 + i), dict(fields)) for i, (_, fields, _) in enumerate(people.records(n), 1)]
    log, seconds, peak = runner._measured(lambda: workload.interpreted(model, persons, AT))
    print(json.dumps({"seconds": seconds, "activities": len(log), "peak_mb": peak / 2**20}))


def _in_memory(n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", f"from bench.store_speed import in_memory; in_memory({n})"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def _row(n: int, name: str, seconds: float, mb: float) -> None:
    print(f"{n:>10,}  {name:<24} {seconds:7.2f} s  {n / seconds:>10,.0f} people/s  peak {mb:6.0f} MB", flush=True)


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, db = os.path.join(tmp, "people.csv"), os.path.join(tmp, "state.duckdb")
        simple = os.path.join(tmp, "simple.mkc")
        pathlib.Path(simple).write_text(SIMPLE)
        people_csv.write(n, csv_path)
        campaign = str(ROOT / "bench" / "campaign.mkc")
        at = AT.isoformat(timespec="minutes")
        steps = [
            ("import", ["db", "import", csv_path, "--db", db]),
            ("run Nurture.Qualify", ["run", campaign, "--campaign", "Nurture.Qualify", "--db", db, "--at", at]),
            (
                "run it again (once)",
                ["run", campaign, "--campaign", "Nurture.Qualify", "--db", db, "--at", "2026-03-09"],
            ),
            ("run a simple campaign", ["run", simple, "--campaign", "Welcome", "--db", db, "--at", "2026-03-10"]),
            ("export activities.jsonl", ["db", "export", os.path.join(tmp, "activities.jsonl"), "--db", db]),
        ]
        for name, args in steps:
            seconds, mb = timed(*args)
            _row(n, name, seconds, mb)
            if name == "run Nurture.Qualify":
                memory = _in_memory(n)
                _row(n, "  the same in memory", memory["seconds"], memory["peak_mb"])
                with duckdb.connect(db, read_only=True) as con:
                    stored = con.execute("SELECT activities FROM runs ORDER BY run LIMIT 1").fetchone()[0]
                same = "" if stored == memory["activities"] else f" (in memory {memory['activities']:,} activities!)"
                print(
                    f"{n:>10,}  store / memory           {seconds / memory['seconds']:7.2f}  "
                    f"{stored:,} activities{same}",
                    flush=True,
                )
        print(f"{n:>10,}  database size            {os.path.getsize(db) / 1e6:7.1f} MB", flush=True)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    for n in sizes:
        measure(n)


if __name__ == "__main__":
    main()
