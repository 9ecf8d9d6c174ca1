"""Parsing is linear in memory: a block's items and a file's declarations are
kept once, not copied per item. Big files: `python bench/parse_memory.py`."""

import gc
import pathlib
import sys
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `bench` is a folder of the repository, not an installed package

from bench.parse_memory import generate  # noqa: E402
from mkc.diagnostics import DiagnosticError  # noqa: E402
from mkc.grammar import parse  # noqa: E402


def peak(text: str) -> int:
    """Peak bytes allocated while parsing `text`, the result included."""
    parse(generate("many", 2000))  # warm: classes and caches made on first use
    gc.collect()
    tracemalloc.start()
    try:
        parse(text, "big.mkc")
    except DiagnosticError:
        pass
    finally:
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return size


def test_twice_the_items_in_one_block_take_twice_the_memory():
    small, big = peak(generate("block", 60_000)), peak(generate("block", 120_000))
    assert big < 2.3 * small  # was 3.5x (copies of the block's list so far at every item)


def test_many_campaigns_and_many_errors_grow_linearly():
    for shape in ("many", "errors"):
        small, big = peak(generate(shape, 50_000)), peak(generate(shape, 100_000))
        assert big < 2.3 * small, shape


def test_peak_memory_is_a_small_multiple_of_the_file():
    text = generate("block", 300_000)
    assert peak(text) < 18 * len(text)  # measured 12-17x; was 1,400x at 200 KB
