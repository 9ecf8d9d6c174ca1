"""The benchmark's work, done twice: by the interpreter and by hand.

`people(model, records)` turns generated records into `PersonState`s (a
fresh copy for each side); `interpreted(...)` runs bench/campaign.mkc's batch
campaign through the interpreter's public engine, `handwritten(...)` through
bench/baseline.py; `differences(...)` says where the two disagree, on the
final people and on the activity log (records and transcript lines).
"""

from __future__ import annotations

import datetime as dt
import pathlib

from mkc.checker.model import Model
from mkc.interpreter import Activity, Interpreter, PersonState, format_activity
from mkc.interpreter.runtime import Keys
from mkc.load import load_source
from mkc.source import Source

from . import baseline

CAMPAIGN_FILE = pathlib.Path(__file__).with_name("campaign.mkc")
CAMPAIGN = "Nurture.Qualify"
AT = dt.datetime(2026, 1, 5, 9, 0)


def load_model(path: pathlib.Path = CAMPAIGN_FILE) -> Model:
    loaded = load_source(Source(str(path), path.read_text(encoding="utf-8")))
    errors = [d for d in loaded.diagnostics if d.is_error]
    if loaded.model is None or errors:
        raise SystemExit(f"{path}: does not check: {errors}")
    return loaded.model


def people(model: Model, records) -> list[PersonState]:
    """Fresh `PersonState`s for `records` (see bench/people.py)."""
    keys = Keys(model)
    programs = model.programs["Default"]
    program_key = {name: keys(p) for name, p in programs.items()}
    return [
        PersonState(handle, dict(fields), {}, {program_key[name]: status for name, status in member.items()})
        for handle, fields, member in records
    ]


def interpreted(model: Model, persons: list[PersonState], at: dt.datetime = AT) -> list[Activity]:
    """The batch campaign through the interpreter, as `mkc run --campaign`
    does, but over `persons` (changed in place) instead of the file's people."""
    interp = Interpreter(model, start=at, schedules=False)
    interp.runtime.people = {p.handle: p for p in persons}
    interp.engine.batch_run(interp.campaign(CAMPAIGN))
    interp.engine.run_due(None)
    return interp.log


def handwritten(model: Model, persons: list[PersonState], at: dt.datetime = AT) -> tuple[list[Activity], object]:
    """The same work by hand (bench/baseline.py)."""
    return baseline.run(persons, baseline.Names.of(model), at)


def differences(
    interp_log: list[Activity],
    hand_log: list[Activity],
    interp_people: list[PersonState],
    hand_people: list[PersonState],
    lines: int = 20_000,
) -> list[str]:
    """Where the two runs disagree (empty: they agree): the activity records
    one by one, the transcript lines of up to `lines` of them (spread over
    the log), and every person's final fields, lists and programs."""
    problems: list[str] = []
    if len(interp_log) != len(hand_log):
        problems.append(f"activity log: interpreter {len(interp_log):,} activities, hand-written {len(hand_log):,}")
    for index, (a, b) in enumerate(zip(interp_log, hand_log)):
        if a != b or type(a.flow) is not type(b.flow):
            problems.append(
                f"activity {index}:\n  interpreter  {format_activity(a)}\n  hand-written {format_activity(b)}"
            )
            break
    step = max(1, min(len(interp_log), len(hand_log)) // lines)
    for index in range(0, min(len(interp_log), len(hand_log)), step):
        a, b = format_activity(interp_log[index]), format_activity(hand_log[index])
        if a != b:
            problems.append(f"transcript line {index}:\n  interpreter  {a}\n  hand-written {b}")
            break
    if len(interp_people) != len(hand_people):
        problems.append(f"people: interpreter {len(interp_people):,}, hand-written {len(hand_people):,}")
    for a, b in zip(interp_people, hand_people):
        if a != b:
            problems.append(f"person {a.handle}:\n  interpreter  {a.snapshot()}\n  hand-written {b.snapshot()}")
            break
    return problems
