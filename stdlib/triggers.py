"""Smart list triggers (spec section 3)."""

from __future__ import annotations

import attrs

from mkc.stdlib.signatures import Signature, kw, pos, sig


@attrs.define
class TriggerSpec:
    name: str
    signature: Signature
    activity: str  # the activity type that fires it, as logged
    summary: str = ""


TRIGGERS: dict[str, TriggerSpec] = {
    t.name: t
    for t in [
        TriggerSpec("campaign_is_requested", sig(kw("source", "source")), "Request Campaign",
                    "a flow step or the API requested this campaign"),
        TriggerSpec("data_value_changes", sig(pos("field", "field"), kw("from", "value"), kw("to", "value")),
                    "Change Data Value", "a person field really changed"),
        TriggerSpec("score_is_changed", sig(kw("field", "field")), "Change Score", "a score changed"),
        TriggerSpec("added_to_list", sig(pos("list", "list")), "Add to List", "the person was added to a list"),
        TriggerSpec("fills_out_form", sig(pos("form", "text")), "Fill Out Form", "the person filled out a form"),
        TriggerSpec("program_status_changes", sig(pos("program", "program"), kw("to", "text")),
                    "Change Program Status", "the person's status in a program changed"),
        TriggerSpec("person_is_created", sig(), "New Person", "the person was created"),
    ]
}
