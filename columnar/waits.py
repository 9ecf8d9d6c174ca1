"""Wait steps set-wise, and the store's pending-waits table (`waits`) as the
reference leaves it.

A flow that reaches a wait stops there: a row goes into `mkc_waits` (its
order key, the person, when the wait ends, the campaign, the step it goes
on at, the token context) and the flow's wait column is set, which keeps
the flow's later ops from its rows (`plan.py`). Every flow of a run runs at
`--at`, so a wait's end is one time for everyone, worked out by the
reference's own wait step when the plan is made; a wait that ends by the
run's end (`--until`, default `--at`) would go on in the run: the plan
refuses it.

What the reference writes (`StoreSource.plan`/`apply`), batch by batch:
the batch's activities, then its waits, numbered on from `next_seq`. Its
waits are those still queued, in the order they would run (by due time,
then the order queued: a batch's stored waits first, in `(due, seq)`
order, then those the run made, in the order its flows reached them),
after the stored waits of campaigns the model does not have (kept as they
were). A batch that had stored waits of its people has them deleted first
(every row of its `_pid` range) and written again, renumbered, whether
anyone entered or not: `stored` finds them, `prepare` and `write` do it.
Stored waits that are not due by the run's end change nothing else: only
`remove_from_flow` and `delete_person` (not compiled) look at a person's
waiting flows.
"""

from __future__ import annotations

import datetime as dt

import attrs

from mkc.columnar import order
from mkc.columnar.values import json, sql_text, timestamp
from mkc.grammar import walk
from mkc.interpreter.runtime import StepFailure
from mkc.store import bulk, codec
from mkc.store.batches import campaign_name, wait_context

CONTEXT = "t_ctx"  # the flow rows' column holding a trigger flow's context JSON (when it can wait)
TABLES = ("mkc_waits", "mkc_wrows", "mkc_wb", "mkc_stored", "mkc_wranges", "mkc_wmap")
KEEP = ("mkc_stored", "mkc_wranges", "mkc_wmap")  # across chunks


@attrs.frozen
class Wait:
    """A wait step: the rows that reach it (`reach`) wait until `due`, to go
    on at the campaign's top-level `step`; `context` is SQL for the token
    context JSON; `column` marks the flow rows that waited."""

    pos: int
    reach: str
    column: str
    due: dt.datetime
    step: int
    key: str  # the campaign's key (JSON)
    name: str  # Program.Campaign
    context: str


class Clock:
    """What the reference's wait step reads of a flow (`ex`): token answers,
    the time, and how it fails."""

    def __init__(self, tokens, now: dt.datetime):
        self.tokens = tokens
        self.now = now

    def fail(self, reason: str):
        raise StepFailure(reason)


def has_wait(items) -> bool:
    """Whether a flow's items (steps and choices) hold a wait step."""
    return any(step.name == "wait" for step in walk.steps(items))


def trigger_context(name: str, title: str, old, new) -> str:
    """SQL: the context JSON of a trigger flow an event starts, as
    `wait_context` writes it (`trigger_tokens`: name, trigger name, and the
    old and new values of a change; no API My Tokens)."""
    head = codec.dumps({"my": {}, "trigger": {"name": name, "triggername": title}})[:-2]
    parts = [sql_text(head)]
    if old is not None or new is not None:
        parts += [sql_text(',"oldvalue":'), json(old), sql_text(',"newvalue":'), json(new)]
    parts.append(sql_text("}}"))
    return " || ".join(parts)


def tables(con) -> None:
    con.execute(
        "CREATE TEMP TABLE mkc_waits (k HUGEINT, pid BIGINT, due TIMESTAMP, campaign_key VARCHAR, "
        "campaign VARCHAR, step INTEGER, context VARCHAR)"
    )


