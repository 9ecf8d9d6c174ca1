"""Transcripts (spec section 8): the activity log as text or JSON Lines.

Text: one line per activity, columns separated by two spaces:

    TIME  PERSON  TYPE  [COLUMNS...]  [name=value...]  [flow=Program.Campaign]  [via=A>B]

with each type's columns in `LAYOUTS` (docs/transcript.md has the table),
then one line per `expect` (`PASS ...` / `FAIL ..., got ...`) where it ran,
and `ERROR ...` if a command could not be carried out. JSON Lines: one object
per line, keys sorted; an activity is its REST record (records.py).
Both are byte-for-byte deterministic.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

from mkc.grammar import ast
from mkc.grammar.dump import show_value
from mkc.interpreter.memo import Memo
from mkc.interpreter.records import Ids, rest_record
from mkc.interpreter.runtime import Activity, CampaignName
from mkc.stdlib.activities import ACTIVITIES
from mkc.stdlib.activity_types import CHANGE
from mkc.stdlib.values import literal

SEP = "  "

# Each type's columns, in order (`ActivitySpec.layout`, declared with the type
# in the standard library): an attribute shown bare, `CHANGE`, or `name=` for
# an attribute shown as name=value. Attributes an activity has beyond its
# layout follow as name=value, in the order they were logged.
LAYOUTS: dict[str, tuple[str, ...]] = {name: a.layout for name, a in ACTIVITIES.items()}
# name=value attributes whose text is a code, not free text: shown unquoted.
BARE = {"change", "source", "line"}


def format_activity(act: Activity) -> str:
    attributes = act.attributes
    columns = [_time_text(act.time), act.person, act.type]
    compiled = _COMPILED.get(act.type)
    if compiled is None:
        compiled = _COMPILED[act.type] = _compile(LAYOUTS.get(act.type, ()))
    layout, shown = compiled
    for kind, name in layout:
        if kind is _NAMED:
            if name in attributes:
                columns.append(f"{name}={_value(name, attributes[name])}")
        elif kind is _BARE:
            columns.append(_bare(attributes.get(name)))
        else:
            columns.append(f"{_literal(attributes.get('old'))} -> {_literal(attributes.get('new'))}")
    if not shown.issuperset(attributes):
        columns += [f"{name}={_value(name, v)}" for name, v in attributes.items() if name not in shown]
    if act.flow is not None:
        columns.append(f"flow={act.flow}")
    if act.via:
        columns.append("via=" + ">".join(act.via))
    return SEP.join(columns)


# A layout worked out once per type (a store writes the line of every activity
# of a run: hundreds of thousands): each column as (kind, attribute name), and
# the attributes the columns show.
_BARE, _NAMED, _CHANGE = "bare", "named", "change"
_COMPILED: dict[str, tuple[tuple[tuple[str, str], ...], frozenset[str]]] = {}


def _compile(layout: tuple[str, ...]) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    columns, shown = [], set()
    for column in layout:
        if column == CHANGE:
            columns.append((_CHANGE, ""))
            shown |= {"old", "new"}
        elif column.endswith("="):
            columns.append((_NAMED, column[:-1]))
            shown.add(column[:-1])
        else:
            columns.append((_BARE, column))
            shown.add(column)
    return tuple(columns), frozenset(shown)


# Nearly every activity of a batch run has the same time, and the same few
# texts recur (statuses, list names): their formatting is remembered, up to a
# bound, since strftime and a quoted literal cost more than a look-up.
_TIMES: Memo = Memo(ast.format_datetime, 4096)
_LITERALS: Memo = Memo(literal, 4096)  # of texts only: 1 and True are equal keys


def _time_text(when: dt.datetime) -> str:
    return _TIMES[when]


def _literal(value) -> str:
    return _LITERALS[value] if type(value) is str else literal(value)


def _bare(value) -> str:
    return "" if value is None else value if isinstance(value, str) else literal(value)


def _value(name: str, value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, CampaignName) or (isinstance(value, str) and name in BARE):
        return str(value)
    return _literal(value)


def activity_record(act: Activity, seq: int, ids: Ids, **extra) -> dict:
    """The activity as a REST activity record (records.py), numbered `seq`,
    with `extra` keys; `record: activity` tells it from the other lines of a
    JSON Lines transcript."""
    attributes = {name: to_json(v) for name, v in act.attributes.items()}
    record = rest_record(seq, act.time, act.person, act.type, attributes, act.flow, act.via, act.target, ids)
    return {**record, "record": "activity", **extra}


def to_json(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.datetime):
        return ast.format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    return str(value)


def _json_line(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


# ---- whole transcripts ------------------------------------------------------------------


def scenario_entries(result) -> list:
    """A scenario's activities, expects and error, in the order they happened."""
    entries: list = []
    expects = list(result.expects)
    for index, act in enumerate(result.activities):
        while expects and expects[0].position <= index:
            entries.append(expects.pop(0))
        if result.error is not None and result.error_position == index:
            entries.append(("error", result.error))
        entries.append(act)
    entries += expects
    if result.error is not None and result.error_position >= len(result.activities):
        entries.append(("error", result.error))
    return entries


