"""Tab completion: keywords, the standard library, and the names in the loaded program.

What is offered depends on the words before the cursor: after `send_email`
come the program's emails, after `execute_campaign` its campaigns, after
`set` its people, inside `<<` its tokens; what a step's argument may be is
read from the step's signature in the standard library, so completion knows
every step the checker knows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import attrs
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from mkc.grammar.template import UNFINISHED_TOKEN
from mkc.repl import lexer
from mkc.stdlib import CONDITIONS, FIELD_OPS, STEPS, TRIGGERS

# Fields most people have; the program's own are added from its `people`.
COMMON_FIELDS = ("email", "first_name", "last_name", "lead_score", "lead_status", "country", "company")
TOKEN_SCOPES = {
    "lead": (),  # the person's fields, filled in from the vocabulary
    "campaign": ("name", "id", "description"),
    "program": ("name", "id"),
    "member": ("status",),
    "trigger": ("name", "trigger_name", "old_value", "new_value"),
    "system": ("date", "dateTime"),
}
STARTERS = (
    ("campaign", "declaration"),
    ("program", "declaration"),
    ("folder", "declaration"),
    ("workspace", "declaration"),
    ("tokens", "declaration"),
    ("fields", "declaration"),
    ("list", "asset"),
    ("smart_list", "asset"),
    ("email", "asset"),
    ("webhook", "asset"),
    ("people", "declaration"),
    ("person", "declaration"),
    ("scenario", "declaration"),
    ("statuses", "program part"),
    ("description", "campaign part"),
    ("flow", "campaign part"),
    ("qualification", "campaign part"),
    ("schedule", "campaign part or command"),
    ("active", "campaign part"),
    ("trigger", "smart list"),
    ("filter", "smart list"),
    ("logic", "smart list"),
    ("choice", "flow"),
    ("when", "choice"),
    ("default", "choice"),
    ("at", "command"),
    ("run", "command"),
    ("request", "command"),
    ("event", "command"),
    ("set", "command"),
    ("activate", "command"),
    ("deactivate", "command"),
    ("advance", "command"),
    ("expect", "command"),
)
CAMPAIGN_AFTER = {"run", "request", "schedule", "activate", "deactivate", "clone_of"}
PERSON_AFTER = {"set", "event", "expect", "for", "activity"}
CONDITION_AFTER = {"filter", "when", "not", "and", "or", "(", "expect"}
VALUES_OF_TYPE = {
    "bool": ("true", "false"),
    "moment_type": ("web", "email", "milestone"),
    "source": ('"flow_action"', '"api"'),
    "weekdays": ("[mon, tue, wed, thu, fri]",),
}
REPL_ARGUMENTS = {
    "use": "campaign",
    "tokens": "campaign",
    "person": "person",
    "log": "person",
    "load": "path",
    "save": "path",
    "help": "topic",
}


@attrs.frozen
class Vocabulary:
    """The names of a loaded program, for completion."""

    campaigns: tuple[tuple[str, str], ...] = ()  # (reference as written, what it is)
    programs: tuple[str, ...] = ()
    assets: dict[str, tuple[str, ...]] = attrs.Factory(dict)  # kind -> names
    people: tuple[str, ...] = ()
    fields: tuple[str, ...] = COMMON_FIELDS
    my_tokens: tuple[str, ...] = ()
    commands: tuple[tuple[str, str], ...] = ()  # (name, summary)


def vocabulary_of(model, people=None, fields=(), commands=(), skip=None) -> Vocabulary:
    """The names of a checked program (`checker.model.Model`); `people` (handles)
    and `fields` known besides it, such as a session's run so far. `skip`: a
    campaign not to offer (the REPL's scratch campaign)."""
    counts: dict[str, int] = {}
    for c in model.campaigns:
        counts[c.name] = counts.get(c.name, 0) + 1
    campaigns = tuple(
        (
            name_text(c.name) if counts[c.name] == 1 else f"{name_text(c.program.name)}.{name_text(c.name)}",
            f"{c.kind} campaign {c.full_name}",
        )
        for c in model.campaigns
        if c is not skip
    )
    programs = tuple(
        dict.fromkeys(p.name for progs in model.programs.values() for p in progs.values() if not p.implicit)
    )
    assets: dict[str, list[str]] = {}
    tokens: list[str] = []
    for scope in model.all_scopes:
        for kind, table in scope.assets.items():
            assets.setdefault(kind, []).extend(n for n in table if n not in assets[kind])
        tokens += [n for n in scope.tokens if n not in tokens]
    written = [f.field for person in model.people for f in person.fields]
    all_fields = dict.fromkeys([*COMMON_FIELDS, *written, *fields, *model.field_decls])
    handles = tuple(people) if people is not None else tuple(p.handle for p in model.people)
    assets_ = {k: tuple(v) for k, v in assets.items()}
    return Vocabulary(campaigns, programs, assets_, handles, tuple(all_fields), tuple(tokens), commands)


def name_text(name: str) -> str:
    """A name as written in mkc: bare if it can be, else quoted."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name not in _KEYWORDS else f'"{name}"'


_KEYWORDS = set(
    lexer.DECLARATIONS
    + lexer.CAMPAIGN_PARTS
    + lexer.KINDS
    + lexer.COMMANDS
    + lexer.WORD_OPERATORS
    + lexer.UNITS
    + lexer.CONSTANTS
)
_WORD = re.compile(r'"(?:\\.|[^"\\\n])*"?|[^\s<>\[\](),;=]+|[<>\[\](),;=]')


class MkcCompleter(Completer):
    def __init__(self, vocabulary: Callable[[], Vocabulary]):
        self.vocabulary = vocabulary
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        before = document.text_before_cursor
        line = before.rsplit("\n", 1)[-1]
        vocab = self.vocabulary()
        token = UNFINISHED_TOKEN.search(line)
        if token:
            yield from _tokens(token.group(0), vocab)
            return
        if before.lstrip().startswith(":") and "\n" not in before:
            yield from self._repl_command(line.lstrip(), document, complete_event, vocab)
            return
        words, partial = _split(line)
        for text, meta in _candidates(words, partial, vocab):
            if _matches(text, partial):
                yield Completion(text, -len(partial), display_meta=meta)

    def _repl_command(self, line: str, document, event, vocab: Vocabulary) -> Iterator[Completion]:
        word, space, arg = line[1:].partition(" ")
        if not space:
            for name, summary in vocab.commands:
                if name.startswith(word):
                    yield Completion(":" + name, -len(word) - 1, display_meta=summary)
            return
        kind = REPL_ARGUMENTS.get(word.rstrip("!"))
        arg = arg.lstrip()
        if kind == "path":
            yield from self.paths.get_completions(Document(arg, len(arg)), event)
            return
        options: Iterable[tuple[str, str]] = ()
        if kind == "campaign":
            options = vocab.campaigns
        elif kind == "person":
            options = ((p, "person") for p in vocab.people)
        elif kind == "topic":
            options = [
                *((s, "step") for s in STEPS),
                *((c, "condition") for c in CONDITIONS),
                *((t, "trigger") for t in TRIGGERS),
                *((n, "command") for n, _ in vocab.commands),
            ]
        for text, meta in options:
            if _matches(text, arg):
                yield Completion(text, -len(arg), display_meta=meta)


def _matches(candidate: str, partial: str) -> bool:
    if not partial:
        return True
    c, p = candidate.lower(), partial.lower()
    return c.startswith(p) or (not p.startswith('"') and c.startswith('"' + p))


def _split(line: str) -> tuple[list[str], str]:
    """The complete words before the cursor, and the word being typed."""
    words = _WORD.findall(line)
    if words and not line[-1:].isspace() and not line.endswith(("<", ">", "[", "]", "(", ")", ",", ";", "=")):
        last = words.pop()
        if last.startswith('"') and (len(last) == 1 or not last.endswith('"')):
            return words, last
        return words, last
    if line.endswith("=") and words:  # `name=` with the value still to come
        return words, ""
    return words, ""


def _tokens(typed: str, vocab: Vocabulary) -> Iterator[Completion]:
    options = [f"<<my.{n}>>" for n in vocab.my_tokens]
    options += [f"<<lead.{f}>>" for f in vocab.fields]
    for scope, names in TOKEN_SCOPES.items():
        options += [f"<<{scope}.{n}>>" for n in names]
    for text in options:
        if text.lower().startswith(typed.lower()):
            yield Completion(text, -len(typed), display_meta="token")


def _candidates(words: list[str], partial: str, vocab: Vocabulary) -> list[tuple[str, str]]:
    # Only the words since the last block opener or separator matter: `flow < send_email |`.
    cut = max((i for i, w in enumerate(words) if w in ("<", ";", ">")), default=-1)
    item = words[cut + 1 :]
    if not item:
        return [*((s, "step") for s in STEPS), *STARTERS]
    first, last = item[0], item[-1]
    if last == "=" and len(item) >= 2:
        return _kwarg_values(item, vocab)
    if first in STEPS:
        out = _arguments(STEPS[first].signature, item[1:], vocab)
        takes_it = any(p.this_campaign for p in STEPS[first].signature.params)
        return out if takes_it else [o for o in out if o[0] != "this_campaign"]
    if first == "trigger":
        if len(item) == 1:
            return [(t, "trigger") for t in TRIGGERS]
        if item[1] in TRIGGERS:
            return _arguments(TRIGGERS[item[1]].signature, item[2:], vocab)
        return []
    if first == "event":
        if len(item) == 1:
            return _people(vocab)
        if len(item) == 2:
            return [(t, "trigger") for t in TRIGGERS]
        if item[2] in TRIGGERS:
            return _arguments(TRIGGERS[item[2]].signature, item[3:], vocab)
        return []
    if first == "set":
        if len(item) == 1:
            return _people(vocab)
        if len(item) == 2:
            return [(f, "field") for f in vocab.fields]
        return []
    if first == "expect":
        if len(item) == 1:
            return _people(vocab) + [("activity", "expect an activity"), ("no", "expect no activity")]
        if item[1] in ("activity", "no"):
            rest = item[2:] if item[1] == "activity" else item[3:]
            if item[1] == "no" and len(item) == 2:
                return [("activity", "")]
            return _people(vocab) if not rest else []
    if first == "campaign":
        if last == "clone_of":
            return list(vocab.campaigns)
        if len(item) == 2:
            return [("batch", "kind"), ("trigger", "kind"), ("executable", "kind"), ("clone_of", "copy a campaign")]
        return []
    if first == "qualification":
        return [("every_time", ""), ("once", "the default"), ("once_every", "then a duration")]
    if last in CAMPAIGN_AFTER:
        return list(vocab.campaigns)
    if last == "for" or (first in ("run", "request") and "for" in item):
        return _people(vocab)
    if last in CONDITION_AFTER or first in ("filter", "when", "expect"):
        return _condition(item, vocab)
    return _everything(vocab)


def _condition(item: list[str], vocab: Vocabulary) -> list[tuple[str, str]]:
    """Inside a condition: a condition name or field, an operator, a condition's arguments."""
    start = max((i for i, w in enumerate(item) if w in CONDITION_AFTER), default=0)
    if item[0] == "expect" and start == 0:
        start = 1  # `expect PERSON` comes before the condition
    cond = item[start + 1 :]
    if not cond:
        return [*((c, "condition") for c in CONDITIONS), *((f, "field") for f in vocab.fields)]
    if cond[0] in CONDITIONS:
        return _arguments(CONDITIONS[cond[0]].signature, cond[1:], vocab)
    if len(cond) == 1:
        return [(op, "operator") for op in FIELD_OPS]
    return []


def _arguments(signature, args: list[str], vocab: Vocabulary) -> list[tuple[str, str]]:
    positional = [
        a
        for i, a in enumerate(args)
        if a != "=" and (i + 1 >= len(args) or args[i + 1] != "=") and (i == 0 or args[i - 1] != "=")
    ]
    params = signature.positional
    out: list[tuple[str, str]] = []
    if params:
        index = min(len(positional), len(params) - 1) if params[-1].repeat else len(positional)
        if index < len(params):
            out += _of_type(params[index].type, vocab, params[index].name)
    if len(positional) >= sum(p.required for p in params):  # keyword arguments once the required ones are in
        given = {args[i - 1] for i, a in enumerate(args) if a == "=" and i > 0}
        out += [(f"{name}=", "keyword argument") for name in signature.keywords if name not in given]
    return out


def _kwarg_values(item: list[str], vocab: Vocabulary) -> list[tuple[str, str]]:
    name = item[-2]
    for table in (STEPS, CONDITIONS, TRIGGERS):
        for spec in table.values():
            param = spec.signature.keywords.get(name)
            if param is not None and spec.name in item:
                return _of_type(param.type, vocab, name)
    return []


def _of_type(type_: str, vocab: Vocabulary, what: str) -> list[tuple[str, str]]:
    if type_ == "campaign":
        extra = [("this_campaign", "the campaign this step is in")] if what == "campaign" else []
        return [*vocab.campaigns, *extra]
    if type_ == "program":
        return [(name_text(p), "program") for p in vocab.programs]
    if type_ in ("list", "email", "webhook", "smart_list"):
        return [(f'"{a}"', type_.replace("_", " ")) for a in vocab.assets.get(type_, ())]
    if type_ == "field":
        return [(f, "field") for f in vocab.fields]
    if type_ in ("score", "value", "text", "number"):
        return [(f"<<my.{t}>>", "token") for t in vocab.my_tokens]
    return [(v, type_) for v in VALUES_OF_TYPE.get(type_, ())]


def _people(vocab: Vocabulary) -> list[tuple[str, str]]:
    return [(p, "person") for p in vocab.people]


def _everything(vocab: Vocabulary) -> list[tuple[str, str]]:
    out = [*((s, "step") for s in STEPS), *STARTERS, *vocab.campaigns, *_people(vocab)]
    out += [(f, "field") for f in vocab.fields]
    for kind, names in vocab.assets.items():
        out += [(f'"{a}"', kind) for a in names]
    return out
