"""The long fuzz campaign: many inputs, crashes grouped by site.

    python -m tests.fuzz.campaign --inputs 100000 --jobs 2 --seed 1 --out fuzz-out

Input i of seed S is a mutation of a seed file or a generated program (half
each), made from `random.Random(f"{S}:{i}")` alone: the same seed and count
give the same inputs anywhere. Each runs through `harness.exercise` in a
worker with a CPU time budget (--timeout) and a memory cap (--memory-mb). At the
end it prints the throughput, the outcomes, and every crash site (kind,
exception, file:line, count, first message), and writes one reproducer per
site to --out, made smaller by deleting lines and tokens as long as the same
site still fails (--reduce attempts per site; 0 keeps the shortest input as
found). Exit status 1 when something crashed or hung.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import random
import re
import sys
import time

from .generate import program
from .harness import Outcome, Pool
from .mutate import corpus, mutant, tokens


def make_input(seed: int | str, index: int, files: list[str], kind: str = "both") -> str:
    rng = random.Random(f"{seed}:{index}")
    generated = kind == "generate" or (kind == "both" and rng.random() < 0.5)
    return program(rng) if generated else mutant(rng, files)


def _blocks(text: str, fails, budget: int) -> tuple[str, int]:
    """Remove whole `< ... >` blocks that start on a line (a campaign, a
    person, a flow) while `fails` holds; gives the text and the tries used."""
    lines, tries, i = text.splitlines(keepends=True), 0, 0
    while i < len(lines) and tries < budget:
        depth, j = 0, i
        while j < len(lines):
            bare = re.sub(r"<<[^<>\n]*>>", "", lines[j])
            depth += bare.count("<") - bare.count(">")
            j += 1
            if depth <= 0:
                break
        candidate = lines[:i] + lines[j:]
        tries += 1
        if j > i + 1 and candidate and fails("".join(candidate)):
            lines = candidate
        else:
            i += 1
    return "".join(lines), tries


def _words(text: str) -> list[str]:
    """The mutators' tokens, each with the white space after it (so that
    removing one never glues two words together)."""
    parts: list[str] = []
    for tok in tokens(text):
        if tok.isspace() and parts:
            parts[-1] += tok
        else:
            parts.append(tok)
    return parts


def reduce(text: str, fails, budget: int) -> str:
    """A smaller `text` for which `fails(text)` still holds: whole blocks, then
    chunks of lines, then of tokens, removed while it does (at most `budget` tries)."""
    text, tries = _blocks(text, fails, budget)
    for split in (lambda t: t.splitlines(keepends=True), _words):
        parts = split(text)
        size = max(1, len(parts) // 2)
        while size >= 1 and tries < budget:
            i, changed = 0, False
            while i < len(parts) and tries < budget:
                candidate = parts[:i] + parts[i + size :]
                tries += 1
                if candidate and fails("".join(candidate)):
                    parts, changed = candidate, True
                else:
                    i += size
            if not changed:
                size //= 2
        text = "".join(parts)
    return text


def _slug(outcome: Outcome) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{outcome.kind}-{outcome.exc}-{outcome.site}").strip("_")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.campaign", description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="how many inputs (default 100000)")
    parser.add_argument("--seed", default="1", help="the campaign's seed (default 1)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--kind", choices=("both", "mutate", "generate"), default="both")
    parser.add_argument("--timeout", type=float, default=10.0, help="CPU seconds per input (default 10)")
    parser.add_argument("--memory-mb", type=int, default=1024, help="memory cap per worker (default 1024)")
    parser.add_argument("--out", default="fuzz-out", help="folder for the reproducers (default fuzz-out)")
    parser.add_argument("--reduce", type=int, default=300, help="reduction tries per site (default 300)")
    args = parser.parse_args(argv)

    files = [text for _, text in corpus()]
    counts: collections.Counter = collections.Counter()
    sites: dict[tuple, list] = {}  # key -> [count, first outcome, shortest input, its index]
    start = last = time.monotonic()
    jobs = ((i, make_input(args.seed, i, files, args.kind)) for i in range(args.inputs))
    with Pool(args.jobs, args.timeout, args.memory_mb) as pool:
        for done, (index, text, outcome) in enumerate(pool.map(jobs), 1):
            counts[outcome.kind] += 1
            if not outcome.clean:
                if outcome.key not in sites:  # say so at once: a long campaign may be stopped
                    print(f"input {index}: new site: {outcome.kind} {outcome.exc} at {outcome.site}", file=sys.stderr)
                site = sites.setdefault(outcome.key, [0, outcome, text, index])
                site[0] += 1
                if len(text) < len(site[2]):
                    site[2], site[3] = text, index
            if time.monotonic() - last >= 10:
                last = time.monotonic()
                rate = done / (last - start)
                print(f"{done}/{args.inputs} inputs, {rate:.0f}/s, {len(sites)} crash sites", file=sys.stderr)
        elapsed = time.monotonic() - start

        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        lines = [
            f"seed {args.seed}: {args.inputs} inputs ({args.kind}) in {elapsed:.0f} s, "
            f"{args.inputs / elapsed:.1f} inputs/s with {args.jobs} job(s)",
            "outcomes: " + ", ".join(f"{k} {counts[k]}" for k in sorted(counts)),
            f"crash sites: {len(sites)}",
        ]
        ordered = sorted(sites.items(), key=lambda kv: (-kv[1][0], kv[0]))
        for n, (key, (count, outcome, text, index)) in enumerate(ordered, 1):
            if args.reduce and outcome.kind in ("crash",):
                text = reduce(text, lambda t, key=key: pool.exercise(t).key == key, args.reduce)
            path = out / f"{n:03d}-{_slug(outcome)}.mkc"
            path.write_text(text, encoding="utf-8")
            lines.append(
                f"{count:7d}  {outcome.kind} {outcome.exc} at {outcome.site} ({outcome.phase}): "
                f"{outcome.message}\n         input {index}, reproducer {path} ({len(text)} chars)"
            )
    report = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(report, encoding="utf-8")
    sys.stdout.write(report)
    return 1 if sites else 0


if __name__ == "__main__":
    sys.exit(main())
