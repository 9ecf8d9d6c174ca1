"""Smart list conditions (spec section 3): field operators and named conditions."""

from __future__ import annotations

import attrs

from mkc.stdlib.signatures import Signature, kw, pos, sig

# Field operators, by the kind of operand they take (the grammar fixes arity).
COMPARE_OPS = ("=", "!=", "<", ">", "<=", ">=")
SET_OPS = ("in", "not_in")
TEXT_OPS = ("contains", "not_contains", "starts_with", "not_starts_with", "ends_with")
DATE_OPS = ("before", "after", "on_or_before", "on_or_after")
RELATIVE_OPS = ("in_past", "in_future")
RANGE_OPS = ("between",)
EMPTY_OPS = ("is_empty", "not_empty")
FIELD_OPS = COMPARE_OPS + SET_OPS + TEXT_OPS + DATE_OPS + RELATIVE_OPS + RANGE_OPS + EMPTY_OPS


@attrs.define
class ConditionSpec:
    name: str
    signature: Signature
    summary: str = ""
    evaluate: object = None  # set by the interpreter: evaluate(runtime, person, call) -> bool


CONDITIONS: dict[str, ConditionSpec] = {
    c.name: c
    for c in [
        ConditionSpec("member_of_list", sig(pos("list", "list")), "is in a static list"),
        ConditionSpec("member_of_program", sig(pos("program", "program"), kw("status", "text")),
                      "is a member of a program, optionally with a status"),
        ConditionSpec("member_of_smart_list", sig(pos("smart_list", "smart_list")),
                      "qualifies for a smart list asset"),
        ConditionSpec("was_sent_email", sig(pos("email", "email")), "was sent an email"),
        ConditionSpec("was_executed_campaign", sig(pos("campaign", "campaign")),
                      "ran through an executable campaign's flow"),
    ]
}
