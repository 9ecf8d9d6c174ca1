"""Who an edit treats differently: `mkc diff OLD.mkc NEW.mkc`.

Both versions run the same workloads through the interpreter, and each
person's activities are compared as a multiset: what the new version logs
that the old did not (gained) and the reverse (lost). An activity is
compared by what it did, not when: its type, its attributes except `old`
(which only echoes earlier differences) and the campaign whose flow ran it.

A workload has a `label` and `diff(old, new) -> RunDiff`. There are two:

- a scenario (`ScenarioRun`): every scenario found in either file, by name;
  each version plays its own text of it, and a scenario only one file has is
  played on both;
- a batch campaign (`CampaignRun`, `--campaign`): over each version's own
  declared people, or over the same people from a person export or a
  database (`--people`/`--db`), batch by batch: each batch is played on both
  versions and compared before the next is read, so memory holds one batch
  however many people there are. The database is only read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

import attrs

from mkc.checker.model import Model
from mkc.grammar import ast
from mkc.interpreter import Activity, BatchChanges, Interpreter, InterpreterError, Limits, PeopleBatch
from mkc.stdlib.activities import ACTIVITIES
from mkc.stdlib.values import literal


@attrs.frozen
class Outcome:
    """What one version did in one workload."""

    activities: tuple[Activity, ...]
    people: tuple[str, ...]  # everyone in the world, in the database's order
    expects: tuple = ()  # the interpreter's ExpectResults
    error: str | None = None


@attrs.frozen
class ScenarioRun:
    """A scenario, played on each version from that version's declared people."""

    name: str
    old: ast.Scenario | None
    new: ast.Scenario | None
    limits: Limits | None = None

    @property
    def label(self) -> str:
        where = "" if self.old and self.new else " (only in OLD)" if self.old else " (only in NEW)"
        return f'scenario "{self.name}"{where}'

    def play(self, model: Model, version: str) -> Outcome:
        scenario = (self.old if version == "old" else self.new) or self.old or self.new
        interp = Interpreter(model, limits=self.limits)
        try:
            result = interp.run_scenario(scenario)
        except InterpreterError as err:
            return Outcome((), _people(model), (), str(err))
        return Outcome(result.activities, _people(model), result.expects, result.error)

    def diff(self, old: Model, new: Model) -> RunDiff:
        return _compare_run(self, self.play(old, "old"), self.play(new, "new"))


@attrs.frozen
class CampaignRun:
    """A batch campaign run by each version at `at` (`mkc run --campaign`):
    over `batches()` of people from a store, from `since` to `until` as `mkc
    run --db` would, or, without `batches`, over each version's declared
    people until nothing is left."""

    ref: str
    label: str
    at: dt.datetime | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    tokens: dict = attrs.Factory(dict)
    batches: Callable[[], Iterable[PeopleBatch]] | None = None
    limits: Limits | None = None

    def diff(self, old: Model, new: Model) -> RunDiff:
        if self.batches is None:
            return _compare_run(self, self._declared(old), self._declared(new))
        versions = [Interpreter(m, schedules=False, limits=self.limits) for m in (old, new)]
        parts = [_compare_run(self, *(self._batch(v, batch) for v in versions)) for batch in self.batches()]
        errors = tuple(next((p.errors[i] for p in parts if p.errors[i]), None) for i in (0, 1))
        return RunDiff(
            self.label,
            tuple(p for part in parts for p in part.people),
            tuple(c for part in parts for c in part.changed),
            (),
            errors,
        )

    def _declared(self, model: Model) -> Outcome:
        interp = Interpreter(model, schedules=False, limits=self.limits)
        try:
            result = interp.run_campaign(self.ref, at=self.at, tokens=self.tokens)
        except InterpreterError as err:
            return Outcome((), _people(model), (), str(err))
        return Outcome(result.activities, _people(model))

    def _batch(self, interp: Interpreter, batch: PeopleBatch) -> Outcome:
        """One version's run over its own copy of `batch` (a run changes its people)."""
        people = {h: p.copy() for h, p in batch.people.items()}
        logged: list[Activity] = []
        source = _Collect(PeopleBatch(people, batch.entries, batch.waits, batch.history), logged)
        try:
            interp.run_batches(self.ref, source, self.at, self.until, self.tokens, since=self.since)
        except InterpreterError as err:
            return Outcome(tuple(logged), tuple(people), (), str(err))
        return Outcome(tuple(logged), tuple(people))


