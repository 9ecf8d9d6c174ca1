"""The columnar engine in a spread run: each worker runs it over its slice,
in the run's global batches, and the parent writes the results back as one
process does.

A worker's people carry their rank by `_pid` among *all* the people (the
slice's `people._row`, partition.py), so the engine's order keys
(mkc.columnar.order: batch, wave, rank, slots) are the single-process run's.
The worker does not write: for each chunk it keeps the engine's working
tables (`mkc_cw`: every entrant with the fields as the flows left them and
whether they changed; `mkc_acts`, `mkc_entries`, `mkc_waits`: activities,
trigger entries and new waits with their keys; `mkc_logged`: each logging
statement's type and target) and the chunk's log rows (stored with
placeholder `seq`s, `order.placeholder`) in a DuckDB file beside its record
stream, each row tagged with its chunk. A placeholder names the statement
and the person; statements are numbered per worker and chunk, so the merge
renumbers them per partition (each partition's after the previous
partitions', so its log rows need no sort) before the rows meet. The worker
leaves the stored waits alone: a slice would rank them among its own people.

The merge ranks the stored waits among everyone (`waits.stored`), attaches
those files and, chunk by chunk (whole global batches), puts the
partitions' rows back together into the working tables and writes them with
the engine's own `write_back`: the log numbered from `next_seq` by key, the
fields anyone in a global batch changed, entries by key, memberships
rewritten whole from the database's own rows, each batch's waits after its
activities (its stored ones rewritten, renumbered, even where nobody
entered). So the database ends as after the engine on one process, and so
as after the reference interpreter.
"""

from __future__ import annotations

from mkc.columnar import order, waits
from mkc.columnar.plan import Unsupported, plan
from mkc.columnar.run import (
    RANK,
    drop_tables,
    limited,
    refused,
    resources,
    run_campaign,
    working_tables,
    write_back,
)
from mkc.columnar.values import sql_text
from mkc.interpreter import BatchesResult, Interpreter, Limits
from mkc.store.batches import BATCH_SIZE
from mkc.store.db import Store
from mkc.store.schema import quote

RESULT = ".duckdb"  # a columnar partition's result database: its record stream's name and this
WORKING = {"cw": "mkc_cw", "entries": "mkc_entries", "waits": "mkc_waits"}  # result table -> the engine's table
TAGGED = {"acts": "mkc_acts", "logged": "mkc_logged"}  # those whose placeholders are numbered per chunk
RANKS = "mkc_ranks"  # the worker's table of its people's global ranks


def refusal(store: Store, model, campaign, at, until, tokens: dict, limits: Limits) -> str | None:
    """Why the columnar engine cannot run `campaign` spread, known before the
    workers start (the data guards are asked in the workers); None: it may."""
    why = limited(limits)
    if why is not None:
        return why
    found = plan(model, campaign, store.columns(), tokens, at, until)
    if isinstance(found, Unsupported):
        return found.reason
    return refused(store, found, until, store.count_people())


# ---- the worker's part -------------------------------------------------------------


def run_partition(job, con, model, people: str, out: str) -> BatchesResult:
    """The engine over the slice in `con`, its people ranked as the slice's
    people file (`people`) ranks them; its working tables, chunk by chunk,
    into the database `out` + RESULT. Raises Fallback as the engine does."""
    con.execute(f"CREATE TEMP TABLE {RANKS} AS SELECT _pid, _row AS {RANK} FROM read_parquet(?)", [people])
    con.execute(f"ATTACH {sql_text(out + RESULT)} AS mkc_out")
    made = set()

    def keep(store, found, at, run, first):
        chunk = con.execute(f"SELECT min({RANK}) FROM mkc_cw").fetchone()[0] // job.chunk
        tables = {**WORKING, **TAGGED, "log": f"(FROM activities WHERE run = {run} AND seq < 0)"}
        for name, table in tables.items():
            rows = f"SELECT *, {chunk} AS chunk FROM {table}" if name in TAGGED or name == "log" else f"FROM {table}"
            if name not in made:
                con.execute(f"CREATE TABLE mkc_out.{name} AS {rows} LIMIT 0")
                made.add(name)
            con.execute(f"INSERT INTO mkc_out.{name} BY NAME {rows}")
        con.execute(f"DELETE FROM activities WHERE run = {run} AND seq < 0")  # (kept: the next chunk's are its own)
        entered = con.execute("SELECT count(*) FROM mkc_cw").fetchone()[0]
        return entered, con.execute("SELECT count(*) FROM mkc_acts").fetchone()[0]

    try:
        campaign = Interpreter(model, schedules=False).campaign(job.campaign)
        store = Store(con, None, False)
        return run_campaign(
            store, model, campaign, job.at, job.tokens, job.run, job.chunk, until=job.until, ranks=RANKS, write=keep
        )
    finally:
        con.execute("DETACH mkc_out")


