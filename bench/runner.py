"""`python -m bench`: the interpreter against a hand-written baseline.

    python -m bench                          # 100,000 and 1,000,000 people
    python -m bench --sizes 10000000         # ten million (asked for, not default: some 40 GB)
    python -m bench --small                  # 2,000 people: a quick check for CI
    python -m bench --repeat 3               # the best of three runs of each
    python -m bench --profile                # and cProfile's top entries
    python -m bench --no-gc                  # both runs with the garbage collector off
    python -m bench --json out.json          # default: bench/results.json
    python -m bench --e2e                    # end to end from DuckDB, against a SQL anchor: bench/e2e.py

For each size N, in a fresh process (so peak memory is that run's): N people
are generated (bench/people.py), the batch campaign of bench/campaign.mkc
runs over them once by hand (bench/baseline.py) and once through the
interpreter, each on its own copy. The two must end with the same people and
the same activity log, record for record (and transcript line for line on a
sample of up to 20,000); if they do not, the benchmark stops and says where.
Then it reports both times, the ratio interpreter / hand-written, people per
second (N over the time, since the smart list is evaluated for all N), flow
steps per second (every step and choice run, in the batch campaign, the
executable and the trigger campaign) and the peak memory each run added
(resident set size, from the operating system). Before each timed run every
object alive is frozen out of the garbage collector (`gc.freeze`), so
neither run's collections walk the other's objects.

It also times `mkc check` on a generated instance of 1,000 campaigns in 200
programs (bench/big_workspace.py): parse, check, and the command end to end.
The table is printed and written as JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pathlib
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial

from . import big_workspace, e2e, people, workload

DEFAULT_SIZES = (100_000, 1_000_000)
SMALL = 2_000
RESULTS = pathlib.Path(__file__).with_name("results.json")


# ---- memory -------------------------------------------------------------------------


def _rss() -> int:
    """The resident set size now, in bytes (Linux; elsewhere the peak so far)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return _peak()


