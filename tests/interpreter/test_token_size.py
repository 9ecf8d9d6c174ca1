"""A string rendered from tokens is at most 1,000,000 characters (issue 13):
ten My Tokens each using the previous ten times would be 10^10 characters
from a 1 KB file. A longer one is a Failed Step, found before the string is
built, and the rest of the run goes on."""

from __future__ import annotations

import tracemalloc

from interp_helpers import model_of

from mkc.interpreter import run_campaign
from mkc.interpreter.tokens import MAX_RENDERED


def exploding(levels: int = 10) -> str:
    lines = ["tokens <", '  my.t0 = "xxxxxxxxxx"']
    lines += [f'  my.t{i} = "' + f"<<my.t{i - 1}>>" * 10 + '"' for i in range(1, levels)]
    return "\n".join([*lines, ">"]) + "\n"


TEXT = (
    exploding()
    + """
campaign Boom < flow < change_score +1; change_data_value note "<<my.t9>>"; change_score +1 > >
campaign Default < flow < change_data_value note "<<my.t9:default=short>>" > >
campaign Fine < flow < change_data_value note "<<my.t5>>" > >
people < person ann < >; person bob < > >
fields < note text >
"""
)
TOO_LONG = "a string with tokens would render to 10,000,000 characters: more than 1,000,000"


def test_the_checker_reports_the_blow_up_before_any_run():
    from mkc.load import load_source
    from mkc.source import Source

    codes = {d.code for d in load_source(Source("t.mkc", TEXT)).diagnostics if d.is_error}
    assert codes == {"bad-argument"}


def test_an_exploding_token_is_a_failed_step_for_each_person_and_the_run_goes_on():
    # The run-time limit still holds for a model the checker rejects (API
    # overrides, the REPL): run it anyway.
    model = model_of(TEXT, allow_errors=True)
    assert len(TEXT) < 1300 and MAX_RENDERED == 1_000_000
    tracemalloc.start()
    try:
        result = run_campaign(model, "Boom")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(a.person, a.type) for a in result.activities] == [
        ("ann", "Change Score"),
        ("ann", "Failed Step"),
        ("bob", "Change Score"),
        ("bob", "Failed Step"),
    ]
    assert result.activities[1].attributes["reason"] == TOO_LONG
    assert peak < 50_000_000  # the 10^7-character string was never built
    fine = run_campaign(model, "Fine")
    assert len(fine.activities[0].attributes["new"]) == MAX_RENDERED


def test_a_default_does_not_stand_in_for_a_value_that_is_too_long():
    result = run_campaign(model_of(TEXT, allow_errors=True), "Default")
    assert [a.attributes["reason"] for a in result.activities] == [TOO_LONG, TOO_LONG]