# ---- the merge ---------------------------------------------------------------------


def merge(
    store: Store, model, campaign, at, until, tokens: dict, run: int, files: list[str], size: int
) -> BatchesResult:
    """Write the partitions' working tables (the databases beside `files`)
    through the engine's `write_back`, chunk by chunk of `size` people (the
    workers' chunks, `Job.chunk`), with the stored waits
    ranked among everyone; the run's counts (entrants and activities: the
    partitions' records count them too)."""
    con = store.con
    found = plan(model, campaign, store.columns(), tokens, at, until)
    people = store.count_people()
    result = BatchesResult(campaign.full_name, people)
    parts = []
    for part, path in enumerate(files):
        name = f"mkc_part{part}"
        con.execute(f"ATTACH {sql_text(path + RESULT)} AS {name} (READ_ONLY)")
        # (no tables: nobody of the partition entered)
        made = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ?", [name]).fetchone()[0]
        parts.append(name) if made else con.execute(f"DETACH {name}")
    seq = int(store.meta("next_seq") or 1)
    try:
        with resources(con, people):
            stored = waits.stored(con, found.campaign_keys, BATCH_SIZE)
            for lo in range(0, people, size):
                hi = lo + size - 1
                entering = _gather(con, parts, lo, hi, lo // size, run)
                rewrite = stored is not None and waits.within(con, lo, hi)  # (even where nobody entered)
                if entering or rewrite:
                    entered, count, written = write_back(store, found, at, run, seq, lo, hi, entering, rewrite)
                    result.entered += entered
                    result.activities += count
                    seq += count + written
                drop_tables(con, keep=waits.KEEP)
    finally:
        drop_tables(con)
        for name in parts:
            con.execute(f"DETACH {name}")
    store.set_meta("next_seq", seq)
    return result


def _gather(con, parts: list[str], lo: int, hi: int, chunk: int, run: int) -> bool:
    """The working tables of the entrants ranked `lo`..`hi` (their entries by
    their keys' batch; their log rows, statements and placeholders by the
    chunk, renumbered per partition: each partition's statements after the
    previous partitions') from every partition, and their log
    rows into `activities`; whether anyone entered."""
    if not parts:
        working_tables(con)  # (empty: a chunk's stored waits are still rewritten)
        return False
    batches = f"(k >> {order.BATCH}) BETWEEN {lo // BATCH_SIZE} AND {hi // BATCH_SIZE}"
    where = {"cw": f"{RANK} BETWEEN {lo} AND {hi}", "entries": batches, "waits": batches}
    for name, table in WORKING.items():
        rows = " UNION ALL BY NAME ".join(f"FROM {part}.{name} WHERE {where[name]}" for part in parts)
        con.execute(f"CREATE TEMP TABLE {table} AS {rows}")
    # Each partition's statements numbered after the previous partitions': a
    # placeholder moves by whole statements, so each partition's log rows,
    # stored in placeholder order, go in as they are, one partition after
    # another, already in the order write_chunk's numbering updates them in.
    shift, at = [], 0
    for part in parts:
        least, most = con.execute(
            f"SELECT min(statement), max(statement) FROM {part}.logged WHERE chunk = {chunk}"
        ).fetchone()
        shift.append(at - (least or 0))
        at += 0 if most is None else most - least + 1

    def renumbered(i: int, seq: str) -> str:  # the placeholder with its statement made the partition's own
        return f"({seq} + {shift[i] * (order.MAX_RANK + 1)})"

    def tagged(name: str, select) -> str:
        return " UNION ALL ".join(
            f"SELECT {select(i)} FROM {part}.{name} WHERE chunk = {chunk}" for i, part in enumerate(parts)
        )

    acts = tagged("acts", lambda i: f"k, {renumbered(i, 'seq')} AS seq, pid")
    con.execute(f"CREATE TEMP TABLE mkc_acts AS {acts}")
    logged = tagged("logged", lambda i: f"statement + {shift[i]} AS statement, type, target")
    con.execute(f"CREATE TEMP TABLE mkc_logged AS {logged}")
    columns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('activities') ORDER BY cid").fetchall()]
    for i, part in enumerate(parts):
        rows = ", ".join(renumbered(i, "seq") if c == "seq" else quote(c) for c in columns)
        con.execute(f"INSERT INTO activities SELECT {rows} FROM {part}.log WHERE chunk = {chunk}")
    return bool(con.execute("SELECT count(*) FROM mkc_cw").fetchone()[0])
