"""`python -m bench --e2e`: the bench campaign end to end from DuckDB.

    python -m bench --e2e                                  # 100,000 and 1,000,000 people
    python -m bench --e2e --sizes 10000000                 # ten million (asked for, not default)
    python -m bench --e2e --engines reference              # only some engines (default: reference,columnar)
    python -m bench --e2e --small                          # 3,000 people: a quick check for CI

For each size N: N people are generated (bench/people.py) as a Marketo
export (bench/people_csv.py) and imported into a fresh database with `mkc db
import`; each contender gets its own copy and, in a process of its own with
its output to /dev/null, runs Nurture.Qualify of bench/campaign.mkc at
2026-03-02T09:00 and again a week later (where `once` admits nobody):

- each engine asked for: `mkc run bench/campaign.mkc --campaign
  Nurture.Qualify --db COPY --engine E` (the columnar engine is skipped, with a
  line saying so, where `mkc.columnar` does not exist);
- the anchor: the same campaign written by hand as DuckDB SQL
  (bench/anchor_sql.py).

Then every table of every copy must be the same (people, memberships,
entries, the activity log with its order and lines, waits, counters, runs
but their wall-clock start): if not, the benchmark stops and says where.
Only then are the figures reported: seconds of each run (wall clock, and
the CPU seconds the process used: on a shared machine the wall clock is at
the mercy of the others' load), the ratios to the anchor, people per second
(N over the first run's time) and the peak memory (the process's maximum
resident set size). Written as JSON too.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import duckdb

from mkc.store.schema import TABLES

from . import people_csv, workload

DEFAULT_SIZES = (100_000, 1_000_000)
SMALL = 3_000
ENGINES = ("reference", "columnar")
RESULTS = pathlib.Path(__file__).with_name("results_e2e.json")
FIRST, SECOND = dt.datetime(2026, 3, 2, 9, 0), dt.datetime(2026, 3, 9, 9, 0)
FILE = "bench/campaign.mkc"  # as the runs' rows record it (the same for every contender)
ROOT = pathlib.Path(__file__).resolve().parent.parent
ANCHOR = "anchor"


def has_columnar() -> bool:
    return importlib.util.find_spec("mkc.columnar") is not None


def _timed(command: list[str]) -> tuple[float, float, float]:
    """Run `command` (stdout to /dev/null): wall-clock seconds, the process's
    peak RSS in MB and its CPU seconds (user and system: on a shared machine
    less at the mercy of the others' load than the wall clock)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"{' '.join(command)}: failed")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def command(contender: str, db: str, at: dt.datetime) -> list[str]:
    when = at.isoformat(timespec="minutes")
    if contender == ANCHOR:
        return [sys.executable, "-m", "bench.anchor_sql", db, "--at", when, "--file", FILE]
    run = [sys.executable, "-c", "from mkc.cli import main; main()", "run", FILE, "--campaign", workload.CAMPAIGN]
    run += ["--db", db, "--at", when, "--lines"]
    if has_columnar():  # the option exists where the engine does
        run += ["--engine", contender]
    return run


# ---- the same result, table by table ---------------------------------------------------------


def extra_tables(con) -> list[str]:
    """`rest_ids`, where a command made it (store/rest_ids.py): a run saves ids in it."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'rest_ids'"
    ).fetchone()[0]
    return ["rest_ids"] if found else []


def fingerprint(db: str) -> dict[str, tuple]:
    """Per table: its columns, its rows and a hash of them all (the activity
    log's order is in `seq`, which is hashed with each row); `runs.started`,
    the wall clock, left out."""
    con = duckdb.connect(db, read_only=True)
    try:
        found = {}
        for table in (*TABLES, *extra_tables(con)):
            columns = con.execute(f"DESCRIBE {table}").fetchall()
            rows = f"(SELECT * EXCLUDE (started) FROM {table})" if table == "runs" else table
            count, digest = con.execute(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {rows} t").fetchone()
            found[table] = (tuple(c[:2] for c in columns), count, digest)
        return found
    finally:
        con.close()


def where_they_differ(a: str, b: str, table: str) -> str:
    """A row one database has and the other has not (or the columns)."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        exclude = " EXCLUDE (started)" if table == "runs" else ""
        for x, y in (("a", "b"), ("b", "a")):
            try:
                row = con.execute(
                    f"SELECT *{exclude} FROM {x}.{table} EXCEPT ALL SELECT *{exclude} FROM {y}.{table} "
                    "ORDER BY ALL LIMIT 1"
                ).fetchone()
            except duckdb.Error as err:  # other columns
                return f"{table}: {str(err).splitlines()[0]}"
            if row is not None:
                return f"{table}: only in {a if x == 'a' else b}: {row!r}"
        return f"{table}: the same rows, other columns"
    finally:
        con.close()


def differences(dbs: dict[str, str]) -> list[str]:
    """Where each contender's database differs from the first's (empty: all the same)."""
    names = list(dbs)
    prints = {name: fingerprint(db) for name, db in dbs.items()}
    problems = []
    for name in names[1:]:
        for table, value in prints[names[0]].items():
            if prints[name][table] != value:
                problems.append(f"{names[0]} / {name}: {where_they_differ(dbs[names[0]], dbs[name], table)}")
    return problems


# ---- one size --------------------------------------------------------------------------------


def measure(n: int, engines: tuple[str, ...], workdir: str | None = None) -> dict:
    contenders = [e for e in engines if e != "columnar" or has_columnar()]
    skipped = [e for e in engines if e not in contenders]
    for engine in skipped:
        print(f"{engine}: skipped: mkc.columnar does not exist on this branch", file=sys.stderr, flush=True)
    contenders.append(ANCHOR)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        csv_path, base = os.path.join(tmp, "people.csv"), os.path.join(tmp, "base.duckdb")
        people_csv.write(n, csv_path)
        import_s, _, _ = _timed(
            [sys.executable, "-c", "from mkc.cli import main; main()", "db", "import", csv_path, "--db", base]
        )
        os.unlink(csv_path)
        print(f"{n:>10,}  imported in {import_s:.2f} s", file=sys.stderr, flush=True)
        dbs, runs = {}, {}
        for contender in contenders:
            db = dbs[contender] = os.path.join(tmp, f"{contender}.duckdb")
            shutil.copyfile(base, db)
            first_s, first_mb, first_cpu = _timed(command(contender, db, FIRST))
            second_s, second_mb, _ = _timed(command(contender, db, SECOND))
            runs[contender] = {
                "seconds": first_s,
                "cpu_s": first_cpu,
                "peak_mb": first_mb,
                "second_s": second_s,
                "second_mb": second_mb,
            }
            print(f"{n:>10,}  {contender:<10} {first_s:8.2f} s, again {second_s:6.2f} s", file=sys.stderr, flush=True)
        problems = differences(dbs)
        con = duckdb.connect(dbs[ANCHOR], read_only=True)
        try:
            entered, activities = con.execute("SELECT entered, activities FROM runs ORDER BY run LIMIT 1").fetchone()
        finally:
            con.close()
    anchor_s, anchor_cpu = runs[ANCHOR]["seconds"], runs[ANCHOR]["cpu_s"]
    return {
        "people": n,
        "entered": entered,
        "activities": activities,
        "import_s": round(import_s, 3),
        "identical": not problems,
        "problems": problems,
        "skipped": skipped,
        "contenders": {
            name: {
                "seconds": round(r["seconds"], 3),
                "ratio_to_anchor": round(r["seconds"] / anchor_s, 2),
                "cpu_s": round(r["cpu_s"], 3),
                "cpu_ratio_to_anchor": round(r["cpu_s"] / anchor_cpu, 2),
                "people_per_s": round(n / r["seconds"]),
                "peak_mb": round(r["peak_mb"], 1),
                "second_s": round(r["second_s"], 3),
                "second_peak_mb": round(r["second_mb"], 1),
            }
            for name, r in runs.items()
        },
    }


def table(results: list[dict]) -> str:
    head = (
        f"{'people':>10}  {'contender':<10}  {'seconds':>8}  {'/ anchor':>8}  {'CPU s':>7}  {'/ anchor':>8}  "
        f"{'people/s':>10}  {'peak MB':>8}  "
        f"{'2nd run s':>9}  {'activities':>10}  same"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        for name, c in r["contenders"].items():
            lines.append(
                f"{r['people']:>10,}  {name:<10}  {c['seconds']:>8.2f}  {c['ratio_to_anchor']:>8.2f}  "
                f"{c['cpu_s']:>7.2f}  {c['cpu_ratio_to_anchor']:>8.2f}  "
                f"{c['people_per_s']:>10,}  {c['peak_mb']:>8,.0f}  {c['second_s']:>9.2f}  {r['activities']:>10,}  "
                f"{'yes' if r['identical'] else 'NO'}"
            )
        for engine in r["skipped"]:
            lines.append(f"{r['people']:>10,}  {engine:<10}  skipped: mkc.columnar does not exist on this branch")
    return "\n".join(lines)


def main(args) -> None:
    engines = tuple(e for part in args.engines for e in part.split(",") if e)
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise SystemExit(f"python -m bench --e2e: --engines {','.join(unknown)}: choose from {','.join(ENGINES)}")
    sizes = [SMALL] if args.small else (args.sizes or list(DEFAULT_SIZES))
    results = []
    for n in sizes:
        print(f"end to end, {n:,} people ...", file=sys.stderr, flush=True)
        result = measure(n, engines, args.workdir)
        if not result["identical"]:
            print("\n".join(result["problems"]), file=sys.stderr)
            raise SystemExit(f"the contenders' databases differ at {n:,} people: no figures")
        results.append(result)
    report = {
        "label": args.label,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "campaign": workload.CAMPAIGN_FILE.name,
        "sizes": results,
    }
    print(table(results))
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}", file=sys.stderr)
