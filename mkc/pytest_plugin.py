"""pytest plugin: collect `.mkc` scenarios as golden tests.

Off by default (so a project's own `.mkc` fixtures are not collected by
surprise): turn it on with `mkc_golden = true` in the pytest ini options or
`--mkc-golden` on the command line; `--mkc-update` rewrites goldens.

The files collected are those `mkc test` takes (`mkc.golden.find_cases`).
Collecting only parses and checks a file; each scenario runs in its own
test item, so `-k` and `--collect-only` run (and, with `--mkc-update`,
write) nothing but the scenarios selected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_WRITTEN = pytest.StashKey[dict]()  # golden -> "created" or "updated" by --mkc-update, for the summary


def pytest_addoption(parser):
    group = parser.getgroup("mkc")
    group.addoption("--mkc-golden", action="store_true", help="collect .mkc scenarios as golden tests")
    group.addoption(
        "--mkc-update", action="store_true", help="rewrite the golden sections of the scenarios that run and differ"
    )
    parser.addini("mkc_golden", "collect .mkc scenarios as golden tests", type="bool", default=False)


def _enabled(config) -> bool:
    return bool(config.getoption("mkc_golden") or config.getini("mkc_golden"))


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix != ".mkc" or not _enabled(parent.config):
        return None
    from mkc.golden import has_scenario, walked_case

    session = parent.session
    named = session.isinitpath(file_path) or session.isinitpath(file_path.parent)
    if has_scenario(file_path) and (named or walked_case(file_path)):
        return MkcFile.from_parent(parent, path=file_path)
    return None


class MkcFile(pytest.File):
    """A `.mkc` file with scenarios: parsed and checked once, not run."""

    loaded = None

    def collect(self):
        from mkc.golden import STALE, holds_more, read_golden, scenario_names
        from mkc.load import display_name, load_path
        from mkc.source import BadInput

        try:
            self.loaded = load_path(display_name(self.path))  # diagnostics name it relative to where pytest runs
        except BadInput as err:
            raise self.CollectError(str(err)) from None
        if self.loaded.has_errors or self.loaded.model is None:
            yield MkcScenario.from_parent(self, name="check")
            return
        names = scenario_names(self.loaded)
        for name in names:
            yield MkcScenario.from_parent(self, name=name)
        text, sections = read_golden(self.path, names)
        if holds_more(text, sections, names):
            yield MkcScenario.from_parent(self, name=STALE)  # passes once --mkc-update drops the stale part


class MkcScenario(pytest.Item):
    """One scenario of a file, run and compared with its golden section (or
    `check`, a file with check errors; or the stale part of a golden)."""

    def runtest(self):
        from mkc.golden import describe, describe_refused, golden_path, run_case
        from mkc.load import display_name

        path = Path(display_name(self.path))  # as the user named it, relative to where pytest runs
        update = self.config.getoption("mkc_update")
        outcome = run_case(path, lambda name: name == self.name, update=update, loaded=self.parent.loaded)
        if outcome.error is not None:
            raise MkcFailure(f"check errors:\n{outcome.error}")
        if outcome.golden_written:
            self.config.stash.setdefault(_WRITTEN, {}).setdefault(golden_path(path), outcome.golden_written)
        mine = next((s for s in outcome.scenarios if s.name == self.name), None)
        if mine is not None and mine.status != "passed":
            raise MkcFailure(describe(path, mine, "pytest with `--mkc-update`"))
        if outcome.refused:
            raise MkcFailure(describe_refused(path, outcome.refused))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, MkcFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        checked = self.parent.loaded is not None and not self.parent.loaded.has_errors
        return self.path, None, f"scenario {self.name}" if checked else "check errors"


class MkcFailure(Exception):
    pass


def pytest_terminal_summary(terminalreporter, config):
    for golden, how in config.stash.get(_WRITTEN, {}).items():
        terminalreporter.write_line(f"mkc: {how} {golden}")
