"""The README's promises: its commands and its tour stay true."""

import pathlib
import re

from mkc.interpreter import run_scenarios
from mkc.load import load_source
from mkc.source import Source

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def code_blocks(text: str, lang: str = "") -> list[str]:
    """Fenced blocks of one language (no language: plain fences)."""
    return [body for fence, body in re.findall(r"^```(\w*)\n(.*?)^```$", text, re.S | re.M) if fence == lang]


def test_readme_opens_with_install_and_test_commands():
    blocks = code_blocks(README, "sh")
    assert blocks[0].strip() == "pip install . && mkc run examples/token_inheritance.mkc"
    assert blocks[1].strip() == "pip install '.[dev]' && python -m pytest"
    assert (ROOT / "examples" / "token_inheritance.mkc").exists()
    assert "python -m pytest" in (ROOT / ".ci" / "run").read_text()


def test_readme_tour_checks_and_its_expects_pass():
    tour = next(b for b in code_blocks(README) if b.startswith("workspace"))
    loaded = load_source(Source("README.md", tour))
    assert not loaded.diagnostics
    results = run_scenarios(loaded.model)
    assert results and all(r.passed for r in results)