def header_line(name: str) -> str:
    """The line that starts a scenario's transcript in a file with several."""
    return f"scenario {show_value(ast.Str(name))}"


def scenario_text(result, header: bool = False) -> str:
    """One scenario's transcript as text, optionally after its header line."""
    return "".join(line + "\n" for line in _text_lines(result, header))


def scenario_jsonl(result, header: bool = False, ids: Ids | None = None) -> str:
    """One scenario's transcript as JSON Lines; every record names the scenario.
    `ids` number people, campaigns and assets (`Ids.of_model`; without, only people)."""
    return "".join(line + "\n" for line in _jsonl_lines(result, header, ids))


def _text_lines(result, header: bool):
    if header:
        yield header_line(result.name)
    for entry in scenario_entries(result):
        if isinstance(entry, Activity):
            yield format_activity(entry)
        elif isinstance(entry, tuple):
            yield f"ERROR {entry[1]}"
        else:
            yield entry.line_text


def _jsonl_lines(result, header: bool, ids: Ids | None = None):
    name = result.name
    ids = ids or Ids()
    seq = 0
    if header:
        yield _json_line({"record": "scenario", "scenario": name})
    for entry in scenario_entries(result):
        if isinstance(entry, Activity):
            seq += 1
            record = activity_record(entry, seq, ids, person=entry.person)
        elif isinstance(entry, tuple):
            record = {"record": "error", "message": entry[1]}
        else:
            record = {"record": "expect", "expect": entry.text, "passed": entry.passed, "got": entry.got}
            record["line"] = entry.line
        yield _json_line({**record, "scenario": name})


def render(results, fmt: str = "text", ids: Ids | None = None) -> str:
    """Scenario transcripts, one after the other, each with its header line
    when its file has several scenarios (`ScenarioResult.headed`); `ids` for JSON Lines."""
    if fmt == "jsonl":
        return "".join(scenario_jsonl(r, r.headed, ids) for r in results)
    return "".join(scenario_text(r, r.headed) for r in results)


def render_activities(activities, fmt: str = "text", ids: Ids | None = None) -> str:
    """A plain activity log (one campaign run), as text or JSON Lines."""
    if fmt == "jsonl":
        return "".join(line + "\n" for line in _activity_lines(activities, ids))
    return "".join(format_activity(a) + "\n" for a in activities)


def write(out, results, fmt: str = "text", ids: Ids | None = None) -> None:
    """`render(results, fmt, ids)` written to `out` a few lines at a time: a long
    transcript (a runaway stopped at its memory limit) is never one string."""
    for result in results:
        if fmt == "jsonl":
            _write_lines(out, _jsonl_lines(result, result.headed, ids))
        else:
            _write_lines(out, _text_lines(result, result.headed))


def write_activities(out, activities, fmt: str = "text", ids: Ids | None = None) -> None:
    """`render_activities(activities, fmt, ids)` written to `out` a few lines at a time."""
    if fmt == "jsonl":
        _write_lines(out, _activity_lines(activities, ids))
    else:
        _write_lines(out, (format_activity(a) for a in activities))


def _activity_lines(activities, ids: Ids | None):
    ids = ids or Ids()
    return (_json_line(activity_record(a, seq, ids)) for seq, a in enumerate(activities, 1))


def _write_lines(out, lines, chunk: int = 100) -> None:
    while part := list(itertools.islice(lines, chunk)):
        out.write("".join(line + "\n" for line in part))


__all__ = [
    "CHANGE",
    "header_line",
    "scenario_jsonl",
    "scenario_text",
    "LAYOUTS",
    "activity_record",
    "format_activity",
    "render",
    "render_activities",
    "write",
    "write_activities",
    "scenario_entries",
]
