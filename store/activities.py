"""The activity log's rows: what a run logged, as the columns of `activities`
(schema.py), and back as `Activity` records for the conditions on history.

Writing is the store's largest share of a run (a few activities for every
person a campaign touches), so each column is one list comprehension, and
what repeats is worked out once: the transcript line's time and literals
(transcript.py), `via` lists, keys.
"""

from __future__ import annotations

import json
from json import encoder as _encoder

from mkc.interpreter.runtime import Activity
from mkc.interpreter.transcript import format_activity, to_json
from mkc.store import codec
from mkc.store.bulk import Columns


def _attributes_encoder():
    """`attributes` as compact JSON text: what `activity_record` shows, the
    values through `to_json`. Attribute values are scalars, dates and tuples,
    for which handing `to_json` to the encoder as its `default` gives the same
    text as encoding `to_json`'s results. The C encoder is made once:
    `JSONEncoder.encode` makes one per call, which costs more than encoding a
    small object."""
    make = getattr(_encoder, "c_make_encoder", None)
    if make is None:  # not CPython
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=to_json).encode
    encode = make(None, to_json, _encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda value: "".join(encode(value, 0))


attributes_json = _attributes_encoder()
_VIA: dict[tuple, str] = {(): "[]"}  # a run has a few callers' chains


def _via_json(via: tuple) -> str:
    text = _VIA.get(via)
    if text is None:
        text = _VIA[via] = attributes_json([str(c) for c in via])
    return text


def columns(activities: list[Activity], pids: dict[str, int], first_seq: int | None = None, run: int = 0) -> Columns:
    """The rows of `activities`, numbered from `first_seq` in `run` (None: without
    those two columns, numbered when written), as `bulk` columns; `pids` gives
    each person's `_pid`."""
    key = codec.dump_key
    numbered: Columns = {}
    if first_seq is not None:
        numbered["seq"] = ("BIGINT", range(first_seq, first_seq + len(activities)))
        numbered["run"] = ("BIGINT", [run] * len(activities))
    return numbered | {
        "time": ("TIMESTAMP", [a.time for a in activities]),
        "pid": ("BIGINT", [pids.get(a.person) for a in activities]),
        "person": ("VARCHAR", [a.person for a in activities]),
        "type": ("VARCHAR", [a.type for a in activities]),
        "type_id": ("INTEGER", [a.type_id for a in activities]),
        "attributes": ("VARCHAR", [attributes_json(a.attributes) for a in activities]),
        "flow": ("VARCHAR", [None if a.flow is None else str(a.flow) for a in activities]),
        "via": ("VARCHAR", [_via_json(a.via) for a in activities]),
        "target": ("VARCHAR", [None if a.target is None else key(a.target) for a in activities]),
        "line": ("VARCHAR", [format_activity(a) for a in activities]),
    }


def history(rows) -> dict[str, list[Activity]]:
    """Rows (pid's handle, time, type, attributes, flow, via, target) of the log
    as each person's activities, in the order given."""
    found: dict[str, list[Activity]] = {}
    for handle, when, type_, attributes, flow, via, target in rows:
        found.setdefault(handle, []).append(
            Activity(
                when,
                handle,
                type_,
                json.loads(attributes),
                flow=flow,
                via=tuple(json.loads(via)),
                target=codec.load_key(target) if target else None,
            )
        )
    return found
