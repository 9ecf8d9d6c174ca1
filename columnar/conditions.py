"""Smart lists and choice conditions as SQL over the person's row `p`: the
engine's door to `mkc.columnar.predicates` (the compiler of conditions).

`live`: the condition is asked in the middle of a run (a choice, an
executable's smart list, a trigger campaign's filters), where `p` is the
run's working table; otherwise before anything ran, where `p` is the
`people` table as it stands.
"""

from __future__ import annotations

from mkc.columnar.tokens import NotCompiled


class ConditionCompiler:
    def __init__(self, model, columns: dict | None):
        self.model = model
        self.columns = columns

    def smart_list(self, campaign, context, live: bool) -> str:
        """The campaign's filters (and logic) as SQL; 'true' when it has none."""
        smart_list = campaign.smart_list
        if smart_list is None or not smart_list.filters:
            return "true"
        raise NotCompiled(f"filters ({campaign.full_name}'s smart list)")

    def condition(self, cond, campaign, context, live: bool) -> str:
        raise NotCompiled("choice conditions")
