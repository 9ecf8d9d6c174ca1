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
from mkc.load import load_source
from mkc.source import BadInput, Source

_SCENARIO_RE = re.compile(r"^\s*scenario\b", re.M)
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist"}


@attrs.define
class ScenarioOutcome:
    name: str
    status: str  # passed, failed (transcript differs), expect-failed, missing
    diff: str = ""


@attrs.define
class CaseOutcome:
    path: Path
    scenarios: list[ScenarioOutcome] = attrs.Factory(list)
    error: str | None = None  # check errors: the whole file fails
    golden_written: str | None = None  # "created" or "updated"

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
        for f in sorted(p.rglob("*.mkc")):
            if not (_SKIP_DIRS & set(f.relative_to(p).parts)) and _has_scenario(f):
                found.append(f)
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


def split_sections(text: str, headers: list[str]) -> dict[str, str]:
    """Split a transcript into per-scenario sections, by their header lines."""
    sections: dict[str, str] = {}
    current = None
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if stripped in headers:
            current = stripped
            sections[current] = ""
        if current is not None:
            sections[current] += line
    return sections


def run_case(path: Path, pattern: str | None = None, update: bool = False, color: bool = False) -> CaseOutcome:
    from mkc.cli import read_source
    from mkc.interpreter import run_scenarios

    outcome = CaseOutcome(path)
    source: Source = read_source(str(path))
    loaded = load_source(source)
    if loaded.has_errors or loaded.model is None:
        outcome.error = render_all(loaded.diagnostics, {source.name: source}, color=color)
        return outcome
    results = run_scenarios(loaded.model)
    actual = {r.name: r for r in results}
    headers = [r.header for r in results]
    full_actual = "".join(r.transcript for r in results)
    gpath = golden_path(path)
    golden_text = gpath.read_text(encoding="utf-8") if gpath.exists() else None
    golden = split_sections(golden_text, headers) if golden_text is not None else {}

    new_sections: dict[str, str] = {}
    for r in results:
        if not selected(r.name, pattern):
            new_sections[r.header] = golden.get(r.header, "")
            continue
        expected = golden.get(r.header)
        new_sections[r.header] = r.transcript
        if update:
            status = "passed" if r.passed else "expect-failed"
        elif expected is None:
            status = "missing"
        elif expected != r.transcript:
            status = "failed"
        else:
            status = "passed" if r.passed else "expect-failed"
        diff = ""
        if status == "failed":
            diff = "".join(difflib.unified_diff(
                expected.splitlines(keepends=True), r.transcript.splitlines(keepends=True),
                fromfile=f"{gpath} (golden)", tofile=f"{path} (actual)", n=2))
        outcome.scenarios.append(ScenarioOutcome(r.name, status, diff))

    if update:
        # A golden holds every scenario; sections of unselected ones stay as they were.
        text = full_actual if not pattern else "".join(new_sections[h] for h in headers)
        if text != golden_text:
            gpath.write_text(text, encoding="utf-8")
            outcome.golden_written = "updated" if golden_text is not None else "created"
    elif golden_text is not None and not pattern and golden_text != full_actual and outcome.passed:
        # Same sections, but something outside them differs (e.g. a removed scenario).
        stale = [h for h in split_sections(golden_text, _all_headers(golden_text, headers)) if h not in actual]
        diff = "".join(difflib.unified_diff(golden_text.splitlines(keepends=True),
                                            full_actual.splitlines(keepends=True),
                                            fromfile=f"{gpath} (golden)", tofile=f"{path} (actual)", n=2))
        outcome.scenarios.append(ScenarioOutcome(", ".join(stale) or "(whole file)", "failed", diff))
    return outcome


def _all_headers(text: str, headers: list[str]) -> list[str]:
    return headers
