"""The differential harness: the same runs through two engines, on copies of
one database, through the entry point the command line uses (`mkc.cli.main`,
in this process), then every table compared.

`ENGINES` is `("reference", "auto")` once `mkc.columnar` exists: `auto` runs
the columnar engine where its plan takes the campaign and falls back to the
reference interpreter where it does not (`--engine columnar` would refuse
those), so a refused program is compared through the fallback; the stderr
line saying which ran is collected, to count what the columnar engine ran.
Before the engine existed both sides were the reference interpreter (no
`--engine` option), which tests the harness itself.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import pathlib
import shutil

from tables import SORTED, STORED, differences, dump  # (tests/tables.py)

from mkc.cli import main

COLUMNAR = importlib.util.find_spec("mkc.columnar") is not None
ENGINES: tuple[str | None, str | None] = ("reference", "auto") if COLUMNAR else (None, None)
NAMES = (ENGINES[0] or "first", ENGINES[1] or "second")
RAN_COLUMNAR = "mkc run: columnar engine"  # the stderr line of a run the columnar engine made


def mkc(*args: str) -> tuple[int, str, str]:
    """`mkc ARGS` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return code, out.getvalue(), err.getvalue()


def run_args(
    program: str,
    db: str,
    campaign: str,
    at: str,
    until: str | None,
    engine: str | None,
    people: str | None = None,
    tokens: tuple[str, ...] = (),
) -> list[str]:
    args = ["run", program, "--campaign", campaign, "--db", db, "--at", at, "--lines"]
    for token in tokens:
        args += ["--token", token]
    if people:
        args += ["--people", people]
    if until:
        args += ["--until", until]
    if engine:
        args += ["--engine", engine]
    return args


def compare(
    tmp: pathlib.Path,
    program: str,
    base_db: str | None,
    runs,
    engines=ENGINES,
    people: str | None = None,
    spread: tuple[str, ...] = (),
) -> tuple[list[str], list[str]]:
    """Run `runs` ((campaign, at, until[, tokens])...) through each engine on its own
    copy of `base_db` (or a new database; `people`, a person export, is
    imported by the first run), the second with `spread`'s options too (e.g.
    `--workers 2`, tests/scale); after each run compare exit status, stdout,
    stderr minus the engine's own line, and every table (in its stored
    order; a spread run's sorted once its workers ran the reference, which
    stores rows by person). Returns (mismatches, the engines' stderr lines
    about which engine ran)."""
    dbs = []
    for index in range(2):
        db = str(tmp / f"engine{index}.duckdb")
        if base_db is not None:
            shutil.copyfile(base_db, db)
        dbs.append(db)
    mismatches: list[str] = []
    said: list[str] = []
    ordered = True  # (every spread run so far ran the columnar engine in its workers)
    for number, (campaign, at, until, *tokens) in enumerate(runs, 1):
        tokens = tokens[0] if tokens else ()
        results = []
        for side, (db, engine) in enumerate(zip(dbs, engines)):
            first = people if number == 1 else None
            extra = spread if side == 1 else ()
            code, out, err = mkc(*run_args(program, db, campaign, at, until, engine, first, tokens), *extra)
            lines = err.splitlines()
            said += [line for line in lines if _engine_line(line)]
            ordered = ordered and not (side == 1 and spread and not any(x.startswith(RAN_COLUMNAR) for x in lines))
            results.append((code, out, [line for line in lines if not _engine_line(line)]))
        where = f"run {number} ({campaign} --at {at}{f' --until {until}' if until else ''})"
        (code_a, out_a, err_a), (code_b, out_b, err_b) = results
        if (code_a, err_a) != (code_b, err_b):
            mismatches.append(f"{where}: exit {code_a} / {code_b}; stderr:\n  {err_a}\n  {err_b}")
        if out_a != out_b:
            mismatches.append(f"{where}: stdout differs at line {_first_line(out_a, out_b)}")
        order = STORED if ordered else SORTED
        difference = differences(dump(dbs[0], order), dump(dbs[1], order), NAMES, limit=1)
        if difference:
            mismatches.append(f"{where}: " + "\n".join(difference))
        if mismatches:
            break
    return mismatches, said


def _engine_line(line: str) -> bool:
    """The stderr line saying which engine ran (it differs by design)."""
    return line.startswith(("mkc run: columnar engine", "mkc run: reference interpreter"))


def _first_line(a: str, b: str) -> str:
    for index, (x, y) in enumerate(zip(a.splitlines(), b.splitlines()), 1):
        if x != y:
            return f"{index}:\n  {x}\n  {y}"
    return f"{min(a.count(chr(10)), b.count(chr(10))) + 1} (one output is longer)"
