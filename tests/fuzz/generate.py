"""Programs generated from the language's vocabulary: workspaces, folders,
programs, tokens, assets, campaigns (smart lists, flows, choices), people
and scenarios, with the stdlib's steps, conditions and triggers and their
signatures, naming mostly what the program declares, so most inputs parse
and check and go on to run. A few choices are deliberately off (an unknown
name, a wrong type, an extreme value) to reach the checker's and the
interpreter's error paths.

One generator, two sources of choices: `programs()` is a hypothesis
strategy (it shrinks); `program(random.Random(seed))` is the same for the
long campaign, where hypothesis's overhead per input is not wanted.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from mkc.stdlib import CONDITIONS, STEPS, TRIGGERS
from mkc.stdlib.conditions import FIELD_OPS

FIELDS = {
    "email": "text",
    "first_name": "text",
    "country": "text",
    "lead_status": "text",
    "lead_score": "number",
    "number_of_employees": "number",
    "unsubscribed": "boolean",
    "created_at": "date",
}
MOMENTS = ("web", "email", "milestone")
UNITS = ("minutes", "minute", "hours", "hour", "days", "day", "weeks", "week", "months", "month")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ACTIVITIES = (
    "Change Score",
    "Change Data Value",
    "Send Email",
    "Add to List",
    "Remove from List",
    "Executed Campaign",
    "Request Campaign",
    "Change Program Status",
    "Interesting Moment",
    "Call Webhook",
    "Failed Step",
    "Fill Out Form",
    "Remove from Flow",
)
# The field operators each type takes (a file that is not sloppy keeps to them).
OPS = {
    "text": ("=", "!=", "in", "not_in", "contains", "not_contains", "starts_with", "not_starts_with", "ends_with")
    + ("is_empty", "not_empty"),
    "number": ("=", "!=", "<", ">", "<=", ">=", "in", "not_in", "between", "is_empty", "not_empty"),
    "boolean": ("=", "!=", "is_empty", "not_empty"),
    "date": ("before", "after", "on_or_before", "on_or_after", "in_past", "in_future", "between", "is_empty"),
}
TRIGGER_TOKENS = ("name", "trigger_name", "old_value", "new_value")  # the last two: only some triggers
HUGE = ("99999999999999999999", "9999-12-31T23:59", "0001-01-01T00:00")


class RandomChoices:
    """Choices from a `random.Random`."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, options):
        return self.rng.choice(list(options))

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def chance(self, percent: int) -> bool:
        return self.rng.randrange(100) < percent


class DrawChoices(RandomChoices):
    """Choices drawn by hypothesis (so that it can shrink them)."""

    def __init__(self, draw):
        self.draw = draw

    def pick(self, options):
        return self.draw(st.sampled_from(list(options)))

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) < percent


def _q(name: str) -> str:
    return f'"{name}"' if " " in name or "-" in name else name


