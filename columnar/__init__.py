"""The columnar engine: a batch campaign over a whole database, set at a time
in DuckDB, with the reference interpreter's result byte for byte.

    from mkc.columnar.plan import plan, Unsupported
    from mkc.columnar.run import run_campaign, Fallback

    found = plan(model, campaign)            # a Plan, or Unsupported(reason)
    result = run_campaign(store, model, campaign, at, tokens, run)   # a BatchesResult; raises Fallback

`mkc run FILE --campaign REF --db PATH` runs a campaign here when the plan
accepts it (`--engine auto`, the default), else through the reference
interpreter (`mkc.interpreter`), which stays the oracle. docs/columnar.md
says what compiles, what falls back, and the order key that makes the log
come out in the reference's order.

Modules: `plan.py` (what compiles, or why not), `values.py` (values as SQL
text, JSON and literals), `tokens.py` (tokens rendered column-wise),
`conditions.py` (smart lists and choices as SQL), `activities.py` (activity
rows and their order key), `flow.py` (the ops of a flow, set-wise), `run.py`
(the entry point and write-back).
"""
