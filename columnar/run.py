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

import datetime as dt

from mkc.columnar import flow
from mkc.columnar.plan import PREFIX, Guard, Plan, Unsupported, plan
from mkc.columnar.values import sql_text
from mkc.interpreter import BatchesResult
from mkc.source import BadInput
from mkc.store.batches import BATCH_SIZE, campaign_name
from mkc.store.codec import load_key
from mkc.store.db import Store
from mkc.store.schema import quote

RANK = quote(f"{PREFIX}rk")
CHANGED = quote(f"{PREFIX}changed")
MEMBERS = quote(f"{PREFIX}members")
TABLES = (
    "mkc_cw",
    "mkc_acts",
    "mkc_entries",
    "mkc_cand",
    "mkc_adm",
    "mkc_f",
    "mkc_wave",
    "mkc_next",
    "mkc_lists",
    "mkc_programs",
)


class Fallback(Exception):
    """The columnar engine does not run this campaign: `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def run_campaign(
    store: Store, model, campaign, at: dt.datetime, tokens: dict, run: int, batch_size: int = BATCH_SIZE
) -> BatchesResult:
    """Run `campaign` at `at` over every person of `store` (run number `run`,
    API My Tokens `tokens`); the counts a reference run gives. Raises Fallback."""
    found = plan(model, campaign, store.columns(), tokens, at)
    if isinstance(found, Unsupported):
        raise Fallback(found.reason)
    con = store.con
    if con.execute("SELECT count(*) FROM waits").fetchone()[0]:
        raise Fallback("waiting flows in the database")
    for guard in found.people_guards:
        if con.execute(f"SELECT count(*) FROM people p WHERE {guard.sql}").fetchone()[0]:
            raise Fallback(guard.reason)
    try:
        _enter(store, found)
        _check(con, found)
        _tables(con)
        try:
            flow.run_waves(con, found, at, batch_size)
        except flow.Runaway:
            raise Fallback("trigger campaigns that start each other without end") from None
        _changed(con, found)
        result = _write(store, found, at, run, campaign.full_name)
    except Fallback:
        _drop(con)
        raise
    _drop(con)
    return result


def _drop(con) -> None:
    for table in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _enter(store: Store, p: Plan) -> None:
    """The working table: who enters, with what the flows read and write."""
    con = store.con
    extra = []
    for key, (column, _) in p.lists.items():
        extra.append(f"{_in_list(key)} AS {quote(column)}")
    for key, (column, _) in p.programs.items():
        extra.append(f"{_status(key)} AS {quote(column)}")
    for key, (column, _) in p.entries.items():
        extra.append(f"{_entered(key)} AS {quote(column)}")
    once = (
        f" AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.pid = p._pid AND e.campaign_key = {sql_text(p.key)})"
        if p.once
        else ""
    )
    con.execute(
        f"CREATE TEMP TABLE mkc_cw AS SELECT p.*{''.join(', ' + e for e in extra)} "
        f"FROM (SELECT *, row_number() OVER (ORDER BY _pid) - 1 AS {RANK} FROM people) AS p "
        f"WHERE ({p.filters}){once}"
    )
    for name in p.new:
        con.execute(f"ALTER TABLE mkc_cw ADD COLUMN {quote(name)} VARCHAR")
    for name, kind in p.fields.items():  # an empty text is no value (`fields_reader`)
        if name in p.new:
            continue
        if kind == "text":
            con.execute(f"UPDATE mkc_cw SET {quote(name)} = NULL WHERE {quote(name)} = ''")


def _in_list(key: str) -> str:
    """SQL: whether the person `p` is in the list (key JSON), as the store holds it."""
    return f"EXISTS (SELECT 1 FROM list_members m WHERE m.pid = p._pid AND m.list_key = {sql_text(key)})"


def _entered(key: str) -> str:
    """SQL: whether the person `p` entered the campaign (key JSON) before this run."""
    return f"EXISTS (SELECT 1 FROM entries e WHERE e.pid = p._pid AND e.campaign_key = {sql_text(key)})"


def _status(key: str) -> str:
    """SQL: the person's status in the program (key JSON), as the store holds it (NULL: none)."""
    return f"(SELECT min(status) FROM program_members m WHERE m.pid = p._pid AND m.program_key = {sql_text(key)})"


