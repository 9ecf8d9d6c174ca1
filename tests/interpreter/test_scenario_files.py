"""Every behaviour scenario under scenarios/ checks cleanly and all its expects pass."""

from __future__ import annotations

import pytest
from interp_helpers import SCENARIOS, model_of_file

from mkc.interpreter import run_scenarios


def _cases():
    for path in SCENARIOS:
        for scenario in model_of_file(path).scenarios:
            yield pytest.param(path, scenario.name, id=f"{path.stem}: {scenario.name}")


@pytest.mark.parametrize(("path", "name"), list(_cases()))
def test_scenario_expects_pass(path, name):
    (result,) = run_scenarios(model_of_file(path), [name])
    assert result.error is None, result.error
    failed = [e.line_text for e in result.expects if not e.passed]
    assert not failed, "\n".join([*failed, "", result.transcript_text])
    assert result.expects, "a behaviour scenario states what it expects"


def test_there_are_behaviour_files():
    assert {p.stem for p in SCENARIOS} >= {
        "smart_lists",
        "qualification",
        "triggers",
        "steps",
        "waits",
        "calls",
        "tokens",
        "failures",
        "batch",
        "invalid_smart_lists",
    }
