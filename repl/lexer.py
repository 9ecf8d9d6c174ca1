"""A Pygments lexer for mkc, for the REPL and anywhere mkc source is shown.

Installed as the Pygments lexer `mkc` (entry point in pyproject.toml), so
`pygmentize -l mkc file.mkc` colours a file. It colours by surface form
only: keywords are contextual in mkc, and the parser, not this lexer, says
what a word means. Step, condition and trigger names come from the standard
library, so a new step is coloured as soon as it exists.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from mkc.grammar.template import TOKEN_PATTERN
from mkc.stdlib import CONDITIONS, STEPS, TRIGGERS

# Words, as the grammar (grammar/mkc.lark) spells them.
DECLARATIONS = (
    "workspace",
    "folder",
    "program",
    "campaign",
    "tokens",
    "fields",
    "list",
    "smart_list",
    "email",
    "webhook",
    "people",
    "person",
    "scenario",
    "statuses",
)
CAMPAIGN_PARTS = (
    "description",
    "flow",
    "qualification",
    "schedule",
    "active",
    "trigger",
    "filter",
    "logic",
    "choice",
    "when",
    "default",
    "clone_of",
    "every",
    "until",
)
KINDS = ("batch", "trigger", "executable", "every_time", "once_every", "once")
COMMANDS = (
    "at",
    "run",
    "request",
    "event",
    "set",
    "activate",
    "deactivate",
    "advance",
    "expect",
    "activity",
    "no",
    "for",
)
WORD_OPERATORS = (
    "and",
    "or",
    "not",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "not_starts_with",
    "ends_with",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "in_past",
    "in_future",
    "between",
    "is_empty",
    "not_empty",
)
UNITS = ("minutes", "minute", "hours", "hour", "days", "day", "weeks", "week", "months", "month")
CONSTANTS = ("true", "false", "null", "this_campaign")

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class MkcLexer(RegexLexer):
    """Marketo-style smart campaigns as code (`.mkc` files and REPL input)."""

    name = "mkc"
    aliases = ["mkc"]
    filenames = ["*.mkc"]
    mimetypes = ["text/x-mkc"]

    tokens = {
        "root": [
            (r"\n", Whitespace),
            (r"[ \t\f\r]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            # REPL commands (`:load FILE`): only at the start of the input.
            (r"(?<![^\n])(:[a-z]+)", Keyword.Pseudo),
            (TOKEN_PATTERN, String.Interpol),
            (r'"', String.Double, "string"),
            (r"\d{4}-\d{2}-\d{2}(T\d{1,2}:\d{2}(:\d{2})?)?", Number.Other),  # date-time
            (r"\d{1,2}:\d{2}(?![\d-])", Number.Other),  # time of day
            (r"(-?\d+(?:\.\d+)?)(\s+)" + words(UNITS, suffix=r"\b").get(), bygroups(Number, Whitespace, Keyword.Type)),
            (r"[+=]-?\d+(\.\d+)?", Number),  # score change
            (r"-?\d+(\.\d+)?", Number),
            (r"(" + _NAME + r")(=)(?!=)", bygroups(Name.Attribute, Operator)),  # keyword argument: name=value
            include("words"),
            (r"!=|<=|>=|=", Operator),
            (r"[<>]", Punctuation),
            (r"[\[\],;.]", Punctuation),
            (_NAME, Name),
            (r".", Text),
        ],
        "words": [
            (words(DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
            (words(CAMPAIGN_PARTS, suffix=r"\b"), Keyword),
            (words(KINDS, suffix=r"\b"), Keyword.Type),
            (words(COMMANDS, suffix=r"\b"), Keyword.Reserved),
            (words(WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(tuple(STEPS), suffix=r"\b"), Name.Function),
            (words(tuple(CONDITIONS) + tuple(TRIGGERS), suffix=r"\b"), Name.Builtin),
        ],
        "string": [
            (r'"', String.Double, "#pop"),
            (r"\\.", String.Escape),
            (TOKEN_PATTERN, String.Interpol),
            (r"\n", String.Double, "#pop"),  # an unclosed string ends with its line
            (r'[^"\\<\n]+', String.Double),
            (r"<", String.Double),
        ],
    }
