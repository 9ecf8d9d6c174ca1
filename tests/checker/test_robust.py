"""The checker never crashes: whatever parses, it checks (property test)."""

import pathlib

from checker_golden import CASES
from hypothesis import given, settings
from hypothesis import strategies as st

from mkc.checker import check
from mkc.diagnostics import DiagnosticError
from mkc.grammar import parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEXTS = [p.read_text() for p in sorted(CASES.glob("*.mkc")) + sorted((ROOT / "examples").glob("*.mkc"))]


@st.composite
def mutated(draw):
    """A golden case or example with a few words deleted, repeated or moved."""
    words = draw(st.sampled_from(TEXTS)).split(" ")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(words) - 1))
        j = draw(st.integers(0, len(words) - 1))
        op = draw(st.sampled_from(["delete", "repeat", "swap"]))
        if op == "delete" and len(words) > 1:
            del words[i]
        elif op == "repeat":
            words.insert(i, words[j])
        else:
            words[i], words[j] = words[j], words[i]
    return " ".join(words)


@settings(max_examples=300, deadline=None)
@given(mutated())
def test_checker_never_crashes(text):
    try:
        module = parse(text, "fuzz.mkc")
    except DiagnosticError:
        return
    model, diagnostics = check(module)
    assert all(d.span is None or d.span.file == "fuzz.mkc" for d in diagnostics)
