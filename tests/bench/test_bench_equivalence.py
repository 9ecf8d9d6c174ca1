"""The benchmark's check, at a small size: the interpreter and the
hand-written baseline (bench/baseline.py) must end with the same people and
log the same activities, so the two cannot drift apart. No times here."""

from __future__ import annotations

import pathlib
import sys

import attrs

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `bench` is a folder of the repository, not an installed package

from bench import big_workspace, people, workload  # noqa: E402
from mkc.load import load_source  # noqa: E402
from mkc.source import Source  # noqa: E402


def _both(n: int):
    model = workload.load_model()
    records = list(people.records(n))
    interp_people, hand_people = workload.people(model, records), workload.people(model, records)
    hand_log, stats = workload.handwritten(model, hand_people)
    interp_log = workload.interpreted(model, interp_people)
    return interp_log, hand_log, interp_people, hand_people, stats


def test_the_interpreter_and_the_baseline_agree():
    interp_log, hand_log, interp_people, hand_people, stats = _both(500)
    assert workload.differences(interp_log, hand_log, interp_people, hand_people, lines=len(hand_log)) == []
    # the run goes through every part of the campaign
    assert stats.entered > 100 and 0 < stats.executed < stats.entered and stats.triggered > 0
    types = {a.type for a in interp_log}
    assert types == {
        "Executed Campaign",
        "Change Score",
        "Change Data Value",
        "Add to List",
        "Change Program Status",
        "Send Email",
        "Interesting Moment",
        "Send Alert",
    }
    assert any("requested" in a.attributes for a in interp_log)  # a status that would move backwards
    assert any(a.attributes.get("qualified") is False for a in interp_log)  # the executable's filter


def test_a_difference_is_found():
    interp_log, hand_log, interp_people, hand_people, _ = _both(50)
    hand_log[7] = attrs.evolve(hand_log[7], attributes={**hand_log[7].attributes, "extra": 1})
    problems = workload.differences(interp_log, hand_log, interp_people, hand_people)
    assert len(problems) == 2 and problems[0].startswith("activity 7:")  # the record, and its transcript line
    hand_people[3].fields["lead_score"] = -1
    problems = workload.differences(interp_log, interp_log, interp_people, hand_people)
    assert problems == [problems[0]] and problems[0].startswith(f"person {hand_people[3].handle}:")


def test_people_are_a_prefix_whatever_the_size():
    assert list(people.records(20)) == list(people.records(40))[:20]


def test_the_generated_workspace_checks_clean():
    text = big_workspace.generate(programs=6, per_folder=4)
    loaded = load_source(Source("big.mkc", text))
    assert loaded.model is not None and loaded.diagnostics == []
    assert len(loaded.model.campaigns) == 30
