"""Parsing is linear in memory: a block's items and a file's declarations are
kept once, not copied per item; so is checking. Big files: `python
bench/parse_memory.py` (with --check for `mkc check`)."""

import contextlib
import gc
import pathlib
import sys
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `bench` is a folder of the repository, not an installed package

from bench.parse_memory import EMAIL, generate  # noqa: E402
from bench.parse_speed import PROGRAM  # noqa: E402
from mkc.diagnostics import DiagnosticError  # noqa: E402
from mkc.grammar import parse  # noqa: E402
from mkc.load import load_source  # noqa: E402
from mkc.source import Source  # noqa: E402


def peak(text: str, work=None, warm: str | None = None) -> int:
    """Peak bytes allocated while parsing `text` (or doing `work` on it), the result included."""
    work = work or _parse
    work(warm or text[: text.find("\n", 5000) + 1])  # warm: classes, patterns and caches made on first use
    gc.collect()
    tracemalloc.start()
    try:
        work(text)
    finally:
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return size


def _parse(text: str) -> None:
    with contextlib.suppress(DiagnosticError):
        parse(text, "big.mkc")


def _check(text: str) -> None:
    """What `mkc check` does with a file: parse it and check it."""
    assert not load_source(Source("big.mkc", text)).diagnostics


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
    # `Str`, the text and two spans (250 bytes); a campaign of 86 bytes here
    # (89 to 93 in bigger files) is 8 nodes, a name, a number and 8 spans.
    # Measured 9.1x and 10.3x (10 MB and more: under 10x, bench/parse_memory.py),
    # were 10.1x and 12.6x with a tuple for each one-item tuple field and a
    # condition's field span kept whole (see `ast.node`); before that 15.5x and
    # 17.3x (spans were 72-byte objects; see mkc/source.py).
    for shape, bound in (("block", 9.6), ("many", 10.6)):
        text = generate(shape, 300_000)
        assert peak(text) < bound * len(text), shape


def test_check_memory_of_dense_and_written_campaigns():
    # What `mkc check` holds on top of the AST: the model (a `CampaignInfo` per
    # campaign) and the bound program (a `BoundStep` and `Target` per step).
    # Measured 14.9x and 13.0x, were 34.6x and 19.2x (a dict and a proxy of
    # arguments per call, an empty frozenset and a kept token context per
    # campaign, tables keyed by `id()`s).
    for shape, bound in (("many", 16.5), ("program", 14.5)):
        text, warm = (generate(shape, size) for size in (300_000, 5000))
        if shape == "many":
            text, warm = EMAIL + text, EMAIL + warm
        assert peak(text, _check, warm) < bound * len(text), shape