def _check(con, p: Plan) -> None:
    """The data checks (`Plan.guards`), and values kept in `_extra` for fields the flows use."""
    guards = list(p.guards)
    if p.names:
        names = ", ".join(sql_text(n) for n in p.names)
        guards.append(
            Guard(f"p._extra IS NOT NULL AND list_has_any(json_keys(p._extra), [{names}])", "values kept in _extra")
        )
    for key in p.programs:
        guards.append(
            Guard(
                "(SELECT count(*) FROM program_members m WHERE m.pid = p._pid "
                f"AND m.program_key = {sql_text(key)}) > 1",
                "a person twice in one program",
            )
        )
    if not guards:
        return
    found = con.execute(
        "SELECT " + ", ".join(f"coalesce(bool_or({g.sql}), false)" for g in guards) + " FROM mkc_cw p"
    ).fetchone()
    for guard, hit in zip(guards, found):
        if hit:
            raise Fallback(guard.reason)


def _tables(con) -> None:
    con.execute(
        "CREATE TEMP TABLE mkc_acts (k BIGINT[], pid BIGINT, person VARCHAR, type VARCHAR, type_id INTEGER, "
        "attributes VARCHAR, flow VARCHAR, via VARCHAR, target VARCHAR, line VARCHAR)"
    )
    con.execute("CREATE TEMP TABLE mkc_entries (k BIGINT[], pid BIGINT, campaign_key VARCHAR)")


def _changed(con, p: Plan) -> None:
    """Who changed (fields or memberships), and who of them the store rewrites
    as the reference would not: values in `_extra`, a list twice."""
    fields = [f"p.{quote(name)} IS DISTINCT FROM {_was(p, name, kind)}" for name, kind in _written(p)]
    members = [f"p.{quote(column)} <> {_in_list(key)}" for key, (column, _) in p.lists.items()] + [
        f"p.{quote(column)} IS DISTINCT FROM {_status(key)}" for key, (column, _) in p.programs.items()
    ]
    changed_fields = " OR ".join(fields) or "false"
    changed_members = " OR ".join(members) or "false"
    con.execute(f"ALTER TABLE mkc_cw ADD COLUMN {MEMBERS} BOOLEAN")
    con.execute(f"ALTER TABLE mkc_cw ADD COLUMN {CHANGED} BOOLEAN")
    con.execute(
        f"UPDATE mkc_cw AS p SET {MEMBERS} = ({changed_members}), "
        f"{CHANGED} = ({changed_fields}) OR ({changed_members}) FROM people o WHERE o._pid = p._pid"
    )
    extra, twice = con.execute(
        f"SELECT coalesce(bool_or(p._extra IS NOT NULL), false), coalesce(bool_or(p.{MEMBERS} AND ("
        "(SELECT count(*) - count(DISTINCT list_key) FROM list_members m WHERE m.pid = p._pid) > 0 OR "
        "(SELECT count(*) - count(DISTINCT program_key) FROM program_members m WHERE m.pid = p._pid) > 0)), false) "
        f"FROM mkc_cw p WHERE p.{CHANGED}"
    ).fetchone()
    if extra:
        raise Fallback("values kept in _extra, for people the run changes")
    if twice:
        raise Fallback("a person twice in one list or program, whose memberships the run changes")


def _was(p: Plan, name: str, kind: str) -> str:
    """SQL: the field as the person `o` of `people` had it (NULL: empty)."""
    if name in p.new:
        return "CAST(NULL AS VARCHAR)"
    col = f"o.{quote(name)}"
    return f"(CASE WHEN {col} = '' THEN NULL ELSE {col} END)" if kind == "text" else col


def _written(p: Plan):
    return list(p.written.items())


def _write(store: Store, p: Plan, at: dt.datetime, run: int, name: str) -> BatchesResult:
    """What the run did, into the store's tables, as the reference writes it."""
    con = store.con
    # Fields: for the people who changed, each field someone in their batch changed (`StoreSource._write_people`).
    batch = f"{RANK} // {BATCH_SIZE}"
    _add_columns(store, p)
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
    first = int(store.meta("next_seq") or 1)
    count = con.execute("SELECT count(*) FROM mkc_acts").fetchone()[0]
    con.execute(
        f"INSERT INTO activities SELECT {first} + row_number() OVER (ORDER BY k) - 1, {run}, ?, pid, person, type, "
        "type_id, attributes, flow, via, target, line FROM mkc_acts ORDER BY k",
        [at],
    )
    names = " ".join(f"WHEN {sql_text(key)} THEN {sql_text(campaign_name(load_key(key)))}" for key in p.entries)
    con.execute(
        f"INSERT INTO entries SELECT pid, campaign_key, CASE campaign_key {names} "
        f"WHEN {sql_text(p.key)} THEN {sql_text(campaign_name(load_key(p.key)))} END, ?, {run} FROM ("
        f"SELECT [{RANK} // {BATCH_SIZE}, -1, {RANK}] AS k, _pid AS pid, {sql_text(p.key)} AS campaign_key FROM mkc_cw "
        "UNION ALL SELECT k, pid, campaign_key FROM mkc_entries) ORDER BY k",
        [at],
    )
    _write_members(con, p)
    store.set_meta("next_seq", first + count)
    people = con.execute("SELECT count(*) FROM people").fetchone()[0]
    entered = con.execute("SELECT count(*) FROM mkc_cw").fetchone()[0]
    return BatchesResult(name, people, entered, count, False)


