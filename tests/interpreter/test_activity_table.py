"""The activity table the checker reads (stdlib/activities.py) against what
the interpreter really logs, so the two cannot drift apart."""

import pathlib

import pytest
from interp_helpers import SCENARIOS, model_of_file

from mkc.interpreter import run_scenarios
from mkc.interpreter.transcript import CHANGE, LAYOUTS
from mkc.stdlib.activities import ACTIVITIES, activity

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROGRAMS = sorted([*ROOT.glob("examples/*.mkc"), ROOT / "tests/spec_examples/scenario_complete.mkc", *SCENARIOS])


def test_the_layouts_show_only_known_attributes():
    for name, columns in LAYOUTS.items():
        shown = {c.rstrip("=") for c in columns if c != CHANGE} | ({"old", "new"} if CHANGE in columns else set())
        assert shown <= set(ACTIVITIES[name].attributes), name


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.name)
def test_every_logged_activity_is_in_the_table(path):
    seen = 0
    for result in run_scenarios(model_of_file(path)):
        for act in result.activities:
            spec = activity(act.type)
            assert spec is not None and spec.name == act.type, act
            assert set(act.attributes) <= set(spec.attributes), act
            seen += 1
    assert seen
