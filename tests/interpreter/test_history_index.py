"""History conditions (`was_sent_email`, `was_executed_campaign`) read a
per-person index that grows with the log, never a scan of the log: a
campaign that requests itself with such a filter was quadratic (the fuzz
campaign's only hang: 100,000 requests took minutes)."""

from __future__ import annotations

from interp_helpers import model_of

from mkc.interpreter import Interpreter

TEXT = """
email E < subject "hi" >
campaign Loop <
  smart_list < trigger campaign_is_requested; filter not was_sent_email E; filter not was_executed_campaign X >
  flow < request_campaign Loop >
  qualification every_time
>
campaign X executable < flow < do_nothing > >
campaign Send < flow < send_email E; execute_campaign X > >
people < person ann < >; person bob < > >
"""


class _NoWalking(list):
    """A log that may be read by position but not walked from its start."""

    def __iter__(self):
        raise AssertionError("the whole log was walked")


def test_the_index_reads_only_what_was_logged_since():
    interp = Interpreter(model_of(TEXT))
    sent = interp.run_campaign(interp.campaign("Send"), people=["ann"]).activities[0]
    rt = interp.runtime  # the run's
    assert rt.has_done("ann", "Send Email", sent.target)  # the index now covers the log
    rt.log = _NoWalking(rt.log)
    rt._indexed = (rt.log, len(rt.log))
    rt.log.append(sent.__class__(sent.time, "bob", sent.type, sent.attributes, sent.flow, sent.via, sent.target))
    assert rt.has_done("bob", "Send Email", sent.target)


def test_history_answers_from_the_index():
    interp = Interpreter(model_of(TEXT))
    result = interp.run_campaign(interp.campaign("Send"), people=["ann"])
    assert [a.type for a in result.activities] == ["Send Email", "Executed Campaign"]
    rt = interp.runtime  # the run's
    executed = rt.keys(interp.campaign("X"))
    assert rt.has_done("ann", "Executed Campaign", executed)
    assert not rt.has_done("bob", "Executed Campaign", executed)
