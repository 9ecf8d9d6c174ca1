"""Parsing is linear in memory: a block's items and a file's declarations are
kept once, not copied per item. Big files: `python bench/parse_memory.py`."""

import contextlib
import gc
import pathlib
import sys
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `bench` is a folder of the repository, not an installed package

from bench.parse_memory import generate  # noqa: E402
from bench.parse_speed import PROGRAM  # noqa: E402
from mkc.diagnostics import DiagnosticError  # noqa: E402
from mkc.grammar import parse  # noqa: E402


def peak(text: str) -> int:
    """Peak bytes allocated while parsing `text`, the result included."""
    _parse(text[: text.find("\n", 5000) + 1])  # warm: classes, patterns and caches made on first use
    gc.collect()
    tracemalloc.start()
    try:
        _parse(text)
    finally:
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return size


def _parse(text: str) -> None:
    with contextlib.suppress(DiagnosticError):
        parse(text, "big.mkc")


def test_twice_the_items_in_one_block_take_twice_the_memory():
    small, big = peak(generate("block", 60_000)), peak(generate("block", 120_000))
    assert big < 2.3 * small  # was 3.5x (copies of the block's list so far at every item)


def test_many_campaigns_and_many_errors_grow_linearly():
    for shape in ("many", "errors"):
        small, big = peak(generate(shape, 50_000)), peak(generate(shape, 100_000))
        assert big < 2.3 * small, shape


def test_peak_memory_is_at_most_ten_times_the_file():
    # Campaigns as people write them, and a file of syntax errors (only the
    # diagnostics shown are kept): 9.5-9.9x, was 14x and 18x.
    program = "".join(PROGRAM.format(i=i) for i in range(300))
    for text in (program, generate("errors", 300_000)):
        assert peak(text) < 10 * len(text)


def test_peak_memory_of_the_densest_shapes():
    # One node and one span per few bytes: a step of 31 bytes is a `Step`, a
    # `Str`, their args tuple, the text and two spans (300 bytes); a campaign
    # of 89 bytes is 11 nodes and 9 spans. Measured 10.1x and 12.6x, was 15.5x
    # and 17.3x (spans were 72-byte objects; see mkc/source.py).
    for shape, bound in (("block", 10.6), ("many", 13.2)):
        text = generate(shape, 300_000)
        assert peak(text) < bound * len(text), shape
