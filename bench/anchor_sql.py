"""The set-based anchor: bench/campaign.mkc's batch run written by hand as
DuckDB SQL over the store's tables.

    python -m bench.anchor_sql DB [--at 2026-03-02T09:00] [--file bench/campaign.mkc]

does to the database what `mkc run bench/campaign.mkc --campaign
Nurture.Qualify --db DB --at AT` does (Nurture.Qualify, Scoring.Score run
under its token context, the Nurture.OnMQL flows it triggers), and prints
the same log: it leaves the same people, memberships, entries, activity rows
(type, time, person, attributes, flow, via, target, line, numbered in the
reference order) and bookkeeping (counters, clock, the run's row, REST ids).
`python -m bench --e2e` checks that before it times anything.

Like bench/baseline.py it knows the campaign and evaluates nothing: the
smart list, the choice, the tokens and the transcript lines are SQL written
for this campaign over the bench's people (text compared case-insensitively,
an empty score as 0, a status never moving backwards, a change that is no
change logging nothing). It refuses a database it was not written for (a
value kept in `_extra`, a field of another type, waiting flows).

The reference order: people are taken in batches of BATCH_SIZE by `_pid`;
within a batch every entrant's whole flow (the executable's steps in it), in
`_pid` order, then the OnMQL flows the batch fired, in the order they fired.
So an activity's place is (batch, main flow or trigger, `_pid`, step).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pathlib
import sys

from mkc.columnar.run import memory
from mkc.grammar import ast
from mkc.interpreter.records import Ids
from mkc.output import goes_nowhere
from mkc.store import codec
from mkc.store.batches import BATCH_SIZE
from mkc.store.db import Store
from mkc.store.rest_ids import save_ids

from . import baseline, workload

AT = dt.datetime(2026, 3, 2, 9, 0)
TYPE_IDS = {  # the REST activity type ids (stdlib/activities.py), as the store writes them
    "Executed Campaign": None,
    "Change Score": 22,
    "Change Data Value": 13,
    "Add to List": 24,
    "Change Program Status": 104,
    "Send Email": 6,
    "Interesting Moment": 46,
    "Send Alert": 38,
}
EXPECTED = {  # the columns the SQL reads, and their types (a bench import makes them)
    "email": "VARCHAR",
    "first_name": "VARCHAR",
    "country": "VARCHAR",
    "job_title": "VARCHAR",
    "lead_status": "VARCHAR",
    "lead_score": "BIGINT",
    "engagement": "BIGINT",
}
ADDED = ("score_tier", "last_touch")  # text fields the flow sets; a column is made for each if missing

# SQL macros: an mkc literal (`null`, `"text"` with \\, \" and \n escaped) and a JSON value.
MACROS = r"""
CREATE OR REPLACE TEMP MACRO lit(s) AS CASE WHEN s IS NULL THEN 'null'
    ELSE '"' || replace(replace(replace(s, '\', '\\'), '"', '\"'), chr(10), '\n') || '"' END;
CREATE OR REPLACE TEMP MACRO js(s) AS CASE WHEN s IS NULL THEN 'null' ELSE to_json(s)::VARCHAR END;
CREATE OR REPLACE TEMP MACRO num(n) AS CASE WHEN n IS NULL THEN 'null' ELSE n::VARCHAR END;
"""


class NotForThis(Exception):
    """The database is not one the anchor was written for."""


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run(db: str, at: dt.datetime = AT, file: str = str(workload.CAMPAIGN_FILE), out=None) -> int:
    """The run over the database at `db`; prints its log to `out` (stdout);
    returns the number of activities."""
    model = workload.load_model()
    names = baseline.Names.of(model)
    store = Store.open(db, create=True)  # to write (migrated if older)
    con = store.con
    if "MKC_DB_MEMORY" not in os.environ:  # the memory the columnar engine gets for the same people
        con.execute(f"SET memory_limit = '{memory(store.count_people())}MB'")
    try:
        with store.transaction():
            count = _run(store, model, names, at, file)
            out = out or sys.stdout
            if goes_nowhere(out):  # as `mkc run`: no log made for the null device
                return count
            cursor = con.execute("SELECT line FROM activities WHERE run = ? ORDER BY time, seq", [_RUN[0]])
            while rows := cursor.fetchmany(10_000):
                out.write("".join(row[0] + "\n" for row in rows))
            out.flush()
    finally:
        store.close()
    return count


_RUN = [0]  # the run number of the last run (for printing its log)


def _run(store: Store, model, names, at: dt.datetime, file: str) -> int:
    con = store.con
    columns = store.columns()
    for field, ctype in EXPECTED.items():
        if columns.get(field) != ctype:
            found = f"is {columns[field]}" if field in columns else "is missing"
            raise NotForThis(f"the column people.{field} {found}, not {ctype}: not a bench import")
    for field in ADDED:
        if field in columns and columns[field] != "VARCHAR":
            raise NotForThis(f"people.{field} is {columns[field]}, not VARCHAR")
    if con.execute("SELECT count(*) FROM people WHERE _extra IS NOT NULL AND _extra <> '{}'").fetchone()[0]:
        raise NotForThis("some values are kept in _extra")
    if con.execute("SELECT count(*) FROM waits").fetchone()[0]:
        raise NotForThis("the database has waiting flows")

    # The bookkeeping of `mkc run --db`, in its order.
    save_ids(store, Ids.of_model(model, handles=(), extra_fields=columns))
    since = store.clock
    if at < since:
        raise NotForThis(f"--at {at} is before the database's clock {since}")
    run = _RUN[0] = store.counter("next_run", 1)
    first_seq = int(store.meta("next_seq") or 1)

    key = codec.dump_key
    qualify, score, on_mql = str(names.qualify), str(names.score), str(names.on_mql)
    qualify_key = _campaign_key(model, "Nurture.Qualify")
    score_key = _campaign_key(model, "Scoring.Score")
    on_mql_key = _campaign_key(model, "Nurture.OnMQL")
    scored, members = key(names.scored_key), key(names.members_key)
    nurture, welcome, alert = key(names.nurture_key), key(names.welcome_key), key(names.alert_key)
    when = ast.format_datetime(at)
    today = at.date().isoformat()
    last_touch = f"{qualify} on {today}"

    con.execute(MACROS)
    tier = "p.score_tier" if "score_tier" in columns else "NULL::VARCHAR"
    touch = "p.last_touch" if "last_touch" in columns else "NULL::VARCHAR"
    s = _sql_text
    # Who enters, and everything their flow decides, one row each.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE e AS
        WITH entering AS (
            SELECT p._pid, p.id, p.email, p.first_name, p.country, p.job_title, p.lead_status,
                   p.lead_score, p.engagement, {tier} AS score_tier, {touch} AS last_touch
            FROM people p
            WHERE p._pid NOT IN (SELECT pid FROM entries WHERE campaign_key = {s(qualify_key)})
              AND coalesce(p.lead_score, 0) >= 20
              AND (lower(p.country) IN ('nl', 'be', 'de', 'fr') OR contains(lower(p.job_title), 'manager'))
        ),
        numbered AS (  -- each entrant's batch: its place among all people, by _pid
            SELECT en.*, b.batch
            FROM entering en
            JOIN (SELECT _pid, (row_number() OVER (ORDER BY _pid) - 1) // {BATCH_SIZE} AS batch FROM people) b
              USING (_pid)
        ),
        flags AS (
            SELECT en.*,
                   en.email IS NOT NULL AND en.email <> ''
                     AND en._pid NOT IN (SELECT pid FROM entries WHERE campaign_key = {s(score_key)}) AS qualified,
                   (SELECT status FROM program_members m
                     WHERE m.pid = en._pid AND m.program_key = {s(nurture)}) AS prog0,
                   EXISTS (SELECT 1 FROM list_members l WHERE l.pid = en._pid AND l.list_key = {s(scored)})
                     AS in_scored,
                   EXISTS (SELECT 1 FROM list_members l WHERE l.pid = en._pid AND l.list_key = {s(members)})
                     AS in_members,
                   en._pid IN (SELECT pid FROM entries WHERE campaign_key = {s(on_mql_key)}) AS ran_on_mql
            FROM numbered en
        ),
        scored AS (
            SELECT f.*,
                   CASE WHEN qualified THEN coalesce(lead_score, 0) + 10 ELSE lead_score END AS score1,
                   qualified AND (score_tier IS NULL OR score_tier = '' OR lower(score_tier) <> 'warm') AS tier_changed,
                   qualified AND NOT in_scored AS add_scored
            FROM flags f
        ),
        chosen AS (
            SELECT sc.*,
                   CASE WHEN coalesce(score1, 0) >= 80 THEN 'MQL'
                        WHEN coalesce(score1, 0) >= 50 AND lower(country) = 'nl' THEN 'Nurture'
                        WHEN starts_with(lower(job_title), 'vp') THEN 'Executive' END AS status
            FROM scored sc
        )
        SELECT c.*,
               status IS NOT NULL AND (lead_status IS NULL OR lead_status = ''
                                       OR lower(lead_status) <> lower(status)) AS status_changed,
               status = 'MQL' AND (lead_status IS NULL OR lead_status = '' OR lower(lead_status) <> 'mql')
                 AND NOT ran_on_mql AS fires,
               CASE WHEN prog0 = 'Engaged' THEN 'same' WHEN prog0 = 'Qualified' THEN 'backwards'
                    ELSE 'set' END AS engaged,
               last_touch IS NULL OR last_touch = '' OR lower(last_touch) <> lower({s(last_touch)}) AS touch_changed
        FROM chosen c
    """)
    entered = con.execute("SELECT count(*) FROM e").fetchone()[0]

    head = f"{s(when + '  ')} || id || '  '"  # a line's time and person
    exec_attrs = f"'{{\"campaign\":\"{score}\",\"qualified\":' || (CASE WHEN qualified THEN 'true' ELSE 'false' END)"
    exec_attrs += " || ',\"use_parent_token_context\":true}'"
    in_score, in_qualify, in_mql = (
        f"{s('  flow=' + score + '  via=' + qualify)}",
        f"{s('  flow=' + qualify)}",
        f"{s('  flow=' + on_mql)}",
    )
    via_score = s(codec_json([qualify]))
    first = "coalesce(nullif(first_name, ''), "
    steps = [
        # (k, condition, type, attributes, flow, via, target, line after the type)
        (
            1,
            "TRUE",
            "Executed Campaign",
            exec_attrs,
            qualify,
            "'[]'",
            s(key(_campaign_tuple(model, "Scoring.Score"))),
            f"{s('  ' + score + '  qualified=')} || (CASE WHEN qualified THEN 'TRUE' ELSE 'FALSE' END) "
            f"|| {s('  use_parent_token_context=TRUE')} || {in_qualify}",
        ),
        (
            2,
            "qualified",
            "Change Score",
            '\'{"field":"lead_score","old":\' || num(lead_score) || \',"new":\' || num(score1) || \',"change":"+10"}\'',
            score,
            via_score,
            "NULL",
            f"'  lead_score  ' || num(lead_score) || ' -> ' || num(score1) || '  change=+10' || {in_score}",
        ),
        (
            3,
            "tier_changed",
            "Change Data Value",
            '\'{"field":"score_tier","old":\' || js(score_tier) || \',"new":"warm"}\'',
            score,
            via_score,
            "NULL",
            f"'  score_tier  ' || lit(score_tier) || ' -> \"warm\"' || {in_score}",
        ),
        (
            4,
            "add_scored",
            "Add to List",
            '\'{"list":"Scored"}\'',
            score,
            via_score,
            s(scored),
            f"'  Scored' || {in_score}",
        ),
        (
            5,
            "status_changed",
            "Change Data Value",
            '\'{"field":"lead_status","old":\' || js(lead_status) || \',"new":\' || js(status) || \'}\'',
            qualify,
            "'[]'",
            "NULL",
            f"'  lead_status  ' || lit(lead_status) || ' -> ' || lit(status) || {in_qualify}",
        ),
        (
            6,
            "engaged = 'set'",
            "Change Program Status",
            '\'{"program":"Nurture","old":\' || js(prog0) || \',"new":"Engaged"}\'',
            qualify,
            "'[]'",
            s(nurture),
            f"'  Nurture  ' || lit(prog0) || ' -> \"Engaged\"' || {in_qualify}",
        ),
        (
            6,
            "engaged = 'backwards'",
            "Change Program Status",
            '\'{"program":"Nurture","old":\' || js(prog0) || \',"new":\' || js(prog0) '
            '|| \',"requested":"Engaged","reason":"a program status never moves backwards"}\'',
            qualify,
            "'[]'",
            s(nurture),
            f"'  Nurture  ' || lit(prog0) || ' -> ' || lit(prog0) "
            f'|| \'  requested="Engaged"  reason="a program status never moves backwards"\' || {in_qualify}',
        ),
        (
            7,
            "NOT in_members",
            "Add to List",
            '\'{"list":"Nurture Members"}\'',
            qualify,
            "'[]'",
            s(members),
            f"'  Nurture Members' || {in_qualify}",
        ),
        (
            8,
            "TRUE",
            "Send Email",
            f"'{{\"email\":\"Welcome\",\"subject\":' || js('Hi ' || {first}'there') || ', welcome to Spring Nurture') "
            "|| '}'",
            qualify,
            "'[]'",
            s(welcome),
            f"'  Welcome  subject=' || lit('Hi ' || {first}'there') || ', welcome to Spring Nurture') || {in_qualify}",
        ),
        (
            9,
            "TRUE",
            "Interesting Moment",
            '\'{"type":"milestone","description":\' '
            f"|| js({first}'Someone') || ' scored ' || coalesce(score1::VARCHAR, '') || ' in Spring Nurture') || '}}'",
            qualify,
            "'[]'",
            "NULL",
            f"'  milestone  description=' "
            f"|| lit({first}'Someone') || ' scored ' || coalesce(score1::VARCHAR, '') || ' in Spring Nurture') "
            f"|| {in_qualify}",
        ),
        (
            10,
            "touch_changed",
            "Change Data Value",
            f'\'{{"field":"last_touch","old":\' || js(last_touch) || \',"new":\' || js({s(last_touch)}) || \'}}\'',
            qualify,
            "'[]'",
            "NULL",
            f"'  last_touch  ' || lit(last_touch) || ' -> ' || lit({s(last_touch)}) || {in_qualify}",
        ),
        (
            11,
            "TRUE",
            "Change Score",
            '\'{"field":"engagement","old":\' || num(engagement) || \',"new":\' || num(coalesce(engagement, 0) + 1) '
            '|| \',"change":"+1"}\'',
            qualify,
            "'[]'",
            "NULL",
            f"'  engagement  ' || num(engagement) || ' -> ' || num(coalesce(engagement, 0) + 1) || '  change=+1' "
            f"|| {in_qualify}",
        ),
    ]
    # Nurture.OnMQL, for those the batch fired it for (their status is Engaged or Qualified by now).
    prog1 = "CASE WHEN engaged = 'set' THEN 'Engaged' ELSE prog0 END"
    triggered = [
        (
            1,
            f"fires AND {prog1} IS DISTINCT FROM 'Qualified'",
            "Change Program Status",
            f'\'{{"program":"Nurture","old":\' || js({prog1}) || \',"new":"Qualified"}}\'',
            on_mql,
            "'[]'",
            s(nurture),
            f"'  Nurture  ' || lit({prog1}) || ' -> \"Qualified\"' || {in_mql}",
        ),
        (
            2,
            "fires",
            "Send Alert",
            '\'{"email":"Sales Alert","to":"sales@example.com"}\'',
            on_mql,
            "'[]'",
            s(alert),
            f"'  Sales Alert  to=\"sales@example.com\"' || {in_mql}",
        ),
        (
            3,
            "fires",
            "Interesting Moment",
            "'{\"type\":\"milestone\",\"description\":' || js('MQL: ' || coalesce(nullif(lead_status, ''), 'new') "
            "|| ' to MQL') || '}'",
            on_mql,
            "'[]'",
            "NULL",
            "'  milestone  description=' || lit('MQL: ' || coalesce(nullif(lead_status, ''), 'new') || ' to MQL') "
            f"|| {in_mql}",
        ),
    ]
    # Each activity's number without sorting them: per entrant, how many its main flow and its
    # OnMQL flow log (a flag per step), summed over those before it (in its batch, and in the batches
    # before); a step's number is then its flow's first plus the flags of the steps before it (a
    # condition may be NULL, which WHERE reads as false: so is its flag).
    flags = {
        phase: [f"coalesce(({group[i][1]})::INTEGER, 0)" for i in range(len(group))]
        for phase, group in ((0, steps), (1, triggered))
    }
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE o AS
        SELECT *, {first_seq} + before_all - mql_before AS main_first,
                  {first_seq} + before_all - main_before + batch_main AS mql_first
        FROM (
            SELECT *,
                   sum(n_main + n_mql) OVER (ORDER BY _pid) - n_main - n_mql AS before_all,
                   sum(n_main) OVER (PARTITION BY batch ORDER BY _pid) - n_main AS main_before,
                   sum(n_mql) OVER (PARTITION BY batch ORDER BY _pid) - n_mql AS mql_before,
                   sum(n_main) OVER (PARTITION BY batch) AS batch_main
            FROM (SELECT *, {" + ".join(flags[0])} AS n_main, {" + ".join(flags[1])} AS n_mql FROM e)
        )
    """)
    selects = []
    for phase, group in ((0, steps), (1, triggered)):
        first = "main_first" if phase == 0 else "mql_first"
        for i, (_k, condition, type_, attributes, flow, via, target, line) in enumerate(group):
            type_id = TYPE_IDS[type_]
            seq = " + ".join([first, *flags[phase][:i]])
            selects.append(
                f"SELECT {seq} AS seq, {run} AS run, TIMESTAMP '{at}' AS time, _pid, id, {s(type_)} AS type, "
                f"{'NULL' if type_id is None else type_id}::INTEGER AS type_id, {attributes} AS attributes, "
                f"{s(flow)} AS flow, {via} AS via, {target}::VARCHAR AS target, "
                f"{head} || {s(type_)} || {line} AS line FROM o WHERE {condition}"
            )
    con.execute(f"INSERT INTO activities {' UNION ALL '.join(selects)}")
    activities = con.execute("SELECT count(*) FROM activities WHERE run = ?", [run]).fetchone()[0]

    # The people: new columns first (in the order the first changed person set them), then the values.
    if entered:
        first_qualified = con.execute("SELECT qualified FROM e ORDER BY _pid LIMIT 1").fetchone()[0]
        order = ADDED if first_qualified else ADDED[::-1]
        for field in order:
            if field not in store.columns():
                store.add_column(field, "VARCHAR")
        con.execute(f"""
            UPDATE people SET
                lead_score = e.score1,
                score_tier = CASE WHEN e.tier_changed THEN 'warm' ELSE people.score_tier END,
                lead_status = CASE WHEN e.status_changed THEN e.status ELSE people.lead_status END,
                last_touch = CASE WHEN e.touch_changed THEN {s(last_touch)} ELSE people.last_touch END,
                engagement = coalesce(e.engagement, 0) + 1
            FROM e WHERE people._pid = e._pid
        """)
        con.execute(f"""
            INSERT INTO list_members
            SELECT _pid, {s(scored)}, 'Scored' FROM e WHERE add_scored
            UNION ALL SELECT _pid, {s(members)}, 'Nurture Members' FROM e WHERE NOT in_members
        """)
        final = f"CASE WHEN fires THEN 'Qualified' ELSE {prog1} END"
        con.execute(f"""
            UPDATE program_members SET status = {final} FROM e
            WHERE program_members.pid = e._pid AND program_members.program_key = {s(nurture)}
        """)
        con.execute(f"""
            INSERT INTO program_members SELECT _pid, {s(nurture)}, 'Nurture', {final} FROM e WHERE prog0 IS NULL
        """)
        con.execute(f"""
            INSERT INTO entries
            SELECT _pid, {s(qualify_key)}, {s(qualify)}, TIMESTAMP '{at}', {run} FROM e
            UNION ALL SELECT _pid, {s(score_key)}, {s(score)}, TIMESTAMP '{at}', {run} FROM e WHERE qualified
            UNION ALL SELECT _pid, {s(on_mql_key)}, {s(on_mql)}, TIMESTAMP '{at}', {run} FROM e WHERE fires
        """)
    store.set_meta("next_seq", first_seq + activities)
    store.set_meta("clock", at.isoformat())
    people = store.count_people()
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
        [run, file, qualify, since, at, at, people, entered, activities],
    )
    return activities


def codec_json(values: list[str]) -> str:
    """A JSON list as the store writes `via`."""
    from mkc.store.activities import attributes_json

    return attributes_json(values)


def _campaign_tuple(model, full_name: str) -> tuple:
    from mkc.interpreter.runtime import Keys

    campaign = next(c for c in model.campaigns if c.full_name == full_name)
    return Keys(model)(campaign)


def _campaign_key(model, full_name: str) -> str:
    return codec.dump_key(_campaign_tuple(model, full_name))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.anchor_sql", description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="an mkc database (mkc db import)")
    ap.add_argument("--at", default=AT.isoformat(timespec="minutes"), help="the run's time")
    ap.add_argument("--file", default=str(workload.CAMPAIGN_FILE), help="the file name the run's row records")
    args = ap.parse_args(argv)
    try:
        at = dt.datetime.fromisoformat(args.at)
    except ValueError:
        _bad(f"--at {args.at}: not a date and time")
    if not pathlib.Path(args.db).exists():
        _bad(f"{args.db}: no such file")
    try:
        run(args.db, at, args.file)
    except NotForThis as err:
        _bad(f"{args.db}: {err}")


def _bad(message: str) -> None:
    """Bad input: one line, exit status 2."""
    print(f"python -m bench.anchor_sql: {message}", file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    main()
