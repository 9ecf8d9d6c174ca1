"""Token contexts and string rendering (spec section 6).

A `TokenContext` answers `my.*`, `campaign.*`, `program.*`, `member.*` and
`trigger.*` for one run: lexically from its campaign, with API overrides
first, and, when a caller passes its context down with
`use_parent_token_context=true`, falling back to each executable's own
lexical chain for My Tokens. `lead.*` and `system.*` come from the person and
the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import attrs

from mkc.checker.bound import Chain
from mkc.checker.model import CampaignInfo
from mkc.grammar import ast
from mkc.grammar.template import split as split_template
from mkc.interpreter.memo import Memo
from mkc.stdlib.triggers import token_key
from mkc.stdlib.values import from_literal, is_empty, text

MAX_DEPTH = 10  # My Tokens holding tokens: deeper than this is a loop
MAX_RENDERED = 1_000_000  # characters in one rendered string: My Tokens using each other can explode
NEEDS_TOKENS = object()  # a My Token's value is only known where it is asked for


class TokenError(Exception):
    """A token that cannot be answered at run time (a Failed Step in a flow)."""


class TooLong(TokenError):
    """A string that would render longer than MAX_RENDERED (a token's
    `:default=` does not stand in for it: the value is there, only too long)."""


@attrs.frozen
class TokenContext:
    campaign: CampaignInfo | None  # answers campaign.*, program.*, member.*; its scope starts my.*
    overrides: Mapping[str, object] = attrs.Factory(dict)  # API My Tokens: name -> AST value
    trigger: Mapping[str, object] | None = None  # the event that fired a trigger campaign
    # Where my.* is looked up: the campaign's lexical chain, then, when the
    # context was passed down, each executable's own (`mkc.checker.bound.Chain`).
    chain: Chain = attrs.field(default=attrs.Factory(lambda self: Chain.of(self.campaign), takes_self=True))
    # A context never changes, so what it answered once it answers again:
    # `my` values by (model, name) and the contexts `passed_to` made, by child.
    _memo: dict = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def passed_to(self, child: CampaignInfo) -> TokenContext:
        """This whole context, sent to `child` by `use_parent_token_context=true`."""
        passed = self._memo.get(child)
        if passed is None:
            passed = self._memo[child] = attrs.evolve(self, chain=self.chain.passed_to(child))
        return passed

    def my(self, model, name: str):
        """The AST value of `my.NAME`, or None: API overrides, then the chain."""
        return self.mine(model, name)[0]

    def mine(self, model, name: str) -> tuple:
        """`(my(model, name), its run-time value)`; the value is `NEEDS_TOKENS`
        when it holds tokens (it is rendered where it is asked for)."""
        key = (model, name)
        found = self._memo.get(key)
        if found is None:
            node = self._my(model, name)
            value = NEEDS_TOKENS if node is None or needs_tokens(node) else from_literal(node)
            found = self._memo[key] = (node, value)
        return found

    def _my(self, model, name: str):
        if name in self.overrides:
            return self.overrides[name]
        found = self.chain.lookup(model, name)
        return found[0].value if found is not None else None


class Tokens:
    """Answers tokens for one person (or none) in one context."""

    __slots__ = ("rt", "context", "handle")

    def __init__(self, runtime, context: TokenContext, handle: str | None):
        self.rt = runtime
        self.context = context
        self.handle = handle

    def value(self, node, depth: int = 0):
        """The run-time value of an argument: a token is answered, a string rendered."""
        if isinstance(node, ast.Token):
            return self.answer(node, depth)
        if isinstance(node, ast.Str):
            return self.render(node.text, depth)
        if isinstance(node, ast.ListValue):
            return tuple(self.value(v, depth) for v in node.items)
        return from_literal(node)

    def render(self, template: str, depth: int = 0) -> str:
        """The string with each token replaced by its answer, as text."""
        return renderer(template)(self, depth)

    def answer(self, token: ast.Token, depth: int = 0):
        """The token's value (its `:default=` when it has none, or cannot be answered)."""
        return compiled(token).answer(self, depth)

    # -- what the compiled look-ups of some scopes share
    def _trigger(self, key: str, name: str, shown: str):
        trigger = self.context.trigger
        if trigger is None:
            raise TokenError(f"{shown}: this campaign was not started by a trigger")
        if key not in trigger:
            raise TokenError(f"{shown}: the trigger that started this campaign has no {name}")
        return trigger[key]

    def _campaign(self, shown: str):
        campaign = self.context.campaign
        if campaign is None:
            raise TokenError(f"{shown}: no campaign is running")
        return campaign


