"""The activities the interpreter logs (spec section 8): each type's Marketo
activity type id, where Marketo has one, and the attributes it carries.

The checker reads this to catch an `expect activity` that can never match (a
misspelt type or attribute); tests check that every activity the
interpreter logs stays within it.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class ActivitySpec:
    name: str
    type_id: int | None
    attributes: tuple[str, ...]


ACTIVITIES: dict[str, ActivitySpec] = {
    a.name: a
    for a in [
        ActivitySpec("Change Score", 22, ("field", "old", "new", "change")),
        ActivitySpec("Change Data Value", 13, ("field", "old", "new")),
        ActivitySpec("Change Program Status", 104, ("program", "old", "new", "requested", "reason")),
        ActivitySpec("Add to List", 24, ("list",)),
        ActivitySpec("Remove from List", 25, ("list",)),
        ActivitySpec("Send Email", 6, ("email", "subject")),
        ActivitySpec("Send Alert", 38, ("email", "to")),
        ActivitySpec("Interesting Moment", 46, ("type", "description")),
        ActivitySpec("Call Webhook", 110, ("webhook", "request")),
        ActivitySpec("Delete Person", 37, ()),
        ActivitySpec("Request Campaign", 47, ("campaign", "source")),
        ActivitySpec("Executed Campaign", None, ("campaign", "qualified", "use_parent_token_context")),
        ActivitySpec("Remove from Flow", None, ("campaign",)),
        ActivitySpec("Failed Step", None, ("step", "reason", "line")),
        # Recorded by scenario events, with Marketo's ids.
        ActivitySpec("Fill Out Form", 2, ("form",)),
        ActivitySpec("New Person", 12, ()),
    ]
}

# What every activity has besides its attributes; `expect activity` can match these too.
COMMON = ("flow", "via", "time", "person")


def activity(name: str) -> ActivitySpec | None:
    """The activity type `name`, compared case-insensitively as `expect activity` does."""
    folded = name.casefold()
    return next((a for a in ACTIVITIES.values() if a.name.casefold() == folded), None)
