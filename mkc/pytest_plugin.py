"""pytest plugin: collect `.mkc` scenarios as golden tests.

Off by default (so a project's own `.mkc` fixtures are not collected by
surprise): turn it on with `mkc_golden = true` in the pytest ini options or
`--mkc-golden` on the command line; `--mkc-update` rewrites goldens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mkc.golden import _has_scenario, golden_path, run_case


def pytest_addoption(parser):
    group = parser.getgroup("mkc")
    group.addoption("--mkc-golden", action="store_true", help="collect .mkc scenarios as golden tests")
    group.addoption("--mkc-update", action="store_true", help="rewrite .golden files that differ")
    parser.addini("mkc_golden", "collect .mkc scenarios as golden tests", type="bool", default=False)


def _enabled(config) -> bool:
    return bool(config.getoption("mkc_golden") or config.getini("mkc_golden"))


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".mkc" and _enabled(parent.config) and _has_scenario(file_path):
        return MkcFile.from_parent(parent, path=file_path)
    return None


class MkcFile(pytest.File):
    def collect(self):
        outcome = run_case(self.path, update=self.config.getoption("mkc_update"))
        if outcome.error is not None:
            yield MkcScenario.from_parent(self, name="check", outcome=None, error=outcome.error)
            return
        for scenario in outcome.scenarios:
            yield MkcScenario.from_parent(self, name=scenario.name, outcome=scenario, error=None)


class MkcScenario(pytest.Item):
    def __init__(self, *, outcome, error, **kwargs):
        super().__init__(**kwargs)
        self.outcome, self.error = outcome, error

    def runtest(self):
        if self.error is not None:
            raise MkcFailure(f"check errors:\n{self.error}")
        status = self.outcome.status
        if status == "missing":
            raise MkcFailure(f"no golden transcript in {golden_path(self.path)}: run with --mkc-update to write it")
        if status == "scenario-failed":
            raise MkcFailure("an expect failed or the scenario stopped with an error (see `mkc run`)")
        if status in ("failed", "stale"):
            raise MkcFailure(f"transcript differs from the golden file:\n{self.outcome.diff}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, MkcFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"scenario {self.name}"


class MkcFailure(Exception):
    pass