class Compiled:
    """A token whose scope and name have been read once: `answer(tokens,
    depth=0)` answers it in a `Tokens`, as `Tokens.answer` does."""

    __slots__ = ("token", "answer")

    def __init__(self, token: ast.Token):
        self.token = token
        self.answer = _answer(token, _lookup(token))


def _answer(token: ast.Token, lookup):
    """The look-up, with the loop guard and the token's `:default=`."""
    default, loop = token.default, f"{_show(token)}: My Tokens refer to each other in a loop"
    if default is None:

        def answer(t: Tokens, depth: int = 0):
            if depth > MAX_DEPTH:
                raise TokenError(loop)
            return lookup(t, depth)

        return answer

    def answer_or_default(t: Tokens, depth: int = 0):
        if depth > MAX_DEPTH:
            raise TokenError(loop)
        try:
            found = lookup(t, depth)
        except TooLong:
            raise
        except TokenError:
            return default
        return default if is_empty(found) else found

    return answer_or_default


def _lookup(token: ast.Token):
    """`lookup(tokens, depth)`: the token's value, chosen by its scope and name once."""
    scope, name, shown = token.scope.casefold(), token.name, _show(token)
    if scope == "my":
        undefined = f"{shown} is not defined in this campaign's token context"

        def my(t: Tokens, depth: int):
            context, model = t.context, t.rt.model
            node, value = context._memo.get((model, name)) or context.mine(model, name)  # `mine`, its memo first
            if node is None:
                raise TokenError(undefined)
            return value if value is not NEEDS_TOKENS else t.value(node, depth + 1)

        return my
    if scope == "lead":
        nobody = f"{shown}: there is no person here"

        def lead(t: Tokens, depth: int):
            person = t.rt.people.get(t.handle) if t.handle else None
            if person is None:
                raise TokenError(nobody)
            return person.fields.get(name)

        return lead
    key = token_key(name)  # `Trigger Name`, `trigger_name` and `triggerName` are one name
    if scope == "system":
        if key in SYSTEM:
            clock = SYSTEM[key]
            return lambda t, depth: clock(t.rt.now)
        return _failing(f"{shown}: system tokens are date, dateTime and time")
    if scope == "trigger":
        return lambda t, depth: t._trigger(key, name, shown)
    if scope == "campaign" and key == "name":
        return lambda t, depth: t._campaign(shown).full_name
    if scope == "campaign" and key == "id":
        return lambda t, depth: t.rt.keys.id_of(t._campaign(shown))
    if scope == "campaign" and key == "description":
        return lambda t, depth: t._campaign(shown).description
    if scope == "program" and key == "name":
        return lambda t, depth: t._campaign(shown).program.name
    if scope == "program" and key == "id":
        return lambda t, depth: t.rt.keys.id_of(t._campaign(shown).program)
    if scope == "member" and key == "status":
        return _member_status(shown)
    unknown = _failing(f"{shown} is not a token mkc knows")
    if scope in ("campaign", "program", "member"):  # a campaign must be running before the name matters
        return lambda t, depth: unknown(t._campaign(shown), depth)
    return unknown


def _member_status(shown: str):
    def lookup(t: Tokens, depth: int):
        program = t._campaign(shown).program
        person = t.rt.person(t.handle) if t.handle else None
        return person.programs.get(t.rt.keys(program)) if person else None

    return lookup


def _failing(message: str):
    def lookup(t, depth):
        raise TokenError(message)

    return lookup


_CACHE_LIMIT = 20_000  # distinct tokens or strings kept compiled (a long REPL session stays bounded)
_COMPILED: Memo = Memo(Compiled, _CACHE_LIMIT)


def compiled(token: ast.Token) -> Compiled:
    """The token, compiled (cached: tokens that read alike are compiled once)."""
    return _COMPILED[token]


def template_parts(template: str) -> tuple:
    """A string split into its text (`str`) and its tokens (`Compiled`), in order (cached)."""
    return _template(template)[0]


def renderer(template: str):
    """`render(tokens, depth=0)`: the string rendered, as `Tokens.render` does (cached)."""
    return _template(template)[1]


def _template_of(template: str) -> tuple:
    parts = tuple(part if type(part) is str else compiled(part.token) for part in split_template(template)) or ("",)
    return parts, _renderer(parts)


_TEMPLATES: Memo = Memo(_template_of, _CACHE_LIMIT)  # string -> (its parts, its renderer)


def _template(template: str) -> tuple:
    return _TEMPLATES[template]


