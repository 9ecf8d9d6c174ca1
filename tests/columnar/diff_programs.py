"""Programs and people for the differential suite (issue 18).

`case(c)` makes one case from a source of choices (`DrawChoices` under
hypothesis, `RandomChoices` for a seed): a program built from what the
columnar engine compiles (a batch campaign `Main` with filters joined by
`logic`, choices, executables with and without the parent's token context,
list, status, score, data value, email, alert and moment steps, waits of
every form in batch and trigger flows and in choices, trigger campaigns
(each trigger the engine fires, `campaign_is_requested` with
`request_campaign` steps), `once` / `every_time` / `once_every` rules), now
and then something it is expected to refuse (a history filter, a wait that
ends within the run, a condition in a trigger flow on its event: `trigger.*`,
itself or through a My Token) so the fallback is compared too; a person export with
messy fields (empty, mixed case, numeric text, dates, values that do not fit
their column's type); and the runs to make, one after the other, over one
database, at `--at`/`--until` times that fall before, between and after the
waits' ends (a run whose clock passes a stored wait goes to the fallback,
which resumes it).
"""

from __future__ import annotations

import csv
import io
import shlex

import attrs
from fuzz.generate import DrawChoices, RandomChoices  # noqa: F401  (tests/ is on the path)

STATUSES = ("Invited", "Engaged", "Qualified")
LISTS = ("Alpha", "Beta")
EMAILS = ("Hello", "Alert")
# field -> type, as the program declares or knows them (and the export's header for each)
TEXT = ("email", "first_name", "country", "lead_status", "job_title", "tier")
NUMBER = ("lead_score", "number_of_employees", "visits")
DATE = ("created_at",)
HEADERS = {
    "email": "Email Address",
    "first_name": "First Name",
    "country": "Country",
    "lead_status": "Lead Status",
    "job_title": "Job Title",
    "tier": "Tier",
    "lead_score": "Lead Score",
    "number_of_employees": "Number of Employees",
    "visits": "Visits",
    "created_at": "Created At",
}
TEXT_VALUES = ("NL", "nl", "Be", "DE", "us", "MQL", "mql", "Open", "Manager", "vp Sales", "12", "0", "x y", "Ä", "")
TEXT_VALUES += ('O"Brien', "back\\slash", "2025-06-15", " padded ", "")  # quotes, escapes, a date, spaces
NUMBER_VALUES = ("0", "5", "20", "50", "80", "-3", "7.5", "100", "", "", "")
# a custom field's column is typed by what the export holds: text here, numbers in the program
MESSY_NUMBERS = (*NUMBER_VALUES, "1e2", " 42", "abc", "12.0")
DATE_VALUES = (
    "2025-01-01T00:00:00Z",
    "2025-06-15T10:30:00Z",
    "2025-12-31",
    "2026-01-04T23:59:00Z",
    "2026-02-01",
    "",
)
# Conditions most people meet (an empty score is 0; `before` matches an empty date).
BROAD = (
    "lead_score >= 0",
    'country != "zz"',
    "created_at before 2026-01-05T09:00",
    'not member_of_list "Beta"',
    "not email is_empty",
    'job_title not_contains "qq"',
)
PREP_AT = "2026-01-02T09:00"
AT = ("2026-01-05T09:00", "2026-01-12T09:00", "2026-02-20T09:00")
# Second runs: an hour or a day after the first (before most waits end), or a week (after most).
AGAIN = ("2026-01-05T10:00", "2026-01-06T09:00", AT[1], AT[1])
# Wait forms; `until=` before the first run's --at goes on at once (refused: through the fallback).
WAIT_UNTIL = ("2026-01-05T08:00", "2026-01-07T12:00", "2026-01-20T00:00", "2026-03-01T09:30")


