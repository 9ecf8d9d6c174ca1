"""Activity rows set-wise: the `attributes` JSON and the transcript `line`
of what a step logs, as SQL over the person's row, laid out as
`interpreter.transcript.format_activity` lays out a line (`LAYOUTS`), and
the order key that puts them in the reference's order.

The order key of an activity is a list of numbers: the batch (the person's
rank by `_pid`, divided by the batch size), the wave (0: the batch
campaign's flows; 1: the trigger campaigns they started; 2: those those
started ...), the path of the flow (the person's rank; for a trigger
campaign's flow, its starter's path, the position of the step that fired
it and the listener's place), then the step's position in its flow. Sorted,
the keys give the reference's log order; `seq` is numbered in it.
"""

from __future__ import annotations

import datetime as dt

from mkc.columnar import values
from mkc.columnar.plan import Activity
from mkc.columnar.values import sql_text
from mkc.grammar import ast
from mkc.interpreter.transcript import BARE, LAYOUTS, SEP
from mkc.stdlib.activity_types import CHANGE
from mkc.store.activities import attributes_json


def attributes(activity: Activity) -> str:
    """SQL: the `attributes` column, compact JSON in the order logged."""
    pieces = []
    for i, (name, value) in enumerate(activity.attributes):
        pieces.append(sql_text(("{" if i == 0 else ",") + attributes_json(name) + ":"))
        pieces.append(values.json(value))
    pieces.append(sql_text("}" if activity.attributes else "{}"))
    return " || ".join(pieces)


def line(activity: Activity, when: dt.datetime, person: str) -> str:
    """SQL: the transcript line (`person`: SQL for the person's handle)."""
    attrs = dict(activity.attributes)
    shown = set()
    columns = [sql_text(ast.format_datetime(when)), person, sql_text(activity.type)]
    for column in LAYOUTS.get(activity.type, ()):
        if column == CHANGE:
            shown |= {"old", "new"}
            old, new = (attrs.get(n, values.Value.of(None)) for n in ("old", "new"))
            columns.append(f"{values.literal(old)} || ' -> ' || {values.literal(new)}")
        elif column.endswith("="):
            name = column[:-1]
            shown.add(name)
            if name in attrs:
                columns.append(sql_text(f"{name}=") + " || " + values.named(name, attrs[name], name in BARE))
        else:
            shown.add(column)
            columns.append(values.bare(attrs.get(column, values.Value.of(None))))
    for name, value in activity.attributes:
        if name not in shown:
            columns.append(sql_text(f"{name}=") + " || " + values.named(name, value, name in BARE))
    columns.append(sql_text(f"flow={activity.flow}"))
    if activity.via:
        columns.append(sql_text("via=" + ">".join(activity.via)))
    sep = sql_text(SEP)
    return f" || {sep} || ".join(f"({c})" for c in columns)


def via(activity: Activity) -> str:
    return attributes_json(list(activity.via))
