"""The checker: resolve names and reject what Marketo forbids (spec sections 2-6, 9).

`check(module)` gives the resolved `Model` and every diagnostic, sorted by
position; the interpreter runs a model only when none is an error. The
model's bound program (`model.bound`, checker/bound.py: steps and triggers
bound to their specs and targets, execute edges, token chains, API starts)
is what the rules below, the interpreter, insight and the REPL read.

Building the model reports duplicate names, kind mismatches and clone
problems; then each rule module adds what it finds:

- calls: steps, conditions and triggers against their signatures, and the
  names their arguments refer to;
- assets: the properties of emails and webhooks;
- smart_lists: `logic` lines, smart lists that contain themselves;
- flows: what each kind of campaign may hold, choices, schedules;
- executables: execute/request targets, call cycles, nesting depth;
- tokens: every token answerable in every context a campaign runs in,
  including those My Tokens hold (measured, never rendered);
- scenarios: people, the campaigns scenarios start, and the tokens a
  scenario command can answer;
- fields: every field named is standard or declared, and takes the values
  written for it.

No rule recurses along what a program can make long (chains of executables,
clones, smart lists or My Tokens, long conditions): tests/checker/
test_long_chains.py checks them on a shallow stack.
"""

from __future__ import annotations

from mkc.checker import assets, calls, executables, fields, flows, scenarios, smart_lists, tokens
from mkc.checker.model import Model, build
from mkc.checker.report import Report
from mkc.diagnostics import Diagnostic
from mkc.grammar import ast

RULES = (calls, assets, smart_lists, flows, executables, tokens, scenarios)


def check(module: ast.Module, known_fields: dict[str, str] | None = None) -> tuple[Model, list[Diagnostic]]:
    model, diags = build(module)
    report = Report(model, diags)
    fields.know(model, known_fields or {}, report)
    for rule in RULES:
        rule.check(model, report)
    fields.check(model, module, report)
    return model, report.finish()
