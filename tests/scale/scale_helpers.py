"""Shared helpers for the partitioned-run tests: the same runs on one process
and spread, and what to compare of the two databases."""

from __future__ import annotations

import pathlib
import sys

from tables import SORTED
from tables import dump as dump_tables

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "store"))

from store_helpers import RICH, people_csv, run_mkc, write_campaigns  # noqa: E402

__all__ = ["RICH", "ROOT", "dump", "exports", "people_csv", "run_mkc", "twin_runs", "write_campaigns"]


def dump(db: str) -> dict[str, list]:
    """Every table, its rows sorted (tests/tables.py): a spread run with the
    reference in its workers stores rows by person, not in one process's order."""
    return dump_tables(db, SORTED)


def exports(capsys, db: str, folder: pathlib.Path) -> dict[str, bytes]:
    """`mkc db export`'s bytes: the activity log (JSON Lines) and the people (CSV)."""
    found = {}
    for name, what in (("activities.jsonl", "activities"), ("people.csv", "people")):
        out = folder / f"{pathlib.Path(db).stem}-{name}"
        code, _, err = run_mkc(capsys, "db", "export", out, "--db", db, "--what", what)
        assert code == 0, err
        found[name] = out.read_bytes()
    return found


def twin_runs(
    capsys, tmp_path: pathlib.Path, runs: list[list], spread: list, one: list = (), engines: list | None = None
) -> tuple[list, list]:
    """The `mkc run` argument lists in `runs`, in order, over a database of
    their own (with `one`'s options, e.g. --engine reference) and again over
    another with `spread` (e.g. --workers 2); each run must give the same
    exit status and log both ways, and the databases and their exports must
    end the same. The two logs; the spread runs' lines saying which engine
    ran go into `engines`."""
    logs = []
    for name, extra in (("one", list(one)), ("spread", spread)):
        db = str(tmp_path / f"{name}.duckdb")
        said = []
        for args in runs:
            code, out, err = run_mkc(capsys, "run", *args, "--db", db, *extra)
            assert code in (0, 1) and "error[" not in err, err  # (a step may fail: 1; the file has no errors)
            said.append((code, out))
            if engines is not None and name == "spread":
                engines += [line for line in err.splitlines() if line.startswith("mkc run: ")]
        logs.append(said)
    assert logs[0] == logs[1]
    one, spread_db = str(tmp_path / "one.duckdb"), str(tmp_path / "spread.duckdb")
    assert dump(one) == dump(spread_db)
    assert exports(capsys, one, tmp_path) == exports(capsys, spread_db, tmp_path)
    return logs[0], logs[1]
