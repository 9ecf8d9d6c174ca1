"""Golden checker cases: every `.mkc` under cases/ states the diagnostics it
must produce with `# error: CODE` / `# warning: CODE` at the end of the line
(several codes separated by commas). The set of (line, severity, code) the
checker reports must equal the set annotated: codes, not prose (the
renderer's tests check prose). Lines without an annotation are near misses
that must pass.

Every code of the spec's diagnostics table (section 9) has a file named
after it, with at least one annotated failure and its near misses."""

import pytest
from checker_golden import CASES, KNOWN_CODES, KNOWN_WARNINGS, case_files, expected, reported, spec_codes


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.name)
def test_case(path):
    want = expected(path.read_text())
    got = reported(path)
    missing = sorted(want - got)
    extra = sorted(got - want)
    assert not missing and not extra, f"missing {missing}, unexpected {extra}"


# ---- every code has its cases ---------------------------------------------------


def test_the_spec_table_is_read():
    assert set(spec_codes()) == set(KNOWN_CODES)
    assert set(spec_codes(warnings_only=True)) == set(KNOWN_WARNINGS)


def test_every_code_has_a_failing_case():
    annotated: dict[str, set[str]] = {}
    for path in CASES.glob("*.mkc"):
        for _line, _severity, code in expected(path.read_text()):
            annotated.setdefault(code, set()).add(path.name)
    for code in spec_codes():
        assert f"{code}.mkc" in annotated.get(code, set()), f"cases/{code}.mkc should fail with {code}"


def test_the_spec_warnings_are_the_only_warnings():
    warnings = set(spec_codes(warnings_only=True))
    for path in CASES.glob("*.mkc"):
        for _line, severity, code in expected(path.read_text()):
            assert (severity == "warning") == (code in warnings), (path.name, code)
