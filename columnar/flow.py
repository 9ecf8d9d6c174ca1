"""Flows set-wise: each op of a compiled flow (`plan.py`) as a few SQL
statements over every flow of one wave at once.

The run's tables (temporary, in the store's connection):

- `mkc_cw` (`p`): the people who entered, one row each, with their fields as
  the interpreter sees them and their memberships and entries as columns;
  steps update it in place;
- `mkc_f` (`f`): the flows being run: the person, the order key `k` (see
  `activities.py`), the `trigger.*` texts, and the columns ops decide;
- `activities` itself: what the run logs goes straight into the store's log,
  with a placeholder `seq` (`order.placeholder`: negative, one per step
  statement and person) that `run.py` numbers once the chunk is done; the
  rows are built and compressed once, and leave memory as DuckDB writes
  them out;
- `mkc_acts`: for each row logged, its order key, its placeholder and the
  person; `mkc_logged`: each logging statement's activity type and target
  (the placeholder tells the statement: `order.statement`), so the rows
  kept per activity stay small; `mkc_entries`, `mkc_waits`: the entries
  recorded and the flows that wait (`waits.py`), with their order keys;
- `mkc_next`: the trigger campaigns' flows started, for the next wave.

A person's flows run one after the other, as the reference runs them: a
wave's flows are taken in rounds, each round at most one flow per person,
in the order of their keys. What one person's flow does never touches
another's row, so a round runs every person's flow together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from mkc.columnar import activities, order, waits
from mkc.columnar.plan import Decide, Flow, Plan, Step
from mkc.columnar.tokens import TRIGGER_COLUMNS
from mkc.columnar.values import sql_text
from mkc.store.schema import quote

TRIGGER_COLS = (*TRIGGER_COLUMNS.values(), waits.CONTEXT)


@dataclasses.dataclass
class Log:
    """Where a chunk's steps log: the run's number and time, and how many
    statements have logged so far (each one's placeholders its own)."""

    run: int
    at: dt.datetime
    statements: int = 0


def run_waves(con, plan: Plan, log: Log, batch_size: int) -> None:
    """Run the plan's flows, wave by wave, into `activities`, `mkc_acts` and `mkc_entries`."""
    flows = {i: flow for i, flow in enumerate([plan.main, *plan.triggers.values()])}
    index = {flow.campaign: i for i, flow in flows.items()}
    trigger_cols = ", ".join(f"{c} VARCHAR" for c in TRIGGER_COLS)
    con.execute(f"CREATE TEMP TABLE mkc_next (pid BIGINT, k HUGEINT, flow INTEGER, {trigger_cols})")
    con.execute(
        f"INSERT INTO mkc_next SELECT _pid, {order.start(quote('mkc$rk'), batch_size)}, 0, "
        + ", ".join("NULL" for _ in TRIGGER_COLS)
        + " FROM mkc_cw"
    )
    wave = 0  # (the plan made sure the waves fit the order key: `plan._depth`)
    while con.execute("SELECT count(*) FROM mkc_next").fetchone()[0]:
        con.execute("DROP TABLE IF EXISTS mkc_wave")
        con.execute(
            "CREATE TEMP TABLE mkc_wave AS "
            "SELECT *, row_number() OVER (PARTITION BY pid ORDER BY k) AS round FROM mkc_next"
        )
        con.execute("DELETE FROM mkc_next")
        rounds = con.execute("SELECT max(round) FROM mkc_wave").fetchone()[0]
        for r in range(1, rounds + 1):
            for i in [
                row[0]
                for row in con.execute(
                    "SELECT DISTINCT flow FROM mkc_wave WHERE round = ? ORDER BY flow", [r]
                ).fetchall()
            ]:
                flow = flows[i]
                columns = "".join(
                    f", CAST(NULL AS {'BOOLEAN' if c[0] == 'x' else 'INTEGER'}) AS {c}" for c in flow.columns
                )
                con.execute("DROP TABLE IF EXISTS mkc_f")
                con.execute(
                    f"CREATE TEMP TABLE mkc_f AS SELECT pid, k, {', '.join(TRIGGER_COLS)}{columns} "
                    f"FROM mkc_wave WHERE round = {r} AND flow = {i} ORDER BY k"  # (as logged: `order.placeholder`)
                )
                _run_flow(con, flow, wave, log, index)
        wave += 1
    for table in ("mkc_f", "mkc_wave", "mkc_next"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _run_flow(con, flow: Flow, wave: int, log: Log, index: dict) -> None:
    """One campaign's flow for the rows of `mkc_f`."""
    rows = "FROM mkc_f f JOIN mkc_cw p ON p._pid = f.pid"
    for op in flow.ops:
        if isinstance(op, waits.Wait):
            waits.record(con, op, wave)
            continue
        if isinstance(op, Decide):
            con.execute(
                f"UPDATE mkc_f AS f SET {op.column} = {op.sql} FROM mkc_cw p WHERE p._pid = f.pid AND ({op.reach})"
            )
            continue
        where = f"({op.reach})" + (f" AND ({op.when})" if op.when else "")
        _step(con, op, where, rows, wave, log, index)


def _step(con, op: Step, where: str, rows: str, wave: int, log: Log, index: dict) -> None:
    key = order.at("f.k", wave, op.pos)
    if op.activity is not None:
        a = op.activity
        seq = order.placeholder(log.statements, f"p.{quote('mkc$rk')}")
        target = sql_text(a.target) if a.target else "NULL"
        con.execute(f"INSERT INTO mkc_logged VALUES ({log.statements}, {sql_text(a.type)}, {target})")
        log.statements += 1
        con.execute(
            f"INSERT INTO activities SELECT {seq}, {log.run}, ?, p._pid, p.id, {sql_text(a.type)}, "
            f"{a.type_id if a.type_id is not None else 'NULL'}, {activities.attributes(a)}, {sql_text(a.flow)}, "
            f"{sql_text(activities.via(a))}, {target}, {activities.line(a, log.at, 'p.id')} {rows} WHERE {where}",
            [log.at],
        )
        con.execute(f"INSERT INTO mkc_acts SELECT {key}, {seq}, p._pid {rows} WHERE {where}")
    if op.enters is not None:
        column, campaign_key = op.enters
        con.execute(f"INSERT INTO mkc_entries SELECT {key}, p._pid, {sql_text(campaign_key)} {rows} WHERE {where}")
    if op.fires:
        con.execute("DROP TABLE IF EXISTS mkc_cand")
        selects = []
        for fire in op.fires:
            tokens = dict(fire.tokens)
            cols = ", ".join(tokens.get(c, "CAST(NULL AS VARCHAR)") for c in TRIGGER_COLS)
            child = order.child("f.k", wave, op.pos, fire.index)
            entry = order.at("f.k", wave, op.pos, fire.index)
            selects.append(
                f"SELECT p._pid, {child}, {entry}, {fire.index}, {cols} {rows} WHERE {where} AND ({fire.matches})"
            )
        con.execute(
            "CREATE TEMP TABLE mkc_cand AS SELECT * FROM ("
            + " UNION ALL ".join(f"({s})" for s in selects)
            + f") AS c(pid, k, ek, fire, {', '.join(TRIGGER_COLS)})"
        )
    if op.updates:
        sets = ", ".join(f"{quote(column)} = {sql}" for column, sql in op.updates)
        con.execute(f"UPDATE mkc_cw AS p SET {sets} FROM mkc_f f WHERE p._pid = f.pid AND {where}")
    for fire in op.fires:
        entered = quote(fire.entered)
        admitted = (
            f"FROM mkc_cand c JOIN mkc_cw p ON p._pid = c.pid WHERE c.fire = {fire.index} AND ({fire.filters})"
            + (f" AND NOT p.{entered}" if fire.once else "")
        )
        con.execute("DROP TABLE IF EXISTS mkc_adm")
        con.execute(f"CREATE TEMP TABLE mkc_adm AS SELECT c.* {admitted}")
        con.execute(
            f"INSERT INTO mkc_next SELECT pid, k, {index[fire.campaign]}, {', '.join(TRIGGER_COLS)} FROM mkc_adm"
        )
        con.execute(f"INSERT INTO mkc_entries SELECT ek, pid, {sql_text(fire.key)} FROM mkc_adm")
        con.execute(f"UPDATE mkc_cw AS p SET {entered} = true FROM mkc_adm c WHERE p._pid = c.pid")
