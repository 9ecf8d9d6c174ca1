"""The columnar engine's entry point: one batch campaign over a whole store.

    from mkc.columnar.run import Fallback, run_campaign
    try:
        result = run_campaign(store, model, campaign, at, tokens, run)
    except Fallback as why:
        ...  # the reference interpreter runs it (`why.reason` says why)

It plans the campaign (`plan.py`), picks the people who enter with one query
(the smart list and the qualification rule, against `entries`), checks what
their data holds (`plan.Guard`), runs the flows wave by wave (`flow.py`),
then writes back what the reference would have written, in its order:
changed fields, the log numbered from `next_seq`, the entries, the
memberships of those whose memberships changed. It raises `Fallback` before
it writes anything to the store's tables, so the reference can run the
campaign in the same transaction instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os

import duckdb

from mkc.columnar import flow, order, waits
from mkc.columnar.plan import PREFIX, Guard, Plan, Unsupported, plan
from mkc.columnar.values import sql_text
from mkc.interpreter import BatchesResult, Limits
from mkc.source import BadInput
from mkc.store.batches import BATCH_SIZE, campaign_name
from mkc.store.codec import load_key
from mkc.store.db import Store
from mkc.store.schema import quote

RANK = quote(f"{PREFIX}rk")
CHANGED = quote(f"{PREFIX}changed")
MEMBERS = quote(f"{PREFIX}members")
TABLES = (
    "mkc_entrants",
    "mkc_cw",
    "mkc_acts",
    "mkc_logged",
    "mkc_entries",
    "mkc_cand",
    "mkc_adm",
    "mkc_f",
    "mkc_wave",
    "mkc_next",
    "mkc_seq",
    "mkc_lists",
    "mkc_programs",
    *waits.TABLES,
)

# What the run logged, with each row's type and target (`flow.py`: `mkc_acts`, `mkc_logged`).
ACTS = (
    "(SELECT a.k, a.pid, l.type, l.target FROM mkc_acts a "
    f"JOIN mkc_logged l ON l.statement = {order.statement('a.seq')})"
)


class Fallback(Exception):
    """The columnar engine does not run this campaign: `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


CHUNK = 250_000  # people whose flows run together (whole batches): bounds the run's temporary tables


def run_campaign(
    store: Store,
    model,
    campaign,
    at: dt.datetime,
    tokens: dict,
    run: int,
    chunk: int | None = None,
    until: dt.datetime | None = None,
    ranks: str | None = None,
    write=None,
) -> BatchesResult:
    """Run `campaign` at `at` over every person of `store` (run number `run`,
    API My Tokens `tokens`), its work going on until `until` (default `at`);
    the counts a reference run gives. Raises Fallback before it writes
    anything. People run `chunk` (default CHUNK) at a time, rounded to whole
    batches, each chunk written back before the next, as batches are.

    A worker of a spread run (mkc.scale) gives its people's `ranks` among
    everyone (a table of `_pid` and RANK: the global batches), and `write`,
    which takes each chunk's results (called as `write_chunk`, its new waits
    in `mkc_waits`) instead of the store; the stored waits are left to the
    merge, which ranks them among everyone."""
    until = until or at
    found = plan(model, campaign, store.columns(), tokens, at, until)
    if isinstance(found, Unsupported):
        raise Fallback(found.reason)
    con = store.con
    people = store.count_people()
    why = refused(store, found, until, people)
    if why is not None:
        raise Fallback(why)
    with resources(con, people):
        try:
            # (a worker's slice would rank the stored waits among its own people: the merge does)
            stored = waits.stored(con, found.campaign_keys, BATCH_SIZE) if write is None else None
            _entrants(con, found, ranks)
            _check(con, found)
        except Fallback:
            drop_tables(con)
            raise
        size = chunk_size(chunk)
        top = con.execute(f"SELECT max({RANK}) FROM mkc_entrants").fetchone()[0]
        top = max((t for t in (top, stored) if t is not None), default=None)
        result = BatchesResult(campaign.full_name, people)
        seq = int(store.meta("next_seq") or 1)
        for lo in range(0, -1 if top is None else top + 1, size):
            hi = lo + size - 1
            chunk_sql = f"SELECT count(*) FROM mkc_entrants WHERE {RANK} BETWEEN {lo} AND {hi}"
            entering = con.execute(chunk_sql).fetchone()[0]
            rewrite = stored is not None and waits.within(con, lo, hi)  # (the batches' stored waits, renumbered)
            if not entering and not rewrite:
                continue
            working_tables(con)
            if entering:
                _enter(store, found, lo, hi)
                flow.run_waves(con, found, flow.Log(run, at), BATCH_SIZE)
                _changed(con, found)
            if write is None:
                entered, count, written = write_back(store, found, at, run, seq, lo, hi, entering, rewrite)
            else:  # (a worker keeps the chunk, its new waits included, for the merge)
                (entered, count), written = write(store, found, at, run, seq), 0
            result.entered += entered
            result.activities += count
            seq += count + written
            drop_tables(con, keep=("mkc_entrants", *waits.KEEP))
        drop_tables(con)
    store.set_meta("next_seq", seq)
    return result


def chunk_size(chunk: int | None = None) -> int:
    """People a chunk: `chunk` (default CHUNK) rounded down to whole batches, one at least."""
    return max(1, (chunk or CHUNK) // BATCH_SIZE) * BATCH_SIZE


def refused(store: Store, p: Plan, until: dt.datetime, people: int) -> str | None:
    """Why the engine does not run the planned campaign `p` over the store's
    `people`, known from the whole database (None: it may). A spread run
    asks it in the parent, over everyone (mkc.scale.columnar)."""
    if people > order.MAX_RANK:
        return f"more than {order.MAX_RANK:,} people"
    if waits.due(store.con, p.campaign_keys, until):
        return "waiting flows in the database that go on in this run"
    return None


def write_back(
    store: Store, p: Plan, at: dt.datetime, run: int, first: int, lo: int, hi: int, entering: bool, rewrite: bool
) -> tuple[int, int, int]:
    """A chunk's results (the people ranked `lo`..`hi`; `entering`: someone
    did) and its batches' waits (new ones in `mkc_waits`; `rewrite`: the
    batches' stored waits, renumbered, `waits.stored`) into the store, from
    `seq` `first`: the entrants, activities and waits written. (A spread
    run's merge calls it too.)"""
    con = store.con
    written = waits.prepare(con, lo, hi, BATCH_SIZE, rewrite) if p.waits or rewrite else 0
    entered, count = write_chunk(store, p, at, run, first, written) if entering else (0, 0)
    if written:
        waits.write(con, first, rewrite)
    return entered, count, written


@contextlib.contextmanager
def resources(con, people: int):
    """Set-wise statements are few and large: every thread helps (the store
    runs the reference on one, `store.commands.one_thread`, and gets that
    back), and more memory than the store's default, unless MKC_DB_MEMORY
    says how much (`memory`). The memory stays for the rest of the command:
    what the run's temporary tables held is given back when the transaction
    ends, and printing the log sorts it."""
    con.execute("RESET threads")
    if "MKC_DB_MEMORY" not in os.environ:
        con.execute(f"SET memory_limit = '{memory(people)}MB'")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):  # (after a failure: its error is the one to report)
            con.execute("SET threads = 1")


def memory(people: int) -> int:
    """DuckDB's memory limit for a run over `people`, in MB: 1 GB, and 250
    bytes a person beyond 4 million. The temporary tables of the chunks run
    so far are dropped but held until the transaction ends, and DuckDB spills
    them to disk only in part: some 120 MB a million people stay in memory
    (measured: 10,000,000 people ran out of 1 GB)."""
    return max(1024, people // 4000)


def drop_tables(con, keep: tuple[str, ...] = ()) -> None:
    """The working tables, but `keep` (a spread run's merge uses them too: mkc.scale.columnar)."""
    for table in TABLES:
        if table not in keep:
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _entrants(con, p: Plan, ranks: str | None = None) -> None:
    """Who enters, and their rank by `_pid` among everyone: the qualification
    rule (a join against `entries`, first: on a second run of a `once`
    campaign nobody is left for the smart list), then the smart list, over
    people whose fields its predicates can read (`Plan.people_guards`)."""
    entered = f"SELECT n.pid FROM entries n WHERE {_counted(p, p.key)}" if p.once else ""
    ranked = ranks or f"(SELECT _pid, row_number() OVER (ORDER BY _pid) - 1 AS {RANK} FROM people)"
    con.execute(
        f"CREATE TEMP TABLE mkc_entrants AS SELECT _pid, {RANK} FROM {ranked}"
        + (f" WHERE NOT EXISTS ({entered} AND n.pid = _pid)" if entered else "")
    )
    if not con.execute("SELECT count(*) FROM mkc_entrants").fetchone()[0]:
        return
    _guard(con, p.people_guards, "people p SEMI JOIN mkc_entrants e ON e._pid = p._pid")
    if p.filters != "true":
        con.execute(
            f"DELETE FROM mkc_entrants WHERE _pid NOT IN (SELECT p._pid FROM people p "
            f"SEMI JOIN mkc_entrants e ON e._pid = p._pid WHERE {p.filters})"
        )


def _enter(store: Store, p: Plan, lo: int, hi: int) -> None:
    """The working table of the entrants ranked `lo`..`hi`, with what the flows read and write."""
    con = store.con
    kept = "".join(f", {quote(column)} AS {_before(column)}" for column, _ in (*p.lists.values(), *p.programs.values()))
    con.execute(f"CREATE TEMP TABLE mkc_cw AS SELECT *{kept} FROM ({_rows(p)} WHERE e.{RANK} BETWEEN {lo} AND {hi})")
    columns = store.columns()
    for name in p.new:
        if name not in columns:  # (a chunk before this one may have given it a column)
            con.execute(f"ALTER TABLE mkc_cw ADD COLUMN {quote(name)} VARCHAR")
    for name, kind in p.fields.items():  # an empty text is no value (`fields_reader`)
        if name in p.new:
            continue
        if kind == "text":
            con.execute(f"UPDATE mkc_cw SET {quote(name)} = NULL WHERE {quote(name)} = ''")


def _in_list(key: str) -> str:
    """SQL: whether the person `p` is in the list (key JSON), as the store holds it."""
    return f"EXISTS (SELECT 1 FROM list_members m WHERE m.pid = p._pid AND m.list_key = {sql_text(key)})"


def _entered(p: Plan, key: str) -> str:
    """SQL: whether the person `p` entered the campaign (key JSON) before this
    run, by an entry its qualification rule counts."""
    return f"EXISTS (SELECT 1 FROM entries n WHERE n.pid = p._pid AND {_counted(p, key)})"


def _counted(p: Plan, key: str) -> str:
    """SQL over a row `n` of `entries`: an entry into the campaign (key JSON)
    that its qualification rule counts (`once_every`: the recent ones, `Plan.recent`)."""
    since = p.recent.get(key)
    return f"n.campaign_key = {sql_text(key)}" + (f" AND n.time > {since}" if since else "")


def _status(key: str) -> str:
    """SQL: the person's status in the program (key JSON), as the store holds it (NULL: none)."""
    return f"(SELECT min(status) FROM program_members m WHERE m.pid = p._pid AND m.program_key = {sql_text(key)})"


def _rows(p: Plan) -> str:
    """SQL: the entrants' rows of `people`, with their rank, memberships and entries as columns."""
    extra = []
    for key, (column, _) in p.lists.items():
        extra.append(f"{_in_list(key)} AS {quote(column)}")
    for key, (column, _) in p.programs.items():
        extra.append(f"{_status(key)} AS {quote(column)}")
    for key, (column, _) in p.entries.items():
        extra.append(f"{_entered(p, key)} AS {quote(column)}")
    return (
        f"SELECT p.*, e.{RANK}{''.join(', ' + e for e in extra)} FROM people p JOIN mkc_entrants e ON e._pid = p._pid"
    )


def _check(con, p: Plan) -> None:
    """The data checks (`Plan.guards`) over the entrants as they stand, and
    what the store would rewrite otherwise than the engine: values kept in
    `_extra`, a list or program twice for one person."""
    guards = list(p.guards)
    guards.append(Guard("p._extra IS NOT NULL", "values kept in _extra"))
    guards.append(
        Guard(
            "(SELECT count(*) - count(DISTINCT list_key) FROM list_members m WHERE m.pid = p._pid) > 0 "
            "OR (SELECT count(*) - count(DISTINCT program_key) FROM program_members m WHERE m.pid = p._pid) > 0",
            "a person twice in one list or program",
        )
    )
    if not con.execute("SELECT count(*) FROM mkc_entrants").fetchone()[0]:
        return
    new = "".join(f", CAST(NULL AS VARCHAR) AS {quote(name)}" for name in p.new)  # (empty for everyone yet)
    _guard(con, guards, f"(SELECT *{new} FROM ({_rows(p)})) p")


def _guard(con, guards, rows: str) -> None:
    """Fallback when a guard holds for one of `rows` (SQL naming its row `p`)."""
    if not guards:
        return
    found = con.execute("SELECT " + ", ".join(f"coalesce(bool_or({g.sql}), false)" for g in guards) + f" FROM {rows}")
    for guard, hit in zip(guards, found.fetchone()):
        if hit:
            raise Fallback(guard.reason)


def working_tables(con) -> None:
    """A chunk's working tables, empty (a spread run's merge makes them too)."""
    con.execute("CREATE TEMP TABLE mkc_acts (k HUGEINT, seq BIGINT, pid BIGINT)")
    con.execute("CREATE TEMP TABLE mkc_logged (statement BIGINT, type VARCHAR, target VARCHAR)")
    con.execute("CREATE TEMP TABLE mkc_entries (k HUGEINT, pid BIGINT, campaign_key VARCHAR)")
    waits.tables(con)


def _changed(con, p: Plan) -> None:
    """Who changed: their fields, or their memberships."""
    fields = [f"p.{quote(name)} IS DISTINCT FROM {_was(p, name, kind)}" for name, kind in _written(p)]
    members = [f"p.{quote(column)} <> p.{_before(column)}" for column, _ in p.lists.values()] + [
        f"p.{quote(column)} IS DISTINCT FROM p.{_before(column)}" for column, _ in p.programs.values()
    ]
    changed_fields = " OR ".join(fields) or "false"
    changed_members = " OR ".join(members) or "false"
    con.execute(f"ALTER TABLE mkc_cw ADD COLUMN {MEMBERS} BOOLEAN")
    con.execute(f"ALTER TABLE mkc_cw ADD COLUMN {CHANGED} BOOLEAN")
    con.execute(
        f"UPDATE mkc_cw AS p SET {MEMBERS} = ({changed_members}), "
        f"{CHANGED} = ({changed_fields}) OR ({changed_members}) FROM people o WHERE o._pid = p._pid"
    )


def _before(column: str) -> str:
    """The column of `mkc_cw` that keeps a membership column as the person
    entered (read from the store once, not again after the flows)."""
    return quote(f"{column}$before")


def _was(p: Plan, name: str, kind: str) -> str:
    """SQL: the field as the person `o` of `people` had it (NULL: empty)."""
    if name in p.new:
        return "CAST(NULL AS VARCHAR)"
    col = f"o.{quote(name)}"
    return f"(CASE WHEN {col} = '' THEN NULL ELSE {col} END)" if kind == "text" else col


def _written(p: Plan):
    return list(p.written.items())


def write_chunk(store: Store, p: Plan, at: dt.datetime, run: int, first: int, waiting: int = 0) -> tuple[int, int]:
    """What the run did to a chunk (the temporary tables mkc_cw, mkc_acts,
    mkc_logged and mkc_entries, and its log rows in `activities` with
    placeholder seqs), into the store's tables, as the reference writes it
    (`waiting`: the chunk's waits, each batch's numbered after its
    activities); the entrants and activities written."""
    con = store.con
    # Fields: for the people who changed, each field someone in their batch changed (`StoreSource._write_people`).
    batch = f"{RANK} // {BATCH_SIZE}"
    _add_columns(store, p, run)
    for field, kind in _written(p):
        if field in p.new and field not in store.columns():
            continue  # nobody has it: no column
        col = quote(field)
        was = _was(p, field, kind)
        con.execute(
            f"UPDATE people AS o SET {col} = p.{col}, _extra = NULL FROM mkc_cw p "
            f"WHERE o._pid = p._pid AND p.{CHANGED} "
            f"AND p.{batch} IN (SELECT DISTINCT p.{batch} FROM mkc_cw p JOIN people o ON o._pid = p._pid "
            f"WHERE p.{CHANGED} AND p.{col} IS DISTINCT FROM {was})"
        )
    count = con.execute("SELECT count(*) FROM mkc_acts").fetchone()[0]
    # `seq` numbers the log in its order, sorting the keys alone; the rows were
    # stored as the steps logged them, with placeholders (`flow.py`; the log's
    # order is `(time, seq)`, store/schema.py). A batch's waits come after its
    # activities (`waits.shift`).
    con.execute(
        "CREATE TEMP TABLE mkc_seq AS SELECT * FROM (SELECT seq, k, row_number() OVER (ORDER BY k) AS n "
        "FROM mkc_acts) ORDER BY seq"
    )
    if waiting:
        waits.shift(con)
    con.execute(
        f"UPDATE activities AS a SET seq = {first} + s.n - 1 FROM mkc_seq s "
        f"WHERE a.seq < 0 AND a.run = {run} AND a.seq = s.seq"
    )
    # The reference keeps a batch's entries in a dict by campaign and person (`Runtime.changes`): first
    # those who had entered before, in the order `entries` first holds them (`PeopleBatches.batch` reads
    # them grouped, ordered by their first row), then the others in the order of their first entry;
    # a person's entries into one campaign together.
    names = " ".join(f"WHEN {sql_text(key)} THEN {sql_text(campaign_name(load_key(key)))}" for key in p.entries)
    con.execute(
        "WITH made AS (SELECT *, min(k) OVER (PARTITION BY pid, campaign_key) AS first FROM ("
        f"SELECT {order.entered(RANK, BATCH_SIZE)} AS k, _pid AS pid, {sql_text(p.key)} AS campaign_key FROM mkc_cw "
        "UNION ALL SELECT k, pid, campaign_key FROM mkc_entries)), "
        "had AS (SELECT e.pid, e.campaign_key, min(e.rowid) AS r FROM entries e "
        "SEMI JOIN made m ON m.pid = e.pid AND m.campaign_key = e.campaign_key GROUP BY e.pid, e.campaign_key) "
        f"INSERT INTO entries SELECT m.pid, m.campaign_key, CASE m.campaign_key {names} "
        f"WHEN {sql_text(p.key)} THEN {sql_text(campaign_name(load_key(p.key)))} END, ?, {run} "
        "FROM made m LEFT JOIN had h ON h.pid = m.pid AND h.campaign_key = m.campaign_key "
        f"ORDER BY {order.batch('m.first')}, h.r IS NULL, h.r, m.first, m.k",
        [at],
    )
    _write_members(con, p)
    return con.execute("SELECT count(*) FROM mkc_cw").fetchone()[0], count


def _add_columns(store: Store, p: Plan, run: int) -> None:
    """Columns for the new fields someone has now, added in the order
    `write_people` adds them: by the first person who has any, in the order
    that person's fields were set."""
    con = store.con
    firsts = {}
    for name in p.new:
        if name in store.columns():
            continue  # (an earlier chunk gave it its column)
        first = con.execute(f"SELECT min({RANK}) FROM mkc_cw WHERE {quote(name)} IS NOT NULL").fetchone()[0]
        if first is not None:
            firsts[name] = first
    for rank in sorted(set(firsts.values())):
        for (name,) in con.execute(
            "SELECT json_extract_string(l.attributes, '$.field') AS name FROM mkc_acts a JOIN mkc_cw p "
            "ON p._pid = a.pid JOIN activities l ON l.seq = a.seq AND l.run = ? "
            f"WHERE p.{RANK} = ? AND l.type = 'Change Data Value' GROUP BY name ORDER BY min(a.k)",
            [run, rank],
        ).fetchall():
            if name in firsts and name not in store.columns():
                store.add_column(name, "VARCHAR")


def _write_members(con, p: Plan) -> None:
    """The memberships of those whose memberships changed, rewritten whole
    (`write_members`), in the order of the person's dicts: what they had and
    kept, in the order read, then what they joined (or left and joined
    again), in the order of their last joining."""
    if not p.lists and not p.programs:
        return
    lists = " ".join(f"WHEN {sql_text(key)} THEN p.{quote(col)}" for key, (col, _) in p.lists.items())
    list_names = " ".join(f"WHEN {sql_text(key)} THEN {sql_text(name)}" for key, (_, name) in p.lists.items())
    joined = f"EXISTS (SELECT 1 FROM {ACTS} a WHERE a.pid = m.pid AND a.target = m.list_key AND a.type = 'Add to List')"
    kept = f"coalesce(CASE m.list_key {lists} END, true) AND NOT {joined}" if lists else "true"
    con.execute(
        f"CREATE TEMP TABLE mkc_lists AS SELECT p.{RANK} AS rk, 0 AS part, m.rowid AS ord, CAST(0 AS HUGEINT) AS k, "
        f"m.pid, "
        f"m.list_key, m.list FROM list_members m JOIN mkc_cw p ON p._pid = m.pid WHERE p.{MEMBERS} AND {kept}"
    )
    if p.lists:
        con.execute(
            f"INSERT INTO mkc_lists SELECT p.{RANK}, 1, 0, max(a.k), a.pid, a.target, CASE a.target {list_names} END "
            f"FROM {ACTS} a JOIN mkc_cw p ON p._pid = a.pid WHERE p.{MEMBERS} AND a.type = 'Add to List' "
            f"AND CASE a.target {lists} END GROUP BY p.{RANK}, a.pid, a.target"
        )
    statuses = " ".join(f"WHEN {sql_text(key)} THEN p.{quote(col)}" for key, (col, _) in p.programs.items())
    status = f"coalesce(CASE m.program_key {statuses} END, m.status)" if statuses else "m.status"
    con.execute(
        f"CREATE TEMP TABLE mkc_programs AS SELECT p.{RANK} AS rk, 0 AS part, m.rowid AS ord, CAST(0 AS HUGEINT) AS k, "
        f"m.pid, m.program_key, m.program, {status} AS status "
        f"FROM program_members m JOIN mkc_cw p ON p._pid = m.pid WHERE p.{MEMBERS}"
    )
    if p.programs:
        program_names = " ".join(f"WHEN {sql_text(key)} THEN {sql_text(name)}" for key, (_, name) in p.programs.items())
        con.execute(
            "INSERT INTO mkc_programs SELECT rk, 1, 0, k, pid, target, program, status FROM ("
            f"SELECT p.{RANK} AS rk, a.k, a.pid, a.target, CASE a.target {program_names} END AS program, "
            f"CASE a.target {statuses} END AS status, "
            "row_number() OVER (PARTITION BY a.pid, a.target ORDER BY a.k) AS n "
            f"FROM {ACTS} a JOIN mkc_cw p ON p._pid = a.pid WHERE p.{MEMBERS} AND a.type = 'Change Program Status' "
            "AND NOT EXISTS (SELECT 1 FROM program_members m WHERE m.pid = a.pid AND m.program_key = a.target)"
            ") WHERE n = 1"
        )
    had = f"SELECT _pid FROM mkc_cw WHERE {MEMBERS}"
    con.execute(f"DELETE FROM list_members WHERE pid IN ({had})")
    con.execute(f"DELETE FROM program_members WHERE pid IN ({had})")
    con.execute("INSERT INTO list_members SELECT pid, list_key, list FROM mkc_lists ORDER BY rk, part, ord, k")
    con.execute(
        "INSERT INTO program_members SELECT pid, program_key, program, status "
        "FROM mkc_programs ORDER BY rk, part, ord, k"
    )


ENGINES = ("auto", "columnar", "reference")


def limited(limits) -> str | None:
    """Why a run under `limits` is the reference's (None: the engine may run it)."""
    if limits is not None and limits.work < Limits().work:
        return "--max-work lowered (the reference counts the work a batch does)"
    return None


def choose(
    store: Store, model, campaign, at: dt.datetime, tokens: dict, run: int, engine: str, limits=None, until=None
):
    """`mkc run --engine`: (the columnar run's result, or None when the
    reference is to run it; the line that says which engine ran and why).
    `columnar` when the engine does not run the campaign is bad input."""
    if engine == "reference":
        return None, "reference interpreter (--engine reference)"
    try:
        why = limited(limits)
        if why is not None:
            raise Fallback(why)
        return run_campaign(store, model, campaign, at, tokens, run, until=until), "columnar engine"
    except Fallback as why:
        if engine == "columnar":
            raise BadInput(
                f"--engine columnar: the columnar engine does not run {campaign.full_name}: {why.reason}"
            ) from None
        return None, f"reference interpreter (the columnar engine does not run {campaign.full_name}: {why.reason})"