def record(con, op: Wait, wave: int) -> None:
    """The flows of `mkc_f` that reach the wait: their waits, and their end here."""
    key = order.at("f.k", wave, op.pos)
    con.execute(
        f"INSERT INTO mkc_waits SELECT {key}, f.pid, {timestamp(op.due)}, {sql_text(op.key)}, "
        f"{sql_text(op.name)}, {op.step}, {op.context} FROM mkc_f f WHERE {op.reach}"
    )
    con.execute(f"UPDATE mkc_f AS f SET {op.column} = 1 WHERE {op.reach}")


# ---- the stored waits ----------------------------------------------------------------


def _known(known: tuple[str, ...]) -> str:
    """SQL: whether the wait `w` is of one of the `known` campaigns (keys JSON): the reference resumes those."""
    return f"coalesce(w.campaign_key IN ({', '.join(sql_text(k) for k in known) or 'NULL'}), false)"


def due(con, known: tuple[str, ...], until: dt.datetime) -> bool:
    """Whether a stored wait of a person, of one of the `known` campaigns,
    ends by `until`: the reference would go on with its flow in the run."""
    return (
        con.execute(
            f"SELECT count(*) FROM waits w SEMI JOIN people p ON p._pid = w.pid "
            f"WHERE {_known(known)} AND w.due <= {timestamp(until)}"
        ).fetchone()[0]
        > 0
    )


def stored(con, known: tuple[str, ...], batch_size: int) -> int | None:
    """The stored waits of the database's people (`mkc_stored`, with each
    person's rank, and whether the reference resumes them: `known`) and the
    `_pid` ranges of their batches (`mkc_wranges`); the highest rank that has
    one (None: nobody has one)."""
    if not con.execute("SELECT count(*) FROM waits").fetchone()[0]:
        return None
    con.execute("CREATE TEMP TABLE mkc_wranks AS SELECT _pid, row_number() OVER (ORDER BY _pid) - 1 AS rk FROM people")
    try:
        con.execute(
            "CREATE TEMP TABLE mkc_stored AS SELECT r.rk, w.pid, w.due, w.seq, w.campaign_key, w.step, w.context, "
            f"{_known(known)} AS known FROM waits w JOIN mkc_wranks r ON r._pid = w.pid"
        )
        con.execute(
            f"CREATE TEMP TABLE mkc_wranges AS SELECT rk // {batch_size} AS b, min(_pid) AS lo, max(_pid) AS hi "
            f"FROM mkc_wranks WHERE rk // {batch_size} IN (SELECT DISTINCT rk // {batch_size} FROM mkc_stored) "
            "GROUP BY b"
        )
    finally:
        con.execute("DROP TABLE mkc_wranks")
    top = con.execute("SELECT max(rk) FROM mkc_stored").fetchone()[0]
    if top is not None:
        _renamed(con)
    return top


def _renamed(con) -> None:
    """`mkc_wmap`: each stored wait's context and campaign key as the
    reference writes them again (read into a `Wait`, then `wait_context` and
    `campaign_name`): the same text for what mkc wrote itself."""
    rows = con.execute("SELECT DISTINCT context, campaign_key FROM mkc_stored").fetchall()
    contexts, names = [], []
    for context, key in rows:
        ctx = codec.load_map(context)
        contexts.append(wait_context(ctx.get("my", {}), ctx.get("trigger")))
        names.append(campaign_name(codec.load_key(key)))
    con.execute(
        "CREATE TEMP TABLE mkc_wmap (context VARCHAR, campaign_key VARCHAR, new_context VARCHAR, campaign VARCHAR)"
    )
    bulk.insert(
        con,
        "mkc_wmap",
        {
            "context": ("VARCHAR", [r[0] for r in rows]),
            "campaign_key": ("VARCHAR", [r[1] for r in rows]),
            "new_context": ("VARCHAR", contexts),
            "campaign": ("VARCHAR", names),
        },
    )


