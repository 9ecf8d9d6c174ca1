"""What an activity type is (spec section 8): its ids, its attributes, and how
it is shown. The types themselves are declared by what logs them: a step's
`StepSpec.logs`, a trigger's own `TriggerSpec.recorded`, or the engine's in
`mkc.stdlib.activities`, which gathers them all.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

CHANGE = "old -> new"  # a layout column: the `old` and `new` attributes as `OLD -> NEW`


@attrs.frozen
class ActivitySpec:
    """An activity type.

    `type_id` is Marketo's activity type id; where Marketo has none, `mkc_id`
    is mkc's own (from 100001, spec section 8) for exports and the REST API. `layout`
    is the transcript's columns after the type, in order: an attribute shown
    bare, `CHANGE`, or `name=` for one shown as name=value; attributes
    beyond it follow as name=value. `summary` names the attributes `mkc
    diff` describes an activity by (`Send Email "Touch 3"`), or `label(a)`
    words it from its attributes when a list of them cannot say it.
    """

    name: str
    type_id: int | None
    attributes: tuple[str, ...]
    layout: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    label: Callable[[dict], str] | None = None
    mkc_id: int | None = None