def _add_columns(store: Store, p: Plan) -> None:
    """Columns for the new fields someone has now, added in the order
    `write_people` adds them: by the first person who has any, in the order
    that person's fields were set."""
    con = store.con
    firsts = {}
    for name in p.new:
        first = con.execute(f"SELECT min({RANK}) FROM mkc_cw WHERE {quote(name)} IS NOT NULL").fetchone()[0]
        if first is not None:
            firsts[name] = first
    for rank in sorted(set(firsts.values())):
        for (name,) in con.execute(
            "SELECT json_extract_string(a.attributes, '$.field') AS name FROM mkc_acts a JOIN mkc_cw p "
            f"ON p._pid = a.pid WHERE p.{RANK} = ? AND a.type = 'Change Data Value' GROUP BY name ORDER BY min(a.k)",
            [rank],
        ).fetchall():
            if name in firsts and name not in store.columns():
                store.add_column(name, "VARCHAR")


def _write_members(con, p: Plan) -> None:
    """The memberships of those whose memberships changed, rewritten whole
    (`write_members`): what they had, in the order read, without the lists
    they left, then what they joined, in the order joined."""
    if not p.lists and not p.programs:
        return
    lists = " ".join(f"WHEN {sql_text(key)} THEN p.{quote(col)}" for key, (col, _) in p.lists.items())
    list_names = " ".join(f"WHEN {sql_text(key)} THEN {sql_text(name)}" for key, (_, name) in p.lists.items())
    kept = f"coalesce(CASE m.list_key {lists} END, true)" if lists else "true"
    con.execute(
        f"CREATE TEMP TABLE mkc_lists AS SELECT p.{RANK} AS rk, 0 AS part, m.rowid AS ord, [] :: BIGINT[] AS k, m.pid, "
        f"m.list_key, m.list FROM list_members m JOIN mkc_cw p ON p._pid = m.pid WHERE p.{MEMBERS} AND {kept}"
    )
    if p.lists:
        con.execute(
            f"INSERT INTO mkc_lists SELECT p.{RANK}, 1, 0, a.k, a.pid, a.target, CASE a.target {list_names} END "
            f"FROM mkc_acts a JOIN mkc_cw p ON p._pid = a.pid WHERE p.{MEMBERS} AND a.type = 'Add to List'"
        )
    statuses = " ".join(f"WHEN {sql_text(key)} THEN p.{quote(col)}" for key, (col, _) in p.programs.items())
    status = f"coalesce(CASE m.program_key {statuses} END, m.status)" if statuses else "m.status"
    con.execute(
        f"CREATE TEMP TABLE mkc_programs AS SELECT p.{RANK} AS rk, 0 AS part, m.rowid AS ord, [] :: BIGINT[] AS k, "
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
            f"FROM mkc_acts a JOIN mkc_cw p ON p._pid = a.pid WHERE p.{MEMBERS} AND a.type = 'Change Program Status' "
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


def choose(store: Store, model, campaign, at: dt.datetime, tokens: dict, run: int, engine: str):
    """`mkc run --engine`: (the columnar run's result, or None when the
    reference is to run it; the line that says which engine ran and why).
    `columnar` when the engine does not run the campaign is bad input."""
    if engine == "reference":
        return None, "reference interpreter (--engine reference)"
    try:
        return run_campaign(store, model, campaign, at, tokens, run), "columnar engine"
    except Fallback as why:
        if engine == "columnar":
            raise BadInput(
                f"--engine columnar: the columnar engine does not run {campaign.full_name}: {why.reason}"
            ) from None
        return None, f"reference interpreter (the columnar engine does not run {campaign.full_name}: {why.reason})"