def within(con, lo: int, hi: int) -> bool:
    """Whether people ranked `lo`..`hi` have stored waits (their batches rewrite them)."""
    return bool(con.execute(f"SELECT count(*) FROM mkc_stored WHERE rk BETWEEN {lo} AND {hi}").fetchone()[0])


# ---- writing a chunk's waits ------------------------------------------------------------


def prepare(con, lo: int, hi: int, batch_size: int, rewrite: bool) -> int:
    """The waits to write for the batches of ranks `lo`..`hi` (`mkc_wrows`)
    and, per batch, how many activities and waits it writes and the `seq`
    offset its rows start at (`mkc_wb`); how many waits (0: none, and no tables)."""
    batch = f"CAST(k >> {order.BATCH} AS BIGINT)"
    parts = [
        f"SELECT {batch} AS b, 1 AS cls, due, 1 AS src, k AS ord, pid, campaign_key, campaign, step, context "
        "FROM mkc_waits"
    ]
    if rewrite:
        parts.append(
            f"SELECT s.rk // {batch_size}, CASE WHEN s.known THEN 1 ELSE 0 END, s.due, 0, CAST(s.seq AS HUGEINT), "
            "s.pid, s.campaign_key, m.campaign, s.step, m.new_context FROM mkc_stored s JOIN mkc_wmap m "
            "ON m.context IS NOT DISTINCT FROM s.context AND m.campaign_key IS NOT DISTINCT FROM s.campaign_key "
            f"WHERE s.rk BETWEEN {lo} AND {hi}"
        )
    con.execute("CREATE TEMP TABLE mkc_wrows AS " + " UNION ALL ".join(parts))
    count = con.execute("SELECT count(*) FROM mkc_wrows").fetchone()[0]
    if not count:
        con.execute("DROP TABLE mkc_wrows")
        return 0
    con.execute(
        "CREATE TEMP TABLE mkc_wb AS SELECT b, acts, n, "
        "sum(acts + n) OVER (ORDER BY b ROWS UNBOUNDED PRECEDING) - acts - n AS before, "
        "sum(n) OVER (ORDER BY b ROWS UNBOUNDED PRECEDING) - n AS waits_before FROM ("
        "SELECT coalesce(a.b, w.b) AS b, coalesce(a.acts, 0) AS acts, coalesce(w.n, 0) AS n FROM "
        f"(SELECT {batch} AS b, count(*) AS acts FROM mkc_acts GROUP BY b) a FULL JOIN "
        "(SELECT b, count(*) AS n FROM mkc_wrows GROUP BY b) w ON w.b = a.b)"
    )
    return count


def shift(con) -> None:
    """The activities' `seq` (`mkc_seq.n`, numbered in the chunk's order)
    moved on past the waits of the batches before theirs."""
    batch = f"CAST(s.k >> {order.BATCH} AS BIGINT)"
    con.execute(f"UPDATE mkc_seq AS s SET n = s.n + w.waits_before FROM mkc_wb w WHERE w.b = {batch}")


def write(con, first: int, rewrite: bool) -> None:
    """The chunk's waits into `waits`, each batch's after its activities
    (`first`: the chunk's first `seq`), in place of the stored ones of the
    batches that had any (`rewrite`: some did)."""
    if rewrite:
        con.execute(
            "DELETE FROM waits AS w USING mkc_wranges r WHERE w.pid BETWEEN r.lo AND r.hi "
            "AND r.b IN (SELECT DISTINCT b FROM mkc_wrows WHERE src = 0)"
        )
    con.execute(
        f"INSERT INTO waits SELECT r.pid, r.due, {first} + b.before + b.acts "
        "+ row_number() OVER (PARTITION BY r.b ORDER BY r.cls, r.due, r.src, r.ord) - 1, "
        "r.campaign_key, r.campaign, r.step, r.context FROM mkc_wrows r JOIN mkc_wb b ON b.b = r.b "
        "ORDER BY r.b, r.cls, r.due, r.src, r.ord"
    )
