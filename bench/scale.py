"""A run spread over workers: `python -m bench.scale [N ...]` (default
1,000,000; 10,000,000 only when asked: `python -m bench.scale 10000000`).

For each N, in a fresh directory: a generated person export (bench/people_csv.py)
is imported once; then bench/campaign.mkc's Nurture.Qualify runs over a copy
of that database on one process (the reference interpreter, which the
workers run, and the columnar engine, for comparison), with `--workers 1`, `--workers 2` and
`--ray --workers 2` (a Ray cluster started on this machine for the run; left
out with --no-ray or where Ray is not installed), each command in a process
of its own, in the same run so that the ratios compare like with like on a
shared machine. Every spread run must leave the same tables as the run on
one process (checked on digests of every table, bench/e2e.py's
`fingerprint`) before any figure is shown.

Reported: seconds (wall clock, the whole command: start-up, slices, workers,
merge; the log goes to /dev/null, so none is made), speed-up over one process, scaling
efficiency (speed-up / workers), and from the run's own figures
(MKC_SCALE_STATS): seconds to write the slices, for the workers and to merge;
the slowest partition's seconds and people/s; the peak memory of each worker
and of the parent, which merges. On two cores, 2x is the physical limit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from bench import people_csv
from bench.e2e import fingerprint

ROOT = pathlib.Path(__file__).resolve().parent.parent
AT = dt.datetime(2026, 3, 2).isoformat(timespec="minutes")
CAMPAIGN = str(ROOT / "bench" / "campaign.mkc")


def configurations(ray: bool) -> list[tuple[str, list[str], int]]:
    # Workers run the reference interpreter, so it is the baseline; the columnar
    # engine on one process is shown beside it for comparison.
    found = [
        ("one process", ["--engine", "reference"], 1),
        ("one process, columnar", ["--engine", "columnar"], 1),
        ("--workers 1", ["--workers", "1"], 1),
        ("--workers 2", ["--workers", "2"], 2),
    ]
    if ray:
        found.append(("--ray, 2 partitions", ["--ray", "--workers", "2"], 2))
    return found


def timed(args: list[str], env: dict) -> tuple[float, float]:
    """Run `mkc ARGS` (stdout discarded): seconds, and the peak RSS in MB of the
    command's own process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from mkc.cli import main; main()", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"mkc {' '.join(args)} failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def measure(n: int, ray: bool) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="mkc-bench-scale-") as tmp:
        csv_path, base = os.path.join(tmp, "people.csv"), os.path.join(tmp, "base.duckdb")
        people_csv.write(n, csv_path)
        timed(["db", "import", csv_path, "--db", base], dict(os.environ))
        expected = None
        for name, extra, workers in configurations(ray):
            db, stats = os.path.join(tmp, "run.duckdb"), os.path.join(tmp, "stats.json")
            shutil.copy(base, db)
            env = dict(os.environ, MKC_SCALE_STATS=stats)
            seconds, peak = timed(
                ["run", CAMPAIGN, "--campaign", "Nurture.Qualify", "--db", db, "--at", AT, *extra], env
            )
            found = fingerprint(db)  # every table, as the end-to-end bench compares them
            if expected is None:
                expected = found
            elif found != expected:
                sys.exit(f"{name} at {n:,} people: the database differs from the run on one process")
            figures = json.loads(pathlib.Path(stats).read_text()) if "--engine" not in extra else {}
            pathlib.Path(stats).unlink(missing_ok=True)
            os.unlink(db)
            rows.append({"people": n, "name": name, "workers": workers, "seconds": seconds, "peak_mb": peak, **figures})
            _show(rows[0], rows[-1])
    return rows


def _show(first: dict, row: dict) -> None:
    n, speedup = row["people"], first["seconds"] / row["seconds"]
    line = (
        f"{n:>10,}  {row['name']:<22} {row['seconds']:7.1f} s  x{speedup:4.2f}  "
        f"efficiency {speedup / row['workers']:4.0%}"
    )
    if "partitions" in row:
        slowest = max(row["partitions"], key=lambda p: p["seconds"])
        workers = ", ".join(f"{p['peak_bytes'] / 2**20:.0f}" for p in row["partitions"])
        parent = row["parent_peak_bytes"] / 2**20
        line += (
            f"  | slices {row['slices_seconds']:.1f} s, workers {row['workers_seconds']:.1f} s "
            f"(slowest partition {slowest['seconds']:.1f} s, {slowest['people'] / slowest['seconds']:,.0f} people/s), "
            f"merge {row['merge_seconds']:.1f} s | peak MB: workers {workers}, parent {parent:.0f}"
        )
    else:
        line += f"  | peak {row['peak_mb']:.0f} MB"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000_000])
    parser.add_argument("--no-ray", action="store_true", help="leave out the run on a local Ray cluster")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    try:
        import ray  # noqa: F401
    except ImportError:
        args.no_ray = True
        print("(Ray is not installed: no --ray run; pip install 'mkc[ray]')")
    rows = [row for n in args.sizes for row in measure(n, not args.no_ray)]
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
