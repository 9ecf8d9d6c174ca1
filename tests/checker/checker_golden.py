"""Reading golden checker cases: `# error: CODE` / `# warning: CODE` at the
end of a line (several codes separated by commas), and the codes of the
spec's diagnostics table (section 9)."""

import pathlib
import re

from mkc.load import load_source
from mkc.source import Source

CASES = pathlib.Path(__file__).parent / "cases"
ANNOTATION = re.compile(r"#\s*(error|warning):\s*([a-z][a-z-]*(?:\s*,\s*[a-z][a-z-]*)*)")


def case_files():
    return sorted(CASES.glob("*.mkc"))


def expected(text: str) -> set[tuple[int, str, str]]:
    found = set()
    for number, line in enumerate(text.splitlines(), 1):
        for severity, codes in ANNOTATION.findall(line):
            for code in codes.split(","):
                found.add((number, severity, code.strip()))
    return found


def reported(path: pathlib.Path) -> set[tuple[int, str, str]]:
    loaded = load_source(Source(str(path), path.read_text()))
    return {(d.span.line, d.severity, d.code) for d in loaded.diagnostics}


ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec" / "LANGUAGE.md"
# Section 9's table, for when the spec is not beside the repository.
KNOWN_CODES = [
    "syntax", "duplicate-name", "unknown-reference", "ambiguous-reference", "unknown-step", "unknown-condition",
    "unknown-trigger", "bad-argument", "wait-in-executable", "webhook-not-allowed", "trigger-in-executable",
    "not-executable", "executable-not-callable", "cross-workspace-call", "nesting-too-deep", "call-cycle",
    "not-requestable", "kind-mismatch", "clone-of-triggered", "undefined-token", "choice-mixed-actions",
    "too-many-choices", "unknown-person", "unknown-field", "invalid-smart-list",
]  # fmt: skip
KNOWN_WARNINGS = ["unknown-field", "invalid-smart-list"]


def spec_codes(warnings_only: bool = False) -> list[str]:
    """The codes of section 9's table (with `warnings_only`, those marked `(warning)`)."""
    if not SPEC.exists():
        return KNOWN_WARNINGS if warnings_only else KNOWN_CODES
    text = SPEC.read_text()
    section = text[text.index("## 9. Diagnostics") :]
    section = section[: section.index("\n## ", 1)] if "\n## " in section[1:] else section
    codes = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            if not warnings_only or "(warning)" in first_column:
                codes += re.findall(r"`([a-z][a-z-]*)`", first_column)
    return codes