@attrs.define
class _Collect:
    """A one-batch `PeopleSource` that keeps what the run logged and writes nothing back."""

    batch: PeopleBatch
    logged: list

    def batches(self):
        return [self.batch]

    def write(self, changes: BatchChanges) -> None:
        self.logged.extend(changes.activities)


def _people(model: Model) -> tuple[str, ...]:
    return tuple(p.handle for p in model.people)


def scenario_runs(old: Model, new: Model, names=None, limits: Limits | None = None) -> list[ScenarioRun]:
    """Every scenario of either file by name (NEW's order, then those only in
    OLD), or only those named; InterpreterError for a name neither has."""
    old_by = {s.name: s for s in old.scenarios}
    new_by = {s.name: s for s in new.scenarios}
    order = list(new_by) + [n for n in old_by if n not in new_by]
    if names:
        missing = [n for n in names if n not in old_by and n not in new_by]
        if missing:
            known = ", ".join(f'"{n}"' for n in order) or "none"
            raise InterpreterError(f'no scenario named "{missing[0]}" in either file (scenarios: {known})')
        order = list(dict.fromkeys(names))
    return [ScenarioRun(n, old_by.get(n), new_by.get(n), limits) for n in order]


# ---- comparing -----------------------------------------------------------------------------


@attrs.frozen
class PersonDiff:
    person: str
    lost: tuple[str, ...]  # activity details, as many times as lost
    gained: tuple[str, ...]
    lost_labels: Counter = attrs.field(eq=False)
    gained_labels: Counter = attrs.field(eq=False)


@attrs.frozen
class RunDiff:
    label: str
    people: tuple[str, ...]  # everyone in either version's world
    changed: tuple[PersonDiff, ...]
    expects: tuple[tuple[str, str, str], ...]  # (expect, old PASS/FAIL, new PASS/FAIL) that differ
    errors: tuple[str | None, str | None]


def compare(old: Model, new: Model, runs) -> list[RunDiff]:
    return [run.diff(old, new) for run in runs]


def _compare_run(run, before: Outcome, after: Outcome) -> RunDiff:
    people = tuple(dict.fromkeys(after.people + before.people + _actors(before) + _actors(after)))
    old_by, new_by = _by_person(before.activities), _by_person(after.activities)
    changed = []
    for person in people:
        old_acts, new_acts = old_by.get(person, []), new_by.get(person, [])
        was = Counter(_detail(a) for a in old_acts)
        now = Counter(_detail(a) for a in new_acts)
        lost, gained = was - now, now - was
        if lost or gained:
            changed.append(
                PersonDiff(
                    person,
                    tuple(_expand(lost, old_acts)),
                    tuple(_expand(gained, new_acts)),
                    _labels(old_acts, lost),
                    _labels(new_acts, gained),
                )
            )
    expects = []
    for a, b in zip(before.expects, after.expects):
        if a.text == b.text and a.passed != b.passed:
            expects.append((a.text, _word(a), _word(b)))
    return RunDiff(run.label, people, tuple(changed), tuple(expects), (before.error, after.error))


def _actors(outcome: Outcome) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a.person for a in outcome.activities))


def _by_person(activities) -> dict[str, list[Activity]]:
    """Each person's activities, in log order: compared person by person, so
    the work grows with the log, not with people times the log."""
    by: dict[str, list[Activity]] = {}
    for act in activities:
        by.setdefault(act.person, []).append(act)
    return by


def _expand(counts: Counter, activities) -> list[str]:
    """The details in `counts`, each as often as it counts, in log order (one person's activities)."""
    left, out = Counter(counts), []
    for act in activities:
        detail = _detail(act)
        if left[detail] > 0:
            left[detail] -= 1
            out.append(detail)
    return out


