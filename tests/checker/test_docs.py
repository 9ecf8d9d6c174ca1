"""docs/diagnostics.md stays true: every ```mkc example there gives exactly
the codes it marks with `# error:` / `# warning:` (an unmarked example, a
fix, checks clean), and every code has its section."""

import pathlib
import re

import pytest
from checker_golden import expected, spec_codes

from mkc.load import load_source
from mkc.source import Source

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"
BLOCK = re.compile(r"^```mkc\n(.*?)^```", re.S | re.M)


def examples():
    text = DOC.read_text()
    out = []
    for m in BLOCK.finditer(text):
        line = text.count("\n", 0, m.start()) + 2
        out.append(pytest.param(m.group(1), id=f"line{line}"))
    return out


@pytest.mark.parametrize("example", examples())
def test_doc_example(example):
    loaded = load_source(Source("doc.mkc", example))
    got = {(d.span.line, d.severity, d.code) for d in loaded.diagnostics}
    assert got == expected(example)


def test_every_code_has_a_section():
    text = DOC.read_text()
    for code in spec_codes():
        assert f"## `{code}`" in text, code
