"""What an activity type is (spec section 8): its ids, its attributes, and how
it is shown, in transcripts and in Marketo's REST records. The types themselves are declared by what logs them: a step's
`StepSpec.logs`, a trigger's own `TriggerSpec.recorded`, or the engine's in
`mkc.stdlib.activities`, which gathers them all.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

CHANGE = "old -> new"  # a layout column: the `old` and `new` attributes as `OLD -> NEW`


@attrs.frozen
class Rest:
    """How Marketo's REST API shows an activity type (REST.md, Activity
    records). `name`: Marketo's name for it (None: mkc's); `primary`: the
    attribute that is the record's primary attribute, and `kind` what it
    names (field, list, email, program, campaign, ...; None: nothing with an
    id); `attributes`: (mkc attribute, Marketo name) pairs, in the record's
    order. An attribute neither primary nor named here keeps its mkc name
    behind `mkc ` (`mkc requested`).
    """

    name: str | None = None
    primary: str | None = None
    kind: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    description: str = ""


@attrs.frozen
class ActivitySpec:
    """An activity type.

    `type_id` is Marketo's activity type id; where Marketo has none, `mkc_id`
    is mkc's own (from 100001, spec section 8) for exports and the REST API. `layout`
    is the transcript's columns after the type, in order: an attribute shown
    bare, `CHANGE`, or `name=` for one shown as name=value; attributes
    beyond it follow as name=value. `summary` names the attributes `mkc
    diff` describes an activity by (`Send Email "Touch 3"`), or `label(a)`
    words it from its attributes when a list of them cannot say it. `rest`
    is how exports and the REST API show it.
    """

    name: str
    type_id: int | None
    attributes: tuple[str, ...]
    layout: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    label: Callable[[dict], str] | None = None
    mkc_id: int | None = None
    rest: Rest = Rest()
