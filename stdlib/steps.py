"""Flow steps (spec section 4): one entry per step.

Each entry has the signature the checker validates against and the kinds of
campaign that may hold it. The interpreter attaches each step's effect to the
same entry (see `StepSpec.run`), so adding a step is one entry here plus its
tests.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from mkc.stdlib.signatures import Signature, kw, pos, sig

ALL_KINDS = frozenset({"batch", "trigger", "executable"})


@attrs.define
class StepSpec:
    name: str
    signature: Signature
    # Kinds of campaign that may hold the step, and the diagnostic code for
    # one that may not.
    allowed_in: frozenset[str] = ALL_KINDS
    not_allowed_code: str | None = None
    summary: str = ""
    run: Callable | None = None  # set by the interpreter: run(runtime, person, call)


STEPS: dict[str, StepSpec] = {
    s.name: s
    for s in [
        StepSpec("change_score", sig(pos("change", "score"), kw("field", "field", default="lead_score")),
                 summary="add to, subtract from or set a score field"),
        StepSpec("change_data_value", sig(pos("field", "field"), pos("value", "value")),
                 summary="set a person field; `null` empties it"),
        StepSpec("change_program_status", sig(pos("program", "program"), pos("status", "text")),
                 summary="make the person a member of a program with a status"),
        StepSpec("add_to_list", sig(pos("list", "list")), summary="add the person to a static list"),
        StepSpec("remove_from_list", sig(pos("list", "list")), summary="remove the person from a static list"),
        StepSpec("send_email", sig(pos("email", "email")), summary="send an email (logs its rendered subject)"),
        StepSpec("send_alert", sig(pos("email", "email"), kw("to", "text", required=True)),
                 summary="send an alert email about the person"),
        StepSpec("interesting_moment", sig(pos("type", "moment_type"), pos("description", "text")),
                 summary="log an interesting moment"),
        StepSpec("execute_campaign",
                 sig(pos("campaign", "campaign"), kw("use_parent_token_context", "bool", default=False)),
                 summary="run an executable campaign in series, inside this flow"),
        StepSpec("request_campaign", sig(pos("campaign", "campaign")),
                 summary="queue a requestable trigger campaign, in parallel"),
        StepSpec("remove_from_flow", sig(pos("campaign", "campaign", repeat=True)),
                 summary="stop a campaign's flow for the person (`this_campaign` for this one)"),
        StepSpec("wait",
                 sig(pos("duration", "duration", required=False), kw("weekdays", "weekdays"), kw("at", "time"),
                     kw("until", "datetime")),
                 allowed_in=frozenset({"batch", "trigger"}), not_allowed_code="wait-in-executable",
                 summary="pause the person's flow"),
        StepSpec("call_webhook", sig(pos("webhook", "webhook")),
                 allowed_in=frozenset({"trigger"}), not_allowed_code="webhook-not-allowed",
                 summary="call a webhook (logged, never sent)"),
        StepSpec("delete_person", sig(), summary="delete the person; their activities stay in the log"),
        StepSpec("do_nothing", sig(), summary="nothing (for a choice branch)"),
    ]
}
