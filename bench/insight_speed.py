"""Insight speed: `mkc graph` and `mkc refs` on a generated program.

    python bench/insight_speed.py [--campaigns 1000]

Each generated program has a trigger campaign that executes a shared scorer
and its own executable with use_parent_token_context=true, and a batch
campaign that requests the trigger campaign of the next program; every
program declares `my.score`. Times loading (parse and check, which every
command pays), building and rendering the graph, and finding the references
of the shared scorer and of `my.score` (whose values are worked out for
every calling context).
"""

from __future__ import annotations

import argparse
import time

from mkc.insight import callgraph, dot, mermaid, refs
from mkc.load import load_source
from mkc.source import Source

HEADER = """program Shared <
  tokens < my.score = +0 >
  campaign Scorer executable < flow < change_score <<my.score>> > >
>
"""

PROGRAM = """program "P{i}" <
  tokens < my.score = +{i} >
  email "Mail {i}" < subject "Hi <<lead.first_name:default=there>>, <<my.score>>" from "ops@example.com" >
  campaign Local{i} executable <
    smart_list < filter lead_score >= {i} >
    flow < send_email "Mail {i}" >
  >
  campaign Listen{i} <
    smart_list < trigger campaign_is_requested; filter country in ["NL", "BE"] >
    flow <
      execute_campaign Scorer use_parent_token_context=true
      execute_campaign Local{i} use_parent_token_context=true
      change_data_value lead_status "Touched {i}"
    >
  >
  campaign Nudge{i} <
    smart_list < filter lead_status = "Touched {prev}" >
    flow < request_campaign "P{next}".Listen{next} >
  >
>
"""


def generate(campaigns: int) -> str:
    n = max(1, campaigns // 3)
    return HEADER + "".join(PROGRAM.format(i=i, prev=(i - 1) % n, next=(i + 1) % n) for i in range(n))


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<34} {time.perf_counter() - start:7.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1000)
    args = parser.parse_args()
    text = generate(args.campaigns)
    print(f"{len(text) // 1024} KB")
    loaded = timed("load (parse + check)", lambda: load_source(Source("bench.mkc", text)))
    model = loaded.model
    errors = [d for d in loaded.diagnostics if d.is_error]
    print(f"  {len(model.campaigns)} campaigns, {len(errors)} errors")
    graph = timed("graph: build", lambda: callgraph.build(model, loaded.diagnostics))
    timed("graph: mermaid text", lambda: mermaid.render(graph))
    timed("graph: dot text", lambda: dot.render(graph))
    timed("refs Scorer", lambda: refs.render(refs.find(model, "Scorer")))
    timed("refs my.score (values per context)", lambda: refs.render(refs.find(model, "my.score")))


if __name__ == "__main__":
    main()
