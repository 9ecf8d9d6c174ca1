"""Parse time and peak memory on big generated files, each parsed in a fresh process.

    python bench/parse_memory.py [--mb 1 10 50] [--shape block many errors]

Times are wall and CPU (the CPU time is what counts on a busy machine).
Shapes: `block`, one campaign whose flow holds every step (one block of many
items); `many`, many small campaigns; `errors`, a file where every line has a
syntax error. Memory is the growth of the process's peak resident size while
parsing (the text itself is made before, and on Linux the peak is reset to the
size with it), as a multiple of the file's size.
The test suite checks the same on small files with tracemalloc
(tests/grammar/test_parse_memory.py).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

STEP = '    send_email "Welcome {i}"\n'
CAMPAIGN = 'campaign C{i} < smart_list < filter lead_score > {i} >; flow < send_email "Welcome" > >\n'
ERROR = "campaign A{i} < flow < wait 1 day at= > >\n"


def generate(shape: str, size: int) -> str:
    """About `size` characters of the shape."""
    if shape == "block":
        body = _repeat(STEP, size)
        return "campaign A <\n  flow <\n" + body + "  >\n>\n"
    return _repeat(CAMPAIGN if shape == "many" else ERROR, size)


def _repeat(line: str, size: int) -> str:
    parts, total, i = [], 0, 0
    while total < size:
        part = line.format(i=i)
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def measure(shape: str, mb: float) -> str:
    """One parse in this process: a line of figures."""
    from mkc.diagnostics import DiagnosticError
    from mkc.grammar import parse, parser

    parser()
    text = generate(shape, int(mb * 1_000_000))
    before = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        parse(text, "big.mkc")
        outcome = "parsed"
    except DiagnosticError as err:
        outcome = f"{len(err.diagnostics)} diagnostics"
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    size = len(text.encode())
    return (
        f"{shape:6} {size / 1e6:6.1f} MB  {seconds:6.1f} s ({cpu:6.1f} s CPU, {size / 1e6 / cpu:4.2f} MB/s)  "
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
    ap.add_argument("--shape", nargs="+", default=["block", "many", "errors"], choices=["block", "many", "errors"])
    ap.add_argument("--one", nargs=2, metavar=("SHAPE", "MB"), help=argparse.SUPPRESS)  # a child's own run
    args = ap.parse_args()
    if args.one:
        print(measure(args.one[0], float(args.one[1])), flush=True)
        return
    for shape in args.shape:
        for mb in args.mb:
            subprocess.run([sys.executable, __file__, "--one", shape, str(mb)], check=True)


if __name__ == "__main__":
    main()