class _Gen:
    def __init__(self, c: RandomChoices):
        self.c = c
        self.programs: list[str] = []
        self.statuses: dict[str, list[str]] = {}
        self.lists: list[str] = []
        self.smart_lists: list[str] = []
        self.emails: list[str] = []
        self.webhooks: list[str] = []
        self.tokens: list[str] = []
        self.campaigns: list[tuple[str, str]] = []  # (name, kind)
        self.people: list[str] = []
        self.requestable: list[str] = []  # trigger campaigns with `campaign_is_requested`
        self.done: list[tuple[str, str]] = []  # the campaigns generated so far
        self.kind = "batch"  # of the campaign being generated
        # A quarter of the files are sloppy: they name what is not declared,
        # give wrong types and extreme values; the others mostly check clean.
        self.sloppy = c.chance(25)

    def off(self, percent: int) -> bool:
        return self.sloppy and self.c.chance(percent)

    # ---- values ------------------------------------------------------------------------

    def name(self, pool: list[str], kind: str) -> str:
        """One of `pool`, or now and then a name nothing declares."""
        if pool and not self.off(10):
            return _q(self.c.pick(pool))
        return f"missing_{kind}"

    def datetime(self) -> str:
        if self.off(10):
            return self.c.pick(HUGE)
        month, day, hour = self.c.int(1, 12), self.c.int(1, 28), self.c.int(0, 23)
        return f"2026-{month:02d}-{day:02d}T{hour:02d}:{self.c.pick(('00', '30'))}"

    def duration(self) -> str:
        n = self.c.pick((1, 2, 3, 7, 30)) if not self.off(10) else self.c.pick((0, 999999, 10**12))
        return f"{n} {self.c.pick(UNITS)}"

    def token(self) -> str:
        scope = self.c.pick(("my", "my", "my", "lead", "trigger", "campaign", "program", "system", "member"))
        if self.kind == "scenario" and not self.off(50):
            scope = self.c.pick(("lead", "system"))  # what a scenario command can answer (no campaign runs it)
        if scope == "trigger" and self.kind != "trigger" and not self.off(50):
            scope = "campaign"
        if scope == "my" and self.c.chance(50):
            return "<<my.title>>"  # the root declares it
        name = {
            "my": lambda: self.c.pick(self.tokens or ("score", "x")),
            "lead": lambda: self.c.pick(list(FIELDS)),
            "trigger": lambda: self.c.pick(TRIGGER_TOKENS[: 4 if self.sloppy else 2]),
            "campaign": lambda: self.c.pick(("name", "id")),
            "program": lambda: self.c.pick(("name", "id")),
            "system": lambda: self.c.pick(("date", "dateTime")),
            "member": lambda: self.c.pick(("status", "acquired_by")),
        }[scope]()
        default = f":default={self.c.pick(('x', '', '0'))}" if self.c.chance(20) else ""
        return f"<<{scope}.{name}{default}>>"

    def text(self) -> str:
        parts = [self.c.pick(("Hi", "x", "", "NL", "MQL", "a b"))]
        for _ in range(self.c.int(0, 2)):
            parts.append(self.token())
        return '"' + " ".join(parts) + '"'

    def score(self) -> str:
        if self.c.chance(15):
            return "<<my.score>>"
        sign = self.c.pick(("+", "-", "="))
        n = self.c.pick(("5", "10", "2.5") + (("0",) if sign != "-" else ())) if not self.off(10) else HUGE[0]
        return f"{sign}{n}"

    def value(self, type_: str = "value") -> str:
        if type_ == "number":
            return self.c.pick(("0", "10", "-3", "2.5", "40")) if not self.off(10) else HUGE[0]
        if type_ == "boolean":
            return self.c.pick(("true", "false"))
        if type_ == "date":
            return self.datetime()
        if type_ == "text":
            return self.text()
        if self.c.chance(3):
            return "null"
        return self.value(self.c.pick(("number", "boolean", "date", "text", "text")))

    def field(self) -> str:
        return self.c.pick(list(FIELDS)) if not self.off(10) else "no_such_field"

    # ---- conditions --------------------------------------------------------------------

    def field_condition(self) -> str:
        field = self.field()
        type_ = FIELDS.get(field, "text")
        op = self.c.pick(FIELD_OPS if self.off(30) else OPS[type_])
        if op in ("in", "not_in"):
            return f"{field} {op} [{', '.join(self.value(type_) for _ in range(self.c.int(not self.sloppy, 3)))}]"
        if op in ("in_past", "in_future"):
            return f"{field} {op} {self.duration()}"
        if op == "between":
            return f"{field} between {self.value(type_)} and {self.value(type_)}"
        if op in ("is_empty", "not_empty"):
            return f"{field} {op}"
        if op in ("before", "after", "on_or_before", "on_or_after"):
            return f"{field} {op} {self.datetime()}"
        return f"{field} {op} {self.value(type_)}"

    def call_args(self, signature, numeric_field: bool = False) -> str:
        """`numeric_field`: the call's field is a score (change_score, score_is_changed)."""
        args = []
        for p in signature.params:
            if not p.required and not self.c.chance(40):
                continue
            arg = self.arg(p.type)
            if p.type == "field" and numeric_field and not self.off(10):
                arg = self.c.pick([f for f, t in FIELDS.items() if t == "number"])
            if p.repeat:
                arg = " ".join(self.arg(p.type) for _ in range(self.c.int(1, 3)))
            args.append(arg if p.positional else f"{p.name}={arg}")
        return " ".join(args)

    def arg(self, type_: str) -> str:
        pools = {
            "list": (self.lists, "list"),
            "smart_list": (self.smart_lists, "smart_list"),
            "email": (self.emails, "email"),
            "webhook": (self.webhooks, "webhook"),
            "program": (self.programs, "program"),
            "campaign": ([n for n, _ in self.campaigns], "campaign"),
            "executable": ([n for n, k in self.done if k == "executable"], "campaign"),
            "requestable": (self.requestable, "campaign"),
        }
        if type_ in pools:
            return self.name(*pools[type_])
        return {
            "score": self.score,
            "field": self.field,
            "value": self.value,
            "text": self.text,
            "number": lambda: self.value("number"),
            "bool": lambda: self.value("boolean"),
            "duration": self.duration,
            "datetime": self.datetime,
            "time": lambda: self.c.pick(("09:00", "17:30", "0:00", "23:59")),
            "weekdays": lambda: f"[{', '.join(self.c.pick(WEEKDAYS) for _ in range(self.c.int(not self.sloppy, 3)))}]",
            "moment_type": lambda: self.c.pick(MOMENTS),
            "source": lambda: self.c.pick(('"api"', '"flow_action"')),
        }.get(type_, self.value)()

    def condition(self, depth: int = 0) -> str:
        roll = self.c.int(0, 9)
        if depth < 3 and roll == 0:
            return f"not {self.condition(depth + 1)}"
        if depth < 3 and roll == 1:
            op = self.c.pick(("and", "or"))
            return f"({self.condition(depth + 1)} {op} {self.condition(depth + 1)})"
        if roll < 6:
            return self.field_condition()
        name = self.c.pick(list(CONDITIONS))
        cond = f"{name} {self.call_args(CONDITIONS[name].signature)}".rstrip()
        return cond if " " in cond else self.field_condition()  # a condition call takes arguments

    # ---- declarations ------------------------------------------------------------------

    def step_name(self) -> str:
        name = self.c.pick(list(STEPS))
        if self.off(20):
            return name
        executables = any(k == "executable" for _, k in self.done)
        if (
            (name == "wait" and self.kind == "executable")
            or (name == "call_webhook" and self.kind != "trigger")
            or (name == "execute_campaign" and not executables)
            or (name == "request_campaign" and not self.requestable)
        ):
            return "change_score"
        return name

    def step(self, name: str | None = None) -> str:
        name = name or self.step_name()
        if name == "execute_campaign" and not self.off(20):
            parent = f" use_parent_token_context={self.value('boolean')}" if self.c.chance(40) else ""
            return f"execute_campaign {self.arg('executable')}{parent}"
        if name == "request_campaign" and not self.off(20):
            return f"request_campaign {self.arg('requestable')}"
        if name == "change_program_status" and self.statuses and not self.off(20):
            program = self.c.pick(list(self.statuses))
            return f'change_program_status {program} "{self.c.pick(self.statuses[program])}"'
        if name == "wait":
            parts = [self.duration()] if self.c.chance(70) or not self.sloppy else []
            if self.c.chance(30):
                parts.append(f"weekdays={self.arg('weekdays')}")
            if self.c.chance(20):
                parts.append(f"at={self.arg('time')}")
            if not parts or self.off(10):
                parts.append(f"until={self.datetime()}")
            return "wait " + " ".join(parts)
        return f"{name} {self.call_args(STEPS[name].signature, name == 'change_score')}".rstrip()

    def choice(self) -> str:
        name = self.step_name()  # every branch runs the same step (or do_nothing)
        if name == "wait" and not self.off(50):
            name = "change_score"
        whens = [f"when {self.condition()} < {self.step(name)} >" for _ in range(self.c.int(1, 3))]
        if self.c.chance(60):
            whens.append(f"default < {self.step(name if self.c.chance(70) else 'do_nothing')} >")
        return "choice <\n" + "\n".join("        " + w for w in whens) + "\n      >"

    def campaign(self, name: str, kind: str) -> str:
        self.kind = kind
        lines = [f"campaign {_q(name)}{'' if kind == 'batch' and self.c.chance(50) else ' ' + kind}"]
        batches = [n for n, k in self.done if k == "batch"]
        if (batches and kind == "batch" and self.c.chance(8)) or (self.campaigns and self.off(5)):
            pool = batches if kind == "batch" else [n for n, _ in self.campaigns]
            lines[0] += f" clone_of {self.name(pool, 'campaign')}"
        lines[0] += " <"
        if kind != "executable" or self.off(10):
            sl = []
            if kind == "trigger" or self.off(5):
                if name in self.requestable:
                    sl.append("trigger campaign_is_requested")
                for _ in range(self.c.int(0 if sl else 1, 2)):
                    trig = self.c.pick(list(TRIGGERS))
                    args = self.call_args(TRIGGERS[trig].signature, trig == "score_is_changed")
                    sl.append(f"trigger {trig} {args}".rstrip())
            filters = self.c.int(0, 3)
            sl += [f"filter {self.condition()}" for _ in range(filters)]
            if filters > 1 and self.c.chance(40):
                logic = ("1 and 2", "1 or 2", "not (1 and 2)", "1 and (2 or 3)")[: 2 * filters - 2]
                logic += ("4", "1 and", "(1", "1 or or 2", "((((1))))") if self.sloppy else ()
                sl.append(f'logic "{self.c.pick(logic)}"')
            lines.append("  smart_list < " + "; ".join(sl) + " >")
        steps = [self.choice() if self.c.chance(15) else self.step() for _ in range(self.c.int(0, 4))]
        lines.append("  flow <\n" + "".join(f"    {s}\n" for s in steps) + "  >")
        if self.c.chance(30):
            mode = self.c.pick(("every_time", "once", "once_every"))
            lines.append(f"  qualification {mode}{' ' + self.duration() if mode == 'once_every' else ''}")
        if kind == "batch" and self.c.chance(25):
            sched = f"  schedule at {self.datetime()}"
            if self.c.chance(60):
                # Every few minutes for months is legal and bounded (the run's work limit), but slow:
                # a file that is not sloppy recurs daily at most, so the time budget finds real hangs.
                every = self.duration() if self.sloppy else f"{self.c.pick((1, 2, 7))} {self.c.pick(('days', 'weeks'))}"
                sched += f" every {every}"
                if self.c.chance(50):
                    sched += f" until {self.datetime()}"
            lines.append(sched)
        if kind == "trigger" and self.c.chance(20):
            lines.append(f"  active {self.value('boolean')}")
        return "\n".join(lines) + "\n>"

    def tokens_block(self, n: int) -> str:
        decls, names = [], ["score", "title", "when"]
        for _ in range(n):
            name = self.c.pick(names + (["x", "Webinar Date"] if self.sloppy else []))
            if name in names and not self.off(30):
                names.remove(name)  # a name once per block
            value = {"score": "=5", "title": '"T"', "when": "2026-03-01T09:00"}.get(name, '"x"')
            if self.c.chance(60):
                value = {"score": self.score, "when": self.datetime}.get(name, lambda: '"Y"')()
                value = "+1" if value == "<<my.score>>" and not self.off(30) else value
            decls.append(f"my.{_q(name)} = {value}")
        return "tokens < " + "; ".join(decls) + " >"

    def program(self, name: str) -> str:
        self.programs.append(name)
        body = []
        if self.c.chance(50):
            statuses = ["Invited", "Registered", "Attended"][: self.c.int(1, 3)]
            self.statuses[name] = statuses
            body.append("statuses [" + ", ".join(f'"{s}"' for s in statuses) + "]")
        if self.c.chance(60):
            body.append(self.tokens_block(self.c.int(1, 3)))
        for kind, pool in (("list", self.lists), ("email", self.emails), ("webhook", self.webhooks)):
            if self.c.chance(50):
                asset = f"{kind[0].upper()}{len(pool)}"
                pool.append(asset)
                if kind == "list":
                    body.append(f"list {asset}")
                elif kind == "email":
                    body.append(f'email {asset} < subject {self.text()} from "a@example.com" >')
                else:
                    body.append(f'webhook {asset} < url {self.text()} method "POST" >')
        if self.c.chance(20):
            sl = f"S{len(self.smart_lists)}"
            self.smart_lists.append(sl)
            body.append(f"smart_list {sl} < filter {self.condition()} >")
        for cname, kind in self.plan[name]:
            body.append(self.campaign(cname, kind))
            self.done.append((cname, kind))
        return f"program {_q(name)} <\n" + "\n".join(body) + "\n>"

    def people_block(self) -> str:
        persons = []
        for handle in ("ann", "bob", "cat")[: self.c.int(1, 3)]:
            self.people.append(handle)
            fields = [f"{f} {self.value(FIELDS[f])}" for f in FIELDS if self.c.chance(35)]
            persons.append(f"  person {handle} < {' '.join(fields)} >")
        return "people <\n" + "\n".join(persons) + "\n>"

    def command(self) -> str:
        c = self.c
        self.kind = "scenario"
        person = self.name(self.people, "person")
        kinds = {k: [n for n, kk in self.campaigns if kk == k] for k in ("batch", "trigger", "executable")}
        rolls = ["at", "event", "event", "set", "advance"]
        rolls += ["run", "run", "schedule"] if kinds["batch"] or self.sloppy else []
        rolls += ["request"] if self.requestable or self.sloppy else []
        rolls += ["active"] if kinds["trigger"] or self.sloppy else []
        roll = c.pick(rolls) if not c.chance(30) else c.pick(("expect", "expect_activity", "expect_no"))
        if roll == "at":
            return f"at {self.datetime()}"
        if roll == "run":
            who = f" for {person}" if c.chance(30) else ""
            return f"run {self.name(kinds['batch'], 'campaign')}{who}"
        if roll == "request":
            toks = f" tokens < my.score = {self.score()} >" if c.chance(30) else ""
            return f"request {self.name(self.requestable, 'campaign')} for {person}{toks}"
        if roll == "schedule":
            return f"schedule {self.name(kinds['batch'], 'campaign')} at {self.datetime()}"
        if roll == "event":
            trig = c.pick(list(TRIGGERS))
            args = self.call_args(TRIGGERS[trig].signature, trig == "score_is_changed")
            return f"event {person} {trig} {args}".rstrip()
        if roll == "set":
            field = self.field()
            return f"set {person} {field} {self.value(FIELDS.get(field, 'text'))}"
        if roll == "active":
            return f"{c.pick(('activate', 'deactivate'))} {self.name(kinds['trigger'], 'campaign')}"
        if roll == "advance":
            return f"advance {self.duration()}"
        if roll == "expect":
            return f"expect {person} {self.condition()}"
        no = "no " if roll == "expect_no" else ""
        kw = f" count={c.int(0, 3)}" if c.chance(20) and not no else ""
        return f'expect {no}activity {person} "{c.pick(ACTIVITIES)}"{kw}'

    def file(self) -> str:
        parts = []
        if not self.off(50):
            self.tokens += ["score", "title", "when"]
            parts.append('tokens < my.score = +5; my.title = "T"; my.when = 2026-03-01T09:00 >')
        assets = None
        if not self.off(50):  # assets everyone can name
            self.lists.append("Newsletter")
            self.emails.append("Welcome")
            self.webhooks.append("Sync")
            self.smart_lists.append("Engaged")
            assets = (
                'list Newsletter\nemail Welcome < subject "Hi <<lead.first_name:default=there>>" >\n'
                'webhook Sync < url "https://crm.example.com/?e=<<lead.email>>" method "POST" >\n'
                "smart_list Engaged < filter lead_score > 10 >"
            )
        # Every campaign's name and kind first, so that flows can name those declared later.
        self.plan = {}
        for i in range(self.c.int(1, 3)):
            self.plan[f"P{i}"] = []
            for _ in range(self.c.int(1, 3)):
                name, kind = f"C{len(self.campaigns)}", self.c.pick(("batch", "batch", "trigger", "executable"))
                self.campaigns.append((name, kind))
                self.plan[f"P{i}"].append((name, kind))
                if kind == "trigger" and self.c.chance(50):
                    self.requestable.append(name)
        programs = [self.program(name) for name in self.plan]
        if assets:
            programs.insert(0, assets)
        if self.c.chance(25):  # inside a workspace, maybe a folder
            inner = "\n".join(programs)
            if self.c.chance(40):
                inner = f"folder F <\n{inner}\n>"
            programs = [f"workspace W <\n{inner}\n>"]
        parts += programs
        parts.append(self.people_block())
        for i in range(self.c.int(1, 2)):
            commands = [self.command() for _ in range(self.c.int(1, 8))]
            parts.append(f'scenario "s{i}" <\n' + "".join(f"  {cmd}\n" for cmd in commands) + ">")
        return "\n\n".join(parts) + "\n"


def program(rng: random.Random) -> str:
    """A generated program, all of whose choices come from `rng`."""
    return _Gen(RandomChoices(rng)).file()


@st.composite
def programs(draw) -> str:
    """The hypothesis strategy: the same programs, drawn (and shrunk) by hypothesis."""
    return _Gen(DrawChoices(draw)).file()