def _labels(activities, details: Counter) -> Counter:
    labels: Counter = Counter()
    left = Counter(details)
    for act in activities:
        detail = _detail(act)
        if left[detail] > 0:
            left[detail] -= 1
            labels[label(act)] += 1
    return labels


def _word(expect) -> str:
    return "PASS" if expect.passed else "FAIL"


# ---- activities in words ---------------------------------------------------------------------


def label(act: Activity) -> str:
    """An activity in a few words, for the summary: `Change Score +10`,
    `Send Email "Touch 3"`, `Change Data Value lead_status = "MQL"`."""
    a = act.attributes
    spec = ACTIVITIES.get(act.type)
    if spec is not None and spec.label is not None:
        return spec.label(a)
    parts = [act.type]
    for name in _summary(act.type):
        if name not in a:
            continue
        value = a[name]
        if name == "new":
            parts.append(f"= {literal(value)}")
        elif name == "qualified":
            parts.append(f"qualified={'TRUE' if value else 'FALSE'}")
        elif name in ("field", "type", "campaign"):
            parts.append(str(value))
        else:
            parts.append(literal(value))
    return " ".join(parts)


def _detail(act: Activity) -> str:
    """The label, every other attribute but `old`, and the flow that ran it."""
    used = {*_summary(act.type), "old"}
    extra = [f"{k}={_value(v)}" for k, v in act.attributes.items() if k not in used]
    flow = [f"in {act.flow}"] if act.flow is not None else []
    return "  ".join([label(act), *extra, *flow])


def _summary(type_: str) -> tuple[str, ...]:
    """The attributes the label names (`ActivitySpec.summary`)."""
    spec = ACTIVITIES.get(type_)
    return spec.summary if spec is not None else ()


def _value(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return literal(value)


# ---- text ---------------------------------------------------------------------------------------


def render(diffs: list[RunDiff]) -> str:
    out: list[str] = []
    for d in diffs:
        n = len(d.changed)
        head = (
            "no difference"
            if not (n or d.expects or d.errors[0] != d.errors[1])
            else (f"{n:,} of {_n_people(len(d.people))} treated differently")
        )
        out.append(f"{d.label}: {head}")
        for p in d.changed:
            out.append(f"  {p.person}")
            out += [f"    - {line}" for line in p.lost]
            out += [f"    + {line}" for line in p.gained]
        for text, was, now in d.expects:
            out.append(f"  {was} -> {now}  {text}")
        if d.errors[0] != d.errors[1]:
            for version, error in zip(("OLD", "NEW"), d.errors):
                if error:
                    out.append(f"  {version} stopped: {error}")
    out.append("")
    out.append(summary(diffs))
    return "\n".join(out) + "\n"


def summary(diffs: list[RunDiff]) -> str:
    """`this change affects 1 of 3 people: 1 more gets Change Score +10`."""
    everyone = list(dict.fromkeys(p for d in diffs for p in d.people))
    affected = list(dict.fromkeys(p.person for d in diffs for p in d.changed))
    if not affected:
        return f"this change affects none of {_n_people(len(everyone))}"
    more: dict[str, set] = {}
    fewer: dict[str, set] = {}
    for d in diffs:
        for p in d.changed:
            for name in p.gained_labels:
                more.setdefault(name, set()).add(p.person)
            for name in p.lost_labels:
                fewer.setdefault(name, set()).add(p.person)
    counted = [(len(who), "more", name) for name, who in more.items()]
    counted += [(len(who), "no longer", name) for name, who in fewer.items()]
    # Over a database, texts with tokens make many labels: the most common
    # first (a stable sort keeps gained before lost, then first seen), the
    # rest counted.
    counted.sort(key=lambda c: -c[0])
    parts = [_count(*c) for c in counted[:SUMMARY_PARTS]]
    if len(counted) > SUMMARY_PARTS:
        parts.append(f"and {len(counted) - SUMMARY_PARTS} more differences (above)")
    return f"this change affects {len(affected):,} of {_n_people(len(everyone))}: " + ", ".join(parts)


SUMMARY_PARTS = 8


def _count(n: int, word: str, name: str) -> str:
    return f"{n} {word} get{'s' if n == 1 else ''} {name}"


def _n_people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"
