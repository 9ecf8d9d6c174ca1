"""The REST ids a database's activity records show (interpreter/records.py),
kept in the database so that `mkc db export` (which has no project) numbers
campaigns, lists, fields and people as the run and `mkc serve` did.

`rest_ids (kind, name, id, label)`: kind `target` (a campaign's, program's
or asset's key as JSON text), `flow` (a campaign's `Program.Campaign`),
`field` (with its Marketo name as `label`) and `person` (a handle that is
not a whole number: people declared in `.mkc` files get the next free whole
number when they join the database, and keep it). The table is made by the
first command that writes ids; a database without it shows null ids.
"""

from __future__ import annotations

import json

from mkc.interpreter.records import Ids, whole_number
from mkc.store import codec
from mkc.store.db import Store

_DDL = "CREATE TABLE IF NOT EXISTS rest_ids (kind VARCHAR, name VARCHAR, id BIGINT, label VARCHAR)"


def _has_table(store: Store) -> bool:
    return bool(
        store.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'rest_ids'"
        ).fetchone()[0]
    )


def save_ids(store: Store, ids: Ids) -> None:
    """Write the model's numbering (targets, flows, fields) over what was there; people's ids are kept."""
    con = store.con
    con.execute(_DDL)
    con.execute("DELETE FROM rest_ids WHERE kind IN ('target', 'flow', 'field')")
    rows = [("target", codec.dump_key(tuple(key)), id_, None) for key, id_ in ids.targets.items()]
    rows += [("flow", name, id_, None) for name, id_ in ids.flows.items()]
    rows += [("field", name, id_, label) for name, (id_, label) in ids.fields.items()]
    if rows:
        con.executemany("INSERT INTO rest_ids VALUES (?, ?, ?, ?)", rows)


def number_people(store: Store, handles) -> None:
    """Give each handle that is not a whole number, and has no id yet, the next free one."""
    wanted = [h for h in handles if whole_number(h) is None]
    if not wanted:
        return
    con = store.con
    con.execute(_DDL)
    known = {r[0] for r in con.execute("SELECT name FROM rest_ids WHERE kind = 'person'").fetchall()}
    wanted = [h for h in dict.fromkeys(wanted) if h not in known]
    if wanted:
        first = next_lead_id(store)
        con.executemany(
            "INSERT INTO rest_ids VALUES ('person', ?, ?, NULL)", [(h, first + i) for i, h in enumerate(wanted)]
        )


def next_lead_id(store: Store) -> int:
    """The next free whole number for a person: above every person's id, and every id ever given."""
    con = store.con
    top = con.execute(
        "SELECT max(TRY_CAST(id AS BIGINT)) FROM people WHERE regexp_full_match(id, '-?[0-9]{1,18}')"
    ).fetchone()[0]
    given = con.execute("SELECT max(id) FROM rest_ids WHERE kind = 'person'").fetchone()[0] if _has_table(store) else 0
    return max(top or 0, given or 0) + 1


def load_ids(store: Store) -> Ids:
    """The ids saved in the database (none, if it has no `rest_ids` yet)."""
    if not _has_table(store):
        return Ids(taken=[next_lead_id(store) - 1])
    targets, flows, fields, people = {}, {}, {}, {}
    for kind, name, id_, label in store.con.execute("SELECT kind, name, id, label FROM rest_ids").fetchall():
        if kind == "target":
            targets[tuple(json.loads(name))] = id_
        elif kind == "flow":
            flows[name] = id_
        elif kind == "field":
            fields[name] = (id_, label)
        elif kind == "person":
            people[name] = id_
    return Ids(targets, flows, fields, people, taken=[next_lead_id(store) - 1])
