"""Golden-file testing (`mkc test`): run scenarios, compare with `.golden` files.

A case is a `.mkc` file with at least one scenario; its golden file is the
`.golden` beside it, holding exactly what `mkc run FILE` prints. Results are
per scenario, so a mismatch names the scenario and `-k` can select some.
A missing golden fails unless `update` is set; `update` rewrites a golden
only when its content changes (syrupy's rule: never created silently).
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable
from pathlib import Path

import attrs

from mkc.diagnostics import render_all
from mkc.load import load_path, mkc_files
from mkc.source import BadInput

_SCENARIO_RE = re.compile(r"^\s*scenario\b", re.M)
_HEADER_RE = re.compile(r'scenario ".*"')  # a transcript's header line (activity lines start with a date)


@attrs.define
class ScenarioOutcome:
    name: str
    status: str  # passed, failed (transcript differs), scenario-failed, missing, stale
    diff: str = ""  # a unified diff, golden -> actual
    failures: list[str] = attrs.Factory(list)  # its FAIL and ERROR lines, each with its place
    difference: str = ""  # the first line that differs, on each side


@attrs.define
class CaseOutcome:
    path: Path
    scenarios: list[ScenarioOutcome] = attrs.Factory(list)
    error: str | None = None  # check errors: the whole file fails
    golden_written: str | None = None  # "created" or "updated"
    refused: list[str] = attrs.Factory(list)  # with update: the failing lines that kept the golden unwritten

    @property
    def passed(self) -> bool:
        return self.error is None and all(s.status == "passed" for s in self.scenarios)


def golden_path(path: Path) -> Path:
    return path.with_suffix(".golden")


def find_cases(paths: Iterable[str]) -> list[Path]:
    """Every `.mkc` file with a scenario under `paths`, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise BadInput(f"{raw}: no such file or directory")
        if p.is_file():
            found.append(p)
            continue
        found += [f for f in mkc_files(p) if _has_scenario(f)]
    return found


def _has_scenario(path: Path) -> bool:
    try:
        return bool(_SCENARIO_RE.search(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return True  # let the run report what is wrong with it


def selected(name: str, pattern: str | None) -> bool:
    """`-k`: a substring or a glob of the scenario's name, case-insensitive."""
    if not pattern:
        return True
    name, pattern = name.lower(), pattern.lower()
    return pattern in name or fnmatch.fnmatchcase(name, pattern)


def split_sections(text: str, results) -> dict[str, str]:
    """A golden transcript, split into the sections of `results`' scenarios.

    A file with several scenarios heads each transcript with its header line;
    a file with one has no header, and the whole text is that scenario's.
    """
    if len(results) == 1 and not results[0].headed:
        return {results[0].name: text}
    by_header = {r.header: r.name for r in results}
    sections: dict[str, str] = {}
    current = None
    for line in text.splitlines(keepends=True):
        header = line.rstrip("\n")
        if _HEADER_RE.fullmatch(header):
            # A scenario this file no longer has keeps its own (stale) section.
            current = by_header.get(header, header)
            sections[current] = ""
        if current is not None:
            sections[current] += line
    return sections


def run_case(path: Path, pattern: str | None = None, update: bool = False, color: bool = False) -> CaseOutcome:
    from mkc.interpreter import run_scenarios

    outcome = CaseOutcome(path)
    loaded = load_path(str(path))  # in a project, the file's scenarios run against all of it
    if loaded.has_errors or loaded.model is None:
        outcome.error = render_all(loaded.diagnostics, loaded.sources, color=color)
        return outcome
    results = run_scenarios(loaded.model, file=loaded.source.name if loaded.project else None)
    gpath = golden_path(path)
    golden_text = gpath.read_text(encoding="utf-8") if gpath.exists() else None
    golden = split_sections(golden_text, results) if golden_text is not None else {}

    kept: list[str] = []  # the golden as it should be after this run
    for r in results:
        expected = golden.get(r.name)
        if not selected(r.name, pattern):
            kept.append(expected or "")
            # A section recorded with failures (by hand, or an older mkc) is not written again either.
            outcome.refused += [f"{r.name}: {line}" for line in _failing_lines(expected or "")]
            continue
        kept.append(r.transcript)
        if expected is None and not update:
            status = "missing"
        elif expected != r.transcript and not update:
            status = "failed"
        else:
            status = "passed" if r.passed else "scenario-failed"
        scenario = ScenarioOutcome(r.name, status, failures=_failures(r, path))
        if status == "failed":
            scenario.diff = _diff(expected, r.transcript, f"{gpath} (golden)", f"{path} (actual)")
            scenario.difference = _first_difference(golden_text, expected, r.transcript, gpath)
        outcome.scenarios.append(scenario)
        outcome.refused += [f"{r.name}: {line}" for line in scenario.failures]

    new_text = "".join(kept)
    if not update:
        outcome.refused = []
    if update and new_text != golden_text and not outcome.refused:
        gpath.write_text(new_text, encoding="utf-8")
        outcome.golden_written = "updated" if golden_text is not None else "created"
    elif not update and golden_text is not None and new_text != golden_text and outcome.passed:
        # Every scenario matches, yet the golden holds more: a scenario was removed or renamed.
        stale = ScenarioOutcome("(golden file)", "stale")
        stale.diff = _diff(golden_text, new_text, f"{gpath} (golden)", f"{path} (actual)")
        stale.difference = _first_difference(golden_text, golden_text, new_text, gpath)
        outcome.scenarios.append(stale)
    return outcome


def _failing_lines(transcript: str) -> list[str]:
    # Activity lines start with a date and headers with `scenario`: these are expects and errors.
    return [line for line in transcript.splitlines() if line.startswith(("FAIL ", "ERROR "))]


def _failures(result, path: Path) -> list[str]:
    """A scenario's failing expects, each after the place it is written, and
    the error that stopped it (whose line names its place)."""
    out = [f"{path}:{e.line}: {e.line_text}" if e.line else e.line_text for e in result.expects if not e.passed]
    if result.error is not None:
        out += [line for line in _failing_lines(result.transcript) if line.startswith("ERROR ")]
    return out


def _first_difference(golden_text: str, expected: str, actual: str, gpath: Path) -> str:
    """The first line where a section of the golden and the actual transcript
    part, on each side, placed by its line in the golden file."""
    old, new = expected.splitlines(), actual.splitlines()
    i = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    start = golden_text.find(expected) if expected else -1
    line = golden_text[:start].count("\n") + i + 1 if start >= 0 else i + 1
    end = "(end of transcript)"
    return (
        f"  first difference at {gpath}:{line}\n"
        f"    golden: {old[i] if i < len(old) else end}\n"
        f"    actual: {new[i] if i < len(new) else end}\n"
    )


def _diff(expected: str, actual: str, from_name: str, to_name: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=from_name,
            tofile=to_name,
            n=2,
        )
    )
