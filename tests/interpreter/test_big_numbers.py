"""Numbers past a float's range (issue 13): a score change that would leave
no finite number is a Failed Step, never an OverflowError; whole numbers
of any size stay exact."""

from __future__ import annotations

from interp_helpers import model_of

from mkc.interpreter import run_campaign
from mkc.stdlib.values import number_text, text

BIG = "9" * 400
TEXT = f"""
campaign Half < flow < change_data_value lead_score "{BIG}"; change_score +0.5; change_score +1 > >
campaign Inf < flow < change_data_value lead_score "{BIG}.5"; change_score +1 > >
campaign Whole < flow < change_data_value lead_score "{BIG}"; change_score +1
                   change_data_value note "<<lead.lead_score>>" > >
people < person ann < > >
"""
OUT_OF_RANGE = "lead_score +{}: the score would be out of range (about 1.8e308 at most)"


def test_a_score_past_a_floats_range_is_a_failed_step():
    model = model_of(TEXT)
    half = run_campaign(model, "Half")
    assert [a.type for a in half.activities] == ["Change Data Value", "Failed Step"]
    assert half.activities[1].attributes["reason"] == OUT_OF_RANGE.format("0.5")
    inf = run_campaign(model, "Inf")
    assert inf.activities[-1].attributes["reason"] == OUT_OF_RANGE.format("1")
    whole = run_campaign(model, "Whole")
    assert whole.activities[-1].attributes["new"] == "1" + "0" * 400


def test_a_huge_whole_number_shows_as_its_digits():
    assert number_text(10**400) == text(10**400) == "1" + "0" * 400
