"""Programs that are right check clean: the spec's examples and examples/."""

import pathlib

import pytest

from mkc.load import load_source
from mkc.source import Source

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC_EXAMPLES = ROOT / "tests" / "spec_examples"
# scenario.mkc starts campaigns it does not declare: a parse fixture only.
CLEAN_SPEC_EXAMPLES = ["choice.mkc", "declarations.mkc", "fields.mkc", "one_line.mkc"]
EXAMPLES = sorted((ROOT / "examples").glob("*.mkc"))


def diagnostics(path: pathlib.Path):
    return load_source(Source(str(path), path.read_text())).diagnostics


@pytest.mark.parametrize("name", CLEAN_SPEC_EXAMPLES)
def test_spec_example_checks_clean(name):
    assert diagnostics(SPEC_EXAMPLES / name) == []


def test_spec_smart_list_example_only_warns_about_its_missing_asset():
    # §3's smart list names "Qualified", which that snippet does not declare.
    found = [(d.span.line, d.severity, d.code) for d in diagnostics(SPEC_EXAMPLES / "smart_list.mkc")]
    assert found == [(8, "warning", "invalid-smart-list")]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_has_no_errors(path):
    assert [d for d in diagnostics(path) if d.is_error] == []
