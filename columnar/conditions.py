"""Smart lists and choice conditions as SQL over the person's row `p`: the
engine's door to `mkc.columnar.predicates` (the compiler of conditions,
`smart_list` and `condition` over a row of `people`).

`live`: the condition is asked in the middle of a run (a choice, an
executable's smart list, a trigger campaign's filters), where `p` is the
run's working table, whose field columns (and `_extra`) are the person's
values then, and whose membership columns (`members`, given by the plan:
one for each list or program a live condition reads, as for each one a step
changes) are the person's memberships as the flow left them. Otherwise
(the batch campaign's smart list, before the run) memberships are read from
the store's tables.

The predicates raise a DuckDB error for a few values they do not model (see
their docstring); an error would end the run's transaction, so the run
first looks for such values among the fields the conditions read
(`guards`) and leaves the campaign to the reference when it finds one.
"""

from __future__ import annotations

from collections.abc import Mapping

from mkc.columnar.tokens import NotCompiled
from mkc.store.schema import quote


class _Reading(Mapping):
    """The people's columns, noting each field a condition reads."""

    def __init__(self, columns: Mapping[str, str]):
        self.columns = columns
        self.read: set[str] = set()

    def __getitem__(self, name):
        self.read.add(name)
        return self.columns[name]

    def get(self, name, default=None):
        self.read.add(name)
        return self.columns.get(name, default)

    def __contains__(self, name):
        self.read.add(name)
        return name in self.columns

    def __iter__(self):
        return iter(self.columns)

    def __len__(self):
        return len(self.columns)


class ConditionCompiler:
    def __init__(self, runtime, columns: dict | None, at, members=None):
        self.rt = runtime
        self.columns = _Reading(columns if columns is not None else {})
        self.known = columns is not None
        self.at = at
        self.members = members  # list or program -> its column in the working table (`predicates.Context`)

    def smart_list(self, campaign, context, live: bool) -> str:
        """The campaign's filters (and logic) as SQL; 'true' when it has none."""
        smart_list = campaign.smart_list
        if smart_list is None or not smart_list.filters:
            return "true"
        return self._compile("smart_list", smart_list, campaign, context, live)

    def condition(self, cond, campaign, context, live: bool) -> str:
        return self._compile("condition", cond, campaign, context, live)

    def _compile(self, what: str, node, campaign, context, live: bool) -> str:
        try:
            from mkc.columnar import predicates
        except ImportError:  # (the compiler of conditions is not there yet)
            raise NotCompiled("filters and choice conditions (no SQL predicates)") from None
        ctx = predicates.Context(self.columns, self.at, self.rt, context, self.members if live else None)
        try:
            sql = getattr(predicates, what)(node, campaign.scope, ctx)
        except predicates.Unsupported as err:
            raise NotCompiled(err.reason) from None
        return f"({sql})"

    def guards(self):
        """(SQL over a row `p` of `people`, reason): values the predicates raise on."""
        for name in sorted(self.columns.read):
            ctype = self.columns.columns.get(name)
            col = f"p.{quote(name)}"
            if ctype == "DOUBLE":
                yield f"isnan({col}) OR abs({col}) >= 1e38", f"NaN or a huge number in {name}"
            elif ctype == "VARCHAR":
                digits = f"regexp_full_match({col}, '\\s*[+-]?[\\p{{Nd}}.]+\\s*')"
                # (more bytes than characters: not ASCII, found faster than by a regular expression)
                yield f"strlen({col}) <> length({col}) AND {digits}", f"a number in non-ASCII digits in {name}"
        if self.columns.read:
            names = ", ".join("'" + n.replace("'", "''") + "'" for n in sorted(self.columns.read))
            yield f"p._extra IS NOT NULL AND list_has_any(json_keys(p._extra), [{names}])", "values kept in _extra"
