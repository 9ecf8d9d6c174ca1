"""The spec's examples must parse, check and behave as written (section 7's
scenario is completed with the declarations it refers to)."""

import pathlib

from mkc.interpreter import run_scenarios
from mkc.load import load_source
from mkc.source import Source

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_section_7_scenario_passes_every_expect():
    path = ROOT / "tests" / "spec_examples" / "scenario_complete.mkc"
    loaded = load_source(Source(str(path), path.read_text()))
    assert not loaded.diagnostics
    (result,) = run_scenarios(loaded.model)
    assert result.passed
    assert [e.passed for e in result.expects] == [True] * 5
    lines = result.transcript.splitlines()
    # The two lines section 8 prints, in the same shape.
    assert (
        "2026-01-05T09:00  ann  Executed Campaign  Scoring.Score  qualified=TRUE  use_parent_token_context=TRUE"
        "  flow=Ops.ParentA" in lines
    )
    assert (
        "2026-01-05T09:00  ann  Change Score  lead_score  0 -> 10  change=+10  flow=Scoring.Score"
        "  via=Ops.ParentA" in lines
    )
