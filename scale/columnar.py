"""The columnar engine in a spread run: each worker runs it over its slice,
in the run's global batches, and the parent writes the results back as one
process does.

A worker's people carry their rank by `_pid` among *all* the people (the
slice's `people._row`, partition.py), so the engine's order keys
(mkc.columnar.order: batch, wave, rank, slots) are the single-process run's.
The worker does not write: for each chunk it keeps the engine's working
tables (`mkc_cw`: every entrant with the fields as the flows left them and
whether they changed; `mkc_acts`, `mkc_entries`: activities and trigger
entries with their keys) in a DuckDB file beside its record stream.

The merge attaches those files and, chunk by chunk (whole global batches),
puts the partitions' rows back together into the working tables and writes
them with the engine's own `write_chunk`: the log numbered from `next_seq` by
key, the fields anyone in a global batch changed, entries by key, memberships
rewritten whole from the database's own rows. So the database ends as after
the engine on one process, and so as after the reference interpreter.
"""

from __future__ import annotations

from mkc.columnar import order
from mkc.columnar.plan import Unsupported, plan
from mkc.columnar.run import CHUNK, RANK, drop_tables, resources, run_campaign, write_chunk
from mkc.interpreter import BatchesResult, Interpreter, Limits
from mkc.store.batches import BATCH_SIZE
from mkc.store.db import Store

RESULT = ".duckdb"  # a columnar partition's result database: its record stream's name and this
WORKING = {"cw": "mkc_cw", "acts": "mkc_acts", "entries": "mkc_entries"}  # result table -> the engine's table
RANKS = "mkc_ranks"  # the worker's table of its people's global ranks


def refusal(store: Store, model, campaign, at, tokens: dict, limits: Limits) -> str | None:
    """Why the columnar engine cannot run `campaign` spread, known before the
    workers start (the data guards are asked in the workers); None: it may."""
    if limits is not None and limits.work < Limits().work:
        return "--max-work lowered (the reference counts the work a batch does)"
    found = plan(model, campaign, store.columns(), tokens, at)
    if isinstance(found, Unsupported):
        return found.reason
    if store.count_people() > order.MAX_RANK:
        return f"more than {order.MAX_RANK:,} people"
    return None


# ---- the worker's part -------------------------------------------------------------


def run_partition(job, con, model, people: str, out: str) -> BatchesResult:
    """The engine over the slice in `con`, its people ranked as the slice's
    people file (`people`) ranks them; its working tables, chunk by chunk,
    into the database `out` + RESULT. Raises Fallback as the engine does."""
    con.execute(f"CREATE TEMP TABLE {RANKS} AS SELECT _pid, _row AS {RANK} FROM read_parquet(?)", [people])
    con.execute(f"ATTACH '{_sql_text(out + RESULT)}' AS mkc_out")
    made = set()

    def keep(store, found, at, run, first):
        for name, table in WORKING.items():
            if name not in made:
                con.execute(f"CREATE TABLE mkc_out.{name} AS FROM {table} LIMIT 0")
                made.add(name)
            con.execute(f"INSERT INTO mkc_out.{name} BY NAME FROM {table}")
        entered = con.execute("SELECT count(*) FROM mkc_cw").fetchone()[0]
        return entered, con.execute("SELECT count(*) FROM mkc_acts").fetchone()[0]

    try:
        campaign = Interpreter(model, schedules=False).campaign(job.campaign)
        store = Store(con, None, False)
        return run_campaign(store, model, campaign, job.at, job.tokens, job.run, ranks=RANKS, write=keep)
    finally:
        con.execute("DETACH mkc_out")


# ---- the merge ---------------------------------------------------------------------


def merge(store: Store, model, campaign, at, tokens: dict, run: int, files: list[str]) -> BatchesResult:
    """Write the partitions' working tables (the databases beside `files`)
    through the engine's `write_chunk`, chunk by chunk; the run's counts
    (entrants and activities: the partitions' records count them too)."""
    con = store.con
    found = plan(model, campaign, store.columns(), tokens, at)
    people = store.count_people()
    result = BatchesResult(campaign.full_name, people)
    parts = []
    for part, path in enumerate(files):
        name = f"mkc_part{part}"
        con.execute(f"ATTACH '{_sql_text(path + RESULT)}' AS {name} (READ_ONLY)")
        # (no tables: nobody of the partition entered)
        made = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ?", [name]).fetchone()[0]
        parts.append(name) if made else con.execute(f"DETACH {name}")
    seq = int(store.meta("next_seq") or 1)
    try:
        with resources(con, people):
            size = max(1, CHUNK // BATCH_SIZE) * BATCH_SIZE
            for lo in range(0, people, size):
                hi = lo + size - 1
                if not _gather(con, parts, lo, hi):
                    continue
                entered, count = write_chunk(store, found, at, run, seq)
                result.entered += entered
                result.activities += count
                seq += count
                drop_tables(con)
    finally:
        drop_tables(con)
        for name in parts:
            con.execute(f"DETACH {name}")
    store.set_meta("next_seq", seq)
    return result


def _gather(con, parts: list[str], lo: int, hi: int) -> bool:
    """The working tables of the entrants ranked `lo`..`hi` (their
    activities and entries by their keys' batch), from every partition;
    whether anyone entered."""
    batches = f"(k >> {order.BATCH}) BETWEEN {lo // BATCH_SIZE} AND {hi // BATCH_SIZE}"
    where = {"cw": f"{RANK} BETWEEN {lo} AND {hi}", "acts": batches, "entries": batches}
    if not parts:
        return False
    for name, table in WORKING.items():
        rows = " UNION ALL BY NAME ".join(f"FROM {part}.{name} WHERE {where[name]}" for part in parts)
        con.execute(f"CREATE TEMP TABLE {table} AS {rows}")
    return bool(con.execute("SELECT count(*) FROM mkc_cw").fetchone()[0])


def _sql_text(text: str) -> str:
    return text.replace("'", "''")
