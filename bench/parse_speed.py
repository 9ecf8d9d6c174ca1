"""Parse speed: KB/s of `mkc.grammar.parse` (the AST, with spans) on a generated file.

    python bench/parse_speed.py [--kb 1000] [--repeat 3]

Times Lark alone (its own parse tree, without positions) and `parse`, which
builds the AST as Lark reduces, so the ratio shows what the AST costs on top
of parsing. Each is the best of --repeat runs, and the median is shown too.
"""

from __future__ import annotations

import argparse
import statistics
import time

from mkc.grammar import parse, parser

PROGRAM = """program "Program {i}" <
  tokens < my.score = +{i}  my.label = "label {i}"  my."Event Date" = 2026-03-01 >
  list "List {i}"
  email "Mail {i}" < subject "Hi <<lead.first_name:default=there>>" from "ops@example.com" >
  campaign Score{i} executable <
    smart_list < filter lead_score >= {i}; filter country in ["NL", "BE", "DE"] >
    flow < change_score <<my.score>> >
  >
  campaign Route{i} <
    description "routes people, number {i}"
    smart_list <
      trigger data_value_changes lead_status to="MQL"
      filter lead_score between 10 and 100
      filter email not_contains "@competitor.com"
      filter not member_of_list "List {i}"
      logic "1 and (2 or 3)"
    >
    flow <
      execute_campaign Score{i} use_parent_token_context=true
      choice <
        when lead_score >= 100 and country = "NL" < change_data_value lead_status "MQL" >
        when country in ["BE", "DE"] < change_data_value lead_status "Nurture" >
        default < do_nothing >
      >
      send_email "Mail {i}"
      wait 2 days weekdays=[mon, tue, wed, thu, fri] at=09:00
      add_to_list "List {i}"
    >
    qualification once_every 30 days
  >
>
"""


def generate(kb: int) -> str:
    parts, size, i = [], 0, 0
    while size < kb * 1024:
        part = PROGRAM.format(i=i)
        parts.append(part)
        size += len(part)
        i += 1
    return "".join(parts)


def timings(fn, repeat: int = 3) -> tuple[float, float]:
    """The best and the median of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", type=int, default=1000, help="size of the generated file in KB")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each, the best counts")
    args = ap.parse_args()
    text = generate(args.kb)
    kb = len(text.encode()) / 1024
    lark_only = timings(lambda: parser().parse(text, start="start"), args.repeat)
    full = timings(lambda: parse(text, "bench.mkc"), args.repeat)
    print(f"file: {kb:,.0f} KB, {text.count(chr(10)):,} lines")
    for label, (best, median) in (("lark parse (its tree):", lark_only), ("parse to AST (spans): ", full)):
        print(f"{label} {best:6.2f} s  {kb / best:8,.0f} KB/s  (median {median:.2f} s)")
    print(f"ratio AST/lark: {full[0] / lark_only[0]:.2f}")


if __name__ == "__main__":
    main()
