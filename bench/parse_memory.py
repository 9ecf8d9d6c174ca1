"""Parse time and peak memory on big generated files, each parsed in a fresh process.

    python bench/parse_memory.py [--mb 1 10 50] [--shape block many errors program] [--check]

Times are wall and CPU (the CPU time is what counts on a busy machine).
Shapes: `block`, one campaign whose flow holds every step (one block of many
items); `many`, many small campaigns; `errors`, a file where every line has a
syntax error; `program`, programs as people write them (bench/parse_speed.py's).
Memory is the growth of the process's peak resident size while parsing (the
text itself is made before, and on Linux the peak is reset to the size with
it), as a multiple of the file's size.
With --check, each file is parsed and checked as `mkc check` does
(`mkc.load.load_source`), and `many` declares the email its campaigns send;
the default shapes are then `many` and `program` (`block` sends an email of
its own per step, none declared: a diagnostic each).
The test suite checks the same on small files with tracemalloc
(tests/grammar/test_parse_memory.py, tests/checker/test_check_memory.py).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

STEP = '    send_email "Welcome {i}"\n'
CAMPAIGN = 'campaign C{i} < smart_list < filter lead_score > {i} >; flow < send_email "Welcome" > >\n'
ERROR = "campaign A{i} < flow < wait 1 day at= > >\n"
EMAIL = 'email "Welcome" < subject "Hi" >\n'  # what the `many` campaigns send, for a check without errors
SHAPES = ("block", "many", "errors", "program")


def generate(shape: str, size: int) -> str:
    """About `size` characters of the shape."""
    if shape == "block":
        body = _repeat(STEP, size)
        return "campaign A <\n  flow <\n" + body + "  >\n>\n"
    if shape == "program":
        from bench.parse_speed import PROGRAM

        return _repeat(PROGRAM, size)
    return _repeat(CAMPAIGN if shape == "many" else ERROR, size)


def _repeat(line: str, size: int) -> str:
    parts, total, i = [], 0, 0
    while total < size:
        part = line.format(i=i)
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def measure(shape: str, mb: float, check: bool = False) -> str:
    """One parse (with `check`, a parse and check) in this process: a line of figures."""
    from mkc.diagnostics import DiagnosticError
    from mkc.grammar import parse, parser
    from mkc.load import load_source
    from mkc.source import Source

    parser()
    text = generate(shape, int(mb * 1_000_000))
    if check and shape == "many":
        text = EMAIL + text
    before = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    if check:
        found = len(load_source(Source("big.mkc", text)).diagnostics)
        outcome = f"checked, {found} diagnostics" if found else "checked"
    else:
        try:
            parse(text, "big.mkc")
            outcome = "parsed"
        except DiagnosticError as err:
            outcome = f"{len(err.diagnostics)} diagnostics"
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    size = len(text.encode())
    return (
        f"{shape:7} {size / 1e6:6.1f} MB  {seconds:6.1f} s ({cpu:6.1f} s CPU, {size / 1e6 / cpu:4.2f} MB/s)  "
        f"peak +{grew / 1e6:7.0f} MB = {grew / size:4.1f}x  ({outcome})"
    )


def _reset_peak() -> int:
    """The resident size now, to which the peak is reset (Linux): making the
    text took more (its lines, then joined), which would hide the parse's peak."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:  # elsewhere the peak so far stands, and the parse's shows only above it
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 10, 50])
    ap.add_argument("--shape", nargs="+", choices=SHAPES, help="default: block many errors; with --check: many program")
    ap.add_argument("--check", action="store_true", help="parse and check, as `mkc check` does")
    ap.add_argument("--one", nargs=2, metavar=("SHAPE", "MB"), help=argparse.SUPPRESS)  # a child's own run
    args = ap.parse_args()
    if args.one:
        print(measure(args.one[0], float(args.one[1]), args.check), flush=True)
        return
    shapes = args.shape or (["many", "program"] if args.check else ["block", "many", "errors"])
    for shape in shapes:
        for mb in args.mb:
            command = [sys.executable, __file__, "--one", shape, str(mb)] + (["--check"] if args.check else [])
            subprocess.run(command, check=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` is a folder of the repository
    main()
