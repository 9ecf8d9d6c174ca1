"""The bench campaign end to end from DuckDB with each engine:
`python -m bench.columnar_quick [N ...] [--skip-reference]` (default 100000).

For each N: generate N people (bench/people_csv.py), import them into a
fresh database, copy it, run `mkc run bench/campaign.mkc --campaign
Nurture.Qualify --db ...` with `--engine reference` on one copy and
`--engine columnar` on the other (output to /dev/null), then once more on
each (the second run, where `once` admits nobody). Checks that both leave
the same tables (tests/columnar/tables.py) before it reports seconds, peak
memory (the process's maximum resident set) and the ratio reference /
columnar, measured in the same run. A quick script, not `python -m bench`'s
end-to-end mode.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from bench.people_csv import write

ROOT = pathlib.Path(__file__).resolve().parent.parent
CAMPAIGN = str(ROOT / "bench" / "campaign.mkc")
MKC = [sys.executable, "-c", "from mkc.cli import main; main()"]


def timed(args: list[str]) -> tuple[float, int]:
    """Run `args` with output to /dev/null: (seconds, peak resident set in MB)."""
    start = time.perf_counter()
    with open(os.devnull, "w") as null:
        proc = subprocess.Popen(args, stdout=null, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        said = proc.stderr.read()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args[3:])}: exit {proc.returncode}\n{said}")
    return seconds, usage.ru_maxrss // 1024


def run(db: str, engine: str, at: str) -> tuple[float, int]:
    return timed([*MKC, "run", CAMPAIGN, "--campaign", "Nurture.Qualify", "--db", db, "--at", at, "--engine", engine])


def main(argv: list[str]) -> None:
    skip = "--skip-reference" in argv
    sizes = [int(a.replace("_", "")) for a in argv if not a.startswith("--")] or [100_000]
    sys.path.insert(0, str(ROOT / "tests" / "columnar"))
    from tables import differences, dump

    print(f"{'people':>10}  {'run':<6}  {'reference':>14}  {'columnar':>14}  {'ratio':>6}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            source, base = os.path.join(tmp, "people.csv"), os.path.join(tmp, "base.duckdb")
            write(n, source)
            timed([*MKC, "db", "import", source, "--db", base])
            ref, col = os.path.join(tmp, "ref.duckdb"), os.path.join(tmp, "col.duckdb")
            shutil.copyfile(base, col)
            if not skip:
                shutil.copyfile(base, ref)
            for label, at in (("first", "2026-02-01T09:00"), ("second", "2026-02-02T09:00")):
                r = run(ref, "reference", at) if not skip else None
                c = run(col, "columnar", at)
                ratio = f"{r[0] / c[0]:5.1f}x" if r else "-"
                shown = f"{r[0]:6.2f}s {r[1]:5d}MB" if r else "-"
                print(f"{n:>10,}  {label:<6}  {shown:>14}  {c[0]:6.2f}s {c[1]:5d}MB  {ratio:>6}", flush=True)
            if not skip:
                found = differences(dump(ref), dump(col))
                print("  identical tables" if not found else "  DIFFERENT:\n" + "\n".join(found), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