@attrs.frozen
class Case:
    program: str
    people: str  # CSV text
    runs: tuple[tuple, ...]  # (campaign, --at, --until or None, --token values)

    def show(self) -> str:
        """The case as text, to reproduce a mismatch by hand."""
        runs = "\n".join(
            f"  run {c} --at {a}" + (f" --until {u}" if u else "") + "".join(f" --token {shlex.quote(t)}" for t in t_)
            for c, a, u, t_ in self.runs
        )
        return f"--- program ---\n{self.program}\n--- people.csv ---\n{self.people}--- runs ---\n{runs}\n"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Gen:
    def __init__(self, c, events: bool):
        self.c = c
        self.events = events  # whether trigger flows ask their event (the engine falls back on those)
        self.executables: list[str] = []
        self.requestable: list[str] = []  # trigger campaigns with a campaign_is_requested trigger
        self.refused = False  # something the engine is expected to hand to the fallback
        self.visits_text = False  # the export's visits column holds text (so no change_score on it)
        self.event: tuple[str, ...] = ()  # the trigger.* tokens of the trigger campaign being made (none: not one)
        self.changed: str | None = None  # the text field whose change fires it
        self.fires: str = ""  # a step that fires it
        self.asked = False  # whether it asks its event
        self.fire: list[str] = []  # steps for Main that fire the trigger campaigns asking their event

    # ---- conditions ---------------------------------------------------------------

    def condition(self, history: bool = True) -> str:
        c = self.c
        if self.events and self.event and c.chance(25):
            return self.event_condition()
        kind = c.int(0, 9)
        if kind == 0:
            return f"member_of_list {_q(c.pick(LISTS))}"
        if kind == 1:
            status = f" status={_q(c.pick(STATUSES))}" if c.chance(50) else ""
            return f"member_of_program P{status}"
        if kind == 2 and history and c.chance(30):
            self.refused = True
            return c.pick((f"was_sent_email {_q(EMAILS[0])}", "was_executed_campaign Main"))
        if kind <= 4:
            return self.number_condition()
        if kind == 5:
            return self.date_condition()
        return self.text_condition()

    def text_condition(self) -> str:
        c = self.c
        field = c.pick(TEXT)
        op = c.pick(("=", "!=", "in", "not_in", "contains", "not_contains", "starts_with", "not_starts_with")
                    + ("ends_with", "is_empty", "not_empty"))  # fmt: skip
        if op in ("is_empty", "not_empty"):
            return f"{field} {op}"
        if op in ("in", "not_in"):
            values = [c.pick(TEXT_VALUES[:-1]) for _ in range(c.int(1, 3))]
            return f"{field} {op} [{', '.join(map(_q, values))}]"
        return f"{field} {op} {_q(c.pick(TEXT_VALUES))}"

    def event_condition(self) -> str:
        """A condition on the event of the trigger flow it is in (`trigger.*`, itself or through a My
        Token): the engine's predicates do not read the event, so its plan refuses it (the fallback)."""
        c = self.c
        self.asked = True
        name, field = c.pick(self.event), c.pick(TEXT)
        ops = ("!=", "!=", "!=", "not_contains", "not_contains", "=", "contains", "starts_with")  # mostly true
        if name == "new_value" and self.changed and c.chance(75):  # true for whom the change fired it
            field, ops = self.changed, ("=", "=", "contains", "starts_with", "!=")
        token = "my.seen" if name == "new_value" and c.chance(30) else f"trigger.{name}"
        return f'{field} {c.pick(ops)} "<<{token}>>"'  # (my.seen: program P's `"<<trigger.new_value>>"`)

    def number_condition(self) -> str:
        c = self.c
        field = c.pick(NUMBER)
        op = c.pick(("=", "!=", "<", ">", "<=", ">=", "in", "not_in", "between", "is_empty", "not_empty"))
        numbers = ("0", "5", "20", "50", "80", "-3", "7.5", "100")
        if op in ("is_empty", "not_empty"):
            return f"{field} {op}"
        if op in ("in", "not_in"):
            return f"{field} {op} [{', '.join(c.pick(numbers) for _ in range(c.int(1, 3)))}]"
        if op == "between":
            lo, hi = sorted((c.pick(numbers), c.pick(numbers)), key=float)
            return f"{field} between {lo} and {hi}"
        return f"{field} {op} {c.pick(numbers)}"

    def date_condition(self) -> str:
        c = self.c
        op = c.pick(("before", "after", "on_or_before", "on_or_after", "in_past", "in_future", "between", "is_empty"))
        dates = ("2025-01-01T00:00", "2025-06-15T10:30", "2025-12-31T00:00", "2026-01-05T09:00")
        if op == "is_empty":
            return f"created_at {op}"
        if op in ("in_past", "in_future"):
            return f"created_at {op} {c.pick(('7 days', '30 days', '12 months', '2 hours'))}"
        if op == "between":
            lo, hi = sorted((c.pick(dates), c.pick(dates)))
            return f"created_at between {lo} and {hi}"
        return f"created_at {op} {c.pick(dates)}"

    def negated(self, condition: str) -> str:
        return f"not {condition}" if self.c.chance(15) else condition

    def smart_list(self, filters: int) -> list[str]:
        """`filters` filters, about half of them ones most people pass (else few enter anything)."""
        lines = [
            f"filter {self.c.pick(BROAD) if self.c.chance(50) else self.negated(self.condition())}"
            for _ in range(filters)
        ]
        if filters > 1 and self.c.chance(60):
            lines.append(f"logic {_q(self.logic(filters))}")
        return lines

    def logic(self, n: int) -> str:
        c = self.c
        if c.chance(20):
            return c.pick(("all", "any"))
        numbers = list(range(1, n + 1))
        terms = []
        while numbers:
            if len(numbers) >= 2 and c.chance(40):
                a, b = numbers.pop(0), numbers.pop(0)
                terms.append(f"({a} {c.pick(('and', 'or'))} {'not ' if c.chance(20) else ''}{b})")
            else:
                terms.append(f"{'not ' if c.chance(15) else ''}{numbers.pop(0)}")
        return f" {c.pick(('and', 'or'))} ".join(terms)

    def when(self) -> str:
        c = self.c
        first = self.negated(self.condition(history=False))
        if c.chance(30):
            return f"{first} {c.pick(('and', 'or'))} {self.condition(history=False)}"
        return first

    # ---- steps ----------------------------------------------------------------------

    def step(self, kind: str, action: str | None = None) -> str:
        c = self.c
        actions = ["score", "data", "list", "status", "email", "alert", "moment", "nothing"]
        if kind != "executable":
            actions += ["wait"]
        if kind == "batch" and self.executables:
            actions += ["execute", "execute"]
        if self.requestable:
            actions += ["request", "request"]
        action = action or c.pick(actions)
        if action == "score":
            change = c.pick(("+10", "-5", "+1", "=50", "=-2", "<<my.bonus>>"))
            field = c.pick(("", "", " field=number_of_employees") + (() if self.visits_text else (" field=visits",)))
            return f"change_score {change}{field}"
        if action == "data":
            field = c.pick(("lead_status", "lead_status", "tier", "country", "job_title", "visits"))
            value = c.pick(("MQL", "mql", "Nurture", "NL", "<<my.label>>", "<<lead.first_name:default=anon>> x"))
            value = c.pick((value, value, "<<lead.created_at>>", "<<lead.lead_score>>"))
            if field == "visits":
                value = c.pick(("12", "<<lead.lead_score>>"))
            return f"change_data_value {field} {'null' if c.chance(10) else _q(value)}"
        if action == "list":
            action = c.pick(("add", "add", "remove"))
        if action in ("add", "remove"):
            return f"{action}_{'to' if action == 'add' else 'from'}_list {_q(c.pick(LISTS))}"
        if action == "status":
            return f"change_program_status P {_q(c.pick(STATUSES))}"
        if action == "email":
            return f"send_email {_q(EMAILS[0])}"
        if action == "alert":
            return f'send_alert {_q(EMAILS[1])} to="<<my.owner>>"'
        if action == "moment":
            text = c.pick(
                ("<<lead.first_name:default=Someone>> at <<lead.lead_score>>", "<<my.label>> hit", "plain")
                + ("<<lead.created_at>> / <<lead.number_of_employees:default=none>>", "<<lead.visits>> <<my.bonus>>")
            )
            return f"interesting_moment {c.pick(('web', 'email', 'milestone'))} {_q(text)}"
        if action == "wait":
            return self.wait()
        if action == "request":
            return f"request_campaign {self.c.pick(self.requestable)}"
        if action == "execute":
            parent = " use_parent_token_context=true" if c.chance(50) else ""
            return f"execute_campaign {c.pick(self.executables)}{parent}"
        return "do_nothing"

    def wait(self) -> str:
        c = self.c
        form = c.int(0, 9)
        if form <= 3:
            return f"wait {c.int(1, 10)} {c.pick(('days', 'hours', 'minutes', 'weeks'))}"
        if form <= 5:
            days = c.pick(("[mon, tue, wed, thu, fri]", "[sat]", "[tue, thu]"))
            at = f" at={c.pick(('09:00', '00:00', '17:45'))}" if c.chance(60) else ""
            return f"wait {c.int(1, 3)} {c.pick(('days', 'hours'))} weekdays={days}{at}"
        if form <= 7:
            return f"wait {c.int(1, 2)} {c.pick(('days', 'hours'))} at={c.pick(('08:30', '09:00', '23:59'))}"
        until = c.pick(WAIT_UNTIL)
        self.refused = self.refused or until < AT[0]
        return f"wait until={until}"

    def choice(self, kind: str) -> list[str]:
        c = self.c
        action = c.pick(("score", "data", "add", "remove", "status", "moment", "email"))
        if kind != "executable" and c.chance(15):
            action = "wait"
        lines = ["choice <"]
        for _ in range(c.int(1, 3)):
            lines.append(f"  when {self.when()} < {self.step(kind, 'nothing' if c.chance(15) else action)} >")
        if c.chance(60):
            lines.append(f"  default < {self.step(kind, 'nothing' if c.chance(40) else action)} >")
        lines.append(">")
        return lines

    def flow(self, kind: str, steps: int) -> list[str]:
        items = [self.choice(kind) if self.c.chance(25) else [self.step(kind)] for _ in range(steps)]
        if kind == "batch":  # the steps that fire the trigger campaigns asking their event (else few would)
            for step in self.fire:
                items.insert(self.c.int(0, len(items)), [step])
        return [line for item in items for line in item]

    def qualification(self) -> str:
        rules = ("", "", "", "qualification once", "qualification every_time", "qualification every_time")
        rule = self.c.pick((*rules, "qualification once_every"))
        if rule.endswith("once_every"):  # the runs are 7 days apart (AT): the period, just under it, just over it
            rule += " " + self.c.pick(("7 days", "1 week", "167 hours", "8 days"))
        return rule

    def campaign(self, name: str, kind: str, smart_list: list[str], steps: int) -> list[str]:
        lines = [f"campaign {name}{' executable' if kind == 'executable' else ''} <"]
        if smart_list:
            lines += ["  smart_list <", *(f"    {line}" for line in smart_list), "  >"]
        lines += ["  flow <", *(f"    {line}" for line in self.flow(kind, steps)), "  >"]
        if q := self.qualification():
            lines.append(f"  {q}")
        lines.append(">")
        return lines

    def trigger(self, name: str) -> str:
        """One of the triggers the engine fires from its steps, with or without a constraint (`fires`:
        a step that fires it)."""
        c = self.c
        kind = c.pick(("data", "data", "score", "list", "status", "requested"))
        self.event, self.changed = ("name", "trigger_name"), None  # and a change's old and new values (§6)
        if kind in ("data", "score", "status"):
            self.event += ("old_value", "new_value", "new_value")
        if kind == "requested":
            self.fires = f"request_campaign {name}"
            return "campaign_is_requested" + c.pick(("", ' source="flow_action"'))
        if kind == "data":
            field = self.changed = c.pick(("lead_status", "lead_status", "tier", "country"))
            value = c.pick(("MQL", "mql", "NL", "Top", "Spring Nurture"))
            self.fires = f"change_data_value {field} {_q(value)}"
            return f"data_value_changes {field}{f' to={_q(value)}' if c.chance(60) else ''}"
        if kind == "score":
            field = c.pick(("", " field=lead_score", " field=number_of_employees"))
            self.fires = "change_score +1" + (field if "number" in field else "")
            return "score_is_changed" + field
        if kind == "list":
            name = _q(c.pick(LISTS))
            self.fires = f"add_to_list {name}"
            return f"added_to_list {name}"
        status = c.pick(STATUSES)
        self.fires = f"change_program_status P {_q(status)}"
        return f"program_status_changes P{f' to={_q(status)}' if c.chance(50) else ''}"

    # ---- the program, the people and the runs --------------------------------------------

    def program(self) -> str:
        c = self.c
        lines = [
            'tokens < my.owner = "ops@example.com"  my.bonus = +3  my.label = "Top" >',
            "program P <",
            f"  statuses [{', '.join(map(_q, STATUSES))}]",
            f'  tokens < my.bonus = {c.pick(("+7", "-2", "=30"))}  my.label = "Spring Nurture"',
            '    my.seen = "<<trigger.new_value>>" >',  # (asked only in flows whose trigger has a new value)
            *(f"  list {_q(name)}" for name in LISTS),
            f'  email {_q(EMAILS[0])} < subject "Hi <<lead.first_name:default=there>>, <<my.label>>" >',
            f'  email {_q(EMAILS[1])} < subject "Look: <<lead.email>> (<<lead.lead_score>>)" >',
        ]
        body: list[str] = []
        for i in range(c.int(0, 2)):
            name = f"Exec{i + 1}"
            body += self.campaign(name, "executable", self.smart_list(c.int(0, 2)), c.int(1, 3))
            self.executables.append(name)
        for name in ("OnChange", "OnOther")[: c.pick((0, 1, 1, 2))]:
            self.asked = False
            trigger = [f"trigger {self.trigger(name)}"]
            # (a smart list on the event: the engine once compiled it without the event, and answered differently)
            trigger += [
                f"filter {self.event_condition() if self.events and c.chance(40) else self.condition(history=False)}"
                for _ in range(c.int(0, 1))
            ]
            body += self.campaign(name, "trigger", trigger, c.int(1, 3))
            self.event = ()
            if self.asked and c.chance(80):
                self.fire.append(self.fires)
            if "campaign_is_requested" in trigger[0]:
                self.requestable.append(name)  # (requested by the campaigns that follow: never in a loop)
        body += self.campaign("Main", "batch", self.smart_list(c.int(0, 4)), c.int(1, 6))
        # Prep gives some people lists and program statuses before Main runs
        prep = [f"filter {self.condition(history=False)}"] if c.chance(70) else []
        steps = [f"change_program_status P {_q(c.pick(STATUSES[:2]))}", f"add_to_list {_q(c.pick(LISTS))}"]
        body += ["campaign Prep <", *(f"  smart_list < {line} >" for line in prep)]
        body += [f"  flow < {'; '.join(steps)} >", "  qualification every_time", ">"]
        lines += [f"  {line}" for line in body]
        lines.append(">")
        return "\n".join(lines) + "\n"

    def people(self) -> str:
        c = self.c
        fields = [f for f in (*TEXT, *NUMBER, *DATE) if f == "email" or c.chance(80)]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["Id", *(HEADERS[f] for f in fields)])
        for i in range(c.int(3, 16)):
            row = [str(1000 + i)]
            for f in fields:
                values = NUMBER_VALUES if f in NUMBER else DATE_VALUES if f in DATE else TEXT_VALUES
                if f == "visits" and c.chance(50):
                    values = MESSY_NUMBERS
                    self.visits_text = True
                if f == "email":
                    values = (f"p{i}@example.com", f"P{i}@Example.com", "", "not an email")
                row.append(c.pick(values))
            writer.writerow(row)
        return out.getvalue()

    def runs(self) -> tuple:
        c = self.c
        runs = [("Prep", PREP_AT, None, ())] if c.chance(30) else []
        runs.append(("Main", AT[0], None, self.tokens()))
        if c.chance(85):  # again: `once`, `every_time`, `once_every` decide who enters a second time
            again = c.pick(AGAIN)
            until = c.pick((None, None, "2026-01-05T12:00", AT[2])) if again < AT[1] else c.pick((None, AT[2]))
            runs.append(("Main", again, until if until is None or until > again else None, self.tokens()))
            if c.chance(30):  # later still: every wait so far ends by then (the fallback resumes them)
                runs.append(("Main", AT[2], None, self.tokens()))
        return tuple(runs)

    def tokens(self) -> tuple[str, ...]:
        """API My Tokens for a run (`--token`), now and then."""
        if not self.c.chance(20):
            return ()
        return (self.c.pick(("my.label=From the API", "my.bonus=+2", "my.owner=api@example.com")),)


def case(c, events: bool | None = None) -> Case:
    """A case; `events`: whether its trigger flows ask their event (`trigger.*`), drawn when None (in a
    quarter of the cases: such a run falls back, and the others keep the engine compared)."""
    gen = _Gen(c, c.chance(25) if events is None else events)
    people = gen.people()  # first: the program keeps to the column types the export makes
    return Case(gen.program(), people, gen.runs())
