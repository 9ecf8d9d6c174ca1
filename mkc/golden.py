"""Golden-file testing (`mkc test`): run scenarios, compare with `.golden` files.

A case is a `.mkc` file with at least one scenario (which files, when a
directory is walked: `find_cases`); its golden file is the `.golden` beside
it, holding exactly what `mkc run FILE` prints. Results are
per scenario, so a mismatch names the scenario and `-k` can select some.
A missing golden fails unless `update` is set; `update` rewrites a golden
only when its content changes (syrupy's rule: never created silently).
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs

from mkc.diagnostics import render_all
from mkc.load import Loaded, load_path, mkc_files
from mkc.project import find_project
from mkc.source import BadInput
from mkc.terminal import paint

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


@attrs.frozen
class Collected:
    cases: list[Path]
    left_out: list[Path]  # scenario files met walking a directory, outside every golden directory and project


def find_cases(paths: Iterable[str]) -> Collected:
    """The cases under `paths`, in a stable order.

    A file named is a case. Walking a directory, a `.mkc` file with a
    scenario is a case when it lies directly in that directory, in a project,
    or in a directory holding a `.golden` file; the others are fixtures (a
    repository's checker test files, say) and are left out, to be named to
    be tested. So `mkc test` at the root of a repository tests its examples,
    and a new file in a folder of goldens fails until it has its own.
    """
    cases: list[Path] = []
    left_out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise BadInput(f"{raw}: no such file or directory")
        if p.is_file():
            cases.append(p)
            continue
        for f in mkc_files(p):
            if not has_scenario(f):
                continue
            if f.parent == p or walked_case(f):
                cases.append(f)
            else:
                left_out.append(f)
    return Collected(cases, left_out)


def walked_case(path: Path) -> bool:
    """A scenario file found below a directory given: a case when it lies in a
    project or beside `.golden` files (a directory of golden tests)."""
    return _holds_goldens(path.parent) or find_project(path) is not None


def _holds_goldens(directory: Path) -> bool:
    return any(f.is_file() for f in directory.glob("*.golden"))


def has_scenario(path: Path) -> bool:
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


def split_sections(text: str, names: list[str]) -> dict[str, str]:
    """A golden transcript, split into the sections of a file's scenarios.

    A file with several scenarios heads each transcript with its header line;
    a file with one has no header, and the whole text is that scenario's.
    """
    from mkc.interpreter.transcript import header_line

    if len(names) == 1:
        return {names[0]: text}
    by_header = {header_line(name): name for name in names}
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


def run_case(
    path: Path,
    select: Callable[[str], bool] | None = None,
    update: bool = False,
    color: bool = False,
    loaded: Loaded | None = None,
) -> CaseOutcome:
    """Run the scenarios of `path` that `select` picks (all without it) and
    compare each with its section of the golden; with `update`, write the
    golden with those sections replaced and every other kept as it was.
    `loaded` is the file already loaded (the pytest plugin loads it once)."""
    from mkc.interpreter import run_scenarios

    outcome = CaseOutcome(path)
    if loaded is None:
        loaded = load_path(str(path))  # in a project, the file's scenarios run against all of it
    if loaded.has_errors or loaded.model is None:
        outcome.error = render_all(loaded.diagnostics, loaded.sources, color=color)
        return outcome
    names = scenario_names(loaded)
    chosen = [name for name in names if select is None or select(name)]
    file = loaded.source.name if loaded.project else None
    results = {r.name: r for r in run_scenarios(loaded.model, chosen, file=file)}
    gpath = golden_path(path)
    golden_text, golden = read_golden(path, names)

    kept: list[str] = []  # the golden as it should be after this run
    for name in names:
        expected = golden.get(name)
        r = results.get(name)
        if r is None:
            kept.append(expected or "")
            # A section recorded with failures (by hand, or an older mkc) is not written again either.
            outcome.refused += [f"{name}: {line}" for line in _failing_lines(expected or "")]
            continue
        kept.append(r.transcript)
        if expected is None and not update:
            status = "missing"
        elif expected != r.transcript and not update:
            status = "failed"
        else:
            status = "passed" if r.passed else "scenario-failed"
        scenario = ScenarioOutcome(name, status, failures=_failures(r, path))
        if status == "failed":
            scenario.diff = _diff(expected, r.transcript, f"{gpath} (golden)", f"{path} (actual)")
            scenario.difference = _first_difference(golden_text, expected, r.transcript, gpath)
        outcome.scenarios.append(scenario)
        outcome.refused += [f"{name}: {line}" for line in scenario.failures]

    new_text = "".join(kept)
    if not update:
        outcome.refused = []
    if update and new_text != golden_text and not outcome.refused:
        gpath.write_text(new_text, encoding="utf-8")
        outcome.golden_written = "updated" if golden_text is not None else "created"
    # A stale golden is the file's failure, shown when one of its scenarios was selected (or the stale part itself).
    asked = select is None or bool(chosen) or select(STALE)
    if not update and asked and holds_more(golden_text, golden, names):
        ordered = "".join(golden.get(name, "") for name in names)
        stale = ScenarioOutcome(STALE, "stale")
        stale.diff = _diff(golden_text, ordered, f"{gpath} (golden)", f"{path} (actual)")
        stale.difference = _first_difference(golden_text, golden_text, ordered, gpath)
        outcome.scenarios.append(stale)
    return outcome


STALE = "(golden file)"  # the name of the outcome that says the golden holds more than the file's scenarios


def read_golden(path: Path, names: list[str]) -> tuple[str | None, dict[str, str]]:
    """The golden beside `path` (None when there is none) and its sections, by scenario name."""
    gpath = golden_path(path)
    text = gpath.read_text(encoding="utf-8") if gpath.exists() else None
    return text, (split_sections(text, names) if text is not None else {})


def holds_more(text: str | None, sections: dict[str, str], names: list[str]) -> bool:
    """The golden holds a section no scenario of the file has (removed or
    renamed), or holds them in another order: it is stale."""
    return text is not None and "".join(sections.get(name, "") for name in names) != text


def scenario_names(loaded: Loaded) -> list[str]:
    """The names of the scenarios written in the file loaded, in order."""
    return [s.name for s in loaded.scenarios_of(loaded.source.name)]


def describe(path: Path, s: ScenarioOutcome, how_to_update: str, color: bool = False) -> str:
    """What `mkc test` (and the pytest plugin) says of a scenario that did not
    pass: why, its failing expects, the first differing lines, the diff.
    `how_to_update` is the command that writes a missing golden."""
    why = {
        "missing": f"no golden transcript (run {how_to_update} to write {golden_path(path)})",
        "scenario-failed": "the scenario stopped with an error"
        if any(line.startswith("ERROR ") for line in s.failures)
        else "an expect failed",
        "failed": "transcript differs from the golden file",
        "stale": "the golden file holds scenarios this file no longer has (or in another order)",
    }[s.status]
    out = [f"{paint('FAIL', 'bold red', color)} {path} :: {s.name}: {why}\n"]
    out += [f"  {paint(line, 'red', color)}\n" for line in s.failures]
    out.append(s.difference)
    diff = s.diff if not s.diff or s.diff.endswith("\n") else s.diff + "\n"
    out += [paint(line, _diff_style(line), color) + "\n" for line in diff.splitlines()]
    return "".join(out)


def _diff_style(line: str) -> str:
    if line.startswith(("--- ", "+++ ")):
        return "bold"
    return {"-": "red", "+": "green", "@": "cyan"}.get(line[:1], "")


def describe_refused(path: Path, refused: list[str]) -> str:
    """Why `--update` left a golden unwritten: the failing lines it would hold."""
    head = f"not written {golden_path(path)}: a golden never records a failing expect, and it would hold\n"
    return head + "".join(f"  {line}\n" for line in refused)


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
