"""docs/insight.md shows real output: every ```console block is run again and
compared, and each drawn ```mermaid block is the graph the command before it printed."""

import os
import re
import subprocess
import sys

import pytest
from insight_helpers import ROOT

DOC = ROOT / "docs/insight.md"
BLOCK = re.compile(r"```(console|mermaid)\n(.*?)```", re.S)


def blocks():
    return BLOCK.findall(DOC.read_text())


def consoles():
    return [body for kind, body in blocks() if kind == "console"]


@pytest.mark.parametrize("body", consoles(), ids=lambda b: b.splitlines()[0][2:60])
def test_console_output_is_current(body):
    command, _, shown = body.partition("\n")
    assert command.startswith("$ mkc ")
    mkc = f'"{sys.executable}" -c "from mkc.cli import main; main()"'
    proc = subprocess.run(
        ["bash", "-c", mkc + command[len("$ mkc") :]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, COLUMNS="200"),
    )
    assert proc.stdout == shown


def test_drawn_graphs_match_the_commands():
    found = blocks()
    drawn = [(found[i - 1][1], body) for i, (kind, body) in enumerate(found) if kind == "mermaid"]
    assert drawn
    for console, body in drawn:
        assert console.partition("\n")[2] == body