def _renderer(parts: tuple):
    """The parts joined into one string, each token answered and shown as text
    (`values.text`), in order. Rendering runs for every person and every
    string with tokens, so it is one function made once per string, whose
    names are the parts, never the string's own text. Its tokens' texts are
    measured before they are joined, so a string longer than MAX_RENDERED is
    never built (TooLong): each token's own text was measured the same way."""
    if len(parts) == 1 and type(parts[0]) is str:
        constant = parts[0]
        return lambda t, depth=0: constant
    names: dict[str, object] = {"text": text, "too_long": _too_long}
    fields, answers, sizes = [], [], []
    room = MAX_RENDERED
    for i, part in enumerate(parts):
        if type(part) is str:
            names[f"c{i}"] = part
            fields.append(f"{{c{i}}}")
            room -= len(part)
        else:
            names[f"a{i}"] = part.answer
            answers.append(f"    v{i} = text(a{i}(t, depth))\n")
            sizes.append(f"len(v{i})")
            fields.append(f"{{v{i}}}")
    names["room"] = room
    source = (
        "def render(t, depth=0):\n"
        + "".join(answers)
        + f"    if {' + '.join(sizes)} > room:\n"
        + f"        too_long({' + '.join(sizes)} + {MAX_RENDERED} - room)\n"
        + "    return f'"
        + "".join(fields)
        + "'\n"
    )
    exec(source, names)  # noqa: S102 - names only, see above
    return names["render"]


def _too_long(size: int):
    raise TooLong(f"a string with tokens would render to {size:,} characters: more than {MAX_RENDERED:,}")


def has_tokens(template: str) -> bool:
    """Whether a string holds tokens (else it renders as itself)."""
    parts = template_parts(template)
    return not (len(parts) == 1 and type(parts[0]) is str)


def needs_tokens(node) -> bool:
    """Whether a written value needs a person or a context to be known (a
    token, or a string or list holding one); else `from_literal` is its value."""
    if isinstance(node, ast.Token):
        return True
    if isinstance(node, ast.Str):
        return has_tokens(node.text)
    if isinstance(node, ast.ListValue):
        return any(needs_tokens(v) for v in node.items)
    return False


SYSTEM = {
    "date": lambda now: now.date().isoformat(),
    "datetime": ast.format_datetime,
    "time": lambda now: now.strftime("%H:%M"),
}


def _show(token: ast.Token) -> str:
    return f"<<{token.scope}.{token.name}>>"


def trigger_tokens(event, title: str) -> dict:
    """`trigger.*` for an event: name, trigger_name, and old/new values of a change.
    Keys are normalised like token names (`Trigger Name` and `trigger_name` agree)."""
    tokens = {"name": event.name, "triggername": title}
    if "old" in event.data or "new" in event.data:
        tokens["oldvalue"] = event.data.get("old")
        tokens["newvalue"] = event.data.get("new")
    return tokens


# ---- API token values written on the command line ---------------------------------

_SCORE = re.compile(r"(=)?([+-]?\d+(\.\d+)?)")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{1,2}:\d{2})?")


def parse_datetime(text_: str) -> ast.DateTime:
    """`2026-01-05` or `2026-01-05T09:00`; ValueError otherwise."""
    if not _DATETIME.fullmatch(text_.strip()):
        raise ValueError(f"`{text_}` is not a date or date-time such as 2026-01-05T09:00")
    value = dt.datetime.fromisoformat(text_.strip())
    return ast.DateTime(value, "T" in text_)


def parse_token_value(text_: str):
    """A `--token` value as the AST value a `tokens < >` block would hold:
    `+7`, `-5`, `=0` are score changes, then numbers, booleans, date-times,
    a quoted string, and anything else is text."""
    raw = text_.strip()
    m = _SCORE.fullmatch(raw)
    if m and (m.group(1) or raw[0] in "+-"):
        amount = float(m.group(2)) if m.group(3) else int(m.group(2))
        return ast.ScoreChange("=" if m.group(1) else "+", amount)
    if m:
        return ast.Num(float(raw) if "." in raw else int(raw))
    if raw in ("true", "false"):
        return ast.Bool(raw == "true")
    if _DATETIME.fullmatch(raw):
        try:
            return parse_datetime(raw)
        except ValueError:
            pass
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    return ast.Str(raw)


def parse_token_option(option: str) -> tuple[str, object]:
    """`my.NAME=VALUE` -> (NAME, AST value); ValueError with a readable message."""
    name, sep, value = option.partition("=")
    name = name.strip()
    if not sep or not name.startswith("my.") or not name[3:].strip():
        raise ValueError(f"--token {option!r}: write my.NAME=VALUE, as in --token my.score=+7")
    return name[3:].strip(), parse_token_value(value)
