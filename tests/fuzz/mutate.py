"""Mutations of real `.mkc` files: the examples, the checker's cases and the
spec's examples.

`mutant(rng)` picks a file and applies one to four mutations: ASCII byte
flips, token deletions, duplications, swaps and replacements (with a token
from another file, or an extreme value: a huge number, the last date,
a long duration), truncation, and line deletions, duplications, swaps,
moves and splices from another file. All randomness comes from `rng`, so a
seed gives the same inputs on every machine.
"""

from __future__ import annotations

import pathlib
import random
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS_GLOBS = ("examples/*.mkc", "tests/checker/cases/*.mkc", "tests/spec_examples/*.mkc")

# Tokens as a mutator sees them: strings, My Tokens, date-times, numbers,
# names, then any other single character (so joining them gives the text back).
_TOKEN = re.compile(
    r'"(?:\\.|[^"\\\n])*"|<<[^<>\n]*>>|\d{4}-\d{2}-\d{2}(?:T\d{1,2}:\d{2}(?::\d{2})?)?|[+-]?\d+(?:\.\d+)?'
    r"|[A-Za-z_][A-Za-z0-9_]*|\s+|."
)

# Values at the edges of what the interpreter's types hold.
EXTREMES = (
    "0",
    "-1",
    "99999999999999999999",
    "1e400",
    "+99999999999999999999",
    "=99999999999999999999",
    "-99999999999999999999",
    "9999-12-31T23:59",
    "0001-01-01",
    "2026-02-30",
    "99999999 days",
    "999999 months",
    "0 minutes",
    "-5 days",
    "24:00",
    "<<my.x>>",
    "<<lead.email:default=>>",
    "<<trigger.name>>",
    "<<my.<<my.x>>>>",
    '""',
    '"<<my.a>><<my.a>><<my.a>>"',
    "[]",
    "null",
    "(((((((((((",
    "< < < < < < <",
)


def corpus() -> list[tuple[str, str]]:
    """(path from the repository root, text) of every seed file, in a fixed order."""
    files = sorted(p for g in CORPUS_GLOBS for p in ROOT.glob(g))
    return [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _words(toks: list[str]) -> list[int]:
    """Indexes of the tokens that are not white space."""
    return [i for i, t in enumerate(toks) if not t.isspace()]


def flip_bytes(rng: random.Random, text: str, others) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        if chars:
            i = rng.randrange(len(chars))
            c = ord(chars[i])
            chars[i] = chr(c ^ (1 << rng.randrange(7))) if c < 128 else "?"  # stays ASCII: valid UTF-8
    return "".join(chars)


def delete_tokens(rng, text, others):
    toks = tokens(text)
    words = _words(toks)
    if not words:
        return text
    i = rng.choice(words)
    del toks[i : i + rng.choice((1, 1, 1, 2, 3))]
    return "".join(toks)


def duplicate_tokens(rng, text, others):
    toks = tokens(text)
    words = _words(toks)
    if not words:
        return text
    i = rng.choice(words)
    n = rng.choice((1, 1, 2, 3))
    toks[i:i] = toks[i : i + n] * rng.choice((1, 1, 2, 8))
    return "".join(toks)


def swap_tokens(rng, text, others):
    toks = tokens(text)
    words = _words(toks)
    if len(words) < 2:
        return text
    i, j = rng.sample(words, 2)
    toks[i], toks[j] = toks[j], toks[i]
    return "".join(toks)


def replace_token(rng, text, others):
    toks = tokens(text)
    words = _words(toks)
    if not words:
        return text
    i = rng.choice(words)
    if rng.random() < 0.5:
        toks[i] = rng.choice(EXTREMES)
    else:
        other = tokens(rng.choice(others))
        toks[i] = rng.choice([other[k] for k in _words(other)] or [""])
    return "".join(toks)


def truncate(rng, text, others):
    return text[: rng.randrange(len(text) + 1)]


def _lines(text):
    return text.splitlines(keepends=True)


def delete_lines(rng, text, others):
    lines = _lines(text)
    if not lines:
        return text
    i = rng.randrange(len(lines))
    del lines[i : i + rng.choice((1, 1, 2, 4))]
    return "".join(lines)


def duplicate_lines(rng, text, others):
    lines = _lines(text)
    if not lines:
        return text
    i = rng.randrange(len(lines))
    lines[i:i] = lines[i : i + rng.choice((1, 2, 3))] * rng.choice((1, 1, 2, 5))
    return "".join(lines)


def shuffle_lines(rng, text, others):
    lines = _lines(text)
    if len(lines) < 2:
        return text
    if rng.random() < 0.5:
        i, j = rng.sample(range(len(lines)), 2)
        lines[i], lines[j] = lines[j], lines[i]
    else:  # move a line elsewhere
        line = lines.pop(rng.randrange(len(lines)))
        lines.insert(rng.randrange(len(lines) + 1), line)
    return "".join(lines)


def splice_lines(rng, text, others):
    """Insert a few lines of another file: declarations meet other names."""
    lines, other = _lines(text), _lines(rng.choice(others))
    if not other:
        return text
    i = rng.randrange(len(other))
    lines.insert(rng.randrange(len(lines) + 1), "".join(other[i : i + rng.choice((1, 2, 5))]))
    return "".join(lines)


def deepen(rng, text, others):
    """Nest something deeply: a condition in `not`s or parentheses, a logic
    string, a flow in choices (the limits of every recursive descent)."""
    n = rng.choice((10, 100, 1000, 2000))  # 2000: past Python's default recursion limit
    lines = _lines(text)
    conditions = [i for i, line in enumerate(lines) if re.search(r"\b(filter|when|expect \w+) ", line)]
    logics = [i for i, line in enumerate(lines) if 'logic "' in line]
    flows = [i for i, line in enumerate(lines) if re.search(r"\bflow <", line)]
    roll = rng.randrange(3)
    if roll == 0 and logics:
        i = rng.choice(logics)
        lines[i] = re.sub(r'logic "([^"]*)"', lambda m: f'logic "{"(" * n}{m.group(1)}{")" * n}"', lines[i])
    elif roll == 1 and flows:
        i = rng.choice(flows)
        lines[i] = lines[i].replace("flow <", "flow <" + " choice < default <" * n, 1) + " > >" * n + "\n"
    elif conditions:
        i = rng.choice(conditions)
        m = re.search(r"\b(filter|when|expect \w+) ", lines[i])
        head, tail = lines[i][: m.end()], lines[i][m.end() :]
        if rng.random() < 0.5:
            lines[i] = head + "not " * n + tail
        else:  # up to the line's `<` (a `when`'s branch) or its end
            cut = tail.find(" <") if " <" in tail else len(tail.rstrip("\n"))
            lines[i] = head + "(" * n + tail[:cut] + ")" * n + tail[cut:]
    return "".join(lines)


MUTATORS = (
    deepen,
    flip_bytes,
    delete_tokens,
    duplicate_tokens,
    swap_tokens,
    replace_token,
    replace_token,
    truncate,
    delete_lines,
    duplicate_lines,
    shuffle_lines,
    splice_lines,
)


def mutant(rng: random.Random, files: list[str]) -> str:
    """A mutation of one of `files` (texts)."""
    text = rng.choice(files)
    for _ in range(rng.choice((1, 1, 2, 3, 4))):
        text = rng.choice(MUTATORS)(rng, text, files)
    return text
