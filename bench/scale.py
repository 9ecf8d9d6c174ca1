"""A run spread over workers: `python -m bench.scale [N ...]` (default
1,000,000; 10,000,000 only when asked: `python -m bench.scale 10000000`).

For each N, in a fresh directory: a generated person export (bench/people_csv.py)
is imported once; then bench/campaign.mkc's Nurture.Qualify runs over a copy
of that database, for each engine (`--engine both`, the default: the
reference interpreter, then the columnar engine; or one of them), on one
process, with `--workers 1`, `--workers 2` and `--ray --workers 2` (a Ray
cluster started on this machine for the run; left out with --no-ray or where
Ray is not installed), each command in a process of its own, in the same run
so that the ratios compare like with like on a shared machine. Every run
must leave the same tables as the first (checked on digests of every table,
bench/e2e.py's `fingerprint`) before any figure is shown.

Reported: seconds (wall clock, the whole command: start-up, slices, workers,
merge; the log goes to /dev/null, so none is made), speed-up over one
process of the same engine, scaling efficiency (speed-up / workers), the
load average before and after each run (`uptime` at the start and end), and
from the run's own figures
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


def configurations(ray: bool, engines: tuple[str, ...]) -> list[tuple[str, list[str], int, str]]:
    """(name, options, workers (0: one process), engine) for each engine: one process
    first, the baseline of that engine's speed-up, then spread."""
    found = []
    for engine in engines:
        label = "" if engine == "reference" else ", columnar"
        opt = ["--engine", engine]
        found += [
            (f"one process{label}", opt, 0, engine),
            (f"--workers 1{label}", [*opt, "--workers", "1"], 1, engine),
            (f"--workers 2{label}", [*opt, "--workers", "2"], 2, engine),
        ]
        if ray:
            found.append((f"--ray, 2 partitions{label}", [*opt, "--ray", "--workers", "2"], 2, engine))
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


def measure(n: int, ray: bool, engines: tuple[str, ...]) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="mkc-bench-scale-") as tmp:
        csv_path, base = os.path.join(tmp, "people.csv"), os.path.join(tmp, "base.duckdb")
        people_csv.write(n, csv_path)
        timed(["db", "import", csv_path, "--db", base], dict(os.environ))
        expected = None
        for name, extra, workers, engine in configurations(ray, engines):
            db, stats = os.path.join(tmp, "run.duckdb"), os.path.join(tmp, "stats.json")
            shutil.copy(base, db)
            env = dict(os.environ, MKC_SCALE_STATS=stats)
            load = os.getloadavg()[0]  # (the machine is shared: the load beside each figure)
            seconds, peak = timed(
                ["run", CAMPAIGN, "--campaign", "Nurture.Qualify", "--db", db, "--at", AT, *extra], env
            )
            found = fingerprint(db)  # every table, as the end-to-end bench compares them
            if expected is None:
                expected = found
            elif found != expected:
                sys.exit(f"{name} at {n:,} people: the database differs from the first run")
            figures = json.loads(pathlib.Path(stats).read_text()) if workers else {}
            pathlib.Path(stats).unlink(missing_ok=True)
            os.unlink(db)
            row = {"people": n, "name": name, "workers": workers, "seconds": seconds, "peak_mb": peak, **figures}
            rows.append(dict(row, engine=engine, load_before=load, load_after=os.getloadavg()[0]))
            one = next(r for r in rows if not r["workers"] and r["engine"] == engine)
            _show(one, rows[-1])
    return rows


def _show(first: dict, row: dict) -> None:
    n, speedup = row["people"], first["seconds"] / row["seconds"]
    line = (
        f"{n:>10,}  {row['name']:<32} {row['seconds']:7.1f} s  x{speedup:4.2f}  "
        f"efficiency {speedup / max(1, row['workers']):4.0%}  load {row['load_before']:.1f}-{row['load_after']:.1f}"
    )
    if "partitions" in row:
        slowest = max(row["partitions"], key=lambda p: p["seconds"])
        workers = ", ".join(f"{p['peak_bytes'] / 2**20:.0f}" for p in row["partitions"])
        parent = row["parent_peak_bytes"] / 2**20
        line += (
            f"  | {row['engine']} | slices {row['slices_seconds']:.1f} s, workers {row['workers_seconds']:.1f} s "
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
    parser.add_argument(
        "--engine",
        choices=["both", "columnar", "reference"],
        default="both",
        help="what runs, on one process and in the workers (both: the reference, then the columnar engine)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    try:
        import ray  # noqa: F401
    except ImportError:
        args.no_ray = True
        print("(Ray is not installed: no --ray run; pip install 'mkc[ray]')")
    engines = ("reference", "columnar") if args.engine == "both" else (args.engine,)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", flush=True)
    rows = [row for n in args.sizes for row in measure(n, not args.no_ray, engines)]
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", flush=True)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