def _peak() -> int:
    """The process's peak resident set size so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _measured(fn, collector: bool = True):
    """(result, seconds, bytes the peak grew above the memory in use before).

    Every object alive before the run (the people, the model, the other
    run's output) is frozen out of the cyclic garbage collector first, so
    each run's collections see only what that run made: neither pays for the
    other's objects, whichever runs first. `collector=False` turns the
    collector off for the run instead."""
    gc.collect()
    gc.freeze()
    if not collector:
        gc.disable()
    before = _rss()
    try:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    finally:
        gc.enable()
        gc.unfreeze()
    return result, seconds, max(0, _peak() - before)


# ---- one size, in its own process -------------------------------------------------------


def measure(n: int, profile: bool = False, collector: bool = True, repeat: int = 1) -> dict:
    """Both runs over `n` people, checked against each other, with figures:
    the best time of `repeat` runs of each (on fresh copies of the people),
    and the memory and the check of the first."""
    model = workload.load_model()
    records = list(people.records(n))
    hand_people = workload.people(model, records)
    interp_people = workload.people(model, records)
    (hand_log, stats), hand_s, hand_mem = _measured(lambda: workload.handwritten(model, hand_people), collector)
    interp_log, interp_s, interp_mem = _measured(lambda: workload.interpreted(model, interp_people), collector)
    problems = workload.differences(interp_log, hand_log, interp_people, hand_people)
    for _ in range(repeat - 1):
        again = partial(workload.handwritten, model, workload.people(model, records))
        hand_s = min(hand_s, _measured(again, collector)[1])
        again = partial(workload.interpreted, model, workload.people(model, records))
        interp_s = min(interp_s, _measured(again, collector)[1])
    steps = stats.steps()
    result = {
        "people": n,
        "collector": collector,
        "repeat": repeat,
        "entered": stats.entered,
        "executed": stats.executed,
        "triggered": stats.triggered,
        "activities": len(interp_log),
        "steps": steps,
        "identical": not problems,
        "problems": problems,
        "handwritten_s": round(hand_s, 4),
        "interpreter_s": round(interp_s, 4),
        "ratio": round(interp_s / hand_s, 2),
        "people_per_s": round(n / interp_s),
        "steps_per_s": round(steps / interp_s),
        "handwritten_people_per_s": round(n / hand_s),
        "handwritten_steps_per_s": round(steps / hand_s),
        "interpreter_peak_mb": round(interp_mem / 2**20, 1),
        "handwritten_peak_mb": round(hand_mem / 2**20, 1),
        "process_peak_mb": round(_peak() / 2**20, 1),
    }
    if profile:
        result["profile"] = profiled(model, records)
    return result


def profiled(model, records, top: int = 15) -> list[dict]:
    """cProfile's top entries (by own time) for the interpreter's run, with
    the garbage collector off (else its pauses land on whichever function
    happened to allocate when one began)."""
    persons = workload.people(model, records)
    profiler = cProfile.Profile()
    gc.collect()
    gc.disable()
    try:
        profiler.runcall(workload.interpreted, model, persons)
    finally:
        gc.enable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt
    rows = []
    for (file, line, func), (_cc, calls, tottime, cumtime, _callers) in sorted(
        stats.stats.items(), key=lambda kv: -kv[1][2]
    )[:top]:
        where = f"{pathlib.Path(file).name}:{line}" if line else file
        rows.append(
            {
                "function": f"{where}({func})",
                "calls": calls,
                "tottime_s": round(tottime, 3),
                "share": round(tottime / total, 3),
                "cumtime_s": round(cumtime, 3),
            }
        )
    return rows


def _in_subprocess(n: int, profile: bool, collector: bool, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench", "--worker", str(n), "--json", str(out), "--repeat", str(repeat)]
        if profile:
            command.append("--profile")
        if not collector:
            command.append("--no-gc")
        subprocess.run(command, check=True)
        return json.loads(out.read_text())


# ---- mkc check on 1,000 campaigns ---------------------------------------------------------


def check_instance(programs: int = 200, repeat: int = 3) -> dict:
    """Parse, check and `mkc check` (a fresh process) on the generated instance."""
    from mkc.checker import check
    from mkc.grammar import parse

    text = big_workspace.generate(programs)
    module = parse(text, "big.mkc")
    model, diagnostics = check(module)
    parse_s = min(_timed(lambda: parse(text, "big.mkc")) for _ in range(repeat))
    check_s = min(_timed(lambda: check(module)) for _ in range(repeat))
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "big.mkc"
        path.write_text(text, encoding="utf-8")
        command = [sys.executable, "-c", "from mkc.cli import main; main()", "check", str(path)]
        subprocess.run(command, check=True, capture_output=True)  # warm the parser cache
        cli_s = min(_timed(lambda: subprocess.run(command, check=True, capture_output=True)) for _ in range(repeat))
    return {
        "campaigns": len(model.campaigns),
        "programs": sum(len(p) for p in model.programs.values()),
        "lines": text.count("\n"),
        "kb": round(len(text.encode()) / 1024),
        "diagnostics": len(diagnostics),
        "parse_s": round(parse_s, 3),
        "check_s": round(check_s, 3),
        "mkc_check_s": round(cli_s, 3),
    }


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _sizes(text: str) -> list[int]:
    """`100000` or `100000,1000000`."""
    try:
        return [int(part) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: not a number of people") from None


# ---- the table ------------------------------------------------------------------------------


def table(results: list[dict], check: dict | None) -> str:
    head = (
        f"{'people':>10}  {'activities':>10}  {'steps':>10}  {'hand s':>7}  {'interp s':>8}  {'ratio':>5}  "
        f"{'people/s':>9}  {'steps/s':>9}  {'hand MB':>7}  {'interp MB':>9}  same"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r['people']:>10,}  {r['activities']:>10,}  {r['steps']:>10,}  {r['handwritten_s']:>7.2f}  "
            f"{r['interpreter_s']:>8.2f}  {r['ratio']:>5.2f}  {r['people_per_s']:>9,}  {r['steps_per_s']:>9,}  "
            f"{r['handwritten_peak_mb']:>7,.0f}  {r['interpreter_peak_mb']:>9,.0f}  "
            f"{'yes' if r['identical'] else 'NO'}"
        )
    if check is not None:
        lines.append("")
        lines.append(
            f"mkc check, {check['campaigns']:,} campaigns in {check['programs']} programs "
            f"({check['lines']:,} lines, {check['kb']} KB): parse {check['parse_s']:.2f} s, "
            f"check {check['check_s']:.2f} s, `mkc check` end to end {check['mkc_check_s']:.2f} s"
        )
    for r in results:
        if r.get("profile"):
            lines.append("")
            lines.append(f"profile of the interpreter at {r['people']:,} people (cProfile, by own time, no GC):")
            for row in r["profile"]:
                lines.append(
                    f"  {row['tottime_s']:>7.3f} s  {row['share']:>5.1%}  {row['calls']:>10,}  {row['function']}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sizes", type=_sizes, nargs="+", metavar="N", help="numbers of people (default 100000 1000000; or 1000,2000)"
    )
    ap.add_argument("--small", action="store_true", help=f"{SMALL:,} people only, for CI")
    ap.add_argument("--profile", action="store_true", help="also profile the interpreter (at each size)")
    ap.add_argument("--no-check", action="store_true", help="skip timing `mkc check` on 1,000 campaigns")
    ap.add_argument("--no-gc", action="store_true", help="time both runs with the cyclic garbage collector off")
    ap.add_argument("--repeat", type=int, default=1, metavar="R", help="best time of R runs of each (default 1)")
    ap.add_argument("--label", default="", help="a label stored in the JSON (e.g. before, after)")
    ap.add_argument(
        "--json", type=pathlib.Path, help=f"where to write the results ({RESULTS.name}; --e2e: {e2e.RESULTS.name})"
    )
    ap.add_argument("--e2e", action="store_true", help="end to end from DuckDB: the engines and the SQL anchor")
    ap.add_argument(
        "--engines", nargs="+", default=[",".join(e2e.ENGINES)], metavar="E", help="with --e2e: reference,columnar"
    )
    ap.add_argument("--workdir", metavar="DIR", help="with --e2e: where the databases go (default: the temp dir)")
    ap.add_argument("--in-process", action="store_true", help="measure every size in this process")
    ap.add_argument("--worker", type=int, metavar="N", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.sizes:
        args.sizes = [n for group in args.sizes for n in group]
    if args.e2e:
        args.json = args.json or e2e.RESULTS
        e2e.main(args)
        return
    args.json = args.json or RESULTS

    if args.worker is not None:  # one size, asked for by the parent process
        args.json.write_text(json.dumps(measure(args.worker, args.profile, not args.no_gc, args.repeat)))
        return

    sizes = [SMALL] if args.small else (args.sizes or list(DEFAULT_SIZES))
    results = []
    for n in sizes:
        print(f"measuring {n:,} people ...", file=sys.stderr, flush=True)
        collector = not args.no_gc
        if args.in_process:
            result = measure(n, args.profile, collector, args.repeat)
        else:
            result = _in_subprocess(n, args.profile, collector, args.repeat)
        results.append(result)
        if not result["identical"]:
            print("\n".join(result["problems"]), file=sys.stderr)
            raise SystemExit(f"the interpreter and the hand-written baseline disagree at {n:,} people")
    check = None if args.no_check else check_instance()
    report = {
        "label": args.label,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "campaign": str(workload.CAMPAIGN_FILE.name),
        "sizes": results,
        "check": check,
    }
    print(table(results, check))
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}", file=sys.stderr)
