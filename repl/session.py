"""The REPL's state and what each entry does, independent of any terminal.

A `Session` holds the loaded file, the declarations typed so far (as source
text, so `:save` writes them back), the current person and campaign, and the
running world (people, log, clock) kept by the interpreter. `handle(text)`
takes one complete entry and gives a `Reply` to print:

- a declaration is added to the program, and the file plus every typed
  declaration is parsed and checked again as one program; one that brings
  new errors is not added (the session's program stays runnable), and one
  that names a campaign, program, folder, workspace, asset or scenario typed
  earlier in the session replaces it;
- a scenario command (`run`, `set`, `advance`, `expect`, ...) is checked as
  if it stood in a scenario, then runs;
- a bare flow step is checked as if it were the flow of the current
  campaign (`:use`), then runs for the current person (`:person`);
- `:command ...` is a REPL command (`:help` lists them).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import attrs

from mkc.checker import check
from mkc.checker.model import DEFAULT_WORKSPACE, CampaignInfo, Model
from mkc.diagnostics import Diagnostic, DiagnosticError, render_all
from mkc.grammar import ast, parse, parse_line, unquote
from mkc.grammar.dump import show_value
from mkc.repl import tokens as token_report
from mkc.repl.completion import Vocabulary, name_text, vocabulary_of
from mkc.repl.continuation import is_blank
from mkc.repl.runtime import InterpreterRuntime, Runtime, RuntimeFailure
from mkc.source import BadInput, Source
from mkc.stdlib import CONDITIONS, STEPS, TRIGGERS
from mkc.stdlib.signatures import TYPES
from mkc.stdlib.values import literal

SCRATCH = "Scratch"
SCENARIO = "repl session"  # the hidden scenario a typed command is checked in

DECLARATIONS = (
    ast.Tokens,
    ast.Fields,
    ast.Workspace,
    ast.Folder,
    ast.Program,
    ast.Campaign,
    ast.ListAsset,
    ast.SmartListAsset,
    ast.EmailAsset,
    ast.WebhookAsset,
    ast.People,
    ast.Scenario,
)
STEP_TYPES = (ast.Step, ast.Choice)

_KIND_WORDS = {
    ast.Tokens: "tokens",
    ast.Fields: "fields",
    ast.Workspace: "workspace",
    ast.Folder: "folder",
    ast.Program: "program",
    ast.Campaign: "campaign",
    ast.ListAsset: "list",
    ast.SmartListAsset: "smart_list",
    ast.EmailAsset: "email",
    ast.WebhookAsset: "webhook",
    ast.People: "people",
    ast.Scenario: "scenario",
}


@attrs.define
class Reply:
    """What one entry printed, and whether it went wrong (for piped mode's exit status)."""

    lines: list[str] = attrs.Factory(list)
    failed: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def say(self, *lines: str) -> None:
        self.lines.extend(lines)

    def fail(self, *lines: str) -> None:
        self.lines.extend(lines)
        self.failed = True


@attrs.define
class Entry:
    """A declaration typed in the session: its source text, under its own name."""

    name: str  # "<repl:N>", the file name its diagnostics are reported under
    text: str


@attrs.frozen
class Command:
    name: str
    usage: str
    summary: str
    run: Callable


class Session:
    def __init__(
        self,
        file: str | None = None,
        *,
        color: bool = False,
        runtime_factory: Callable[[], Runtime] = InterpreterRuntime,
    ):
        self.color = color
        self.done = False  # set by :quit
        self.path: str | None = None
        self.source: Source | None = None  # the loaded file, as last read
        self.neighbours: list[Source] = []  # the other files of its project, in path order (spec section 2)
        self.place = 0  # where the loaded file stands among them
        self.entries: list[Entry] = []
        self.count = 0  # entries seen: names `<repl:N>`
        self.person: str | None = None
        self.campaign: str | None = None  # full name; None is the scratch campaign
        self.api_given: list[tuple[str, token_report.ApiTokens]] = []  # (campaign full name, tokens)
        self.model: Model | None = None
        self.diagnostics: list[Diagnostic] = []
        self.runtime: Runtime = runtime_factory()
        self.commands = self._commands()
        self._rebuild()
        self.runtime.reset(self.model)
        self._pick_person()
        if file is not None:
            reply = self.load(file)
            self.startup = reply
        else:
            self.startup = Reply()

    # ---- entries --------------------------------------------------------------

    def handle(self, text: str) -> Reply:
        """Do one complete entry (see the module docstring). Never raises: a bug
        in mkc is reported as an internal error and the session goes on."""
        reply = Reply()
        try:
            self._handle(text, reply)
        except Exception as err:
            reply.fail(f"internal error: {type(err).__name__}: {err} (the session goes on)")
        return reply

    def _handle(self, text: str, reply: Reply) -> None:
        if is_blank(text):
            return
        stripped = text.strip()
        if stripped.startswith(":"):
            self._command(stripped, reply)
            return
        self.count += 1
        name = f"<repl:{self.count}>"
        try:
            node = parse_line(text, name)
        except DiagnosticError as err:
            reply.fail(self._render(err.diagnostics, {name: Source(name, text)}))
            return
        if isinstance(node, DECLARATIONS):
            self._declare(Entry(name, text), node, reply)
        elif isinstance(node, STEP_TYPES):
            self._step(name, text, node, reply)
        else:
            self._scenario_command(name, text, node, reply)

    def _declare(self, entry: Entry, node, reply: Reply) -> None:
        before = {_key(d) for d in self.diagnostics if d.is_error}
        replaced = self._replaces(node)
        entries = list(self.entries)
        if replaced is not None:
            entries[replaced] = entry
        else:
            entries.append(entry)
        model, diags = self._assemble(entries)
        new = [d for d in diags if _key(d) not in before and (d.is_error or _in(d, entry.name))]
        errors = [d for d in new if d.is_error]
        sources = self._sources(entries)
        if new:
            reply.say(self._render(new, sources))
        if errors:
            reply.fail(f"not added: {_plural(len(errors), 'error')}; fix the declaration and enter it again")
            return
        old = self.entries[replaced] if replaced is not None else None
        self.entries, self.model, self.diagnostics = entries, model, diags
        self.runtime.use(model)
        if self.person is None:
            self._pick_person()
        what = _describe(node, model)
        reply.say(f"replaced {what} (was {old.name})" if old else f"added {what}")

    def _replaces(self, node) -> int | None:
        """The index of the earlier typed declaration `node` replaces, if any."""
        key = _decl_key(node)
        if key is None:
            return None
        for i, entry in enumerate(self.entries):
            if _decl_key(_parse_entry(entry.text, entry.name)) == key:
                return i
        return None

    def _step(self, name: str, text: str, node, reply: Reply) -> None:
        person = self._require_person(reply)
        if person is None:
            return
        campaign = self.current_campaign()
        if campaign is None:
            reply.fail(f"campaign {self.campaign} no longer exists; `:use` another")
            return
        model, diags = self._assemble(self.entries, step=(campaign, node))
        if not self._passes(diags, name, text, reply):
            return
        # Run in the session's own model: there the campaign keeps its real flow, which
        # matters when the step triggers it again.
        target = self._find(self.model, campaign.full_name)
        self._watch(reply, lambda: self.runtime.run_steps(self.model, target, person, (node,)))

    def _passes(self, diags, name: str, text: str, reply: Reply) -> bool:
        """Show the diagnostics about the typed entry; False (not run) when one is an error."""
        mine = [d for d in diags if _in(d, name)]
        if mine:
            reply.say(self._render(mine, {name: Source(name, text)}))
        if any(d.is_error for d in mine):
            reply.fail("not run")
            return False
        return True

    def _scenario_command(self, name: str, text: str, node, reply: Reply) -> None:
        model, diags = self._assemble(self.entries, command=node)
        if not self._passes(diags, name, text, reply):
            return
        self._watch(reply, lambda: self.runtime.command(model, node))
        if isinstance(node, (ast.Request, ast.ScheduleRun)) and node.tokens and not reply.failed:
            res = model.resolve_global("campaign", node.campaign)
            if res.ok:  # remembered for `:tokens`
                given = token_report.ApiTokens("this session", token_report.describe_command(node), node.tokens.decls)
                self.api_given.append((res.target.full_name, given))

    def _watch(self, reply: Reply, action: Callable) -> None:
        """Run `action` and print the activities it logged and the fields it changed."""
        before_log = self.runtime.log_size()
        before = self.runtime.people()
        waiting = {key for key, _ in self.runtime.pending()}
        try:
            result = action()
        except RuntimeFailure as err:
            reply.fail(f"error: {err}")
            return
        except Exception as err:  # a bug in the interpreter: say so, and keep what it printed
            reply.say(*self.runtime.log_lines(start=before_log))
            reply.fail(f"internal error in the interpreter: {type(err).__name__}: {err} (the session goes on)")
            return
        reply.say(*self.runtime.log_lines(start=before_log))
        after = self.runtime.people()
        for handle, fields in after.items():
            old = before.get(handle)
            if old is None:
                reply.say(f"  {handle}: created")
                continue
            for field in sorted(set(old) | set(fields)):
                if old.get(field) != fields.get(field):
                    reply.say(f"  {handle}.{field}: {_show(old.get(field))} -> {_show(fields.get(field))}")
        for handle in before:
            if handle not in after:
                reply.say(f"  {handle}: deleted")
                if handle == self.person:
                    self._pick_person()
                    reply.say(f"  the current person is now {self.person}" if self.person else "  nobody is left")
        queued = [text for key, text in self.runtime.pending() if key not in waiting]
        if queued:
            reply.say("  queued:", *(f"    {text}" for text in queued))
        if result is not None:
            lines, ok = result
            reply.say(*lines)
            if not ok:
                reply.failed = True
        if len(reply.lines) == 0:
            reply.say("(no activity)")

    # ---- the program ------------------------------------------------------------

    def _assemble(self, entries: list[Entry], step=None, command=None) -> tuple[Model, list[Diagnostic]]:
        """Parse the file and every typed declaration again, and check them as one program.

        With `step=(campaign, node)`, the campaign's flow is that one step (the
        scratch campaign when `campaign` is it); with `command`, it stands in a
        hidden scenario. Both are checked in place, as if written there."""
        items: list = []
        for source in self._files():
            module = _parse_file(source.text, source.name)
            if module is not None:
                items.extend(module.items)
        workspace = self.workspace()
        for entry in entries:
            node = _parse_entry(entry.text, entry.name)
            items.append(ast.Workspace(workspace, (node,)) if self._loose(node) else node)
        scratch = ast.Campaign(
            self._scratch_name(items),
            "batch",
            None,
            description="the REPL's scratch campaign: bare steps run here",
            qualification=ast.Qualification("every_time"),
        )
        if step is not None:
            campaign, node = step
            flow = ast.Flow((node,), span=node.span)
            if campaign.node.span is None:  # the scratch campaign
                scratch = attrs.evolve(scratch, flow=flow)
            else:
                items = _replace(items, campaign.node, attrs.evolve(campaign.node, flow=flow))
        items.append(scratch if workspace == DEFAULT_WORKSPACE else ast.Workspace(workspace, (scratch,)))
        if command is not None:
            items.append(ast.Scenario(SCENARIO, (command,)))
        model, diags = check(ast.Module(self.path or "<repl>", tuple(items)))
        return model, diags

    def _rebuild(self) -> None:
        self.model, self.diagnostics = self._assemble(self.entries)

    def _scratch_name(self, items) -> str:
        taken = {c.name for c in _campaigns(items)}
        name, n = SCRATCH, 1
        while name in taken:
            n += 1
            name = f"{SCRATCH}{n}"
        return name

    def workspace(self) -> str:
        """The session's workspace: `Default`, unless the loaded file declares exactly one
        workspace and nothing outside it; then that one. The scratch campaign lives there, and
        so do campaigns, programs, folders and assets typed outside a `workspace` block, so a
        bare step sees them all."""
        module = _parse_file(self.source.text, self.source.name) if self.source is not None else None
        items = module.items if module is not None else ()
        named = {i.name for i in items if isinstance(i, ast.Workspace)}
        loose = any(not isinstance(i, (ast.Workspace, ast.Tokens, ast.Fields, ast.People, ast.Scenario)) for i in items)
        if len(named) == 1 and not loose:
            return next(iter(named))
        return DEFAULT_WORKSPACE

    def _loose(self, node) -> bool:
        """A typed declaration that goes into the session's workspace (see `workspace`)."""
        return self.workspace() != DEFAULT_WORKSPACE and not isinstance(
            node, (ast.Workspace, ast.Tokens, ast.Fields, ast.People, ast.Scenario)
        )

    def scratch(self, model: Model | None = None) -> CampaignInfo:
        model = model or self.model
        return next(c for c in reversed(model.campaigns) if c.node.span is None and c.name.startswith(SCRATCH))

    def current_campaign(self) -> CampaignInfo | None:
        """The campaign bare steps run in (None if the one `:use` chose is gone)."""
        if self.campaign is None:
            return self.scratch()
        return self._find(self.model, self.campaign)

    @staticmethod
    def _find(model: Model, full_name: str) -> CampaignInfo | None:
        found = [c for c in model.campaigns if c.full_name == full_name]
        return found[0] if len(found) == 1 else (found[-1] if found else None)

    def _sources(self, entries: list[Entry]) -> dict[str, Source]:
        sources = {e.name: Source(e.name, e.text) for e in entries}
        for source in self._files():
            sources[source.name] = source
        return sources

    def _files(self) -> list[Source]:
        """The loaded file, with the files of its project around it in their order."""
        if self.source is None:
            return []
        return [*self.neighbours[: self.place], self.source, *self.neighbours[self.place :]]

    def _render(self, diags: list[Diagnostic], sources: dict[str, Source]) -> str:
        return render_all(diags, sources, color=self.color).rstrip("\n")

    def _pick_person(self) -> None:
        people = list(self.runtime.people())
        if self.person not in people:
            self.person = people[0] if people else None

    def _require_person(self, reply: Reply) -> str | None:
        if self.person is None and self._people():
            reply.fail("no current person: `:person NAME` picks one")
        elif self.person is None:
            reply.fail(
                "no person to run the step for: declare one, e.g. "
                '`people < person ann < email "ann@example.com" lead_score 0 > >`'
            )
        return self.person

    def vocabulary(self) -> Vocabulary:
        """The names completion offers, from the program as it stands and the people run so far."""
        people = self.runtime.people()
        fields = [f for values in people.values() for f in values]
        return vocabulary_of(
            self.model,
            tuple(people),
            fields,
            tuple((c.name, c.summary) for c in self.commands.values()),
            skip=self.scratch(),
        )

    # ---- REPL commands ------------------------------------------------------------

    def _commands(self) -> dict[str, Command]:
        table = [
            Command(
                "help",
                ":help [STEP|COMMAND]",
                "this help, or one step's, condition's or trigger's arguments",
                self.cmd_help,
            ),
            Command("load", ":load PATH", "load a file or a project's directory (what you typed stays)", self.cmd_load),
            Command("reload", ":reload", "read the file again and start the world afresh", self.cmd_reload),
            Command("check", ":check", "check the whole program and show every problem", self.cmd_check),
            Command("people", ":people", "everyone in the database, with their fields", self.cmd_people),
            Command("person", ":person [NAME]", "show the current person, or switch to NAME", self.cmd_person),
            Command(
                "use",
                ":use [CAMPAIGN]",
                "show the campaign bare steps run in, or switch (`:use -` for scratch)",
                self.cmd_use,
            ),
            Command("log", ":log [PERSON]", "the activity log, or one person's", self.cmd_log),
            Command(
                "tokens", ":tokens [CAMPAIGN]", "the tokens a campaign sees, and where each comes from", self.cmd_tokens
            ),
            Command(
                "scenario",
                ":scenario [NAME]",
                "list the declared scenarios, or play one in a fresh world and stay at its end",
                self.cmd_scenario,
            ),
            Command("clock", ":clock", "the virtual clock (set it with `at`, move it with `advance`)", self.cmd_clock),
            Command(
                "reset",
                ":reset",
                "start the world afresh: declared people, empty log, clock at the start",
                self.cmd_reset,
            ),
            Command(
                "save",
                ":save[!] FILE",
                "write the declarations typed in this session as mkc source (`:save!` overwrites)",
                self.cmd_save,
            ),
            Command("quit", ":quit", "leave (or Ctrl-D)", self.cmd_quit),
        ]
        return {c.name: c for c in table}

    def _command(self, text: str, reply: Reply) -> None:
        word, _, arg = text[1:].partition(" ")
        arg = arg.strip()
        bang = word.endswith("!")
        word = word.rstrip("!")
        matches = [c for c in self.commands.values() if c.name == word] or [
            c for c in self.commands.values() if word and c.name.startswith(word)
        ]
        if word == "exit":
            matches = [self.commands["quit"]]
        if len(matches) != 1:
            options = ", ".join(f":{c.name}" for c in matches) if matches else None
            why = f"`:{word}` could be {options}" if options else f"no command `:{word}`"
            reply.fail(f"{why}; `:help` lists the commands")
            return
        command = matches[0]
        if bang and command.name != "save":
            reply.fail(f"`:{command.name}` takes no `!`")
            return
        if command.name == "save":
            command.run(arg, reply, overwrite=bang)
        else:
            command.run(arg, reply)

    def cmd_help(self, arg: str, reply: Reply) -> None:
        if arg:
            self._help_topic(arg.lstrip(":"), reply)
            return
        reply.say(
            "Type any of these; Enter runs it, or continues it while a `<` block is open:",
            "  a declaration      campaign, program, folder, workspace, tokens, list, smart_list, email,",
            "                     webhook, people, scenario: added to the program and checked at once",
            "  a flow step        runs for the current person in the current campaign, e.g. change_score +10",
            "  a scenario command run, request, schedule, event, set, activate, deactivate, advance, at, expect",
            "Commands:",
        )
        width = max(len(c.usage) for c in self.commands.values())
        for c in self.commands.values():
            reply.say(f"  {c.usage.ljust(width)}  {c.summary}")
        reply.say("Tab completes; Ctrl-C cancels the input; Ctrl-D leaves.")

    def _help_topic(self, topic: str, reply: Reply) -> None:
        for kind, table in (("step", STEPS), ("condition", CONDITIONS), ("trigger", TRIGGERS)):
            if topic in table:
                spec = table[topic]
                usage = f"{topic} {spec.signature.describe()}".rstrip()
                reply.say(f"{kind} {usage}", f"  {spec.summary}")
                for p in spec.signature.params:
                    need = "" if p.required else ", optional"
                    reply.say(f"  {p.name}: {TYPES.get(p.type, p.type)}{need}")
                return
        if topic in self.commands:
            c = self.commands[topic]
            reply.say(f"{c.usage}  {c.summary}")
            return
        reply.fail(f"no step, condition, trigger or command named `{topic}`")

    def load(self, path: str) -> Reply:
        reply = Reply()
        self.cmd_load(path, reply)
        return reply

    def cmd_load(self, arg: str, reply: Reply) -> None:
        if not arg:
            reply.fail("usage: :load PATH (a .mkc file or a project's directory)")
            return
        try:
            from mkc.load import program_file
            from mkc.source import read_source

            path = program_file(os.path.expanduser(arg))  # a project's directory: its first file
            source = read_source(path)
        except BadInput as err:
            reply.fail(f"error: {err}")
            return
        try:
            self.neighbours, self.place = _project_neighbours(path)
        except BadInput as err:
            reply.fail(f"error: {err}")
            return
        self.path, self.source = path, source
        self._restart(
            reply,
            f"loaded {path}"
            + (f" with {_plural(len(self.neighbours), 'other file')} of its project" if self.neighbours else ""),
        )

    def cmd_reload(self, arg: str, reply: Reply) -> None:
        if self.path is None:
            reply.fail("no file loaded: `:load PATH` first")
            return
        self.cmd_load(self.path, reply)

    def _restart(self, reply: Reply, verb: str) -> None:
        diags: list[Diagnostic] = []
        try:
            parse(self.source.text, self.source.name)
        except DiagnosticError as err:
            diags = err.diagnostics
        self._rebuild()
        diags += [d for d in self.diagnostics if d not in diags]
        if self.campaign is not None and self._find(self.model, self.campaign) is None:
            self.campaign = None
        self.runtime.reset(self.model)
        self._pick_person()
        if diags:
            reply.say(self._render(diags, self._sources(self.entries)))
        errors = sum(d.is_error for d in diags)
        parsed = _parse_file(self.source.text, self.source.name) is not None
        if not parsed:
            reply.fail(f"{self.path} does not parse: only the session's declarations are loaded; fix it and :reload")
            return
        m = self.model
        summary = (
            f"{verb}: {_plural(len(m.campaigns) - 1, 'campaign')}, {_plural(len(m.people), 'person', 'people')}"
            f", {_plural(len(m.scenarios), 'scenario')}"
        )
        if errors:
            reply.fail(f"{summary}; {_plural(errors, 'error')}: steps that touch them may fail")
        else:
            reply.say(summary)
        self._say_context(reply)

    def _say_context(self, reply: Reply) -> None:
        campaign = self.campaign or f"{self.scratch().full_name} (scratch)"
        reply.say(f"person {self.person or '(none)'}, campaign {campaign}, workspace {self.workspace()}")

    def cmd_check(self, arg: str, reply: Reply) -> None:
        self._rebuild()
        diags = list(self.diagnostics)
        if self.source is not None:
            try:
                parse(self.source.text, self.source.name)
            except DiagnosticError as err:
                diags = err.diagnostics + diags
        if diags:
            reply.say(self._render(diags, self._sources(self.entries)))
        errors = sum(d.is_error for d in diags)
        warnings = len(diags) - errors
        if errors:
            reply.fail(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}")
        else:
            reply.say(f"ok: no errors, {_plural(warnings, 'warning')}")

    def cmd_people(self, arg: str, reply: Reply) -> None:
        people = self._people()
        if not people:
            reply.say('nobody: declare people with `people < person ann < email "ann@example.com" > >`')
            return
        width = max(len(h) for h in people)
        for handle, fields in people.items():
            mark = "*" if handle == self.person else " "
            shown = "  ".join(f"{k}={_show(v)}" for k, v in fields.items())
            reply.say(f"{mark} {handle.ljust(width)}  {shown}".rstrip())

    def _people(self) -> dict[str, dict]:
        return self.runtime.people()

    def cmd_person(self, arg: str, reply: Reply) -> None:
        people = self._people()
        if arg:
            if arg not in people:
                known = ", ".join(people) or "nobody yet"
                reply.fail(f"no person `{arg}` (people: {known})")
                return
            self.person = arg
        if self.person is None:
            reply.say("no current person: `:person NAME` picks one")
            return
        fields = people.get(self.person, {})
        reply.say(f"person {self.person}")
        for k, v in fields.items():
            reply.say(f"  {k} = {_show(v)}")

    def cmd_use(self, arg: str, reply: Reply) -> None:
        if arg in ("-", SCRATCH):
            self.campaign = None
        elif arg:
            res = self.model.resolve_global("campaign", _ref(arg))
            if not res.ok:
                names = [c.full_name for c in res.candidates]
                why = f"`{arg}` names more than one campaign: {', '.join(names)}" if names else f"no campaign `{arg}`"
                reply.fail(why)
                return
            self.campaign = None if res.target is self.scratch() else res.target.full_name
        c = self.current_campaign()
        scratch = " (scratch)" if self.campaign is None else ""
        reply.say(f"campaign {c.full_name}{scratch}: {c.kind}, workspace {c.workspace}; bare steps run in its context")

    def cmd_log(self, arg: str, reply: Reply) -> None:
        lines = self.runtime.log_lines(person=arg or None)
        if not lines:
            lines = [f"(no activity for {arg})" if arg else "(no activity yet)"]
        reply.say(*lines)

    def cmd_tokens(self, arg: str, reply: Reply) -> None:
        if arg:
            res = self.model.resolve_global("campaign", _ref(arg))
            if not res.ok:
                reply.fail(f"no campaign `{arg}`" if not res.candidates else f"`{arg}` is ambiguous")
                return
            campaign = res.target
        else:
            campaign = self._find(self.model, self.current_campaign().full_name)

        def api_of(c: CampaignInfo) -> list[token_report.ApiTokens]:
            given = token_report.api_tokens_in_scenarios(self.model, c)
            return given + [g for name, g in self.api_given if name == c.full_name]

        reply.say(*token_report.report(self.model, campaign, api_of))

    def cmd_scenario(self, arg: str, reply: Reply) -> None:
        names = [s.name for s in self.model.scenarios]
        if not arg:
            reply.say(*([f'  "{n}"' for n in names] or ['no scenarios: declare one with `scenario "NAME" < … >`']))
            return
        name = arg.strip('"')
        matches = [n for n in names if n == name] or [n for n in names if n.casefold().startswith(name.casefold())]
        if len(matches) != 1:
            listed = ", ".join(f'"{n}"' for n in matches or names) or "none"
            reply.fail(f"`{arg}` could be {listed}" if matches else f'no scenario "{name}" (scenarios: {listed})')
            return
        try:
            lines, passed = self.runtime.play(self.model, matches[0])
        except RuntimeFailure as err:
            reply.fail(f"error: {err}")
            return
        reply.say(*lines)
        self._pick_person()
        verdict = f'scenario "{matches[0]}" {"passed" if passed else "failed"}; the world is as it left it'
        if passed:
            reply.say(verdict)
        else:
            reply.fail(verdict)

    def cmd_clock(self, arg: str, reply: Reply) -> None:
        reply.say(ast.format_datetime(self.runtime.clock()))
        pending = self.runtime.pending()
        if pending:
            reply.say("queued (`advance` or `at` runs what falls due):", *(f"  {text}" for _, text in pending))

    def cmd_reset(self, arg: str, reply: Reply) -> None:
        self.runtime.reset(self.model)
        self._pick_person()
        reply.say(
            f"the world starts afresh at {ast.format_datetime(self.runtime.clock())}: "
            f"{_plural(len(self._people()), 'person', 'people')}, empty log"
        )

    def cmd_save(self, arg: str, reply: Reply, overwrite: bool = False) -> None:
        if not arg:
            reply.fail("usage: :save FILE")
            return
        if not self.entries:
            reply.fail("nothing to save: no declarations were typed in this session")
            return
        path = os.path.expanduser(arg)
        if os.path.islink(path):  # (a dangling one would create its target, somewhere else)
            reply.fail(f"{arg} is a symbolic link: :save writes only to a plain file")
            return
        if os.path.exists(path) and not overwrite:
            reply.fail(f"{arg} exists: `:save! {arg}` overwrites it")
            return
        text = self.saved_text()
        # O_NOFOLLOW and O_EXCL: a link made since the checks above is not followed either.
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL) | getattr(os, "O_NOFOLLOW", 0)
        try:
            with open(os.open(path, flags, 0o666), "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as err:
            reply.fail(f"error: {arg}: {err.strerror}")
            return
        reply.say(f"saved {_plural(len(self.entries), 'declaration')} to {arg}")

    def saved_text(self) -> str:
        """The session's declarations, in order, as an mkc file."""
        parts = []
        for entry in self.entries:
            text = entry.text.strip("\n")
            if self._loose(_parse_entry(entry.text, entry.name)):
                # Strings and tokens never span lines, so indenting every line is safe.
                inner = "\n".join(("  " + line).rstrip() for line in text.split("\n"))
                text = f"workspace {name_text(self.workspace())} <\n{inner}\n>"
            parts.append(text)
        return "\n\n".join(parts) + "\n"

    def cmd_quit(self, arg: str, reply: Reply) -> None:
        self.done = True


# ---- helpers -----------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _project_neighbours(path: str) -> tuple[list[Source], int]:
    """The other files of the project `path` lies in (none outside one), and
    where `path` stands among them."""
    from pathlib import Path

    from mkc.load import display_name, same_file
    from mkc.project import find_project
    from mkc.source import read_source

    project = find_project(Path(path))
    if project is None:
        return [], 0
    files = project.files()
    place = next((i for i, f in enumerate(files) if same_file(str(f), path)), len(files))
    return [read_source(display_name(f)) for f in files if not same_file(str(f), path)], place


def _parse_file(text: str, name: str) -> ast.Module | None:
    try:
        return parse(text, name)
    except DiagnosticError:
        return None


@functools.lru_cache(maxsize=1024)
def _parse_entry(text: str, name: str):
    return parse_line(text, name)


def _replace(items, old, new) -> list:
    """`items` with the campaign `old` (found by name and place) replaced by `new`, however deep."""
    out = []
    for item in items:
        if isinstance(item, ast.Campaign) and item.name == old.name and item.span == old.span:
            out.append(new)
        elif isinstance(item, (ast.Workspace, ast.Folder, ast.Program)):
            out.append(attrs.evolve(item, items=tuple(_replace(item.items, old, new))))
        else:
            out.append(item)
    return out


def _campaigns(items):
    for item in items:
        if isinstance(item, ast.Campaign):
            yield item
        elif isinstance(item, (ast.Workspace, ast.Folder, ast.Program)):
            yield from _campaigns(item.items)


def _decl_key(node):
    """What a typed declaration replaces: the same kind and name. Workspaces and folders
    only open a container (a second `workspace Europe < ... >` adds to the first), so
    they replace nothing."""
    name = getattr(node, "name", None)
    if name is None or not isinstance(node, DECLARATIONS) or isinstance(node, (ast.Workspace, ast.Folder)):
        return None
    return type(node), name


def _describe(node, model: Model) -> str:
    kind = _KIND_WORDS.get(type(node), "declaration")
    if isinstance(node, ast.Campaign):
        found = [c for c in model.campaigns if c.node.span == node.span and c.name == node.name]
        if found:
            return f"{found[0].kind} campaign {found[0].full_name}"
    if isinstance(node, ast.People):
        return "people " + ", ".join(p.handle for p in node.persons)
    if isinstance(node, ast.Tokens):
        return "tokens " + ", ".join(f"my.{d.name}" for d in node.decls)
    if isinstance(node, ast.Fields):
        return "fields " + ", ".join(d.name for d in node.decls)
    return f"{kind} {node.name}"


def _key(d: Diagnostic):
    return d.code, d.message, d.span


def _in(d: Diagnostic, name: str) -> bool:
    return d.span is not None and d.span.file == name


def _ref(text: str) -> ast.Ref:
    """`Program.Campaign`, `Campaign` or `"Name With Spaces"` as typed after a command."""
    parts, buf, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            buf += ch
        elif ch == "." and not quoted:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return ast.Ref(tuple(unquote(p.strip()) if p.strip().startswith('"') else p.strip() for p in parts))


def _show(value) -> str:
    """A field's value as an mkc literal, as the activity log writes it (`null` when empty)."""
    if attrs.has(type(value)):  # a declared value, straight from the AST
        return show_value(value)
    return literal(value)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"
