"""The activities the interpreter logs (spec section 8), gathered from what
logs them: each step's `logs`, the engine's own below, and the activities
only a scenario's `event` records (`TriggerSpec.recorded`). Each is an
`ActivitySpec`: its Marketo activity type id, where Marketo has one, its
attributes, and how transcripts and `mkc diff` show it.

The checker reads this to catch an `expect activity` that can never match (a
misspelt type or attribute); tests check that every activity the
interpreter logs stays within it.
"""

from __future__ import annotations

from mkc.stdlib.activity_types import ActivitySpec, Rest
from mkc.stdlib.steps import STEPS
from mkc.stdlib.triggers import TRIGGERS

# What the engine logs itself: calls between campaigns, and a step that failed.
ENGINE = (
    ActivitySpec(
        "Request Campaign",
        47,
        ("campaign", "source"),
        ("campaign", "source="),
        ("campaign",),
        rest=Rest(None, "campaign", "campaign", (("source", "Source"),), "A campaign was requested for the person"),
    ),
    ActivitySpec(
        "Executed Campaign",
        None,
        ("campaign", "qualified", "use_parent_token_context"),
        ("campaign", "qualified=", "use_parent_token_context="),
        ("campaign", "qualified"),
        mkc_id=100001,
        rest=Rest(
            "Executed Campaign (mkc)",
            "campaign",
            "campaign",
            (("qualified", "Qualified"), ("use_parent_token_context", "Use Parent Token Context")),
            "Execute Campaign ran an executable campaign (mkc's own)",
        ),
    ),
    ActivitySpec(
        "Remove from Flow",
        None,
        ("campaign",),
        ("campaign",),
        ("campaign",),
        mkc_id=100002,
        rest=Rest(
            "Remove from Flow (mkc)",
            "campaign",
            "campaign",
            description="The person was removed from a campaign's flow (mkc's own)",
        ),
    ),
    ActivitySpec(
        "Failed Step",
        None,
        ("step", "reason", "line"),
        ("step", "reason=", "line="),
        ("step",),
        mkc_id=100003,
        rest=Rest("Failed Step (mkc)", "step", None, (("reason", "Reason"),), "A flow step failed (mkc's own)"),
    ),
)

ACTIVITIES: dict[str, ActivitySpec] = {
    a.name: a
    for a in [
        *(s.logs for s in STEPS.values() if s.logs is not None),
        *ENGINE,
        *(t.recorded for t in TRIGGERS.values() if t.recorded is not None),
    ]
}

# What every activity has besides its attributes; `expect activity` can match these too.
COMMON = ("flow", "via", "time", "person")


def activity(name: str) -> ActivitySpec | None:
    """The activity type `name`, compared case-insensitively as `expect activity` does."""
    folded = name.casefold()
    return next((a for a in ACTIVITIES.values() if a.name.casefold() == folded), None)
